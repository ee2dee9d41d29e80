//! # Exercise: a spin lock with a guard
//!
//! Python's `with lock:` takes a lock and gives it back however the block
//! ends. Rust says the same with a guard: `lock()` returns a value that
//! gives access to the data and unlocks when dropped, even during a panic.
//!
//! ```python
//! with lock:          # acquire
//!     balance += 10   # only one thread at a time in here
//! # release, even if the block raised
//! ```
//!
//! Build [`SpinLock<T>`]: an `AtomicBool` flag and the value in an
//! `UnsafeCell<T>`. Take `AtomicBool`, `Ordering`, `spin_loop` and
//! `yield_now` from this chapter's [`crate::sync`] module (imported below),
//! not from std: they are std's, except under the loom test, which swaps in
//! a model checker's and checks your orderings.
//!
//! - [`SpinLock::try_lock`] flips the flag from `false` to `true` in *one*
//!   atomic step, `compare_exchange`, using `Ordering::Acquire` on success,
//!   and returns a [`SpinGuard`] if it won. (A `load` that sees `false`
//!   followed by a `store(true)` lets two threads in when they come
//!   together.)
//! - [`SpinLock::lock`] tries until it wins. While the flag is taken, wait
//!   on a plain `load` with `spin_loop()`, and after a while `yield_now()`:
//!   on a busy 2-core machine the holder may not be running at all.
//! - The guard derefs to the value; its `Drop` stores `false` with
//!   `Ordering::Release`, so everything written under the lock is seen by
//!   the next holder's Acquire.
//! - The two `unsafe impl`s below are given; read their SAFETY arguments
//!   and keep them. The guard's is there because its `&SpinLock<T>` field
//!   alone would make it `Sync` whenever `T: Send`, and two threads sharing
//!   one `&SpinGuard<Cell<i32>>` could then both write the `Cell`.
//!
//! The tests check that a second locker waits until the guard drops,
//! `try_lock` on a held lock, that threads released together into
//! `try_lock` let one in, that four threads never overlap inside (an
//! in-section counter never passes 1) and lose no increment, that a panic
//! while holding the guard still unlocks, and which of `SpinLock<T>` and
//! `SpinGuard<T>` are `Send` and `Sync`. Under loom
//! (`cargo test -p ch06-locks --features loom --test loom`), every
//! interleaving of two threads, and every value the memory model lets a
//! load see: a `Relaxed` where `Acquire` or `Release` belongs fails there,
//! though x86 would never show it.
//!
//! Stuck? `cargo course hint spin_lock`.

use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

// The chapter's atomics: std's, or loom's when its model checker runs.
#[allow(unused_imports)]
use crate::sync::atomic::{AtomicBool, Ordering};
#[allow(unused_imports)]
use crate::sync::{hint, thread};

/// A lock that waits by spinning on an atomic flag.
#[derive(Debug)]
pub struct SpinLock<T> {
    // Your fields: the flag and the value (in an `UnsafeCell`).
    value: PhantomData<T>,
}

// SAFETY (for your version): the flag lets one thread at a time reach the
// value, so sharing the lock is as safe as sending the value.
unsafe impl<T: Send> Sync for SpinLock<T> {}

/// Access to the value while the lock is held; dropping it unlocks.
#[derive(Debug)]
pub struct SpinGuard<'a, T> {
    // Your fields: the lock it came from.
    lock: PhantomData<&'a SpinLock<T>>,
}

// SAFETY: a shared `&SpinGuard` hands out only `&T`, so sharing the guard
// between threads is sharing `&T`: sound exactly when `T: Sync`. Without
// this impl the guard would be `Sync` through its `&SpinLock<T>` field
// whenever `T: Send`.
unsafe impl<T: Sync> Sync for SpinGuard<'_, T> {}

impl<T> SpinLock<T> {
    /// An unlocked lock around `value`.
    pub fn new(value: T) -> SpinLock<T> {
        todo!()
    }

    /// Spins until the lock is free, then takes it.
    pub fn lock(&self) -> SpinGuard<'_, T> {
        todo!()
    }

    /// Takes the lock if it is free, without waiting.
    pub fn try_lock(&self) -> Option<SpinGuard<'_, T>> {
        todo!()
    }

    /// The value, once no one can hold the lock any more.
    pub fn into_inner(self) -> T {
        todo!()
    }
}

impl<T> Deref for SpinGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        todo!()
    }
}

impl<T> DerefMut for SpinGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        todo!()
    }
}

impl<T> Drop for SpinGuard<'_, T> {
    fn drop(&mut self) {
        // Unlock here.
    }
}
