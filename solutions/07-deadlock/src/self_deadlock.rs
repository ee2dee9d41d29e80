//! Self-deadlock: the reference solution. The statement is in
//! `chapters/07-deadlock/src/self_deadlock.rs`.

use std::collections::VecDeque;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};
use std::thread::{self, ThreadId};

/// A thread asked for a lock it already holds: waiting would never end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelfDeadlock {
    /// The name of the lock.
    pub lock: String,
}

impl fmt::Display for SelfDeadlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "self-deadlock: this thread already holds lock `{}` and asked for it again",
            self.lock
        )
    }
}

impl std::error::Error for SelfDeadlock {}

/// A non-reentrant mutex that notices when its holder asks for it again.
pub struct CheckedMutex<T> {
    name: String,
    holder: Mutex<Option<ThreadId>>,
    inner: Mutex<T>,
}

/// Access to the value of a [`CheckedMutex`]; dropping it releases the lock.
pub struct CheckedGuard<'a, T> {
    lock: &'a CheckedMutex<T>,
    inner: Option<MutexGuard<'a, T>>,
}

impl<T> CheckedMutex<T> {
    /// A lock called `name` guarding `value`.
    pub fn new(name: &str, value: T) -> Self {
        Self {
            name: name.to_string(),
            holder: Mutex::new(None),
            inner: Mutex::new(value),
        }
    }

    fn holder(&self) -> MutexGuard<'_, Option<ThreadId>> {
        self.holder.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for the lock as usual, except when this very thread holds it:
    /// then it returns an error at once instead of waiting forever.
    pub fn lock(&self) -> Result<CheckedGuard<'_, T>, SelfDeadlock> {
        let me = thread::current().id();
        let inner = match self.inner.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => {
                // Only this thread ever writes its own id here, and clears it
                // before unlocking: if it is ours, we hold the lock.
                if *self.holder() == Some(me) {
                    return Err(SelfDeadlock {
                        lock: self.name.clone(),
                    });
                }
                self.inner.lock().unwrap_or_else(PoisonError::into_inner)
            }
        };
        *self.holder() = Some(me);
        Ok(CheckedGuard {
            lock: self,
            inner: Some(inner),
        })
    }
}

impl<T> Deref for CheckedGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.inner.as_ref().expect("held until drop")
    }
}

impl<T> DerefMut for CheckedGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.inner.as_mut().expect("held until drop")
    }
}

impl<T> Drop for CheckedGuard<'_, T> {
    fn drop(&mut self) {
        // Forget the holder first, then unlock: never the other way round.
        *self.lock.holder() = None;
        self.inner = None;
    }
}

/// A shelf of items, in order, behind one [`CheckedMutex`].
pub struct Shelf {
    items: CheckedMutex<VecDeque<String>>,
}

/// The message of every `expect` on the shelf's lock.
const RELOCK: &str = "the shelf's lock";

impl Default for Shelf {
    fn default() -> Self {
        Self::new()
    }
}

impl Shelf {
    /// An empty shelf.
    pub fn new() -> Self {
        Self {
            items: CheckedMutex::new("shelf", VecDeque::new()),
        }
    }

    /// Whether `item` is on the shelf.
    pub fn contains(&self, item: &str) -> bool {
        self.items.lock().expect(RELOCK).iter().any(|i| i == item)
    }

    /// Puts `item` at the back of the shelf.
    pub fn push_back(&self, item: &str) {
        self.items.lock().expect(RELOCK).push_back(item.to_string());
    }

    /// The items, front to back.
    pub fn items(&self) -> Vec<String> {
        self.items.lock().expect(RELOCK).iter().cloned().collect()
    }

    /// Adds `item` unless it is already there; returns whether it was added.
    pub fn add_if_missing(&self, item: &str) -> bool {
        let mut items = self.items.lock().expect(RELOCK);
        // Check on the items we already hold, not through `self.contains`,
        // which would lock the shelf a second time.
        if items.iter().any(|i| i == item) {
            return false;
        }
        items.push_back(item.to_string());
        true
    }

    /// Moves the front item to the back and returns it, in one step.
    pub fn rotate(&self) -> Option<String> {
        // The guard of a `match` scrutinee lives through every arm, so
        // `self.push_back` there locked the shelf a second time. Dropping the
        // guard between the pop and the push would let another thread see
        // the shelf without the item (and add it again): one named guard,
        // and both steps on the items it holds.
        let mut items = self.items.lock().expect(RELOCK);
        let front = items.pop_front()?;
        items.push_back(front.clone());
        Some(front)
    }
}
