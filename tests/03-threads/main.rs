//! Graded tests of chapter 3, threads. One module per exercise; the same
//! source is compiled against the skeleton and against the solution.

mod meeting;

mod job_thread;
mod named_thread;
