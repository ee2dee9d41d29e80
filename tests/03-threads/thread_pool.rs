use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use forklings_support::{procs, within};
use threads::thread_pool::{
    Done, Future, FutureError, ReturnWhen, Shutdown, ThreadPoolExecutor, as_completed, wait,
};

use crate::meeting::Meeting;

const LIMIT: Duration = Duration::from_secs(15);
/// How long a gated task waits for its release before giving up.
const GATE: Duration = Duration::from_secs(10);

/// A task held by the test until it lets it go.
fn gated(pool: &ThreadPoolExecutor, value: u32) -> (Sender<()>, Future<u32>) {
    let (release, gate): (Sender<()>, Receiver<()>) = mpsc::channel();
    let future = pool
        .submit(move || {
            let _ = gate.recv_timeout(GATE);
            value
        })
        .expect("submit");
    (release, future)
}

#[test]
fn submit_returns_at_once_and_result_gives_the_value() {
    within(LIMIT, "submit and result", || {
        let pool = ThreadPoolExecutor::new(2, "worker");
        let caller = thread::current().id();
        let (release, future) = gated(&pool, 7);
        assert!(!future.done(), "the task is still waiting for the test");
        let other = future.clone();
        release.send(()).unwrap();
        assert_eq!(future.result(None), Ok(7));
        assert!(future.done());
        assert_eq!(
            other.result(Some(Duration::ZERO)),
            Ok(7),
            "a clone shares the result"
        );
        assert_eq!(
            future.result(None),
            Ok(7),
            "a result can be asked for again"
        );
        let ran_on = pool
            .submit(|| thread::current().id())
            .unwrap()
            .result(None)
            .unwrap();
        assert_ne!(ran_on, caller, "the task ran on the caller's thread");
    });
}

#[test]
fn a_panicking_task_is_its_futures_error_and_the_worker_goes_on() {
    within(LIMIT, "panicking tasks", || {
        let pool = ThreadPoolExecutor::new(1, "fragile");
        let literal = pool.submit(|| -> u32 { panic!("no such host") }).unwrap();
        let formatted = pool
            .submit(|| -> u32 { panic!("{} of {} failed", 1, 3) })
            .unwrap();
        let after = pool.submit(|| 42_u32).unwrap();
        assert_eq!(
            literal.result(None),
            Err(FutureError::Panicked("no such host".into()))
        );
        assert_eq!(
            formatted.result(None),
            Err(FutureError::Panicked("1 of 3 failed".into()))
        );
        assert_eq!(
            after.result(None),
            Ok(42),
            "the only worker went on after two panics"
        );
    });
}

#[test]
fn at_most_max_workers_tasks_run_at_once_on_named_threads() {
    const WORKERS: usize = 3;
    const TASKS: usize = 12;
    let (most, names, met) = within(LIMIT, "twelve tasks on three workers", || {
        let pool = ThreadPoolExecutor::new(WORKERS, "crawler");
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let meeting = Arc::new(Meeting::new(WORKERS));
        let futures: Vec<_> = (0..TASKS)
            .map(|i| {
                let (inside, most, meeting) = (inside.clone(), most.clone(), meeting.clone());
                pool.submit(move || {
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    // The first three must all be running together.
                    let met = i >= WORKERS || meeting.arrive(Duration::from_secs(5));
                    thread::sleep(Duration::from_millis(10));
                    inside.fetch_sub(1, Ordering::SeqCst);
                    (thread::current().name().unwrap_or("").to_string(), met)
                })
                .unwrap()
            })
            .collect();
        let results: Vec<_> = futures.iter().map(|f| f.result(None).unwrap()).collect();
        let names: BTreeSet<String> = results.iter().map(|(n, _)| n.clone()).collect();
        let met = results.iter().all(|(_, met)| *met);
        (most.load(Ordering::SeqCst), names, met)
    });
    assert!(met, "the first {WORKERS} tasks never ran at the same time");
    assert_eq!(most, WORKERS, "the most tasks running at once");
    assert!(
        names.len() <= WORKERS,
        "{} different threads ran the tasks: a thread per task? {names:?}",
        names.len()
    );
    let allowed: BTreeSet<String> = (0..WORKERS).map(|i| format!("crawler_{i}")).collect();
    assert!(
        names.is_subset(&allowed),
        "threads named {names:?}, not crawler_0..crawler_2"
    );
}

#[test]
fn result_with_a_timeout_gives_up_while_the_task_runs() {
    within(LIMIT, "result with a timeout", || {
        let pool = ThreadPoolExecutor::new(1, "slow");
        let (release, future) = gated(&pool, 5);
        let asked = Duration::from_millis(250);
        let start = Instant::now();
        assert_eq!(future.result(Some(asked)), Err(FutureError::TimedOut));
        let waited = start.elapsed();
        assert!(
            waited >= asked,
            "gave up after {waited:?}, before the {asked:?} asked"
        );
        release.send(()).unwrap();
        assert_eq!(future.result(Some(Duration::from_secs(10))), Ok(5));
    });
}

/// Four tasks held by the test and let go in the order 2, 0, 3, 1: each
/// `next` gives the one just let go.
#[test]
fn as_completed_yields_futures_in_the_order_they_finish() {
    within(LIMIT, "as_completed", || {
        let pool = ThreadPoolExecutor::new(4, "ordered");
        let (releases, futures): (Vec<_>, Vec<_>) = (0..4).map(|i| gated(&pool, i)).unzip();
        let mut completed = as_completed(&futures, None);
        for i in [2, 0, 3, 1] {
            releases[i].send(()).unwrap();
            assert_eq!(
                completed.next(),
                Some(Ok(i)),
                "future {i} was the one let go"
            );
            assert_eq!(futures[i].result(Some(Duration::ZERO)), Ok(i as u32));
        }
        assert_eq!(completed.next(), None, "each future is yielded once");
    });
}

#[test]
fn as_completed_yields_the_futures_already_done_first() {
    within(LIMIT, "as_completed", || {
        let pool = ThreadPoolExecutor::new(2, "early");
        let quick = pool.submit(|| 1_u32).unwrap();
        let (release, held) = gated(&pool, 2);
        quick.result(None).unwrap();
        let futures = vec![held, quick];
        let mut completed = as_completed(&futures, None);
        assert_eq!(
            completed.next(),
            Some(Ok(1)),
            "the future already done comes first"
        );
        release.send(()).unwrap();
        assert_eq!(completed.next(), Some(Ok(0)));
        assert_eq!(completed.next(), None);
    });
}

#[test]
fn as_completed_yields_every_one_of_many_quick_futures_once() {
    let seen = within(LIMIT, "as_completed of 300 quick tasks", || {
        let pool = ThreadPoolExecutor::new(4, "quick");
        let futures: Vec<_> = (0..300_u32)
            .map(|i| pool.submit(move || i).unwrap())
            .collect();
        as_completed(&futures, Some(Duration::from_secs(10)))
            .map(|r| r.expect("no timeout"))
            .collect::<Vec<_>>()
    });
    let unique: BTreeSet<usize> = seen.iter().copied().collect();
    assert_eq!(seen.len(), 300, "every future yielded once");
    assert_eq!(unique, (0..300).collect(), "every future yielded once");
}

/// The timeout counts from the call, for the whole iteration: a caller that
/// took its time between two `next`s has less left.
#[test]
fn as_completed_has_one_deadline_for_the_whole_iteration() {
    let (first, second, third, took) = within(LIMIT, "as_completed with a timeout", || {
        let pool = ThreadPoolExecutor::new(2, "deadline");
        let quick = pool.submit(|| 0_u32).unwrap();
        quick.result(None).unwrap();
        let (_release, held) = gated(&pool, 1);
        let futures = vec![quick, held];
        let start = Instant::now();
        let mut completed = as_completed(&futures, Some(Duration::from_millis(2000)));
        let first = completed.next();
        thread::sleep(Duration::from_millis(1700));
        let second = completed.next();
        let took = start.elapsed();
        let third = completed.next();
        (first, second, third, took)
    });
    assert_eq!(first, Some(Ok(0)));
    assert_eq!(second, Some(Err(FutureError::TimedOut)));
    assert!(
        took >= Duration::from_millis(2000),
        "gave up after {took:?}, before the 2 s"
    );
    assert!(
        took < Duration::from_millis(3500),
        "gave up after {took:?}: the 2 s counted again from the second next()"
    );
    assert_eq!(third, None, "the iteration ends after a timeout");
}

#[test]
fn wait_first_completed_returns_as_soon_as_one_is_done() {
    within(LIMIT, "wait(FIRST_COMPLETED)", || {
        let pool = ThreadPoolExecutor::new(3, "first");
        let (releases, futures): (Vec<_>, Vec<_>) = (0..3).map(|i| gated(&pool, i)).unzip();
        let releaser = {
            let one = releases[1].clone();
            thread::spawn(move || {
                thread::sleep(Duration::from_millis(100));
                one.send(()).unwrap();
            })
        };
        let found = wait(&futures, None, ReturnWhen::FirstCompleted);
        assert_eq!(
            found,
            Done {
                done: vec![1],
                not_done: vec![0, 2],
            }
        );
        releaser.join().unwrap();
        // Two done already: both are reported, at once.
        releases[2].send(()).unwrap();
        futures[2].result(None).unwrap();
        let found = wait(
            &futures,
            Some(Duration::from_secs(10)),
            ReturnWhen::FirstCompleted,
        );
        assert_eq!(
            found,
            Done {
                done: vec![1, 2],
                not_done: vec![0],
            }
        );
        releases[0].send(()).unwrap();
    });
}

#[test]
fn wait_all_completed_waits_for_every_one_or_the_timeout() {
    within(LIMIT, "wait(ALL_COMPLETED)", || {
        let pool = ThreadPoolExecutor::new(3, "all");
        let (releases, futures): (Vec<_>, Vec<_>) = (0..3).map(|i| gated(&pool, i)).unzip();
        releases[0].send(()).unwrap();
        releases[2].send(()).unwrap();
        let asked = Duration::from_millis(300);
        let start = Instant::now();
        let found = wait(&futures, Some(asked), ReturnWhen::AllCompleted);
        assert!(
            start.elapsed() >= asked,
            "returned before the timeout with a task running"
        );
        assert_eq!(
            found,
            Done {
                done: vec![0, 2],
                not_done: vec![1],
            }
        );
        releases[1].send(()).unwrap();
        let found = wait(&futures, None, ReturnWhen::AllCompleted);
        assert_eq!(found.done, vec![0, 1, 2]);
        assert!(found.not_done.is_empty());
    });
}

#[test]
fn wait_first_exception_returns_at_the_first_panic() {
    within(LIMIT, "wait(FIRST_EXCEPTION)", || {
        let pool = ThreadPoolExecutor::new(3, "exception");
        let (release, held) = gated(&pool, 0);
        let fine = pool.submit(|| 1_u32).unwrap();
        fine.result(None).unwrap();
        let futures = vec![held.clone(), fine.clone()];
        // One done, none panicked, one running: not yet.
        let asked = Duration::from_millis(200);
        let start = Instant::now();
        let found = wait(&futures, Some(asked), ReturnWhen::FirstException);
        assert!(
            start.elapsed() >= asked,
            "returned with no panic and a task running"
        );
        assert_eq!(found.not_done, vec![0]);
        let broken = pool.submit(|| -> u32 { panic!("lookup failed") }).unwrap();
        let futures = vec![held, fine, broken];
        let found = wait(&futures, None, ReturnWhen::FirstException);
        assert_eq!(
            found,
            Done {
                done: vec![1, 2],
                not_done: vec![0],
            }
        );
        release.send(()).unwrap();
    });
}

#[test]
fn shutdown_with_wait_runs_every_task_and_ends_the_workers() {
    let (results, tids) = within(LIMIT, "shutdown(wait=True)", || {
        let pool = ThreadPoolExecutor::new(2, "closing");
        let (release, first) = gated(&pool, 100);
        let rest: Vec<_> = (0..6_u32)
            .map(|i| pool.submit(move || (i, procs::tid())).unwrap())
            .collect();
        let releaser = thread::spawn(move || {
            thread::sleep(Duration::from_millis(100));
            release.send(()).unwrap();
        });
        pool.shutdown(true);
        releaser.join().unwrap();
        assert!(
            first.done() && rest.iter().all(Future::done),
            "shutdown(true) returned early"
        );
        assert_eq!(
            pool.submit(|| 0_u32).err(),
            Some(Shutdown),
            "submit after shutdown"
        );
        let results: Vec<_> = rest.iter().map(|f| f.result(None).unwrap()).collect();
        let tids = results_tids(&results);
        (results, tids)
    });
    assert_eq!(
        results.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        (0..6).collect::<Vec<_>>()
    );
    for tid in tids {
        assert!(
            !Path::new(&format!("/proc/self/task/{tid}")).exists(),
            "worker thread {tid} is still alive after shutdown(true)"
        );
    }
}

fn results_tids(results: &[(u32, i32)]) -> BTreeSet<i32> {
    results.iter().map(|(_, t)| *t).collect()
}

#[test]
fn shutdown_without_wait_returns_at_once_and_the_tasks_still_run() {
    within(LIMIT, "shutdown(wait=False)", || {
        let pool = ThreadPoolExecutor::new(1, "lazy");
        let (release, first) = gated(&pool, 1);
        let queued = pool.submit(|| 2_u32).unwrap();
        let start = Instant::now();
        pool.shutdown(false);
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "shutdown(false) waited"
        );
        assert!(!first.done(), "the running task is still held by the test");
        assert_eq!(pool.submit(|| 3_u32).err(), Some(Shutdown));
        release.send(()).unwrap();
        assert_eq!(first.result(None), Ok(1));
        assert_eq!(
            queued.result(None),
            Ok(2),
            "a task queued before shutdown still runs"
        );
    });
}

#[test]
fn dropping_the_executor_waits_like_leaving_a_with_block() {
    let (all_done, values) = within(LIMIT, "drop", || {
        let pool = ThreadPoolExecutor::new(2, "scoped");
        let futures: Vec<_> = (0..5_u32)
            .map(|i| {
                pool.submit(move || {
                    thread::sleep(Duration::from_millis(20));
                    i * i
                })
                .unwrap()
            })
            .collect();
        drop(pool);
        let all_done = futures.iter().all(Future::done);
        let values: Vec<u32> = futures.iter().map(|f| f.result(None).unwrap()).collect();
        (all_done, values)
    });
    assert!(
        all_done,
        "the executor was dropped before its tasks finished"
    );
    assert_eq!(values, [0, 1, 4, 9, 16]);
}

#[test]
fn wait_all_completed_sees_every_task_of_a_batch_that_shares_a_total() {
    let (total, not_done) = within(LIMIT, "tasks adding to a shared total", || {
        let pool = ThreadPoolExecutor::new(3, "adder");
        let total = Arc::new(Mutex::new(0_u64));
        let futures: Vec<_> = (1..=100_u64)
            .map(|n| {
                let total = total.clone();
                pool.submit(move || *total.lock().unwrap() += n).unwrap()
            })
            .collect();
        let found = wait(
            &futures,
            Some(Duration::from_secs(10)),
            ReturnWhen::AllCompleted,
        );
        let total = *total.lock().unwrap();
        (total, found.not_done)
    });
    assert!(not_done.is_empty(), "not done: {not_done:?}");
    assert_eq!(total, 5050);
}
