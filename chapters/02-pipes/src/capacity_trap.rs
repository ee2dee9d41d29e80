//! # Exercise: the pipe-capacity trap
//!
//! A program that runs a child and waits for it *before* reading its output
//! works in every test with small output, then freezes in production:
//!
//! ```python
//! p = Popen(["make", "report"], stdout=PIPE)
//! p.wait()                  # the child writes 100 KiB and blocks...
//! out = p.stdout.read()     # ...because nobody reads until it exits
//! ```
//!
//! A pipe holds a fixed number of bytes (64 KiB on Linux unless changed).
//! Once it is full the writer's `write` blocks until someone reads. A child
//! blocked in `write` never exits; a parent blocked in `wait` never reads.
//! Python's `communicate()` reads while it waits; you build the same.
//!
//! Build:
//! - [`pipe_capacity`]: the buffer size, from `fcntl(fd, F_GETPIPE_SZ)`.
//! - [`fill_until_full`]: see the limit for yourself. Make the write end
//!   non-blocking (`O_NONBLOCK` with `F_SETFL`), write one byte at a time
//!   until `write` fails with `EAGAIN`, count, and put the old flags back.
//! - [`capture`]: run a command with stdout and stderr piped, read *both*
//!   to the end while the child runs, and only then wait for it. Reading
//!   stdout to its end before looking at stderr is the same trap again: a
//!   child blocked on a full stderr never closes its stdout. Use a thread for
//!   one of them (or `poll` both). Don't use `Command::output` or
//!   `wait_with_output`: they are the answer.
//!
//! The tests fill a pipe (the count is the capacity, give or take the end of
//! a page, and the pipe then really holds that many bytes), also one resized
//! to four pages, capture 1 MiB of
//! output, a child that fills stderr first, and exit codes (128 + 9 for a
//! child killed by SIGKILL). A capture that waits first stops after ten
//! seconds with a message, not a frozen run.
//!
//! Stuck? `cargo course hint capacity_trap`.

use std::io;
use std::os::fd::BorrowedFd;

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
    todo!()
}

/// Writes into the pipe `fd` (a write end) until a write would block; returns
/// how many bytes went in. Leaves the fd's flags as it found them.
pub fn fill_until_full(fd: BorrowedFd) -> io::Result<usize> {
    todo!()
}

/// Runs `argv` (program, then arguments) with stdin from `/dev/null`, and
/// returns its code and everything it wrote to stdout and stderr.
pub fn capture(argv: &[&str]) -> io::Result<Captured> {
    todo!()
}
