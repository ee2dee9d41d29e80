//! # Exercise: a semaphore, and a bounded one
//!
//! A semaphore is a counter of permits. Python uses one to let at most `n`
//! threads into a section at once (say, three downloads at a time):
//!
//! ```python
//! slots = BoundedSemaphore(3)
//! def download(url):
//!     with slots:          # waits while three are already inside
//!         fetch(url)
//! ```
//!
//! `release` on a plain `Semaphore` always adds a permit, even one more than
//! it started with; a `BoundedSemaphore` raises `ValueError` instead, which
//! catches a release without its acquire.
//!
//! Build both from a `Mutex<usize>` and a `Condvar`:
//!
//! - [`Semaphore::acquire`] waits (in a loop) while there is no permit, then
//!   takes one; [`Semaphore::try_acquire`] never waits;
//!   [`Semaphore::acquire_timeout`] waits at most the given time in total
//!   (keep a deadline: a wakeup that finds no permit must not restart the
//!   clock).
//! - [`Semaphore::release`] adds a permit and wakes one waiter.
//! - [`BoundedSemaphore`] does the same but its `release` returns
//!   [`TooManyReleases`], and changes nothing, when every permit is already
//!   back. Check and add under the one lock.
//!
//! The tests check that three permits let exactly three threads in together,
//! that an acquire waits for a release, sleeping (a waiter that spins or
//! polls uses CPU time, or wakes hundreds of times, that a sleeping one does
//! not), that a timed acquire is woken by a release and does not give up
//! early, that it keeps one deadline while releases that others snatch back
//! wake it again and again, that two releases in a row let two waiters in,
//! the bounded semaphore's refusal, also of two releases racing for the last
//! place, and that under contention two permits never let a third thread in
//! and one permit is a lock.
//!
//! Stuck? `cargo course hint semaphore`.

use std::fmt;
use std::time::Duration;

/// A counter of permits: `acquire` takes one, waiting while there are none;
/// `release` gives one back.
#[derive(Debug)]
pub struct Semaphore {
    // Your fields: a `Mutex` around the permit count, and a `Condvar`.
}

impl Semaphore {
    /// A semaphore holding `permits` permits.
    pub fn new(permits: usize) -> Semaphore {
        todo!()
    }

    /// Takes a permit, waiting as long as it takes.
    pub fn acquire(&self) {
        todo!()
    }

    /// Takes a permit if one is free now.
    pub fn try_acquire(&self) -> bool {
        todo!()
    }

    /// Takes a permit, waiting at most `timeout`; false if none came.
    pub fn acquire_timeout(&self, timeout: Duration) -> bool {
        todo!()
    }

    /// Gives a permit back (one more than before, whatever the start).
    pub fn release(&self) {
        todo!()
    }

    /// Permits free right now.
    pub fn available(&self) -> usize {
        todo!()
    }
}

/// A release that would give back more permits than the semaphore started with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyReleases;

impl fmt::Display for TooManyReleases {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("released more often than acquired")
    }
}

impl std::error::Error for TooManyReleases {}

/// A semaphore that refuses to hold more permits than it started with.
#[derive(Debug)]
pub struct BoundedSemaphore {
    // Your fields.
}

impl BoundedSemaphore {
    /// A bounded semaphore holding, and never more than, `permits` permits.
    pub fn new(permits: usize) -> BoundedSemaphore {
        todo!()
    }

    /// As [`Semaphore::acquire`].
    pub fn acquire(&self) {
        todo!()
    }

    /// As [`Semaphore::try_acquire`].
    pub fn try_acquire(&self) -> bool {
        todo!()
    }

    /// As [`Semaphore::acquire_timeout`].
    pub fn acquire_timeout(&self, timeout: Duration) -> bool {
        todo!()
    }

    /// Gives a permit back; an error, and no change, if all are already back.
    pub fn release(&self) -> Result<(), TooManyReleases> {
        todo!()
    }

    /// Permits free right now.
    pub fn available(&self) -> usize {
        todo!()
    }
}
