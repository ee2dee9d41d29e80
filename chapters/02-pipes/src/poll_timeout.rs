//! # Exercise: poll and receive with a timeout
//!
//! Python's `conn.poll(timeout)` answers "could I `recv` now without
//! blocking?", waiting at most `timeout` seconds for the answer. With it a
//! program waits for a peer without trusting the peer to answer:
//!
//! ```python
//! if conn.poll(0.5):
//!     msg = conn.recv()       # EOFError if the peer has gone
//! else:
//!     print("no answer within half a second")
//! ```
//!
//! Underneath is the `poll` system call (`nix::poll::poll`): give it fds and
//! the events you want (`POLLIN`: readable) and a timeout in milliseconds.
//! A pipe whose writers have all gone is readable too: the read returns 0,
//! end of file, at once. So a vanished peer is an answer, never a hang.
//!
//! Build:
//! - [`poll`]: true when a read on `fd` would not block (data, or end of
//!   file), false when `timeout` passes first. It never returns false
//!   *before* `timeout` has passed, even when a signal cuts the system call
//!   short (`EINTR`) or its millisecond count rounds down.
//! - [`recv_timeout`]: one frame (a 4-byte big-endian length, then the
//!   payload, as in `duplex`) within `timeout`. One deadline covers the
//!   whole frame: a peer sending a byte at a time cannot stretch the wait.
//!   Wait with `poll` before every read, so that no read ever blocks. End of
//!   file before the frame starts is [`RecvError::Closed`], inside it
//!   [`RecvError::Truncated`].
//!
//! The tests wait on quiet pipes (the answer is a timeout, and not early,
//! also for a timeout of 20.9 ms and under a storm of signals), on frames
//! that arrive in pieces, on peers that trickle bytes (a 1 s timeout must
//! end within 1.5 s), and on peer processes that exit before a frame, inside
//! its header or inside its payload. Where the answer comes early, the
//! timeout is long: a wait that sleeps out its timeout before looking fails.
//!
//! Stuck? `cargo course hint poll_timeout`.

use std::io;
use std::os::fd::BorrowedFd;
use std::time::Duration;

use nix::errno::Errno;

/// Why [`recv_timeout`] returned no frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecvError {
    /// The whole frame did not arrive before the deadline.
    Timeout,
    /// The peer closed its end before a new frame began.
    Closed,
    /// The peer closed its end in the middle of a frame.
    Truncated,
    /// The system said no.
    Os(Errno),
}

/// Waits until `fd` can be read without blocking (data waits, or the write
/// ends are all closed) and returns true, or returns false once `timeout`
/// has passed, not before.
pub fn poll(fd: BorrowedFd, timeout: Duration) -> io::Result<bool> {
    todo!()
}

/// Receives one frame from `fd` within `timeout`, never blocking past it.
pub fn recv_timeout(fd: BorrowedFd, timeout: Duration) -> Result<Vec<u8>, RecvError> {
    todo!()
}
