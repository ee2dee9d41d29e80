use std::sync::Arc;
use std::time::{Duration, Instant};

use forklings_support::{procs, within};
use processes::pool::PoolError;
use processes::pool_executor::{Executor, ExecutorError};
use rstest::rstest;

use crate::jobs::{GateDir, Job, run};

const LIMIT: Duration = Duration::from_secs(8);
/// A timeout far beyond `LIMIT`, for results that should come early: a
/// `result` that sleeps out its timeout before looking fails.
const PATIENCE: Option<Duration> = Some(Duration::from_secs(600));

fn executor(workers: usize) -> Arc<Executor<Job, i64>> {
    Arc::new(Executor::new(workers, run).expect("Executor::new"))
}

#[rstest]
#[case::square(Job::Square(7), Ok(49))]
#[case::panic(Job::Panic("no".into()), Err(ExecutorError::Failed(PoolError::Panicked("no".into()))))]
#[case::worker_exits(Job::Exit(5), Err(ExecutorError::Failed(PoolError::WorkerDied("exited with code 5".into()))))]
fn result_is_the_value_or_the_tasks_error(
    #[case] job: Job,
    #[case] expected: Result<i64, ExecutorError>,
) {
    let ex = executor(1);
    let (result, asked_again, done, again) = within(LIMIT, "submit and result", move || {
        let future = ex.submit(job).expect("submit");
        let result = future.result(PATIENCE);
        let asked_again = future.result(Some(Duration::ZERO));
        let again = ex.submit(Job::Square(3)).expect("submit").result(PATIENCE);
        (result, asked_again, future.done(), again)
    });
    assert_eq!(result, expected);
    assert_eq!(
        asked_again, expected,
        "result() asked again gives the same answer"
    );
    assert!(done, "done() once result() returned");
    assert_eq!(again, Ok(9), "the executor keeps serving after any result");
}

#[test]
fn exception_is_the_tasks_error_or_none() {
    let ex = executor(2);
    let (ok, failed) = within(LIMIT, "exception", move || {
        let ok = ex.submit(Job::Square(2)).expect("submit");
        let failed = ex.submit(Job::Panic("broken".into())).expect("submit");
        (ok.exception(PATIENCE), failed.exception(PATIENCE))
    });
    assert_eq!(ok, Ok(None), "a task that succeeded has no exception");
    assert_eq!(failed, Ok(Some(PoolError::Panicked("broken".into()))));
}

#[test]
fn result_times_out_while_the_task_runs() {
    let gates = GateDir::new();
    let ex = executor(1);
    let future = {
        let ex = Arc::clone(&ex);
        let job = gates.job("slow");
        within(LIMIT, "submit", move || ex.submit(job)).expect("submit")
    };
    let future = Arc::new(future);
    let watched = Arc::clone(&future);
    assert!(
        procs::eventually(LIMIT, move || watched.running()),
        "running() while a worker holds the task"
    );
    let early = {
        let future = Arc::clone(&future);
        within(LIMIT, "result with a timeout", move || {
            let start = Instant::now();
            let result = future.result(Some(Duration::from_millis(100)));
            let exception = future.exception(Some(Duration::from_millis(10)));
            (result, start.elapsed(), exception, future.done())
        })
    };
    assert_eq!(early.0, Err(ExecutorError::Timeout));
    assert!(
        early.1 >= Duration::from_millis(100),
        "result(100 ms) returned after {:?}",
        early.1
    );
    assert_eq!(
        early.2,
        Err(ExecutorError::Timeout),
        "exception() times out too"
    );
    assert!(!early.3, "not done() while running");
    gates.open();
    let late = within(LIMIT, "result", move || {
        (future.result(PATIENCE), future.running())
    });
    assert!(
        matches!(late.0, Ok(pid) if pid > 0),
        "result once released: {late:?}"
    );
    assert!(!late.1, "not running() once done");
}

#[test]
fn cancel_succeeds_only_before_the_task_starts() {
    let gates = GateDir::new();
    let ex = executor(1);
    let touched = gates.path("cancelled-task-ran");
    let (first, second) = {
        let ex = Arc::clone(&ex);
        let job = gates.job("busy");
        let touch = Job::Touch(touched.clone());
        within(LIMIT, "submit two", move || {
            let first = ex.submit(job).expect("submit");
            (first, ex.submit(touch).expect("submit"))
        })
    };
    let first = Arc::new(first);
    let watched = Arc::clone(&first);
    // The only worker is held by the first task: the second cannot start.
    assert!(procs::eventually(LIMIT, move || watched.running()));
    // An executor that takes tasks off the queue ahead of its workers (more
    // dispatchers than workers) marks the second running soon after: give
    // it the time to, so that it is not caught only when it is slow.
    let pending_running = procs::eventually(Duration::from_secs(1), || second.running());
    let (cancel_second, cancel_first, cancelled, done) = (
        second.cancel(),
        first.cancel(),
        second.cancelled(),
        second.done(),
    );
    assert!(!pending_running, "a queued task is not running");
    assert!(
        cancel_second,
        "cancel() of a task that has not started succeeds"
    );
    assert!(!cancel_first, "cancel() of a running task fails");
    assert!(
        cancelled && done,
        "a cancelled future is cancelled() and done()"
    );
    assert!(!first.cancelled());
    gates.open();
    let results = within(LIMIT, "results and shutdown", move || {
        let results = (
            first.result(PATIENCE),
            second.result(PATIENCE),
            second.exception(PATIENCE),
        );
        ex.shutdown(true);
        results
    });
    assert!(matches!(results.0, Ok(pid) if pid > 0), "{results:?}");
    assert_eq!(results.1, Err(ExecutorError::Cancelled));
    assert_eq!(results.2, Err(ExecutorError::Cancelled));
    assert!(
        !touched.exists(),
        "the cancelled task ran anyway (it wrote {})",
        touched.display()
    );
}

#[test]
fn submit_after_shutdown_is_an_error() {
    let ex = executor(1);
    let submitted = within(LIMIT, "shutdown, submit", move || {
        ex.shutdown(true);
        ex.submit(Job::Square(1)).map(|_| ())
    });
    assert_eq!(submitted.err(), Some(ExecutorError::Shutdown));
}

#[test]
fn shutdown_with_wait_finishes_every_submitted_task() {
    let ex = executor(2);
    let (all_done, results) = within(LIMIT, "submit, shutdown(true)", move || {
        let futures: Vec<_> = (1..=5)
            .map(|n| ex.submit(Job::SlowSquare(n, 20)).expect("submit"))
            .collect();
        ex.shutdown(true);
        let all_done = futures.iter().all(|f| f.done());
        let results: Vec<_> = futures
            .iter()
            .map(|f| f.result(Some(Duration::ZERO)))
            .collect();
        (all_done, results)
    });
    assert!(
        all_done,
        "shutdown(true) returned before every task was done"
    );
    assert_eq!(results, vec![Ok(1), Ok(4), Ok(9), Ok(16), Ok(25)]);
}

#[test]
fn shutdown_without_wait_returns_while_tasks_run() {
    let gates = GateDir::new();
    let ex = executor(1);
    let future = {
        let ex = Arc::clone(&ex);
        let job = gates.job("held");
        within(LIMIT, "submit", move || ex.submit(job)).expect("submit")
    };
    let future = Arc::new(future);
    let watched = Arc::clone(&future);
    assert!(procs::eventually(LIMIT, move || watched.running()));
    let (refused, done) = {
        let ex = Arc::clone(&ex);
        let future = Arc::clone(&future);
        within(LIMIT, "shutdown(false) while a task is held", move || {
            ex.shutdown(false);
            (ex.submit(Job::Square(1)).err(), future.done())
        })
    };
    assert_eq!(refused, Some(ExecutorError::Shutdown));
    assert!(
        !done,
        "shutdown(false) does not wait, and does not stop the running task"
    );
    gates.open();
    let result = within(LIMIT, "result after shutdown(false)", move || {
        future.result(PATIENCE)
    });
    assert!(matches!(result, Ok(pid) if pid > 0), "{result:?}");
}
