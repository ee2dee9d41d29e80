//! Try-lock with back-off: the reference solution. The statement is in
//! `chapters/07-deadlock/src/backoff.rs`.

use std::sync::{Mutex, PoisonError, TryLockError};
use std::thread;
use std::time::Duration;

/// Exponential back-off with full jitter.
pub struct Backoff {
    base: Duration,
    cap: Duration,
    attempt: u32,
    state: u64,
}

impl Backoff {
    /// Delays start at `base`, double after each retry, never exceed `cap`;
    /// `seed` starts the random numbers.
    pub fn new(base: Duration, cap: Duration, seed: u64) -> Self {
        Self {
            base,
            cap,
            attempt: 0,
            state: seed,
        }
    }

    /// The longest delay the next call to [`Backoff::next_delay`] may return.
    pub fn ceiling(&self) -> Duration {
        // 2^31 times any base is already past any sensible cap.
        let factor = 1u32 << self.attempt.min(31);
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// A random delay in `0..=ceiling()`; the ceiling then doubles.
    pub fn next_delay(&mut self) -> Duration {
        let ceiling = self.ceiling().as_nanos() as u64;
        let delay = self.next_random() % (ceiling + 1);
        self.attempt = self.attempt.saturating_add(1);
        Duration::from_nanos(delay)
    }

    /// splitmix64: small, fast, and good enough to spread retries apart.
    fn next_random(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Moves `amount` from `from` to `to`: lock `from`, *try* to lock `to`, and
/// on failure let go of everything, back off, and start again. Returns the
/// number of attempts (1 when the first one succeeded).
pub fn transfer_with_backoff(
    from: &Mutex<i64>,
    to: &Mutex<i64>,
    amount: i64,
    backoff: &mut Backoff,
    mut holding_first: impl FnMut(u32),
) -> u32 {
    let mut attempt = 1;
    loop {
        // Blocking here is safe: this thread holds no other lock while it waits.
        let mut source = from.lock().unwrap_or_else(PoisonError::into_inner);
        holding_first(attempt);
        let target = match to.try_lock() {
            Ok(guard) => Some(guard),
            Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        };
        if let Some(mut target) = target {
            *source -= amount;
            *target += amount;
            return attempt;
        }
        // Let go *before* sleeping, so the other thread can finish meanwhile.
        drop(source);
        thread::sleep(backoff.next_delay());
        attempt += 1;
    }
}
