//! Fork and wait: the reference solution. The statement is in
//! `chapters/01-processes/src/fork_wait.rs`.

use nix::errno::Errno;
use nix::sys::signal::Signal;
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork};

/// How a child process ended, as `waitpid` tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildExit {
    /// The child left with `_exit(code)`; only the low byte survives.
    Exited(i32),
    /// A signal ended the child.
    Signaled(Signal),
}

/// Forks; the child runs `work` and exits with its code, the parent reaps it.
pub fn run_in_child<F: FnOnce() -> i32>(work: F) -> nix::Result<(Pid, ChildExit)> {
    // SAFETY: in the child only this thread exists; it runs `work` and leaves
    // with `_exit`, so it never returns into the caller's code, never runs
    // destructors or atexit handlers that belong to the parent.
    match unsafe { fork() }? {
        ForkResult::Child => {
            let code = work();
            // SAFETY: `_exit` ends the process at once and is async-signal-safe.
            unsafe { libc::_exit(code) }
        }
        ForkResult::Parent { child } => Ok((child, wait_for(child)?)),
    }
}

/// Waits for `child` and reports how it ended; retries on `EINTR`.
pub fn wait_for(child: Pid) -> nix::Result<ChildExit> {
    loop {
        match waitpid(child, None) {
            Ok(WaitStatus::Exited(_, code)) => return Ok(ChildExit::Exited(code)),
            Ok(WaitStatus::Signaled(_, signal, _)) => return Ok(ChildExit::Signaled(signal)),
            // Stopped or continued: the child still lives; wait on.
            Ok(_) | Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// One line for a log.
pub fn describe(child: Pid, exit: ChildExit) -> String {
    match exit {
        ChildExit::Exited(code) => format!("child {child} exited with code {code}"),
        ChildExit::Signaled(signal) => format!("child {child} was killed by {}", signal.as_str()),
    }
}
