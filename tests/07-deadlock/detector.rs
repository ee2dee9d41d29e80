use std::cell::Cell;
use std::rc::Rc;
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::Duration;

use deadlock::detector::{DeadlockReport, Registry, TrackedGuard, TrackedMutex, WaitEdge};
use forklings_support::procs::{self, eventually};
use forklings_support::{snapshot_settings, within};
use rstest::rstest;

use crate::auto_traits::{is_send, is_sync};
use crate::blocking::cost_of_waiting;
use crate::burst::StartLine;

const LIMIT: Duration = Duration::from_secs(5);

/// Threads `names[i]` each hold lock `i`, then each waits for lock `i + 1`
/// (the last for lock 0). All but the last are made to wait first, so the
/// last closes the cycle and must be refused. Returns the refused thread's
/// report and whether every other thread then got its lock.
fn ring(names: &'static [&'static str]) -> (DeadlockReport, bool) {
    let n = names.len();
    let registry = Arc::new(Registry::new());
    let locks: Arc<Vec<TrackedMutex<u32>>> = Arc::new(
        (0..n)
            .map(|i| TrackedMutex::new(&registry, &format!("lock {}", (b'A' + i as u8) as char), 0))
            .collect(),
    );
    let all_hold = Arc::new(Barrier::new(n));
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let mut go_rx = Some(go_rx);
    let threads: Vec<_> = (0..n)
        .map(|i| {
            let (locks, all_hold) = (Arc::clone(&locks), Arc::clone(&all_hold));
            let go = if i == n - 1 { go_rx.take() } else { None };
            thread::Builder::new()
                .name(names[i].to_string())
                .spawn(move || {
                    let mine = locks[i].lock().expect("a free lock, no cycle yet");
                    all_hold.wait();
                    if let Some(go) = go {
                        go.recv_timeout(Duration::from_secs(6))
                            .expect("the test says go");
                    }
                    let next = locks[(i + 1) % n].lock().map(|_| ());
                    drop(mine);
                    next
                })
                .expect("a thread starts")
        })
        .collect();
    // Wait until all but the last are blocked, as the registry records it.
    let mut expected: Vec<(String, String)> = (0..n - 1)
        .map(|i| {
            (
                names[i].to_string(),
                format!("lock {}", (b'B' + i as u8) as char),
            )
        })
        .collect();
    expected.sort();
    let blocked = eventually(Duration::from_secs(3), || registry.waiting() == expected);
    let waiting = registry.waiting();
    go_tx.send(()).expect("the last thread listens");
    let mut outcomes: Vec<_> = threads
        .into_iter()
        .map(|t| t.join().expect("a thread panicked"))
        .collect();
    assert!(
        blocked,
        "registry.waiting() is {waiting:?}, expected {expected:?}"
    );
    let last = outcomes.pop().expect("n >= 1");
    let report = last.expect_err("the last thread closes the cycle: lock() must refuse");
    assert_eq!(
        registry.waiting(),
        [],
        "every thread is done: a refused thread waits for nothing, and must not stay listed"
    );
    (report, outcomes.iter().all(Result::is_ok))
}

#[rstest]
#[case::two(&["alice", "bob"])]
#[case::three(&["carol", "alice", "bob"])]
fn the_report_names_the_cycle(#[case] names: &'static [&'static str]) {
    let (report, others_finished) =
        within(Duration::from_secs(9), "a ring of lock waits", move || {
            ring(names)
        });
    assert!(
        others_finished,
        "once the refused thread let go of its lock, everyone else gets theirs"
    );
    assert_eq!(
        report.cycle.len(),
        names.len(),
        "every thread of the ring is in the cycle"
    );
    let first = &report.cycle[0].thread;
    assert_eq!(
        first, "alice",
        "the report starts with the thread whose name sorts first"
    );
    for pair in report.cycle.windows(2) {
        assert_eq!(
            pair[0].waits_for, pair[1].holds,
            "each waits for what the next holds"
        );
    }
    let text = format!("{} was refused:\n{report}", names[names.len() - 1]);
    let name = format!("ring_of_{}", names.len());
    snapshot_settings().bind(|| insta::assert_snapshot!(name, text));
}

#[test]
fn locking_twice_is_a_cycle_of_one() {
    let report = within(LIMIT, "a lock taken twice by one thread", || {
        thread::Builder::new()
            .name("alice".into())
            .spawn(|| {
                let registry = Arc::new(Registry::new());
                let lock = TrackedMutex::new(&registry, "lock A", ());
                let _held = lock.lock().expect("a free lock");
                lock.lock().map(|_| ())
            })
            .expect("a thread starts")
            .join()
            .expect("the thread panicked")
    });
    let report = report.expect_err("alice already holds lock A: waiting for it would never end");
    assert_eq!(
        report.cycle,
        [WaitEdge {
            thread: "alice".into(),
            holds: "lock A".into(),
            waits_for: "lock A".into(),
        }]
    );
    snapshot_settings().bind(|| insta::assert_snapshot!("itself", report.to_string()));
}

#[test]
fn waiting_lists_the_blocked_threads() {
    within(LIMIT, "a thread waiting for a held lock", || {
        let registry = Arc::new(Registry::new());
        let lock = Arc::new(TrackedMutex::new(&registry, "lock A", 0));
        let held = lock.lock().expect("a free lock");
        let bob = {
            let lock = Arc::clone(&lock);
            thread::Builder::new()
                .name("bob".into())
                .spawn(move || lock.lock().map(|mut g| *g += 1))
                .expect("a thread starts")
        };
        let expected = vec![("bob".to_string(), "lock A".to_string())];
        let seen = eventually(LIMIT, || registry.waiting() == expected);
        let waiting = registry.waiting();
        drop(held);
        let bob = bob.join().expect("bob panicked");
        assert!(
            seen,
            "registry.waiting() is {waiting:?}, expected {expected:?}"
        );
        assert!(
            bob.is_ok(),
            "bob waited for a busy thread, not a deadlock: {bob:?}"
        );
        assert_eq!(registry.waiting(), [], "bob has his lock: nobody waits");
        assert_eq!(*lock.lock().expect("a free lock"), 1);
    });
}

#[test]
fn no_false_report_on_a_correct_program() {
    let (refusals, counters) = within(Duration::from_secs(8), "ordered locking", || {
        let registry = Arc::new(Registry::new());
        let locks: Arc<Vec<TrackedMutex<u64>>> = Arc::new(
            (0..4)
                .map(|i| TrackedMutex::new(&registry, &format!("lock {i}"), 0))
                .collect(),
        );
        let threads: Vec<_> = (0..4usize)
            .map(|t| {
                let locks = Arc::clone(&locks);
                thread::Builder::new()
                    .name(format!("worker-{t}"))
                    .spawn(move || {
                        let mut refusals = 0;
                        for i in 0..100usize {
                            // Two or three locks, always in increasing order.
                            let mut picks = vec![(t + i) % 4, (t + 2 * i + 1) % 4, (i + 3) % 4];
                            picks.truncate(2 + i % 2);
                            picks.sort_unstable();
                            picks.dedup();
                            let mut guards = Vec::new();
                            for &p in &picks {
                                match locks[p].lock() {
                                    Ok(g) => guards.push(g),
                                    Err(_) => refusals += 1,
                                }
                            }
                            for g in &mut guards {
                                **g += 1;
                            }
                            thread::yield_now();
                        }
                        refusals
                    })
                    .expect("a thread starts")
            })
            .collect();
        let refusals: u32 = threads
            .into_iter()
            .map(|t| t.join().expect("a worker panicked"))
            .sum();
        let counters: u64 = locks.iter().map(|l| *l.lock().expect("all free")).sum();
        (refusals, counters)
    });
    assert_eq!(
        refusals, 0,
        "locks taken in one global order never deadlock: no report"
    );
    let expected: u64 = (0..4usize)
        .map(|t| {
            (0..100usize)
                .map(|i| {
                    let mut picks = vec![(t + i) % 4, (t + 2 * i + 1) % 4, (i + 3) % 4];
                    picks.truncate(2 + i % 2);
                    picks.sort_unstable();
                    picks.dedup();
                    picks.len() as u64
                })
                .sum::<u64>()
        })
        .sum();
    assert_eq!(
        counters, expected,
        "every increment happened under its lock"
    );
}

#[test]
fn two_threads_closing_a_cycle_at_once_are_not_both_put_to_sleep() {
    // Each holds its lock and asks for the other's at the same instant. The
    // check for a cycle and the record "I wait" must be one step under the
    // registry's lock: done apart, both check first, both see no cycle, and
    // both sleep for ever.
    const ROUNDS: usize = 300;
    let refusals = within(Duration::from_secs(30), "cycles closed in bursts", || {
        let registry = Arc::new(Registry::new());
        let locks: Arc<Vec<TrackedMutex<u32>>> = Arc::new(
            ["lock A", "lock B"]
                .iter()
                .map(|name| TrackedMutex::new(&registry, name, 0))
                .collect(),
        );
        let start = Arc::new(StartLine::new(2));
        let done = Arc::new(Barrier::new(2));
        let threads: Vec<_> = (0..2usize)
            .map(|i| {
                let (locks, start, done) = (locks.clone(), start.clone(), done.clone());
                thread::spawn(move || {
                    let mut refused = 0;
                    for round in 1..=ROUNDS {
                        let mine = locks[i].lock().expect("my own lock is free");
                        start.wait(round);
                        match locks[1 - i].lock() {
                            Ok(other) => drop(other),
                            Err(_) => refused += 1,
                        }
                        drop(mine);
                        done.wait();
                    }
                    refused
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("a thread panicked"))
            .sum::<usize>()
    });
    assert!(
        refusals >= ROUNDS,
        "in every round at least one of the two is refused; {refusals} refusals in {ROUNDS} rounds"
    );
}

#[test]
fn a_release_wakes_the_waiter_of_that_lock() {
    // bob waits for lock B, then carol for lock A; the test lets go of A
    // and keeps B. A release that wakes one waiter wakes bob (he has waited
    // longest): he finds B still held and sleeps again, and carol sleeps on
    // with A free. The waiter of the freed lock must get it: wake them all,
    // or the waiters of that lock.
    within(LIMIT, "two waiters, two releases", || {
        let registry = Arc::new(Registry::new());
        let a = Arc::new(TrackedMutex::new(&registry, "lock A", 0));
        let b = Arc::new(TrackedMutex::new(&registry, "lock B", 0));
        let held_a = a.lock().expect("free");
        let held_b = b.lock().expect("free");
        let (tid_tx, tid_rx) = mpsc::channel();
        let (done_tx, done_rx) = mpsc::channel();
        let spawn = |name: &'static str, lock: &Arc<TrackedMutex<i32>>| {
            let (lock, tid_tx, done_tx) = (Arc::clone(lock), tid_tx.clone(), done_tx.clone());
            thread::Builder::new()
                .name(name.into())
                .spawn(move || {
                    let _ = tid_tx.send(procs::tid());
                    let got = lock.lock().map(|mut g| *g += 1).is_ok();
                    let _ = done_tx.send((name, got));
                })
                .expect("a thread starts")
        };
        // Each asleep in `lock` before the next step: a waiter that comes
        // late finds its lock free without being woken.
        let asleep = |tid: i32, waiters: usize| {
            eventually(LIMIT, || {
                registry.waiting().len() == waiters && procs::state(tid) == Some('S')
            })
        };
        let bob = spawn("bob", &b);
        assert!(
            asleep(tid_rx.recv().expect("bob starts"), 1),
            "bob never waited"
        );
        let carol = spawn("carol", &a);
        assert!(
            asleep(tid_rx.recv().expect("carol starts"), 2),
            "carol never waited"
        );
        drop(held_a);
        let first = done_rx.recv_timeout(Duration::from_secs(5)).expect(
            "carol slept on after lock A, which she waits for, came free: a release must \
             wake the waiter of that lock (wake every waiter)",
        );
        assert_eq!(
            first,
            ("carol", true),
            "carol gets lock A, and only she can"
        );
        drop(held_b);
        let second = done_rx
            .recv_timeout(Duration::from_secs(5))
            .expect("bob slept on after lock B came free: wake every waiter");
        assert_eq!(second, ("bob", true), "bob gets lock B");
        bob.join().expect("bob");
        carol.join().expect("carol");
    });
}

#[test]
fn a_blocked_lock_sleeps() {
    let registry = Arc::new(Registry::new());
    let lock = Arc::new(TrackedMutex::new(&registry, "lock A", 0));
    let (held_tx, held_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let holder = {
        let lock = Arc::clone(&lock);
        thread::spawn(move || {
            let _held = lock.lock().expect("free");
            held_tx.send(()).expect("the test listens");
            let _ = release_rx.recv_timeout(Duration::from_secs(20));
        })
    };
    held_rx
        .recv_timeout(LIMIT)
        .expect("the holder took the lock");
    let waiting = Arc::clone(&lock);
    let (cost, got) = cost_of_waiting(
        move || waiting.lock().is_ok(),
        || release_tx.send(()).expect("the holder listens"),
    )
    .expect("lock() did not return once the lock was released");
    holder.join().expect("the holder ends");
    assert!(got);
    cost.assert_slept("TrackedMutex::lock");
}

#[test]
fn the_guard_is_shared_only_when_the_value_is_sync() {
    let value = within(LIMIT, "a TrackedMutex around a Cell", || {
        let registry = Arc::new(Registry::new());
        let lock = TrackedMutex::new(&registry, "cell", Cell::new(1u8));
        lock.lock().expect("free").set(2);
        lock.lock().expect("free again").get()
    });
    assert_eq!(value, 2);
    assert!(
        !is_sync!(TrackedGuard<'static, Cell<u8>>),
        "TrackedGuard<Cell<u8>> is Sync: two threads sharing one guard could both write the Cell"
    );
    assert!(
        !is_send!(TrackedGuard<'static, Rc<u8>>),
        "TrackedGuard<Rc<u8>> is Send: the Rc could be cloned on another thread"
    );
    assert!(
        !is_sync!(TrackedMutex<Rc<u8>>) && !is_send!(TrackedMutex<Rc<u8>>),
        "TrackedMutex<Rc<u8>> is Send or Sync: two threads could clone the Rc"
    );
}
