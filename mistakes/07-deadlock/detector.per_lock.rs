//! A right answer built differently: a condvar per lock (on the registry's
//! one mutex) woken with `notify_one`, holders in a `Vec` indexed by lock, a
//! depth-first search over a thread-to-thread wait-for map with the new arrow
//! added, and a guard that updates the registry before its `MutexGuard`
//! goes.

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
        let mut lines = vec![match self.cycle.len() {
            1 => "deadlock: 1 thread in a cycle".to_string(),
            n => format!("deadlock: {n} threads in a cycle"),
        }];
        lines.extend(self.cycle.iter().map(|e| {
            format!(
                "  {} holds `{}` and waits for `{}`",
                e.thread, e.holds, e.waits_for
            )
        }));
        f.write_str(&lines.join("\n"))
    }
}

impl std::error::Error for DeadlockReport {}

#[derive(Default)]
struct State {
    names: Vec<String>,
    holders: Vec<Option<ThreadId>>,
    waits: HashMap<ThreadId, usize>,
    who: HashMap<ThreadId, String>,
}

impl State {
    /// Thread-to-thread arrows: a waiter points at the holder of its lock.
    fn arrows(&self) -> HashMap<ThreadId, Vec<ThreadId>> {
        let mut arrows: HashMap<ThreadId, Vec<ThreadId>> = HashMap::new();
        for (&t, &l) in &self.waits {
            if let Some(h) = self.holders[l] {
                arrows.entry(t).or_default().push(h);
            }
        }
        arrows
    }

    /// A depth-first search for a path from `from` back to `to`.
    fn path(
        arrows: &HashMap<ThreadId, Vec<ThreadId>>,
        from: ThreadId,
        to: ThreadId,
        seen: &mut HashSet<ThreadId>,
        path: &mut Vec<ThreadId>,
    ) -> bool {
        if from == to {
            return true;
        }
        if !seen.insert(from) {
            return false;
        }
        path.push(from);
        for &next in arrows.get(&from).into_iter().flatten() {
            if Self::path(arrows, next, to, seen, path) {
                return true;
            }
        }
        path.pop();
        false
    }

    fn report(&self, me: ThreadId, wanted: usize) -> Option<DeadlockReport> {
        let holder = self.holders[wanted]?;
        let mut arrows = self.arrows();
        arrows.remove(&me);
        let mut path = vec![me];
        if !Self::path(&arrows, holder, me, &mut HashSet::new(), &mut path) {
            return None;
        }
        // path[i] waits for the lock path[i + 1] holds; `me` for `wanted`.
        let waits_for = |t: ThreadId| if t == me { wanted } else { self.waits[&t] };
        let n = path.len();
        let mut cycle: Vec<WaitEdge> = (0..n)
            .map(|i| WaitEdge {
                thread: self.who[&path[i]].clone(),
                holds: self.names[waits_for(path[(i + n - 1) % n])].clone(),
                waits_for: self.names[waits_for(path[i])].clone(),
            })
            .collect();
        let start = cycle
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.thread.cmp(&b.1.thread))
            .map_or(0, |(i, _)| i);
        cycle.rotate_left(start);
        Some(DeadlockReport { cycle })
    }
}

/// What every [`TrackedMutex`] of one program shares: the wait-for graph.
pub struct Registry {
    state: Mutex<State>,
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Registry {
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The threads blocked in [`TrackedMutex::lock`] now, as
    /// `(thread name, lock name)`, sorted.
    pub fn waiting(&self) -> Vec<(String, String)> {
        let state = self.state();
        let mut list = Vec::new();
        for (t, &l) in &state.waits {
            list.push((state.who[t].clone(), state.names[l].clone()));
        }
        list.sort();
        list
    }
}

/// A mutex that records its holder and its waiters in a [`Registry`], and
/// refuses to wait when waiting would close a cycle.
pub struct TrackedMutex<T> {
    registry: Arc<Registry>,
    index: usize,
    freed: Condvar,
    value: Mutex<T>,
}

/// Access to the value of a [`TrackedMutex`]; dropping it releases the lock.
pub struct TrackedGuard<'a, T> {
    owner: &'a TrackedMutex<T>,
    value: MutexGuard<'a, T>,
}

impl<T> TrackedMutex<T> {
    /// A lock called `name`, recorded in `registry`.
    pub fn new(registry: &Arc<Registry>, name: &str, value: T) -> Self {
        let mut state = registry.state();
        state.names.push(name.to_owned());
        state.holders.push(None);
        let index = state.names.len() - 1;
        drop(state);
        TrackedMutex {
            registry: registry.clone(),
            index,
            freed: Condvar::new(),
            value: Mutex::new(value),
        }
    }

    /// Waits for the lock, unless waiting would deadlock: then returns the
    /// cycle instead, and this thread waits for nothing.
    pub fn lock(&self) -> Result<TrackedGuard<'_, T>, DeadlockReport> {
        let current = thread::current();
        let me = current.id();
        let mut state = self.registry.state();
        if !state.who.contains_key(&me) {
            let name = current
                .name()
                .map_or_else(|| format!("{me:?}"), String::from);
            state.who.insert(me, name);
        }
        loop {
            if state.holders[self.index].is_none() {
                state.waits.remove(&me);
                state.holders[self.index] = Some(me);
                break;
            }
            if let Some(report) = state.report(me, self.index) {
                state.waits.remove(&me);
                return Err(report);
            }
            state.waits.insert(me, self.index);
            state = self
                .freed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        drop(state);
        let value = self.value.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(TrackedGuard { owner: self, value })
    }
}

impl<T> Deref for TrackedGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for TrackedGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T> Drop for TrackedGuard<'_, T> {
    /// Releases the lock in the registry and wakes the waiters.
    fn drop(&mut self) {
        let mut state = self.owner.registry.state();
        state.holders[self.owner.index] = None;
        drop(state);
        // Only this lock's waiters care, and one of them can take it.
        self.owner.freed.notify_one();
    }
}
