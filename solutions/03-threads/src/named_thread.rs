//! A named thread with a target: the reference solution. The statement is in
//! `chapters/03-threads/src/named_thread.rs`.

use std::any::Any;
use std::fmt;
use std::io;
use std::thread::{self, JoinHandle};

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
        write!(f, "thread '{}' panicked: {}", self.thread, self.message)
    }
}

impl std::error::Error for ThreadFailed {}

/// The name of the calling thread, or [`UNNAMED`].
pub fn current_name() -> String {
    thread::current().name().unwrap_or(UNNAMED).to_string()
}

/// `"[NAME] message"`, NAME being [`current_name`].
pub fn log_line(message: &str) -> String {
    format!("[{}] {message}", current_name())
}

/// Starts `target` on a new thread called `name`.
pub fn start<T, F>(name: &str, target: F) -> io::Result<JoinHandle<T>>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    thread::Builder::new().name(name.to_string()).spawn(target)
}

/// The text of a panic: `panic!` with a literal leaves a `&str`, with
/// formatting a `String`; anything else has no message to show.
fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text.to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(no message)".to_string()
    }
}

/// Waits for the thread: its value, or its panic as a [`ThreadFailed`].
pub fn join<T>(handle: JoinHandle<T>) -> Result<T, ThreadFailed> {
    // The name belongs to the handle's thread, not to the caller's.
    let thread = handle.thread().name().unwrap_or(UNNAMED).to_string();
    handle.join().map_err(|payload| ThreadFailed {
        thread,
        message: panic_message(payload.as_ref()),
    })
}

/// Runs every `(name, target)` on its own thread, all started before any is
/// joined; one result per job, in the order of `jobs`.
pub fn run_all<T, F>(jobs: Vec<(String, F)>) -> io::Result<Vec<Result<T, ThreadFailed>>>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let handles = jobs
        .into_iter()
        .map(|(name, target)| start(&name, target))
        .collect::<io::Result<Vec<_>>>()?;
    Ok(handles.into_iter().map(join).collect())
}
