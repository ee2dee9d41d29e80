//! # Chapter 5: manager-style shared memory — reference solution
//!
//! The same public API as the skeleton in `chapters/05-shared-memory`; the
//! graded tests in `tests/05-shared-memory` run against both.

pub mod lost_update;
pub mod manager;
pub mod proxy_gotcha;
pub mod remote_manager;
pub mod shared_array;
pub mod shared_counter;
