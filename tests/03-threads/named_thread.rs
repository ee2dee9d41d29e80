use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use forklings_support::{snapshot_settings, within};
use rstest::rstest;
use threads::named_thread::{ThreadFailed, UNNAMED, current_name, join, log_line, run_all, start};

use crate::meeting::Meeting;

const LIMIT: Duration = Duration::from_secs(10);
/// How long a job waits for the others before it reports that it ran alone.
const TOGETHER: Duration = Duration::from_secs(3);
/// How long the first job goes on after every other job has ended: long
/// enough that a `run_all` that takes results as threads finish sees the
/// others finish first, even if it is scheduled late on a busy machine.
const LINGER: Duration = Duration::from_millis(300);

/// A call chain that knows nothing of the thread it runs on.
fn deep_inside(depth: u32) -> String {
    if depth == 0 {
        log_line("reached the bottom")
    } else {
        deep_inside(depth - 1)
    }
}

#[rstest]
#[case::short("reader-7")]
#[case::long_and_not_ascii("écrivain-numéro-sept, le plus long")]
fn the_name_is_read_deep_inside_the_thread(#[case] name: &'static str) {
    let (line, named) = within(LIMIT, "start and join", move || {
        let handle = start(name, || deep_inside(5)).expect("start");
        let named = handle.thread().name().map(str::to_string);
        (handle.join().expect("the thread ends normally"), named)
    });
    assert_eq!(
        named.as_deref(),
        Some(name),
        "the thread itself has the name"
    );
    assert_eq!(line, format!("[{name}] reached the bottom"));
}

#[test]
fn current_name_is_the_threads_own() {
    let (unnamed, named, here) = within(LIMIT, "current_name on three threads", || {
        let unnamed = thread::spawn(current_name).join().unwrap();
        let named = thread::Builder::new()
            .name("named by std".into())
            .spawn(current_name)
            .unwrap()
            .join()
            .unwrap();
        let here = (current_name(), thread::current().name().map(str::to_string));
        (unnamed, named, here)
    });
    assert_eq!(unnamed, UNNAMED, "a thread started without a name");
    assert_eq!(named, "named by std");
    assert_eq!(Some(here.0), here.1, "the calling thread's own name");
}

#[test]
fn join_gives_the_value_computed_on_the_other_thread() {
    let (outcome, caller) = within(LIMIT, "start and join", || {
        let handle = start("squarer", || (thread::current().id(), 7 * 7)).expect("start");
        (join(handle), thread::current().id())
    });
    let (worker, value) = outcome.expect("the thread returned normally");
    assert_eq!(value, 49);
    assert_ne!(worker, caller, "the target ran on a thread of its own");
}

#[rstest]
#[case::a_literal(|| panic!("the disk is full"), "the disk is full")]
#[case::formatted(|| panic!("{} of {} files copied", 3, 4), "3 of 4 files copied")]
#[case::not_a_string(|| std::panic::panic_any(42_u32), "(no message)")]
fn a_panic_comes_back_as_that_threads_error(#[case] body: fn() -> u32, #[case] message: &str) {
    let outcome = within(LIMIT, "start and join a panicking thread", move || {
        join(start("fragile-worker", body).expect("start"))
    });
    assert_eq!(
        outcome,
        Err(ThreadFailed {
            thread: "fragile-worker".into(),
            message: message.into(),
        })
    );
}

#[test]
fn a_panic_on_an_unnamed_thread_names_no_thread() {
    let outcome = within(LIMIT, "join an unnamed thread", || {
        join(thread::spawn(|| -> u8 { panic!("lost in the crowd") }))
    });
    let failed = outcome.expect_err("the thread panicked");
    assert_eq!(failed.thread, UNNAMED);
    assert_eq!(failed.message, "lost in the crowd");
}

#[test]
fn thread_failed_reads_like_a_sentence() {
    let failed = ThreadFailed {
        thread: "fragile-worker".into(),
        message: "the disk is full".into(),
    };
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("thread_failed", failed.to_string());
    });
}

/// Job `i` may finish only once job `i + 1` has: the last job finishes
/// first. Run one after another, job 0 would wait for a job not started.
#[test]
fn run_all_gives_results_in_job_order_whatever_order_they_finish_in() {
    const JOBS: usize = 5;
    let results = within(LIMIT, "run_all", || {
        let (done_tx, done_rx): (Vec<_>, Vec<_>) = (0..JOBS).map(|_| mpsc::channel::<()>()).unzip();
        let mut next_done: Vec<Option<mpsc::Receiver<()>>> =
            done_rx.into_iter().map(Some).collect();
        let jobs: Vec<_> = done_tx
            .into_iter()
            .enumerate()
            .map(|(i, my_done)| {
                let after = next_done.get_mut(i + 1).and_then(Option::take);
                let job = move || {
                    let waited = after.is_none_or(|rx| rx.recv_timeout(TOGETHER).is_ok());
                    let line = log_line(&format!("{} squared is {}", i, i * i));
                    let _ = my_done.send(());
                    if i == 0 {
                        thread::sleep(LINGER);
                    }
                    (line, waited)
                };
                (format!("job-{i}"), job)
            })
            .collect();
        run_all(jobs).expect("run_all")
    });
    let results: Vec<_> = results
        .into_iter()
        .map(|r| r.expect("no job panicked"))
        .collect();
    for (i, (line, waited)) in results.iter().enumerate() {
        assert!(
            waited,
            "job {i} waited for job {} to finish, which never came: were the jobs run one after another?",
            i + 1
        );
        assert_eq!(
            line,
            &format!("[job-{i}] {i} squared is {}", i * i),
            "result {i}"
        );
    }
}

#[test]
fn run_all_runs_every_job_on_its_own_thread_at_the_same_time() {
    const JOBS: usize = 4;
    let (results, caller) = within(LIMIT, "run_all", || {
        let meeting = std::sync::Arc::new(Meeting::new(JOBS));
        let jobs: Vec<_> = (0..JOBS)
            .map(|i| {
                let meeting = meeting.clone();
                let job = move || {
                    (
                        current_name(),
                        thread::current().id(),
                        meeting.arrive(TOGETHER),
                    )
                };
                (format!("worker-{i}"), job)
            })
            .collect();
        (run_all(jobs).expect("run_all"), thread::current().id())
    });
    let mut ids = Vec::new();
    for (i, result) in results.into_iter().enumerate() {
        let (name, id, met) = result.expect("no job panicked");
        assert_eq!(name, format!("worker-{i}"));
        assert!(met, "worker-{i} never saw all {JOBS} jobs running at once");
        assert_ne!(id, caller, "worker-{i} ran on the calling thread");
        ids.push(id);
    }
    ids.sort_by_key(|id| format!("{id:?}"));
    ids.dedup();
    assert_eq!(ids.len(), JOBS, "one thread per job");
}

#[test]
fn one_panic_is_that_jobs_error_and_the_others_still_give_their_values() {
    let results = within(LIMIT, "run_all", || {
        let jobs: Vec<_> = (0..4_u32)
            .map(|i| {
                let job = move || {
                    if i == 2 {
                        panic!("job {i} failed");
                    }
                    i * 10
                };
                (format!("job-{i}"), job)
            })
            .collect();
        run_all(jobs).expect("run_all")
    });
    assert_eq!(
        results,
        vec![
            Ok(0),
            Ok(10),
            Err(ThreadFailed {
                thread: "job-2".into(),
                message: "job 2 failed".into(),
            }),
            Ok(30),
        ]
    );
}
