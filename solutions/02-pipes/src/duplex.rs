//! Duplex typed connection: the reference solution. The statement is in
//! `chapters/02-pipes/src/duplex.rs`.

use std::fs::File;
use std::io::{self, ErrorKind, Read, Write};
use std::os::fd::OwnedFd;

use nix::unistd::{ForkResult, Pid, fork, pipe};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The largest payload a frame may carry: 64 MiB.
pub const MAX_FRAME: usize = 64 << 20;

/// One end of a duplex connection made of two pipes.
pub struct Connection {
    reader: File,
    writer: File,
}

/// Two connected ends: what one sends, the other receives, both ways.
pub fn pipe_pair() -> io::Result<(Connection, Connection)> {
    let (a_read, b_write) = pipe()?;
    let (b_read, a_write) = pipe()?;
    Ok((
        Connection::new(a_read, a_write),
        Connection::new(b_read, b_write),
    ))
}

/// Forks a child that runs `work` with one end; returns its PID and the other.
pub fn spawn_peer<F: FnOnce(Connection) -> i32>(work: F) -> io::Result<(Pid, Connection)> {
    let (parent_end, child_end) = pipe_pair()?;
    // SAFETY: the child runs `work` and leaves with `_exit`, never returning
    // into the caller. It may allocate: glibc's `fork` leaves the child's
    // allocator usable, which is what lets a child serialise values.
    match unsafe { fork() }? {
        ForkResult::Child => {
            // Each side drops the other's end so that a close on one side is
            // seen as end of file on the other.
            drop(parent_end);
            let code = work(child_end);
            // SAFETY: `_exit` ends the process at once.
            unsafe { libc::_exit(code) }
        }
        ForkResult::Parent { child } => {
            drop(child_end);
            Ok((child, parent_end))
        }
    }
}

impl Connection {
    /// A connection that receives from `read` and sends to `write`.
    pub fn new(read: OwnedFd, write: OwnedFd) -> Self {
        Self {
            reader: File::from(read),
            writer: File::from(write),
        }
    }

    /// Sends one frame: the payload's length as 4 bytes big-endian, then the payload.
    pub fn send_bytes(&mut self, payload: &[u8]) -> io::Result<()> {
        if payload.len() > MAX_FRAME {
            return Err(io::Error::new(
                ErrorKind::InvalidInput,
                format!("a frame holds at most {MAX_FRAME} bytes"),
            ));
        }
        // Header and payload in one buffer, so a small frame is one `write`:
        // the reader then wakes once per message, not once for the header and
        // again for the body.
        let mut frame = Vec::with_capacity(4 + payload.len());
        frame.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        frame.extend_from_slice(payload);
        // `write_all` loops: a pipe takes a large frame in many writes.
        self.writer.write_all(&frame)
    }

    /// Receives one whole frame.
    pub fn recv_bytes(&mut self) -> io::Result<Vec<u8>> {
        let mut header = [0u8; 4];
        // `read_exact` loops too: a read returns what is there, not what was asked.
        self.reader.read_exact(&mut header)?;
        let len = u32::from_be_bytes(header) as usize;
        if len > MAX_FRAME {
            // A garbage length must not make us allocate gigabytes.
            return Err(io::Error::new(
                ErrorKind::InvalidData,
                format!("frame of {len} bytes is over the limit"),
            ));
        }
        let mut payload = vec![0u8; len];
        self.reader.read_exact(&mut payload)?;
        Ok(payload)
    }

    /// Sends any serialisable value, as JSON in one frame.
    pub fn send<T: Serialize + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        let bytes = serde_json::to_vec(value).map_err(io::Error::other)?;
        self.send_bytes(&bytes)
    }

    /// Receives one frame and decodes it as a `T`.
    pub fn recv<T: DeserializeOwned>(&mut self) -> io::Result<T> {
        let bytes = self.recv_bytes()?;
        serde_json::from_slice(&bytes).map_err(|e| io::Error::new(ErrorKind::InvalidData, e))
    }
}
