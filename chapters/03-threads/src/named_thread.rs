//! # Exercise: a named thread with a target
//!
//! Python starts a thread by giving `threading.Thread` a function (the
//! *target*) and, if you like, a name. Code running on that thread, however
//! deep, can ask which thread it is on:
//!
//! ```python
//! import threading
//!
//! def log(message):                        # deep inside, no name passed in
//!     print(f"[{threading.current_thread().name}] {message}")
//!
//! def square(n):
//!     log(f"squaring {n}")
//!     return n * n                         # Python throws this value away
//!
//! t = threading.Thread(target=square, args=(7,), name="squarer")
//! t.start()
//! t.join()                                 # returns None, even if square raised
//! ```
//!
//! Python's `join` gives back nothing: a result has to be stored somewhere
//! by hand, and an exception is printed by `threading.excepthook` and lost.
//! Rust's `JoinHandle::join` gives back the target's return value, or the
//! panic that ended the thread. Build the Rust version:
//!
//! - [`current_name`]: the name of the thread this code runs on
//!   (`std::thread::current()`), or `"<unnamed>"` for a thread started
//!   without one.
//! - [`log_line`]: `"[NAME] message"`, for any code deep inside a thread.
//! - [`start`]: starts `target` on a new thread called `name`
//!   (`std::thread::Builder`).
//! - [`join`]: waits for the thread and gives its value, or, if it
//!   panicked, a [`ThreadFailed`] naming *that* thread and carrying the
//!   panic's message. A panic's payload is a `Box<dyn Any + Send>`:
//!   `panic!("literal")` puts a `&'static str` in it, `panic!("{x}")` a
//!   `String`, and `std::panic::panic_any(v)` anything at all.
//! - [`run_all`]: starts every job on its own thread with its name, all of
//!   them before joining any, then joins them: one result per job, in the
//!   order of the jobs. One job's panic is that job's error; the others
//!   still give their values.
//!
//! The tests read names from nested calls, check that the values come from
//! other threads, that a panic's message comes back whatever its payload,
//! with the name of the thread that panicked, that `run_all` runs every job
//! at the same time (the jobs wait for each other) and gives results in job
//! order even when the jobs finish in another order.
//!
//! Stuck? `cargo course hint named_thread`.

use std::fmt;
use std::io;
use std::thread::JoinHandle;

/// What `current_name` says for a thread started without a name.
pub const UNNAMED: &str = "<unnamed>";

/// A thread ended in a panic instead of returning its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadFailed {
    /// The name of the thread that panicked (`UNNAMED` if it had none).
    pub thread: String,
    /// The panic's message, or `"(no message)"` when its payload is not a
    /// string.
    pub message: String,
}

impl fmt::Display for ThreadFailed {
    /// `thread 'NAME' panicked: MESSAGE`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        todo!()
    }
}

impl std::error::Error for ThreadFailed {}

/// The name of the calling thread, or [`UNNAMED`].
pub fn current_name() -> String {
    todo!()
}

/// `"[NAME] message"`, NAME being [`current_name`].
pub fn log_line(message: &str) -> String {
    todo!()
}

/// Starts `target` on a new thread called `name`.
pub fn start<T, F>(name: &str, target: F) -> io::Result<JoinHandle<T>>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    todo!()
}

/// Waits for the thread: its value, or its panic as a [`ThreadFailed`].
pub fn join<T>(handle: JoinHandle<T>) -> Result<T, ThreadFailed> {
    todo!()
}

/// Runs every `(name, target)` on its own thread, all started before any is
/// joined; one result per job, in the order of `jobs`.
pub fn run_all<T, F>(jobs: Vec<(String, F)>) -> io::Result<Vec<Result<T, ThreadFailed>>>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    todo!()
}
