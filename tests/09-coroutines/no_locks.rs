use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::rc::Rc;
use std::sync::mpsc;
use std::task::{Context, Poll};
use std::time::Duration;

use coroutines::executor::{Executor, join_all, yield_now};
use coroutines::no_locks::{Tally, count_words, tally, unblock};
use forklings_support::within;
use proptest::prelude::*;

use crate::wakers::wake_then_wait;

const LIMIT: Duration = Duration::from_secs(10);

#[test]
fn tally_counts_every_word() {
    let found = within(LIMIT, "tally", || {
        tally(
            &Executor::new(),
            &["spam", "eggs", "spam", "ham", "spam"],
            2,
        )
    });
    let expected = BTreeMap::from([
        ("eggs".to_string(), 1),
        ("ham".to_string(), 1),
        ("spam".to_string(), 3),
    ]);
    assert_eq!(found.counts, expected);
    assert_eq!(found.per_worker.iter().sum::<usize>(), 5);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn every_worker_takes_a_turn(words in prop::collection::vec("[a-d]", 0..40), workers in 1usize..6) {
        let for_tally = words.clone();
        let found = within(LIMIT, "tally", move || {
            let refs: Vec<&str> = for_tally.iter().map(String::as_str).collect();
            tally(&Executor::new(), &refs, workers)
        });
        let mut expected = BTreeMap::new();
        for word in &words {
            *expected.entry(word.clone()).or_insert(0) += 1;
        }
        prop_assert_eq!(found.counts, expected);
        prop_assert_eq!(found.per_worker.len(), workers);
        prop_assert_eq!(found.per_worker.iter().sum::<usize>(), words.len());
        if words.len() >= workers {
            // Each worker yields after each word, so none can take them all.
            prop_assert!(found.per_worker.iter().all(|&n| n > 0), "{:?}", found.per_worker);
        }
    }
}

/// Three workers, and a task of the test's own that looks at the shared
/// queue and table between every two of their turns: no borrow is held
/// there, and every word taken from the queue has been counted.
#[test]
fn between_two_awaits_the_queue_and_the_table_agree() {
    let (seen, counts) = within(LIMIT, "three workers and an observer", || {
        let executor = Executor::new();
        let words: VecDeque<String> = "a b c a b a c c a b a a"
            .split(' ')
            .map(str::to_owned)
            .collect();
        let total = words.len();
        let queue = Rc::new(RefCell::new(words));
        let table = Rc::new(RefCell::new(Tally {
            counts: BTreeMap::new(),
            per_worker: vec![0; 3],
        }));
        let handles: Vec<_> = (0..3)
            .map(|w| executor.spawn(count_words(w, Rc::clone(&queue), Rc::clone(&table))))
            .collect();
        let (queue2, table2) = (Rc::clone(&queue), Rc::clone(&table));
        // What the observer sees between two turns: a complaint, or None;
        // and whether the queue is empty.
        let look = move || -> (Option<String>, bool) {
            let (Ok(queue), Ok(table)) = (queue2.try_borrow_mut(), table2.try_borrow_mut()) else {
                return (
                    Some("a worker holds a borrow across its .await".into()),
                    true,
                );
            };
            let counted: usize = table.counts.values().sum();
            let taken: usize = table.per_worker.iter().sum();
            let complaint = (queue.len() + counted != total || taken != counted).then(|| {
                format!(
                    "{} words left and {counted} counted ({taken} in per_worker), of {total}",
                    queue.len()
                )
            });
            (complaint, queue.is_empty())
        };
        let observer = executor.spawn(async move {
            let mut seen = Vec::new();
            for _ in 0..100 {
                let (complaint, done) = look();
                seen.extend(complaint);
                if done {
                    break;
                }
                yield_now().await;
            }
            seen
        });
        let seen = executor
            .block_on(observer)
            .expect("the observer did not panic");
        for joined in executor.block_on(join_all(handles)) {
            joined.expect("a worker panicked");
        }
        (seen, table.borrow().counts.clone())
    });
    assert_eq!(
        seen,
        Vec::<String>::new(),
        "between two turns of the workers, the words taken and the words counted must agree: \
         take a word and count it between the same two .awaits"
    );
    let expected = BTreeMap::from([
        ("a".to_string(), 6),
        ("b".to_string(), 3),
        ("c".to_string(), 3),
    ]);
    assert_eq!(counts, expected);
}

/// Task `a` makes a blocking call that waits for a message task `b` would
/// send. Called in the task, on the executor's one thread, `b` cannot run
/// while `a` blocks: the wait runs out and only then does `b` get its turn.
/// Moved off the executor by `unblock`, the same wait lets `b` run, and `a`
/// hears from it.
#[test]
fn unblock_lets_the_other_tasks_run() {
    let (stalled, unblocked) = within(
        LIMIT,
        "a blocking call, then the same through unblock",
        || {
            let run = |through_unblock: bool| {
                let executor = Executor::new();
                let log = Rc::new(RefCell::new(Vec::new()));
                let (tx, rx) = mpsc::channel::<()>();
                let a = {
                    let log = Rc::clone(&log);
                    executor.spawn(async move {
                        log.borrow_mut().push("a: waits for b");
                        let got = if through_unblock {
                            unblock(move || rx.recv_timeout(Duration::from_secs(5))).await
                        } else {
                            rx.recv_timeout(Duration::from_millis(200))
                        };
                        log.borrow_mut().push(if got.is_ok() {
                            "a: heard from b"
                        } else {
                            "a: gave up"
                        });
                    })
                };
                let b = {
                    let log = Rc::clone(&log);
                    executor.spawn(async move {
                        log.borrow_mut().push("b: runs");
                        let _ = tx.send(());
                        yield_now().await;
                    })
                };
                executor.block_on(join_all(vec![a, b]));
                log.take()
            };
            (run(false), run(true))
        },
    );
    assert_eq!(
        stalled,
        ["a: waits for b", "a: gave up", "b: runs"],
        "called in the task, the blocking wait stalls every task"
    );
    assert_eq!(
        unblocked,
        ["a: waits for b", "b: runs", "a: heard from b"],
        "through unblock, b runs while a waits"
    );
}

/// While the blocking work runs, `unblock`'s future waits to be woken: it is
/// polled once to start and once when the thread is done, however many
/// turns the other tasks take meanwhile.
#[test]
fn unblock_is_polled_twice() {
    let (polls, value) = within(LIMIT, "unblock beside a busy task", || {
        let executor = Executor::new();
        let (go, wait_for_go) = mpsc::channel::<()>();
        let counted = executor.spawn(async move {
            let mut polls = 0;
            let mut work = pin!(unblock(move || wait_for_go
                .recv_timeout(LIMIT)
                .map(|()| 42)));
            let value = poll_fn(|cx| {
                polls += 1;
                work.as_mut().poll(cx)
            })
            .await;
            (polls, value)
        });
        let busy = executor.spawn(async move {
            for _ in 0..20 {
                yield_now().await;
            }
            let _ = go.send(());
        });
        let (polls, value) = executor.block_on(counted).expect("no panic");
        executor.block_on(busy).expect("no panic");
        (polls, value.ok())
    });
    assert_eq!(value, Some(42));
    assert_eq!(
        polls, 2,
        "unblock's future was polled {polls} times: once to start, once when woken, never in a loop"
    );
}

/// Whoever is woken polls at once, maybe before the thread has gone on: the
/// result must be in place before the wake. (The test's waker pauses the
/// thread right after its `wake` until the future has been polled.)
#[test]
fn unblock_stores_the_result_before_it_wakes() {
    let (woken, polled, woken_again) = within(LIMIT, "unblock and its wake", || {
        let (handle, waker) = wake_then_wait(Duration::from_millis(200));
        let mut cx = Context::from_waker(&waker);
        let (go, wait_for_go) = mpsc::channel::<()>();
        let mut work = pin!(unblock(move || wait_for_go.recv_timeout(LIMIT).map(|()| 7)));
        let first = work.as_mut().poll(&mut cx);
        assert!(
            first.is_pending(),
            "the work waits for a message not sent yet"
        );
        let _ = go.send(());
        let woken = handle.woken_within(LIMIT);
        let polled = work.as_mut().poll(&mut cx).map(|r| r.ok());
        handle.polled();
        let woken_again = polled.is_pending() && handle.woken_within(Duration::from_secs(1));
        if woken_again {
            handle.polled();
        }
        (woken, polled, woken_again)
    });
    assert!(woken, "the thread woke nobody");
    assert!(
        polled == Poll::Ready(Some(7)) || woken_again,
        "polled when woken, the future found no result and was never woken again: \
         store the result before calling the waker"
    );
}

#[test]
fn unblock_returns_the_value_and_passes_on_a_panic() {
    let (value, panicked) = within(LIMIT, "unblock", || {
        let executor = Executor::new();
        let value = executor.block_on(unblock(|| 6 * 7));
        let bad = executor.spawn(unblock(|| -> u8 { panic!("blocking work failed") }));
        let panicked = executor.block_on(bad).map_err(|e| e.message().to_string());
        (value, panicked)
    });
    assert_eq!(value, 42);
    assert_eq!(panicked, Err("blocking work failed".to_string()));
}
