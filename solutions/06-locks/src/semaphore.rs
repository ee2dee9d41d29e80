//! A semaphore and a bounded semaphore: the reference solution. The
//! statement is in `chapters/06-locks/src/semaphore.rs`.
//!
//! The statement's design (a `Mutex` around the count, a `Condvar`) is
//! correct, and what a student writes first. This one is the same semaphore
//! made fast: the count lives in an atomic, so an acquire that finds a
//! permit, and a release nobody waits for, is one atomic operation; the
//! `Mutex`/`Condvar` pair is touched only by a thread that must wait and by
//! the release that must wake it.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::fast_path;

/// A counter of permits: `acquire` takes one, waiting while there are none;
/// `release` gives one back.
#[derive(Debug)]
pub struct Semaphore {
    free: AtomicUsize,
    /// Threads asleep in an acquire: a release takes the slow path (the
    /// mutex, `notify_one`) only when there is one.
    sleepers: AtomicUsize,
    /// Held by a waiter from counting itself to falling asleep, and by a
    /// release while it wakes one: the wakeup cannot fall between a
    /// waiter's last look and its sleep.
    parking: Mutex<()>,
    available: Condvar,
}

impl Semaphore {
    /// A semaphore holding `permits` permits.
    pub fn new(permits: usize) -> Semaphore {
        Semaphore {
            free: AtomicUsize::new(permits),
            sleepers: AtomicUsize::new(0),
            parking: Mutex::new(()),
            available: Condvar::new(),
        }
    }

    fn parking(&self) -> MutexGuard<'_, ()> {
        // The mutex guards no data: a panic under it leaves nothing broken.
        self.parking.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes a permit if there is one: a compare-and-swap from n to n - 1,
    /// tried again only when another thread changed n meanwhile.
    fn try_take(&self) -> bool {
        let mut free = self.free.load(Ordering::Relaxed);
        while free > 0 {
            match self.free.compare_exchange_weak(
                free,
                free - 1,
                Ordering::SeqCst,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(now) => free = now,
            }
        }
        false
    }

    /// Takes a permit, waiting as long as it takes.
    pub fn acquire(&self) {
        if !fast_path::spin_until(|| self.try_take()) {
            let mut parked = self.parking();
            // Counted before the look below: a release after that look sees
            // the count, and wakes this thread. SeqCst on both sides.
            self.sleepers.fetch_add(1, Ordering::SeqCst);
            // A loop: a wakeup may be spurious, or another thread may have
            // taken the permit first.
            while !self.try_take() {
                parked = self
                    .available
                    .wait(parked)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            self.sleepers.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Takes a permit if one is free now.
    pub fn try_acquire(&self) -> bool {
        self.try_take()
    }

    /// Takes a permit, waiting at most `timeout`; false if none came.
    pub fn acquire_timeout(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        if fast_path::spin_until(|| self.try_take()) {
            return true;
        }
        let mut parked = self.parking();
        self.sleepers.fetch_add(1, Ordering::SeqCst);
        let mut got = self.try_take();
        while !got {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            // Wait for what is left, not `timeout` again: wakeups that find
            // no permit must not push the deadline back.
            parked = self
                .available
                .wait_timeout(parked, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            got = self.try_take();
        }
        self.sleepers.fetch_sub(1, Ordering::SeqCst);
        got
    }

    /// Gives a permit back (one more than before, whatever the start).
    pub fn release(&self) {
        self.free.fetch_add(1, Ordering::SeqCst);
        self.wake_one();
    }

    /// Wakes one sleeper, if there is any, after a permit was added.
    fn wake_one(&self) {
        if self.sleepers.load(Ordering::SeqCst) > 0 {
            // Taking the mutex waits until a waiter that counted itself is
            // asleep on the condvar, where the notify reaches it.
            drop(self.parking());
            self.available.notify_one();
        }
    }

    /// Permits free right now.
    pub fn available(&self) -> usize {
        self.free.load(Ordering::SeqCst)
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
    inner: Semaphore,
    limit: usize,
}

impl BoundedSemaphore {
    /// A bounded semaphore holding, and never more than, `permits` permits.
    pub fn new(permits: usize) -> BoundedSemaphore {
        BoundedSemaphore {
            inner: Semaphore::new(permits),
            limit: permits,
        }
    }

    /// As [`Semaphore::acquire`].
    pub fn acquire(&self) {
        self.inner.acquire();
    }

    /// As [`Semaphore::try_acquire`].
    pub fn try_acquire(&self) -> bool {
        self.inner.try_acquire()
    }

    /// As [`Semaphore::acquire_timeout`].
    pub fn acquire_timeout(&self, timeout: Duration) -> bool {
        self.inner.acquire_timeout(timeout)
    }

    /// Gives a permit back; an error, and no change, if all are already back.
    pub fn release(&self) -> Result<(), TooManyReleases> {
        // Check and add in one compare-and-swap: two racing releases must
        // not both see room for one more.
        let mut free = self.inner.free.load(Ordering::Relaxed);
        loop {
            if free >= self.limit {
                return Err(TooManyReleases);
            }
            match self.inner.free.compare_exchange_weak(
                free,
                free + 1,
                Ordering::SeqCst,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(now) => free = now,
            }
        }
        self.inner.wake_one();
        Ok(())
    }

    /// Permits free right now.
    pub fn available(&self) -> usize {
        self.inner.available()
    }
}
