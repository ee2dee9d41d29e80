//! What the fast locks of this chapter (`rlock`, `semaphore`) share: a
//! number for each thread that fits in an atomic, and a short spin before a
//! thread falls back to sleeping.

use std::hint;
use std::sync::atomic::{AtomicU64, Ordering};

/// How many times a thread that finds the lock taken tries again before it
/// sleeps. A holder of these locks usually lets go within a few hundred
/// nanoseconds; sleeping and being woken costs microseconds. std's `Mutex`
/// spins about as long.
const SPINS: u32 = 100;

/// A number for the calling thread, never 0 and never given to another
/// thread of this process, even after this one ends (a `ThreadId` is the
/// same, but std does not give its number out).
pub fn thread_number() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    thread_local! {
        static NUMBER: u64 = NEXT.fetch_add(1, Ordering::Relaxed);
    }
    NUMBER.with(|number| *number)
}

/// Calls `attempt` until it succeeds, at most [`SPINS`] + 1 times; false if
/// it never did and the caller must sleep.
pub fn spin_until(mut attempt: impl FnMut() -> bool) -> bool {
    for _ in 0..SPINS {
        if attempt() {
            return true;
        }
        hint::spin_loop();
    }
    attempt()
}
