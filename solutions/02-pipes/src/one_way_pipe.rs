//! One-way pipe: the reference solution. The statement is in
//! `chapters/02-pipes/src/one_way_pipe.rs`.

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use nix::errno::Errno;
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork, pipe, read, write};

/// Forks a child that reads from a new pipe; returns its PID and the write end.
pub fn spawn_reader<F: FnOnce(OwnedFd) -> i32>(work: F) -> nix::Result<(Pid, OwnedFd)> {
    let (read_end, write_end) = pipe()?;
    // SAFETY: the child only closes an fd, runs `work` and leaves with `_exit`.
    match unsafe { fork() }? {
        ForkResult::Child => {
            // The child's copy of the write end keeps the pipe open: while it
            // exists the child itself would never read end of file.
            drop(write_end);
            let code = work(read_end);
            // SAFETY: `_exit` ends the process at once and is async-signal-safe.
            unsafe { libc::_exit(code) }
        }
        ForkResult::Parent { child } => {
            // The parent never reads; holding the read end would keep its
            // own writes from failing once the child is gone.
            drop(read_end);
            Ok((child, write_end))
        }
    }
}

/// Reads `fd` to end of file and counts the newline bytes, without allocating.
pub fn count_lines(fd: BorrowedFd) -> nix::Result<usize> {
    let mut buf = [0u8; 4096];
    let mut lines = 0;
    loop {
        match read(fd, &mut buf) {
            Ok(0) => return Ok(lines),
            Ok(n) => lines += buf[..n].iter().filter(|&&b| b == b'\n').count(),
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Writes every byte of `bytes`, however many `write` calls that takes.
pub fn write_all(fd: BorrowedFd, mut bytes: &[u8]) -> nix::Result<()> {
    while !bytes.is_empty() {
        match write(fd, bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Sends `lines` to a child that counts them; returns the child's count.
pub fn send_lines(lines: &[&str]) -> nix::Result<usize> {
    assert!(lines.len() < 255, "an exit code holds at most 254 lines");
    let (child, write_end) = spawn_reader(|read_end| match count_lines(read_end.as_fd()) {
        Ok(n) => n as i32,
        Err(_) => 255,
    })?;
    let sent = lines.iter().try_for_each(|line| {
        write_all(write_end.as_fd(), line.as_bytes())?;
        write_all(write_end.as_fd(), b"\n")
    });
    // The child reads until end of file, and end of file comes only once the
    // last write end is closed: close ours before waiting, even on an error.
    drop(write_end);
    let status = loop {
        match waitpid(child, None) {
            Err(Errno::EINTR) => continue,
            other => break other?,
        }
    };
    sent?;
    match status {
        WaitStatus::Exited(_, code) if code < 255 => Ok(code as usize),
        _ => Err(Errno::EIO),
    }
}
