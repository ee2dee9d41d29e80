use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use forklings_support::within;
use queues::joinable_queue::{Empty, JoinableQueue, TooManyTaskDone};

use crate::sleepers;

const LIMIT: Duration = Duration::from_secs(5);
const SHORT: Duration = Duration::from_millis(50);

#[test]
fn join_on_a_fresh_queue_returns_at_once() {
    within(LIMIT, "join on a queue that never had an item", || {
        JoinableQueue::<u8>::new().join()
    });
}

#[test]
fn join_waits_for_task_done_not_for_get() {
    let q = Arc::new(JoinableQueue::new());
    within(LIMIT, "put and get", {
        let q = Arc::clone(&q);
        move || {
            q.put("task");
            q.get()
        }
    });
    // The item is taken but not done: the queue is empty, yet join waits.
    let (joined_tx, joined_rx) = mpsc::channel();
    let joiner = {
        let q = Arc::clone(&q);
        thread::spawn(move || {
            q.join();
            let _ = joined_tx.send(());
        })
    };
    assert_eq!(
        joined_rx.recv_timeout(SHORT),
        Err(mpsc::RecvTimeoutError::Timeout),
        "join returned while a task taken with get was not done"
    );
    assert_eq!(q.unfinished(), 1);
    q.task_done().expect("one task was taken");
    assert!(
        joined_rx.recv_timeout(LIMIT).is_ok(),
        "join never returned after the last task_done"
    );
    joiner.join().expect("the joiner");
}

#[test]
fn task_done_more_times_than_items_is_an_error() {
    let results = within(LIMIT, "task_done", || {
        let q = JoinableQueue::new();
        q.put(1);
        q.put(2);
        q.get();
        q.get();
        [q.task_done(), q.task_done(), q.task_done()]
    });
    assert_eq!(results, [Ok(()), Ok(()), Err(TooManyTaskDone)]);
}

#[test]
fn task_done_on_a_fresh_queue_is_an_error() {
    let result = within(LIMIT, "task_done", || {
        JoinableQueue::<u8>::new().task_done()
    });
    assert_eq!(result, Err(TooManyTaskDone));
}

#[test]
fn join_timeout_says_false_and_not_early() {
    let (joined, waited) = within(LIMIT, "join_timeout", || {
        let q = JoinableQueue::new();
        q.put(1);
        let start = Instant::now();
        (q.join_timeout(SHORT), start.elapsed())
    });
    assert!(!joined, "one task was never done");
    assert!(
        waited >= SHORT,
        "join_timeout gave up after {waited:?}, before {SHORT:?}"
    );
}

#[test]
fn join_timeout_says_true_once_every_task_is_done() {
    let q = Arc::new(JoinableQueue::new());
    q.put(7u8);
    let worker = {
        let q = Arc::clone(&q);
        thread::spawn(move || {
            let item = q.get();
            thread::sleep(Duration::from_millis(20));
            q.task_done().map(|()| item)
        })
    };
    // A timeout far beyond LIMIT: a join_timeout that sleeps out its
    // timeout before looking fails here.
    let (fresh, joined) = within(
        LIMIT,
        "join_timeout (does it wake at the last task_done?)",
        {
            let q = Arc::clone(&q);
            move || {
                let fresh = JoinableQueue::<u8>::new().join_timeout(Duration::from_secs(600));
                (fresh, q.join_timeout(Duration::from_secs(600)))
            }
        },
    );
    assert_eq!(worker.join().expect("the worker"), Ok(7));
    assert!(
        fresh,
        "nothing was ever put: join_timeout says true at once"
    );
    assert!(joined, "the only task was done within the timeout");
}

#[test]
fn get_timeout_gets_an_item_that_arrives_in_time() {
    let q = Arc::new(JoinableQueue::new());
    let putter = {
        let q = Arc::clone(&q);
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(20));
            q.put("late");
        })
    };
    let got = within(LIMIT, "get_timeout (does it wake when the item comes?)", {
        let q = Arc::clone(&q);
        move || q.get_timeout(Duration::from_secs(600))
    });
    putter.join().expect("the putter");
    assert_eq!(got, Ok("late"));
    assert_eq!(q.unfinished(), 1, "taken, not yet done");
}

#[test]
fn get_timeout_on_an_empty_queue_is_empty_and_not_early() {
    let (got, waited) = within(LIMIT, "get_timeout", || {
        let q = JoinableQueue::<u8>::new();
        let start = Instant::now();
        (q.get_timeout(SHORT), start.elapsed())
    });
    assert_eq!(got, Err(Empty));
    assert!(
        waited >= SHORT,
        "get_timeout gave up after {waited:?}, before {SHORT:?}"
    );
}

#[test]
fn workers_finish_everything_before_join_returns() {
    // Python's pattern: daemon workers loop on get/task_done, the main
    // thread puts the work and joins. When join returns, every task's work
    // is already done.
    let finished = within(LIMIT, "three workers and join", || {
        let q = Arc::new(JoinableQueue::new());
        let done = Arc::new(AtomicUsize::new(0));
        for _ in 0..3 {
            let (q, done) = (Arc::clone(&q), Arc::clone(&done));
            thread::spawn(move || {
                loop {
                    let n: u64 = q.get();
                    thread::sleep(Duration::from_micros(n % 300));
                    done.fetch_add(1, Ordering::SeqCst);
                    q.task_done().expect("one per get");
                }
            });
        }
        for n in 0..100 {
            q.put(n);
        }
        q.join();
        done.load(Ordering::SeqCst)
    });
    assert_eq!(finished, 100, "join returned before every task was done");
}

#[test]
fn several_joiners_all_wake() {
    // Three joiners asleep in join: the last task_done must wake every one
    // of them, not just one.
    let q = Arc::new(JoinableQueue::new());
    q.put(());
    let (tid_tx, tid_rx) = mpsc::channel();
    let joiners: Vec<_> = (0..3)
        .map(|_| {
            let (q, tid_tx) = (Arc::clone(&q), tid_tx.clone());
            let (tx, rx) = mpsc::channel();
            thread::spawn(move || {
                let _ = tid_tx.send(sleepers::tid());
                q.join();
                let _ = tx.send(());
            });
            rx
        })
        .collect();
    for tid in tid_rx.iter().take(3) {
        sleepers::wait_until_asleep(tid, Duration::from_secs(2));
    }
    within(LIMIT, "get and task_done", {
        let q = Arc::clone(&q);
        move || {
            q.get();
            q.task_done()
        }
    })
    .expect("one task was taken");
    for rx in joiners {
        assert!(
            rx.recv_timeout(LIMIT).is_ok(),
            "a joiner was never woken: every joiner waits for the same event (notify_all)"
        );
    }
}

#[test]
fn a_blocked_get_sleeps_until_an_item_comes() {
    let q = Arc::new(JoinableQueue::new());
    let got = sleepers::assert_blocks_quietly(
        "get on an empty queue",
        LIMIT,
        {
            let q = Arc::clone(&q);
            move || q.get()
        },
        || q.put(3u8),
    );
    assert_eq!(got, 3);
}

#[test]
fn a_blocked_join_sleeps_until_the_last_task_done() {
    let q = Arc::new(JoinableQueue::new());
    q.put(1u8);
    assert_eq!(q.get(), 1);
    sleepers::assert_blocks_quietly(
        "join with a task not done",
        LIMIT,
        {
            let q = Arc::clone(&q);
            move || q.join()
        },
        || q.task_done().expect("one task was taken"),
    );
}

#[test]
fn wake_ups_for_nothing_neither_end_nor_extend_join_timeout() {
    // While join_timeout waits, the count drops to 0 and rises again before
    // it can look, again and again. It must wait its whole timeout, and not
    // much longer.
    let q = Arc::new(JoinableQueue::new());
    q.put(0u32);
    assert_eq!(q.get(), 0);
    let timeout = Duration::from_millis(300);
    let mut next = 1;
    let (joined, took, wake_ups) = sleepers::time_with_wake_ups_for_nothing(
        {
            let q = Arc::clone(&q);
            move || q.join_timeout(timeout)
        },
        || {
            q.task_done().expect("one task is unfinished");
            q.put(next);
            assert_eq!(q.get_timeout(Duration::ZERO), Ok(next));
            next += 1;
        },
    );
    assert!(
        !joined,
        "a task was always unfinished when join_timeout could look"
    );
    assert!(
        took >= timeout,
        "join_timeout({timeout:?}) gave up after {took:?}, at a wake-up for nothing \
         ({wake_ups} of them): wait again for the time that is left"
    );
    assert!(
        took < Duration::from_secs(2),
        "join_timeout({timeout:?}) returned only after {took:?}, woken for nothing {wake_ups} \
         times: it starts its timeout again at every wake-up (keep one deadline)"
    );
}

#[test]
fn wake_ups_for_nothing_neither_end_nor_extend_get_timeout() {
    let q = Arc::new(JoinableQueue::<u32>::new());
    let timeout = Duration::from_millis(300);
    let (got, took, wake_ups) = sleepers::time_with_wake_ups_for_nothing(
        {
            let q = Arc::clone(&q);
            move || q.get_timeout(timeout)
        },
        || {
            q.put(9);
            assert_eq!(q.get_timeout(Duration::ZERO), Ok(9));
            q.task_done().expect("the task just taken");
        },
    );
    assert_eq!(got, Err(Empty));
    assert!(
        took >= timeout,
        "get_timeout({timeout:?}) gave up after {took:?}, at a wake-up for nothing \
         ({wake_ups} of them): wait again for the time that is left"
    );
    assert!(
        took < Duration::from_secs(2),
        "get_timeout({timeout:?}) returned only after {took:?}, woken for nothing {wake_ups} \
         times: it starts its timeout again at every wake-up (keep one deadline)"
    );
}
