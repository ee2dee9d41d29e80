//! # Chapter 8: thread-local data — reference solution
//!
//! The same public API as the skeleton in `chapters/08-thread-local`; the
//! graded tests in `tests/08-thread-local` run against both.

pub mod context;
pub mod counters;
pub mod fresh_locals;
pub mod pool_context;
pub mod scratch_buffer;
