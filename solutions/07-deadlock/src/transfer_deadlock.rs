//! The transfer deadlock: the reference solution. The statement is in
//! `chapters/07-deadlock/src/transfer_deadlock.rs`.

use std::fmt;
use std::sync::{Mutex, MutexGuard, TryLockError};
use std::thread;
use std::time::{Duration, Instant};

/// How long [`TimedMutex::lock_within`] sleeps between two attempts.
const POLL: Duration = Duration::from_millis(1);

/// A timed acquire gave up: the lock it waited for, and how long it waited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockTimeout {
    /// The name of the lock that was never granted.
    pub lock: String,
    /// How long the caller waited before giving up.
    pub waited: Duration,
}

impl fmt::Display for LockTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "gave up waiting for lock `{}` after {:?}: a deadlock?",
            self.lock, self.waited
        )
    }
}

impl std::error::Error for LockTimeout {}

/// A mutex with a name and an acquire that gives up after a time limit.
pub struct TimedMutex<T> {
    name: String,
    inner: Mutex<T>,
}

impl<T> TimedMutex<T> {
    /// A mutex called `name` guarding `value`.
    pub fn new(name: &str, value: T) -> Self {
        Self {
            name: name.to_string(),
            inner: Mutex::new(value),
        }
    }

    /// The name given to [`TimedMutex::new`].
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Acquires the lock, or gives up once `limit` has passed.
    pub fn lock_within(&self, limit: Duration) -> Result<MutexGuard<'_, T>, LockTimeout> {
        let start = Instant::now();
        loop {
            match self.inner.try_lock() {
                Ok(guard) => return Ok(guard),
                // A thread that panicked while holding the lock does not make
                // the balance unreadable; the data is still there.
                Err(TryLockError::Poisoned(poisoned)) => return Ok(poisoned.into_inner()),
                Err(TryLockError::WouldBlock) => {}
            }
            let waited = start.elapsed();
            if waited >= limit {
                return Err(LockTimeout {
                    lock: self.name.clone(),
                    waited,
                });
            }
            // std's Mutex has no timed lock: poll, but never past the limit.
            thread::sleep(POLL.min(limit - waited));
        }
    }
}

/// A bank account: an id, a name and a balance behind its own lock.
pub struct Account {
    id: u32,
    balance: TimedMutex<i64>,
}

/// The limit [`Account::balance`] waits for the lock.
const READ_LIMIT: Duration = Duration::from_secs(5);

impl Account {
    /// An account whose lock is called `name`.
    pub fn new(id: u32, name: &str, balance: i64) -> Self {
        Self {
            id,
            balance: TimedMutex::new(name, balance),
        }
    }

    /// The account's id.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The account's name (the name of its lock).
    pub fn name(&self) -> &str {
        self.balance.name()
    }

    /// The balance now; waits up to 5 seconds for the lock.
    pub fn balance(&self) -> Result<i64, LockTimeout> {
        Ok(*self.balance.lock_within(READ_LIMIT)?)
    }
}

/// Moves `amount` from `from` to `to`, locking `from` first, then `to`.
pub fn transfer(
    from: &Account,
    to: &Account,
    amount: i64,
    limit: Duration,
    holding_first: impl FnOnce(),
) -> Result<(), LockTimeout> {
    let mut source = from.balance.lock_within(limit)?;
    holding_first();
    // On a timeout `?` returns and drops `source`: the first lock is released,
    // which is what lets the other thread go on.
    let mut target = to.balance.lock_within(limit)?;
    *source -= amount;
    *target += amount;
    Ok(())
}
