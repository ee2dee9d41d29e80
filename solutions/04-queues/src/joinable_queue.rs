//! Joinable queue: the reference solution. The statement is in
//! `chapters/04-queues/src/joinable_queue.rs`.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The queue was empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Empty;

/// `task_done` was called more times than items were put.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyTaskDone;

struct State<T> {
    items: VecDeque<T>,
    // Put but not yet marked done: items waiting plus items being worked on.
    unfinished: usize,
}

/// An unbounded FIFO queue that also counts unfinished tasks.
pub struct JoinableQueue<T> {
    state: Mutex<State<T>>,
    not_empty: Condvar,
    all_done: Condvar,
}

impl<T> Default for JoinableQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> JoinableQueue<T> {
    pub fn new() -> Self {
        Self {
            state: Mutex::new(State {
                items: VecDeque::new(),
                unfinished: 0,
            }),
            not_empty: Condvar::new(),
            all_done: Condvar::new(),
        }
    }

    pub fn put(&self, item: T) {
        let mut state = self.lock();
        state.items.push_back(item);
        state.unfinished += 1;
        drop(state);
        self.not_empty.notify_one();
    }

    pub fn get(&self) -> T {
        let mut state = self.lock();
        loop {
            if let Some(item) = state.items.pop_front() {
                return item;
            }
            state = self
                .not_empty
                .wait(state)
                .unwrap_or_else(|p| p.into_inner());
        }
    }

    pub fn get_timeout(&self, timeout: Duration) -> Result<T, Empty> {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        loop {
            if let Some(item) = state.items.pop_front() {
                return Ok(item);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Empty);
            }
            state = self
                .not_empty
                .wait_timeout(state, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// Marks one task taken with `get` as finished.
    pub fn task_done(&self) -> Result<(), TooManyTaskDone> {
        let mut state = self.lock();
        if state.unfinished == 0 {
            return Err(TooManyTaskDone);
        }
        state.unfinished -= 1;
        if state.unfinished == 0 {
            // Every joiner waits for the same event: wake them all.
            self.all_done.notify_all();
        }
        Ok(())
    }

    /// Waits until every item put so far is marked done.
    pub fn join(&self) {
        let mut state = self.lock();
        while state.unfinished > 0 {
            state = self.all_done.wait(state).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// As [`JoinableQueue::join`], for at most `timeout`; true if all were done.
    pub fn join_timeout(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        while state.unfinished > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            state = self
                .all_done
                .wait_timeout(state, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        true
    }

    /// Items put and not yet marked done.
    pub fn unfinished(&self) -> usize {
        self.lock().unfinished
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}
