//! # Chapter 5: manager-style shared memory
//!
//! Processes share no memory: after `fork` each has its own copy of every
//! variable. Python offers two ways around that. `multiprocessing.Value` and
//! `Array` put numbers in memory that really is shared, mapped before the
//! fork. A `Manager` starts a server process that owns ordinary objects (a
//! dict, a list) and hands out proxies that send every operation to it. In
//! this chapter you build both: shared mappings with `mmap`, then a manager
//! with its proxies, first over a Unix socket and then over TCP with a key.
//!
//! Work through the modules in order; `cargo course` tells you which is next
//! and `cargo course watch` checks your work on every save.

// Unwritten bodies (`todo!()`) leave their parameters unused: that is expected
// here, not a mistake.
#![allow(unused_variables, dead_code)]

pub mod lost_update;
pub mod manager;
pub mod proxy_gotcha;
pub mod remote_manager;
pub mod shared_array;
pub mod shared_counter;
