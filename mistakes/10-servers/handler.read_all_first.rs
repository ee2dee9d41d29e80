//! A wrong `handler`: it gathers the whole request before answering.

use std::io::{self, Read, Write};

/// How much one read takes at most, like the tutorial's `recv(1024)`.
pub const CHUNK: usize = 1024;

pub fn handle<C: Read + Write>(conn: C) -> io::Result<u64> {
    let mut conn = conn;
    let mut all = Vec::new();
    conn.read_to_end(&mut all)?;
    all.make_ascii_uppercase();
    conn.write_all(&all)?;
    Ok(all.len() as u64)
}
