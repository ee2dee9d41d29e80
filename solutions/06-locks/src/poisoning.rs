//! Poisoning and recovery: the reference solution. The statement is in
//! `chapters/06-locks/src/poisoning.rs`.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread;

/// On another thread: locks `list`, pushes `value`, then panics with the
/// lock held. Returns once that thread has ended.
pub fn push_then_panic(list: &Mutex<Vec<u32>>, value: u32) {
    let outcome = thread::scope(|s| {
        s.spawn(|| {
            let mut items = list.lock().unwrap_or_else(PoisonError::into_inner);
            items.push(value);
            panic!("failing while holding the lock");
        })
        .join()
    });
    // The panic is the point; it stays on that thread.
    debug_assert!(outcome.is_err());
}

/// Locks `m` even if it is poisoned. Returns the guard and whether the lock
/// was poisoned. The mutex stays poisoned.
pub fn lock_even_if_poisoned<T>(m: &Mutex<T>) -> (MutexGuard<'_, T>, bool) {
    match m.lock() {
        Ok(guard) => (guard, false),
        // We choose to trust the data: the caller is told it was poisoned.
        Err(poisoned) => (poisoned.into_inner(), true),
    }
}

/// Recovers a poisoned list of numbers: keeps only the items that are not
/// greater than `limit` (the panicking writer may have left a bad one), and
/// clears the poison so later `lock()` calls succeed. Returns how many items
/// were dropped. On a healthy mutex it changes nothing and returns 0.
pub fn repair(list: &Mutex<Vec<u32>>, limit: u32) -> usize {
    let (mut items, poisoned) = lock_even_if_poisoned(list);
    if !poisoned {
        return 0;
    }
    let before = items.len();
    items.retain(|&x| x <= limit);
    let dropped = before - items.len();
    drop(items);
    list.clear_poison();
    dropped
}
