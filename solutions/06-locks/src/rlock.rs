//! A reentrant lock from Mutex and Condvar: the reference solution. The
//! statement is in `chapters/06-locks/src/rlock.rs`.

use std::fmt;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, ThreadId};

/// Releasing a lock this thread does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotOwner;

impl fmt::Display for NotOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("release of a lock this thread does not hold")
    }
}

impl std::error::Error for NotOwner {}

#[derive(Debug, Default)]
struct State {
    owner: Option<ThreadId>,
    depth: usize,
    /// Threads asleep in `acquire`. `notify_one` is a system call even when
    /// nobody waits; counting the sleepers lets a release skip it.
    waiting: usize,
}

/// A lock that the thread holding it may take again; it is free once every
/// acquire has been matched by a release.
#[derive(Debug, Default)]
pub struct RLock {
    state: Mutex<State>,
    freed: Condvar,
}

impl RLock {
    /// A free lock.
    pub fn new() -> RLock {
        RLock::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state is two fields written together: never half-changed.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes the lock, waiting while another thread holds it.
    pub fn acquire(&self) {
        let me = thread::current().id();
        let mut state = self.state();
        // A loop, not an `if`: a wakeup may be spurious, or another waiter
        // may have taken the lock first.
        while state.owner.is_some_and(|owner| owner != me) {
            state.waiting += 1;
            state = self
                .freed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
            state.waiting -= 1;
        }
        state.owner = Some(me);
        state.depth += 1;
    }

    /// Gives back one acquire; the last one frees the lock.
    pub fn release(&self) -> Result<(), NotOwner> {
        let mut state = self.state();
        if state.owner != Some(thread::current().id()) {
            return Err(NotOwner);
        }
        state.depth -= 1;
        if state.depth == 0 {
            state.owner = None;
            let someone_waits = state.waiting > 0;
            drop(state);
            if someone_waits {
                self.freed.notify_one();
            }
        }
        Ok(())
    }

    /// How many times the calling thread holds the lock (0 if it does not).
    pub fn depth(&self) -> usize {
        let state = self.state();
        if state.owner == Some(thread::current().id()) {
            state.depth
        } else {
            0
        }
    }
}
