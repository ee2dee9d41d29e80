//! Graded tests of chapter 3, threads. One module per exercise; the same
//! source is compiled against the skeleton and against the solution.

mod auto_traits;
mod fake_ping;
mod lookup_service;
mod meeting;

mod every_core;
mod job_thread;
mod lookups;
mod named_thread;
mod ping_sweep;
mod scoped;
mod send_sync;
mod thread_pool;
