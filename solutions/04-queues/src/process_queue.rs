//! A queue between processes: the reference solution. The statement is in
//! `chapters/04-queues/src/process_queue.rs`.

use std::io::{self, ErrorKind};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use nix::errno::Errno;
use nix::unistd::{ForkResult, Pid, fork, pipe, read, write};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The largest payload one frame may carry: 16 MiB.
pub const MAX_FRAME: usize = 16 << 20;

/// A FIFO of byte frames between processes: a pipe for the data, and a
/// second pipe holding one token byte as a lock shared by every writer.
pub struct ProcessQueue {
    data_read: OwnedFd,
    data_write: OwnedFd,
    lock_read: OwnedFd,
    lock_write: OwnedFd,
}

impl ProcessQueue {
    pub fn new() -> io::Result<Self> {
        let (data_read, data_write) = pipe()?;
        let (lock_read, lock_write) = pipe()?;
        // One token in the lock pipe: the lock starts free.
        write_all_fd(lock_write.as_fd(), &[1])?;
        Ok(Self {
            data_read,
            data_write,
            lock_read,
            lock_write,
        })
    }

    /// Appends one frame; frames from different processes never interleave.
    pub fn put_bytes(&self, payload: &[u8]) -> io::Result<()> {
        if payload.len() > MAX_FRAME {
            return Err(io::Error::new(ErrorKind::InvalidInput, "frame too large"));
        }
        // Only a write of at most PIPE_BUF bytes is atomic; a larger frame
        // goes in several writes, and another writer's frame could land
        // between them. The token makes each frame's writes one block.
        self.acquire()?;
        let header = (payload.len() as u32).to_be_bytes();
        let sent = write_all_fd(self.data_write.as_fd(), &header)
            .and_then(|()| write_all_fd(self.data_write.as_fd(), payload));
        // Give the token back even after a failed write, or every other
        // writer waits for ever.
        self.release()?;
        sent
    }

    /// Takes the oldest frame, waiting for one. For one consumer at a time.
    pub fn get_bytes(&self) -> io::Result<Vec<u8>> {
        let mut header = [0u8; 4];
        read_exact_fd(self.data_read.as_fd(), &mut header)?;
        let len = u32::from_be_bytes(header) as usize;
        if len > MAX_FRAME {
            return Err(io::Error::new(
                ErrorKind::InvalidData,
                "frame length over the limit",
            ));
        }
        let mut payload = vec![0u8; len];
        read_exact_fd(self.data_read.as_fd(), &mut payload)?;
        Ok(payload)
    }

    /// Appends any serialisable value, as JSON in one frame.
    pub fn put<T: Serialize + ?Sized>(&self, value: &T) -> io::Result<()> {
        let bytes = serde_json::to_vec(value).map_err(io::Error::other)?;
        self.put_bytes(&bytes)
    }

    /// Takes the oldest frame and decodes it as a `T`.
    pub fn get<T: DeserializeOwned>(&self) -> io::Result<T> {
        let bytes = self.get_bytes()?;
        serde_json::from_slice(&bytes).map_err(|e| io::Error::new(ErrorKind::InvalidData, e))
    }

    /// Forks a child that runs `work` with this queue and exits with its code.
    pub fn spawn<F: FnOnce(&ProcessQueue) -> i32>(&self, work: F) -> io::Result<Pid> {
        // SAFETY: the child runs `work` and leaves with `_exit`. The pipes'
        // fds are inherited by the fork, which is what shares the queue.
        match unsafe { fork() }? {
            ForkResult::Child => {
                let code = work(self);
                // SAFETY: `_exit` ends the process at once, without running
                // the parent's destructors or flushing its buffers twice.
                unsafe { libc::_exit(code) }
            }
            ForkResult::Parent { child } => Ok(child),
        }
    }

    fn acquire(&self) -> io::Result<()> {
        let mut token = [0u8; 1];
        read_exact_fd(self.lock_read.as_fd(), &mut token)
    }

    fn release(&self) -> io::Result<()> {
        write_all_fd(self.lock_write.as_fd(), &[1])
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
