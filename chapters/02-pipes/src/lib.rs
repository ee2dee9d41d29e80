//! # Chapter 2: pipes
//!
//! A pipe is a one-way byte stream inside the kernel with two ends: bytes
//! written to the write end come out of the read end, in order. Python's
//! `multiprocessing.Pipe()` wraps two of them into a pair of connections that
//! `send` and `recv` whole objects. In this chapter you build that from the
//! system calls up: one-way pipes between parent and child, framed and typed
//! messages both ways, waiting with a timeout, shell pipelines, the trap of a
//! full pipe, and the fd table that holds it all.
//!
//! Work through the modules in order; `cargo course` tells you which is next
//! and `cargo course watch` checks your work on every save.

// Unwritten bodies (`todo!()`) leave their parameters unused: that is expected
// here, not a mistake.
#![allow(unused_variables, dead_code)]

pub mod capacity_trap;
pub mod duplex;
pub mod fd_table;
pub mod one_way_pipe;
pub mod pipeline;
pub mod poll_timeout;
