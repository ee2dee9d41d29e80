//! # Chapter 1: processes
//!
//! A program is a file on disk; a process is a program running, with its own
//! memory, its own PID and a parent that waits for it. Python's
//! `multiprocessing` wraps `fork`, `waitpid` and signals in a `Process` class,
//! a `Pool` and a `ProcessPoolExecutor`. In this chapter you build those same
//! tools on the system calls themselves, through the `nix` crate.
//!
//! Work through the modules in order; `cargo course` tells you which is next
//! and `cargo course watch` checks your work on every save.

// Unwritten bodies (`todo!()`) leave their parameters unused: that is expected
// here, not a mistake.
#![allow(unused_variables, dead_code)]

pub mod daemon;
pub mod fork_wait;
pub mod pool;
pub mod pool_executor;
pub mod process;
pub mod run_program;
pub mod start_methods;
pub mod task;
pub mod zombies;

// Message framing for the pool's pipes: given finished, read it and use it.
mod wire;
