//! Helpers shared by the graded tests of every chapter.
//!
//! Graded tests run against student code that may hang, so every wait in a
//! test is bounded here rather than left to the runner's time limit, and
//! everything that changes from run to run (PIDs, thread ids, fds, times) is
//! replaced before a snapshot is compared.

pub mod deadline;
pub mod procs;
pub mod redact;
pub mod sched;
pub mod waiting;

pub use deadline::within;
pub use redact::{Redactor, snapshot_settings};
