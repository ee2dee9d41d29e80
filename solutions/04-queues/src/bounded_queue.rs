//! Bounded blocking queue: the reference solution. The statement is in
//! `chapters/04-queues/src/bounded_queue.rs`.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::sync::{Condvar, Mutex, MutexGuard};

/// The queue was full: the item comes back to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full<T>(pub T);

/// The queue was empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Empty;

/// A FIFO queue shared by threads, with Python's `queue.Queue` surface.
pub struct BoundedQueue<T> {
    items: Mutex<VecDeque<T>>,
    maxsize: usize,
    // Two condition variables, so a `put` wakes getters and a `get` wakes
    // putters, never the wrong side.
    not_empty: Condvar,
    not_full: Condvar,
}

impl<T> BoundedQueue<T> {
    /// A queue that holds at most `maxsize` items; 0 means no limit.
    pub fn new(maxsize: usize) -> Self {
        Self {
            items: Mutex::new(VecDeque::new()),
            maxsize,
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
        }
    }

    pub fn maxsize(&self) -> usize {
        self.maxsize
    }

    /// Adds `item`, waiting for room as long as it takes.
    pub fn put(&self, item: T) {
        let mut items = self.lock();
        while self.is_full(&items) {
            items = self.not_full.wait(items).unwrap_or_else(|p| p.into_inner());
        }
        self.push(items, item);
    }

    /// Adds `item`, waiting at most `timeout` for room.
    pub fn put_timeout(&self, item: T, timeout: Duration) -> Result<(), Full<T>> {
        let deadline = Instant::now() + timeout;
        let mut items = self.lock();
        // A loop, not one wait: a wake-up may be spurious, or another putter
        // may have taken the free slot first.
        while self.is_full(&items) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Full(item));
            }
            items = self
                .not_full
                .wait_timeout(items, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        self.push(items, item);
        Ok(())
    }

    /// Adds `item` if there is room now.
    pub fn put_nowait(&self, item: T) -> Result<(), Full<T>> {
        let items = self.lock();
        if self.is_full(&items) {
            return Err(Full(item));
        }
        self.push(items, item);
        Ok(())
    }

    /// Takes the oldest item, waiting as long as it takes.
    pub fn get(&self) -> T {
        let mut items = self.lock();
        loop {
            if let Some(item) = items.pop_front() {
                return self.popped(items, item);
            }
            items = self
                .not_empty
                .wait(items)
                .unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Takes the oldest item, waiting at most `timeout` for one.
    pub fn get_timeout(&self, timeout: Duration) -> Result<T, Empty> {
        let deadline = Instant::now() + timeout;
        let mut items = self.lock();
        loop {
            if let Some(item) = items.pop_front() {
                return Ok(self.popped(items, item));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Empty);
            }
            items = self
                .not_empty
                .wait_timeout(items, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// Takes the oldest item if there is one now.
    pub fn get_nowait(&self) -> Result<T, Empty> {
        let mut items = self.lock();
        match items.pop_front() {
            Some(item) => Ok(self.popped(items, item)),
            None => Err(Empty),
        }
    }

    /// How many items wait now. By the time the caller looks, it may differ.
    pub fn qsize(&self) -> usize {
        self.lock().len()
    }

    pub fn empty(&self) -> bool {
        self.lock().is_empty()
    }

    pub fn full(&self) -> bool {
        self.is_full(&self.lock())
    }

    fn lock(&self) -> MutexGuard<'_, VecDeque<T>> {
        // No code here panics while holding the lock, so a poisoned lock
        // still guards a consistent queue.
        self.items.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn is_full(&self, items: &VecDeque<T>) -> bool {
        self.maxsize > 0 && items.len() >= self.maxsize
    }

    fn push(&self, mut items: MutexGuard<'_, VecDeque<T>>, item: T) {
        items.push_back(item);
        drop(items);
        self.not_empty.notify_one();
    }

    fn popped(&self, items: MutexGuard<'_, VecDeque<T>>, item: T) -> T {
        drop(items);
        self.not_full.notify_one();
        item
    }
}
