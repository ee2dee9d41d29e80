//! # Exercise: Send and Sync
//!
//! In Python, any object can be handed to any thread, and every thread may
//! change it. The interpreter's lock keeps the interpreter itself from
//! breaking, not your data: `hits += 1` is a read, an add and a write, and
//! two threads can interleave them and lose an update.
//!
//! ```python
//! hits = 0                                  # shared by every thread
//! names = []                                # shared too
//!
//! def visit(name):
//!     global hits
//!     hits += 1                             # may lose an update
//!     names.append(name)
//!
//! threads = [threading.Thread(target=visit, args=(n,)) for n in people]
//! ```
//!
//! Rust asks two questions of every type, and answers them itself from the
//! type's fields. **`Send`**: may a value move to another thread? **`Sync`**:
//! may two threads use it through `&` at the same time? `Cell<u64>` lets
//! `&self` change the number with no lock, so it is `Send` but not `Sync`.
//! `Rc` counts its owners without atomics, so two threads cloning it could
//! lose a count: it is neither. The compiler refuses to let them cross.
//! `AtomicU64` and `Mutex<T>` are `Sync`; `Arc<T>` counts with atomics and
//! is `Send` and `Sync` when `T` is both.
//!
//! The two types below start with placeholder fields that show the naive
//! choice. Replace them:
//!
//! - [`Tally`]: a counter that threads share through `&Tally` (scoped
//!   threads). It must be `Sync` (and `Send`), and lose no update.
//! - [`count_in_threads`]: `threads` scoped threads share one `&Tally`.
//!   Each calls `each_thread()` once, first (the tests use it to start every
//!   thread at the same moment), then adds 1, `adds_per_thread` times.
//! - [`Registry`]: a list of names behind a handle that clones cheaply;
//!   every clone is the *same* list, so a name registered through one
//!   clone is seen through all. It must be `Send` and `Sync`.
//!   [`sharers`](Registry::sharers) says how many handles share the list.
//! - [`register_from_threads`]: one thread per name, started with
//!   `std::thread::spawn` (no scope: the thread owns what it uses), each
//!   given its own clone of the handle. Each thread calls `each_thread`
//!   with its handle, then registers its name. All are joined before it
//!   returns.
//!
//! The tests ask, at run time, whether your types are `Send` and `Sync`
//! (so an answer that is not still compiles and loses only those points),
//! count a burst of adds from threads released together, and check that a
//! registry's clones share one list, also from threads, and that each
//! thread held a handle of its own.
//!
//! Stuck? `cargo course hint send_sync`.

use std::cell::{Cell, RefCell};
use std::marker::PhantomData;
use std::rc::Rc;
use std::sync::Arc;

/// A counter shared by threads through `&Tally`.
pub struct Tally {
    // A placeholder: replace it with your fields. A `Cell` is what you
    // would use on one thread; it is not `Sync`.
    _todo: PhantomData<Cell<u64>>,
}

impl Tally {
    pub fn new() -> Tally {
        todo!()
    }

    /// Adds `n`, from any thread, losing nothing.
    pub fn add(&self, n: u64) {
        todo!()
    }

    pub fn total(&self) -> u64 {
        todo!()
    }
}

impl Default for Tally {
    fn default() -> Tally {
        Tally::new()
    }
}

/// `threads` scoped threads share `tally`; each calls `each_thread()` once,
/// then adds 1 `adds_per_thread` times.
pub fn count_in_threads(
    tally: &Tally,
    threads: usize,
    adds_per_thread: u64,
    each_thread: &(dyn Fn() + Sync),
) {
    todo!()
}

/// A list of names; its clones share it.
#[derive(Clone)]
pub struct Registry {
    // A placeholder: replace it with your fields. `Rc<RefCell<..>>` is the
    // one-thread way to share a list; it is neither `Send` nor `Sync`.
    _todo: PhantomData<Rc<RefCell<Vec<String>>>>,
}

impl Registry {
    pub fn new() -> Registry {
        todo!()
    }

    /// Adds `name` to the list every clone shares.
    pub fn register(&self, name: &str) {
        todo!()
    }

    /// The names, in the order they were registered.
    pub fn names(&self) -> Vec<String> {
        todo!()
    }

    /// How many handles (this one and its clones) share the list.
    pub fn sharers(&self) -> usize {
        todo!()
    }
}

impl Default for Registry {
    fn default() -> Registry {
        Registry::new()
    }
}

/// Called by each thread of [`register_from_threads`] with its own handle.
pub type Hook = Arc<dyn Fn(&Registry) + Send + Sync>;

/// One `std::thread::spawn`ed thread per name, each with its own clone of
/// `registry`: it calls `each_thread` with it, then registers its name. All
/// joined before returning.
pub fn register_from_threads(registry: &Registry, names: &[&str], each_thread: Hook) {
    todo!()
}
