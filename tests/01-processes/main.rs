//! Graded tests of chapter 1, processes. One module per exercise; the same
//! source is compiled against the skeleton and against the solution.

mod bystander;
mod interrupts;
mod jobs;

mod daemon;
mod fork_wait;
mod pool;
mod pool_executor;
mod process;
mod run_program;
mod start_methods;
mod task;
mod zombies;
