//! # Exercise: an executor with futures
//!
//! `concurrent.futures.ProcessPoolExecutor` puts a *future* in front of a
//! pool of processes. `submit` returns at once; the future tells how the
//! task goes, and can still call it off while it waits in the queue:
//!
//! ```python
//! with ProcessPoolExecutor(max_workers=1) as ex:
//!     f = ex.submit(is_prime, 1_000_003)
//!     g = ex.submit(is_prime, 7)
//!     print(g.cancel())            # usually False: see below
//!     print(f.running(), f.done())
//!     print(f.result(timeout=5))   # the value, or raises the task's error
//!     print(f.exception())         # None if the task succeeded
//!     ex.shutdown(wait=True)       # also what leaving the `with` does
//! ```
//!
//! Build [`Executor`] and [`TaskFuture`] on your [`Pool`] from the previous
//! exercise (finish it first):
//!
//! - [`Executor::submit`] queues an input and returns its future;
//!   `Err(Shutdown)` after [`Executor::shutdown`].
//! - A future is *pending*, then *running*, then *done* — or *cancelled*,
//!   which only a pending task can be. [`TaskFuture::cancel`] succeeds only
//!   before the task starts, and a cancelled task never runs. Here a task
//!   *starts* when a worker takes it. CPython marks a task running earlier,
//!   as soon as it moves it into the queue its workers read, which holds
//!   `max_workers + 1` tasks: that is why `g.cancel()` above is usually
//!   `False`. In yours, with the only worker busy with `f`, `g` is pending
//!   and `cancel` succeeds, every time.
//! - [`TaskFuture::result`] waits (at most the timeout, if one is given) and
//!   gives the value, `Err(Failed(error))` for the task's own error
//!   (`Panicked`, `WorkerDied`), `Err(Cancelled)` or `Err(Timeout)`.
//!   [`TaskFuture::exception`] gives `Ok(None)` for a success and
//!   `Ok(Some(error))` for a failure.
//! - [`Executor::shutdown`]: no more submissions; tasks already submitted
//!   still run; with `wait`, returns once they are all done. Dropping the
//!   executor is `shutdown(true)`.
//!
//! The hard part is *when* a task starts. If every submission went straight
//! into the pool's queue, you could no longer tell "waiting" from "running".
//! One design: keep your own queue of submitted tasks, and exactly as many
//! *dispatcher threads* as the pool has workers. A dispatcher takes a task,
//! marks it running unless it was cancelled, and runs it on the pool
//! (`apply_async(..)` then `get()`). A task in your queue has not started;
//! a task a dispatcher took has. Each future shares its state (a `Mutex`
//! and a `Condvar`, for the waiting) with its dispatcher.
//!
//! The tests check values and errors (and the same answer when asked again),
//! `exception`, a `result` that times out while the task runs, `cancel`
//! (made deterministic: a single worker is held by one task while the test
//! cancels the next), and `shutdown`.
//!
//! Stuck? `cargo course hint pool_executor`.
//!
//! [`Pool`]: crate::pool::Pool

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::pool::PoolError;

/// Why a call on the executor or a future failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecutorError {
    /// `submit` after `shutdown`.
    Shutdown,
    /// The future was not done within the timeout.
    Timeout,
    /// The future was cancelled before it ran.
    Cancelled,
    /// The task failed (it panicked, its worker died) or the pool did.
    Failed(PoolError),
}

impl fmt::Display for ExecutorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExecutorError::Shutdown => write!(f, "the executor is shut down"),
            ExecutorError::Timeout => write!(f, "timed out"),
            ExecutorError::Cancelled => write!(f, "the task was cancelled"),
            ExecutorError::Failed(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ExecutorError {}

/// The result of one `submit`, Python's `concurrent.futures.Future`.
///
/// Its fields are yours to choose.
pub struct TaskFuture<R> {
    _todo: PhantomData<R>,
}

impl<R> TaskFuture<R> {
    /// True while a worker runs the task.
    pub fn running(&self) -> bool {
        todo!()
    }

    /// True once the task has finished (well or not) or was cancelled.
    pub fn done(&self) -> bool {
        todo!()
    }

    pub fn cancelled(&self) -> bool {
        todo!()
    }

    /// Cancels the task if it has not started; true if it is (now)
    /// cancelled. A running or finished task cannot be cancelled.
    pub fn cancel(&self) -> bool {
        todo!()
    }

    /// Python's `exception(timeout)`: `Ok(None)` if the task succeeded,
    /// `Ok(Some(error))` if it failed; `Err(Timeout)` if it is not done in
    /// time, `Err(Cancelled)` if it was cancelled. `None`: no time limit.
    pub fn exception(&self, timeout: Option<Duration>) -> Result<Option<PoolError>, ExecutorError> {
        todo!()
    }
}

impl<R: Clone> TaskFuture<R> {
    /// Waits at most `timeout` (`None`: no limit) and returns the task's
    /// value or its error. Can be called again: it gives the same answer.
    pub fn result(&self, timeout: Option<Duration>) -> Result<R, ExecutorError> {
        todo!()
    }
}

/// Python's `ProcessPoolExecutor`: a pool of worker processes behind futures.
/// Its methods take `&self`, so it can be shared in an `Arc`.
///
/// Its fields are yours to choose.
pub struct Executor<T, R> {
    _todo: PhantomData<fn(T) -> R>,
}

impl<T, R> Executor<T, R>
where
    T: Serialize + DeserializeOwned + Send + 'static,
    R: Serialize + DeserializeOwned + Send + 'static,
{
    /// Starts `workers` worker processes running `job`.
    pub fn new(workers: usize, job: fn(T) -> R) -> Result<Self, ExecutorError> {
        todo!()
    }

    /// Queues `item`; its future tells how it goes.
    pub fn submit(&self, item: T) -> Result<TaskFuture<R>, ExecutorError> {
        todo!()
    }
}

impl<T, R> Executor<T, R> {
    /// No more submissions. Tasks already submitted still run (unless
    /// cancelled); with `wait`, returns once they are all done and the
    /// workers have exited.
    pub fn shutdown(&self, wait: bool) {
        todo!()
    }
}

impl<T, R> Drop for Executor<T, R> {
    /// Like leaving Python's `with ProcessPoolExecutor() as ex:` block:
    /// `shutdown(true)`.
    fn drop(&mut self) {
        // Write this body too. It is empty rather than `todo!()` on purpose:
        // a panic in `drop` while a test is already failing would abort the
        // whole test program.
    }
}
