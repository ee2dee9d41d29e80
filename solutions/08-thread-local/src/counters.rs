//! Per-thread counters: the reference solution. The statement is in
//! `chapters/08-thread-local/src/counters.rs`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, ThreadId};

/// One thread's count, sent when the thread exits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadTotal {
    pub thread: String,
    pub total: u64,
}

/// This thread's running count and where to send it at the end.
struct Tally {
    thread: String,
    total: u64,
    sink: Sender<ThreadTotal>,
}

impl Drop for Tally {
    fn drop(&mut self) {
        // Runs when the thread-local is destroyed, as the thread exits. The
        // receiver may be gone already; a lost total is then nobody's loss.
        let _ = self.sink.send(ThreadTotal {
            thread: std::mem::take(&mut self.thread),
            total: self.total,
        });
    }
}

thread_local! {
    static TALLY: RefCell<Option<Tally>> = const { RefCell::new(None) };
}

/// From now on, [`count`] on this thread adds to a counter that is sent to
/// `sink` when the thread exits.
pub fn start_counting(sink: Sender<ThreadTotal>) {
    let thread = thread::current()
        .name()
        .map_or_else(|| format!("{:?}", thread::current().id()), str::to_owned);
    let previous = TALLY.replace(Some(Tally {
        thread,
        total: 0,
        sink,
    }));
    // An earlier tally on this thread reports now, as it is replaced.
    drop(previous);
}

/// Adds `n` to this thread's counter; does nothing before [`start_counting`].
pub fn count(n: u64) {
    TALLY.with_borrow_mut(|tally| {
        if let Some(tally) = tally {
            tally.total += n;
        }
    });
}

/// The slots in first-use order, and where each thread's slot is.
struct Slots<T> {
    values: Vec<Arc<T>>,
    by_thread: HashMap<ThreadId, usize>,
}

/// One value per thread that touched it, kept after the threads are gone.
pub struct PerThread<T> {
    // The lock is taken once per thread to find its slot; the thread keeps
    // the `Arc` and works on its own value without it.
    slots: Mutex<Slots<T>>,
}

impl<T> Default for PerThread<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> PerThread<T> {
    /// An empty container.
    pub fn new() -> Self {
        Self {
            slots: Mutex::new(Slots {
                values: Vec::new(),
                by_thread: HashMap::new(),
            }),
        }
    }

    /// This thread's slot, made with `init` on the thread's first call.
    pub fn get_or(&self, init: impl FnOnce() -> T) -> Arc<T> {
        let me = thread::current().id();
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        let at = match slots.by_thread.get(&me) {
            Some(&at) => at,
            None => {
                slots.values.push(Arc::new(init()));
                let at = slots.values.len() - 1;
                slots.by_thread.insert(me, at);
                at
            }
        };
        Arc::clone(&slots.values[at])
    }

    /// Every slot, in the order the threads first asked for theirs. After
    /// the threads are joined, these are their final values.
    pub fn values(&self) -> Vec<Arc<T>> {
        let slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots.values.clone()
    }
}
