//! # Exercise: the same queue over a channel
//!
//! A channel is a queue split in two: a `Sender` that only puts and a
//! `Receiver` that only gets. `crossbeam::channel` has bounded and unbounded
//! channels with blocking, timed and non-blocking operations on both sides,
//! which is all of Python's `queue.Queue` surface:
//!
//! | Python | crossbeam |
//! |---|---|
//! | `put(x)` / `put(x, timeout=t)` / `put_nowait(x)` | `send` / `send_timeout` / `try_send` |
//! | `get()` / `get(timeout=t)` / `get_nowait()` | `recv` / `recv_timeout` / `try_recv` |
//! | `qsize()`, `empty()`, `full()` | `len()`, `is_empty()`, `is_full()` |
//!
//! Build [`ChannelQueue`], with exactly the methods of `BoundedQueue`, on
//! one crossbeam channel. Mind two differences: crossbeam's `bounded(0)` is
//! a rendezvous channel with no room at all, while Python's `maxsize=0`
//! means no limit; and a channel can disconnect, a queue cannot (keep both
//! ends inside the queue, so it never does).
//!
//! The tests are the same as `bounded_queue`'s, including how you wait: a
//! blocked `get` or `put` sleeps in the channel (not in a loop over
//! `try_recv`), and the `_nowait` calls never wait. The book's page for this
//! exercise says when to use which.
//!
//! Stuck? `cargo course hint channel_queue`.

use std::time::Duration;

/// The queue was full: the item comes back to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full<T>(pub T);

/// The queue was empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Empty;

/// Python's `queue.Queue` surface over one crossbeam channel.
pub struct ChannelQueue<T> {
    // Your fields: the channel's two ends, and the limit.
    items: std::marker::PhantomData<T>,
}

impl<T> ChannelQueue<T> {
    /// A queue that holds at most `maxsize` items; 0 means no limit.
    pub fn new(maxsize: usize) -> Self {
        todo!()
    }

    /// The limit given to [`ChannelQueue::new`].
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

    /// How many items wait now.
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
