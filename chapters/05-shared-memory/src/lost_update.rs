//! # Exercise: the lost update, and two fixes
//!
//! A managed dict makes each *operation* safe, not a sequence of them. In
//! Python, ten processes each doing
//!
//! ```python
//! d["n"] = d["n"] + 1      # one request to read, one to write
//! ```
//!
//! end with fewer than ten added: two processes read the same old value and
//! both write old + 1. Two fixes: hold a manager lock from the read to the
//! write (`with lock: d["n"] = d["n"] + 1`), or ask the server to do the
//! whole change in one request.
//!
//! Build all three on your [`Proxy`](crate::manager::Proxy). A missing key
//! counts as 0; a value that is not an integer is an `InvalidData` error.
//!
//! - [`add_unsafely`]: `get`, then call `between()`, then `set` the old value
//!   plus `x`. `between` is how the tests force the bad interleaving: they
//!   make every process read before any may write.
//! - [`add_under_lock`]: the same, holding [`Proxy::lock`](crate::manager::Proxy::lock)
//!   from before the read until after the write (also on an error path).
//! - [`add_atomically`]: one [`Proxy::add`](crate::manager::Proxy::add).
//!
//! The tests make four processes all read before any writes (three of four
//! updates are lost, every time), check that under the lock only one process
//! is ever between its read and its write, and that the locked and atomic
//! versions lose nothing from five and ten processes. They also let
//! `between()` set the value from another client (the write must overwrite
//! it with the old value plus `x`), check that `add_atomically` returns the
//! new value, and refuse `2.5`, `"7"` and `true`.
//!
//! Stuck? `cargo course hint lost_update`.

use std::io;

use crate::manager::Proxy;

/// `d[key] = d[key] + x`: one request to read, one to write, with
/// `between()` called after the read and before the write.
pub fn add_unsafely(proxy: &Proxy, key: &str, x: i64, between: impl FnOnce()) -> io::Result<()> {
    todo!()
}

/// The same read and write, with the manager lock held across both.
pub fn add_under_lock(proxy: &Proxy, key: &str, x: i64, between: impl FnOnce()) -> io::Result<()> {
    todo!()
}

/// One request that the server carries out whole; returns the new value.
pub fn add_atomically(proxy: &Proxy, key: &str, x: i64) -> io::Result<i64> {
    todo!()
}
