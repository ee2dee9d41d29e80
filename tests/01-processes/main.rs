//! Graded tests of chapter 1, processes. One module per exercise; the same
//! source is compiled against the skeleton and against the solution.

mod fork_wait;
