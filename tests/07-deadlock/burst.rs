//! A start line for bursts: threads that spin on it set off within a cache
//! miss of each other, much closer together than a `Barrier`'s wake-ups,
//! so that a check-then-act race (two steps where one is needed) shows up.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

pub struct StartLine {
    parties: usize,
    ready: AtomicUsize,
}

impl StartLine {
    pub fn new(parties: usize) -> Self {
        Self {
            parties,
            ready: AtomicUsize::new(0),
        }
    }

    /// Spins until every party has arrived for `round` (1, 2, ...). The
    /// last to arrive sees the start first, the others a cache miss later;
    /// it waits a moment that changes from round to round, so that over
    /// the rounds the parties set off at every offset from each other.
    pub fn wait(&self, round: usize) {
        let last = self.ready.fetch_add(1, Ordering::SeqCst) + 1 == round * self.parties;
        let mut spins = 0u32;
        while self.ready.load(Ordering::SeqCst) < round * self.parties {
            spins += 1;
            if spins.is_multiple_of(1024) {
                thread::yield_now();
            } else {
                std::hint::spin_loop();
            }
        }
        if last {
            for i in 0..(round * 37) % 700 {
                std::hint::black_box(i);
            }
        }
    }
}
