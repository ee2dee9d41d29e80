//! # Exercise: per-thread counters
//!
//! Many threads counting into one shared counter fight over it: every
//! increment is a lock or an atomic that bounces between cores. Counting
//! into a thread-local is free, but then the counts must be collected. In
//! Python one might keep a count in `threading.local()` and hand it in when
//! the thread's work is over. Here are two ways that need no hand-in call:
//!
//! 1. **A destructor at thread exit.** A value stored in a `thread_local!`
//!    is dropped when its thread exits. [`start_counting`] stores, in this
//!    thread, a tally holding the thread's name, a count and the `Sender`
//!    given; [`count`] adds to it; the tally's `Drop` sends a
//!    [`ThreadTotal`]. Nothing is sent while the thread runs. (Take the
//!    thread's name in `start_counting`: by the time the destructor runs,
//!    the thread is being torn down.)
//! 2. **One slot per thread, kept by the owner.** [`PerThread`] gives each
//!    thread its own value, made on the thread's first
//!    [`PerThread::get_or`], and keeps every slot, so that after the threads
//!    are joined [`PerThread::values`] lists what each one left. A thread
//!    asks for its slot and gets an `Arc` to it; the same thread always gets
//!    the same slot. (A `Mutex` around a map from `ThreadId` is fine: a
//!    thread finds its slot once, then works on it without the lock.)
//!
//! The tests check that each thread's exact total arrives once, and only
//! once the thread has exited; that calling `start_counting` again sends the
//! old count at once and starts the new one from zero; that counting before
//! `start_counting` sends nothing; that four threads get four slots whose
//! counts add up exactly; that a slot is made once per thread; and that
//! `values` lists the slots in the order the threads first asked.
//!
//! Stuck? `cargo course hint counters`.

use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::mpsc::Sender;

/// One thread's count, sent when the thread exits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadTotal {
    /// The thread's name (its `ThreadId` in `Debug` form if it has none).
    pub thread: String,
    pub total: u64,
}

/// From now on, [`count`] on this thread adds to a counter that is sent to
/// `sink` when the thread exits. Calling it again sends the old count first.
pub fn start_counting(sink: Sender<ThreadTotal>) {
    todo!()
}

/// Adds `n` to this thread's counter; does nothing before [`start_counting`].
pub fn count(n: u64) {
    todo!()
}

/// One value per thread that touched it, kept after the threads are gone.
pub struct PerThread<T> {
    // Your fields here.
    _todo: PhantomData<T>,
}

impl<T> Default for PerThread<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> PerThread<T> {
    /// An empty container.
    pub fn new() -> Self {
        todo!()
    }

    /// This thread's slot, made with `init` on the thread's first call.
    pub fn get_or(&self, init: impl FnOnce() -> T) -> Arc<T> {
        todo!()
    }

    /// Every slot, in the order the threads first asked for theirs. After
    /// the threads are joined, these are their final values.
    pub fn values(&self) -> Vec<Arc<T>> {
        todo!()
    }
}
