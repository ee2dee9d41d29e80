//! # Exercise: a reusable barrier
//!
//! Python's `Barrier(n)` holds threads at `wait()` until `n` of them have
//! arrived, then lets them all go, and is ready for the next round at once.
//! `wait()` returns a number from 0 to `n - 1`, different for each thread of
//! a round.
//!
//! ```python
//! step = Barrier(4)
//! def worker():
//!     for round in range(50):
//!         compute(round)
//!         step.wait()          # nobody starts round + 1 early
//! ```
//!
//! Build [`Barrier`] from a `Mutex` and a `Condvar`. The trap is reuse: a
//! fast thread passes the barrier, loops, and arrives for the next round
//! while slow ones have not yet woken from this one. Count arrivals *and* a
//! generation number:
//!
//! - an arriving thread takes the arrival count as its index and adds one;
//! - the last one resets the count to 0, moves the generation on and wakes
//!   everyone (`notify_all`);
//! - the others wait until the generation differs from the one they
//!   arrived in (not until the count reaches some value: it has already
//!   been reset).
//!
//! [`Barrier::new`] panics for 0 parties. The tests check that nobody leaves
//! early, that the indexes of a round are 0, 1, 2 (the last arrival gets the
//! last index), that one party passes at once, 50 rounds of 4 threads, and
//! that a waiting party sleeps on the condvar (no spinning, no polling).
//!
//! Stuck? `cargo course hint barrier`.

/// A meeting point for `parties` threads, usable again and again.
#[derive(Debug)]
pub struct Barrier {
    // Your fields: the party count, a `Mutex` around the arrival count and
    // the generation, and a `Condvar`.
}

impl Barrier {
    /// A barrier for `parties` threads. Panics if `parties` is 0.
    pub fn new(parties: usize) -> Barrier {
        todo!()
    }

    /// Waits until `parties` threads have called `wait` in this round, then
    /// lets them all go. Returns this thread's arrival index in the round,
    /// from 0 to `parties - 1`.
    pub fn wait(&self) -> usize {
        todo!()
    }
}
