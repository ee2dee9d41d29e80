//! # Chapter 3: threads
//!
//! A process can run several threads: each has its own stack and its own
//! place in the code, and all of them share the process's memory. Python's
//! `threading` starts them with a target and a name, `concurrent.futures`
//! hands them work through a pool. In this chapter you start, name and join
//! threads in Rust, see what the compiler lets cross from one thread to
//! another (`Send`, `Sync`), show that Rust's threads run on every core, and
//! use threads for the tutorials' two classic jobs: sweeping a range of
//! hosts with one command each, and a batch of look-ups stored in a table.
//!
//! Work through the modules in order; `cargo course` tells you which is next
//! and `cargo course watch` checks your work on every save.

// Unwritten bodies (`todo!()`) leave their parameters unused: that is expected
// here, not a mistake.
#![allow(unused_variables, dead_code)]

pub mod every_core;
pub mod job_thread;
pub mod lookups;
pub mod named_thread;
pub mod ping_sweep;
pub mod scoped;
pub mod send_sync;
pub mod thread_pool;
