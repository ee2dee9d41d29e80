//! # Exercise: a joinable queue
//!
//! Python's `JoinableQueue` (and `queue.Queue` for threads) counts
//! *unfinished tasks*: `put` adds one, `task_done` removes one, and `join`
//! waits until the count is zero, that is, until every item put has been
//! taken *and* processed:
//!
//! ```python
//! def worker():
//!     while True:
//!         job = q.get()
//!         handle(job)
//!         q.task_done()       # after the work, not after the get
//! for job in jobs: q.put(job)
//! q.join()                    # every job handled
//! ```
//!
//! An empty queue is not a finished one: the last item may have been taken
//! and still be in the works. Build [`JoinableQueue`] (unbounded) with a
//! `Mutex` over the items and the count, and two `Condvar`s: one for "an
//! item is here", one for "all done" (several threads may `join`: wake them
//! all). Calling `task_done` more times than items were put is an error,
//! [`TooManyTaskDone`] (Python raises `ValueError`).
//!
//! The tests check that `join` waits for `task_done` and not for `get`,
//! returns at once on a fresh queue, wakes every joiner (three of them
//! asleep in `join`), and that `join_timeout` and `get_timeout` do not give
//! up early, yet return as soon as the last task is done or an item comes.
//! A blocked `get` or `join` must sleep, not poll (the tests read its
//! thread's CPU time and wake-ups), and a timed wait woken again and again
//! for nothing (the count drops to 0 and rises before it can look) neither
//! gives up early nor starts its timeout over.
//!
//! Stuck? `cargo course hint joinable_queue`.

use std::time::Duration;

/// The queue was empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Empty;

/// `task_done` was called more times than items were put.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyTaskDone;

/// An unbounded FIFO queue that also counts unfinished tasks.
pub struct JoinableQueue<T> {
    // Your fields: items and the unfinished count behind one Mutex, two Condvars.
    items: std::marker::PhantomData<T>,
}

impl<T> Default for JoinableQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> JoinableQueue<T> {
    pub fn new() -> Self {
        todo!()
    }

    /// Adds `item`; one more unfinished task.
    pub fn put(&self, item: T) {
        todo!()
    }

    /// Takes the oldest item, waiting as long as it takes. The task stays
    /// unfinished until `task_done`.
    pub fn get(&self) -> T {
        todo!()
    }

    /// Takes the oldest item, waiting at most `timeout`.
    pub fn get_timeout(&self, timeout: Duration) -> Result<T, Empty> {
        todo!()
    }

    /// Marks one task taken with `get` as finished; wakes the joiners when
    /// it was the last.
    pub fn task_done(&self) -> Result<(), TooManyTaskDone> {
        todo!()
    }

    /// Waits until every item put so far is marked done.
    pub fn join(&self) {
        todo!()
    }

    /// As [`JoinableQueue::join`], for at most `timeout`; true if all were
    /// done, false if the time ran out (and not before it did).
    pub fn join_timeout(&self, timeout: Duration) -> bool {
        todo!()
    }

    /// Items put and not yet marked done.
    pub fn unfinished(&self) -> usize {
        todo!()
    }
}
