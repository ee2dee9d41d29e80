//! A counter in shared memory: the reference solution. The statement is in
//! `chapters/05-shared-memory/src/shared_counter.rs`.

use std::num::NonZeroUsize;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};

use nix::errno::Errno;
use nix::sys::mman::{MapFlags, ProtFlags, mmap_anonymous, munmap};
use nix::sys::wait::waitpid;
use nix::unistd::{ForkResult, Pid, fork};

/// A `u64` counter in a page mapped `MAP_SHARED | MAP_ANONYMOUS`: every
/// process forked after [`SharedCounter::new`] sees the same counter.
#[derive(Debug)]
pub struct SharedCounter {
    cell: NonNull<AtomicU64>,
}

// SAFETY: the pointer is to a mapping this value owns until drop, and the
// only access to it is through an atomic.
unsafe impl Send for SharedCounter {}
unsafe impl Sync for SharedCounter {}

const SIZE: usize = size_of::<AtomicU64>();

impl SharedCounter {
    /// Maps a fresh shared page; the counter starts at 0.
    pub fn new() -> nix::Result<SharedCounter> {
        let length = NonZeroUsize::new(SIZE).expect("non-zero size");
        // SAFETY: a new anonymous mapping aliases nothing; the kernel zeroes
        // it, and an all-zero AtomicU64 is a valid 0.
        let page = unsafe {
            mmap_anonymous(
                None,
                length,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                // SHARED is the whole point: a private map would be copied on
                // write at fork, and each child would count in its own copy.
                MapFlags::MAP_SHARED,
            )?
        };
        Ok(SharedCounter { cell: page.cast() })
    }

    fn atomic(&self) -> &AtomicU64 {
        // SAFETY: the mapping lives as long as `self`, is aligned to a page,
        // and is only ever used as this one atomic.
        unsafe { self.cell.as_ref() }
    }

    /// Adds one.
    pub fn increment(&self) {
        self.add(1);
    }

    /// Adds `n`.
    pub fn add(&self, n: u64) {
        // Relaxed is enough for a counter: no other memory is published
        // through it, and `waitpid` orders the children's work before the
        // parent's read.
        self.atomic().fetch_add(n, Ordering::Relaxed);
    }

    /// The current value.
    pub fn get(&self) -> u64 {
        self.atomic().load(Ordering::Relaxed)
    }
}

impl Drop for SharedCounter {
    fn drop(&mut self) {
        // SAFETY: the mapping was made in `new` with this length; after drop
        // nothing points into it (in this process: children have their own
        // mapping of the same page and unmap it when they exit).
        let _ = unsafe { munmap(self.cell.cast(), SIZE) };
    }
}

/// Forks `processes` children; each increments `counter` `increments` times
/// and exits. Waits for every child and returns their PIDs.
pub fn add_in_processes(
    counter: &SharedCounter,
    processes: usize,
    increments: u64,
) -> nix::Result<Vec<Pid>> {
    let mut children = Vec::with_capacity(processes);
    for _ in 0..processes {
        // SAFETY: the child only does atomic adds on memory it owns and
        // leaves with `_exit`; it never returns into the caller.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => {
                for _ in 0..increments {
                    counter.increment();
                }
                // SAFETY: `_exit` ends the child without running the
                // parent's destructors (which would unmap nothing harmful,
                // but could flush or free the parent's other state).
                unsafe { libc::_exit(0) }
            }
            Ok(ForkResult::Parent { child }) => children.push(child),
            Err(e) => {
                // Reap whoever started before reporting the failure.
                reap(&children);
                return Err(e);
            }
        }
    }
    reap(&children);
    Ok(children)
}

fn reap(children: &[Pid]) {
    for &child in children {
        while let Err(Errno::EINTR) = waitpid(child, None) {}
    }
}
