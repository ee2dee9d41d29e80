use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use forklings_support::within;
use locks::semaphore::{BoundedSemaphore, Semaphore, TooManyReleases};

const LIMIT: Duration = Duration::from_secs(20);
/// Rounds per thread in the contention tests: enough for a broken semaphore
/// to be caught (each round yields inside), few enough to stay quick when
/// every core is busy and each yield costs a time slice.
const ROUNDS: usize = 300;

#[test]
fn n_permits_let_n_threads_in_at_once_and_no_more() {
    let most = within(LIMIT, "Semaphore", || {
        let sem = Arc::new(Semaphore::new(3));
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        // The first round: three threads must all be inside together, or
        // this barrier never opens.
        let together = Arc::new(Barrier::new(3));
        let threads: Vec<_> = (0..6)
            .map(|i| {
                let (sem, inside, most, together) =
                    (sem.clone(), inside.clone(), most.clone(), together.clone());
                thread::spawn(move || {
                    sem.acquire();
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    if i < 3 {
                        together.wait();
                    }
                    thread::sleep(Duration::from_millis(5));
                    inside.fetch_sub(1, Ordering::SeqCst);
                    sem.release();
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        assert_eq!(sem.available(), 3, "every permit came back");
        most.load(Ordering::SeqCst)
    });
    assert_eq!(most, 3);
}

#[test]
fn with_no_permit_left_acquire_waits_for_a_release() {
    within(LIMIT, "Semaphore", || {
        let sem = Arc::new(Semaphore::new(1));
        sem.acquire();
        assert_eq!(sem.available(), 0);
        assert!(!sem.try_acquire(), "no permit is left");
        let (tx, rx) = mpsc::channel();
        let other = Arc::clone(&sem);
        let waiter = thread::spawn(move || {
            other.acquire();
            tx.send(()).unwrap();
        });
        assert!(
            rx.recv_timeout(Duration::from_millis(150)).is_err(),
            "acquired with no permit"
        );
        sem.release();
        rx.recv_timeout(Duration::from_secs(10))
            .expect("the release was not passed on");
        waiter.join().unwrap();
    });
}

#[test]
fn acquire_timeout_gives_up_no_earlier_than_asked() {
    within(LIMIT, "Semaphore::acquire_timeout", || {
        let sem = Semaphore::new(0);
        let start = Instant::now();
        assert!(!sem.acquire_timeout(Duration::from_millis(100)));
        assert!(
            start.elapsed() >= Duration::from_millis(100),
            "gave up early"
        );
        sem.release();
        assert!(sem.acquire_timeout(Duration::from_millis(100)));
    });
}

#[test]
fn a_plain_semaphore_accepts_extra_releases() {
    let sem = Semaphore::new(1);
    sem.release();
    assert_eq!(sem.available(), 2);
}

#[test]
fn a_bounded_semaphore_refuses_an_extra_release() {
    within(LIMIT, "BoundedSemaphore", || {
        let sem = BoundedSemaphore::new(2);
        assert_eq!(sem.release(), Err(TooManyReleases));
        assert_eq!(sem.available(), 2, "a refused release adds nothing");
        assert!(sem.try_acquire());
        sem.acquire();
        assert!(!sem.acquire_timeout(Duration::from_millis(20)));
        assert_eq!(sem.release(), Ok(()));
        assert_eq!(sem.release(), Ok(()));
        assert_eq!(sem.release(), Err(TooManyReleases));
        assert_eq!(sem.available(), 2);
    });
}

#[test]
fn under_contention_two_permits_never_let_in_a_third() {
    let most = within(LIMIT, "Semaphore under contention", || {
        let sem = Arc::new(Semaphore::new(2));
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (sem, inside, most) = (sem.clone(), inside.clone(), most.clone());
                thread::spawn(move || {
                    for _ in 0..ROUNDS {
                        sem.acquire();
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        thread::yield_now();
                        inside.fetch_sub(1, Ordering::SeqCst);
                        sem.release();
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        assert_eq!(sem.available(), 2, "every permit came back");
        most.load(Ordering::SeqCst)
    });
    assert!(most <= 2, "{most} threads were inside with 2 permits");
}

#[test]
fn a_bounded_semaphore_of_one_is_a_lock() {
    let total = within(LIMIT, "BoundedSemaphore under contention", || {
        let sem = Arc::new(BoundedSemaphore::new(1));
        let total = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (sem, total) = (sem.clone(), total.clone());
                thread::spawn(move || {
                    for _ in 0..ROUNDS {
                        sem.acquire();
                        // A load and a store: only the permit keeps them together.
                        let seen = total.load(Ordering::SeqCst);
                        thread::yield_now();
                        total.store(seen + 1, Ordering::SeqCst);
                        sem.release().expect("one release per acquire");
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        assert_eq!(sem.available(), 1);
        total.load(Ordering::SeqCst)
    });
    assert_eq!(
        total,
        4 * ROUNDS,
        "an update made holding the permit was lost"
    );
}
