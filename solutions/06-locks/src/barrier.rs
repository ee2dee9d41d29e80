//! A reusable barrier from Mutex and Condvar: the reference solution. The
//! statement is in `chapters/06-locks/src/barrier.rs`.

use std::sync::{Condvar, Mutex, PoisonError};

#[derive(Debug)]
struct State {
    arrived: usize,
    generation: u64,
}

/// A meeting point for `parties` threads, usable again and again.
#[derive(Debug)]
pub struct Barrier {
    parties: usize,
    state: Mutex<State>,
    all_here: Condvar,
}

impl Barrier {
    /// A barrier for `parties` threads. Panics if `parties` is 0.
    pub fn new(parties: usize) -> Barrier {
        assert!(parties > 0, "a barrier needs at least one party");
        Barrier {
            parties,
            state: Mutex::new(State {
                arrived: 0,
                generation: 0,
            }),
            all_here: Condvar::new(),
        }
    }

    /// Waits until `parties` threads have called `wait` in this round, then
    /// lets them all go. Returns this thread's arrival index in the round,
    /// from 0 to `parties - 1`.
    pub fn wait(&self) -> usize {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let index = state.arrived;
        state.arrived += 1;
        if state.arrived == self.parties {
            // The last one opens the round and starts the next at once: a
            // fast thread that comes back belongs to the new generation.
            state.arrived = 0;
            state.generation += 1;
            self.all_here.notify_all();
            return index;
        }
        // Wait for the generation to move, not for `arrived` to reach a
        // value: by the time we wake, the next round may have begun.
        let mine = state.generation;
        while state.generation == mine {
            state = self
                .all_here
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        index
    }
}
