//! Graded tests of chapter 9, coroutines. One module per exercise; the same
//! source is compiled against the skeleton and against the solution.

mod executor;
mod generator;
mod no_locks;
mod oneshot_future;
mod reactor;
mod task_pool;
mod task_table;
mod timers;
mod with_tokio;

/// Not exercises: the local look-up server the I/O tests talk to, wakers
/// of the tests' own, CPU time and thread counts, and a test run in a
/// process of its own.
mod alone;
mod cpu;
mod server;
mod wakers;
