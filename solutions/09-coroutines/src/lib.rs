//! # Chapter 9: coroutines — reference solution
//!
//! The same public API as the skeleton in `chapters/09-coroutines`; the graded
//! tests in `tests/09-coroutines` run against both.

pub mod executor;
pub mod generator;
pub mod no_locks;
pub mod oneshot_future;
pub mod reactor;
pub mod task_pool;
pub mod task_table;
pub mod timers;
pub mod with_tokio;
