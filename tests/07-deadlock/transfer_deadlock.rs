use std::cell::Cell;
use std::rc::Rc;
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use deadlock::transfer_deadlock::{Account, LockTimeout, TimedMutex, transfer};
use forklings_support::within;

use crate::auto_traits::{is_send, is_sync};
use crate::blocking::{HOLD, MOST_CPU, cost_of_waiting};

const LIMIT: Duration = Duration::from_secs(5);
const SHORT: Duration = Duration::from_millis(200);

#[test]
fn a_free_lock_is_granted() {
    within(LIMIT, "lock_within", || {
        let vault = TimedMutex::new("vault", 10);
        assert_eq!(vault.name(), "vault");
        *vault.lock_within(SHORT).expect("the lock is free") += 5;
        assert_eq!(
            *vault.lock_within(SHORT).expect("the lock is free again"),
            15
        );
    });
}

#[test]
fn a_held_lock_times_out_with_its_name() {
    let vault = Arc::new(TimedMutex::new("vault", 0));
    let (held_tx, held_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let holder = {
        let vault = Arc::clone(&vault);
        thread::spawn(move || {
            let _guard = vault.lock_within(LIMIT).expect("the lock is free");
            held_tx.send(()).expect("the test waits");
            let _ = release_rx.recv_timeout(LIMIT);
        })
    };
    held_rx
        .recv_timeout(LIMIT)
        .expect("the holder thread took the lock");
    let (outcome, took) = within(LIMIT, "lock_within on a held lock", move || {
        let start = Instant::now();
        let outcome = vault.lock_within(SHORT).map(|_| ());
        (outcome, start.elapsed())
    });
    let _ = release_tx.send(());
    holder.join().expect("the holder thread ends");
    let error = outcome.expect_err("another thread holds the lock: the acquire must give up");
    assert_eq!(
        error.lock, "vault",
        "the error names the lock it waited for"
    );
    assert!(
        took >= SHORT,
        "gave up after {took:?}, before the limit of {SHORT:?}"
    );
    assert!(error.waited >= SHORT, "`waited` says {:?}", error.waited);
}

#[test]
fn a_transfer_moves_money() {
    let (a, b) = within(LIMIT, "transfer", || {
        let a = Account::new(1, "account A", 100);
        let b = Account::new(2, "account B", 50);
        assert_eq!((a.id(), a.name()), (1, "account A"));
        transfer(&a, &b, 30, SHORT, || {}).expect("nobody else holds a lock");
        (a.balance(), b.balance())
    });
    assert_eq!((a, b), (Ok(70), Ok(80)));
}

/// A→B and B→A at once, both holding their first lock before reaching for
/// the second. Returns each side's outcome and the final balances.
fn opposite_transfers(
    limit_ab: Duration,
    limit_ba: Duration,
) -> (Result<(), LockTimeout>, Result<(), LockTimeout>, i64, i64) {
    let a = Arc::new(Account::new(1, "account A", 100));
    let b = Arc::new(Account::new(2, "account B", 50));
    let both_hold = Arc::new(Barrier::new(2));
    let spawn = |from: &Arc<Account>, to: &Arc<Account>, amount, limit| {
        let (from, to, both_hold) = (Arc::clone(from), Arc::clone(to), Arc::clone(&both_hold));
        thread::spawn(move || {
            transfer(&from, &to, amount, limit, || {
                both_hold.wait();
            })
        })
    };
    let ab = spawn(&a, &b, 10, limit_ab);
    let ba = spawn(&b, &a, 20, limit_ba);
    let ab = ab.join().expect("the A→B thread panicked");
    let ba = ba.join().expect("the B→A thread panicked");
    let balance = |account: &Account| account.balance().expect("no lock is held any more");
    (ab, ba, balance(&a), balance(&b))
}

#[test]
fn opposite_transfers_deadlock_and_the_impatient_one_names_the_lock() {
    // A→B gives up after 200 ms; B→A would wait 600 s, so it is still
    // waiting when A→B lets go of A, and then it completes at once. (An
    // acquire that sleeps its whole limit before trying runs out the clock.)
    let (ab, ba, a, b) = within(LIMIT, "two opposite transfers", || {
        opposite_transfers(SHORT, Duration::from_secs(600))
    });
    let error = ab.expect_err("A→B holds A and waits for B, held by B→A: it must time out");
    assert_eq!(error.lock, "account B", "A→B waited for the lock of B");
    assert!(error.waited >= SHORT, "gave up after {:?}", error.waited);
    assert_eq!(ba, Ok(()), "once A→B let go of A, B→A could finish");
    assert_eq!((a, b), (120, 30), "only B→A (20 from B to A) happened");
}

#[test]
fn opposite_transfers_deadlock_every_time() {
    for round in 0..5 {
        let (ab, ba, a, b) = within(LIMIT, "two opposite transfers", || {
            opposite_transfers(SHORT, SHORT)
        });
        assert!(
            ab.is_err() || ba.is_err(),
            "round {round}: both transfers finished, but each held one lock and waited for the other"
        );
        if let Err(e) = &ab {
            assert_eq!(e.lock, "account B", "round {round}: A→B waited for B");
        }
        if let Err(e) = &ba {
            assert_eq!(e.lock, "account A", "round {round}: B→A waited for A");
        }
        assert_eq!(a + b, 150, "round {round}: money appeared or vanished");
    }
}

#[test]
fn a_poisoned_lock_is_still_granted() {
    let vault = Arc::new(TimedMutex::new("vault", 7));
    let holder = Arc::clone(&vault);
    let failed = thread::spawn(move || {
        let _guard = holder.lock_within(LIMIT).expect("the lock is free");
        panic!("the holder fails while holding the vault");
    })
    .join();
    assert!(failed.is_err());
    let value = within(LIMIT, "lock_within on a poisoned lock", move || {
        vault.lock_within(SHORT).map(|guard| *guard)
    });
    assert_eq!(
        value,
        Ok(7),
        "a holder that panicked poisons the lock, but its data is intact: lock_within grants it"
    );
}

#[test]
fn a_waiting_lock_within_does_not_spin() {
    let vault = Arc::new(TimedMutex::new("vault", 0));
    let (held_tx, held_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let holder = {
        let vault = Arc::clone(&vault);
        thread::spawn(move || {
            let _guard = vault.lock_within(LIMIT).expect("the lock is free");
            held_tx.send(()).expect("the test waits");
            let _ = release_rx.recv_timeout(Duration::from_secs(20));
        })
    };
    held_rx
        .recv_timeout(LIMIT)
        .expect("the holder took the lock");
    let waiting = Arc::clone(&vault);
    let (cost, got) = cost_of_waiting(
        move || waiting.lock_within(Duration::from_secs(600)).is_ok(),
        || release_tx.send(()).expect("the holder listens"),
    )
    .expect("lock_within(600 s) did not return once the lock was free");
    holder.join().expect("the holder ends");
    assert!(got, "the lock was freed: lock_within takes it");
    assert!(
        cost.cpu < MOST_CPU,
        "lock_within used {:?} of CPU while it waited {HOLD:?}: sleep a little between tries",
        cost.cpu
    );
}

#[test]
fn a_timed_mutex_shares_its_value_only_when_it_may() {
    let free = within(LIMIT, "TimedMutex", || {
        TimedMutex::new("cell", Cell::new(1))
            .lock_within(SHORT)
            .map(|g| g.get())
    });
    assert_eq!(free, Ok(1));
    assert!(
        !is_sync!(TimedMutex<Rc<u8>>) && !is_send!(TimedMutex<Rc<u8>>),
        "TimedMutex<Rc<u8>> is Send or Sync: two threads could clone the Rc"
    );
    assert!(
        is_sync!(TimedMutex<Cell<u8>>),
        "TimedMutex<Cell<u8>> is not Sync: a mutex makes a Send value shareable"
    );
}
