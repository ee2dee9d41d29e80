//! A global lock order: the reference solution. The statement is in
//! `chapters/07-deadlock/src/lock_order.rs`.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Accounts numbered `0..count()`, each balance behind its own lock.
pub struct Bank {
    accounts: Vec<Mutex<i64>>,
}

/// A transfer panics only when a thread panicked while holding a balance;
/// the numbers are still whole, so take them as they are.
fn lock(account: &Mutex<i64>) -> MutexGuard<'_, i64> {
    account.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Bank {
    /// A bank with one account per entry of `balances`.
    pub fn new(balances: &[i64]) -> Self {
        Self {
            accounts: balances.iter().map(|&b| Mutex::new(b)).collect(),
        }
    }

    /// How many accounts the bank has.
    pub fn count(&self) -> usize {
        self.accounts.len()
    }

    /// The balance of account `id`.
    pub fn balance(&self, id: usize) -> i64 {
        *lock(&self.accounts[id])
    }

    /// The sum of every balance, as one consistent snapshot.
    pub fn total(&self) -> i64 {
        // Holding every lock at once (taken in id order, like a transfer)
        // means no transfer is half done while we add.
        let guards: Vec<_> = self.accounts.iter().map(lock).collect();
        guards.iter().map(|g| **g).sum()
    }

    /// Moves `amount` from `from` to `to`; never deadlocks.
    pub fn transfer(&self, from: usize, to: usize, amount: i64) {
        self.transfer_observed(from, to, amount, |_| {});
    }

    /// [`Bank::transfer`], calling `first_locked(id)` once the first lock is held.
    pub fn transfer_observed(
        &self,
        from: usize,
        to: usize,
        amount: i64,
        first_locked: impl FnOnce(usize),
    ) {
        if from == to {
            // One account: a second lock() of the same mutex would wait for
            // ourselves. Moving money to itself changes nothing.
            let _held = lock(&self.accounts[from]);
            first_locked(from);
            return;
        }
        // Every thread takes the lower id first, so no thread can hold a
        // higher lock while waiting for a lower one: the wait-for graph has
        // no cycle.
        let (low, high) = (from.min(to), from.max(to));
        let mut first = lock(&self.accounts[low]);
        first_locked(low);
        let mut second = lock(&self.accounts[high]);
        let (source, target) = if from == low {
            (&mut first, &mut second)
        } else {
            (&mut second, &mut first)
        };
        **source -= amount;
        **target += amount;
    }
}
