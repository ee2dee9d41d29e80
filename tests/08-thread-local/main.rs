//! Graded tests of chapter 8, thread-local data. One module per exercise;
//! the same source is compiled against the skeleton and against the solution.

mod context;
mod counters;
mod fresh_locals;
mod pool_context;
mod scratch_buffer;

/// Not exercises: the counting allocator, and a test run in a process of
/// its own.
mod allocations;
mod alone;
