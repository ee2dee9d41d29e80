//! The graded tests of this chapter are still being written.
