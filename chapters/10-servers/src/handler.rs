//! # Exercise: serve one connection
//!
//! The tutorial's server hands each connection to a function that reads what
//! the client sent and sends it back upper-cased, until the client closes:
//!
//! ```python
//! def handle(conn):
//!     with conn:
//!         while True:
//!             data = conn.recv(1024)      # b"" once the client has closed
//!             if not data:
//!                 break
//!             conn.sendall(data.upper())
//! ```
//!
//! That is this chapter's protocol. A client sends lines; the server
//! answers every byte it receives with the same byte upper-cased the way
//! `bytes.upper()` does it: only the ASCII letters `a` to `z` change. Every
//! other byte, UTF-8 text included, keeps its place, so an answer is exactly
//! as long as its request and the answer to a line is one line. The server
//! never looks for the end of a line: it answers what each read returned,
//! at once, even half a line.
//!
//! Build [`handle`], which every server of the chapter uses:
//! - Read at most [`CHUNK`] bytes at a time, answer them, then read again.
//! - A read of 0 bytes is the client's end of file: return how many bytes
//!   were answered.
//! - A write may take only part of the buffer: send the rest (Python's
//!   `sendall`). A read or a write cut short by a signal fails with
//!   `Interrupted`: try it again.
//! - Any other error (a client that reset the connection, or vanished) is
//!   returned, never a panic: one client's trouble must not end a server.
//! - Keep the buffer on the stack and make system calls only.
//!   `forking_server` runs `handle` in a forked child, and a child forked
//!   from a program with threads may only call async-signal-safe functions:
//!   a lock another thread held at the fork stays held for ever there.
//!
//! `handle` takes any `Read + Write`, so the tests can play the client: a
//! byte at a time, characters cut in two, writes that take three bytes or
//! are interrupted, a reset, a broken pipe. They check every byte of the
//! answers, that each piece is answered before the next read, and the same
//! over a real TCP connection.
//!
//! Stuck? `cargo course hint handler`.

use std::io::{self, Read, Write};

/// How much one read takes at most, like the tutorial's `recv(1024)`.
pub const CHUNK: usize = 1024;

/// Answers everything `conn` sends with the same bytes upper-cased the way
/// Python's `bytes.upper()` does it, piece by piece, until end of file.
/// Returns how many bytes were answered.
pub fn handle<C: Read + Write>(conn: C) -> io::Result<u64> {
    todo!()
}
