//! # Exercise: zombies and orphans
//!
//! A child that has exited does not vanish: the kernel keeps its exit
//! status until the parent collects it with `wait`. Until then `ps` shows it
//! as `Z`, a *zombie*. And a child whose parent exits first is an *orphan*:
//! the kernel hands it to a new parent (PID 1, or the nearest ancestor that
//! asked to be a "subreaper"), which reaps it in the end.
//!
//! ```python
//! kids = [os.fork() or os._exit(code) for code in (0, 3, 7)]
//! time.sleep(1)                            # `ps` shows three <defunct>
//! for pid in kids:
//!     print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
//! ```
//!
//! Build:
//!
//! - [`spawn_exiting`]: one child per code, each exiting at once with it;
//!   do *not* wait for them.
//! - [`reap_all`]: wait for exactly the children given, in that order, and
//!   say how each ended. Never `wait()`/`waitpid(-1)`: those reap whichever
//!   child ends first, including ones other code is waiting for.
//! - [`orphan_adoption`]: fork a child that forks a grandchild and then
//!   exits. The grandchild notes its parent (the child), tells the child it
//!   may go (a second pipe), waits until `getppid()` changes, and reports its
//!   PID and both parents to the caller through a pipe (three `i32`s in one
//!   `write`, native byte order, in the order grandchild, before, after).
//!   The caller reaps the child and returns what the grandchild reported.
//!   The new parent is not always PID 1: a grading runner may have made
//!   itself a subreaper.
//!
//! In the children, only system calls (`pipe`, `read`, `write`, `getppid`,
//! `nanosleep`) and `_exit`.
//!
//! The tests check that the children are zombies (`Z` in `/proc`) until
//! reaped and gone after, that `reap_all` leaves other children alone, and
//! that the orphan was the child's and then someone else's: PID 1 or one of
//! the test's own ancestors (a subreaper). They run `orphan_adoption` five
//! times, on one CPU where a process woken up does not preempt the one that
//! woke it: a grandchild that looks at `getppid()` once, right after its
//! "go", still sees the child there.
//!
//! Stuck? `cargo course hint zombies`.

use nix::unistd::Pid;

use crate::fork_wait::ChildExit;

/// Forks one child per code; each exits at once with its code. Nobody waits
/// for them here: until someone does, each is a zombie.
pub fn spawn_exiting(codes: &[i32]) -> nix::Result<Vec<Pid>> {
    todo!()
}

/// Reaps exactly these children, in this order, and says how each ended.
pub fn reap_all(children: &[Pid]) -> nix::Result<Vec<ChildExit>> {
    todo!()
}

/// What the grandchild saw of its parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Adoption {
    /// The child that forked the grandchild and then exited.
    pub child: Pid,
    pub grandchild: Pid,
    /// The grandchild's parent while the child lived: the child.
    pub parent_before: Pid,
    /// Its parent once the child had exited: whoever adopted it.
    pub parent_after: Pid,
}

/// Forks a child that forks a grandchild and exits; the grandchild reports,
/// through a pipe, its parent before and after the child's exit.
pub fn orphan_adoption() -> nix::Result<Adoption> {
    todo!()
}
