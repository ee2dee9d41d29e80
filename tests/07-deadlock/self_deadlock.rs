use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::Duration;

use deadlock::self_deadlock::{CheckedMutex, SelfDeadlock, Shelf};
use forklings_support::within;

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
