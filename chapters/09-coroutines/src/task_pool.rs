//! # Exercise: a bounded task pool and a timeout
//!
//! Spawning one greenlet per job is cheap, but the server on the other end
//! may not like a thousand connections at once. gevent's `Pool(size)` runs
//! at most `size` greenlets at a time, and `gevent.Timeout` gives up on a
//! job that takes too long:
//!
//! ```python
//! pool = gevent.pool.Pool(3)
//! jobs = [pool.spawn(lookup, key) for key in keys]   # three at a time
//! gevent.joinall(jobs)
//!
//! with gevent.Timeout(0.5, False):
//!     answer = lookup("slow")                        # abandoned after 0.5 s
//! ```
//!
//! - A [`TaskPool`] of `limit` places spawns each future on your executor as
//!   a task that first waits for a free place, runs, and gives its place
//!   back when it ends, however it ends (a guard whose `Drop` gives the
//!   place back survives a panic too). A task waiting for a place leaves
//!   its waker in a queue; the task that gives a place back wakes the first
//!   one, first come first served. A woken task checks again that a place
//!   is free: a task spawned meanwhile may have taken it. All of this runs
//!   on one thread: `Rc<RefCell<...>>` is enough.
//! - [`timeout`] polls the future and a [`sleep`](crate::timers::sleep)
//!   together: the future's output if it is ready first, `Err(Elapsed)` if
//!   the sleep is, and in that case the future is dropped unfinished
//!   (`std::future::poll_fn` turns a closure into a future). The future is
//!   polled first, so that a result ready at the deadline still counts, and
//!   the deadline is set once, when `timeout` starts.
//!
//! The tests count how many pooled tasks run at once: the high-water mark
//! is exactly the limit (never more, and the pool does use every place),
//! also when tasks spawn new tasks just before they end; tasks start in
//! spawn order, results come back in spawn order, and a task that panics
//! gives its place back. They check that `timeout` gives up on a future
//! that never ends (and not before the time), and on one that keeps waking
//! up; passes on a quick result without waiting out the limit, and a ready
//! one even with no time at all; and drops the future it gave up on.
//!
//! Stuck? `cargo course hint task_pool`.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use crate::executor::{Executor, JoinHandle};

/// Runs tasks on an executor, at most `limit` of them at once (gevent's
/// `Pool(size)`). Cloning gives another handle to the same pool.
#[derive(Clone)]
pub struct TaskPool {
    // Your fields.
}

impl TaskPool {
    /// A pool of `limit` places on `executor`. Panics if `limit` is 0.
    pub fn new(executor: &Executor, limit: usize) -> Self {
        todo!()
    }

    /// Spawns `future` as a task that first waits for a place; it starts
    /// running only when fewer than `limit` pooled tasks run.
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        todo!()
    }
}

/// The time ran out before the future finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed;

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the deadline passed first")
    }
}

impl std::error::Error for Elapsed {}

/// Runs `future` for at most `limit`: its output, or `Err(Elapsed)` and the
/// future dropped unfinished (gevent's `Timeout`).
pub async fn timeout<F: Future>(limit: Duration, future: F) -> Result<F::Output, Elapsed> {
    todo!()
}
