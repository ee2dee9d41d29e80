//! # Exercise: producers and consumers, and a clean shutdown
//!
//! The classic Python program: some threads put work on a queue, others take
//! it off. The hard part is the end. How does a consumer blocked in `get`
//! learn that no more work will come?
//!
//! ```python
//! STOP = object()
//! def consumer(q, out):
//!     while (item := q.get()) is not STOP:
//!         out.append(item)
//! ...
//! for p in producers: p.join()
//! for _ in consumers: q.put(STOP)     # one sentinel per consumer
//! ```
//!
//! Two answers, build both on a `crossbeam::channel::bounded(capacity)`:
//! - [`with_sentinels`]: a special message means "stop". Send one per
//!   consumer, and only once every producer has finished: a sentinel sent
//!   earlier can overtake a producer's last items.
//! - [`with_disconnect`]: Rust's channels say when every `Sender` is gone.
//!   Drop every sender (your own too) and the consumers' `recv` fails once
//!   the channel is empty: the end comes without any special value.
//!
//! Producer `p` puts `Item { producer: p, seq }` for `seq` in
//! `0..per_producer`, in that order. Each consumer returns the items it
//! took, in the order it took them; the function returns one list per
//! consumer.
//!
//! The tests (property-tested over producer count, consumer count, capacity
//! and item count) check that every item is consumed exactly once, and that
//! in each consumer's list every producer's items keep their order. They
//! also run 3 producers and 2 consumers in a process of their own and count
//! its threads: all five must be alive at once (producers run one after
//! another, or no threads at all, fail). A consumer that never stops fails
//! with a message, not a frozen run.
//!
//! Stuck? `cargo course hint producers_consumers`.

/// One item: who made it and its place in that producer's sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Item {
    pub producer: usize,
    pub seq: usize,
}

/// Runs `producers` producer threads and `consumers` consumer threads on a
/// channel of `capacity` (at least 1), stopping the consumers with
/// sentinels. Returns what each consumer took.
pub fn with_sentinels(
    producers: usize,
    consumers: usize,
    capacity: usize,
    per_producer: usize,
) -> Vec<Vec<Item>> {
    todo!()
}

/// The same, stopping the consumers by disconnecting the channel.
pub fn with_disconnect(
    producers: usize,
    consumers: usize,
    capacity: usize,
    per_producer: usize,
) -> Vec<Vec<Item>> {
    todo!()
}
