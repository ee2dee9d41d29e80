//! # Chapter 9: coroutines
//!
//! A coroutine is a function that can pause and resume inside one thread.
//! Python spells it `yield` (generators) and `async def` / `await`; gevent
//! hides it behind `gevent.spawn` and `gevent.joinall`, switching greenlets
//! whenever one waits for the network. Switching is cheap, happens only at
//! the points where a task waits, and so needs no locks.
//!
//! Rust's `async fn` compiles to the same thing: a state machine that a
//! caller polls. Nothing runs it for you: in this chapter you build the
//! pieces a runtime is made of — a generator, a future with a waker, an
//! executor, timers, a reactor for sockets, a bounded pool — with std, nix
//! and crossbeam, and then meet tokio, the runtime most Rust services use,
//! in the last exercise.
//!
//! Work through the modules in order: each one builds on the ones before
//! (the timers, the reactor and the pool run on *your* executor).
//! `cargo course` tells you which is next and `cargo course watch` checks
//! your work on every save.

// Unwritten bodies (`todo!()`) leave their parameters unused: that is expected
// here, not a mistake.
#![allow(unused_variables, dead_code)]

pub mod executor;
pub mod generator;
pub mod no_locks;
pub mod oneshot_future;
pub mod reactor;
pub mod task_pool;
pub mod task_table;
pub mod timers;
pub mod with_tokio;
