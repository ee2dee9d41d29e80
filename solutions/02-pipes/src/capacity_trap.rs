//! The pipe-capacity trap: the reference solution. The statement is in
//! `chapters/02-pipes/src/capacity_trap.rs`.

use std::io::{self, Read};
use std::os::fd::BorrowedFd;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::thread;

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::unistd::write;

/// What a finished command wrote and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    /// The exit code, or 128 + the signal number.
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// The size of the pipe's buffer in bytes, as the kernel reports it.
pub fn pipe_capacity(fd: BorrowedFd) -> io::Result<usize> {
    Ok(fcntl(fd, FcntlArg::F_GETPIPE_SZ)? as usize)
}

/// Writes into the pipe until a write would block; returns how many bytes went in.
pub fn fill_until_full(fd: BorrowedFd) -> io::Result<usize> {
    let flags = OFlag::from_bits_retain(fcntl(fd, FcntlArg::F_GETFL)?);
    fcntl(fd, FcntlArg::F_SETFL(flags | OFlag::O_NONBLOCK))?;
    let mut written = 0;
    let result = loop {
        // One byte at a time: the kernel packs them into full pages, so the
        // count is the whole buffer, not the buffer minus a partial chunk.
        match write(fd, &[0u8]) {
            Ok(n) => written += n,
            Err(Errno::EAGAIN) => break Ok(written),
            Err(Errno::EINTR) => continue,
            Err(e) => break Err(e.into()),
        }
    };
    // Give the fd back as it came: other code may expect blocking writes.
    fcntl(fd, FcntlArg::F_SETFL(flags))?;
    result
}

/// Runs `argv`, collecting its stdout and stderr, however large, and its exit code.
pub fn capture(argv: &[&str]) -> io::Result<Captured> {
    let mut child = Command::new(argv[0])
        .args(&argv[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut out = child.stdout.take().expect("stdout is piped");
    let mut err = child.stderr.take().expect("stderr is piped");
    // Both pipes are drained at once, and both before waiting: a child
    // blocked on a full pipe never exits, so waiting first waits forever,
    // and so does reading one pipe to the end while the other fills.
    let (stdout, stderr) = thread::scope(|s| {
        let err_reader = s.spawn(move || {
            let mut buf = Vec::new();
            err.read_to_end(&mut buf).map(|_| buf)
        });
        let mut buf = Vec::new();
        let stdout = out.read_to_end(&mut buf).map(|_| buf);
        (
            stdout,
            err_reader.join().expect("the reader thread does not panic"),
        )
    });
    let status = child.wait()?;
    let code = status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(-1);
    Ok(Captured {
        code,
        stdout: stdout?,
        stderr: stderr?,
    })
}
