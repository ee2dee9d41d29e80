//! # Exercise: the lost update in safe Rust
//!
//! The classic Python demonstration: one thread adds 1 a million times,
//! another subtracts 1 a million times, and the total is not 0.
//!
//! ```python
//! total = 0
//! def up():
//!     global total
//!     for _ in range(1_000_000):
//!         total += 1          # read, add, write: three steps
//! # a `down` thread does total -= 1; run both, join: total != 0
//! # with `lock = Lock()` and `with lock: total += 1` it is 0
//! ```
//!
//! Rust will not let two threads write a plain `i64`, but it will let them
//! do the same damage with an atomic used the wrong way: a `load`, then a
//! `store`. Every step is atomic; the pair is not.
//!
//! - [`racy_add_with`]: load, call `between()`, store the loaded value plus
//!   `delta`. [`racy_add`] is the same with nothing in between. The tests
//!   use `between` to make two threads both load before either stores.
//! - [`atomic_add`]: one `fetch_add`, the fix without a lock.
//! - [`locked_add`]: the fix with a `Mutex`.
//! - [`add_and_subtract`]: two threads (`std::thread::scope` lets them
//!   borrow the counter), one adding 1 and one subtracting 1, `times` each,
//!   with the chosen [`Strategy`]; returns the final value.
//!
//! The tests force the bad interleaving (one update lost, every time), run
//! a million each way with `fetch_add` and with a `Mutex` (exactly 0), and
//! check all three on one thread. How far the racy version ends from 0 is up
//! to the scheduler: the benchmark shows it, no test counts on it.
//!
//! Stuck? `cargo course hint racy_counter`.

use std::sync::Mutex;
use std::sync::atomic::AtomicI64;

/// `counter = counter + delta` as two steps: a load, then a store. `between`
/// runs between them, so a test can force another thread in there.
pub fn racy_add_with(counter: &AtomicI64, delta: i64, between: impl FnOnce()) {
    todo!()
}

/// [`racy_add_with`] with nothing in between.
pub fn racy_add(counter: &AtomicI64, delta: i64) {
    todo!()
}

/// The same change as one indivisible read-modify-write.
pub fn atomic_add(counter: &AtomicI64, delta: i64) {
    todo!()
}

/// The same change under a mutex.
pub fn locked_add(counter: &Mutex<i64>, delta: i64) {
    todo!()
}

/// Which of the three ways [`add_and_subtract`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    Racy,
    Atomic,
    Locked,
}

/// Two threads start from 0: one adds 1 `times` times, the other subtracts
/// 1 `times` times, both using `strategy`. Returns the final value.
pub fn add_and_subtract(strategy: Strategy, times: u64) -> i64 {
    todo!()
}
