//! # Exercise: an event
//!
//! Python's `Event` is a flag that threads wait for: workers block in
//! `wait()` until some thread calls `set()`, and then all of them go.
//!
//! ```python
//! ready = Event()
//! def worker():
//!     ready.wait()             # or ready.wait(timeout=2.0) -> bool
//!     work()
//! # ... start workers, load the data, then:
//! ready.set()                  # every waiter wakes; clear() resets
//! ```
//!
//! Build [`Event`] from a `Mutex<bool>` and a `Condvar`:
//!
//! - [`Event::set`] sets the flag and wakes *every* waiter (`notify_all`);
//!   [`Event::clear`] resets it; [`Event::is_set`] reads it.
//! - [`Event::wait`] returns at once if the flag is set, and otherwise waits
//!   in a loop until it is. A `set` that happened before the `wait` is not
//!   lost: the flag remembers it.
//! - [`Event::wait_timeout`] waits at most `timeout` in total and returns
//!   whether the flag was set.
//!
//! The tests wake five waiters with one `set`, check that a cleared event
//! makes a timed wait time out (not early), and that a `set` from another
//! thread ends a long timed wait at once (it must wake it, not wait it out).
//!
//! Stuck? `cargo course hint event`.

use std::time::Duration;

/// A flag that threads can wait for.
#[derive(Debug, Default)]
pub struct Event {
    // Your fields: a `Mutex<bool>` and a `Condvar`.
}

impl Event {
    /// An event not yet set.
    pub fn new() -> Event {
        todo!()
    }

    /// Sets the flag and wakes every waiter.
    pub fn set(&self) {
        todo!()
    }

    /// Clears the flag; later waits block again.
    pub fn clear(&self) {
        todo!()
    }

    /// Whether the flag is set.
    pub fn is_set(&self) -> bool {
        todo!()
    }

    /// Waits until the flag is set (returns at once if it already is).
    pub fn wait(&self) {
        todo!()
    }

    /// Waits at most `timeout`; returns whether the flag was set.
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        todo!()
    }
}
