use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Barrier, Mutex};
use std::thread;
use std::time::Duration;

use forklings_support::within;
use proptest::prelude::*;
use queues::ordered_map::parallel_map;

const LIMIT: Duration = Duration::from_secs(10);

#[test]
fn results_keep_the_input_order_when_later_items_finish_first() {
    let items: Vec<u64> = (0..20).collect();
    let out = within(LIMIT, "parallel_map", move || {
        // Early items are the slow ones: workers finish in reverse order.
        parallel_map(items, 4, |n| {
            thread::sleep(Duration::from_millis(20 - n));
            n * n
        })
    });
    assert_eq!(out, (0..20).map(|n| n * n).collect::<Vec<_>>());
}

#[test]
fn the_workers_run_at_the_same_time() {
    // The first three items meet at a barrier of three: that only works if
    // three different threads run them at once.
    let out = within(
        LIMIT,
        "parallel_map with 3 workers meeting at a barrier (fewer than 3 running at once?)",
        || {
            let barrier = Barrier::new(3);
            parallel_map((0..9).collect(), 3, |n: usize| {
                if n < 3 {
                    barrier.wait();
                }
                n + 1
            })
        },
    );
    assert_eq!(out, (1..10).collect::<Vec<_>>());
}

#[test]
fn no_more_than_the_workers_asked_for() {
    // Every call takes a few milliseconds, so each thread there is gets some
    // of the work: the threads that ran `f`, and the most inside `f` at once,
    // are the workers there really are.
    let seen = Mutex::new(HashSet::new());
    let (inside, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let caller = thread::current().id();
    let (out, threads, most) = within(LIMIT, "parallel_map", move || {
        let out = parallel_map((0..60).collect(), 2, |n: u32| {
            seen.lock().unwrap().insert(thread::current().id());
            most.fetch_max(inside.fetch_add(1, SeqCst) + 1, SeqCst);
            thread::sleep(Duration::from_millis(3));
            inside.fetch_sub(1, SeqCst);
            n
        });
        (out, seen.into_inner().unwrap(), most.into_inner())
    });
    assert_eq!(out, (0..60).collect::<Vec<_>>());
    assert!(!threads.contains(&caller), "f ran on the test's own thread");
    assert!(
        threads.len() <= 2 && most <= 2,
        "f ran on {} threads, up to {most} at once: 2 workers were asked for (a thread per \
         item, or one too many?)",
        threads.len()
    );
}

#[test]
fn no_items_no_results() {
    let out = within(LIMIT, "parallel_map of nothing", || {
        parallel_map(Vec::<u8>::new(), 3, |n| n)
    });
    assert!(out.is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Whatever the input and the number of workers, the result is what a
    /// plain sequential map gives.
    #[test]
    fn same_as_a_sequential_map(
        items in prop::collection::vec(any::<i32>(), 0..300),
        workers in 1usize..6,
    ) {
        let expected: Vec<String> = items.iter().map(|n| format!("<{n}>")).collect();
        let out = within(LIMIT, "parallel_map", move || {
            parallel_map(items, workers, |n| format!("<{n}>"))
        });
        prop_assert_eq!(out, expected);
    }
}
