//! # Chapter 4: queues — reference solution
//!
//! The same public API as the skeleton in `chapters/04-queues`; the graded
//! tests in `tests/04-queues` run against both.

pub mod bounded_queue;
pub mod channel_queue;
pub mod drain;
pub mod joinable_queue;
pub mod ordered_map;
pub mod process_queue;
pub mod producers_consumers;
pub mod sync;
