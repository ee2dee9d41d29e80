//! # Exercise: a bounded blocking queue
//!
//! Python's `queue.Queue(maxsize)` is a FIFO shared by threads:
//!
//! ```python
//! q = queue.Queue(maxsize=2)
//! q.put("a"); q.put("b")
//! q.put("c", timeout=0.05)    # raises queue.Full after 50 ms
//! q.get()                     # "a"
//! q.get_nowait(); q.get(timeout=0.05)   # "b", then queue.Empty
//! q.qsize(), q.empty(), q.full()        # 0, True, False
//! ```
//!
//! Inside it is a deque, a lock and two condition variables: getters wait on
//! "not empty", putters on "not full". Build the same with a
//! `Mutex<VecDeque<T>>` and two `Condvar`s:
//!
//! - [`BoundedQueue::put`] / [`BoundedQueue::get`] wait as long as it takes;
//!   `put_timeout` / `get_timeout` wait at most the timeout and then fail
//!   with [`Full`] (which hands the item back) or [`Empty`];
//!   `put_nowait` / `get_nowait` never wait.
//! - A wait on a condition variable can wake for nothing (a spurious
//!   wake-up, or another thread took the item first): always re-check the
//!   condition in a loop, and count the timeout against one deadline so the
//!   loop never gives up early.
//! - `maxsize` 0 means no limit, as in Python.
//!
//! The tests check FIFO order, both errors, that timeouts are not cut short
//! (a `get` with a 50 ms timeout on an empty queue returns `Empty`, and not
//! before 50 ms), that a timed `get` or `put` returns as soon as an item or
//! room comes (not at the end of its timeout), that `put` blocks on a full
//! queue until a `get`, that many threads lose and double nothing, and
//! (property-tested) that any sequence of `put_nowait`/`get_nowait` behaves
//! like a bounded `VecDeque`. They also look at how you wait:
//!
//! - a blocked `get` or `put` sleeps: the tests read its thread's CPU time
//!   and how often it is woken while nothing happens (spinning or polling
//!   every few milliseconds fails);
//! - a timed wait woken again and again for nothing (an item put and taken
//!   back before it can look) neither gives up early nor starts its timeout
//!   over: a 300 ms `get_timeout` returns `Empty` after 300 ms, well within
//!   2 s;
//! - every wake-up reaches a thread that can use it: four puts in a row wake
//!   four sleeping getters, and a `get` wakes the `put` waiting for room, not
//!   another getter;
//! - `put_nowait` and `get_nowait` never wait and never overfill the queue,
//!   even when another thread acts between any two of their steps: check
//!   and act under one lock.
//!
//! Take `Mutex`, `MutexGuard` and `Condvar` from [`crate::sync`] (imported
//! below), not from `std::sync`: they are std's, except in the tests that
//! run loom, a model checker. Loom runs two or three threads over your
//! queue under every order their lock and wait steps can take, so a check
//! made under one lock and acted on under another, or a wake-up that
//! reaches the wrong waiter, fails every time instead of once in a while.
//! A queue built on std's own types hangs under loom.
//!
//! Stuck? `cargo course hint bounded_queue`.

use std::time::Duration;

#[allow(unused_imports)]
use crate::sync::{Condvar, Mutex, MutexGuard};

/// The queue was full: the item comes back to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full<T>(pub T);

/// The queue was empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Empty;

/// A FIFO queue shared by threads, with Python's `queue.Queue` surface.
/// Every method takes `&self`: share it with `Arc`.
pub struct BoundedQueue<T> {
    // Your fields: the items behind a Mutex, the limit, two Condvars.
    items: std::marker::PhantomData<T>,
}

impl<T> BoundedQueue<T> {
    /// A queue that holds at most `maxsize` items; 0 means no limit.
    pub fn new(maxsize: usize) -> Self {
        todo!()
    }

    /// The limit given to [`BoundedQueue::new`].
    pub fn maxsize(&self) -> usize {
        todo!()
    }

    /// Adds `item` at the back, waiting for room as long as it takes.
    pub fn put(&self, item: T) {
        todo!()
    }

    /// Adds `item`, waiting at most `timeout` for room; `Full(item)` then.
    pub fn put_timeout(&self, item: T, timeout: Duration) -> Result<(), Full<T>> {
        todo!()
    }

    /// Adds `item` if there is room now; `Full(item)` otherwise.
    pub fn put_nowait(&self, item: T) -> Result<(), Full<T>> {
        todo!()
    }

    /// Takes the oldest item, waiting for one as long as it takes.
    pub fn get(&self) -> T {
        todo!()
    }

    /// Takes the oldest item, waiting at most `timeout` for one.
    pub fn get_timeout(&self, timeout: Duration) -> Result<T, Empty> {
        todo!()
    }

    /// Takes the oldest item if there is one now.
    pub fn get_nowait(&self) -> Result<T, Empty> {
        todo!()
    }

    /// How many items wait now (by the time the caller looks, it may differ).
    pub fn qsize(&self) -> usize {
        todo!()
    }

    /// True if no item waits now.
    pub fn empty(&self) -> bool {
        todo!()
    }

    /// True if a `put_nowait` now would fail.
    pub fn full(&self) -> bool {
        todo!()
    }
}
