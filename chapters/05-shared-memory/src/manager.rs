//! # Exercise: a manager process and its proxies
//!
//! Python's `Manager()` starts a server process that owns plain objects;
//! what your code holds are *proxies*, and every method call on a proxy is a
//! message to the server and back:
//!
//! ```python
//! with Manager() as m:
//!     shared = m.dict()
//!     results = m.list()
//!     # hand `shared` and `results` to five Processes; each appends to
//!     # results and adds to shared["total"]; read them back afterwards
//! # leaving the block shuts the server down
//! ```
//!
//! Build the same over a Unix socket. The values are JSON values
//! ([`Value`], from `serde_json`), so numbers, strings, lists and nested maps
//! all travel alike.
//!
//! - [`Manager::start`] binds a `UnixListener` at the given path *before*
//!   forking (so clients can connect as soon as it returns), then forks the
//!   server process. The server owns a map `String → Value` and one list,
//!   accepts connections and answers requests until told to stop. Serve
//!   each connection on its own thread, so that a client waiting for the
//!   lock or holding a connection open does not stall the others. The server
//!   never returns into the caller's code: it ends with `libc::_exit`.
//! - [`Proxy`] holds one connection. Each method sends one request and reads
//!   one reply. A clone opens its own connection when first used; a proxy
//!   used in a forked child must open a new connection too (compare
//!   `getpid()` with the PID that opened it), or parent and children would
//!   mix their messages on one socket.
//! - [`Proxy::add`] changes a number on the server in one request;
//!   [`Proxy::lock`] takes the manager's one lock (the next exercise uses
//!   both). A client whose connection closes while it holds the lock (its
//!   process died) releases it.
//! - Dropping the [`Manager`] asks the server to stop; the server removes its
//!   socket file and exits; the handle reaps it (after a bounded wait, it
//!   kills it). A proxy whose server is gone gets an error, never a hang.
//!
//! The wire format is yours: a `Request` and a `Response` enum deriving
//! `Serialize`/`Deserialize` are a good start. Framing is given below,
//! finished: `write_frame` and `read_frame` send one message as a
//! length-prefixed JSON frame.
//!
//! The tests check each operation, five processes appending to one list, ten
//! processes adding to one number, that the lock excludes other clients and
//! is freed when its holder dies, and that dropping the manager stops the
//! server, removes the socket and makes clients fail. Also:
//!
//! - `update` is one request: another client never sees half of it, and
//!   nothing reaches the server before `update` has walked all its entries;
//! - a clone, and a proxy used in a forked child, are clients of their own:
//!   each waits for the lock its original (or parent) holds;
//! - a client waiting for the lock costs nothing: neither it nor the server
//!   spins or polls while it waits (the tests read their CPU time and
//!   wake-ups for half a second).
//!
//! Stuck? `cargo course hint manager`.

use std::io::{self, Read, Write};
use std::marker::PhantomData;
use std::path::Path;

use nix::unistd::Pid;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A value held by the manager: any JSON value, so numbers, strings, lists
/// and nested maps all travel the same way.
pub use serde_json::Value;

// ---------------------------------------------------------------------------
// Framing, given finished: one message is a 4-byte big-endian length, then
// that many bytes of JSON. `pub(crate)` so the remote manager can use it too.

/// The largest message either side accepts; a bigger length is a broken peer.
const MAX_FRAME: usize = 16 << 20;

/// Writes `message` as one frame.
pub(crate) fn write_frame<T: Serialize>(w: &mut impl Write, message: &T) -> io::Result<()> {
    let body = serde_json::to_vec(message)?;
    let len = u32::try_from(body.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "message too long"))?;
    let mut frame = Vec::with_capacity(4 + body.len());
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(&body);
    w.write_all(&frame)?;
    w.flush()
}

/// Reads one frame. A peer that has hung up gives `UnexpectedEof`.
pub(crate) fn read_frame<T: DeserializeOwned>(r: &mut impl Read) -> io::Result<T> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len)?;
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a frame of {len} bytes is too long"),
        ));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body)?;
    Ok(serde_json::from_slice(&body)?)
}

// ---------------------------------------------------------------------------

/// The handle on a running manager: a server process that owns a map from
/// `String` to [`Value`] and one list, reached over a Unix socket. Dropping
/// the handle stops the server, which removes its socket file.
#[derive(Debug)]
pub struct Manager {
    // Your fields: the socket path and the server's PID, for a start.
}

impl Manager {
    /// Binds a Unix socket at `socket_path`, forks the server process that
    /// listens on it, and returns once clients can connect.
    pub fn start(socket_path: impl AsRef<Path>) -> io::Result<Manager> {
        todo!()
    }

    /// A new proxy connected to this manager.
    pub fn proxy(&self) -> io::Result<Proxy> {
        todo!()
    }

    /// Where the server listens.
    pub fn socket_path(&self) -> &Path {
        todo!()
    }

    /// The server process.
    pub fn server_pid(&self) -> Pid {
        todo!()
    }
}

impl Drop for Manager {
    fn drop(&mut self) {
        todo!()
    }
}

/// A client of a [`Manager`]: every method is one request to the server.
///
/// Cloning gives a proxy that opens its own connection when first used, and
/// a proxy used in a forked child connects anew, as Python's proxies do.
#[derive(Debug)]
pub struct Proxy {
    // Your fields: the socket path, and the connection (with the PID that
    // opened it) behind a `Mutex`, since the methods take `&self`.
}

impl Clone for Proxy {
    fn clone(&self) -> Proxy {
        todo!()
    }
}

impl Proxy {
    /// Connects to the manager listening at `socket_path`.
    pub fn connect(socket_path: impl AsRef<Path>) -> io::Result<Proxy> {
        todo!()
    }

    /// The value at `key`, or `None`. It is a copy: changing it changes
    /// nothing on the server.
    pub fn get(&self, key: &str) -> io::Result<Option<Value>> {
        todo!()
    }

    /// Stores `value` at `key`.
    pub fn set(&self, key: &str, value: Value) -> io::Result<()> {
        todo!()
    }

    /// Stores every entry, in one request (Python's `dict.update`).
    pub fn update(&self, entries: impl IntoIterator<Item = (String, Value)>) -> io::Result<()> {
        todo!()
    }

    /// Appends `value` to the managed list.
    pub fn append(&self, value: Value) -> io::Result<()> {
        todo!()
    }

    /// A copy of the managed list.
    pub fn list(&self) -> io::Result<Vec<Value>> {
        todo!()
    }

    /// The keys of the map, sorted.
    pub fn keys(&self) -> io::Result<Vec<String>> {
        todo!()
    }

    /// The number of keys in the map.
    pub fn len(&self) -> io::Result<usize> {
        todo!()
    }

    /// True when the map has no keys.
    pub fn is_empty(&self) -> io::Result<bool> {
        todo!()
    }

    /// Adds `delta` to the integer at `key` on the server, in one step, and
    /// returns the new value. A missing key counts as 0; a value that is not
    /// an integer is an `InvalidData` error and is left unchanged.
    pub fn add(&self, key: &str, delta: i64) -> io::Result<i64> {
        todo!()
    }

    /// Takes the manager's one lock, waiting while another client holds it.
    /// The lock is released when the guard drops, or when this client's
    /// connection closes (its process died).
    pub fn lock(&self) -> io::Result<ManagerLock<'_>> {
        todo!()
    }
}

/// The manager lock, held until dropped.
#[derive(Debug)]
pub struct ManagerLock<'a> {
    // Your fields: the proxy whose connection holds the lock.
    proxy: PhantomData<&'a Proxy>,
}

impl Drop for ManagerLock<'_> {
    fn drop(&mut self) {
        // Tell the server to unlock here.
    }
}
