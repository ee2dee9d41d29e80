use std::cell::RefCell;
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::rc::Rc;
use std::thread;
use std::time::{Duration, Instant};

use coroutines::executor::{Executor, join_all};
use coroutines::timers::{sleep, sleep_until};
use forklings_support::within;

const LIMIT: Duration = Duration::from_secs(20);

#[test]
fn sleep_does_not_end_early() {
    let elapsed = within(LIMIT, "sleep(30 ms)", || {
        let start = Instant::now();
        Executor::new().block_on(sleep(Duration::from_millis(30)));
        start.elapsed()
    });
    assert!(
        elapsed >= Duration::from_millis(30),
        "woke after {elapsed:?}"
    );
}

#[test]
fn a_sleep_is_polled_twice_not_spun() {
    let polls = within(LIMIT, "counting the polls of a sleep", || {
        let mut polls = 0;
        // Long enough that the first poll comes before the deadline even
        // on a busy machine.
        let mut nap = pin!(sleep(Duration::from_millis(200)));
        Executor::new().block_on(poll_fn(|cx| {
            polls += 1;
            nap.as_mut().poll(cx)
        }));
        polls
    });
    assert_eq!(
        polls, 2,
        "once to start the timer, once after it woke the task"
    );
}

#[test]
fn sleepers_wake_in_deadline_order() {
    let order = within(LIMIT, "three sleepers", || {
        let executor = Executor::new();
        let log = Rc::new(RefCell::new(Vec::new()));
        // Deadlines from one instant: a busy machine may poll the three
        // tasks far apart, and that must not reorder them. 50 ms apart, so
        // that only a stall of 150 ms before the first poll could.
        let start = Instant::now();
        let handles = [150u64, 50, 100]
            .into_iter()
            .map(|ms| {
                let log = Rc::clone(&log);
                executor.spawn(async move {
                    sleep_until(start + Duration::from_millis(ms)).await;
                    log.borrow_mut().push(ms);
                })
            })
            .collect();
        executor.block_on(join_all(handles));
        log.borrow().clone()
    });
    assert_eq!(order, [50, 100, 150]);
}

#[test]
fn ten_thousand_sleepers_share_one_thread() {
    let (elapsed, all_here, finished) = within(LIMIT, "10 000 tasks sleeping 10 ms", || {
        let executor = Executor::new();
        let caller = thread::current().id();
        let start = Instant::now();
        let handles = (0..10_000)
            .map(|_| {
                executor.spawn(async move {
                    sleep(Duration::from_millis(10)).await;
                    thread::current().id() == caller
                })
            })
            .collect();
        let results = executor.block_on(join_all(handles));
        let elapsed = start.elapsed();
        let finished = results.len();
        let all_here = results.into_iter().all(|r| r == Ok(true));
        (elapsed, all_here, finished)
    });
    assert_eq!(finished, 10_000);
    assert!(
        all_here,
        "every task ran on the thread that called block_on"
    );
    assert!(
        elapsed >= Duration::from_millis(10),
        "done after {elapsed:?}: nobody slept"
    );
    // One after the other they would take 10 000 x 10 ms = 100 s. Sleeping
    // at the same time, the sleeps overlap; 5 s leaves room for a slow,
    // busy machine and is still twenty times less than 100 s.
    assert!(
        elapsed < Duration::from_secs(5),
        "took {elapsed:?}: the sleeps did not overlap"
    );
}
