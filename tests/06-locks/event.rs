use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use forklings_support::within;
use locks::event::Event;

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
