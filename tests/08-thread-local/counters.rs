use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::Duration;

use forklings_support::within;
use thread_locals::counters::{PerThread, ThreadTotal, count, start_counting};

const LIMIT: Duration = Duration::from_secs(5);

#[test]
fn totals_arrive_when_the_threads_exit() {
    let (early, mut totals) = within(LIMIT, "four counting threads", || {
        let (sink, totals) = mpsc::channel();
        let (counted_tx, counted) = mpsc::channel();
        let (go_tx, go_rx) = mpsc::channel::<()>();
        let go_rx = Arc::new(std::sync::Mutex::new(go_rx));
        let threads: Vec<_> = (1..=4u64)
            .map(|i| {
                let (sink, counted_tx, go_rx) =
                    (sink.clone(), counted_tx.clone(), Arc::clone(&go_rx));
                thread::Builder::new()
                    .name(format!("counter-{i}"))
                    .spawn(move || {
                        start_counting(sink);
                        for _ in 0..i * 1_000 {
                            count(1);
                        }
                        count(i);
                        let _ = counted_tx.send(());
                        // Stay alive until the test has looked.
                        let _ = go_rx.lock().unwrap().recv_timeout(LIMIT);
                    })
                    .expect("a thread starts")
            })
            .collect();
        drop(sink);
        drop(counted_tx);
        // All four have counted (a thread that panicked closes its sender).
        for _ in 0..4 {
            counted
                .recv_timeout(LIMIT)
                .expect("a counting thread did not get to the end");
        }
        let early = totals.try_recv().ok();
        for _ in 0..4 {
            let _ = go_tx.send(());
        }
        threads
            .into_iter()
            .for_each(|t| t.join().expect("a counting thread panicked"));
        // Every sender went with its thread: read until the channel says
        // so, to see a total sent twice as well as one never sent.
        let mut all: Vec<ThreadTotal> = Vec::new();
        while let Ok(total) = totals.recv_timeout(LIMIT) {
            all.push(total);
        }
        (early, all)
    });
    assert_eq!(
        early, None,
        "a total was sent while its thread was still running"
    );
    totals.sort_by(|a, b| a.thread.cmp(&b.thread));
    let expected: Vec<ThreadTotal> = (1..=4u64)
        .map(|i| ThreadTotal {
            thread: format!("counter-{i}"),
            total: i * 1_000 + i,
        })
        .collect();
    assert_eq!(totals, expected, "one exact total per thread, sent at exit");
}

#[test]
fn starting_again_sends_the_old_count_first() {
    let (first_early, first, second) = within(LIMIT, "start_counting twice", || {
        let (first_sink, first_totals) = mpsc::channel();
        let (second_sink, second_totals) = mpsc::channel();
        let first_early = thread::Builder::new()
            .name("restarted".into())
            .spawn(move || {
                start_counting(first_sink);
                count(5);
                start_counting(second_sink);
                // The old tally has reported by now, while this thread runs.
                let first_early = first_totals.try_recv().ok();
                count(7);
                (first_early, first_totals)
            })
            .expect("a thread starts")
            .join()
            .expect("the counting thread panicked");
        let (first_early, first_totals) = first_early;
        let first: Vec<ThreadTotal> = first_totals.try_iter().collect();
        let second: Vec<ThreadTotal> = second_totals.try_iter().collect();
        (first_early, first, second)
    });
    let total = |total| ThreadTotal {
        thread: "restarted".into(),
        total,
    };
    assert_eq!(
        first_early,
        Some(total(5)),
        "calling start_counting again sends the old count at once"
    );
    assert_eq!(first, [], "the old sink hears once, and only once");
    assert_eq!(
        second,
        [total(7)],
        "the new count starts from zero and is sent at exit"
    );
}

#[test]
fn counting_before_start_counting_sends_nothing() {
    let received = within(LIMIT, "count without start_counting", || {
        let (sink, totals) = mpsc::channel();
        thread::spawn(|| count(5))
            .join()
            .expect("count() must not panic");
        thread::spawn(move || {
            start_counting(sink);
            count(2);
        })
        .join()
        .expect("a counting thread panicked");
        totals
            .iter()
            .map(|t: ThreadTotal| t.total)
            .collect::<Vec<_>>()
    });
    assert_eq!(
        received,
        [2],
        "only the thread that started counting reports"
    );
}

#[test]
fn per_thread_slots_add_up_after_join() {
    let (slots, sum) = within(LIMIT, "four threads with a slot each", || {
        let counters = Arc::new(PerThread::<AtomicU64>::new());
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let counters = Arc::clone(&counters);
                thread::spawn(move || {
                    let mut mine = counters.get_or(AtomicU64::default);
                    for i in 0..10_000 {
                        // Ask again now and then: it must be the same slot.
                        if i % 100 == 0 {
                            mine = counters.get_or(AtomicU64::default);
                        }
                        mine.fetch_add(1, Relaxed);
                    }
                })
            })
            .collect();
        threads
            .into_iter()
            .for_each(|t| t.join().expect("a thread panicked"));
        let values: Vec<u64> = counters.values().iter().map(|v| v.load(Relaxed)).collect();
        let sum = values.iter().sum::<u64>();
        (values, sum)
    });
    assert_eq!(
        slots, [10_000; 4],
        "one slot per thread, each with its own count"
    );
    assert_eq!(sum, 40_000);
}

#[test]
fn a_thread_keeps_its_slot_and_others_get_theirs() {
    let (same, other_differs, slots) = within(LIMIT, "PerThread::get_or", || {
        let container = Arc::new(PerThread::<u32>::new());
        let first = container.get_or(|| 1);
        let again = container.get_or(|| 2);
        let theirs = {
            let container = Arc::clone(&container);
            thread::spawn(move || container.get_or(|| 3))
                .join()
                .expect("the other thread panicked")
        };
        let slots: Vec<u32> = container.values().iter().map(|v| **v).collect();
        (
            Arc::ptr_eq(&first, &again),
            !Arc::ptr_eq(&first, &theirs),
            slots,
        )
    });
    assert!(same, "the same thread must get the same slot back");
    assert!(other_differs, "another thread must get a slot of its own");
    assert_eq!(
        slots,
        [1, 3],
        "init runs once per thread, in first-use order"
    );
}

#[test]
fn values_come_in_first_use_order() {
    let firsts = within(
        LIMIT,
        "eight threads taking a slot one after another",
        || {
            let container = Arc::new(PerThread::<usize>::new());
            for i in 0..8 {
                let container = Arc::clone(&container);
                thread::spawn(move || {
                    container.get_or(|| i);
                })
                .join()
                .expect("a thread panicked");
            }
            container.values().iter().map(|v| **v).collect::<Vec<_>>()
        },
    );
    assert_eq!(
        firsts,
        (0..8).collect::<Vec<_>>(),
        "values() lists the slots in the order the threads first asked for them"
    );
}
