//! Framing for messages between a parent and its worker processes. This module
//! is given finished: the exercise that uses it (`pool`) is about
//! the workers, not about bytes on a pipe.
//!
//! A message is one JSON value preceded by its length, a `u32` in big-endian
//! order:
//!
//! ```text
//! +--------+---------+--------+---------+
//! | len: 4 | payload | len: 4 | payload | ...
//! +--------+---------+--------+---------+
//! ```
//!
//! A pipe is a stream of bytes, not of messages: one `read` may return half a
//! message or two of them. The length in front says where each one ends.

use std::io::{self, Read, Write};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Writes `value` as one frame. The whole frame goes out in a single
/// `write_all` of one buffer, so a small frame (up to `PIPE_BUF`, 4096 bytes
/// on Linux) reaches the pipe in one piece.
pub(crate) fn send<W: Write, T: Serialize>(out: &mut W, value: &T) -> io::Result<()> {
    let payload = serde_json::to_vec(value).map_err(io::Error::other)?;
    let len = u32::try_from(payload.len()).map_err(io::Error::other)?;
    let mut frame = Vec::with_capacity(4 + payload.len());
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(&payload);
    out.write_all(&frame)?;
    out.flush()
}

/// Reads one frame. `Ok(None)` means the writer closed its end cleanly
/// between two frames; a stream that stops inside a frame is an
/// `UnexpectedEof` error.
pub(crate) fn recv<R: Read, T: DeserializeOwned>(input: &mut R) -> io::Result<Option<T>> {
    let mut len = [0u8; 4];
    let mut got = 0;
    while got < len.len() {
        match input.read(&mut len[got..]) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let mut payload = vec![0u8; u32::from_be_bytes(len) as usize];
    input.read_exact(&mut payload)?;
    serde_json::from_slice(&payload)
        .map(Some)
        .map_err(io::Error::other)
}
