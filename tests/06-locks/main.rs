//! Graded tests of chapter 6, locks. One module per exercise; the same
//! source is compiled against the skeleton and against the solution.

mod auto_traits;
mod barrier;
mod blocking;
mod burst;
mod event;
mod poisoning;
mod process_lock;
mod racy_counter;
mod rlock;
mod semaphore;
mod spin_lock;
