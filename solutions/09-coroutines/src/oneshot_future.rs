//! A one-shot channel as a hand-written future: the reference solution. The
//! statement is in `chapters/09-coroutines/src/oneshot_future.rs`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

/// The sender went away without sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Canceled;

impl fmt::Display for Canceled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the sender was dropped without sending")
    }
}

impl std::error::Error for Canceled {}

/// What both halves share. A `Mutex` and not a `RefCell`: the sender may
/// live on another thread, and so may whoever calls the waker.
struct Slot<T> {
    value: Option<T>,
    /// The waker of the last poll that found nothing; the only one that
    /// counts, since a task may move between polls.
    waker: Option<Waker>,
    sender_gone: bool,
    receiver_gone: bool,
}

/// The sending half: sends one value, once.
pub struct Sender<T> {
    slot: Arc<Mutex<Slot<T>>>,
}

/// The receiving half, a future of the one value.
pub struct Receiver<T> {
    slot: Arc<Mutex<Slot<T>>>,
}

/// A new one-shot channel.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let slot = Arc::new(Mutex::new(Slot {
        value: None,
        waker: None,
        sender_gone: false,
        receiver_gone: false,
    }));
    (
        Sender {
            slot: Arc::clone(&slot),
        },
        Receiver { slot },
    )
}

impl<T> Sender<T> {
    /// Sends `value` and wakes the receiver; gives the value back if the
    /// receiver is gone.
    pub fn send(self, value: T) -> Result<(), T> {
        let waker = {
            let mut slot = self.slot.lock().unwrap();
            if slot.receiver_gone {
                return Err(value);
            }
            slot.value = Some(value);
            slot.waker.take()
        };
        // Wake with the lock released: the waker may poll at once, on this
        // thread, and take the lock itself.
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
        // `self` is dropped here; `Drop` sees the value and wakes no one.
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let waker = {
            let mut slot = self.slot.lock().unwrap();
            slot.sender_gone = true;
            if slot.value.is_some() {
                None
            } else {
                slot.waker.take()
            }
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, Canceled>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut slot = self.slot.lock().unwrap();
        if let Some(value) = slot.value.take() {
            return Poll::Ready(Ok(value));
        }
        if slot.sender_gone {
            return Poll::Ready(Err(Canceled));
        }
        // Not ready: leave the waker behind and return. No `wake_by_ref`
        // here: that would ask to be polled again at once, a busy loop.
        slot.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.slot.lock().unwrap().receiver_gone = true;
    }
}
