//! # Exercise: ten look-ups stored in a table
//!
//! The gevent tutorial's classic: ten look-ups at once, and each greenlet
//! stores its own answer in one dictionary, with no lock, since greenlets
//! switch only where they wait for the network:
//!
//! ```python
//! from gevent import monkey; monkey.patch_all()
//! import gevent
//!
//! table = {}
//!
//! def fetch(key):
//!     try:
//!         table[key] = lookup(key)
//!     except OSError as e:
//!         table[key] = e
//!
//! gevent.joinall([gevent.spawn(fetch, key) for key in set(keys)])
//! ```
//!
//! Chapter 3 stores the same look-ups with threads, where the table needs a
//! lock. Here the tasks of your executor share it as `Rc<RefCell<...>>`:
//!
//! - [`lookup_table`] spawns one task per distinct key on `executor` (a key
//!   given twice is looked up once). Each task runs
//!   [`reactor::lookup`](crate::reactor::lookup) and stores in the shared
//!   [`Table`] its answer, or the kind of its error (`e.kind()`): nothing
//!   comes back through the join handles. It returns the table once every
//!   task has finished.
//!
//! The tests start the server of the reactor exercise, which answers no
//! request until all ten are waiting at once. They check the table, that
//! a key the server does not know is stored as `UnexpectedEof` beside the
//! others, that a key given twice is asked once, and, in a process of its
//! own where every thread is known, that the look-ups take no thread each:
//! while all ten wait, the process has no more threads than the server's
//! and your reactor's.
//!
//! Stuck? `cargo course hint task_table`.

use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;

use crate::executor::Executor;

/// Each key's answer, or the kind of error its look-up ended with.
pub type Table = BTreeMap<String, Result<String, io::ErrorKind>>;

/// Looks up every distinct key at once, one task each on `executor`; each
/// task stores its own answer in one shared table, which is returned once
/// every task has finished.
pub fn lookup_table(executor: &Executor, addr: SocketAddr, keys: &[&str]) -> Table {
    todo!()
}
