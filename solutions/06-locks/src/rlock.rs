//! A reentrant lock: the reference solution. The statement is in
//! `chapters/06-locks/src/rlock.rs`.
//!
//! The statement's design (a `Mutex` around the owner and depth, a
//! `Condvar`) is correct, and what a student writes first. This one is the
//! same lock made fast, the way std's `Mutex` and parking_lot are: the owner
//! lives in an atomic, so an uncontended acquire or release is one atomic
//! operation, and the `Mutex`/`Condvar` pair is touched only by a thread
//! that must wait and by the release that must wake it.

use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use crate::fast_path;

/// Releasing a lock this thread does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotOwner;

impl fmt::Display for NotOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("release of a lock this thread does not hold")
    }
}

impl std::error::Error for NotOwner {}

/// The owner of a free lock: no thread has this number.
const FREE: u64 = 0;

/// A lock that the thread holding it may take again; it is free once every
/// acquire has been matched by a release.
#[derive(Debug, Default)]
pub struct RLock {
    /// The owning thread's number ([`fast_path::thread_number`]), or
    /// [`FREE`].
    owner: AtomicU64,
    /// Written and read only by the owner, so it needs no ordering of its
    /// own: taking `owner` orders it.
    depth: AtomicUsize,
    /// Threads asleep in `acquire`: a release takes the slow path (the
    /// mutex, `notify_one`) only when there is one.
    sleepers: AtomicUsize,
    /// Held by a waiter from counting itself to falling asleep, and by a
    /// release while it wakes one: the wakeup cannot fall between a
    /// waiter's last look and its sleep.
    parking: Mutex<()>,
    freed: Condvar,
}

impl RLock {
    /// A free lock.
    pub fn new() -> RLock {
        RLock::default()
    }

    /// Takes the lock if it is free: one atomic operation. A plain load
    /// first, so that a thread spinning on a held lock only reads the
    /// owner's cache line instead of taking it from the holder each time.
    fn try_take(&self, me: u64) -> bool {
        self.owner.load(Ordering::Relaxed) == FREE
            && self
                .owner
                .compare_exchange(FREE, me, Ordering::SeqCst, Ordering::Relaxed)
                .is_ok()
    }

    fn parking(&self) -> MutexGuard<'_, ()> {
        // The mutex guards no data: a panic under it leaves nothing broken.
        self.parking.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes the lock, waiting while another thread holds it.
    pub fn acquire(&self) {
        let me = fast_path::thread_number();
        if self.owner.load(Ordering::Relaxed) == me {
            // Only this thread could have stored its own number, and only
            // the owner touches the depth: a load and a store, no locked
            // read-modify-write.
            let depth = self.depth.load(Ordering::Relaxed);
            self.depth.store(depth + 1, Ordering::Relaxed);
            return;
        }
        if !fast_path::spin_until(|| self.try_take(me)) {
            self.wait_to_take(me);
        }
        self.depth.store(1, Ordering::Relaxed);
    }

    /// The slow path: sleeps until a release wakes it and it wins the lock.
    fn wait_to_take(&self, me: u64) {
        let mut parked = self.parking();
        // Counted before the look below: a release that frees the lock after
        // that look sees the count, and wakes this thread.
        self.sleepers.fetch_add(1, Ordering::SeqCst);
        // A loop, not an `if`: a wakeup may be spurious, or another thread
        // may have taken the lock first.
        while !self.try_take(me) {
            parked = self
                .freed
                .wait(parked)
                .unwrap_or_else(PoisonError::into_inner);
        }
        self.sleepers.fetch_sub(1, Ordering::SeqCst);
    }

    /// Gives back one acquire; the last one frees the lock.
    pub fn release(&self) -> Result<(), NotOwner> {
        let me = fast_path::thread_number();
        if self.owner.load(Ordering::Relaxed) != me {
            return Err(NotOwner);
        }
        let depth = self.depth.load(Ordering::Relaxed) - 1;
        self.depth.store(depth, Ordering::Relaxed);
        if depth == 0 {
            // SeqCst against the waiter's count: either it counted itself
            // before this store (and is woken below) or its look comes after
            // it (and finds the lock free).
            self.owner.store(FREE, Ordering::SeqCst);
            if self.sleepers.load(Ordering::SeqCst) > 0 {
                drop(self.parking());
                self.freed.notify_one();
            }
        }
        Ok(())
    }

    /// How many times the calling thread holds the lock (0 if it does not).
    pub fn depth(&self) -> usize {
        if self.owner.load(Ordering::Relaxed) == fast_path::thread_number() {
            self.depth.load(Ordering::Relaxed)
        } else {
            0
        }
    }
}
