//! # Exercise: ten look-ups stored in a table
//!
//! The tutorial's last thread example looks up ten addresses at once, one
//! thread each, and every thread stores its answer in one shared dictionary:
//!
//! ```python
//! import socket, threading
//!
//! table, lock = {}, threading.Lock()   # shared by every thread
//! def lookup(name):
//!     try:
//!         answer = socket.gethostbyname(name)
//!     except OSError as error:
//!         answer = error           # a failure has its place in the table too
//!     with lock:
//!         table[name] = answer
//!
//! threads = [threading.Thread(target=lookup, args=(n,)) for n in names]
//! for t in threads: t.start()
//! for t in threads: t.join()
//! print(table)
//! ```
//!
//! Chapter 9 does the same ten look-ups with coroutines on one thread. Here,
//! threads, and a look-up service that the tests run on 127.0.0.1 (nothing
//! leaves the machine), with a line protocol: send the key and a newline,
//! read one line back.
//!
//! - [`lookup`]: connects (`TcpStream::connect`), sends `key\n`, reads up to
//!   the newline and returns the line without it. The answer may arrive in
//!   pieces: keep reading until the newline. A server that closes before a
//!   full line is `LookupError::Io(UnexpectedEof)`. The whole look-up gets
//!   at most `each`: one deadline, set when it starts, with each read given
//!   only what is left of it (`set_read_timeout`); past it, the look-up is
//!   [`LookupError::TimedOut`]. (A read timeout shows up as an error of
//!   kind `WouldBlock` or `TimedOut`.)
//! - [`lookup_all`]: one thread per key, all started before any is joined,
//!   each storing its result (answer or error) in one shared table, an
//!   `Arc<Mutex<BTreeMap>>`. Once every thread has been joined, the table
//!   is complete; take it out and return it.
//!
//! The tests' service holds every answer back until all ten requests are
//! waiting at once (look-ups made one after another get a "late:" answer),
//! then answers last-come first; it also has keys that trickle their answer
//! a few bytes at a time, keys it does not know (it hangs up), and keys it
//! never answers.
//!
//! Stuck? `cargo course hint lookups`.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

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

/// One look-up: `key` and a newline out, one line back, within `each`.
pub fn lookup(addr: SocketAddr, key: &str, each: Duration) -> Result<String, LookupError> {
    todo!()
}

/// Looks up every key at once, one thread each, into one shared table.
pub fn lookup_all(addr: SocketAddr, keys: &[&str], each: Duration) -> Table {
    todo!()
}
