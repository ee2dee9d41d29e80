//! Draining a queue: the reference solution. The statement is in
//! `chapters/04-queues/src/drain.rs`.

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

/// Takes the items that were in `queue` when the call began, without waiting.
pub fn drain<Q: Drainable + ?Sized>(queue: &Q) -> Vec<Q::Item> {
    // "Currently" is fixed once, here: items put after this line belong to
    // the next caller, so a producer faster than us cannot keep us here.
    let present = queue.len();
    let mut taken = Vec::with_capacity(present);
    while taken.len() < present {
        // Another consumer may have taken some of them: fewer, never a wait.
        match queue.try_take() {
            Some(item) => taken.push(item),
            None => break,
        }
    }
    taken
}
