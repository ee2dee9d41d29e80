//! What every server of this chapter shares. This module is given finished:
//! the exercises are about the servers, not about these few system calls.
//!
//! - [`Stop`] asks a running server to stop. It is a pipe: [`Stop::request`]
//!   writes one byte to it, and from then on its read end (what
//!   [`AsFd::as_fd`] gives) is readable, for good. A server that waits for a
//!   connection with `poll` or `epoll` puts that fd beside its listener and
//!   so hears the request at once, even while it sleeps. A single `write`
//!   is all `request` does, so a signal handler may call it (see
//!   `graceful_shutdown`).
//! - [`accept_or_stop`] waits for the next connection or for the stop,
//!   whichever comes first: the accept loop of the blocking servers.
//! - [`Served`] is what a server reports when it has stopped.
//!
//! ```text
//!   request() --write 1 byte--> [ pipe ] --readable--> poll([listener, stop])
//! ```

use std::io;
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::unistd::pipe2;

/// What a server did, reported when it stops.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Served {
    /// Connections accepted and served until they ended.
    pub connections: u64,
    /// Of those, the ones that ended with an error (a client that vanished
    /// in the middle, a reset), not with the client's end of file.
    pub failed: u64,
}

/// A request to stop, which a server can wait for beside its listener.
#[derive(Debug)]
pub struct Stop {
    read: OwnedFd,
    write: OwnedFd,
}

impl Stop {
    /// A stop not requested yet. Both ends are close-on-exec and
    /// non-blocking.
    pub fn new() -> io::Result<Stop> {
        let (read, write) = pipe2(OFlag::O_CLOEXEC | OFlag::O_NONBLOCK)?;
        Ok(Stop { read, write })
    }

    /// Asks the server to stop. Safe to call many times, from any thread,
    /// and from a signal handler: it is one `write` of one byte, and a full
    /// pipe (a stop already requested many times) is not an error.
    pub fn request(&self) {
        write_one_byte(self.write.as_raw_fd());
    }

    /// True once a stop was requested.
    pub fn is_requested(&self) -> bool {
        let mut fds = [PollFd::new(self.read.as_fd(), PollFlags::POLLIN)];
        matches!(poll(&mut fds, PollTimeout::ZERO), Ok(n) if n > 0)
    }

    /// The number of the pipe's write end. A signal handler can use nothing
    /// but plain numbers: keep this in a static (an `AtomicI32`) and, in the
    /// handler, write one byte to it (as [`write_one_byte`] does).
    pub fn write_end(&self) -> RawFd {
        self.write.as_raw_fd()
    }
}

/// The read end: readable once a stop was requested, and from then on.
impl AsFd for Stop {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.read.as_fd()
    }
}

/// Writes one byte to `fd` with the bare system call, keeping `errno` as it
/// was. Only async-signal-safe calls, so a signal handler may call it.
pub fn write_one_byte(fd: RawFd) {
    // SAFETY: `__errno_location` returns this thread's errno slot, valid for
    // the thread's life; `write` reads one byte from a live local. A bad or
    // closed fd makes `write` fail with EBADF, which is ignored.
    unsafe {
        let errno = libc::__errno_location();
        let saved = *errno;
        let byte = 1u8;
        libc::write(fd, (&byte as *const u8).cast(), 1);
        *errno = saved;
    }
}

/// Waits for the next connection on `listener` or for `stop`, whichever
/// comes first: `Ok(Some(stream))` or `Ok(None)` once a stop was requested.
///
/// The listener is switched to non-blocking mode, so that a connection that
/// vanished between `poll` and `accept` cannot leave the loop blocked in
/// `accept`, deaf to the stop; the streams it returns are blocking (on Linux
/// an accepted socket does not inherit the listener's mode). An interrupted
/// wait and a connection aborted before it was accepted are retried.
pub fn accept_or_stop(listener: &TcpListener, stop: &Stop) -> io::Result<Option<TcpStream>> {
    listener.set_nonblocking(true)?;
    loop {
        if stop.is_requested() {
            return Ok(None);
        }
        let mut fds = [
            PollFd::new(listener.as_fd(), PollFlags::POLLIN),
            PollFd::new(stop.as_fd(), PollFlags::POLLIN),
        ];
        match poll(&mut fds, PollTimeout::NONE) {
            Ok(_) | Err(Errno::EINTR) => {}
            Err(e) => return Err(e.into()),
        }
        // The stop wins over a waiting connection: after a stop, nothing new
        // is taken on.
        if stop.is_requested() {
            return Ok(None);
        }
        match listener.accept() {
            Ok((stream, _)) => return Ok(Some(stream)),
            Err(e) if retry_accept(&e) => {}
            Err(e) => return Err(e),
        }
    }
}

/// Errors of `accept` that are not the listener's fault: try again.
pub fn retry_accept(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted | io::ErrorKind::ConnectionAborted
    )
}
