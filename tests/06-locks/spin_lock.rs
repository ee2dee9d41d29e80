use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::Duration;

use forklings_support::within;
use locks::spin_lock::{SpinGuard, SpinLock};

use crate::auto_traits::{is_send, is_sync};
use crate::burst::StartLine;

const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn a_second_locker_waits_until_the_guard_drops() {
    within(LIMIT, "the spin lock", || {
        let lock = Arc::new(SpinLock::new(0u32));
        let held = lock.lock();
        let (tx, rx) = mpsc::channel();
        let other = Arc::clone(&lock);
        let waiter = thread::spawn(move || {
            *other.lock() += 1;
            tx.send(()).unwrap();
        });
        assert!(
            rx.recv_timeout(Duration::from_millis(200)).is_err(),
            "a second thread took the lock while it was held"
        );
        drop(held);
        rx.recv_timeout(Duration::from_secs(20))
            .expect("the lock was never freed");
        waiter.join().unwrap();
        assert_eq!(*lock.lock(), 1);
    });
}

#[test]
fn try_lock_fails_while_held_and_succeeds_after() {
    let value = within(LIMIT, "SpinLock::try_lock, which never waits", || {
        let lock = SpinLock::new(String::from("x"));
        let guard = lock.try_lock().expect("a free lock can be taken");
        assert!(
            lock.try_lock().is_none(),
            "a held lock cannot be taken again"
        );
        drop(guard);
        let mut again = lock.try_lock().expect("dropping the guard frees the lock");
        again.push('y');
        drop(again);
        lock.into_inner()
    });
    assert_eq!(value, "xy");
}

/// Threads released together by a spinning start line all call `try_lock`
/// on a free lock,
/// and hold what they got until everyone has tried. Returns the most
/// winners seen in one round.
fn most_winners_of_a_burst(threads: usize, rounds: usize) -> usize {
    let lock = Arc::new(SpinLock::new(0u64));
    let start = Arc::new(StartLine::new(threads));
    let tried = Arc::new(Barrier::new(threads));
    let winners = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (lock, start, tried, winners, most) = (
                lock.clone(),
                start.clone(),
                tried.clone(),
                winners.clone(),
                most.clone(),
            );
            thread::spawn(move || {
                for round in 1..=rounds {
                    start.wait(round);
                    let guard = lock.try_lock();
                    if guard.is_some() {
                        let now = winners.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                    }
                    // Nobody lets go before everyone has tried.
                    tried.wait();
                    drop(guard);
                    if tried.wait().is_leader() {
                        // Everyone has let go; nobody starts the next round
                        // before the leader, who resets first, arrives.
                        winners.store(0, Ordering::SeqCst);
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("a try_lock thread panicked");
    }
    most.load(Ordering::SeqCst)
}

#[test]
fn a_burst_of_try_locks_has_one_winner() {
    // A lock that checks the flag and then sets it (two steps) lets two
    // threads in when they arrive together: this burst makes them arrive
    // together, round after round.
    let most = within(LIMIT, "a burst of SpinLock::try_lock", || {
        most_winners_of_a_burst(2, 1_000)
    });
    assert_eq!(
        most, 1,
        "{most} threads won try_lock at once: take the flag with one atomic read-modify-write"
    );
}

#[test]
fn the_guard_is_shared_only_when_the_value_is_sync() {
    // The lock in use once, so an unwritten lock fails here too.
    let counter = within(LIMIT, "a SpinLock around a Cell", || {
        let lock = SpinLock::new(Cell::new(1u8));
        lock.lock().set(2);
        lock.into_inner().get()
    });
    assert_eq!(counter, 2);
    assert!(
        !is_sync!(SpinGuard<'static, Cell<u8>>),
        "SpinGuard<Cell<u8>> is Sync: two threads sharing one guard could both write the Cell. \
         A guard is Sync only when T is Sync (`unsafe impl<T: Sync> Sync for SpinGuard<'_, T>`)"
    );
    assert!(
        !is_send!(SpinGuard<'static, Rc<u8>>),
        "SpinGuard<Rc<u8>> is Send: the Rc could be cloned on another thread"
    );
    assert!(
        !is_sync!(SpinLock<Rc<u8>>) && !is_send!(SpinLock<Rc<u8>>),
        "SpinLock<Rc<u8>> is Send or Sync: a lock shares its value only when T is Send"
    );
    assert!(
        is_sync!(SpinLock<Cell<u8>>),
        "SpinLock<Cell<u8>> is not Sync: a lock makes a Send value shareable, like Mutex<Cell<u8>>"
    );
}

#[test]
fn many_threads_never_overlap_in_the_critical_section() {
    let (total, most_inside) = within(LIMIT, "the spin lock", || {
        let lock = Arc::new(SpinLock::new(0u64));
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (lock, inside, most) = (lock.clone(), inside.clone(), most.clone());
                thread::spawn(move || {
                    for _ in 0..2_000 {
                        let mut guard = lock.lock();
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        // A plain read-modify-write: only the lock keeps it whole.
                        let v = *guard;
                        *guard = v + 1;
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        let total = *lock.lock();
        (total, most.load(Ordering::SeqCst))
    });
    assert_eq!(most_inside, 1, "two threads were inside the lock at once");
    assert_eq!(total, 8_000);
}

#[test]
fn a_panic_while_holding_the_guard_still_unlocks() {
    let lock = Arc::new(SpinLock::new(5));
    let other = Arc::clone(&lock);
    let result = thread::spawn(move || {
        let _guard = other.lock();
        panic!("holding the spin lock");
    })
    .join();
    assert!(result.is_err());
    assert_eq!(
        lock.try_lock().map(|g| *g),
        Some(5),
        "the guard's drop ran during the unwind"
    );
}
