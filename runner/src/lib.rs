//! `cargo course`: the forklings grading runner, as a library; the binary
//! (`src/main.rs`) only calls [`cli::main`].
//!
//! The model of the course is in `course`, the build in `cargo_build`, one
//! test under limits in `sandbox`, the scheduling in `driver`, the words for
//! students in `explain`, the result model in `results` and its formats in
//! `report`; each command is a file under `commands/`, and the command line
//! is `cli`.

pub mod api;
pub mod aside;
pub mod cargo_build;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod course;
pub mod driver;
pub mod errno_words;
pub mod explain;
pub mod grading_copy;
pub mod guard;
pub mod harness;
pub mod isolate;
pub mod mistakes;
pub mod panics;
pub mod pristine;
pub mod procfs;
pub mod progress;
pub mod reaper;
pub mod report;
pub mod results;
pub mod sandbox;
pub mod source_check;
pub mod stall;
pub mod submission;
pub mod tamper;
pub mod term;
pub mod verdict;
pub mod watch;
