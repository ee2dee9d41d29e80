//! # Exercise: a duplex, typed connection
//!
//! Python's `multiprocessing.Pipe()` returns two connected ends. `send`
//! pickles any object and `recv` gives back an equal one, both ways. A father
//! and his son can greet each other over one pipe:
//!
//! ```python
//! father, son = Pipe()
//! def child(conn):
//!     greeting = conn.recv()
//!     conn.send({"from": "son", "text": "hello, " + greeting["from"]})
//! Process(target=child, args=(son,)).start()
//! father.send({"from": "father", "text": "hello"})
//! print(father.recv()["text"])        # hello, father
//! ```
//!
//! A pipe carries bytes, not messages: one `read` may return half a message,
//! or the end of one and the start of the next. So every message travels as
//! a *frame*: its length as 4 bytes, big-endian, then that many bytes. The
//! receiver reads exactly 4 bytes, then exactly that many. A pipe buffer
//! holds 64 KiB: a 1 MiB message is many writes and many reads, so loop (or
//! use `write_all` and `read_exact` on a `File`).
//!
//! A pipe goes one way, so a duplex connection is two pipes: each end reads
//! from one and writes to the other. Values become bytes with `serde_json`.
//!
//! Build:
//! - [`Connection::send_bytes`] / [`Connection::recv_bytes`]: one frame out,
//!   one frame in. A frame over [`MAX_FRAME`] is refused on both sides
//!   (`InvalidInput` to send, `InvalidData` on receipt) so a garbage length
//!   never makes the receiver allocate gigabytes. End of file, before or
//!   inside a frame, is an `UnexpectedEof` error.
//! - [`Connection::send`] / [`Connection::recv`]: any serde value as JSON in
//!   one frame; bytes that do not decode are `InvalidData`.
//! - [`pipe_pair`]: the two connected ends; [`spawn_peer`]: fork a child that
//!   works with one end while the parent keeps the other.
//!
//! The tests send messages of 0 bytes, 1 byte, exactly the pipe buffer and
//! 1 MiB, in both directions and between two processes; send a frame one
//! byte at a time, and one cut inside its header or its payload; check the
//! bytes on the wire and the refusal of frames over `MAX_FRAME` on both
//! sides; check that a peer that exits is end of file for the other; and
//! send random sequences of random sizes (property-tested).
//!
//! Stuck? `cargo course hint duplex`.

use std::io;
use std::os::fd::OwnedFd;

use nix::unistd::Pid;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The largest payload a frame may carry: 64 MiB.
pub const MAX_FRAME: usize = 64 << 20;

/// One end of a duplex connection made of two pipes: it receives from one
/// and sends to the other.
pub struct Connection {
    // Your fields: where this end reads from and where it writes to.
}

/// Two connected ends: what one sends, the other receives, both ways.
pub fn pipe_pair() -> io::Result<(Connection, Connection)> {
    todo!()
}

/// Makes a [`pipe_pair`] and forks. The child runs `work` with one end and
/// leaves with `_exit` and the code `work` returned; the parent gets
/// `(child_pid, other_end)`. Each process drops the end it does not use, so
/// that a peer that closes or exits is seen as end of file.
pub fn spawn_peer<F: FnOnce(Connection) -> i32>(work: F) -> io::Result<(Pid, Connection)> {
    todo!()
}

impl Connection {
    /// A connection that receives from `read` and sends to `write`.
    pub fn new(read: OwnedFd, write: OwnedFd) -> Self {
        todo!()
    }

    /// Sends one frame: the payload's length as a big-endian `u32`, then
    /// the payload, all of it.
    pub fn send_bytes(&mut self, payload: &[u8]) -> io::Result<()> {
        todo!()
    }

    /// Receives one whole frame, however many reads it takes.
    pub fn recv_bytes(&mut self) -> io::Result<Vec<u8>> {
        todo!()
    }

    /// Sends any serialisable value, as JSON in one frame.
    pub fn send<T: Serialize + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        todo!()
    }

    /// Receives one frame and decodes it as a `T`.
    pub fn recv<T: DeserializeOwned>(&mut self) -> io::Result<T> {
        todo!()
    }
}
