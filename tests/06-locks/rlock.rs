use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::Duration;

use forklings_support::within;
use locks::rlock::{NotOwner, RLock};

use crate::blocking::cost_of_waiting;

const LIMIT: Duration = Duration::from_secs(20);
/// Rounds per thread in the contention tests: enough for a broken lock to
/// be caught (each round yields inside the critical section), few enough to
/// stay quick when every core is busy and each yield costs a time slice.
const ROUNDS: u64 = 300;

#[test]
fn the_owner_can_take_it_again() {
    within(LIMIT, "RLock::acquire", || {
        let lock = RLock::new();
        assert_eq!(lock.depth(), 0);
        lock.acquire();
        lock.acquire();
        assert_eq!(lock.depth(), 2);
        lock.release().unwrap();
        assert_eq!(lock.depth(), 1);
        lock.release().unwrap();
        assert_eq!(lock.depth(), 0);
    });
}

#[test]
fn another_thread_waits_until_every_acquire_is_released() {
    within(LIMIT, "RLock", || {
        let lock = Arc::new(RLock::new());
        lock.acquire();
        lock.acquire();
        let (tx, rx) = mpsc::channel();
        let other = Arc::clone(&lock);
        let waiter = thread::spawn(move || {
            other.acquire();
            tx.send(other.depth()).unwrap();
            other.release().unwrap();
        });
        assert!(
            rx.recv_timeout(Duration::from_millis(150)).is_err(),
            "taken while held twice"
        );
        lock.release().unwrap();
        assert!(
            rx.recv_timeout(Duration::from_millis(150)).is_err(),
            "taken while still held once"
        );
        lock.release().unwrap();
        assert_eq!(rx.recv_timeout(Duration::from_secs(10)), Ok(1));
        waiter.join().unwrap();
    });
}

#[test]
fn releasing_from_another_thread_is_an_error() {
    within(LIMIT, "RLock", || {
        let lock = Arc::new(RLock::new());
        lock.acquire();
        let other = Arc::clone(&lock);
        let from_elsewhere = thread::spawn(move || (other.release(), other.depth()))
            .join()
            .unwrap();
        assert_eq!(from_elsewhere, (Err(NotOwner), 0));
        assert_eq!(lock.depth(), 1, "a refused release changes nothing");
        lock.release().unwrap();
    });
}

#[test]
fn releasing_a_free_lock_is_an_error() {
    let lock = RLock::new();
    assert_eq!(lock.release(), Err(NotOwner));
    assert_eq!(
        NotOwner.to_string(),
        "release of a lock this thread does not hold"
    );
}

#[test]
fn four_threads_never_hold_it_at_once() {
    let (total, most_inside) = within(LIMIT, "RLock under contention", || {
        let lock = Arc::new(RLock::new());
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let total = Arc::new(AtomicU64::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (lock, inside, most, total) =
                    (lock.clone(), inside.clone(), most.clone(), total.clone());
                thread::spawn(move || {
                    for _ in 0..ROUNDS {
                        lock.acquire();
                        lock.acquire();
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        // A load and a store: only the lock keeps them together.
                        let seen = total.load(Ordering::SeqCst);
                        thread::yield_now();
                        total.store(seen + 1, Ordering::SeqCst);
                        inside.fetch_sub(1, Ordering::SeqCst);
                        lock.release().unwrap();
                        lock.release().unwrap();
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        (total.load(Ordering::SeqCst), most.load(Ordering::SeqCst))
    });
    assert_eq!(most_inside, 1, "two threads held the lock at once");
    assert_eq!(total, 4 * ROUNDS, "an update made under the lock was lost");
}

#[test]
fn a_waiting_thread_sleeps() {
    let lock = Arc::new(RLock::new());
    lock.acquire();
    let other = Arc::clone(&lock);
    let outcome = cost_of_waiting(
        move || {
            other.acquire();
            other.release()
        },
        || lock.release().expect("the test holds the lock"),
    );
    let (cost, released) = outcome.expect("the waiter never got the lock after its release");
    assert_eq!(released, Ok(()));
    cost.assert_slept("RLock::acquire");
}

#[test]
fn a_waiter_that_finds_the_lock_taken_back_waits_again() {
    // The owner releases and at once acquires again, usually before the
    // waiter it woke has run. That waiter must look again and wait on: a
    // wakeup is a hint, not a promise that the lock is free.
    let (overlaps, total) = within(LIMIT, "RLock with a fast owner", || {
        let lock = Arc::new(RLock::new());
        let inside = Arc::new(AtomicUsize::new(0));
        let overlaps = Arc::new(AtomicUsize::new(0));
        let total = Arc::new(AtomicU64::new(0));
        let (started_tx, started_rx) = mpsc::channel();
        let enter = |lock: &RLock, inside: &AtomicUsize, overlaps: &AtomicUsize| {
            lock.acquire();
            if inside.fetch_add(1, Ordering::SeqCst) != 0 {
                overlaps.fetch_add(1, Ordering::SeqCst);
            }
        };
        let leave = |lock: &RLock, inside: &AtomicUsize, overlaps: &AtomicUsize| {
            inside.fetch_sub(1, Ordering::SeqCst);
            // Refused when another thread took the lock over meanwhile.
            if lock.release().is_err() {
                overlaps.fetch_add(1, Ordering::SeqCst);
            }
        };
        enter(&lock, &inside, &overlaps);
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let (lock, inside, overlaps, total, started) = (
                    lock.clone(),
                    inside.clone(),
                    overlaps.clone(),
                    total.clone(),
                    started_tx.clone(),
                );
                thread::spawn(move || {
                    started.send(()).unwrap();
                    for _ in 0..50 {
                        enter(&lock, &inside, &overlaps);
                        total.fetch_add(1, Ordering::SeqCst);
                        leave(&lock, &inside, &overlaps);
                    }
                })
            })
            .collect();
        for _ in 0..2 {
            started_rx.recv().unwrap();
        }
        for _ in 0..200 {
            // Let the waiters fall asleep, then release and take it back.
            thread::sleep(Duration::from_millis(1));
            leave(&lock, &inside, &overlaps);
            enter(&lock, &inside, &overlaps);
        }
        leave(&lock, &inside, &overlaps);
        waiters.into_iter().for_each(|w| w.join().unwrap());
        (
            overlaps.load(Ordering::SeqCst),
            total.load(Ordering::SeqCst),
        )
    });
    assert_eq!(
        overlaps, 0,
        "a thread got the lock while another held it: after a wakeup, check the owner again (a `while`, not an `if`)"
    );
    assert_eq!(total, 100);
}
