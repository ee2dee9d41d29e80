//! A shared array filled by several processes: the reference solution. The
//! statement is in `chapters/05-shared-memory/src/shared_array.rs`.

use std::num::NonZeroUsize;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};

use nix::errno::Errno;
use nix::sys::mman::{MapFlags, ProtFlags, mmap_anonymous, munmap};
use nix::sys::wait::waitpid;
use nix::unistd::{ForkResult, Pid, fork};

/// `len` slots of `u64` in memory mapped `MAP_SHARED | MAP_ANONYMOUS`,
/// seen by every process forked after [`SharedArray::new`]. All start at 0.
#[derive(Debug)]
pub struct SharedArray {
    slots: NonNull<AtomicU64>,
    len: usize,
}

// SAFETY: the mapping is owned by this value and only reached through atomics.
unsafe impl Send for SharedArray {}
unsafe impl Sync for SharedArray {}

impl SharedArray {
    /// Maps `len` zeroed slots.
    pub fn new(len: usize) -> nix::Result<SharedArray> {
        // mmap refuses a length of 0: an empty array still maps one slot.
        let bytes = NonZeroUsize::new(len.max(1) * size_of::<AtomicU64>()).expect("non-zero");
        // SAFETY: a new anonymous mapping, zeroed by the kernel; zero is a
        // valid AtomicU64.
        let map = unsafe {
            mmap_anonymous(
                None,
                bytes,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                MapFlags::MAP_SHARED,
            )?
        };
        Ok(SharedArray {
            slots: map.cast(),
            len,
        })
    }

    fn slots(&self) -> &[AtomicU64] {
        // SAFETY: `len` initialised atomics live in the mapping as long as self.
        unsafe { std::slice::from_raw_parts(self.slots.as_ptr(), self.len) }
    }

    /// The number of slots.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no slots.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The value in slot `index`. Panics if `index >= len`.
    pub fn get(&self, index: usize) -> u64 {
        self.slots()[index].load(Ordering::Relaxed)
    }

    /// Stores `value` in slot `index`. Panics if `index >= len`.
    pub fn set(&self, index: usize, value: u64) {
        self.slots()[index].store(value, Ordering::Relaxed);
    }

    /// A copy of every slot, in order.
    pub fn to_vec(&self) -> Vec<u64> {
        self.slots()
            .iter()
            .map(|s| s.load(Ordering::Relaxed))
            .collect()
    }
}

impl Drop for SharedArray {
    fn drop(&mut self) {
        let bytes = self.len.max(1) * size_of::<AtomicU64>();
        // SAFETY: unmaps exactly what `new` mapped; nothing borrows it now.
        let _ = unsafe { munmap(self.slots.cast(), bytes) };
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
    if array.is_empty() {
        return Ok(Vec::new());
    }
    if workers == 0 {
        return Err(Errno::EINVAL);
    }
    let (base, extra) = (array.len() / workers, array.len() % workers);
    let mut children = Vec::with_capacity(workers);
    let mut start = 0;
    for w in 0..workers {
        // The first `extra` slices take one more index each.
        let end = start + base + usize::from(w < extra);
        if start == end {
            break;
        }
        // SAFETY: the child writes its own slice of shared atomics, then
        // leaves with `_exit`.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => {
                for i in start..end {
                    array.set(i, f(i));
                }
                // SAFETY: ends the child at once; it never returns.
                unsafe { libc::_exit(0) }
            }
            Ok(ForkResult::Parent { child }) => children.push(child),
            Err(e) => {
                reap(&children);
                return Err(e);
            }
        }
        start = end;
    }
    reap(&children);
    Ok(children)
}

fn reap(children: &[Pid]) {
    for &child in children {
        while let Err(Errno::EINTR) = waitpid(child, None) {}
    }
}
