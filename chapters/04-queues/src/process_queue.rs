//! # Exercise: a queue between processes
//!
//! Python's `multiprocessing.Queue` looks like `queue.Queue`, but its items
//! travel between processes: `put` pickles the object and writes the bytes
//! to a pipe, `get` reads them back. With several producers writing to one
//! pipe, two questions come up.
//!
//! ```python
//! q = multiprocessing.Queue()
//! def producer(n):
//!     for i in range(100):
//!         q.put((n, i, "x" * 20_000))
//! for n in range(4):
//!     Process(target=producer, args=(n,)).start()
//! items = [q.get() for _ in range(400)]
//! ```
//!
//! *Where does one item end?* Frame it: a 4-byte big-endian length, then the
//! payload (as in chapter 2).
//!
//! *Can two producers' frames mix?* A `write` of at most `PIPE_BUF` bytes
//! (4096 on Linux) to a pipe is atomic: it lands in one piece. A 20 000-byte
//! frame takes several writes, and another producer's write can land between
//! them. So writers take a lock around each frame, a lock that works across
//! `fork`. Python uses a semaphore; here, a second pipe holding one byte,
//! the *token*: to take the lock, read the byte (a `read` on an empty pipe
//! waits); to give it back, write it. Every process that inherited the pipe
//! shares the lock.
//!
//! Build [`ProcessQueue`]:
//! - `new`: the data pipe, and the lock pipe with its one token.
//! - `put_bytes`: take the token, write the frame (header and payload), give
//!   the token back, even if a write failed. It runs in forked children:
//!   it must not allocate. Frames over [`MAX_FRAME`] are `InvalidInput`.
//! - `get_bytes`: read one whole frame (one consumer at a time); a length
//!   over [`MAX_FRAME`] is `InvalidData`.
//! - `put` / `get`: any serde value as JSON in one frame.
//! - `spawn`: fork a child that runs `work(&queue)` and leaves with `_exit`
//!   and its code; the child uses the fds it inherited.
//!
//! Two finished helpers below do the loops over short reads and writes.
//!
//! The tests start four producer processes sending frames of up to 20 000
//! bytes to one consumer, the parent: every frame arrives whole, none is
//! lost, each producer's in its order. Typed values cross too, a frame of
//! exactly `MAX_FRAME` bytes crosses whole, and a frame over `MAX_FRAME` is
//! refused before anything is written.
//!
//! Stuck? `cargo course hint process_queue`.

use std::io::{self, ErrorKind};
use std::os::fd::BorrowedFd;

use nix::errno::Errno;
use nix::unistd::{Pid, read, write};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The largest payload one frame may carry: 16 MiB.
pub const MAX_FRAME: usize = 16 << 20;

/// A FIFO of byte frames between processes, with a lock shared by every
/// writer.
pub struct ProcessQueue {
    // Your fields: the data pipe's two ends and the lock pipe's two ends.
}

impl ProcessQueue {
    /// The two pipes, with one token in the lock pipe.
    pub fn new() -> io::Result<Self> {
        todo!()
    }

    /// Appends one frame; frames from different processes never interleave.
    pub fn put_bytes(&self, payload: &[u8]) -> io::Result<()> {
        todo!()
    }

    /// Takes the oldest frame, waiting for one. For one consumer at a time.
    pub fn get_bytes(&self) -> io::Result<Vec<u8>> {
        todo!()
    }

    /// Appends any serialisable value, as JSON in one frame.
    pub fn put<T: Serialize + ?Sized>(&self, value: &T) -> io::Result<()> {
        todo!()
    }

    /// Takes the oldest frame and decodes it as a `T`; bytes that do not
    /// decode are `InvalidData`.
    pub fn get<T: DeserializeOwned>(&self) -> io::Result<T> {
        todo!()
    }

    /// Forks a child that runs `work(self)` and exits with the code it
    /// returns; the parent gets the child's PID (and must wait for it).
    pub fn spawn<F: FnOnce(&ProcessQueue) -> i32>(&self, work: F) -> io::Result<Pid> {
        todo!()
    }
}

/// Writes all of `bytes`, retrying short writes and `EINTR`. Allocates nothing.
fn write_all_fd(fd: BorrowedFd, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        match write(fd, bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Fills `buf`, retrying short reads and `EINTR`; end of file is `UnexpectedEof`.
fn read_exact_fd(fd: BorrowedFd, buf: &mut [u8]) -> io::Result<()> {
    let mut filled = 0;
    while filled < buf.len() {
        match read(fd, &mut buf[filled..]) {
            Ok(0) => return Err(ErrorKind::UnexpectedEof.into()),
            Ok(n) => filled += n,
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
