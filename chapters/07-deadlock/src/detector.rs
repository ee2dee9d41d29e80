//! # Exercise: a deadlock detector
//!
//! Databases do not let a deadlock hang: they keep a *wait-for graph*, with
//! an arrow from each waiting transaction to the one holding what it waits
//! for, and when an arrow would close a cycle they refuse that wait and
//! roll one transaction back. Python has no such thing for
//! `threading.Lock`; you build it here for threads.
//!
//! ```text
//!   alice ──waits for lock B──▶ bob
//!     ▲                          │
//!     └────waits for lock A──────┘     a cycle: nobody can ever go on
//! ```
//!
//! - A [`Registry`] is shared by every [`TrackedMutex`] of a program. It
//!   records which thread holds each lock and which lock each thread waits
//!   for, under one `std::sync::Mutex` of its own, with a `Condvar` to wake
//!   waiters when a lock is released. [`Registry::waiting`] lists who is
//!   blocked now.
//! - [`TrackedMutex::lock`] grants a free lock at once. If another thread
//!   holds it, it follows the arrows: from the holder to the lock that
//!   holder waits for, to *its* holder, and so on. If the path comes back to
//!   the calling thread, waiting would never end: `lock` returns a
//!   [`DeadlockReport`] and waits for nothing. Otherwise it records that it
//!   waits and sleeps until a release, then looks again. Do the check and
//!   the "I wait" record under one lock of the registry, so that of two
//!   threads closing a cycle at the same moment, the second one sees it.
//! - A thread asking for a lock it holds itself is a cycle of one.
//! - [`TrackedGuard`] gives access to the value (`Deref`, `DerefMut`) and
//!   releases the lock when dropped.
//!
//! The report lists each thread of the cycle, the lock it holds that the
//! previous thread wants, and the lock it waits for, starting with the
//! thread whose name sorts first (who closes the cycle depends on timing;
//! the report must not). Thread names come from `thread::current().name()`.
//!
//! The tests build rings of two and three named threads that each hold one
//! lock and wait for the next: the last to reach for its lock is refused
//! with the cycle (compared with a snapshot), and once it lets go, every
//! other thread gets its lock and nobody is left listed as waiting. They
//! check a lock taken twice, the waiting list, that two threads closing a
//! cycle at the same instant are not both put to sleep (round after round),
//! that releasing two locks wakes both their waiters, that a blocked `lock`
//! sleeps (no spinning, no polling), that a correct program — lots of
//! waiting, locks always taken in one order — is never refused, and that
//! the guard is `Sync` only when `T` is (a guard shared between threads
//! hands out `&T`), the lock `Send` and `Sync` only when `T` is `Send`.
//!
//! Stuck? `cargo course hint detector`.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// One thread in a deadlock: the lock it holds that the previous thread of
/// the cycle wants, and the lock it waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitEdge {
    /// The thread's name.
    pub thread: String,
    /// The name of the lock it holds.
    pub holds: String,
    /// The name of the lock it waits for.
    pub waits_for: String,
}

/// A cycle in the wait-for graph: each thread waits for a lock the next one
/// holds, and the last waits for a lock the first holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlockReport {
    /// Starts with the thread whose name sorts first.
    pub cycle: Vec<WaitEdge>,
}

impl fmt::Display for DeadlockReport {
    /// ```text
    /// deadlock: 2 threads in a cycle
    ///   alice holds `lock A` and waits for `lock B`
    ///   bob holds `lock B` and waits for `lock A`
    /// ```
    /// ("1 thread" for a cycle of one.)
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        todo!()
    }
}

impl std::error::Error for DeadlockReport {}

/// What every [`TrackedMutex`] of one program shares: the wait-for graph.
pub struct Registry {
    // Your fields here: the graph behind a `Mutex`, and a `Condvar`.
    _todo: (),
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        todo!()
    }

    /// The threads blocked in [`TrackedMutex::lock`] now, as
    /// `(thread name, lock name)`, sorted.
    pub fn waiting(&self) -> Vec<(String, String)> {
        todo!()
    }
}

/// A mutex that records its holder and its waiters in a [`Registry`], and
/// refuses to wait when waiting would close a cycle.
pub struct TrackedMutex<T> {
    // Your fields here: the registry, this lock's place in it, the value.
    _todo: PhantomData<T>,
}

/// Access to the value of a [`TrackedMutex`]; dropping it releases the lock.
pub struct TrackedGuard<'a, T> {
    // Your fields here.
    _todo: PhantomData<&'a mut T>,
}

impl<T> TrackedMutex<T> {
    /// A lock called `name`, recorded in `registry`.
    pub fn new(registry: &Arc<Registry>, name: &str, value: T) -> Self {
        todo!()
    }

    /// Waits for the lock, unless waiting would deadlock: then returns the
    /// cycle instead, and this thread waits for nothing.
    pub fn lock(&self) -> Result<TrackedGuard<'_, T>, DeadlockReport> {
        todo!()
    }
}

impl<T> Deref for TrackedGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        todo!()
    }
}

impl<T> DerefMut for TrackedGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        todo!()
    }
}

impl<T> Drop for TrackedGuard<'_, T> {
    /// Releases the lock in the registry and wakes the waiters.
    fn drop(&mut self) {
        todo!()
    }
}
