use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::Duration;

use deadlock::self_deadlock::{CheckedGuard, CheckedMutex, SelfDeadlock, Shelf};
use forklings_support::sched::{be_slow_to_wake, pin_to_one_cpu};
use forklings_support::within;

use crate::auto_traits::{is_send, is_sync};
use crate::burst::StartLine;

const LIMIT: Duration = Duration::from_secs(5);

#[test]
fn a_checked_mutex_locks_and_unlocks() {
    let value = within(LIMIT, "CheckedMutex::lock", || {
        let vault = CheckedMutex::new("vault", vec![1]);
        vault.lock().expect("a free lock").push(2);
        let again = vault.lock().expect("released when the guard dropped");
        again.clone()
    });
    assert_eq!(value, [1, 2]);
}

#[test]
fn locking_twice_in_one_thread_is_an_error() {
    let (second, third) = within(LIMIT, "CheckedMutex::lock, twice", || {
        let vault = CheckedMutex::new("vault", 0);
        let held = vault.lock().expect("a free lock");
        let second = vault.lock().map(|_| ());
        drop(held);
        let third = vault.lock().map(|_| ());
        (second, third)
    });
    assert_eq!(
        second,
        Err(SelfDeadlock {
            lock: "vault".into()
        }),
        "this thread holds `vault`: asking again must fail at once"
    );
    assert_eq!(
        third,
        Ok(()),
        "after the guard dropped, the lock is free again"
    );
}

#[test]
fn another_thread_waits_instead_of_failing() {
    let vault = Arc::new(CheckedMutex::new("vault", 0));
    let (held_tx, held_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let released = Arc::new(AtomicBool::new(false));
    let holder = {
        let (vault, released) = (Arc::clone(&vault), Arc::clone(&released));
        thread::spawn(move || {
            let guard = vault.lock();
            let _ = held_tx.send(guard.is_ok());
            let _ = release_rx.recv_timeout(LIMIT);
            released.store(true, SeqCst);
            drop(guard);
        })
    };
    let held = held_rx.recv_timeout(LIMIT).expect("the holder reports");
    assert!(held, "the lock was free");
    let waiter = {
        let (vault, released) = (Arc::clone(&vault), Arc::clone(&released));
        thread::spawn(move || {
            let outcome = vault.lock().map(|mut g| *g += 1);
            (outcome, released.load(SeqCst))
        })
    };
    thread::sleep(Duration::from_millis(100));
    let _ = release_tx.send(());
    let (outcome, after_release) = within(LIMIT, "a second thread's lock()", move || {
        waiter.join().expect("the waiting thread panicked")
    });
    holder.join().expect("the holder ends");
    assert_eq!(
        outcome,
        Ok(()),
        "another thread holding the lock is no self-deadlock"
    );
    assert!(
        after_release,
        "lock() returned while another thread held the lock"
    );
}

#[test]
fn add_if_missing_adds_once() {
    let (first, second, other, items) = within(LIMIT, "Shelf::add_if_missing", || {
        let shelf = Shelf::new();
        let first = shelf.add_if_missing("tea");
        let second = shelf.add_if_missing("tea");
        let other = shelf.add_if_missing("jam");
        (first, second, other, shelf.items())
    });
    assert_eq!((first, second, other), (true, false, true));
    assert_eq!(items, ["tea", "jam"]);
}

#[test]
fn rotate_moves_the_front_to_the_back() {
    let (moved, items, empty) = within(LIMIT, "Shelf::rotate", || {
        let shelf = Shelf::new();
        for item in ["tea", "jam", "bread"] {
            shelf.push_back(item);
        }
        let moved = shelf.rotate();
        (moved, shelf.items(), Shelf::new().rotate())
    });
    assert_eq!(moved.as_deref(), Some("tea"));
    assert_eq!(items, ["jam", "bread", "tea"]);
    assert_eq!(empty, None);
}

#[test]
fn a_shared_shelf_keeps_one_of_each() {
    let items = within(LIMIT, "Shelf from four threads", || {
        let shelf = Arc::new(Shelf::new());
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let shelf = Arc::clone(&shelf);
                thread::spawn(move || {
                    // Many rounds on few items: a rotate or an add that lets
                    // go of the lock halfway is caught in the act.
                    for i in 0..500 {
                        shelf.add_if_missing(&format!("item {}", (i + t) % 5));
                        shelf.rotate();
                    }
                })
            })
            .collect();
        threads
            .into_iter()
            .for_each(|t| t.join().expect("a shelf thread panicked"));
        let mut items = shelf.items();
        items.sort();
        items
    });
    let expected: Vec<String> = {
        let mut all: Vec<String> = (0..5).map(|i| format!("item {i}")).collect();
        all.sort();
        all
    };
    assert_eq!(items, expected, "each item exactly once");
}

#[test]
fn every_holder_is_told_of_its_own_second_lock_under_contention() {
    // Four threads take turns; each, holding the lock, asks again. Whoever
    // got the lock by waiting for it, or just after another thread let go,
    // must be recorded as the holder too: a holder forgotten too late (after
    // the unlock) or never recorded makes that second lock wait for itself.
    let (refused, total) = within(LIMIT, "CheckedMutex under contention", || {
        let vault = Arc::new(CheckedMutex::new("vault", 0u32));
        let refused = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (vault, refused) = (Arc::clone(&vault), Arc::clone(&refused));
                thread::spawn(move || {
                    for _ in 0..300 {
                        let mut held = vault.lock().expect("the first lock of this thread");
                        if vault.lock().is_err() {
                            refused.fetch_add(1, SeqCst);
                        }
                        *held += 1;
                    }
                })
            })
            .collect();
        threads
            .into_iter()
            .for_each(|t| t.join().expect("a locking thread panicked"));
        let total = *vault.lock().expect("all free");
        (refused.load(SeqCst), total)
    });
    assert_eq!(refused, 1_200, "every second lock of a holder is refused");
    assert_eq!(total, 1_200);
}

#[test]
fn a_panic_while_holding_it_leaves_it_usable() {
    let vault = Arc::new(CheckedMutex::new("vault", 5));
    let holder = Arc::clone(&vault);
    let failed = thread::spawn(move || {
        let _held = holder.lock().expect("a free lock");
        panic!("the holder fails");
    })
    .join();
    assert!(failed.is_err());
    let value = within(LIMIT, "CheckedMutex::lock after a panic", move || {
        let first = vault.lock().map(|g| *g);
        let twice = {
            let _held = vault.lock();
            vault.lock().map(|_| ())
        };
        (first, twice)
    });
    assert_eq!(
        value.0,
        Ok(5),
        "a holder that panicked poisons the inner mutex, but the data is intact: grant it"
    );
    assert!(
        value.1.is_err(),
        "after a poisoned grant the holder is still recorded"
    );
}

#[test]
fn adds_in_a_burst_add_each_item_once() {
    // Two threads ask for the same missing item at the same instant, round
    // after round: one add may win. Checking and adding under two locks
    // lets both win when they come together.
    const ROUNDS: usize = 1_000;
    // Generous: with every core busy, each round waits for both threads to
    // be scheduled.
    let limit = Duration::from_secs(30);
    let (doubles, duplicates) = within(limit, "Shelf::add_if_missing in bursts", || {
        let shelf = Arc::new(Shelf::new());
        let start = Arc::new(StartLine::new(2));
        let done = Arc::new(Barrier::new(2));
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let (shelf, start, done) = (shelf.clone(), start.clone(), done.clone());
                thread::spawn(move || {
                    let mut won = 0;
                    for round in 1..=ROUNDS {
                        start.wait(round);
                        won += usize::from(shelf.add_if_missing(&format!("item {round}")));
                        done.wait();
                    }
                    won
                })
            })
            .collect();
        let wins: usize = threads
            .into_iter()
            .map(|t| t.join().expect("an adding thread panicked"))
            .sum();
        let items = shelf.items();
        let distinct: std::collections::BTreeSet<&String> = items.iter().collect();
        (wins - ROUNDS, items.len() - distinct.len())
    });
    assert_eq!(
        (doubles, duplicates),
        (0, 0),
        "an item was added twice: check and add under one guard"
    );
}

#[test]
fn the_guard_is_shared_only_when_the_value_is_sync() {
    let value = within(LIMIT, "a CheckedMutex around a Cell", || {
        let vault = CheckedMutex::new("cell", Cell::new(1u8));
        vault.lock().expect("a free lock").set(2);
        vault.lock().expect("free again").get()
    });
    assert_eq!(value, 2);
    assert!(
        !is_sync!(CheckedGuard<'static, Cell<u8>>),
        "CheckedGuard<Cell<u8>> is Sync: two threads sharing one guard could both write the Cell"
    );
    assert!(
        !is_send!(CheckedGuard<'static, Rc<u8>>),
        "CheckedGuard<Rc<u8>> is Send: the Rc could be cloned on another thread"
    );
    assert!(
        !is_sync!(CheckedMutex<Rc<u8>>) && !is_send!(CheckedMutex<Rc<u8>>),
        "CheckedMutex<Rc<u8>> is Send or Sync: two threads could clone the Rc"
    );
}

#[test]
fn a_holder_that_waited_for_the_lock_is_told_of_its_second_lock() {
    // The waiter gets the lock by waiting for it, the moment the holder's
    // guard unlocks, and often runs before the holder's drop has finished:
    // a drop that unlocks first and forgets the holder afterwards erases
    // the waiter's record. A record made only when try_lock succeeds never
    // names a thread that waited.
    //
    // The waiter runs first nearly always, not always, on a crowded
    // machine: five rounds, each of which must name the waiter.
    for round in 0..5 {
        let vault = Arc::new(CheckedMutex::new("vault", 0));
        let (held_tx, held_rx) = mpsc::channel();
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let holder = {
            let vault = Arc::clone(&vault);
            thread::spawn(move || {
                // The holder yields its CPU to the waiter it wakes.
                be_slow_to_wake();
                let guard = vault.lock();
                let _ = held_tx.send(guard.is_ok());
                let _ = release_rx.recv_timeout(LIMIT);
                drop(guard);
            })
        };
        assert!(held_rx.recv_timeout(LIMIT).expect("the holder reports"));
        let (second_tx, second_rx) = mpsc::channel();
        let waiter = {
            let vault = Arc::clone(&vault);
            thread::spawn(move || {
                pin_to_one_cpu();
                let held = vault.lock();
                // Let the holder's drop finish, whatever order it works in.
                thread::sleep(Duration::from_millis(50));
                let second = vault.lock().map(|_| ());
                let _ = second_tx.send(second);
                drop(held);
            })
        };
        thread::sleep(Duration::from_millis(100));
        let _ = release_tx.send(());
        let second = second_rx.recv_timeout(LIMIT);
        holder.join().expect("the holder ends");
        assert_eq!(
            second,
            Ok(Err(SelfDeadlock {
                lock: "vault".into()
            })),
            "round {round}: a thread that waited for the lock and holds it asked again: it \
             must be told at once (record the holder however the lock was taken, and forget \
             it before unlocking)"
        );
        waiter.join().expect("the waiter ends");
    }
}
