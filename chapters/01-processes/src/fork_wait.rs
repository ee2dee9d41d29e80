//! # Exercise: fork and wait
//!
//! In Python, `os.fork()` returns twice: `0` in the new child process and the
//! child's PID in the parent. The child starts with a *copy* of the parent's
//! memory, so a variable it changes stays unchanged in the parent. The parent
//! then calls `os.waitpid(pid, 0)` to learn how the child ended, and that
//! same call *reaps* the child: until a parent waits, a finished child stays
//! in the process table as a zombie.
//!
//! ```python
//! pid = os.fork()
//! if pid == 0:                 # the child
//!     os._exit(work())
//! _, status = os.waitpid(pid, 0)
//! print(os.waitstatus_to_exitcode(status))
//! ```
//!
//! Build the same in Rust with `nix::unistd::fork` and
//! `nix::sys::wait::waitpid` (nix has no `_exit`: `libc::_exit` is the one):
//!
//! - [`run_in_child`] forks. The child runs `work` and leaves with
//!   `_exit(code)`, where `code` is what `work` returned. The parent waits
//!   for *that* child and returns its PID and how it ended.
//! - [`wait_for`] waits for one given child and says how it ended: an exit
//!   code, or the signal that killed it.
//! - [`describe`] turns the result into a line for a log.
//!
//! The tests check that a variable changed in the child is unchanged in the
//! parent, that exit codes (which are one byte) and deaths by signal come
//! back right, that the child is reaped (no zombie is left), that the wait
//! is for that child even when another child of the caller has already
//! ended, that a wait cut short by signals goes on, and that the child's
//! parent is the process that forked it.
//!
//! Stuck? `cargo course hint fork_wait`.

use nix::sys::signal::Signal;
use nix::unistd::Pid;

/// How a child process ended, as `waitpid` tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildExit {
    /// The child left with `_exit(code)`; only the low byte of the code
    /// survives (`_exit(300)` is seen as `44`).
    Exited(i32),
    /// A signal ended the child.
    Signaled(Signal),
}

/// Forks; the child runs `work` and exits with the code it returns, and the
/// parent waits for the child and returns `(child_pid, how_it_ended)`.
///
/// The child must never return from this function: it would go on running
/// the parent's program (here, the test harness) in a second process. After
/// `fork` only the calling thread exists in the child, so the child does
/// nothing but run `work` and call `_exit`.
pub fn run_in_child<F: FnOnce() -> i32>(work: F) -> nix::Result<(Pid, ChildExit)> {
    todo!()
}

/// Waits for the child `child` (not any child: other code in this process
/// may have children of its own) and reports how it ended. Waiting reaps it.
///
/// A wait interrupted by a signal (`EINTR`) is retried.
pub fn wait_for(child: Pid) -> nix::Result<ChildExit> {
    todo!()
}

/// One line for a log:
///
/// - `child 4242 exited with code 3`
/// - `child 4242 was killed by SIGKILL`
pub fn describe(child: Pid, exit: ChildExit) -> String {
    todo!()
}
