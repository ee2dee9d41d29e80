//! # Exercise: a reentrant lock
//!
//! A plain lock taken twice by the same thread waits for itself for ever.
//! Python's `RLock` remembers its owner and a count instead: the owner may
//! take it again, and it is free once every acquire is matched by a release.
//! Releasing an `RLock` you do not hold raises `RuntimeError`.
//!
//! ```python
//! lock = RLock()
//! def outer():
//!     with lock:
//!         inner()        # takes the same lock again: fine with an RLock
//! def inner():
//!     with lock:
//!         ...
//! ```
//!
//! Build [`RLock`] from a `Mutex` around its state (the owner's
//! `ThreadId` and the depth) and a `Condvar` to wait on:
//!
//! - [`RLock::acquire`]: if another thread owns it, wait on the condvar (in
//!   a `while` loop: wakeups can be spurious, and another waiter may win);
//!   then become the owner, or go one deeper if you already were.
//! - [`RLock::release`]: only the owner may release ([`NotOwner`] otherwise,
//!   and nothing changes); the last release frees the lock and wakes a
//!   waiter.
//! - [`RLock::depth`]: how many times the *calling* thread holds it.
//!
//! The tests take it twice on one thread, check another thread waits until
//! the second release, sleeping (no spinning, no polling), that releasing
//! from the wrong thread or a free lock is an error, that a waiter woken
//! while the owner took the lock straight back waits again, and that four
//! threads taking it hundreds of times are never inside together.
//!
//! Stuck? `cargo course hint rlock`.

use std::fmt;

/// Releasing a lock this thread does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotOwner;

impl fmt::Display for NotOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("release of a lock this thread does not hold")
    }
}

impl std::error::Error for NotOwner {}

/// A lock that the thread holding it may take again; it is free once every
/// acquire has been matched by a release.
#[derive(Debug, Default)]
pub struct RLock {
    // Your fields: a `Mutex` around the owner and depth, and a `Condvar`.
}

impl RLock {
    /// A free lock.
    pub fn new() -> RLock {
        todo!()
    }

    /// Takes the lock, waiting while another thread holds it.
    pub fn acquire(&self) {
        todo!()
    }

    /// Gives back one acquire; the last one frees the lock.
    pub fn release(&self) -> Result<(), NotOwner> {
        todo!()
    }

    /// How many times the calling thread holds the lock (0 if it does not).
    pub fn depth(&self) -> usize {
        todo!()
    }
}
