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
//! - [`add_and_subtract_with`]: two threads at once (`std::thread::scope`
//!   lets them borrow the counter), one adding 1 `ups` times and one
//!   subtracting 1 `downs` times, with the chosen [`Strategy`]; returns the
//!   final value. Each thread calls `between(delta)` in the middle of every
//!   update: for `Racy` between its load and its store, for the others just
//!   before the update. [`add_and_subtract`] is the Python demo: `times`
//!   each way, nothing in between.
//!
//! The tests force the bad interleaving (one update lost, every time), run
//! a million each way with `fetch_add` and with a `Mutex` (exactly 0), and
//! check all three on one thread. Through `between` they check that the two
//! threads run at the same time (each waits there until the other arrives;
//! threads run one after the other never meet), that the updates are made on
//! two threads of their own, not the caller's, and that uneven counts end
//! at their difference with every strategy. How far the racy version ends
//! from 0 over a million updates is up to the scheduler: the benchmark shows
//! it, no test counts on it.
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

/// Two threads at once start from 0: one adds 1 `ups` times, the other
/// subtracts 1 `downs` times, both using `strategy`. Each calls
/// `between(delta)` in the middle of every update: between its load and
/// its store (`Racy`), or just before its update (`Atomic`, `Locked`).
/// Returns the final value.
pub fn add_and_subtract_with(
    strategy: Strategy,
    ups: u64,
    downs: u64,
    between: &(dyn Fn(i64) + Sync),
) -> i64 {
    todo!()
}
