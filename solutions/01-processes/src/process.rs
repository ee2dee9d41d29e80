//! A `Process` handle: the reference solution. The statement is in
//! `chapters/01-processes/src/process.rs`.

use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::thread;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork, getpid};

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
/// the signal that ended the process.
pub fn exitcode_of(exit: ChildExit) -> i32 {
    match exit {
        ChildExit::Exited(code) => code,
        ChildExit::Signaled(signal) => -(signal as i32),
    }
}

type Target = Box<dyn FnOnce() -> i32 + Send + 'static>;

/// A child process running a closure, like Python's `multiprocessing.Process`.
pub struct Process {
    name: String,
    target: Option<Target>,
    daemon: bool,
    pid: Option<Pid>,
    // Set once the child has been reaped; from then on its PID may belong to
    // someone else, so it must never be signalled or waited for again.
    exitcode: Option<i32>,
}

impl Process {
    /// A process named `name` that will run `target` once started.
    pub fn new<F>(name: &str, target: F) -> Process
    where
        F: FnOnce() -> i32 + Send + 'static,
    {
        Process {
            name: name.to_string(),
            target: Some(Box::new(target)),
            daemon: false,
            pid: None,
            exitcode: None,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The child's PID, once started.
    pub fn pid(&self) -> Option<Pid> {
        self.pid
    }

    pub fn daemon(&self) -> bool {
        self.daemon
    }

    /// Marks the process as a daemon (or not); only before `start`.
    pub fn set_daemon(&mut self, daemon: bool) -> Result<(), ProcessError> {
        if self.pid.is_some() {
            return Err(ProcessError::AlreadyStarted);
        }
        self.daemon = daemon;
        Ok(())
    }

    /// Forks; the child runs the target and leaves with its return value as
    /// exit code, or 1 if it panicked.
    pub fn start(&mut self) -> Result<(), ProcessError> {
        let target = self.target.take().ok_or(ProcessError::AlreadyStarted)?;
        // SAFETY: the child only runs the target and `_exit`s; it never
        // returns into the caller.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => {
                // A panic must not unwind out of the child into the code that
                // forked it: catch it and report it as Python reports an
                // uncaught exception, with exit code 1.
                let code = panic::catch_unwind(AssertUnwindSafe(target)).unwrap_or(1);
                // SAFETY: ends the child at once, running no destructors.
                unsafe { libc::_exit(code) }
            }
            Ok(ForkResult::Parent { child }) => {
                self.pid = Some(child);
                Ok(())
            }
            Err(errno) => {
                self.target = Some(target);
                Err(errno.into())
            }
        }
    }

    /// Waits for the child to end and returns its exit code.
    pub fn join(&mut self) -> Result<i32, ProcessError> {
        let pid = self.pid.ok_or(ProcessError::NotStarted)?;
        if let Some(code) = self.exitcode {
            return Ok(code);
        }
        loop {
            match waitpid(pid, None) {
                Ok(status) => {
                    if let Some(code) = self.record(status) {
                        return Ok(code);
                    }
                }
                Err(Errno::EINTR) => {}
                Err(errno) => return Err(errno.into()),
            }
        }
    }

    /// Waits at most `timeout`; `Ok(None)` if the child still runs then.
    pub fn join_timeout(&mut self, timeout: Duration) -> Result<Option<i32>, ProcessError> {
        let deadline = Instant::now() + timeout;
        let mut nap = Duration::from_millis(1);
        loop {
            if let Some(code) = self.poll()? {
                return Ok(Some(code));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            // waitpid has no timeout: poll, sleeping a little longer each
            // time so a long wait costs few wake-ups.
            thread::sleep(nap.min(deadline - now));
            nap = (nap * 2).min(Duration::from_millis(20));
        }
    }

    /// True from `start` until the child has ended.
    pub fn is_alive(&mut self) -> bool {
        matches!(self.poll(), Ok(None))
    }

    /// Where the process is now.
    pub fn state(&mut self) -> State {
        match (self.pid, self.exitcode) {
            (None, _) => State::NotStarted,
            (Some(_), Some(_)) => State::Finished,
            (Some(_), None) => match self.poll() {
                Ok(Some(_)) => State::Finished,
                _ => State::Running,
            },
        }
    }

    /// Python's `exitcode`: `None` until the child has ended.
    pub fn exitcode(&mut self) -> Option<i32> {
        self.poll().ok().flatten()
    }

    /// Sends SIGTERM. Does nothing if the child has already been reaped.
    pub fn terminate(&mut self) -> Result<(), ProcessError> {
        self.signal(Signal::SIGTERM)
    }

    /// Sends SIGKILL. Does nothing if the child has already been reaped.
    pub fn kill(&mut self) -> Result<(), ProcessError> {
        self.signal(Signal::SIGKILL)
    }

    fn signal(&mut self, signal: Signal) -> Result<(), ProcessError> {
        let pid = self.pid.ok_or(ProcessError::NotStarted)?;
        if self.exitcode.is_some() {
            // Reaped: the PID may already name another process.
            return Ok(());
        }
        // A zombie (ended, not yet reaped) still accepts a signal harmlessly.
        kill(pid, signal)?;
        Ok(())
    }

    /// Reaps the child if it has ended, without blocking.
    fn poll(&mut self) -> Result<Option<i32>, ProcessError> {
        let pid = self.pid.ok_or(ProcessError::NotStarted)?;
        if self.exitcode.is_some() {
            return Ok(self.exitcode);
        }
        match waitpid(pid, Some(WaitPidFlag::WNOHANG)) {
            Ok(status) => Ok(self.record(status)),
            Err(Errno::EINTR) => Ok(None),
            Err(errno) => Err(errno.into()),
        }
    }

    fn record(&mut self, status: WaitStatus) -> Option<i32> {
        let code = match status {
            WaitStatus::Exited(_, code) => exitcode_of(ChildExit::Exited(code)),
            WaitStatus::Signaled(_, signal, _) => exitcode_of(ChildExit::Signaled(signal)),
            // Still alive (StillAlive, stopped, continued).
            _ => return None,
        };
        self.exitcode = Some(code);
        Some(code)
    }
}

/// How long a daemon child gets to end after SIGTERM before it gets SIGKILL.
const DAEMON_GRACE: Duration = Duration::from_secs(1);

impl Drop for Process {
    /// A daemon child dies with its handle: SIGTERM, a short grace, SIGKILL,
    /// and it is reaped. A non-daemon child outlives its handle (as Python's
    /// non-daemon processes outlive the code that started them); a thread
    /// left behind reaps it when it ends, so it never stays a zombie and the
    /// drop never blocks.
    fn drop(&mut self) {
        let Some(pid) = self.pid else { return };
        if self.exitcode.is_some() || matches!(self.poll(), Ok(Some(_)) | Err(_)) {
            return;
        }
        if self.daemon {
            let _ = kill(pid, Signal::SIGTERM);
            if let Ok(None) = self.join_timeout(DAEMON_GRACE) {
                let _ = kill(pid, Signal::SIGKILL);
                let _ = self.join();
            }
        } else {
            thread::spawn(move || while let Err(Errno::EINTR) = waitpid(pid, None) {});
        }
    }
}

impl fmt::Display for Process {
    /// Python's `repr`, as last observed (no waitpid):
    /// `<Process name='w' pid=42 parent=7 stopped exitcode=-SIGTERM>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<Process name='{}'", self.name)?;
        match self.pid {
            // Python names the parent even before start: the process that
            // made the handle, which will fork the child.
            None => write!(f, " parent={} initial", getpid())?,
            Some(pid) => {
                write!(f, " pid={pid} parent={}", getpid())?;
                match self.exitcode {
                    None => write!(f, " started")?,
                    Some(code) if code < 0 => match Signal::try_from(-code) {
                        Ok(signal) => write!(f, " stopped exitcode=-{}", signal.as_str())?,
                        Err(_) => write!(f, " stopped exitcode={code}")?,
                    },
                    Some(code) => write!(f, " stopped exitcode={code}")?,
                }
            }
        }
        if self.daemon {
            write!(f, " daemon")?;
        }
        write!(f, ">")
    }
}
