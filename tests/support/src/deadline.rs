//! Bounded waits: a test that would block forever on a student's deadlock
//! fails with a sentence instead.

use std::panic;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Runs `f` on its own thread and returns its value, or panics with a message
/// naming `what` if it has not finished within `limit`.
///
/// A panic inside `f` is passed on unchanged, so an assertion failure reads the
/// same as without the wrapper. On a timeout the thread is left behind: the
/// test process ends soon after, and nothing can stop a thread from outside.
pub fn within<T, F>(limit: Duration, what: &str, f: F) -> T
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    let worker = thread::Builder::new()
        .name(format!("within: {what}"))
        .spawn(move || {
            let _ = tx.send(f());
        })
        .expect("could not start a thread");
    match rx.recv_timeout(limit) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
            Err(payload) => panic::resume_unwind(payload),
            Ok(()) => unreachable!("the worker sends before it ends"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what} did not finish within {limit:?}: a deadlock, or a wait that never ends?")
        }
    }
}
