use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use forklings_support::sched::{be_slow_to_wake, go_first};
use forklings_support::{procs, within};
use locks::event::Event;

use crate::blocking::cost_of_waiting;

const LIMIT: Duration = Duration::from_secs(20);

#[test]
fn set_wakes_every_waiter() {
    within(LIMIT, "Event", || {
        let event = Arc::new(Event::new());
        let (tx, rx) = mpsc::channel();
        let waiters: Vec<_> = (0..5)
            .map(|i| {
                let (event, tx) = (event.clone(), tx.clone());
                thread::spawn(move || {
                    event.wait();
                    tx.send(i).unwrap();
                })
            })
            .collect();
        assert!(
            rx.recv_timeout(Duration::from_millis(150)).is_err(),
            "a wait returned before set"
        );
        event.set();
        let mut woke: Vec<i32> = (0..5)
            .map(|_| {
                rx.recv_timeout(Duration::from_secs(10))
                    .expect("a waiter slept on")
            })
            .collect();
        woke.sort_unstable();
        assert_eq!(woke, vec![0, 1, 2, 3, 4]);
        waiters.into_iter().for_each(|w| w.join().unwrap());
    });
}

#[test]
fn a_set_event_lets_waits_through_until_cleared() {
    within(LIMIT, "Event", || {
        let event = Event::new();
        assert!(!event.is_set());
        event.set();
        assert!(event.is_set());
        event.wait();
        assert!(event.wait_timeout(Duration::from_millis(10)));
        event.clear();
        assert!(!event.is_set());
        let start = Instant::now();
        assert!(
            !event.wait_timeout(Duration::from_millis(100)),
            "cleared: the wait times out"
        );
        assert!(
            start.elapsed() >= Duration::from_millis(100),
            "gave up early"
        );
    });
}

#[test]
fn wait_timeout_sees_a_set_from_another_thread() {
    // The wait's own limit is far longer than the test's: a wait_timeout
    // that sleeps it out instead of being woken by `set` fails here.
    within(LIMIT, "Event::wait_timeout, woken by a set", || {
        let event = Arc::new(Event::new());
        let other = Arc::clone(&event);
        let setter = thread::spawn(move || {
            thread::sleep(Duration::from_millis(50));
            other.set();
        });
        assert!(event.wait_timeout(Duration::from_secs(600)));
        setter.join().unwrap();
    });
}

/// Rounds of set-then-clear. Where real time is refused, a waiter may still
/// run between the set and the clear (about one round in two on a busy
/// machine), and then even a wait that looks only at the flag gets out; in
/// some round it does not.
const SET_CLEAR_ROUNDS: usize = 12;

#[test]
fn a_set_frees_the_waiters_even_if_a_clear_follows_at_once() {
    within(LIMIT, "Event: set, then clear at once", || {
        for _ in 0..SET_CLEAR_ROUNDS {
            let woke = set_then_clear_at_once();
            assert_eq!(
                woke, 5,
                "a set frees every thread waiting at that moment, even if a clear follows \
                 before it runs: wait for a set, not only for the flag"
            );
        }
    });
}

/// Five threads wait on a new event; one set, then a clear at once. How
/// many of the five came out of `wait`.
fn set_then_clear_at_once() -> usize {
    let event = Arc::new(Event::new());
    let (tx, rx) = mpsc::channel();
    let (tids_tx, tids_rx) = mpsc::channel();
    let waiters: Vec<_> = (0..5)
        .map(|i| {
            let (event, tx, tids) = (event.clone(), tx.clone(), tids_tx.clone());
            thread::spawn(move || {
                // Woken by the set, a waiter should not run before the
                // clear: the setter and the waiters share one CPU, and
                // there the waiters go last.
                be_slow_to_wake();
                tids.send(procs::tid()).unwrap();
                event.wait();
                tx.send(i).unwrap();
            })
        })
        .collect();
    // Every waiter asleep in `wait` (state S) before the set: a set
    // before the wait began, undone by the clear, frees nobody.
    let tids: Vec<i32> = (0..5).map(|_| tids_rx.recv().unwrap()).collect();
    let asleep = procs::eventually(Duration::from_secs(10), || {
        tids.iter().all(|&t| procs::state(t) == Some('S'))
    });
    assert!(asleep, "the waiters never went to sleep in wait()");
    let setter = Arc::clone(&event);
    thread::spawn(move || {
        go_first();
        setter.set();
        setter.clear();
    })
    .join()
    .unwrap();
    let woke = (0..5)
        .take_while(|_| rx.recv_timeout(Duration::from_secs(5)).is_ok())
        .count();
    // A set that stays lets out any waiter still inside.
    event.set();
    waiters.into_iter().for_each(|w| w.join().unwrap());
    woke
}

#[test]
fn a_waiting_thread_sleeps() {
    let event = Arc::new(Event::new());
    let other = Arc::clone(&event);
    let (cost, ()) = cost_of_waiting(move || other.wait(), || event.set())
        .expect("wait() never returned after the set");
    cost.assert_slept("Event::wait");
}

#[test]
fn a_timed_wait_sleeps_too() {
    let event = Arc::new(Event::new());
    let other = Arc::clone(&event);
    let (cost, set) = cost_of_waiting(
        move || other.wait_timeout(Duration::from_secs(600)),
        || event.set(),
    )
    .expect("wait_timeout(600 s) was not woken by the set");
    assert!(set, "the event was set");
    cost.assert_slept("Event::wait_timeout");
}
