//! Signals that cut blocking system calls short, on purpose. A test runs a
//! call on a thread that another thread keeps signalling, and checks that
//! the call carried on (retried after `EINTR`, finished a short `read` or
//! `write`) as its statement asks. Chapter 2's tests use this module too.

use std::sync::{Arc, Mutex, MutexGuard, Once, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// SIGURG: ignored by default, and sent by nothing else these tests run.
const SIGNAL: libc::c_int = libc::SIGURG;

extern "C" fn on_signal(_: libc::c_int) {}

/// A handler that does nothing, installed without `SA_RESTART`: a blocking
/// call the signal lands in returns `EINTR`, or what it moved so far.
fn install_handler() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: a zeroed sigaction is a valid start; the handler is an
        // `extern "C" fn` that does nothing, which is async-signal-safe.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as *const () as usize;
            action.sa_flags = 0;
            libc::sigemptyset(&mut action.sa_mask);
            assert_eq!(
                libc::sigaction(SIGNAL, &action, std::ptr::null_mut()),
                0,
                "sigaction"
            );
        }
    });
}

/// Stops the sender (also when the body panics) before the signalled thread
/// moves on: a signal for a thread that has ended would be undefined.
struct Storm {
    running: Arc<Mutex<bool>>,
    sender: Option<JoinHandle<u32>>,
}

fn lock(running: &Mutex<bool>) -> MutexGuard<'_, bool> {
    running.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Storm {
    fn stop(&mut self) -> u32 {
        *lock(&self.running) = false;
        self.sender
            .take()
            .map_or(0, |sender| sender.join().expect("the signal sender"))
    }
}

impl Drop for Storm {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Runs `body` on this thread while another thread sends this one a
/// harmless signal every `every`. Returns what `body` returned and how many
/// signals were sent.
pub fn interrupted<T>(every: Duration, body: impl FnOnce() -> T) -> (T, u32) {
    install_handler();
    // SAFETY: pthread_self has no preconditions.
    let target = unsafe { libc::pthread_self() };
    let running = Arc::new(Mutex::new(true));
    let sender = {
        let running = Arc::clone(&running);
        thread::spawn(move || {
            let mut sent = 0;
            loop {
                {
                    // Signal under the lock that `stop` takes: once `stop`
                    // has run, no signal is on its way.
                    let running = lock(&running);
                    if !*running {
                        return sent;
                    }
                    // SAFETY: `target` runs `body` until `stop` clears
                    // `running`, which cannot happen while we hold the lock.
                    unsafe { libc::pthread_kill(target, SIGNAL) };
                    sent += 1;
                }
                thread::sleep(every);
            }
        })
    };
    let mut storm = Storm {
        running,
        sender: Some(sender),
    };
    let result = body();
    let sent = storm.stop();
    (result, sent)
}
