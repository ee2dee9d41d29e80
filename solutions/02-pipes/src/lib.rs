//! # Chapter 2: pipes — reference solution
//!
//! The same public API as the skeleton in `chapters/02-pipes`; the graded
//! tests in `tests/02-pipes` run against both.

pub mod capacity_trap;
pub mod duplex;
pub mod fd_table;
pub mod one_way_pipe;
pub mod pipeline;
pub mod poll_timeout;
