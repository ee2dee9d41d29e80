//! Serving one connection: the reference solution. The statement is in
//! `chapters/10-servers/src/handler.rs`.

use std::io::{self, Read, Write};

/// How much one read takes at most, like the tutorial's `recv(1024)`.
pub const CHUNK: usize = 1024;

/// Answers everything `conn` sends with the same bytes upper-cased the way
/// Python's `bytes.upper()` does it, piece by piece, until end of file.
/// Returns how many bytes were answered.
pub fn handle<C: Read + Write>(conn: C) -> io::Result<u64> {
    let mut conn = conn;
    // A buffer on the stack: no allocation, so a forked child of a threaded
    // server may call this too.
    let mut buf = [0u8; CHUNK];
    let mut answered = 0u64;
    loop {
        let n = match conn.read(&mut buf) {
            Ok(0) => return Ok(answered),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        // ASCII letters only: every other byte, UTF-8 included, keeps its
        // place, so an answer is exactly as long as what it answers and a
        // character cut in two by a read needs no care.
        buf[..n].make_ascii_uppercase();
        conn.write_all(&buf[..n])?;
        answered += n as u64;
    }
}
