//! # Exercise: self-deadlock
//!
//! The smallest deadlock needs one thread and one lock: take a lock you
//! already hold. Python's `threading.Lock` is not reentrant, so this method
//! hangs forever on its second `with` (an `RLock` would let it through):
//!
//! ```python
//! class Shelf:
//!     def contains(self, item):
//!         with self.lock:
//!             return item in self.items
//!
//!     def add_if_missing(self, item):
//!         with self.lock:
//!             if not self.contains(item):   # takes self.lock again
//!                 self.items.append(item)
//! ```
//!
//! `std::sync::Mutex` is not reentrant either; locking it twice on one
//! thread may hang or panic. Rust adds a second trap: a guard lives as long
//! as its *scope*, and a temporary guard created in the scrutinee of a
//! `match` lives until the end of the whole `match`, arms included. A call
//! in an arm that locks again waits for a guard that looks long gone.
//!
//! Two parts:
//!
//! 1. Build [`CheckedMutex`], a non-reentrant mutex that turns the hang into
//!    an error: `lock` first *tries* the inner `std::sync::Mutex`; if it is
//!    taken and the holder is the calling thread, it returns
//!    [`SelfDeadlock`] at once; if another thread holds it, it waits as
//!    usual. Record the holder's `ThreadId` when the lock is taken, and
//!    forget it in the guard's `Drop` *before* the inner lock is released.
//! 2. [`Shelf`] below is written, and two of its methods deadlock on their
//!    own thread: with your `CheckedMutex` they fail with "self-deadlock"
//!    instead of hanging. Fix [`Shelf::add_if_missing`] and
//!    [`Shelf::rotate`] so they finish, keeping what they do — each still
//!    one step that other threads cannot see halfway.
//!
//! A lock poisoned by a holder that panicked is still granted: its data is
//! intact.
//!
//! The tests check that a `CheckedMutex` locks and unlocks, that locking
//! twice on one thread is an error naming the lock while another thread
//! simply waits its turn, that every holder is told of its own second lock
//! also when four threads take turns (however it got the lock), that a
//! panic while holding it leaves it usable, that the shelf's methods finish
//! and do their job, also shared by four threads and when two threads add
//! the same item at the same instant, and that the guard is `Sync` only
//! when `T` is (a guard shared between threads hands out `&T`), the lock
//! `Send` and `Sync` only when `T` is `Send`.
//!
//! Stuck? `cargo course hint self_deadlock`.

use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

/// A thread asked for a lock it already holds: waiting would never end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelfDeadlock {
    /// The name of the lock.
    pub lock: String,
}

impl fmt::Display for SelfDeadlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "self-deadlock: this thread already holds lock `{}` and asked for it again",
            self.lock
        )
    }
}

impl std::error::Error for SelfDeadlock {}

/// A non-reentrant mutex that notices when its holder asks for it again.
pub struct CheckedMutex<T> {
    // Your fields here: the name, the holder's `ThreadId` (behind a small
    // lock of its own), and a `std::sync::Mutex<T>`.
    _todo: PhantomData<T>,
}

/// Access to the value of a [`CheckedMutex`]; dropping it releases the lock.
pub struct CheckedGuard<'a, T> {
    // Your fields here.
    _todo: PhantomData<&'a mut T>,
}

impl<T> CheckedMutex<T> {
    /// A lock called `name` guarding `value`.
    pub fn new(name: &str, value: T) -> Self {
        todo!()
    }

    /// Waits for the lock as usual, except when this very thread holds it:
    /// then it returns an error at once instead of waiting forever.
    pub fn lock(&self) -> Result<CheckedGuard<'_, T>, SelfDeadlock> {
        todo!()
    }
}

impl<T> Deref for CheckedGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        todo!()
    }
}

impl<T> DerefMut for CheckedGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        todo!()
    }
}

impl<T> Drop for CheckedGuard<'_, T> {
    /// Forgets the holder, then releases the lock.
    fn drop(&mut self) {
        todo!()
    }
}

/// A shelf of items, in order, behind one [`CheckedMutex`].
pub struct Shelf {
    items: CheckedMutex<VecDeque<String>>,
}

/// The message of every `expect` on the shelf's lock.
const RELOCK: &str = "the shelf's lock";

impl Default for Shelf {
    fn default() -> Self {
        Self::new()
    }
}

// The methods below are written for you. Two of them deadlock.
impl Shelf {
    /// An empty shelf.
    pub fn new() -> Self {
        Self {
            items: CheckedMutex::new("shelf", VecDeque::new()),
        }
    }

    /// Whether `item` is on the shelf.
    pub fn contains(&self, item: &str) -> bool {
        self.items.lock().expect(RELOCK).iter().any(|i| i == item)
    }

    /// Puts `item` at the back of the shelf.
    pub fn push_back(&self, item: &str) {
        self.items.lock().expect(RELOCK).push_back(item.to_string());
    }

    /// The items, front to back.
    pub fn items(&self) -> Vec<String> {
        self.items.lock().expect(RELOCK).iter().cloned().collect()
    }

    /// Adds `item` unless it is already there; returns whether it was added.
    /// Checking and adding happen under one lock, so two threads can't both
    /// add the same item. Fix it: it deadlocks.
    pub fn add_if_missing(&self, item: &str) -> bool {
        let mut items = self.items.lock().expect(RELOCK);
        if self.contains(item) {
            return false;
        }
        items.push_back(item.to_string());
        true
    }

    /// Moves the front item to the back and returns it, in one step: no
    /// other thread ever sees the shelf without that item. `None` on an
    /// empty shelf. Fix it: it deadlocks.
    pub fn rotate(&self) -> Option<String> {
        match self.items.lock().expect(RELOCK).pop_front() {
            Some(item) => {
                self.push_back(&item);
                Some(item)
            }
            None => None,
        }
    }
}
