//! # Exercise: a `Process` handle
//!
//! Python's `multiprocessing.Process` wraps `fork` and `waitpid` in an
//! object. You give it a function and a name, `start()` it, and ask it
//! questions later:
//!
//! ```python
//! p = Process(target=crunch, name="cruncher")
//! p.daemon = False             # only before start()
//! p.start()
//! p.join(timeout=0.5)          # gives up after half a second
//! print(p.is_alive(), p.exitcode)   # True None: still running
//! p.terminate()                # SIGTERM
//! p.join()
//! print(p.exitcode)            # -15: killed by signal 15
//! ```
//!
//! `exitcode` is `None` while the child runs, the code it exited with once it
//! has, and **minus the signal number** when a signal ended it. An uncaught
//! exception in the child makes the exit code 1.
//!
//! Build [`Process`], the same handle in Rust, on `fork` and `waitpid`:
//!
//! - [`exitcode_of`] turns a [`ChildExit`] into Python's convention.
//! - [`Process::new`] takes a name and a closure returning the exit code.
//!   Nothing runs until [`Process::start`], which forks: the child runs the
//!   closure and leaves with `_exit(code)`; a closure that panics gives exit
//!   code 1 (catch the panic: it must never unwind into the code that forked).
//! - [`Process::join`] waits and returns the exit code;
//!   [`Process::join_timeout`] gives up after a while with `Ok(None)`.
//!   `waitpid` has no timeout: poll it with `WNOHANG` and sleep a little
//!   between tries.
//! - [`Process::is_alive`], [`Process::exitcode`] and [`Process::state`]
//!   look without blocking (`WNOHANG`). A process is *not started*, then
//!   *running*, then *finished* (reaped).
//! - [`Process::terminate`] sends SIGTERM, [`Process::kill`] SIGKILL. Once a
//!   child has been reaped, its PID may be given to a new process: never
//!   signal a PID you have already reaped.
//! - Calling `join`, `terminate` or `kill` before `start` is an error
//!   ([`ProcessError::NotStarted`]), not a panic; so is starting twice
//!   ([`ProcessError::AlreadyStarted`]).
//! - Dropping the handle ([`Drop`]): a *daemon* child is stopped with it
//!   (SIGTERM, a grace period of about a second, then SIGKILL) and reaped. A
//!   non-daemon child keeps running, as Python's non-daemon processes outlive
//!   the code that started them; it must not become a zombie when it ends,
//!   and the drop must not block until it does (hand the `waitpid` to a
//!   thread).
//! - [`Display`](std::fmt::Display) reads like Python's `repr`:
//!   `<Process name='seven' pid=42 parent=7 stopped exitcode=7>`, and
//!   before `start`, `<Process name='idle' parent=7 initial>`.
//!
//! The tests check the exit codes (returned, panicked, killed), that `start`
//! returns while the child runs, a `join_timeout` that gives up but not
//! early (and returns as soon as the child ends, long before a long
//! timeout) and that sleeps between its looks (its thread's CPU time while
//! it waits; a loop that never sleeps fails), that a child that has ended is not alive even before anyone
//! reaped it (a zombie still answers `kill(pid, 0)`), that a second `join`
//! gives the same code, that `join` waits for its own child and no other,
//! `terminate` and `kill`, the errors, both kinds of drop, and the `repr`
//! (in a snapshot, PIDs replaced).
//!
//! Stuck? `cargo course hint process`.

use std::fmt;
use std::time::Duration;

use nix::errno::Errno;
use nix::unistd::Pid;

use crate::fork_wait::ChildExit;

/// What can go wrong with a `Process`, other than the child's own failure
/// (that one is its exit code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessError {
    /// `join`, `terminate` or `kill` before `start`.
    NotStarted,
    /// `start` or `set_daemon` on a process that was already started.
    AlreadyStarted,
    /// A system call failed.
    Os(Errno),
}

impl fmt::Display for ProcessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProcessError::NotStarted => write!(f, "the process was not started"),
            ProcessError::AlreadyStarted => write!(f, "the process was already started"),
            ProcessError::Os(errno) => write!(f, "system call failed: {errno}"),
        }
    }
}

impl std::error::Error for ProcessError {}

impl From<Errno> for ProcessError {
    fn from(errno: Errno) -> Self {
        ProcessError::Os(errno)
    }
}

/// Where a process is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    NotStarted,
    Running,
    Finished,
}

/// Python's `exitcode`: the code given to `_exit`, or minus the number of
/// the signal that ended the process (`-15` for SIGTERM).
pub fn exitcode_of(exit: ChildExit) -> i32 {
    todo!()
}

/// A child process running a closure, like Python's `multiprocessing.Process`.
///
/// Its fields are yours to choose: the name, the closure until it is started
/// (an `Option<Box<dyn FnOnce() -> i32 + Send>>`, say), the daemon flag, the
/// PID, and the exit code once the child has been reaped.
pub struct Process {
    _todo: (),
}

impl Process {
    /// A process named `name` that will run `target` once started.
    pub fn new<F>(name: &str, target: F) -> Process
    where
        F: FnOnce() -> i32 + Send + 'static,
    {
        todo!()
    }

    pub fn name(&self) -> &str {
        todo!()
    }

    /// The child's PID, once started.
    pub fn pid(&self) -> Option<Pid> {
        todo!()
    }

    pub fn daemon(&self) -> bool {
        todo!()
    }

    /// Marks the process as a daemon (or not); only before `start`, else
    /// `Err(AlreadyStarted)`.
    pub fn set_daemon(&mut self, daemon: bool) -> Result<(), ProcessError> {
        todo!()
    }

    /// Forks; the child runs the target and leaves with its return value as
    /// exit code, or 1 if it panicked. `Err(AlreadyStarted)` the second time.
    pub fn start(&mut self) -> Result<(), ProcessError> {
        todo!()
    }

    /// Waits for the child to end and returns its exit code (Python's
    /// convention). Joining a finished process again returns the same code.
    pub fn join(&mut self) -> Result<i32, ProcessError> {
        todo!()
    }

    /// Waits at most `timeout`: `Ok(Some(code))` if the child ended,
    /// `Ok(None)` if it still runs.
    pub fn join_timeout(&mut self, timeout: Duration) -> Result<Option<i32>, ProcessError> {
        todo!()
    }

    /// True from `start` until the child has ended. Does not block.
    pub fn is_alive(&mut self) -> bool {
        todo!()
    }

    /// Where the process is now. Does not block.
    pub fn state(&mut self) -> State {
        todo!()
    }

    /// Python's `exitcode`: `None` until the child has ended. Does not block.
    pub fn exitcode(&mut self) -> Option<i32> {
        todo!()
    }

    /// Sends SIGTERM. Does nothing if the child has already been reaped.
    pub fn terminate(&mut self) -> Result<(), ProcessError> {
        todo!()
    }

    /// Sends SIGKILL. Does nothing if the child has already been reaped.
    pub fn kill(&mut self) -> Result<(), ProcessError> {
        todo!()
    }
}

impl Drop for Process {
    /// A daemon child dies with its handle: SIGTERM, a short grace, SIGKILL,
    /// and it is reaped. A non-daemon child outlives its handle; a thread
    /// left behind reaps it when it ends, so it never stays a zombie and the
    /// drop never blocks.
    fn drop(&mut self) {
        // Write this body too. It is empty rather than `todo!()` on purpose:
        // a panic in `drop` while a test is already failing would abort the
        // whole test program.
    }
}

impl fmt::Display for Process {
    /// Python's `repr`, as last observed (no `waitpid`):
    ///
    /// - `<Process name='idle' parent=7 initial>`
    /// - `<Process name='w' pid=42 parent=7 started>`
    /// - `<Process name='w' pid=42 parent=7 stopped exitcode=3>`
    /// - `<Process name='w' pid=42 parent=7 stopped exitcode=-SIGTERM>`
    ///
    /// with ` daemon` before the `>` for a daemon. `parent` is this
    /// process's PID, shown from the start, as Python does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        todo!()
    }
}
