//! # Exercise: a thread-pool executor
//!
//! `concurrent.futures.ThreadPoolExecutor` runs functions on a few worker
//! threads and hands back a *future* for each: a placeholder for a result
//! that is not there yet. `as_completed` yields futures as they finish,
//! `wait` returns when the first (or every) one is done:
//!
//! ```python
//! from concurrent.futures import (ThreadPoolExecutor, as_completed, wait,
//!                                 FIRST_COMPLETED)
//!
//! with ThreadPoolExecutor(max_workers=3, thread_name_prefix="fetch") as pool:
//!     futures = [pool.submit(fetch, url) for url in urls]
//!     for future in as_completed(futures, timeout=10):
//!         print(future.result())               # in the order they finish
//!     done, not_done = wait(futures, return_when=FIRST_COMPLETED)
//! # leaving the block is pool.shutdown(wait=True)
//! ```
//!
//! Build the same on `std::thread`, `Mutex` and `Condvar` (and channels
//! if you like):
//!
//! - [`ThreadPoolExecutor::new`] starts `max_workers` threads named
//!   `{prefix}_{i}` (`fetch_0`, `fetch_1`...) that take tasks from one queue.
//!   [`submit`](ThreadPoolExecutor::submit) puts a task in the queue and
//!   returns its [`Future`] at once; it never runs the task itself.
//! - A task that panics completes its future with
//!   [`FutureError::Panicked`] and its message; the worker goes on with the
//!   next task.
//! - [`Future::done`], and [`Future::result`] with an optional timeout
//!   ([`FutureError::TimedOut`] if the task has not finished by then). A
//!   future is a cheap handle: clones share one result.
//! - [`as_completed`] yields the *index* of each future as it finishes:
//!   first those already done, then the others as they complete, each one
//!   once. Its timeout is for the whole iteration, counted from the call:
//!   once it has passed, the next item is `Err(TimedOut)` and the iteration
//!   ends. Do not poll: have each future keep a list of waiters to tell when
//!   it completes (a channel's `Sender` will do), registered under the same
//!   lock that says whether it is already done, or a completion can slip
//!   between the check and the registration.
//! - [`wait`] returns the indices of the futures done and not done (each
//!   list in increasing order) once `return_when` holds or the timeout
//!   passes: [`ReturnWhen::FirstCompleted`] (some future is done),
//!   [`ReturnWhen::FirstException`] (some future panicked, or all are
//!   done), [`ReturnWhen::AllCompleted`].
//! - [`shutdown`](ThreadPoolExecutor::shutdown): no more submissions
//!   ([`Shutdown`] from then on); the tasks already submitted still run.
//!   With `wait`, it returns once they have and every worker thread has
//!   ended; without, it returns at once. Dropping the executor is
//!   `shutdown(true)`, like leaving Python's `with` block.
//!
//! The tests check that `submit` returns while its task is blocked, that
//! at most `max_workers` tasks run at once on at most `max_workers` named
//! threads (and that they do run that many at once), results, panics and
//! timeouts, `as_completed` in completion order with one deadline for the
//! whole iteration, the three kinds of `wait`, and both kinds of
//! `shutdown` (the workers' threads are gone after `shutdown(true)`).
//!
//! Stuck? `cargo course hint thread_pool`.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

/// Why a future has no value to give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FutureError {
    /// The task panicked; the panic's message (`"(no message)"` when it
    /// had none).
    Panicked(String),
    /// The time allowed ran out first.
    TimedOut,
}

impl fmt::Display for FutureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FutureError::Panicked(message) => write!(f, "the task panicked: {message}"),
            FutureError::TimedOut => f.write_str("timed out"),
        }
    }
}

impl std::error::Error for FutureError {}

/// `submit` after `shutdown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shutdown;

impl fmt::Display for Shutdown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cannot schedule new tasks after shutdown")
    }
}

impl std::error::Error for Shutdown {}

/// When [`wait`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnWhen {
    FirstCompleted,
    FirstException,
    AllCompleted,
}

/// What [`wait`] found: indices into the futures it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    pub done: Vec<usize>,
    pub not_done: Vec<usize>,
}

/// The result of a task, now or later. Clones share it.
pub struct Future<T> {
    // Your fields: something shared with the worker that runs the task.
    _todo: PhantomData<T>,
}

impl<T> Clone for Future<T> {
    fn clone(&self) -> Future<T> {
        todo!()
    }
}

impl<T> Future<T> {
    /// Has the task finished (returned or panicked)?
    pub fn done(&self) -> bool {
        todo!()
    }

    /// Waits (for at most `timeout`, or for ever with `None`) and gives the
    /// task's value or its panic.
    pub fn result(&self, timeout: Option<Duration>) -> Result<T, FutureError>
    where
        T: Clone,
    {
        todo!()
    }
}

/// A fixed set of worker threads and the queue that feeds them.
pub struct ThreadPoolExecutor {
    // Your fields.
}

impl ThreadPoolExecutor {
    /// Starts `max_workers` (at least 1) worker threads named
    /// `{thread_name_prefix}_{i}`.
    pub fn new(max_workers: usize, thread_name_prefix: &str) -> ThreadPoolExecutor {
        todo!()
    }

    /// Queues `task` and returns its future at once.
    pub fn submit<T, F>(&self, task: F) -> Result<Future<T>, Shutdown>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        todo!()
    }

    /// No more submissions; with `wait`, returns once every submitted task
    /// has run and every worker thread has ended.
    pub fn shutdown(&self, wait: bool) {
        todo!()
    }
}

impl Drop for ThreadPoolExecutor {
    fn drop(&mut self) {
        self.shutdown(true);
    }
}

/// Yields the index of each future as it completes (those already done
/// first); one deadline, from this call, for the whole iteration.
pub fn as_completed<T>(futures: &[Future<T>], timeout: Option<Duration>) -> AsCompleted {
    todo!()
}

/// The iterator [`as_completed`] returns.
pub struct AsCompleted {
    // Your fields: the deadline, what is left to yield, where completions
    // are announced.
}

impl Iterator for AsCompleted {
    type Item = Result<usize, FutureError>;

    fn next(&mut self) -> Option<Self::Item> {
        todo!()
    }
}

/// Waits until `return_when` holds for `futures`, or `timeout` passes.
pub fn wait<T>(futures: &[Future<T>], timeout: Option<Duration>, return_when: ReturnWhen) -> Done {
    todo!()
}
