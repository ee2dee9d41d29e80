//! # Exercise: an order-preserving parallel map
//!
//! `Pool.map(f, items)` in Python spreads the calls over worker processes
//! and still returns the results in the order of the input, whichever
//! worker finishes first:
//!
//! ```python
//! with Pool(4) as pool:
//!     squares = pool.map(slow_square, range(20))   # [0, 1, 4, 9, ...]
//! ```
//!
//! Build [`parallel_map`] from channels only (`crossbeam::channel`; no
//! `Mutex`, no shared `Vec`): a job channel carries `(index, item)` to
//! `workers` threads, a result channel carries `(index, result)` back, and
//! the caller puts each result in its place. `std::thread::scope` lets the
//! workers borrow `f`. The ends of the loops come from disconnection: when
//! the job senders are gone the workers stop, when the workers are gone the
//! collector stops. Keep no sender alive by mistake.
//!
//! The tests give slow early items (results still in input order), make the
//! first items meet at a barrier (so `workers` threads really run at once),
//! check that no more than `workers` threads call `f`, in all and at once
//! (each call takes a few milliseconds, so every thread started gets some
//! work), and never the caller's own, and compare with a sequential map
//! (property-tested).
//!
//! Stuck? `cargo course hint ordered_map`.

/// `items.into_iter().map(f).collect()`, computed by `workers` threads (at
/// least 1), results in input order.
pub fn parallel_map<T, R, F>(items: Vec<T>, workers: usize, f: F) -> Vec<R>
where
    T: Send,
    R: Send,
    F: Fn(T) -> R + Sync,
{
    todo!()
}
