//! # Chapter 6: locks
//!
//! Two threads that change one variable can lose each other's changes:
//! "read, add, write back" is three steps, and another thread can run in
//! between. Python's `threading` module answers with `Lock`, `RLock`,
//! `Semaphore`, `Condition`, `Event` and `Barrier`, and `multiprocessing`
//! with the same names across processes. In this chapter you show the lost
//! update in safe Rust, then build each of those tools yourself: a spin lock
//! on an atomic, the rest on `Mutex` and `Condvar`, a lock shared by
//! processes, and what happens to a lock when its holder panics.
//!
//! Work through the modules in order; `cargo course` tells you which is next
//! and `cargo course watch` checks your work on every save.

// Unwritten bodies (`todo!()`) leave their parameters unused: that is expected
// here, not a mistake.
#![allow(unused_variables, dead_code)]

pub mod barrier;
pub mod event;
pub mod poisoning;
pub mod process_lock;
pub mod racy_counter;
pub mod rlock;
pub mod semaphore;
pub mod spin_lock;
pub mod sync;
