//! # Exercise: fresh in every thread, copied by fork
//!
//! A `threading.local()` attribute set in one thread does not exist in a
//! thread started later: each thread begins with nothing. `fork` is the
//! other way round. The child is a copy of the whole process memory, every
//! thread's locals included, yet only *one* thread runs in it: the one that
//! called `fork`. The other threads are gone, and with them any lock they
//! held at that instant — which is why a child of a threaded program must
//! stay away from `malloc`, `println!` and anything else that locks.
//!
//! ```python
//! local = threading.local()
//! local.visits = 3
//! threading.Thread(target=lambda: print(hasattr(local, "visits"))).start()  # False
//! if os.fork() == 0:
//!     print(threading.active_count(), local.visits)   # 1 3
//!     os._exit(0)
//! ```
//!
//! - [`visit`] counts a visit in a `thread_local!` counter of this thread
//!   and returns the new count; [`visits`] reads it. Give it a `const`
//!   initializer (`const { Cell::new(0) }`): then reading it allocates
//!   nothing and takes no lock, so a forked child may read it.
//! - [`visits_in_new_thread`] starts a thread that returns its [`visits`].
//! - [`count_threads`] counts the entries of `/proc/self/task` (one per
//!   thread) using system calls only, so that a forked child may call it:
//!   `libc::open` with `O_DIRECTORY`, `libc::syscall(libc::SYS_getdents64,
//!   ...)` into a buffer on the stack, `libc::close`. No `std::fs`: it
//!   allocates.
//! - [`fork_and_report`] starts a helper thread that visits `helper_visits`
//!   times and stays alive, counts the threads, then forks. The child counts
//!   its threads, reads its [`visits`], writes both into a pipe (`libc::write`
//!   of a byte array) and leaves with `libc::_exit`. The parent reads the
//!   message, reaps that child (`waitpid` on its PID), lets the helper end,
//!   and returns a [`ForkReport`].
//!
//! The tests check per-thread counts and a fresh new thread; that
//! `count_threads` sees threads that are alive and allocates nothing; that
//! the forked child has exactly one thread and the forking thread's visits
//! — not 0, not the helper's — and was reaped, while another child of the
//! process was left alone; and, in a process of their own where every
//! thread is known, that `threads_before` counts exactly the threads alive
//! plus the helper. A forked child that allocates is stopped by the tests
//! before it can report.
//!
//! Stuck? `cargo course hint fresh_locals`.

use nix::unistd::Pid;

/// Counts one more visit on this thread; returns this thread's new count.
pub fn visit() -> u32 {
    todo!()
}

/// This thread's visits so far.
pub fn visits() -> u32 {
    todo!()
}

/// The visits a brand-new thread sees before it visits at all.
pub fn visits_in_new_thread() -> u32 {
    todo!()
}

/// The number of threads of this process: the entries of `/proc/self/task`
/// other than `.` and `..`, counted with system calls only.
pub fn count_threads() -> usize {
    todo!()
}

/// What a forked child saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForkReport {
    /// The child's PID (already reaped).
    pub child: Pid,
    /// Threads of this process just before the fork.
    pub threads_before: usize,
    /// Threads of the child.
    pub threads_in_child: usize,
    /// The visits the child read from its copy of the forking thread's
    /// thread-local.
    pub visits_in_child: u32,
}

/// Starts a helper thread that visits `helper_visits` times and stays
/// alive, then forks; the child counts its threads and reads its visits and
/// reports both through a pipe. Returns once the child is reaped and the
/// helper has ended.
pub fn fork_and_report(helper_visits: u32) -> nix::Result<ForkReport> {
    todo!()
}
