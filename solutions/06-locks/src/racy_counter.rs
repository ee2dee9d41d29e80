//! The lost update in safe Rust: the reference solution. The statement is in
//! `chapters/06-locks/src/racy_counter.rs`.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread;

/// `counter = counter + delta` as two steps: a load, then a store. `between`
/// runs between them, so a test can force another thread in there.
pub fn racy_add_with(counter: &AtomicI64, delta: i64, between: impl FnOnce()) {
    let seen = counter.load(Ordering::SeqCst);
    between();
    // Whatever another thread stored since the load is overwritten here.
    counter.store(seen + delta, Ordering::SeqCst);
}

/// [`racy_add_with`] with nothing in between.
pub fn racy_add(counter: &AtomicI64, delta: i64) {
    racy_add_with(counter, delta, || {});
}

/// The same change as one indivisible read-modify-write.
pub fn atomic_add(counter: &AtomicI64, delta: i64) {
    counter.fetch_add(delta, Ordering::Relaxed);
}

/// The same change under a mutex.
pub fn locked_add(counter: &Mutex<i64>, delta: i64) {
    *counter.lock().unwrap_or_else(PoisonError::into_inner) += delta;
}

/// Which of the three ways [`add_and_subtract`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    Racy,
    Atomic,
    Locked,
}

/// Two threads start from 0: one adds 1 `times` times, the other subtracts
/// 1 `times` times, both using `strategy`. Returns the final value.
pub fn add_and_subtract(strategy: Strategy, times: u64) -> i64 {
    add_and_subtract_with(strategy, times, times, &|_| {})
}

/// Two threads at once start from 0: one adds 1 `ups` times, the other
/// subtracts 1 `downs` times, both using `strategy`. Each calls
/// `between(delta)` in the middle of every update: between its load and
/// its store (`Racy`), or just before its update (`Atomic`, `Locked`).
/// Returns the final value.
pub fn add_and_subtract_with(
    strategy: Strategy,
    ups: u64,
    downs: u64,
    between: &(dyn Fn(i64) + Sync),
) -> i64 {
    let atomic = AtomicI64::new(0);
    let locked = Mutex::new(0i64);
    thread::scope(|s| {
        for (delta, times) in [(1, ups), (-1, downs)] {
            let (atomic, locked) = (&atomic, &locked);
            s.spawn(move || {
                for _ in 0..times {
                    match strategy {
                        Strategy::Racy => racy_add_with(atomic, delta, || between(delta)),
                        Strategy::Atomic => {
                            between(delta);
                            atomic_add(atomic, delta);
                        }
                        Strategy::Locked => {
                            between(delta);
                            locked_add(locked, delta);
                        }
                    }
                }
            });
        }
    });
    match strategy {
        Strategy::Locked => locked.into_inner().unwrap_or_else(PoisonError::into_inner),
        _ => atomic.into_inner(),
    }
}
