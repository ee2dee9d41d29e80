use std::cell::RefCell;
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::rc::Rc;
use std::task::Context;
use std::thread;
use std::time::{Duration, Instant};

use coroutines::executor::{Executor, join_all, yield_now};
use coroutines::timers::{sleep, sleep_until};
use forklings_support::within;

use crate::alone::alone;
use crate::cpu;
use crate::wakers::counter;

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
        // Long enough that six polls come before the deadline even on a
        // busy machine.
        let mut nap = pin!(sleep(Duration::from_secs(1)));
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

/// A deadline earlier than every other must wake the timer thread, which
/// was sleeping towards the later one.
#[test]
// Dropping the handle is the point, whatever the handle holds.
#[allow(clippy::drop_non_drop)]
fn an_earlier_deadline_added_later_is_not_missed() {
    let elapsed = within(LIMIT, "a short sleep after a long one", || {
        let executor = Executor::new();
        // The timer thread is running, and has served a first sleep.
        executor.block_on(sleep(Duration::from_millis(1)));
        // Registered first: the timer thread sleeps towards it.
        drop(executor.spawn(sleep(Duration::from_secs(5))));
        executor.block_on(async {
            // The long sleep is polled, and registered, during this yield;
            // then the timer thread has a while to settle on it.
            yield_now().await;
            thread::sleep(Duration::from_millis(200));
            let start = Instant::now();
            sleep(Duration::from_millis(50)).await;
            start.elapsed()
        })
    });
    assert!(
        elapsed < Duration::from_secs(2),
        "a 50 ms sleep, registered after a 5 s one, took {elapsed:?}: \
         a new earliest deadline must wake the timer thread"
    );
}

/// Polled again before its deadline, a sleep keeps one entry and swaps in
/// the latest waker: it wakes once, and wakes the waker of its last poll.
#[test]
fn a_sleep_polled_again_wakes_once_with_its_latest_waker() {
    let (first, latest) = within(LIMIT, "a sleep polled six times", || {
        // Long enough that six polls come before the deadline even on a
        // busy machine.
        let mut nap = pin!(sleep(Duration::from_secs(1)));
        let (first, first_waker) = counter();
        let (latest, latest_waker) = counter();
        for waker in [
            &first_waker,
            &first_waker,
            &first_waker,
            &latest_waker,
            &latest_waker,
            &latest_waker,
        ] {
            let polled = nap.as_mut().poll(&mut Context::from_waker(waker));
            assert!(polled.is_pending(), "the sleep ended before its second");
        }
        latest.wait_for(1, Duration::from_secs(5));
        // Leave room for any wake still to come.
        thread::sleep(Duration::from_millis(300));
        (first.wakes(), latest.wakes())
    });
    assert_eq!(
        (first, latest),
        (0, 1),
        "(wakes of the first waker, wakes of the latest): one entry per sleep, and its waker kept up to date"
    );
}

/// Sleeping tasks cost no thread: one timer thread serves them all.
#[test]
fn sleepers_share_one_timer_thread() {
    let (before, during) = within(LIMIT, "400 tasks sleeping 300 ms", || {
        let executor = Executor::new();
        let before = cpu::threads();
        let sleepers: Vec<_> = (0..400)
            .map(|_| executor.spawn(sleep(Duration::from_millis(300))))
            .collect();
        // Runs after every sleeper was polled once, and has registered.
        let during = executor.block_on(executor.spawn(async {
            yield_now().await;
            cpu::threads()
        }));
        executor.block_on(join_all(sleepers));
        (before, during.expect("no panic"))
    });
    assert!(
        during < before + 100,
        "{before} threads before, {during} while 400 tasks slept: one timer thread for all, not a thread per sleep"
    );
}

/// In a process of its own, where every thread is known: while the only
/// task sleeps, no thread of the process uses the CPU.
#[test]
fn nothing_spins_while_a_task_sleeps() {
    alone("timers::nothing_spins_while_a_task_sleeps", || {
        let used = within(LIMIT, "a 1 s sleep", || {
            let executor = Executor::new();
            // The first sleep starts the timer thread.
            executor.block_on(sleep(Duration::from_millis(10)));
            let start = cpu::this_process();
            executor.block_on(sleep(Duration::from_secs(1)));
            cpu::this_process() - start
        });
        assert!(
            !used.spun_during(Duration::from_secs(1)),
            "while its only task slept 1 s, the process used {:?} of CPU time and was pushed \
             off the CPU {} times: the timer thread must sleep until the earliest deadline, \
             not check over and over",
            used.cpu,
            used.preempted
        );
    });
}
