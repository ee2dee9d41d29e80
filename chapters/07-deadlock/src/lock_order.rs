//! # Exercise: one global lock order
//!
//! The transfer deadlock needs a cycle: thread 1 holds A and waits for B
//! while thread 2 holds B and waits for A. Take that cycle away and the
//! deadlock is gone. The classic cure, in Python as anywhere: give every lock
//! a rank and always take locks in rank order, whatever the direction of the
//! transfer.
//!
//! ```python
//! def transfer(bank, source, target, amount):
//!     first, second = sorted([source, target], key=lambda acc: acc.id)
//!     with first.lock, second.lock:
//!         source.balance -= amount
//!         target.balance += amount
//! ```
//!
//! Now A→B and B→A both reach for the lower id first. Whoever gets it also
//! gets the other lock in the end, since nobody can hold the higher lock
//! while waiting for the lower one.
//!
//! Build [`Bank`]: accounts numbered `0..count()`, each balance behind its
//! own `std::sync::Mutex`.
//!
//! - [`Bank::transfer_observed`] locks the two accounts in id order, calls
//!   `first_locked(id)` with the id it locked first, then moves the money. A
//!   transfer from an account to itself changes nothing and must not lock
//!   the same mutex twice (that would be a deadlock of one thread).
//! - [`Bank::total`] adds up every balance as one consistent snapshot: no
//!   transfer may be half done while it adds (take every lock, in order).
//!
//! The tests check that both directions lock the lower id first; that a
//! transfer to the same account returns; that 4 000 opposite transfers
//! finish; that `total()` never sees money in flight, and waits while a
//! transfer holds an account (a total that reads one account at a time
//! counts a transfer made behind its back twice); and a property test
//! runs random transfers among up to 15 accounts on up to 7 threads: they
//! always finish, every balance ends where arithmetic says, and the total
//! is unchanged.
//!
//! Stuck? `cargo course hint lock_order`.

/// Accounts numbered `0..count()`, each balance behind its own lock.
pub struct Bank {
    // Your fields here: one `Mutex<i64>` per account.
    _todo: (),
}

impl Bank {
    /// A bank with one account per entry of `balances`.
    pub fn new(balances: &[i64]) -> Self {
        todo!()
    }

    /// How many accounts the bank has.
    pub fn count(&self) -> usize {
        todo!()
    }

    /// The balance of account `id`.
    pub fn balance(&self, id: usize) -> i64 {
        todo!()
    }

    /// The sum of every balance, as one consistent snapshot.
    pub fn total(&self) -> i64 {
        todo!()
    }

    /// Moves `amount` from `from` to `to`; never deadlocks.
    pub fn transfer(&self, from: usize, to: usize, amount: i64) {
        todo!()
    }

    /// [`Bank::transfer`], calling `first_locked(id)` once the first lock is
    /// held, with the id of that account.
    pub fn transfer_observed(
        &self,
        from: usize,
        to: usize,
        amount: i64,
        first_locked: impl FnOnce(usize),
    ) {
        todo!()
    }
}
