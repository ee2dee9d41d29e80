//! # Exercise: the transfer deadlock
//!
//! Picture a bank in Python: every account has its own `threading.Lock`, and
//! a transfer takes the lock of the source account, then the lock of the
//! target account, then moves the money:
//!
//! ```python
//! def transfer(source, target, amount):
//!     with source.lock:
//!         with target.lock:
//!             source.balance -= amount
//!             target.balance += amount
//! ```
//!
//! Run `transfer(a, b, 10)` and `transfer(b, a, 20)` on two threads at the
//! same moment: the first holds `a.lock` and waits for `b.lock`, the second
//! holds `b.lock` and waits for `a.lock`. Neither lets go; both wait forever.
//! Python's `lock.acquire(timeout=...)` is the way out of the wait: it gives
//! up and returns `False` instead of blocking for good.
//!
//! Rust's `std::sync::Mutex` has no timed lock, so build one:
//!
//! - [`TimedMutex::lock_within`] tries to take the lock until a time limit
//!   passes, and then gives up with a [`LockTimeout`] that names the lock it
//!   waited for. (`Mutex::try_lock` never blocks: try, sleep a little, try
//!   again, and never sleep past the limit.)
//! - [`Account`] holds its balance in a `TimedMutex` named after the account.
//! - [`transfer`] keeps the naive order of the Python code above: the source
//!   lock first, then the target lock, each with the time limit given. It
//!   calls `holding_first()` right after it took the first lock, before it
//!   reaches for the second: the tests put a barrier there, so both threads
//!   hold their first lock and the deadlock happens every time.
//!
//! The tests check that a free lock is granted, a poisoned one too; that a
//! held lock makes `lock_within` give up no sooner than its limit with the
//! lock's name, sleeping between tries (a waiter that spins uses CPU time
//! that a sleeping one does not); that two opposite transfers deadlock
//! every time, the timeout naming the lock the thread waited for, while the
//! money stays whole; that when one side gives up and lets go, the other
//! side finishes; and that `TimedMutex<T>` is `Send` and `Sync` only when
//! `T` is `Send`.
//!
//! Stuck? `cargo course hint transfer_deadlock`.

use std::fmt;
use std::marker::PhantomData;
use std::sync::MutexGuard;
use std::time::Duration;

/// A timed acquire gave up: the lock it waited for, and how long it waited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockTimeout {
    /// The name of the lock that was never granted.
    pub lock: String,
    /// How long the caller waited before giving up (at least the limit).
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
    // Your fields here: the name, and a `std::sync::Mutex<T>`.
    _todo: PhantomData<T>,
}

impl<T> TimedMutex<T> {
    /// A mutex called `name` guarding `value`.
    pub fn new(name: &str, value: T) -> Self {
        todo!()
    }

    /// The name given to [`TimedMutex::new`].
    pub fn name(&self) -> &str {
        todo!()
    }

    /// Acquires the lock, or gives up once `limit` has passed and returns a
    /// [`LockTimeout`] naming this lock. A lock poisoned by a panicking
    /// holder is still granted: its data is intact.
    pub fn lock_within(&self, limit: Duration) -> Result<MutexGuard<'_, T>, LockTimeout> {
        todo!()
    }
}

/// A bank account: an id, a name and a balance behind its own lock.
pub struct Account {
    // Your fields here: the id, and the balance in a `TimedMutex<i64>`
    // named `name`.
    _todo: (),
}

impl Account {
    /// An account whose lock is called `name`.
    pub fn new(id: u32, name: &str, balance: i64) -> Self {
        todo!()
    }

    /// The account's id.
    pub fn id(&self) -> u32 {
        todo!()
    }

    /// The account's name (the name of its lock).
    pub fn name(&self) -> &str {
        todo!()
    }

    /// The balance now; waits up to 5 seconds for the lock.
    pub fn balance(&self) -> Result<i64, LockTimeout> {
        todo!()
    }
}

/// Moves `amount` from `from` to `to`, locking `from` first, then `to`, each
/// with the time limit `limit`. Calls `holding_first()` once the first lock
/// is held, before it reaches for the second.
///
/// On a timeout nothing has moved, every lock taken is released, and the
/// error names the lock that was not granted.
pub fn transfer(
    from: &Account,
    to: &Account,
    amount: i64,
    limit: Duration,
    holding_first: impl FnOnce(),
) -> Result<(), LockTimeout> {
    todo!()
}
