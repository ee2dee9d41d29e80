//! # Chapter 7: deadlock — reference solution
//!
//! The same public API as the skeleton in `chapters/07-deadlock`; the graded
//! tests in `tests/07-deadlock` run against both.

pub mod backoff;
pub mod detector;
pub mod lock_order;
pub mod philosophers;
pub mod self_deadlock;
pub mod transfer_deadlock;
