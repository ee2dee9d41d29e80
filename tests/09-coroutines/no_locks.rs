use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::mpsc;
use std::time::Duration;

use coroutines::executor::{Executor, join_all, yield_now};
use coroutines::no_locks::{tally, unblock};
use forklings_support::within;
use proptest::prelude::*;

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

/// Task `a` makes a blocking call that waits for a message task `b` would
/// send. On one thread `b` cannot run while `a` blocks: the wait runs out
/// and only then does `b` get its turn.
#[test]
fn a_blocking_call_stalls_every_task() {
    let log = within(LIMIT, "a blocking call in a task", || {
        let executor = Executor::new();
        let log = Rc::new(RefCell::new(Vec::new()));
        let (tx, rx) = mpsc::channel::<()>();
        let a = {
            let log = Rc::clone(&log);
            executor.spawn(async move {
                log.borrow_mut().push("a: waits for b, blocking");
                let got = rx.recv_timeout(Duration::from_millis(200));
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
        log.borrow().clone()
    });
    assert_eq!(log, ["a: waits for b, blocking", "a: gave up", "b: runs"]);
}

/// The same two tasks, with the blocking call moved to a thread of its own
/// by `unblock`: `b` runs while `a` waits, and `a` hears from it.
#[test]
fn unblock_lets_the_other_tasks_run() {
    let log = within(LIMIT, "a blocking call moved off the executor", || {
        let executor = Executor::new();
        let log = Rc::new(RefCell::new(Vec::new()));
        let (tx, rx) = mpsc::channel::<()>();
        let a = {
            let log = Rc::clone(&log);
            executor.spawn(async move {
                log.borrow_mut().push("a: waits for b, off the executor");
                let got = unblock(move || rx.recv_timeout(Duration::from_secs(5))).await;
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
        log.borrow().clone()
    });
    assert_eq!(
        log,
        [
            "a: waits for b, off the executor",
            "b: runs",
            "a: heard from b"
        ]
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
