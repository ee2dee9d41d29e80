//! # Chapter 10: servers — reference solution
//!
//! The same public API as the skeleton in `chapters/10-servers`; the graded
//! tests in `tests/10-servers` run against both.

pub mod control;
pub mod event_loop;
pub mod forking_server;
pub mod graceful_shutdown;
pub mod handler;
pub mod load_generator;
pub mod pooled_server;
pub mod serial_server;
pub mod threaded_server;
