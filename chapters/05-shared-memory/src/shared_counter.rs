//! # Exercise: a counter in shared memory
//!
//! In Python, `multiprocessing.Value('q', 0)` is a number that several
//! processes change together, and its `get_lock()` makes `+= 1` safe:
//!
//! ```python
//! hits = Value('q', 0)
//! def work():
//!     for _ in range(10_000):
//!         with hits.get_lock():
//!             hits.value += 1
//! procs = [Process(target=work) for _ in range(4)]
//! # ...start and join them: hits.value == 40_000
//! ```
//!
//! Under the hood the number lives in a page of memory mapped *shared*
//! before the fork: parent and children see the same physical page. Build
//! that in Rust:
//!
//! - [`SharedCounter::new`] maps one page with
//!   `nix::sys::mman::mmap_anonymous` and `MapFlags::MAP_SHARED`, and keeps
//!   a pointer to an `AtomicU64` at its start (the kernel zeroes the page).
//!   A private map (`MAP_PRIVATE`, or the `memmap2` crate's anonymous map)
//!   would be copied on write at fork: each child would count alone.
//! - [`SharedCounter::increment`], [`SharedCounter::add`] and
//!   [`SharedCounter::get`] work on that atomic (`fetch_add` is the lock
//!   here: one indivisible read-modify-write).
//! - `Drop` unmaps the page (`munmap`).
//! - [`add_in_processes`] forks `processes` children that each increment
//!   `increments` times and leave with `libc::_exit(0)`; it waits for every
//!   one of them and returns their PIDs.
//!
//! The tests check that 4 processes × 10 000 increments make exactly
//! 40 000, that the parent's own increments count, that what children
//! forked by the test add reaches the parent's counter, that the children
//! are distinct processes and all reaped, and a few random splits. They
//! also run `add_in_processes` in a process of their own to see who does
//! the work and when: the CPU time of its reaped children must cover the
//! increments (each child calls `increment` `increments` times; a parent
//! that adds the total itself fails), several children must be alive at
//! once (fork them all, then wait), and a child of that process that is not
//! one of yours must still be there afterwards (wait for your PIDs, never
//! for any child).
//!
//! Stuck? `cargo course hint shared_counter`.

use nix::unistd::Pid;

/// A `u64` counter in a page mapped `MAP_SHARED | MAP_ANONYMOUS`: every
/// process forked after [`SharedCounter::new`] sees the same counter.
#[derive(Debug)]
pub struct SharedCounter {
    // Your fields: a pointer to the mapped atomic (`NonNull<AtomicU64>`).
}

// SAFETY (for your version): a raw pointer is neither Send nor Sync, but this
// one points to memory the counter owns, used only through an atomic.
unsafe impl Send for SharedCounter {}
unsafe impl Sync for SharedCounter {}

impl SharedCounter {
    /// Maps a fresh shared page; the counter starts at 0.
    pub fn new() -> nix::Result<SharedCounter> {
        todo!()
    }

    /// Adds one.
    pub fn increment(&self) {
        todo!()
    }

    /// Adds `n`.
    pub fn add(&self, n: u64) {
        todo!()
    }

    /// The current value.
    pub fn get(&self) -> u64 {
        todo!()
    }
}

impl Drop for SharedCounter {
    fn drop(&mut self) {
        // Unmap the page here.
    }
}

/// Forks `processes` children; each increments `counter` `increments` times
/// and exits. Waits for every child and returns their PIDs.
pub fn add_in_processes(
    counter: &SharedCounter,
    processes: usize,
    increments: u64,
) -> nix::Result<Vec<Pid>> {
    todo!()
}
