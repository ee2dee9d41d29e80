//! # Exercise: a task trait in place of subclassing
//!
//! The other way to use Python's `Process` is to subclass it and override
//! `run`. `start()` forks and calls `run()` in the child; calling `run()`
//! yourself just runs it here, in the parent:
//!
//! ```python
//! class Tally(Process):
//!     def __init__(self):
//!         super().__init__()
//!         self.total = 10
//!     def run(self):
//!         self.total += 5          # changes the child's copy of self
//!         sys.exit(self.total)
//!
//! t = Tally()
//! t.start(); t.join()
//! print(t.exitcode, t.total)       # 15 10: the parent's copy is unchanged
//! ```
//!
//! Rust has no subclassing; a trait does the job. A type implements [`Task`]
//! and its `run(&mut self)` is the code of the child. [`TaskProcess`] owns a
//! task and the child that runs it:
//!
//! - [`TaskProcess::start`] forks. In the child, call `run` on the task and
//!   leave with `_exit(code)` (1 if `run` panicked). It is the very same
//!   `self.task` as in the parent, but in the child's copy of memory: what
//!   `run` changes there never reaches the parent.
//! - [`TaskProcess::join`] waits and returns the exit code with Python's
//!   convention (negative for a signal): your `process::exitcode_of` and
//!   `fork_wait::wait_for` are there to be reused.
//! - [`TaskProcess::run_here`] is Python's `p.run()` called directly.
//! - [`spawn_task`] is `new` then `start`.
//!
//! The tests check that the child's changes stay in the child, that
//! `run_here` changes the parent's copy, that `run` executes in the child's
//! PID, that `start` returns while `run` still runs, the exit codes, that a
//! second `join` gives the same code, that `join` waits for its own child
//! and no other, and the `NotStarted`/`AlreadyStarted` errors.
//!
//! Stuck? `cargo course hint task`.

use std::marker::PhantomData;

use nix::unistd::Pid;

use crate::process::ProcessError;

/// Work that runs in a child process: Python's overridden `run`.
pub trait Task {
    /// Runs in the child; its return value is the child's exit code.
    fn run(&mut self) -> i32;
}

/// A task and the child process that runs it.
///
/// Its fields are yours to choose: the task itself, the child's PID once
/// started, its exit code once reaped.
pub struct TaskProcess<T: Task> {
    _todo: PhantomData<T>,
}

impl<T: Task> TaskProcess<T> {
    pub fn new(task: T) -> Self {
        todo!()
    }

    /// Forks; the child calls `run` on its own copy of the task and exits
    /// with the code it returns (1 if it panicked). Returns the child's PID;
    /// `Err(AlreadyStarted)` the second time.
    pub fn start(&mut self) -> Result<Pid, ProcessError> {
        todo!()
    }

    /// Waits for the child; its exit code with Python's sign convention.
    /// `Err(NotStarted)` before `start`. Joining again returns the same code.
    pub fn join(&mut self) -> Result<i32, ProcessError> {
        todo!()
    }

    /// Python's `p.run()` called directly: runs the task here, in this
    /// process, changing this copy.
    pub fn run_here(&mut self) -> i32 {
        todo!()
    }

    /// The child's PID, once started.
    pub fn pid(&self) -> Option<Pid> {
        todo!()
    }

    /// The parent's copy of the task.
    pub fn task(&self) -> &T {
        todo!()
    }

    /// Gives the parent's copy of the task back. Join first: a child never
    /// waited for stays a zombie.
    pub fn into_task(self) -> T {
        todo!()
    }
}

/// `TaskProcess::new(task)` then `start`.
pub fn spawn_task<T: Task>(task: T) -> Result<TaskProcess<T>, ProcessError> {
    todo!()
}
