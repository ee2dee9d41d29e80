//! # Exercise: a reactor for non-blocking sockets
//!
//! gevent's point is the network: while one greenlet waits for a reply,
//! the others send their requests. Ten look-ups cost about as much as the
//! slowest one:
//!
//! ```python
//! from gevent import monkey; monkey.patch_all()
//!
//! def lookup(key):
//!     with socket.create_connection(ADDR) as conn:
//!         conn.sendall(f"{key}\n".encode())
//!         return conn.makefile().readline().rstrip("\n")
//!
//! jobs = [gevent.spawn(lookup, key) for key in keys]
//! gevent.joinall(jobs)
//! answers = [job.value for job in jobs]
//! ```
//!
//! Underneath, gevent makes every socket non-blocking and asks the kernel,
//! through `epoll`, which sockets are ready. Build that *reactor*:
//!
//! - A non-blocking socket returns `WouldBlock` instead of waiting. Then the
//!   task awaits [`ready`]: a future that registers the fd with `epoll`
//!   (`nix::sys::epoll::Epoll`, `EPOLLIN` or `EPOLLOUT`, and `EPOLLONESHOT`
//!   so the event is reported once) and is pending until the kernel reports
//!   it. A reactor thread, one for the process, sits in `epoll_wait` and
//!   wakes the waker stored for each event (carry a token in the event's
//!   `data` to find it). When the wait ends or is dropped, take the fd out
//!   of epoll again (`Epoll::delete`).
//! - [`TcpConn`] is a connected `TcpStream` switched to non-blocking mode;
//!   its [`read`](TcpConn::read) and [`write_all`](TcpConn::write_all) loop:
//!   try the call, and on `WouldBlock` wait until ready and try again.
//! - [`lookup`] speaks the protocol of the test's server: send the key and a
//!   newline, read one line back (it may come in pieces, and the server
//!   keeps the connection open after it: read up to the newline, not to
//!   end of file), return it without the newline. A server that closes
//!   before a full line, with nothing or with part of one, gives an
//!   `UnexpectedEof` error.
//! - [`lookup_all`] spawns one task per key on your executor, joins them all
//!   and returns the answers in the order of the keys.
//!
//! The tests start a server on 127.0.0.1 (a thread of the test, the
//! stand-in for the web service) that answers nothing until *all* twenty
//! requests are waiting at once, and then answers them last-first: only
//! look-ups in flight together get their answers, and only answers put back
//! in request order pass. They also check that the socket is non-blocking,
//! that a key the server does not know fails in its own place, that an
//! answer in three pieces is read whole and one cut short is an error,
//! that a look-up waiting a second for its answer is polled at most four
//! times, and, in a process of its own, that nothing uses the CPU while it
//! waits (the reactor thread blocks in `epoll_wait`: no timeout).
//!
//! Stuck? `cargo course hint reactor`.

use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, BorrowedFd};

use crate::executor::Executor;

/// What a task waits for on a file descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interest {
    Readable,
    Writable,
}

/// Waits until `fd` is ready for `interest`. Ready means "try again", not
/// "will succeed": the caller retries its call and may wait again.
pub async fn ready(fd: BorrowedFd<'_>, interest: Interest) -> io::Result<()> {
    todo!()
}

/// A TCP connection whose reads and writes wait in the reactor instead of
/// blocking the thread.
#[derive(Debug)]
pub struct TcpConn {
    // Your fields: a `std::net::TcpStream` will do.
}

impl TcpConn {
    /// Connects to `addr` and makes the socket non-blocking, so every later
    /// read and write returns `WouldBlock` instead of waiting.
    ///
    /// The connect itself may be std's blocking one: to a server on this
    /// machine the kernel completes it at once. (A full runtime starts it
    /// non-blocking too and waits for the socket to turn writable.)
    pub async fn connect(addr: SocketAddr) -> io::Result<TcpConn> {
        todo!()
    }

    /// Reads what has arrived, at most `buf.len()` bytes; 0 means the peer
    /// closed the connection.
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        todo!()
    }

    /// Writes all of `buf`.
    pub async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        todo!()
    }
}

impl AsFd for TcpConn {
    fn as_fd(&self) -> BorrowedFd<'_> {
        todo!()
    }
}

/// One look-up: sends `key` and a newline, reads one line back and returns
/// it without the newline. A server that closes without a full line gives
/// an `UnexpectedEof` error.
pub async fn lookup(addr: SocketAddr, key: &str) -> io::Result<String> {
    todo!()
}

/// Looks up every key at once, one task each on `executor`, and returns
/// the answers in the order of `keys` (gevent's `spawn` then `joinall`).
pub fn lookup_all(executor: &Executor, addr: SocketAddr, keys: &[&str]) -> Vec<io::Result<String>> {
    todo!()
}
