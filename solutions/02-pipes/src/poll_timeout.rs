//! Poll and receive with a timeout: the reference solution. The statement is
//! in `chapters/02-pipes/src/poll_timeout.rs`.

use std::io;
use std::os::fd::BorrowedFd;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout};
use nix::unistd::read;

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

/// Waits until `fd` can be read without blocking, or until `timeout` has passed.
pub fn poll(fd: BorrowedFd, timeout: Duration) -> io::Result<bool> {
    wait_readable(fd, Instant::now() + timeout).map_err(io::Error::from)
}

/// Receives one frame (4-byte big-endian length, then payload) within `timeout`.
pub fn recv_timeout(fd: BorrowedFd, timeout: Duration) -> Result<Vec<u8>, RecvError> {
    // One deadline for the whole frame: a peer trickling bytes must not
    // stretch the wait beyond what the caller allowed.
    let deadline = Instant::now() + timeout;
    let mut header = [0u8; 4];
    read_exact_by(fd, &mut header, deadline, RecvError::Closed)?;
    let mut payload = vec![0u8; u32::from_be_bytes(header) as usize];
    read_exact_by(fd, &mut payload, deadline, RecvError::Truncated)?;
    Ok(payload)
}

/// Fills `buf` before `deadline`; end of file before the first byte is `at_start`.
fn read_exact_by(
    fd: BorrowedFd,
    buf: &mut [u8],
    deadline: Instant,
    at_start: RecvError,
) -> Result<(), RecvError> {
    let mut filled = 0;
    while filled < buf.len() {
        if !wait_readable(fd, deadline).map_err(RecvError::Os)? {
            return Err(RecvError::Timeout);
        }
        // poll said readable: this read returns at once, with data or with 0
        // for end of file.
        match read(fd, &mut buf[filled..]) {
            Ok(0) if filled == 0 => return Err(at_start),
            Ok(0) => return Err(RecvError::Truncated),
            Ok(n) => filled += n,
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(RecvError::Os(e)),
        }
    }
    Ok(())
}

/// `poll` until readable or `deadline`. poll's own timeout counts whole
/// milliseconds and a signal can cut it short, so the loop checks the clock
/// itself and never gives up early.
fn wait_readable(fd: BorrowedFd, deadline: Instant) -> nix::Result<bool> {
    loop {
        let now = Instant::now();
        let left = deadline.saturating_duration_since(now);
        // Round up, so that a wait of 0.4 ms does not become a busy loop.
        let millis = left.as_nanos().div_ceil(1_000_000).min(i32::MAX as u128) as i32;
        let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
        match nix::poll::poll(
            &mut fds,
            PollTimeout::try_from(millis).unwrap_or(PollTimeout::MAX),
        ) {
            // POLLHUP without POLLIN means end of file: a read would not block.
            Ok(n) if n > 0 => return Ok(true),
            Ok(_) | Err(Errno::EINTR) => {
                if Instant::now() >= deadline {
                    return Ok(false);
                }
            }
            Err(e) => return Err(e),
        }
    }
}
