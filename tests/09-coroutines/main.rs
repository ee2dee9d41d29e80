//! Graded tests of chapter 9, coroutines. One module per exercise; the same
//! source is compiled against the skeleton and against the solution.

mod executor;
mod generator;
mod no_locks;
mod oneshot_future;
mod reactor;
mod task_pool;
mod timers;
mod with_tokio;

/// Not an exercise: the local look-up server the I/O tests talk to.
mod server;
