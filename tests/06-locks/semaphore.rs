use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use forklings_support::sched::{be_slow_to_wake, go_first, pin_to_one_cpu};
use forklings_support::{procs, within};
use locks::semaphore::{BoundedSemaphore, Semaphore, TooManyReleases};

use crate::blocking::cost_of_waiting;
use crate::burst::StartLine;

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

#[test]
fn a_waiting_acquire_sleeps_until_a_release() {
    let sem = Arc::new(Semaphore::new(0));
    let other = Arc::clone(&sem);
    let (cost, ()) = cost_of_waiting(move || other.acquire(), || sem.release())
        .expect("acquire never returned after the release");
    cost.assert_slept("Semaphore::acquire");
}

#[test]
fn a_timed_acquire_sleeps_until_a_release() {
    // A limit far longer than the test: an acquire_timeout that sleeps its
    // limit out instead of being woken by the release fails here.
    let sem = Arc::new(BoundedSemaphore::new(1));
    sem.acquire();
    let other = Arc::clone(&sem);
    let (cost, got) = cost_of_waiting(
        move || other.acquire_timeout(Duration::from_secs(600)),
        || sem.release().expect("one acquire, one release"),
    )
    .expect("acquire_timeout(600 s) was not woken by the release");
    assert!(got, "a permit came back: acquire_timeout gets it");
    cost.assert_slept("BoundedSemaphore::acquire_timeout");
}

/// How many waiters [`releases_back_to_back_wake_as_many_waiters`] puts to
/// sleep, and how many releases it then makes in a row.
const HUNGRY: usize = 8;

#[test]
fn releases_back_to_back_wake_as_many_waiters() {
    within(LIMIT, "sleeping waiters", || {
        let sem = Arc::new(Semaphore::new(0));
        let (tid_tx, tid_rx) = mpsc::channel();
        let (got_tx, got_rx) = mpsc::channel();
        let waiters: Vec<_> = (0..HUNGRY)
            .map(|_| {
                let (sem, tid_tx, got_tx) = (sem.clone(), tid_tx.clone(), got_tx.clone());
                thread::spawn(move || {
                    // On the releasing thread's CPU, behind it: a woken
                    // waiter runs only once every release is made.
                    be_slow_to_wake();
                    let _ = tid_tx.send(procs::tid());
                    sem.acquire();
                    let _ = got_tx.send(());
                })
            })
            .collect();
        let tids: Vec<i32> = (0..HUNGRY)
            .map(|_| tid_rx.recv().expect("a waiter starts"))
            .collect();
        // Every waiter asleep in `acquire` (a waiter that never sleeps is
        // another test's business).
        procs::eventually(Duration::from_secs(2), || {
            tids.iter().all(|&t| procs::state(t) == Some('S'))
        });
        go_first();
        for _ in 0..HUNGRY {
            sem.release();
        }
        for got in 0..HUNGRY {
            got_rx
                .recv_timeout(Duration::from_secs(5))
                .unwrap_or_else(|_| {
                    panic!(
                        "{HUNGRY} releases in a row to {HUNGRY} sleeping waiters, but only {got} \
                     woke: each release wakes a waiter, whatever the count was"
                    )
                });
        }
        waiters.into_iter().for_each(|w| w.join().unwrap());
        assert_eq!(sem.available(), 0);
    });
}

#[test]
fn a_timed_acquire_keeps_one_deadline_however_often_it_wakes() {
    // Every 100 ms a permit comes back, and the thread that gave it back
    // takes it again at once, nearly always before the timed waiter it woke
    // has run. The waiter must count its 300 ms from its start, not from its
    // latest wakeup. A run in which the waiter did win a permit shows
    // nothing: it is tried again.
    for _ in 0..5 {
        let (took, got) = within(LIMIT, "acquire_timeout among snatched permits", || {
            let sem = Arc::new(Semaphore::new(0));
            let stop = Arc::new(AtomicBool::new(false));
            let snatcher = {
                let (sem, stop) = (sem.clone(), stop.clone());
                thread::spawn(move || {
                    pin_to_one_cpu();
                    let start = Instant::now();
                    while !stop.load(Ordering::SeqCst) && start.elapsed() < Duration::from_secs(3) {
                        thread::sleep(Duration::from_millis(100));
                        sem.release();
                        sem.try_acquire();
                    }
                })
            };
            // The waiter yields the CPU to the thread that woke it, so that
            // thread takes the permit back first. (`within` runs this on a
            // thread of its own.)
            be_slow_to_wake();
            let start = Instant::now();
            let got = sem.acquire_timeout(Duration::from_millis(300));
            let took = start.elapsed();
            stop.store(true, Ordering::SeqCst);
            snatcher.join().unwrap();
            (took, got)
        });
        if got {
            continue;
        }
        assert!(
            took < Duration::from_secs(2),
            "acquire_timeout(300 ms) returned after {took:?}, woken every 100 ms: keep one deadline \
             and wait only for what is left of it"
        );
        return;
    }
}

#[test]
fn releases_at_once_never_pass_the_bound() {
    // Two releases racing for the one free place: exactly one may win.
    const ROUNDS: usize = 1_000;
    let (too_many, refused) = within(
        Duration::from_secs(30),
        "BoundedSemaphore releases in a burst",
        || {
            let sem = Arc::new(BoundedSemaphore::new(2));
            sem.acquire();
            let start = Arc::new(StartLine::new(2));
            let done = Arc::new(Barrier::new(2));
            let too_many = Arc::new(AtomicUsize::new(0));
            let racers: Vec<_> = (0..2)
                .map(|_| {
                    let (sem, start, done, too_many) =
                        (sem.clone(), start.clone(), done.clone(), too_many.clone());
                    thread::spawn(move || {
                        let mut refused = 0;
                        for round in 1..=ROUNDS {
                            start.wait(round);
                            refused += usize::from(sem.release().is_err());
                            if done.wait().is_leader() {
                                // Back to one free place for the next round.
                                if sem.available() > 2 {
                                    too_many.fetch_add(1, Ordering::SeqCst);
                                }
                                while sem.available() > 1 {
                                    sem.acquire();
                                }
                            }
                            done.wait();
                        }
                        refused
                    })
                })
                .collect();
            let refused: usize = racers.into_iter().map(|r| r.join().unwrap()).sum();
            (too_many.load(Ordering::SeqCst), refused)
        },
    );
    assert_eq!(
        too_many, 0,
        "two releases at once both passed the bound: check and add under one lock"
    );
    assert_eq!(refused, ROUNDS, "one release of each pair is refused");
}
