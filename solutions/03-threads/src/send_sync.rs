//! Send and Sync: the reference solution. The statement is in
//! `chapters/03-threads/src/send_sync.rs`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

/// A counter shared by threads through `&Tally`.
pub struct Tally {
    // Atomic: `&self` may change it from any thread, so `Tally` is `Sync`.
    count: AtomicU64,
}

impl Tally {
    pub fn new() -> Tally {
        Tally {
            count: AtomicU64::new(0),
        }
    }

    /// Adds `n`, from any thread, losing nothing.
    pub fn add(&self, n: u64) {
        // One indivisible read-modify-write; nothing else is ordered by
        // this counter, so `Relaxed` is enough.
        self.count.fetch_add(n, Ordering::Relaxed);
    }

    pub fn total(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
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
    // `&Tally` crosses into every thread: this compiles only because
    // `Tally` is `Sync`.
    thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                each_thread();
                for _ in 0..adds_per_thread {
                    tally.add(1);
                }
            });
        }
    });
}

/// A list of names; its clones share it.
#[derive(Clone)]
pub struct Registry {
    // `Arc` counts the handles atomically and `Mutex` lets one thread at a
    // time change the list: `Send` and `Sync`, where `Rc<RefCell<..>>` is
    // neither.
    names: Arc<Mutex<Vec<String>>>,
}

impl Registry {
    pub fn new() -> Registry {
        Registry {
            names: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Adds `name` to the list every clone shares.
    pub fn register(&self, name: &str) {
        self.names
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(name.to_string());
    }

    /// The names, in the order they were registered.
    pub fn names(&self) -> Vec<String> {
        self.names
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many handles (this one and its clones) share the list.
    pub fn sharers(&self) -> usize {
        Arc::strong_count(&self.names)
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
    let handles: Vec<_> = names
        .iter()
        .map(|name| {
            // Everything the thread uses is its own: a clone of the
            // handle, of the hook and of the name. That is what `spawn`'s
            // `Send + 'static` asks.
            let mine = registry.clone();
            let hook = Arc::clone(&each_thread);
            let name = name.to_string();
            thread::spawn(move || {
                hook(&mine);
                mine.register(&name);
            })
        })
        .collect();
    for handle in handles {
        if let Err(payload) = handle.join() {
            std::panic::resume_unwind(payload);
        }
    }
}
