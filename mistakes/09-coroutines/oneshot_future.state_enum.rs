//! A right answer to `oneshot_future`, written as a state machine: the slot
//! is in exactly one state at a time.

use std::fmt;
use std::future::Future;
use std::mem;
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

enum State<T> {
    /// Nothing sent yet; the receiver may be waiting.
    Empty(Option<Waker>),
    /// A value waits for the receiver.
    Full(T),
    /// The value was taken, or the sender left without one.
    SenderGone,
    /// The receiver left: a value sent now comes back.
    ReceiverGone,
}

/// The sending half: sends one value, once.
pub struct Sender<T> {
    state: Arc<Mutex<State<T>>>,
}

/// The receiving half, a future of the one value.
pub struct Receiver<T> {
    state: Arc<Mutex<State<T>>>,
}

/// A new one-shot channel.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let state = Arc::new(Mutex::new(State::Empty(None)));
    (
        Sender {
            state: Arc::clone(&state),
        },
        Receiver { state },
    )
}

impl<T> Sender<T> {
    /// Sends `value` and wakes the receiver if it is waiting; gives the
    /// value back (`Err(value)`) if the receiver was dropped.
    pub fn send(self, value: T) -> Result<(), T> {
        let mut state = self.state.lock().unwrap();
        match mem::replace(&mut *state, State::SenderGone) {
            State::ReceiverGone => {
                *state = State::ReceiverGone;
                Err(value)
            }
            State::Empty(waker) => {
                *state = State::Full(value);
                drop(state);
                if let Some(waker) = waker {
                    waker.wake();
                }
                Ok(())
            }
            other => {
                *state = other;
                Ok(())
            }
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut state = self.state.lock().unwrap();
        // Only a sender that never sent changes anything: a value sent
        // stays for the receiver.
        if !matches!(*state, State::Empty(_)) {
            return;
        }
        if let State::Empty(Some(waker)) = mem::replace(&mut *state, State::SenderGone) {
            drop(state);
            waker.wake();
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, Canceled>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.state.lock().unwrap();
        match mem::replace(&mut *state, State::SenderGone) {
            State::Full(value) => Poll::Ready(Ok(value)),
            State::Empty(_) => {
                *state = State::Empty(Some(cx.waker().clone()));
                Poll::Pending
            }
            State::SenderGone | State::ReceiverGone => Poll::Ready(Err(Canceled)),
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        *self.state.lock().unwrap() = State::ReceiverGone;
    }
}
