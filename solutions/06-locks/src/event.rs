//! An event from Mutex and Condvar: the reference solution. The statement is
//! in `chapters/06-locks/src/event.rs`.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// A flag that threads can wait for.
#[derive(Debug, Default)]
pub struct Event {
    flag: Mutex<bool>,
    changed: Condvar,
}

impl Event {
    /// An event not yet set.
    pub fn new() -> Event {
        Event::default()
    }

    fn flag(&self) -> MutexGuard<'_, bool> {
        self.flag.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets the flag and wakes every waiter.
    pub fn set(&self) {
        *self.flag() = true;
        // All of them: every waiter is waiting for the same thing.
        self.changed.notify_all();
    }

    /// Clears the flag; later waits block again.
    pub fn clear(&self) {
        *self.flag() = false;
    }

    /// Whether the flag is set.
    pub fn is_set(&self) -> bool {
        *self.flag()
    }

    /// Waits until the flag is set (returns at once if it already is).
    pub fn wait(&self) {
        let mut flag = self.flag();
        while !*flag {
            flag = self
                .changed
                .wait(flag)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Waits at most `timeout`; returns whether the flag was set.
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut flag = self.flag();
        while !*flag {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            flag = self
                .changed
                .wait_timeout(flag, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }
}
