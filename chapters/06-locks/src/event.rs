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
//! Build [`Event`] from a `Mutex` and a `Condvar`:
//!
//! - [`Event::set`] sets the flag and wakes *every* waiter (`notify_all`);
//!   [`Event::clear`] resets it; [`Event::is_set`] reads it.
//! - [`Event::wait`] returns at once if the flag is set, and otherwise
//!   sleeps (on the condvar, in a loop) until a `set`. A `set` that happened
//!   before the `wait` is not lost: the flag remembers it. A `set` that
//!   happens *during* the wait frees the waiter even if a `clear` follows
//!   at once, before the waiter has run again, as in Python: count the sets
//!   next to the flag, and wait until the flag is up or the count has moved.
//! - [`Event::wait_timeout`] waits at most `timeout` in total and returns
//!   whether a `set` freed it.
//!
//! The tests wake five waiters with one `set`, and five more with a `set`
//! followed at once by a `clear`; check that a cleared event makes a timed
//! wait time out (not early), that a `set` from another thread ends a long
//! timed wait at once (it must wake it, not wait it out), and that waiting
//! threads sleep: a waiter that spins or polls uses CPU time, or wakes up
//! hundreds of times, that a sleeping one does not.
//!
//! Stuck? `cargo course hint event`.

use std::time::Duration;

/// A flag that threads can wait for.
#[derive(Debug, Default)]
pub struct Event {
    // Your fields: a `Mutex` around the flag and a count of sets, and a
    // `Condvar`.
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
