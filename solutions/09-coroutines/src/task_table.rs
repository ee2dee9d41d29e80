//! Ten look-ups stored in a table: the reference solution. The statement is
//! in `chapters/09-coroutines/src/task_table.rs`.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;

use crate::executor::{Executor, JoinHandle, join_all};
use crate::reactor::lookup;

/// Each key's answer, or the kind of error its look-up ended with.
pub type Table = BTreeMap<String, Result<String, io::ErrorKind>>;

/// Looks up every distinct key at once, one task each on `executor`; each
/// task stores its own answer in one shared table, which is returned once
/// every task has finished.
pub fn lookup_table(executor: &Executor, addr: SocketAddr, keys: &[&str]) -> Table {
    // Shared by every task, with no lock: the tasks run one at a time on
    // this thread, and each insert happens between two `.await`s.
    let table: Rc<RefCell<Table>> = Rc::default();
    // One look-up per key, however often it is given.
    let distinct: BTreeSet<&str> = keys.iter().copied().collect();
    let handles: Vec<JoinHandle<()>> = distinct
        .into_iter()
        .map(|key| {
            let (table, key) = (Rc::clone(&table), key.to_string());
            executor.spawn(async move {
                let answer = lookup(addr, &key).await.map_err(|e| e.kind());
                table.borrow_mut().insert(key, answer);
            })
        })
        .collect();
    for joined in executor.block_on(join_all(handles)) {
        joined.expect("a look-up task panicked");
    }
    table.take()
}
