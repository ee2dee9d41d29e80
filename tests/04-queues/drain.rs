use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::time::Duration;

use crossbeam::channel;
use forklings_support::within;
use queues::drain::{Drainable, drain};

const LIMIT: Duration = Duration::from_secs(5);

/// A queue under test control: `refill` items arrive for every one taken (a
/// producer faster than the drain), and `stolen` items vanish after `len` is
/// read (another consumer got there first).
struct Scripted {
    items: RefCell<VecDeque<u32>>,
    next: Cell<u32>,
    refill: u32,
    stolen: usize,
}

impl Scripted {
    fn new(start: u32, refill: u32, stolen: usize) -> Self {
        Self {
            items: RefCell::new((0..start).collect()),
            next: Cell::new(start),
            refill,
            stolen,
        }
    }
}

impl Drainable for Scripted {
    type Item = u32;
    fn len(&self) -> usize {
        let len = self.items.borrow().len();
        for _ in 0..self.stolen.min(len) {
            self.items.borrow_mut().pop_front();
        }
        len
    }
    fn try_take(&self) -> Option<u32> {
        let item = self.items.borrow_mut().pop_front()?;
        for _ in 0..self.refill {
            self.items.borrow_mut().push_back(self.next.get());
            self.next.set(self.next.get() + 1);
        }
        Some(item)
    }
}

#[test]
fn an_empty_queue_gives_an_empty_list_at_once() {
    let out = within(
        LIMIT,
        "drain of an empty queue (it must not wait for an item)",
        || {
            let (_tx, rx) = channel::unbounded::<u8>();
            drain(&rx)
        },
    );
    assert!(out.is_empty());
}

#[test]
fn everything_present_comes_out_in_order_and_the_queue_is_left_empty() {
    let (out, left) = within(LIMIT, "drain", || {
        let (tx, rx) = channel::bounded(100);
        (0..100).for_each(|i| tx.send(i).expect("send"));
        let out = drain(&rx);
        (out, rx.len())
    });
    assert_eq!(out, (0..100).collect::<Vec<_>>());
    assert_eq!(left, 0);
}

#[test]
fn a_producer_faster_than_the_drain_cannot_keep_it_going() {
    // Every item taken brings two more: "until empty" never ends. The items
    // present at the start are the answer; the rest wait for the next call.
    let out = within(
        LIMIT,
        "drain while a producer outpaces it (it never stopped: take only what was there when it began)",
        || {
            let queue = Scripted::new(5, 2, 0);
            let out = drain(&queue);
            let left = queue.items.borrow().len();
            (out, left)
        },
    );
    assert_eq!(out, ((0..5).collect::<Vec<_>>(), 10));
}

#[test]
fn items_taken_by_another_consumer_are_not_waited_for() {
    // len says 6, but 4 of them go to another consumer before we take any.
    let out = within(
        LIMIT,
        "drain after another consumer took items (it must not wait or spin for them)",
        || drain(&Scripted::new(6, 0, 4)),
    );
    assert_eq!(out, [4, 5]);
}

#[test]
fn a_channel_whose_senders_are_gone_still_drains() {
    let out = within(LIMIT, "drain", || {
        let (tx, rx) = channel::unbounded();
        tx.send("last words").expect("send");
        drop(tx);
        drain(&rx)
    });
    assert_eq!(out, ["last words"]);
}
