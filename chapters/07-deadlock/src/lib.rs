//! # Chapter 7: deadlock
//!
//! Two threads, two locks: each holds one and waits for the other, and both
//! wait forever. Python programs meet this with `threading.Lock` as soon as
//! two locks are taken in different orders; nothing crashes, the program just
//! stops. In this chapter you make deadlocks happen on purpose, detect them
//! without hanging, and remove them: a global lock order, try-lock with
//! back-off, a waiter at the philosophers' table, a detector that finds the
//! cycle of waits, and the self-deadlocks Rust's guards can hide.
//!
//! Work through the modules in order; `cargo course` tells you which is next
//! and `cargo course watch` checks your work on every save.

// Unwritten bodies (`todo!()`) leave their parameters unused: that is expected
// here, not a mistake.
#![allow(unused_variables, dead_code)]

pub mod transfer_deadlock;

pub mod lock_order;

pub mod backoff;

pub mod philosophers;

pub mod detector;

pub mod self_deadlock;
