//! A spin lock with an RAII guard: the reference solution. The statement is
//! in `chapters/06-locks/src/spin_lock.rs`.

use std::cell::UnsafeCell;
use std::ops::{Deref, DerefMut};

// The chapter's atomics: std's, or loom's when its model checker runs.
use crate::sync::atomic::{AtomicBool, Ordering};
use crate::sync::{hint, thread};

/// A lock that waits by spinning on an atomic flag.
#[derive(Debug)]
pub struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: the flag lets one thread at a time reach the value, so sharing the
// lock is as safe as sending the value to whichever thread holds it.
unsafe impl<T: Send> Sync for SpinLock<T> {}

/// Access to the value while the lock is held; dropping it unlocks.
#[derive(Debug)]
pub struct SpinGuard<'a, T> {
    lock: &'a SpinLock<T>,
}

// SAFETY: a shared `&SpinGuard` hands out only `&T`, so sharing the guard
// between threads is sharing `&T`: sound exactly when `T: Sync`. Without
// this impl the guard would be `Sync` through its `&SpinLock<T>` field
// whenever `T: Send`, and two threads could write one `Cell` through it.
unsafe impl<T: Sync> Sync for SpinGuard<'_, T> {}

impl<T> SpinLock<T> {
    /// An unlocked lock around `value`.
    pub fn new(value: T) -> SpinLock<T> {
        SpinLock {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    /// Spins until the lock is free, then takes it.
    pub fn lock(&self) -> SpinGuard<'_, T> {
        let mut spins = 0u32;
        loop {
            if let Some(guard) = self.try_lock() {
                return guard;
            }
            // Wait on a plain load: a failing compare-exchange would pull
            // the cache line back and forth between cores for nothing.
            while self.locked.load(Ordering::Relaxed) {
                spins += 1;
                if spins < 100 {
                    hint::spin_loop();
                } else {
                    // The holder may be descheduled (2 cores, many
                    // threads): let it run instead of burning our slice.
                    thread::yield_now();
                }
            }
        }
    }

    /// Takes the lock if it is free, without waiting.
    pub fn try_lock(&self) -> Option<SpinGuard<'_, T>> {
        // Acquire: what the last holder wrote before its Release unlock is
        // visible to us once we own the flag.
        self.locked
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .ok()
            .map(|_| SpinGuard { lock: self })
    }

    /// The value, once no one can hold the lock any more.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T> Deref for SpinGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard exists only while this thread holds the lock.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T> DerefMut for SpinGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as above, and `&mut self` makes the borrow unique.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T> Drop for SpinGuard<'_, T> {
    fn drop(&mut self) {
        // Release: our writes to the value happen before the next Acquire.
        self.lock.locked.store(false, Ordering::Release);
    }
}
