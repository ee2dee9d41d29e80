//! # Chapter 4: queues
//!
//! A queue hands values from the threads or processes that make them to the
//! ones that use them, in order, and makes each side wait when it must: a
//! getter while the queue is empty, a putter while it is full. Python has
//! `queue.Queue` for threads and `multiprocessing.Queue` for processes. In
//! this chapter you build both, the shutdown of producers and consumers, the
//! joinable queue, a parallel map that keeps order, and the draining helper
//! that tutorials get subtly wrong.
//!
//! Work through the modules in order; `cargo course` tells you which is next
//! and `cargo course watch` checks your work on every save.

// Unwritten bodies (`todo!()`) leave their parameters unused: that is expected
// here, not a mistake.
#![allow(unused_variables, dead_code)]

pub mod bounded_queue;
pub mod channel_queue;
pub mod drain;
pub mod joinable_queue;
pub mod ordered_map;
pub mod process_queue;
pub mod producers_consumers;
pub mod sync;
