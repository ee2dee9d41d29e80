//! # Exercise: a future and its waker
//!
//! In Python, `await fut` on an `asyncio.Future` suspends the coroutine
//! until someone calls `fut.set_result(value)`; the event loop then resumes
//! it. Nothing checks the future over and over: setting the result is what
//! puts the waiting coroutine back on the loop's list.
//!
//! ```python
//! fut = loop.create_future()
//! threading.Timer(0.05, lambda: loop.call_soon_threadsafe(fut.set_result, 99)).start()
//! value = await fut            # sleeps until set_result, then 99
//! ```
//!
//! A Rust future is polled: `poll` returns `Poll::Ready(value)` or
//! `Poll::Pending`. A future that returns `Pending` must arrange to be woken:
//! it keeps the [`Waker`](std::task::Waker) from the `Context` it was polled
//! with, and whoever makes it ready later calls `wake()`. The executor polls
//! it again only then. Build a one-shot channel that works this way:
//!
//! - [`channel`] makes a [`Sender`] and a [`Receiver`] sharing one slot.
//!   The sender may be on another thread, so the slot is shared with `Arc`
//!   and guarded by a `Mutex`.
//! - The [`Receiver`] is a future: `Ready(Ok(value))` once a value was sent;
//!   `Ready(Err(Canceled))` if the sender was dropped without sending;
//!   otherwise it stores the waker of *this* poll (a task may be polled with
//!   a different waker each time: keep the latest) and returns `Pending`.
//! - [`Sender::send`] puts the value in the slot and wakes the stored
//!   waker; it gives the value back if the receiver is gone. Dropping a
//!   sender that never sent wakes the receiver too (write `Drop`).
//!
//! Never call `wake` from your own `poll` to be polled again "just in case":
//! that is busy polling, a loop that burns a core. The tests count polls and
//! wakes: one wake per send, exactly two polls for a value that arrives from
//! another thread 50 ms later, the latest waker woken and the stale one not.
//! They also pick their moments with wakers of their own: a value sent
//! while `poll` is storing its waker must not be lost (look at the slot and
//! store the waker under one lock), and a receiver woken by `send` and
//! polled at once must find the value already there.
//!
//! Stuck? `cargo course hint oneshot_future`.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

/// The sender went away without sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Canceled;

impl fmt::Display for Canceled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the sender was dropped without sending")
    }
}

impl std::error::Error for Canceled {}

/// The sending half: sends one value, once.
pub struct Sender<T> {
    // Your fields: a handle on the slot both halves share.
    _slot: PhantomData<Arc<Mutex<T>>>,
}

/// The receiving half, a future of the one value.
pub struct Receiver<T> {
    // Your fields.
    _slot: PhantomData<Arc<Mutex<T>>>,
}

/// A new one-shot channel.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    todo!()
}

impl<T> Sender<T> {
    /// Sends `value` and wakes the receiver if it is waiting; gives the
    /// value back (`Err(value)`) if the receiver was dropped.
    pub fn send(self, value: T) -> Result<(), T> {
        todo!()
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        // Write this too: a sender dropped without sending wakes the
        // waiting receiver, which then sees `Err(Canceled)`. (Left empty
        // rather than `todo!()`: a panic inside `drop` can abort the tests.)
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, Canceled>;

    /// `Ready` with the value, or with `Canceled`; else keeps the waker and
    /// returns `Pending`.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        todo!()
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        // Write this too: mark the receiver gone, so `send` gives its
        // value back.
    }
}
