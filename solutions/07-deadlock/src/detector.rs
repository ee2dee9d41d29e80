//! A deadlock detector: the reference solution. The statement is in
//! `chapters/07-deadlock/src/detector.rs`.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, ThreadId};

/// One thread in a deadlock: the lock it holds that the previous thread of
/// the cycle wants, and the lock it waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitEdge {
    /// The thread's name.
    pub thread: String,
    /// The name of the lock it holds.
    pub holds: String,
    /// The name of the lock it waits for.
    pub waits_for: String,
}

/// A cycle in the wait-for graph: each thread waits for a lock the next one
/// holds, and the last waits for a lock the first holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlockReport {
    /// Starts with the thread whose name sorts first.
    pub cycle: Vec<WaitEdge>,
}

impl fmt::Display for DeadlockReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.cycle.len();
        let threads = if n == 1 { "thread" } else { "threads" };
        write!(f, "deadlock: {n} {threads} in a cycle")?;
        for edge in &self.cycle {
            write!(
                f,
                "\n  {} holds `{}` and waits for `{}`",
                edge.thread, edge.holds, edge.waits_for
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for DeadlockReport {}

/// The wait-for graph: who holds each lock, and what each thread waits for.
#[derive(Default)]
struct Graph {
    lock_names: Vec<String>,
    holder: HashMap<usize, ThreadId>,
    waiting: HashMap<ThreadId, usize>,
    thread_names: HashMap<ThreadId, String>,
}

impl Graph {
    /// The cycle `me` would close by waiting for `wanted`, if any.
    fn cycle_through(&self, me: ThreadId, wanted: usize) -> Option<DeadlockReport> {
        // Follow "waits for a lock held by" from the holder of `wanted`. Each
        // thread waits for at most one lock and each lock has at most one
        // holder, so the walk is a single path: it ends, or comes back to us.
        let mut threads = vec![me];
        let mut locks = vec![wanted];
        let mut seen = HashSet::from([me]);
        let mut owner = *self.holder.get(&wanted)?;
        while owner != me {
            if !seen.insert(owner) {
                return None; // a cycle without us: not ours to report
            }
            let next = *self.waiting.get(&owner)?;
            threads.push(owner);
            locks.push(next);
            owner = *self.holder.get(&next)?;
        }
        // threads[i] waits for locks[i], held by threads[i + 1] (wrapping).
        let n = threads.len();
        let mut cycle: Vec<WaitEdge> = (0..n)
            .map(|i| WaitEdge {
                thread: self.thread_name(threads[i]),
                holds: self.lock_names[locks[(i + n - 1) % n]].clone(),
                waits_for: self.lock_names[locks[i]].clone(),
            })
            .collect();
        // Whoever closes the cycle depends on timing; the report must not.
        let first = (0..n).min_by_key(|&i| &cycle[i].thread).unwrap_or(0);
        cycle.rotate_left(first);
        Some(DeadlockReport { cycle })
    }

    fn thread_name(&self, id: ThreadId) -> String {
        self.thread_names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("{id:?}"))
    }
}

/// What every [`TrackedMutex`] of one program shares: the wait-for graph.
pub struct Registry {
    graph: Mutex<Graph>,
    released: Condvar,
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self {
            graph: Mutex::new(Graph::default()),
            released: Condvar::new(),
        }
    }

    fn graph(&self) -> MutexGuard<'_, Graph> {
        self.graph.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The threads blocked in [`TrackedMutex::lock`] now, as
    /// `(thread name, lock name)`, sorted.
    pub fn waiting(&self) -> Vec<(String, String)> {
        let graph = self.graph();
        let mut waits: Vec<_> = graph
            .waiting
            .iter()
            .map(|(&t, &l)| (graph.thread_name(t), graph.lock_names[l].clone()))
            .collect();
        waits.sort();
        waits
    }
}

/// A mutex that records its holder and its waiters in a [`Registry`], and
/// refuses to wait when waiting would close a cycle.
pub struct TrackedMutex<T> {
    registry: Arc<Registry>,
    id: usize,
    value: Mutex<T>,
}

/// Access to the value of a [`TrackedMutex`]; dropping it releases the lock.
pub struct TrackedGuard<'a, T> {
    lock: &'a TrackedMutex<T>,
    // An Option so that Drop can release the data before the registry entry.
    inner: Option<MutexGuard<'a, T>>,
}

impl<T> TrackedMutex<T> {
    /// A lock called `name`, recorded in `registry`.
    pub fn new(registry: &Arc<Registry>, name: &str, value: T) -> Self {
        let mut graph = registry.graph();
        graph.lock_names.push(name.to_string());
        let id = graph.lock_names.len() - 1;
        drop(graph);
        Self {
            registry: Arc::clone(registry),
            id,
            value: Mutex::new(value),
        }
    }

    /// Waits for the lock, unless waiting would deadlock: then returns the
    /// cycle instead, and this thread waits for nothing.
    pub fn lock(&self) -> Result<TrackedGuard<'_, T>, DeadlockReport> {
        let me = thread::current();
        let mut graph = self.registry.graph();
        graph.thread_names.entry(me.id()).or_insert_with(|| {
            me.name()
                .map_or_else(|| format!("{:?}", me.id()), str::to_owned)
        });
        // The check and the "I wait" entry happen under one lock of the
        // graph: of two threads closing a cycle at once, the second sees it.
        while graph.holder.contains_key(&self.id) {
            if let Some(report) = graph.cycle_through(me.id(), self.id) {
                graph.waiting.remove(&me.id());
                return Err(report);
            }
            graph.waiting.insert(me.id(), self.id);
            graph = self
                .registry
                .released
                .wait(graph)
                .unwrap_or_else(PoisonError::into_inner);
        }
        graph.waiting.remove(&me.id());
        graph.holder.insert(self.id, me.id());
        drop(graph);
        // The registry made us the only holder: this never waits for long.
        let inner = self.value.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(TrackedGuard {
            lock: self,
            inner: Some(inner),
        })
    }
}

impl<T> Deref for TrackedGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.inner.as_ref().expect("held until drop")
    }
}

impl<T> DerefMut for TrackedGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.inner.as_mut().expect("held until drop")
    }
}

impl<T> Drop for TrackedGuard<'_, T> {
    fn drop(&mut self) {
        self.inner = None;
        let registry = &self.lock.registry;
        registry.graph().holder.remove(&self.lock.id);
        // Every waiter rechecks: the one waiting for this lock takes it.
        registry.released.notify_all();
    }
}
