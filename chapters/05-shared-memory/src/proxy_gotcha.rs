//! # Exercise: nested values through a proxy
//!
//! The best-known surprise of Python's managers: a value fetched through a
//! proxy is a *copy*, so changing something nested inside it changes
//! nothing on the server.
//!
//! ```python
//! d["cfg"] = {"tags": ["a"]}
//! d["cfg"]["tags"].append("b")   # appends to a temporary copy: lost
//! cfg = d["cfg"]                 # the fix: fetch,
//! cfg["tags"].append("b")        # change the local copy,
//! d["cfg"] = cfg                 # and write it back
//! ```
//!
//! Your [`Proxy::get`](crate::manager::Proxy::get) behaves the same way. Write
//! the fix once, properly:
//!
//! - [`edit`] fetches the value at `key` (`Value::Null` when missing), lets
//!   `change` mutate the local copy, writes it back and returns what it
//!   wrote. Fetch-change-write is a read-modify-write: hold the manager lock
//!   across it, or two processes' edits overwrite each other.
//! - [`append_nested`] pushes `item` onto the list stored at `key` (a missing
//!   key or `Null` starts a new list), using [`edit`]. A value that is not a
//!   list is an `InvalidData` error and stays as it was.
//!
//! The tests show the lost nested change, then check that [`edit`] sticks,
//! starts from `Null`, refuses non-lists, that nested appends from four
//! processes all land, that while one process is inside `change` the
//! other's edit waits for the lock, and that `append_nested` waits while
//! another client holds the lock.
//!
//! Stuck? `cargo course hint proxy_gotcha`.

use std::io;

use crate::manager::{Proxy, Value};

/// Fetches the value at `key` (`Null` when missing), lets `change` mutate
/// the local copy, writes it back under the manager lock, and returns what
/// was written.
pub fn edit(proxy: &Proxy, key: &str, change: impl FnOnce(&mut Value)) -> io::Result<Value> {
    todo!()
}

/// Pushes `item` onto the list stored at `key` (a missing key or `Null`
/// starts an empty list). A value that is not a list is an `InvalidData`
/// error and stays as it was.
pub fn append_nested(proxy: &Proxy, key: &str, item: Value) -> io::Result<()> {
    todo!()
}
