//! # Exercise: the same look-ups with tokio
//!
//! You have built an executor, timers, a reactor and a pool. Most Rust
//! services use tokio instead, which has all four, tuned and tested. The
//! names map one to one:
//!
//! | this chapter                      | tokio                              |
//! |-----------------------------------|------------------------------------|
//! | `Executor::block_on`              | `Runtime::block_on`                |
//! | `Executor::spawn`, `join_all`     | `JoinSet::spawn`, `join_next`      |
//! | `timers::sleep`, `task_pool::timeout` | `tokio::time::sleep`, `timeout` |
//! | `TaskPool` places                 | `tokio::sync::Semaphore` permits   |
//! | `reactor::TcpConn`                | `tokio::net::TcpStream`            |
//!
//! One difference matters at once. Your `Executor::spawn` takes any future,
//! since its tasks never leave the thread. tokio's `spawn` and
//! `JoinSet::spawn` ask for `Send + 'static` futures on every runtime, the
//! single-threaded one included (a runtime's handle may spawn from any
//! thread). A task holding an `Rc`, or a `RefCell` borrow across an
//! `.await`, goes to `tokio::task::spawn_local` inside a
//! `tokio::task::LocalSet` (or `JoinSet::spawn_local` there) instead.
//!
//! The Python of the chapter, once more:
//!
//! ```python
//! pool = gevent.pool.Pool(limit)
//! def guarded(key):
//!     with gevent.Timeout(each, TimeoutError):
//!         return lookup(key)
//! jobs = [pool.spawn(guarded, key) for key in keys]
//! gevent.joinall(jobs)
//! ```
//!
//! - [`lookup`]: the protocol of `reactor::lookup` with
//!   `tokio::net::TcpStream` (`AsyncWriteExt::write_all`, and
//!   `AsyncBufReadExt::read_line` on a `tokio::io::BufReader`).
//! - [`lookup_all`]: build a single-threaded runtime
//!   (`tokio::runtime::Builder::new_current_thread().enable_all()`), and in
//!   it spawn one task per key on a `JoinSet` (each task owns its key as a
//!   `String` and an `Arc` of the semaphore: `Send + 'static`). Each task
//!   takes a permit of a `Semaphore` of `limit` permits (`acquire_owned`),
//!   holds it to the end, and then wraps its look-up, and only the look-up,
//!   in `tokio::time::timeout(each, ...)`: the wait for a permit is not the
//!   look-up's time. `join_next` gives results as they finish: carry each
//!   key's index and put answers back in the order of `keys`.
//!
//! The tests use the server of the reactor exercise (which keeps each
//! connection open after its answer: read one line, not to end of file):
//! answers in request order, a high-water mark of exactly `limit` requests
//! in flight, a slow key timing out alone while the others answer, a key
//! queued behind slow ones that still gets its full time once it has a
//! place, and a key the server does not know, or an answer cut short,
//! giving `LookupError::Io(UnexpectedEof)`.
//!
//! Stuck? `cargo course hint with_tokio`.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

/// Why one look-up failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupError {
    /// No answer within the time allowed for one look-up.
    TimedOut,
    /// The connection failed; the kind of I/O error.
    Io(io::ErrorKind),
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LookupError::TimedOut => f.write_str("no answer in time"),
            LookupError::Io(kind) => write!(f, "I/O error: {kind}"),
        }
    }
}

impl std::error::Error for LookupError {}

/// One look-up with tokio's `TcpStream`: the same line protocol as
/// `reactor::lookup`.
pub async fn lookup(addr: SocketAddr, key: &str) -> io::Result<String> {
    todo!()
}

/// Looks up every key on a single-threaded tokio runtime: one task each
/// (`JoinSet`), at most `limit` at once (`Semaphore`), each given `each` to
/// answer (`timeout`). Answers come back in the order of `keys`.
pub fn lookup_all(
    addr: SocketAddr,
    keys: &[&str],
    limit: usize,
    each: Duration,
) -> Vec<Result<String, LookupError>> {
    todo!()
}
