//! # Exercise: try-lock with back-off
//!
//! A second way out of the transfer deadlock: never *wait* for the second
//! lock. Take the first, *try* the second, and if it is taken, let go of the
//! first and start again a little later. In Python:
//!
//! ```python
//! def transfer(source, target, amount, backoff):
//!     while True:
//!         with source.lock:
//!             if target.lock.acquire(blocking=False):
//!                 try:
//!                     source.balance -= amount
//!                     target.balance += amount
//!                     return
//!                 finally:
//!                     target.lock.release()
//!         time.sleep(backoff.next_delay())
//! ```
//!
//! "A little later" matters. Two threads that retry at once, after the same
//! fixed pause, can collide again and again forever, each busy and neither
//! progressing: a *livelock*. Random pauses (jitter) that grow after each
//! failure (exponential back-off) pull them apart.
//!
//! - [`Backoff`]: the `n`-th call to [`Backoff::next_delay`] (counting from
//!   0) returns a random delay between zero and the *ceiling*
//!   `min(cap, base × 2ⁿ)`, both ends included; [`Backoff::ceiling`] tells
//!   the ceiling of the next call. The random numbers come from a small
//!   generator of your own, started from `seed` (no crate needed:
//!   splitmix64 or xorshift are a few lines).
//! - [`transfer_with_backoff`] runs the loop above on two
//!   `std::sync::Mutex<i64>`, calling `holding_first(attempt)` (1, 2, ...)
//!   each time it holds the first lock, and returns how many attempts it
//!   took. It sleeps `backoff.next_delay()` only after a failed attempt,
//!   and never while holding a lock.
//!
//! The tests check the ceilings (doubling, then capped), that delays stay
//! under them and are random, that an uncontended transfer takes one
//! attempt, and that opposite transfers that both hold their first lock
//! (a barrier on attempt 1) back off and both finish.
//!
//! Stuck? `cargo course hint backoff`.

use std::sync::Mutex;
use std::time::Duration;

/// Exponential back-off with full jitter.
pub struct Backoff {
    // Your fields here: base, cap, how many delays were handed out, and the
    // state of your random number generator.
    _todo: (),
}

impl Backoff {
    /// Delays start at `base`, double after each retry, never exceed `cap`;
    /// `seed` starts the random numbers.
    pub fn new(base: Duration, cap: Duration, seed: u64) -> Self {
        todo!()
    }

    /// The longest delay the next call to [`Backoff::next_delay`] may
    /// return: `min(cap, base × 2ⁿ)` after `n` calls.
    pub fn ceiling(&self) -> Duration {
        todo!()
    }

    /// A random delay in `0..=ceiling()`; the ceiling then doubles (up to
    /// the cap).
    pub fn next_delay(&mut self) -> Duration {
        todo!()
    }
}

/// Moves `amount` from `from` to `to`: lock `from`, *try* to lock `to`, and
/// on failure let go of everything, sleep `backoff.next_delay()`, and start
/// again. Calls `holding_first(attempt)` each time the first lock is held.
/// Returns the number of attempts (1 when the first one succeeded).
pub fn transfer_with_backoff(
    from: &Mutex<i64>,
    to: &Mutex<i64>,
    amount: i64,
    backoff: &mut Backoff,
    holding_first: impl FnMut(u32),
) -> u32 {
    todo!()
}
