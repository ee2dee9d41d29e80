//! A lock across processes: the reference solution. The statement is in
//! `chapters/06-locks/src/process_lock.rs`.

use std::fs::{File, OpenOptions};
use std::io;
use std::num::NonZeroUsize;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};

use nix::errno::Errno;
use nix::sys::mman::{MapFlags, ProtFlags, mmap_anonymous, munmap};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, fork};

// ---------------------------------------------------------------------------
// Given to the student, finished: a u64 in shared memory, with a separate
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
    path: PathBuf,
}

/// The lock, held until dropped.
#[derive(Debug)]
pub struct FileLockGuard {
    file: File,
}

impl FileLock {
    /// A lock on the file at `path` (made on first use if missing).
    pub fn new(path: impl AsRef<Path>) -> FileLock {
        FileLock {
            path: path.as_ref().to_path_buf(),
        }
    }

    /// Takes the lock, waiting while anyone else holds it.
    pub fn lock(&self) -> io::Result<FileLockGuard> {
        // A fresh open for every lock: flock belongs to the open file
        // description, and one inherited through fork would be shared with
        // the parent, so the two would never exclude each other.
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&self.path)?;
        loop {
            // SAFETY: flock on a descriptor we own for as long as the guard.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
                return Ok(FileLockGuard { file });
            }
            let err = io::Error::last_os_error();
            if err.kind() != io::ErrorKind::Interrupted {
                return Err(err);
            }
        }
    }
}

impl Drop for FileLockGuard {
    fn drop(&mut self) {
        // Closing is not enough: a child forked while this guard lived
        // holds a copy of the descriptor, and with it the lock.
        // SAFETY: the descriptor is still open.
        unsafe { libc::flock(self.file.as_raw_fd(), libc::LOCK_UN) };
    }
}

/// Forks `processes` children; each does `increments` times "load the
/// shared counter, store it plus one" holding `lock`. Waits for them all and
/// returns the counter.
pub fn count_in_processes(lock: &FileLock, processes: usize, increments: u64) -> io::Result<u64> {
    let counter = SharedU64::new()?;
    let mut children = Vec::with_capacity(processes);
    for _ in 0..processes {
        // SAFETY: the child only locks, counts and leaves with `_exit`.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => {
                let mut code = 0;
                for _ in 0..increments {
                    let Ok(_held) = lock.lock() else {
                        code = 1;
                        break;
                    };
                    counter.store(counter.load() + 1);
                }
                // SAFETY: ends the child at once.
                unsafe { libc::_exit(code) }
            }
            Ok(ForkResult::Parent { child }) => children.push(child),
            Err(e) => {
                children
                    .iter()
                    .for_each(|&c| while let Err(Errno::EINTR) = waitpid(c, None) {});
                return Err(e.into());
            }
        }
    }
    let mut failed = false;
    for child in children {
        loop {
            match waitpid(child, None) {
                Err(Errno::EINTR) => continue,
                Ok(WaitStatus::Exited(_, 0)) => break,
                _ => {
                    failed = true;
                    break;
                }
            }
        }
    }
    if failed {
        return Err(io::Error::other("a child process failed"));
    }
    Ok(counter.load())
}
