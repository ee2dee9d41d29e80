//! Ten look-ups stored in a table: the reference solution. The statement is
//! in `chapters/03-threads/src/lookups.rs`.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// Why one look-up failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupError {
    /// No whole answer within the time allowed for the look-up.
    TimedOut,
    /// The connection failed or closed early; the kind of I/O error.
    Io(io::ErrorKind),
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LookupError::TimedOut => f.write_str("no answer in time"),
            LookupError::Io(kind) => write!(f, "I/O error: {kind}"),
        }
    }
}

impl std::error::Error for LookupError {}

/// Every key's answer, or why it has none.
pub type Table = BTreeMap<String, Result<String, LookupError>>;

/// A socket's timeout is reported as `WouldBlock` (or `TimedOut`).
fn failure(error: io::Error) -> LookupError {
    match error.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut => LookupError::TimedOut,
        kind => LookupError::Io(kind),
    }
}

/// One look-up: `key` and a newline out, one line back, within `each`.
pub fn lookup(addr: SocketAddr, key: &str, each: Duration) -> Result<String, LookupError> {
    let deadline = Instant::now() + each;
    let mut stream = TcpStream::connect_timeout(&addr, each).map_err(failure)?;
    stream
        .write_all(format!("{key}\n").as_bytes())
        .map_err(failure)?;
    let mut answer = Vec::new();
    let mut buf = [0u8; 512];
    loop {
        // Each read gets what is left of the one deadline: an answer that
        // trickles in cannot stretch the look-up past it.
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(LookupError::TimedOut);
        }
        stream.set_read_timeout(Some(left)).map_err(failure)?;
        let n = match stream.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(failure(e)),
        };
        if n == 0 {
            return Err(LookupError::Io(ErrorKind::UnexpectedEof));
        }
        answer.extend_from_slice(&buf[..n]);
        if let Some(end) = answer.iter().position(|&b| b == b'\n') {
            answer.truncate(end);
            return String::from_utf8(answer).map_err(|_| LookupError::Io(ErrorKind::InvalidData));
        }
    }
}

/// Looks up every key at once, one thread each, into one shared table.
pub fn lookup_all(addr: SocketAddr, keys: &[&str], each: Duration) -> Table {
    let table = Arc::new(Mutex::new(Table::new()));
    let threads: Vec<_> = keys
        .iter()
        .map(|key| {
            let table = Arc::clone(&table);
            let key = key.to_string();
            thread::spawn(move || {
                let result = lookup(addr, &key, each);
                table
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(key, result);
            })
        })
        .collect();
    for thread in threads {
        if let Err(payload) = thread.join() {
            std::panic::resume_unwind(payload);
        }
    }
    // Every thread has been joined and has dropped its handle: the table
    // is ours alone now.
    let table = Arc::try_unwrap(table).unwrap_or_else(|_| unreachable!("every thread was joined"));
    table.into_inner().unwrap_or_else(PoisonError::into_inner)
}
