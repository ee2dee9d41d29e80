//! # Exercise: poisoning, and recovering on purpose
//!
//! In Python, `with lock:` releases the lock when the block raises, and the
//! next thread carries on with whatever the failed block left behind:
//!
//! ```python
//! with lock:
//!     items.append(value)
//!     check(items)        # raises: the lock is released, items keeps value
//! ```
//!
//! Rust's `Mutex` releases too, but marks itself *poisoned*: every later
//! `lock()` returns `Err(PoisonError)`, so nobody uses half-changed data by
//! accident. The data is still there: `PoisonError::into_inner` hands over
//! the guard to whoever decides to trust it, and `Mutex::clear_poison`
//! declares the data sound again.
//!
//! - [`push_then_panic`]: on another thread (`std::thread::scope` lets it
//!   borrow), lock the list, push `value`, and panic while holding the guard.
//!   Join the thread (its result is the expected `Err`) and return.
//! - [`lock_even_if_poisoned`]: lock; on a poisoned mutex, recover the guard
//!   with `into_inner`. Return the guard and whether it was poisoned. Do not
//!   clear the poison here: looking is not repairing.
//! - [`repair`]: if the mutex is poisoned, drop every item greater than
//!   `limit` (the failed writer's bad value), clear the poison, and return how
//!   many were dropped. A healthy mutex is left alone (return 0).
//!
//! The tests poison a mutex and check what `lock()` says, what the next
//! locker sees, and that a repair heals it. (The panic message you may see
//! in the test output is expected.)
//!
//! Stuck? `cargo course hint poisoning`.

use std::sync::{Mutex, MutexGuard};

/// On another thread: locks `list`, pushes `value`, then panics with the
/// lock held. Returns once that thread has ended.
pub fn push_then_panic(list: &Mutex<Vec<u32>>, value: u32) {
    todo!()
}

/// Locks `m` even if it is poisoned. Returns the guard and whether the lock
/// was poisoned. The mutex stays poisoned.
pub fn lock_even_if_poisoned<T>(m: &Mutex<T>) -> (MutexGuard<'_, T>, bool) {
    todo!()
}

/// Recovers a poisoned list of numbers: keeps only the items that are not
/// greater than `limit`, and clears the poison so later `lock()` calls
/// succeed. Returns how many items were dropped. On a healthy mutex it
/// changes nothing and returns 0.
pub fn repair(list: &Mutex<Vec<u32>>, limit: u32) -> usize {
    todo!()
}
