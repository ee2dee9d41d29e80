//! A trait in place of subclassing `Process`: the reference solution. The
//! statement is in `chapters/01-processes/src/task.rs`.

use std::panic::{self, AssertUnwindSafe};

use nix::unistd::{ForkResult, Pid, fork};

use crate::fork_wait::wait_for;
use crate::process::{ProcessError, exitcode_of};

/// Work that runs in a child process: Python's overridden `run`.
pub trait Task {
    /// Runs in the child; its return value is the child's exit code.
    fn run(&mut self) -> i32;
}

/// A task and the child process that runs it.
pub struct TaskProcess<T: Task> {
    task: T,
    pid: Option<Pid>,
    exitcode: Option<i32>,
}

impl<T: Task> TaskProcess<T> {
    pub fn new(task: T) -> Self {
        TaskProcess {
            task,
            pid: None,
            exitcode: None,
        }
    }

    /// Forks; the child calls `run` on its own copy of the task and exits
    /// with the code it returns (1 if it panicked).
    pub fn start(&mut self) -> Result<Pid, ProcessError> {
        if self.pid.is_some() {
            return Err(ProcessError::AlreadyStarted);
        }
        // SAFETY: the child runs the task and `_exit`s, never returning.
        match unsafe { fork() }? {
            ForkResult::Child => {
                // The same `self.task` as in the parent, but in the child's
                // copy of memory: whatever `run` changes stays here.
                let code = panic::catch_unwind(AssertUnwindSafe(|| self.task.run())).unwrap_or(1);
                // SAFETY: ends the child at once.
                unsafe { libc::_exit(code) }
            }
            ForkResult::Parent { child } => {
                self.pid = Some(child);
                Ok(child)
            }
        }
    }

    /// Waits for the child; its exit code with Python's sign convention.
    pub fn join(&mut self) -> Result<i32, ProcessError> {
        let pid = self.pid.ok_or(ProcessError::NotStarted)?;
        if let Some(code) = self.exitcode {
            return Ok(code);
        }
        let code = exitcode_of(wait_for(pid)?);
        self.exitcode = Some(code);
        Ok(code)
    }

    /// Python's `p.run()` called directly: runs the task here, in this
    /// process, changing this copy.
    pub fn run_here(&mut self) -> i32 {
        self.task.run()
    }

    pub fn pid(&self) -> Option<Pid> {
        self.pid
    }

    /// The parent's copy of the task.
    pub fn task(&self) -> &T {
        &self.task
    }

    pub fn into_task(self) -> T {
        self.task
    }
}

/// `TaskProcess::new(task)` then `start`.
pub fn spawn_task<T: Task>(task: T) -> Result<TaskProcess<T>, ProcessError> {
    let mut process = TaskProcess::new(task);
    process.start()?;
    Ok(process)
}
