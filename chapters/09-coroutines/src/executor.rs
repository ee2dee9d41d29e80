//! # Exercise: a single-threaded executor
//!
//! gevent starts greenlets with `spawn` and waits for them with `joinall`;
//! one thread runs them all, switching whenever one waits:
//!
//! ```python
//! jobs = [gevent.spawn(fetch, url) for url in urls]
//! gevent.joinall(jobs)
//! pages = [job.value for job in jobs]      # in the order of urls
//! ```
//!
//! A greenlet that raises does not stop the others: its exception is kept
//! on the greenlet (`job.exception`) for whoever looks. Build the same for
//! Rust futures: an [`Executor`] that owns the spawned tasks, polls each when
//! it is woken, and sleeps (`std::thread::park`) when none is.
//!
//! - [`Executor::spawn`] wraps a future into a task and queues it to be
//!   polled once; it returns a [`JoinHandle`], itself a future of the task's
//!   output. Tasks need not be `Send`: they never leave this thread.
//! - A task's waker puts the task back on the run queue and unparks the
//!   executor's thread. Wakers must be `Send + Sync` (a timer thread or
//!   another thread may call them), so the run queue is behind a `Mutex`
//!   even though the tasks are not: keep task *ids* in the queue, the tasks
//!   themselves in the executor (`std::task::Wake` turns an `Arc` of your
//!   own type into a `Waker`).
//! - [`Executor::block_on`] polls the future it is given whenever that
//!   future is woken, runs woken tasks in the order they were woken, and
//!   parks when there is nothing to do. It returns the future's output.
//! - A panic inside a task ends that task only: catch it around the poll
//!   (`std::panic::catch_unwind`) and report it on the task's handle as a
//!   [`JoinError`] carrying the panic message.
//! - [`join_all`] waits for every handle and returns the results in the
//!   order of the handles; [`yield_now`] lets the other tasks run once.
//!
//! - Poll only what was woken, and once per wake-up: a task woken twice
//!   before it runs is polled once. `spawn` only queues the task; it runs
//!   once some `block_on` runs. A task that keeps yielding must not starve
//!   the future of `block_on`: run the tasks that were queued when a round
//!   began, then look at that future again.
//!
//! The tests check results in spawn order, tasks taking turns in wake
//! order on the thread that called `block_on`, a panic reported on its
//! handle while the other tasks finish, a task spawning another, a detached
//! task running to its end; and, counting polls and CPU time, that a
//! waiting task is polled only when woken while another keeps yielding,
//! that a task woken twice is polled once, that `spawn` runs nothing, that
//! a task yielding for ever does not starve `block_on`, and that `block_on`
//! waiting 400 ms for a wake from another thread polls exactly twice and
//! sleeps meanwhile (no busy polling, no spinning).
//!
//! Stuck? `cargo course hint executor`.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// A task panicked; [`JoinError::message`] is what it panicked with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinError {
    message: String,
}

impl JoinError {
    /// The panic message (`"boom"` for `panic!("boom")`; a panic payload is
    /// a `&str` or a `String`).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the task panicked: {}", self.message)
    }
}

impl std::error::Error for JoinError {}

/// A single-threaded executor. Cloning gives another handle to the same
/// executor (tasks keep one to spawn more tasks): share the inside with `Rc`.
#[derive(Clone)]
pub struct Executor {
    // Your fields.
}

impl Executor {
    /// A new executor, run by the thread that creates it.
    pub fn new() -> Self {
        todo!()
    }

    /// Starts `future` as a task; it runs while some `block_on` runs.
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        todo!()
    }

    /// Runs `future` to completion on this thread, running every spawned
    /// task while it waits, and returns its output.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        todo!()
    }
}

impl Default for Executor {
    fn default() -> Self {
        Self::new()
    }
}

/// Waits for a spawned task: a future of its output, or of the panic that
/// ended it. Dropping the handle lets the task run on, detached.
pub struct JoinHandle<T> {
    // Your fields.
    _output: PhantomData<Rc<RefCell<T>>>,
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        todo!()
    }
}

/// Waits for every handle and returns their results in the order of
/// `handles` (gevent's `joinall`).
pub async fn join_all<T>(handles: Vec<JoinHandle<T>>) -> Vec<Result<T, JoinError>> {
    todo!()
}

/// Gives the other tasks a turn: its future is pending once, having woken
/// itself, and ready the next time it is polled.
pub fn yield_now() -> YieldNow {
    todo!()
}

/// The future of [`yield_now`].
#[derive(Debug)]
pub struct YieldNow {
    // Your fields.
}

impl Future for YieldNow {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        todo!()
    }
}
