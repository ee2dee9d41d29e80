//! # Chapter 8: thread-local data
//!
//! A global variable is one value for the whole process; a thread-local is
//! one value *per thread*, under one name. Python spells it
//! `threading.local()`: every thread that writes `data.name = ...` writes
//! its own copy. Rust spells it `thread_local!`. In this chapter you use
//! thread-locals to carry a context down a call chain, to count without
//! contention, and to reuse a buffer; you see them start fresh in every
//! thread and survive `fork` in the one thread that forked; and you meet
//! the trap: work handed to another thread sees *that* thread's values.
//!
//! Work through the modules in order; `cargo course` tells you which is next
//! and `cargo course watch` checks your work on every save.

// Unwritten bodies (`todo!()`) leave their parameters unused: that is expected
// here, not a mistake.
#![allow(unused_variables, dead_code)]

pub mod context;

pub mod counters;

pub mod fresh_locals;

pub mod scratch_buffer;

pub mod pool_context;
