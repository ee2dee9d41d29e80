//! A reusable barrier from Mutex and Condvar: a right answer that never
//! resets its count.

use std::sync::{Condvar, Mutex, PoisonError};

/// A meeting point for `parties` threads, usable again and again.
#[derive(Debug)]
pub struct Barrier {
    parties: usize,
    arrivals: Mutex<u64>,
    all_here: Condvar,
}

impl Barrier {
    /// A barrier for `parties` threads. Panics if `parties` is 0.
    pub fn new(parties: usize) -> Barrier {
        assert!(parties > 0, "a barrier needs at least one party");
        Barrier {
            parties,
            arrivals: Mutex::new(0),
            all_here: Condvar::new(),
        }
    }

    /// Waits until `parties` threads have called `wait` in this round, then
    /// lets them all go. Returns this thread's arrival index in the round.
    pub fn wait(&self) -> usize {
        let parties = self.parties as u64;
        let mut arrivals = self.arrivals.lock().unwrap_or_else(PoisonError::into_inner);
        let mine = *arrivals;
        *arrivals += 1;
        let round_ends = (mine / parties + 1) * parties;
        if *arrivals == round_ends {
            self.all_here.notify_all();
        } else {
            arrivals = self
                .all_here
                .wait_while(arrivals, |a| *a < round_ends)
                .unwrap_or_else(PoisonError::into_inner);
        }
        drop(arrivals);
        (mine % parties) as usize
    }
}
