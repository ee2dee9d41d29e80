//! # Chapter 3: threads — reference solution
//!
//! The same public API as the skeleton in `chapters/03-threads`; the graded
//! tests in `tests/03-threads` run against both.

pub mod every_core;
pub mod job_thread;
pub mod lookups;
pub mod named_thread;
pub mod ping_sweep;
pub mod scoped;
pub mod send_sync;
pub mod thread_pool;
