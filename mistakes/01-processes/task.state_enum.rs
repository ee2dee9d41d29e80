//! A right answer for `task`, framed differently from the reference: the
//! child's life is one enum instead of an `Option<Pid>` and an
//! `Option<i32>`, and the exit code is computed with `waitpid` here.

use std::panic::{self, AssertUnwindSafe};

use nix::errno::Errno;
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork};

use crate::process::ProcessError;

/// Work that runs in a child process: Python's overridden `run`.
pub trait Task {
    /// Runs in the child; its return value is the child's exit code.
    fn run(&mut self) -> i32;
}

enum Life {
    NotStarted,
    Running(Pid),
    Finished(Pid, i32),
}

/// A task and the child process that runs it.
pub struct TaskProcess<T: Task> {
    task: T,
    life: Life,
}

impl<T: Task> TaskProcess<T> {
    pub fn new(task: T) -> Self {
        TaskProcess {
            task,
            life: Life::NotStarted,
        }
    }

    pub fn start(&mut self) -> Result<Pid, ProcessError> {
        if !matches!(self.life, Life::NotStarted) {
            return Err(ProcessError::AlreadyStarted);
        }
        // SAFETY: the child runs the task and `_exit`s.
        match unsafe { fork() }? {
            ForkResult::Child => {
                let code = match panic::catch_unwind(AssertUnwindSafe(|| self.task.run())) {
                    Ok(code) => code,
                    Err(_) => 1,
                };
                unsafe { libc::_exit(code) }
            }
            ForkResult::Parent { child } => {
                self.life = Life::Running(child);
                Ok(child)
            }
        }
    }

    pub fn join(&mut self) -> Result<i32, ProcessError> {
        let pid = match self.life {
            Life::NotStarted => return Err(ProcessError::NotStarted),
            Life::Finished(_, code) => return Ok(code),
            Life::Running(pid) => pid,
        };
        let code = loop {
            match waitpid(pid, None) {
                Ok(WaitStatus::Exited(_, code)) => break code,
                Ok(WaitStatus::Signaled(_, signal, _)) => break -(signal as i32),
                Ok(_) | Err(Errno::EINTR) => {}
                Err(e) => return Err(e.into()),
            }
        };
        self.life = Life::Finished(pid, code);
        Ok(code)
    }

    pub fn run_here(&mut self) -> i32 {
        self.task.run()
    }

    pub fn pid(&self) -> Option<Pid> {
        match self.life {
            Life::NotStarted => None,
            Life::Running(pid) | Life::Finished(pid, _) => Some(pid),
        }
    }

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
