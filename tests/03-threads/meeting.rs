//! A meeting point for the tests' own threads and jobs: every party waits
//! until all have arrived, or gives up after a limit. Work done one job at a
//! time never fills it, so a test sees "not at the same time" as a value
//! instead of a hang.

use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

pub struct Meeting {
    parties: usize,
    arrived: Mutex<usize>,
    changed: Condvar,
}

impl Meeting {
    pub fn new(parties: usize) -> Meeting {
        Meeting {
            parties,
            arrived: Mutex::new(0),
            changed: Condvar::new(),
        }
    }

    /// Arrives and waits for the others: true once all `parties` have
    /// arrived, false if they have not within `limit`.
    pub fn arrive(&self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        let mut arrived = self.arrived.lock().unwrap_or_else(|e| e.into_inner());
        *arrived += 1;
        self.changed.notify_all();
        while *arrived < self.parties {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            arrived = self
                .changed
                .wait_timeout(arrived, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        true
    }
}
