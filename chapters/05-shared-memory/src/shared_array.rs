//! # Exercise: a shared array filled by several processes
//!
//! Python's `multiprocessing.Array('d', 1000)` is a block of numbers in
//! shared memory. A common use: split the indexes between workers, let each
//! fill its own slice, and read the whole array back in the parent.
//!
//! ```python
//! out = Array('q', 1000, lock=False)   # no lock: the slices never overlap
//! def fill(lo, hi):
//!     for i in range(lo, hi):
//!         out[i] = i * i
//! # four Processes, each with its own (lo, hi); start, join, read out[:]
//! ```
//!
//! Build [`SharedArray`]: `len` slots of `u64` in one mapping made with
//! `mmap_anonymous` and `MAP_SHARED` (a slot is an `AtomicU64`, so a read and
//! a write of the same slot are never torn). `mmap` refuses a length of 0:
//! map at least one slot. Then [`fill_in_processes`]:
//!
//! - split `0..len` into `workers` contiguous slices whose sizes differ by at
//!   most one (10 over 3 workers: 4, 3, 3);
//! - fork one child per non-empty slice; the child stores `f(i)` at each
//!   index `i` of its slice and leaves with `_exit(0)`;
//! - wait for every child; return their PIDs in slice order. An empty array
//!   needs no child; 0 workers for a non-empty array is `Err(EINVAL)`.
//!
//! The tests fill squares with 4 workers, have each child write its own PID
//! to see who filled what (one contiguous slice per child, in order, sizes
//! differing by one at most, for random lengths and worker counts), and give
//! an `f` that stops each child at the first slot of its slice until every
//! child has got there: the children must run at the same time.
//!
//! Stuck? `cargo course hint shared_array`.

use nix::unistd::Pid;

/// `len` slots of `u64` in memory mapped `MAP_SHARED | MAP_ANONYMOUS`,
/// seen by every process forked after [`SharedArray::new`]. All start at 0.
#[derive(Debug)]
pub struct SharedArray {
    // Your fields: a pointer to the first slot, and the length.
}

// SAFETY (for your version): the mapping is owned by the array and only
// reached through atomics.
unsafe impl Send for SharedArray {}
unsafe impl Sync for SharedArray {}

impl SharedArray {
    /// Maps `len` zeroed slots.
    pub fn new(len: usize) -> nix::Result<SharedArray> {
        todo!()
    }

    /// The number of slots.
    pub fn len(&self) -> usize {
        todo!()
    }

    /// True when there are no slots.
    pub fn is_empty(&self) -> bool {
        todo!()
    }

    /// The value in slot `index`. Panics if `index >= len`.
    pub fn get(&self, index: usize) -> u64 {
        todo!()
    }

    /// Stores `value` in slot `index`. Panics if `index >= len`.
    pub fn set(&self, index: usize, value: u64) {
        todo!()
    }

    /// A copy of every slot, in order.
    pub fn to_vec(&self) -> Vec<u64> {
        todo!()
    }
}

impl Drop for SharedArray {
    fn drop(&mut self) {
        // Unmap the slots here.
    }
}

/// Splits `0..array.len()` into `workers` contiguous slices whose sizes
/// differ by at most one, forks one child per non-empty slice, and has each
/// child store `f(i)` at every index `i` of its slice. Waits for every child
/// and returns their PIDs in slice order.
pub fn fill_in_processes<F: Fn(usize) -> u64>(
    array: &SharedArray,
    workers: usize,
    f: F,
) -> nix::Result<Vec<Pid>> {
    todo!()
}
