//! # Exercise: the fd table
//!
//! Every process has a table of open file descriptors: small numbers that
//! stand for open files, pipes and sockets. Linux shows it as the directory
//! `/proc/<pid>/fd`, one symbolic link per fd:
//!
//! ```python
//! r, w = os.pipe()
//! for fd in sorted(map(int, os.listdir("/proc/self/fd"))):
//!     try:
//!         print(fd, "->", os.readlink(f"/proc/self/fd/{fd}"))
//!     except FileNotFoundError:   # listdir's own fd, closed by now
//!         pass
//! # 0 -> /dev/pts/0   1 -> /dev/pts/0   2 -> /dev/pts/0
//! # 3 -> pipe:[81234]   4 -> pipe:[81234]
//! ```
//!
//! `pipe()` adds two entries for the same pipe (the number in brackets is
//! its inode). `fork()` copies the whole table: the child has the same fds,
//! pointing at the same pipe. `exec()` keeps the table too, except the fds
//! marked close-on-exec (`O_CLOEXEC`): that flag is how a program keeps its
//! private fds from leaking into the programs it starts.
//!
//! Build:
//! - [`list_fds`] and [`list_fds_of`]: the table of this process, or of
//!   process `pid`, sorted by fd. Reading the directory uses an fd of its
//!   own; it is not one of the table's and must not be listed (read all the
//!   names first, then the links). An fd that is closed between the two
//!   steps (by another thread) is skipped.
//! - [`open_pipe`]: a pipe, close-on-exec or not (set the flag in the same
//!   call, with `pipe2`: set later, another thread's `exec` could slip in).
//! - [`fds_of_forked_child`]: fork a child that just waits (reading a pipe
//!   until end of file), list *its* table from the parent with
//!   [`list_fds_of`], then let it go and reap it.
//! - [`visible_after_exec`]: whether a program started now would have `fd`
//!   open: run `/bin/sh -c '[ -e /proc/$$/fd/N ]'` (`$$` is the shell's own
//!   PID) and report whether it succeeded.
//! - [`render`]: one line per entry, `3 -> pipe:[81234]`.
//!
//! The tests list the table before and after a pipe is made and closed, in a
//! forked child, and after exec (both ends of each pipe); a snapshot holds
//! the story with fd numbers and inodes replaced by names. They also make
//! the child's table differ from the parent's from the fork on (an fd the
//! child inherits and the parent closes right after the fork): the listing
//! must be the child's, read while it waits.
//!
//! Stuck? `cargo course hint fd_table`.

use std::io;
use std::os::fd::{BorrowedFd, OwnedFd, RawFd};

use nix::unistd::Pid;

/// One open file descriptor and what it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FdEntry {
    pub fd: RawFd,
    /// The link's target: a path, `pipe:[inode]`, `socket:[inode]`...
    pub target: String,
}

/// This process's open fds, sorted by number.
pub fn list_fds() -> io::Result<Vec<FdEntry>> {
    todo!()
}

/// The open fds of process `pid`, sorted by number.
pub fn list_fds_of(pid: Pid) -> io::Result<Vec<FdEntry>> {
    todo!()
}

/// A new pipe, `(read, write)`, marked close-on-exec or not.
pub fn open_pipe(close_on_exec: bool) -> io::Result<(OwnedFd, OwnedFd)> {
    todo!()
}

/// Forks a child that waits; lists the child's fds from the parent; then
/// lets the child exit and reaps it.
pub fn fds_of_forked_child() -> io::Result<Vec<FdEntry>> {
    todo!()
}

/// Whether a program started with `exec` now would still have `fd` open.
pub fn visible_after_exec(fd: BorrowedFd) -> io::Result<bool> {
    todo!()
}

/// One line per entry, `fd -> target`, each ending in `\n`.
pub fn render(entries: &[FdEntry]) -> String {
    todo!()
}
