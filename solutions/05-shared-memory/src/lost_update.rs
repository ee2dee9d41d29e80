//! The lost update through a proxy, and two fixes: the reference solution.
//! The statement is in `chapters/05-shared-memory/src/lost_update.rs`.

use std::io;

use crate::manager::{Proxy, Value};

fn as_integer(key: &str, value: Option<Value>) -> io::Result<i64> {
    match value {
        None => Ok(0),
        Some(v) => v.as_i64().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{key:?} holds {v}, not an integer"),
            )
        }),
    }
}

/// `d[key] = d[key] + x`: one request to read, one to write. Two clients
/// that both read before either writes lose one of the updates.
pub fn add_unsafely(proxy: &Proxy, key: &str, x: i64, between: impl FnOnce()) -> io::Result<()> {
    let current = as_integer(key, proxy.get(key)?)?;
    between();
    proxy.set(key, Value::from(current + x))
}

/// The same read and write, with the manager lock held across both.
pub fn add_under_lock(proxy: &Proxy, key: &str, x: i64, between: impl FnOnce()) -> io::Result<()> {
    let _held = proxy.lock()?;
    add_unsafely(proxy, key, x, between)
    // `_held` drops here, after the write: the unlock follows it.
}

/// One request that the server carries out whole; returns the new value.
pub fn add_atomically(proxy: &Proxy, key: &str, x: i64) -> io::Result<i64> {
    proxy.add(key, x)
}
