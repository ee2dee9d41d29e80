//! # Exercise: a one-way pipe
//!
//! In Python, `os.pipe()` returns two file descriptors, a read end and a
//! write end. After `os.fork()` both processes hold *both* ends, so each
//! closes the one it does not use: the parent writes, the child reads until
//! `os.read` returns `b""`, end of file.
//!
//! ```python
//! r, w = os.pipe()
//! if os.fork() == 0:          # the child reads
//!     os.close(w)             # forget this and the loop below never ends
//!     lines = 0
//!     while chunk := os.read(r, 4096):
//!         lines += chunk.count(b"\n")
//!     os._exit(lines)
//! os.close(r)
//! os.write(w, b"hello\nbye\n")
//! os.close(w)                 # end of file for the child
//! ```
//!
//! End of file comes only when *every* write end is closed, in every
//! process. A child that keeps its inherited copy of the write end waits
//! forever for an end of file that it alone prevents.
//!
//! Build it with `nix::unistd::{pipe, fork, read, write}`:
//!
//! - [`spawn_reader`] makes a pipe and forks a child that runs `work` with
//!   the read end; the parent gets the write end back.
//! - [`count_lines`] reads to end of file and counts newlines. It runs in the
//!   child, after `fork`: use a buffer on the stack, no `Vec`, no `String`.
//! - [`write_all`] writes every byte, whatever `write` accepts per call.
//! - [`send_lines`] puts the three together: a child counts the lines the
//!   parent sends and exits with the count.
//!
//! The tests check that the child sees end of file once the parent closes its
//! end (so the child closed its own copy), that a write fails with `EPIPE`
//! once the reader is gone (so the parent closed its read end), that every
//! newline is counted however the bytes are cut, and that `write_all` and
//! `count_lines` carry on while signals keep cutting their calls short (a
//! `write` that took only part, an `EINTR`). A test that would
//! hang on a forgotten `close` stops after a few seconds and says so.
//!
//! Stuck? `cargo course hint one_way_pipe`.

use std::os::fd::{BorrowedFd, OwnedFd};

use nix::unistd::Pid;

/// Makes a pipe and forks. The child runs `work(read_end)` and leaves with
/// `_exit` and the code `work` returned; the parent gets `(child_pid,
/// write_end)`.
///
/// Each process closes the end it does not use: the child its copy of the
/// write end (or it never sees end of file), the parent the read end (or its
/// writes never fail when the child is gone).
pub fn spawn_reader<F: FnOnce(OwnedFd) -> i32>(work: F) -> nix::Result<(Pid, OwnedFd)> {
    todo!()
}

/// Reads `fd` until end of file (a `read` that returns 0) and returns the
/// number of `\n` bytes seen. A read interrupted by a signal (`EINTR`) is
/// retried. Allocates nothing: it runs in a forked child.
pub fn count_lines(fd: BorrowedFd) -> nix::Result<usize> {
    todo!()
}

/// Writes all of `bytes` to `fd`. One `write` may take fewer bytes than
/// offered: write the rest, until none is left. `EINTR` is retried; any other
/// error (`EPIPE` once no reader is left) is returned.
pub fn write_all(fd: BorrowedFd, bytes: &[u8]) -> nix::Result<()> {
    todo!()
}

/// Starts a child with [`spawn_reader`] that counts lines with
/// [`count_lines`] and exits with the count (255 if reading failed). Writes
/// each of `lines` followed by `\n`, closes the write end, waits for that
/// child and returns the count it exited with.
///
/// `lines` holds fewer than 255 lines, none with a `\n` inside. A child that
/// exits with 255, or is killed, is `Err(Errno::EIO)`.
pub fn send_lines(lines: &[&str]) -> nix::Result<usize> {
    todo!()
}
