//! # Exercise: a lock across processes
//!
//! `multiprocessing.Lock()` works between processes: it lives in memory they
//! share. Another lock every Unix process can share is a lock on a file:
//! `fcntl.flock(f, LOCK_EX)` in Python, `flock(2)` underneath.
//!
//! ```python
//! def bump(path, counter):
//!     with open(path, "w") as f:
//!         fcntl.flock(f, fcntl.LOCK_EX)   # waits while anyone holds it
//!         counter.value = counter.value + 1
//!     # closing the file releases the lock
//! ```
//!
//! Build [`FileLock`] and use it to guard a counter in shared memory:
//!
//! - [`FileLock::lock`] opens the file (creating it if missing), calls
//!   `libc::flock(fd, LOCK_EX)` (again on `EINTR`) and returns a
//!   [`FileLockGuard`] that keeps the file open; dropping the guard unlocks
//!   (`LOCK_UN`) and closes it. Open the file anew on every `lock`: a flock
//!   belongs to the *open file description*, and one inherited through
//!   `fork` is shared with the parent, so the two would never exclude each
//!   other.
//! - [`count_in_processes`] makes a shared counter (`SharedU64`, given
//!   below, finished: it has a separate `load` and `store`, so an unguarded
//!   `+1` can lose updates), forks `processes` children that each do
//!   `increments` times "lock, load, store load + 1, unlock", leave with
//!   `_exit(0)` (or 1 if a lock failed), waits for them, and returns the
//!   counter. A child that failed makes it an error.
//!
//! The tests count with four processes (nothing lost), check the file is
//! created, that a second holder, in the same process or through a
//! second `FileLock` on the same path, waits until the guard drops, and that
//! the children of [`count_in_processes`] wait while the test holds the lock
//! (a guard must unlock with `LOCK_UN`: the children hold copies of the
//! test's descriptor, so closing it would not free the lock), each through
//! an open file description of its own (the test asks the kernel, with
//! `kcmp(2)`, whether two children's descriptors are one description).
//!
//! Stuck? `cargo course hint process_lock`.

use std::fs::File;
use std::io;
use std::num::NonZeroUsize;
use std::path::Path;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};

use nix::sys::mman::{MapFlags, ProtFlags, mmap_anonymous, munmap};

// ---------------------------------------------------------------------------
// Given to you, finished: a u64 in shared memory, with a separate
// load and store so that an unguarded `+1` can lose updates.

/// A `u64` in a page mapped `MAP_SHARED`, seen by every process forked after
/// it is made.
struct SharedU64 {
    cell: NonNull<AtomicU64>,
}

impl SharedU64 {
    fn new() -> io::Result<SharedU64> {
        let len = NonZeroUsize::new(size_of::<AtomicU64>()).expect("non-zero");
        // SAFETY: a fresh anonymous mapping, zeroed, aliasing nothing.
        let page = unsafe {
            mmap_anonymous(
                None,
                len,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                MapFlags::MAP_SHARED,
            )?
        };
        Ok(SharedU64 { cell: page.cast() })
    }

    fn cell(&self) -> &AtomicU64 {
        // SAFETY: the mapping lives as long as self.
        unsafe { self.cell.as_ref() }
    }

    fn load(&self) -> u64 {
        self.cell().load(Ordering::SeqCst)
    }

    fn store(&self, value: u64) {
        self.cell().store(value, Ordering::SeqCst);
    }
}

impl Drop for SharedU64 {
    fn drop(&mut self) {
        // SAFETY: unmaps what `new` mapped.
        let _ = unsafe { munmap(self.cell.cast(), size_of::<AtomicU64>()) };
    }
}

// ---------------------------------------------------------------------------

/// A lock shared by every process that names the same file.
#[derive(Debug, Clone)]
pub struct FileLock {
    // Your fields: the path.
}

/// The lock, held until dropped.
#[derive(Debug)]
pub struct FileLockGuard {
    // Your fields: the open file that holds the lock.
    file: Option<File>,
}

impl FileLock {
    /// A lock on the file at `path` (made on first use if missing).
    pub fn new(path: impl AsRef<Path>) -> FileLock {
        todo!()
    }

    /// Takes the lock, waiting while anyone else holds it.
    pub fn lock(&self) -> io::Result<FileLockGuard> {
        todo!()
    }
}

impl Drop for FileLockGuard {
    fn drop(&mut self) {
        // Unlock here.
    }
}

/// Forks `processes` children; each does `increments` times "load the
/// shared counter, store it plus one" holding `lock`. Waits for them all and
/// returns the counter.
pub fn count_in_processes(lock: &FileLock, processes: usize, increments: u64) -> io::Result<u64> {
    todo!()
}
