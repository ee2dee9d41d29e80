//! # Exercise: a process pool
//!
//! Counting primes is CPU-bound. Python's threads take turns on one core (the
//! interpreter lock), so the tutorial's answer is processes. One process per
//! number is far too many forks; a `Pool` forks a few workers once and feeds
//! them numbers:
//!
//! ```python
//! with Pool(4) as pool:
//!     flags = pool.map(is_prime, range(100_000))       # results in input order
//!     later = pool.apply_async(is_prime, (1_000_003,))
//!     later.wait(0.5); print(later.ready())
//!     print(later.get())
//!     pool.close()        # no more submissions
//!     pool.join()         # wait for the workers to finish and exit
//! ```
//!
//! Build [`Pool`]: `N` worker processes forked up front, all running one job
//! function `fn(T) -> R`. Inputs and results cross between processes as
//! bytes: `T` and `R` are serde types, and the private module `crate::wire`
//! (finished, read it) sends and receives one value per length-prefixed JSON
//! frame, `wire::send(&mut file, &value)` and `wire::recv(&mut file)`.
//!
//! - [`Pool::new`] forks the workers; each reads inputs from a pipe, runs the
//!   job and writes the result (or the panic's message) to another pipe.
//!   [`Pool::worker_pids`] lists them.
//! - [`Pool::apply_async`] queues one input and returns an [`AsyncResult`]:
//!   [`ready`](AsyncResult::ready), [`wait`](AsyncResult::wait) with a
//!   timeout, [`get`](AsyncResult::get). [`Pool::map`] returns the results
//!   in input order, or the first failed input's error.
//! - At most `N` tasks run at once, each worker one at a time.
//! - [`Pool::close`]: later submissions are `Err(PoolError::Closed)`.
//!   [`Pool::join`] (only after `close`, else `Err(NotClosed)`) waits until
//!   the queued tasks are done and every worker has exited and been reaped.
//!   [`Pool::terminate`], and dropping the pool, kill the workers at once;
//!   unfinished tasks get `Err(Terminated)`.
//! - A task that panics is *that task's* error, `Panicked(message)`; a
//!   worker that dies under a task (it called `_exit(3)`, it was killed) is
//!   that task's error, `WorkerDied("exited with code 3")` or
//!   `WorkerDied("killed by SIGKILL")`; the dead worker is reaped and
//!   replaced, and the pool keeps serving.
//! - [`is_prime`], the tutorial's workload, by trial division.
//!
//! One design that works: in the parent, one *manager thread* per worker.
//! The managers share a queue of orders (a crossbeam channel); each order
//! carries its input and a channel for its reply. A manager takes an order,
//! writes the input to its worker, waits for the reply and sends it back.
//! Careful: a pipe's end of file is a poor death notice, because a process
//! forked meanwhile (by other code of this program) may hold a copy of the
//! write end. `waitpid` with `WNOHANG`, checked while you wait, always tells.
//!
//! The tests check `map` against a serial map (property-tested), the order
//! of results, distinct worker PIDs, that `map` keeps every worker busy at
//! once and that no more than `N` tasks run at once (tasks held in their
//! workers until the test lets them go), `ready`/`wait`, `close` and
//! `join`, panicking and dying tasks (also a worker that dies while a
//! process it forked still holds its pipes), and that dropping the pool
//! leaves no worker behind.
//!
//! Stuck? `cargo course hint pool`.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use nix::unistd::Pid;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a pool call or a task failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoolError {
    /// A task was submitted after `close`.
    Closed,
    /// `join` was called before `close`.
    NotClosed,
    /// The task panicked in the worker; the panic's message.
    Panicked(String),
    /// The worker process died while running the task; how it ended
    /// (`exited with code 3`, `killed by SIGKILL`).
    WorkerDied(String),
    /// The pool was terminated (or dropped) before the task finished.
    Terminated,
    /// The pool could not be set up (no workers asked for, fork or pipe
    /// failed).
    Os(String),
}

impl fmt::Display for PoolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PoolError::Closed => write!(f, "the pool is closed"),
            PoolError::NotClosed => write!(f, "join before close: the pool is still running"),
            PoolError::Panicked(message) => write!(f, "the task panicked: {message}"),
            PoolError::WorkerDied(how) => write!(f, "the worker died: {how}"),
            PoolError::Terminated => write!(f, "the pool was terminated"),
            PoolError::Os(what) => write!(f, "{what}"),
        }
    }
}

impl std::error::Error for PoolError {}

/// Python's `is_prime`, the tutorial's CPU-bound workload: trial division.
/// 0 and 1 are not prime.
pub fn is_prime(n: u64) -> bool {
    todo!()
}

/// A pool of worker processes running one job function, like Python's
/// `multiprocessing.Pool`. It is `Sync`: its methods take `&self`, so it can
/// be shared (in an `Arc`) by several threads.
///
/// Its fields are yours to choose.
pub struct Pool<T, R> {
    _todo: PhantomData<fn(T) -> R>,
}

impl<T, R> Pool<T, R>
where
    T: Serialize + DeserializeOwned + Send + 'static,
    R: Serialize + DeserializeOwned + Send + 'static,
{
    /// Forks `workers` worker processes, each running `job` on the inputs it
    /// is sent. Returns once every worker has started. Zero workers is an
    /// `Os` error.
    pub fn new(workers: usize, job: fn(T) -> R) -> Result<Self, PoolError> {
        todo!()
    }

    /// Runs `job` on every item and returns the results in input order, or
    /// the first failed item's error (in input order).
    pub fn map<I: IntoIterator<Item = T>>(&self, items: I) -> Result<Vec<R>, PoolError> {
        todo!()
    }

    /// Queues one item; the handle gets its result later. `Err(Closed)`
    /// after `close`.
    pub fn apply_async(&self, item: T) -> Result<AsyncResult<R>, PoolError> {
        todo!()
    }
}

impl<T, R> Pool<T, R> {
    /// No more submissions; queued tasks still run.
    pub fn close(&self) {
        todo!()
    }

    /// After `close`: waits until every queued task is done and every worker
    /// has exited. `Err(NotClosed)` before `close`.
    pub fn join(&self) -> Result<(), PoolError> {
        todo!()
    }

    /// Stops now: kills every worker; unfinished tasks get
    /// `PoolError::Terminated`. Also what dropping the pool does.
    pub fn terminate(&self) {
        todo!()
    }

    /// The PIDs of the worker processes alive now, sorted.
    pub fn worker_pids(&self) -> Vec<Pid> {
        todo!()
    }
}

impl<T, R> Drop for Pool<T, R> {
    /// Like leaving Python's `with Pool(...)` block: terminate.
    fn drop(&mut self) {
        // Write this body too. It is empty rather than `todo!()` on purpose:
        // a panic in `drop` while a test is already failing would abort the
        // whole test program.
    }
}

/// The result of one `apply_async`, Python's `AsyncResult`.
///
/// Its fields are yours to choose.
pub struct AsyncResult<R> {
    _todo: PhantomData<R>,
}

impl<R> AsyncResult<R> {
    /// True once the task has finished (well or not). Does not block.
    pub fn ready(&self) -> bool {
        todo!()
    }

    /// Waits at most `timeout` for the task to finish; says whether it has.
    pub fn wait(&self, timeout: Duration) -> bool {
        todo!()
    }

    /// Waits for the task and returns its result or its error.
    pub fn get(self) -> Result<R, PoolError> {
        todo!()
    }
}
