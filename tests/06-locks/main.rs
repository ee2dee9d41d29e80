//! Graded tests of chapter 6, locks. One module per exercise; the same
//! source is compiled against the skeleton and against the solution.

// Whether a waiting thread sleeps, as chapters 6 and 7 both ask.
use forklings_support::waiting as blocking;

mod auto_traits;
mod barrier;
mod burst;
mod event;
mod poisoning;
mod process_lock;
mod racy_counter;
mod rlock;
mod semaphore;
mod spin_lock;
