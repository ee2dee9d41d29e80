//! A semaphore and a bounded semaphore: the reference solution. The
//! statement is in `chapters/06-locks/src/semaphore.rs`.

use std::fmt;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

#[derive(Debug)]
struct Permits {
    free: usize,
    /// Threads asleep in an acquire. `notify_one` is a system call even when
    /// nobody waits; counting the sleepers lets a release skip it.
    waiting: usize,
}

/// A counter of permits: `acquire` takes one, waiting while there are none;
/// `release` gives one back.
#[derive(Debug)]
pub struct Semaphore {
    permits: Mutex<Permits>,
    available: Condvar,
}

impl Semaphore {
    /// A semaphore holding `permits` permits.
    pub fn new(permits: usize) -> Semaphore {
        Semaphore {
            permits: Mutex::new(Permits {
                free: permits,
                waiting: 0,
            }),
            available: Condvar::new(),
        }
    }

    fn permits(&self) -> MutexGuard<'_, Permits> {
        self.permits.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes a permit, waiting as long as it takes.
    pub fn acquire(&self) {
        let mut permits = self.permits();
        while permits.free == 0 {
            permits.waiting += 1;
            permits = self
                .available
                .wait(permits)
                .unwrap_or_else(PoisonError::into_inner);
            permits.waiting -= 1;
        }
        permits.free -= 1;
    }

    /// Takes a permit if one is free now.
    pub fn try_acquire(&self) -> bool {
        let mut permits = self.permits();
        if permits.free == 0 {
            return false;
        }
        permits.free -= 1;
        true
    }

    /// Takes a permit, waiting at most `timeout`; false if none came.
    pub fn acquire_timeout(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut permits = self.permits();
        while permits.free == 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            // Wait for what is left, not `timeout` again: wakeups that find
            // no permit must not push the deadline back.
            permits.waiting += 1;
            permits = self
                .available
                .wait_timeout(permits, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            permits.waiting -= 1;
        }
        permits.free -= 1;
        true
    }

    /// Gives a permit back (one more than before, whatever the start).
    pub fn release(&self) {
        let permits = self.permits();
        self.add_permit(permits);
    }

    /// Adds one permit under the lock the caller holds, and wakes one
    /// sleeper if there is any.
    fn add_permit(&self, mut permits: MutexGuard<'_, Permits>) {
        permits.free += 1;
        let someone_waits = permits.waiting > 0;
        drop(permits);
        if someone_waits {
            self.available.notify_one();
        }
    }

    /// Permits free right now.
    pub fn available(&self) -> usize {
        self.permits().free
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
        let permits = self.inner.permits();
        // Check and add under one lock: two racing releases must not both
        // see room for one more.
        if permits.free >= self.limit {
            return Err(TooManyReleases);
        }
        self.inner.add_permit(permits);
        Ok(())
    }

    /// Permits free right now.
    pub fn available(&self) -> usize {
        self.inner.available()
    }
}
