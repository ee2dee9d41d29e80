//! An event from Mutex and Condvar: the reference solution. The statement is
//! in `chapters/06-locks/src/event.rs`.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
struct State {
    set: bool,
    /// How many times `set` was called. A waiter that saw it move was set
    /// free, even if `clear` came before it woke up.
    sets: u64,
}

/// A flag that threads can wait for.
#[derive(Debug, Default)]
pub struct Event {
    state: Mutex<State>,
    changed: Condvar,
}

impl Event {
    /// An event not yet set.
    pub fn new() -> Event {
        Event::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets the flag and wakes every waiter.
    pub fn set(&self) {
        let mut state = self.state();
        state.set = true;
        state.sets += 1;
        drop(state);
        // All of them: every waiter is waiting for the same thing.
        self.changed.notify_all();
    }

    /// Clears the flag; later waits block again.
    pub fn clear(&self) {
        self.state().set = false;
    }

    /// Whether the flag is set.
    pub fn is_set(&self) -> bool {
        self.state().set
    }

    /// Waits until the flag is set (returns at once if it already is).
    pub fn wait(&self) {
        let mut state = self.state();
        let seen = state.sets;
        // Wait for a `set`, not for the flag: a set and a clear in quick
        // succession leave the flag false, but still free every waiter.
        while !state.set && state.sets == seen {
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Waits at most `timeout`; returns whether the flag was set.
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut state = self.state();
        let seen = state.sets;
        while !state.set && state.sets == seen {
            // One deadline for the whole wait, whatever wakes us meanwhile.
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            state = self
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }
}
