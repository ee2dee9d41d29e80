//! The few raw process tools the floors and the harness share: fork a child
//! that leaves with `_exit`, wait for one pid, make pipes as `File`s.
//!
//! Every leg runs in its own fresh, single-threaded process of this program
//! (see `harness`), so a forked child may allocate and use std freely.

use std::fs::File;
use std::panic::{AssertUnwindSafe, catch_unwind};

use nix::errno::Errno;
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork, pipe};

/// Forks; the child runs `body` and leaves with `_exit(code)`, never
/// returning into the caller (a panic leaves with 101).
pub fn spawn_child(body: impl FnOnce() -> i32) -> Result<Pid, String> {
    // SAFETY: the leg process is single-threaded when it forks; the child
    // runs `body` and leaves through `_exit` without unwinding into ours.
    match unsafe { fork() }.map_err(|e| format!("fork: {e}"))? {
        ForkResult::Child => {
            let code = catch_unwind(AssertUnwindSafe(body)).unwrap_or(101);
            // SAFETY: ends the child at once, running nothing of the parent's.
            unsafe { libc::_exit(code) }
        }
        ForkResult::Parent { child } => Ok(child),
    }
}

/// Waits for `child`; its exit code, or an error if a signal ended it.
pub fn wait_code(child: Pid) -> Result<i32, String> {
    loop {
        match waitpid(child, None) {
            Ok(WaitStatus::Exited(_, code)) => return Ok(code),
            Ok(WaitStatus::Signaled(_, signal, _)) => {
                return Err(format!("child {child} killed by {signal}"));
            }
            Ok(_) | Err(Errno::EINTR) => continue,
            Err(e) => return Err(format!("waitpid {child}: {e}")),
        }
    }
}

/// Waits for `child` and insists that it exited with 0.
pub fn wait_ok(child: Pid) -> Result<(), String> {
    match wait_code(child)? {
        0 => Ok(()),
        code => Err(format!("child {child} exited with {code}")),
    }
}

/// A pipe as (read end, write end); `File` reads and writes are plain
/// `read(2)` and `write(2)`, with no buffer in between.
pub fn pipe_files() -> Result<(File, File), String> {
    let (read, write) = pipe().map_err(|e| format!("pipe: {e}"))?;
    Ok((File::from(read), File::from(write)))
}

/// Closes a descriptor the child inherited and must not keep (the unused
/// end of a pipe). For children only: a child leaves with `_exit`, so the
/// `File` is never dropped and the descriptor never closed twice.
pub fn close_in_child(file: &File) {
    use std::os::fd::AsRawFd;
    // SAFETY: the child owns its copy of the descriptor table; nothing in
    // the child uses `file` after this.
    unsafe { libc::close(file.as_raw_fd()) };
}
