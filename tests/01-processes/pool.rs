use std::collections::BTreeSet;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use forklings_support::{procs, within};
use nix::unistd::getpid;
use processes::pool::{Pool, PoolError, is_prime};
use proptest::prelude::*;
use rstest::rstest;

use crate::jobs::{GateDir, Job, run};

const LIMIT: Duration = Duration::from_secs(8);

fn pool(workers: usize) -> Arc<Pool<Job, i64>> {
    Arc::new(Pool::new(workers, run).expect("Pool::new"))
}

fn pids(values: &[i64]) -> BTreeSet<i32> {
    values.iter().map(|&v| v as i32).collect()
}

#[test]
fn map_keeps_input_order() {
    let pool = pool(3);
    let results = within(LIMIT, "map", move || {
        // The first inputs sleep longest, so they finish last.
        let jobs = (0..6).map(|n| Job::SlowSquare(n, 60 - 10 * n as u64));
        pool.map(jobs)
    });
    assert_eq!(results, Ok(vec![0, 1, 4, 9, 16, 25]));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn map_equals_a_serial_map(inputs in prop::collection::vec(any::<i64>(), 0..24)) {
        let serial: Vec<i64> = inputs.iter().map(|&n| n.wrapping_mul(n)).collect();
        let parallel = within(LIMIT, "map", move || {
            let pool = pool(2);
            pool.map(inputs.into_iter().map(Job::Square))
        });
        prop_assert_eq!(parallel, Ok(serial));
    }
}

#[test]
fn workers_are_distinct_processes_forked_up_front() {
    let gates = GateDir::new();
    let pool = pool(3);
    let workers = pool.worker_pids();
    assert_eq!(workers.len(), 3, "three workers right after Pool::new");
    let jobs: Vec<Job> = ["a", "b", "c"].iter().map(|n| gates.job(n)).collect();
    let handles = {
        let pool = Arc::clone(&pool);
        within(LIMIT, "apply_async", move || {
            jobs.into_iter()
                .map(|job| pool.apply_async(job))
                .collect::<Result<Vec<_>, _>>()
        })
    }
    .expect("apply_async");
    // All three block in their workers at once: three different processes.
    let all_started = procs::eventually(LIMIT, || gates.started().len() == 3);
    assert!(
        all_started,
        "three gated tasks on three workers must all start"
    );
    let started: BTreeSet<i32> = gates.started().into_iter().collect();
    gates.open();
    let results = within(LIMIT, "get", move || {
        handles
            .into_iter()
            .map(|h| h.get())
            .collect::<Result<Vec<_>, _>>()
    })
    .expect("results");
    let expected: BTreeSet<i32> = workers.iter().map(|p| p.as_raw()).collect();
    assert_eq!(started.len(), 3, "three distinct worker PIDs");
    assert_eq!(started, expected, "the tasks ran in the pool's workers");
    assert_eq!(pids(&results), expected);
    assert!(
        !expected.contains(&getpid().as_raw()),
        "workers are not this process"
    );
}

#[test]
fn map_runs_its_items_on_every_worker_at_once() {
    let gates = GateDir::new();
    let pool = pool(3);
    let workers: BTreeSet<i32> = pool.worker_pids().iter().map(|p| p.as_raw()).collect();
    let jobs: Vec<Job> = ["a", "b", "c"].iter().map(|n| gates.job(n)).collect();
    let mapping = {
        let pool = Arc::clone(&pool);
        thread::spawn(move || pool.map(jobs))
    };
    // Three held items, three idle workers: all three start while map waits.
    let all_started = procs::eventually(LIMIT, || gates.started().len() == 3);
    let started = gates.started().len();
    gates.open();
    let results = within(LIMIT, "map", move || mapping.join()).expect("map panicked");
    assert!(
        all_started,
        "map of three held items on a pool of three: only {started} ran at once (does map wait for each result before sending the next item?)"
    );
    let results = results.expect("map");
    assert_eq!(
        pids(&results),
        workers,
        "the three items ran on the three workers"
    );
}

#[test]
fn a_dead_worker_is_noticed_while_its_pipe_is_still_open() {
    let gates = GateDir::new();
    let pool = pool(1);
    let job = Job::ExitLeavingHolder {
        code: 4,
        dir: gates.dir.clone(),
    };
    let (failed, after) = within(
        LIMIT,
        "a task whose worker died while a process it forked still holds its pipes (end of file never comes: watch the worker with waitpid)",
        move || {
            let failed = pool.apply_async(job).expect("apply_async").get();
            (failed, pool.map([Job::Square(6)]))
        },
    );
    gates.open();
    assert_eq!(
        failed,
        Err(PoolError::WorkerDied("exited with code 4".into()))
    );
    assert_eq!(after, Ok(vec![36]), "the pool must keep serving");
}

#[test]
fn at_most_n_tasks_run_at_once() {
    let gates = GateDir::new();
    let pool = pool(2);
    let jobs: Vec<Job> = (0..5).map(|n| gates.job(&n.to_string())).collect();
    let handles = {
        let pool = Arc::clone(&pool);
        within(LIMIT, "apply_async", move || {
            jobs.into_iter()
                .map(|job| pool.apply_async(job))
                .collect::<Result<Vec<_>, _>>()
        })
    }
    .expect("apply_async");
    assert!(
        procs::eventually(LIMIT, || gates.started().len() >= 2),
        "two workers, five tasks: two must start"
    );
    // Give a wrong pool every chance to start a third task.
    thread::sleep(Duration::from_millis(300));
    let running = gates.started().len();
    assert_eq!(running, 2, "{running} tasks ran at once on a pool of 2");
    gates.open();
    let results = within(LIMIT, "get", move || {
        handles
            .into_iter()
            .map(|h| h.get())
            .collect::<Result<Vec<_>, _>>()
    })
    .expect("results");
    assert_eq!(results.len(), 5);
    assert!(
        pids(&results).len() <= 2,
        "five tasks, two workers: {results:?}"
    );
}

#[test]
fn async_result_is_ready_only_when_done() {
    let gates = GateDir::new();
    let pool = pool(1);
    let job = gates.job("only");
    let handle = within(LIMIT, "apply_async", {
        let pool = Arc::clone(&pool);
        move || pool.apply_async(job)
    })
    .expect("apply_async");
    let gate_dir = gates.dir.clone();
    let (ready_before, waited_for, wait_early, wait_late, ready_after, value) =
        within(LIMIT, "ready, wait, get", move || {
            let ready_before = handle.ready();
            let start = Instant::now();
            let wait_early = handle.wait(Duration::from_millis(100));
            let waited_for = start.elapsed();
            std::fs::write(gate_dir.join("go"), "").expect("open the gate");
            // Far beyond LIMIT: a wait that sleeps out its timeout fails.
            let wait_late = handle.wait(Duration::from_secs(600));
            let ready_after = handle.ready();
            (
                ready_before,
                waited_for,
                wait_early,
                wait_late,
                ready_after,
                handle.get(),
            )
        });
    assert!(!ready_before, "ready() while the task is held");
    assert!(!wait_early, "wait(100 ms) while the task is held");
    assert!(
        waited_for >= Duration::from_millis(100),
        "wait(100 ms) returned after {waited_for:?}"
    );
    assert!(wait_late, "wait() once the task could finish");
    assert!(ready_after);
    assert!(
        matches!(value, Ok(pid) if pid > 0),
        "get() after wait(): {value:?}"
    );
}

#[test]
fn submitting_after_close_is_an_error() {
    let pool = pool(1);
    let (apply, map) = within(LIMIT, "close, submit", move || {
        pool.close();
        let apply = pool.apply_async(Job::Square(2)).map(|_| ());
        (apply, pool.map([Job::Square(3)]))
    });
    assert_eq!(apply.err(), Some(PoolError::Closed));
    assert_eq!(map, Err(PoolError::Closed));
}

#[test]
fn join_before_close_is_an_error() {
    let pool = pool(1);
    let joined = within(LIMIT, "join", move || pool.join());
    assert_eq!(joined, Err(PoolError::NotClosed));
}

#[test]
fn join_after_close_waits_for_queued_tasks_and_workers() {
    let pool = pool(2);
    let workers = pool.worker_pids();
    let results = within(LIMIT, "apply_async, close, join", move || {
        let handles: Vec<_> = (1..=6)
            .map(|n| {
                pool.apply_async(Job::SlowSquare(n, 20))
                    .expect("apply_async")
            })
            .collect();
        pool.close();
        pool.join().expect("join after close");
        // After join every task is done: ready() without waiting.
        let all_ready = handles.iter().all(|h| h.ready());
        let values: Vec<_> = handles.into_iter().map(|h| h.get()).collect();
        (all_ready, values)
    });
    assert!(results.0, "join returned before every queued task was done");
    assert_eq!(results.1, vec![Ok(1), Ok(4), Ok(9), Ok(16), Ok(25), Ok(36)]);
    for pid in workers {
        assert_eq!(
            procs::state(pid.as_raw()),
            None,
            "worker {pid} is still in the process table after join"
        );
    }
}

#[rstest]
#[case::panic(Job::Panic("bad input 7".into()), PoolError::Panicked("bad input 7".into()))]
#[case::exit(Job::Exit(3), PoolError::WorkerDied("exited with code 3".into()))]
#[case::killed(Job::Kill, PoolError::WorkerDied("killed by SIGKILL".into()))]
fn a_failed_task_is_its_own_error_and_the_pool_goes_on(
    #[case] bad: Job,
    #[case] expected: PoolError,
) {
    let pool = pool(1);
    let (before, failed, after, pid_after) = within(LIMIT, "a failing task", move || {
        let before = pool.worker_pids();
        let failed = pool.apply_async(bad).expect("apply_async").get();
        let after = pool.map([Job::Square(4), Job::Square(5)]);
        let pid_after = pool.map([Job::Pid]);
        (before, failed, after, pid_after)
    });
    assert_eq!(failed, Err(expected));
    assert_eq!(after, Ok(vec![16, 25]), "the pool must keep serving");
    let worker = pid_after.expect("a PID from the worker")[0] as i32;
    if matches!(failed, Err(PoolError::WorkerDied(_))) {
        assert_ne!(
            worker,
            before[0].as_raw(),
            "the dead worker must be replaced by a new process"
        );
    }
}

#[test]
fn map_reports_the_first_error_in_input_order() {
    let pool = pool(2);
    let result = within(LIMIT, "map", move || {
        pool.map([
            Job::Square(1),
            Job::SlowSquare(2, 50),
            Job::Panic("second".into()),
            Job::Exit(9),
            Job::Panic("fourth".into()),
        ])
    });
    assert_eq!(result, Err(PoolError::Panicked("second".into())));
}

#[test]
fn dropping_the_pool_stops_its_workers() {
    let gates = GateDir::new();
    let pool = pool(2);
    let workers = pool.worker_pids();
    let job = gates.job("held");
    let handle = within(LIMIT, "apply_async", {
        let pool = Arc::clone(&pool);
        move || pool.apply_async(job)
    })
    .expect("apply_async");
    assert!(procs::eventually(LIMIT, || gates.started().len() == 1));
    // A worker is busy and one is idle; dropping must stop both.
    within(LIMIT, "drop the pool", move || drop(pool));
    for pid in workers {
        assert_eq!(
            procs::state(pid.as_raw()),
            None,
            "worker {pid} outlived its pool"
        );
    }
    let result = within(LIMIT, "get", move || handle.get());
    assert_eq!(result, Err(PoolError::Terminated));
}

#[rstest]
#[case::zero(0, false)]
#[case::one(1, false)]
#[case::two(2, true)]
#[case::nine(9, false)]
#[case::ninety_seven(97, true)]
#[case::carmichael(561, false)]
#[case::square_of_a_prime(7919 * 7919, false)]
#[case::large(1_000_000_007, true)]
fn is_prime_by_trial_division(#[case] n: u64, #[case] expected: bool) {
    assert_eq!(is_prime(n), expected);
}

#[test]
fn counts_primes_like_the_tutorial() {
    let count = within(LIMIT, "map is_prime", || {
        let pool = Pool::new(2, is_prime).expect("Pool::new");
        pool.map(0..2000u64)
    })
    .expect("map")
    .into_iter()
    .filter(|&p| p)
    .count();
    assert_eq!(count, 303, "there are 303 primes below 2000");
}
