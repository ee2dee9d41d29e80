//! A semaphore and a bounded semaphore: the reference solution. The
//! statement is in `chapters/05-locks/src/semaphore.rs`.

use std::fmt;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// A counter of permits: `acquire` takes one, waiting while there are none;
/// `release` gives one back.
#[derive(Debug)]
pub struct Semaphore {
    permits: Mutex<usize>,
    available: Condvar,
}

impl Semaphore {
    /// A semaphore holding `permits` permits.
    pub fn new(permits: usize) -> Semaphore {
        Semaphore {
            permits: Mutex::new(permits),
            available: Condvar::new(),
        }
    }

    fn permits(&self) -> MutexGuard<'_, usize> {
        self.permits.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes a permit, waiting as long as it takes.
    pub fn acquire(&self) {
        let mut permits = self.permits();
        while *permits == 0 {
            permits = self
                .available
                .wait(permits)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *permits -= 1;
    }

    /// Takes a permit if one is free now.
    pub fn try_acquire(&self) -> bool {
        let mut permits = self.permits();
        if *permits == 0 {
            return false;
        }
        *permits -= 1;
        true
    }

    /// Takes a permit, waiting at most `timeout`; false if none came.
    pub fn acquire_timeout(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut permits = self.permits();
        while *permits == 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            // Wait for what is left, not `timeout` again: wakeups that find
            // no permit must not push the deadline back.
            permits = self
                .available
                .wait_timeout(permits, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        *permits -= 1;
        true
    }

    /// Gives a permit back (one more than before, whatever the start).
    pub fn release(&self) {
        *self.permits() += 1;
        self.available.notify_one();
    }

    /// Permits free right now.
    pub fn available(&self) -> usize {
        *self.permits()
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
        let mut permits = self.inner.permits();
        // Check and add under one lock: two racing releases must not both
        // see room for one more.
        if *permits >= self.limit {
            return Err(TooManyReleases);
        }
        *permits += 1;
        drop(permits);
        self.inner.available.notify_one();
        Ok(())
    }

    /// Permits free right now.
    pub fn available(&self) -> usize {
        self.inner.available()
    }
}
