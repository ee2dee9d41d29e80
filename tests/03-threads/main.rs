//! Graded tests of chapter 3, threads. One module per exercise; the same
//! source is compiled against the skeleton and against the solution.

mod auto_traits;
mod meeting;

mod job_thread;
mod named_thread;
mod scoped;
mod send_sync;
