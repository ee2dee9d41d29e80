//! Graded tests of chapter 7, deadlock. One module per exercise; the same
//! source is compiled against the skeleton and against the solution.
//!
//! The code under test may deadlock by design: every wait here is bounded
//! (a timed acquire, `within`, a receive with a timeout), so a deadlock fails
//! a test with a sentence instead of hanging it.

// Whether a waiting thread sleeps, as chapters 6 and 7 both ask.
use forklings_support::waiting as blocking;

mod auto_traits;
mod backoff;
mod burst;
mod detector;
mod lock_order;
mod philosophers;
mod self_deadlock;
mod transfer_deadlock;
