//! # Exercise: draining a queue
//!
//! Python tutorials often collect the results left in a queue like this:
//!
//! ```python
//! def drain(q):
//!     out = []
//!     while not q.empty():
//!         out.append(q.get())
//!     return out
//! ```
//!
//! It looks right and fails two ways. If another consumer takes the last
//! item between `empty()` and `get()`, the `get` blocks forever. And while a
//! producer still runs, "until empty" may never come: each item taken makes
//! room for the next one put.
//!
//! So say what *currently* means. Here: **the items in the queue at the
//! moment `drain` starts**, as counted by one `len()` at the start. `drain`
//! takes at most that many, in order, never waits (it uses `try_take`), and
//! stops early if the queue runs dry because someone else took some. Items
//! put after the start stay in the queue for the next call. The result is
//! a snapshot: by the time the caller looks, the queue may hold more.
//!
//! [`Drainable`] is the little a drain needs from a queue; it is already
//! implemented for crossbeam's `Receiver`. Build [`drain`].
//!
//! The tests drain empty and full channels, a queue whose producer adds two
//! items for every one taken (a drain "until empty" never ends), and one
//! where another consumer takes items after `len` was read.
//!
//! Stuck? `cargo course hint drain`.

use crossbeam::channel::Receiver;

/// A queue that can say how many items it holds and give one without waiting.
pub trait Drainable {
    type Item;
    /// How many items the queue holds at this moment.
    fn len(&self) -> usize;
    /// True if the queue holds nothing at this moment.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// One item if there is one now; never waits.
    fn try_take(&self) -> Option<Self::Item>;
}

impl<T> Drainable for Receiver<T> {
    type Item = T;
    fn len(&self) -> usize {
        Receiver::len(self)
    }
    fn try_take(&self) -> Option<T> {
        self.try_recv().ok()
    }
}

/// Takes the items that were in `queue` when the call began, in order,
/// without waiting.
pub fn drain<Q: Drainable + ?Sized>(queue: &Q) -> Vec<Q::Item> {
    todo!()
}
