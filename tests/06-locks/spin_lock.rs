use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::Duration;

use forklings_support::within;
use locks::spin_lock::SpinLock;

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
    assert_eq!(lock.into_inner(), "xy");
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
