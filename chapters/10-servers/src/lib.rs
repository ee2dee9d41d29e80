//! # Chapter 10: servers
//!
//! The tutorials end with a server: it accepts TCP connections and sends
//! every message back upper-cased, with a process for each client. This
//! chapter builds that server five ways and measures them against each
//! other: one client at a time, a process per client, a thread per client,
//! a bounded pool of threads, and an event loop that holds thousands of
//! clients on one thread. Then the program around it (signals, a graceful
//! stop) and a load generator that checks every answer and times it.
//!
//! Everything before comes together here: `fork` and reaping (chapter 1),
//! fd ownership (chapter 2), threads and queues (chapters 3 and 4), the
//! reactor of chapter 9. This chapter's crate stands alone: it reuses those
//! ideas, not those crates.
//!
//! `control` is given finished; start with `handler`, which every server
//! uses. `cargo course` tells you which exercise is next and
//! `cargo course watch` checks your work on every save.

// Unwritten bodies (`todo!()`) leave their parameters unused: that is expected
// here, not a mistake.
#![allow(unused_variables, dead_code)]

pub mod control;
pub mod event_loop;
pub mod forking_server;
pub mod graceful_shutdown;
pub mod handler;
pub mod load_generator;
pub mod pooled_server;
pub mod serial_server;
pub mod threaded_server;
