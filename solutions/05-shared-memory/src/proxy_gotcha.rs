//! Nested values through a proxy: the reference solution. The statement is
//! in `chapters/05-shared-memory/src/proxy_gotcha.rs`.

use std::io;

use crate::manager::{Proxy, Value};

/// Fetches the value at `key` (`Null` when missing), lets `change` mutate
/// the local copy, writes it back, and returns what was written. The manager
/// lock is held from the read to the write, so edits from several processes
/// never overwrite each other.
pub fn edit(proxy: &Proxy, key: &str, change: impl FnOnce(&mut Value)) -> io::Result<Value> {
    let _held = proxy.lock()?;
    let mut value = proxy.get(key)?.unwrap_or(Value::Null);
    change(&mut value);
    proxy.set(key, value.clone())?;
    Ok(value)
}

/// Pushes `item` onto the list stored at `key` (a missing key or `Null`
/// starts an empty list). A value that is not a list is an `InvalidData`
/// error and stays as it was.
pub fn append_nested(proxy: &Proxy, key: &str, item: Value) -> io::Result<()> {
    let mut refused = false;
    edit(proxy, key, |value| match value {
        Value::Null => *value = Value::Array(vec![item]),
        Value::Array(items) => items.push(item),
        // Writing back the untouched value leaves the server as it was.
        _ => refused = true,
    })?;
    if refused {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{key:?} does not hold a list"),
        ));
    }
    Ok(())
}
