//! # Chapter 1: processes — reference solution
//!
//! The same public API as the skeleton in `chapters/01-processes`; the graded
//! tests in `tests/01-processes` run against both.

pub mod fork_wait;
