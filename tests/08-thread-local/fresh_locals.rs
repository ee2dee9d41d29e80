use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier, Mutex, mpsc};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use forklings_support::{procs, within};
use thread_locals::fresh_locals::{
    ForkReport, count_threads, fork_and_report, visit, visits, visits_in_new_thread,
};

use crate::allocations::{CHILD_ALLOCATED, allocations, trap_forked_children};
use crate::alone::alone;

const LIMIT: Duration = Duration::from_secs(5);

#[test]
fn visits_count_per_thread() {
    let (counts, here, fresh) = within(LIMIT, "visit", || {
        let counts: Vec<u32> = (0..5).map(|_| visit()).collect();
        (counts, visits(), visits_in_new_thread())
    });
    assert_eq!(counts, [1, 2, 3, 4, 5]);
    assert_eq!(here, 5);
    assert_eq!(fresh, 0, "a new thread starts with fresh thread-locals");
}

/// `n` threads of the test's own, parked until the returned sender is
/// dropped.
fn park_threads(n: usize) -> (mpsc::Sender<()>, Vec<JoinHandle<()>>) {
    let parked = Arc::new(Barrier::new(n + 1));
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let release_rx = Arc::new(Mutex::new(release_rx));
    let threads = (0..n)
        .map(|_| {
            let (parked, release_rx) = (Arc::clone(&parked), Arc::clone(&release_rx));
            thread::spawn(move || {
                parked.wait();
                let _ = release_rx.lock().unwrap().recv_timeout(LIMIT);
            })
        })
        .collect();
    parked.wait();
    (release_tx, threads)
}

fn release(parked: (mpsc::Sender<()>, Vec<JoinHandle<()>>)) {
    let (release_tx, threads) = parked;
    drop(release_tx);
    threads
        .into_iter()
        .for_each(|t| t.join().expect("a parked thread panicked"));
}

/// `fork_and_report`, with a failure explained.
fn fork_and_report_or_explain(helper_visits: u32) -> ForkReport {
    trap_forked_children();
    fork_and_report(helper_visits).unwrap_or_else(|e| {
        panic!(
            "fork_and_report failed: {e}. (A forked child that allocates memory, through \
             std::fs, format!, a Vec or println!, is stopped by the test with exit code \
             {CHILD_ALLOCATED} before it can write its report.)"
        )
    })
}

#[test]
fn count_threads_sees_live_threads() {
    let (few, many) = within(LIMIT, "count_threads", || {
        let count_with_parked = |n: usize| {
            let parked = park_threads(n);
            let counted = count_threads();
            release(parked);
            counted
        };
        (count_with_parked(3), count_with_parked(33))
    });
    // Other tests run threads in this process too: only a lower bound holds.
    assert!(
        few >= 5,
        "counted {few} threads; the main thread, this one and 3 parked ones are alive"
    );
    // 30 more parked threads; leave room for other tests' threads ending.
    assert!(
        many >= few + 20,
        "counted {few} threads with 3 parked, {many} with 33 parked: count the live threads"
    );
}

#[test]
fn count_threads_allocates_nothing() {
    let allocated = within(LIMIT, "count_threads", || {
        count_threads();
        let start = allocations();
        let counted = count_threads();
        (counted, allocations() - start)
    });
    assert!(allocated.0 >= 1, "counted {} threads", allocated.0);
    assert_eq!(
        allocated.1, 0,
        "count_threads allocated {} times: a forked child may not allocate (no std::fs, no Vec)",
        allocated.1
    );
}

#[test]
fn the_forked_child_has_one_thread_and_a_copy_of_its_locals() {
    let (report, sibling_left_alone) = within(LIMIT, "fork_and_report", || {
        // Another child of this process, already ended and not reaped yet:
        // it is not fork_and_report's to reap.
        let mut sibling = Command::new("true")
            .stdin(Stdio::null())
            .spawn()
            .expect("could not start `true`");
        let sibling_pid = sibling.id() as i32;
        let ended = procs::eventually(LIMIT, || procs::is_zombie(sibling_pid));
        for _ in 0..3 {
            visit();
        }
        let report = fork_and_report_or_explain(7);
        let left_alone = !ended || procs::is_zombie(sibling_pid);
        let _ = sibling.wait();
        (report, left_alone)
    });
    assert!(
        report.threads_before >= 3,
        "before the fork the main thread, the forking thread and the helper were alive, yet {} counted",
        report.threads_before
    );
    assert_eq!(
        report.threads_in_child, 1,
        "after fork only the forking thread exists"
    );
    assert_eq!(
        report.visits_in_child, 3,
        "the child has a copy of the forking thread's thread-locals (3), not the helper's (7)"
    );
    assert_eq!(
        procs::state(report.child.as_raw()),
        None,
        "the child was not reaped"
    );
    assert!(
        sibling_left_alone,
        "another child of this process was reaped: wait for your own child's PID, not any child"
    );
}

/// The threads of this process, once every thread that has ended is gone
/// from `/proc/self/task` (a joined thread may linger there a moment).
fn live_threads() -> usize {
    let deadline = std::time::Instant::now() + LIMIT;
    loop {
        let states: Vec<Option<char>> = std::fs::read_dir("/proc/self/task")
            .expect("read /proc/self/task")
            .flatten()
            .map(|task| {
                let stat = std::fs::read_to_string(task.path().join("stat")).ok()?;
                let rest = &stat[stat.rfind(')')? + 1..];
                rest.split_whitespace().next()?.chars().next()
            })
            .collect();
        let ended = states
            .iter()
            .filter(|s| !matches!(s, Some(c) if *c != 'Z' && *c != 'X'))
            .count();
        if ended == 0 || std::time::Instant::now() > deadline {
            return states.len() - ended;
        }
        thread::sleep(Duration::from_millis(1));
    }
}

/// In a process of its own the test knows every thread there is: the
/// threads counted before the fork are exactly those, plus the helper.
#[test]
fn the_helper_is_alive_and_counted_at_the_fork() {
    alone(
        "fresh_locals::the_helper_is_alive_and_counted_at_the_fork",
        || {
            let counts = within(LIMIT, "fork_and_report in a process of its own", || {
                [0, 7].map(|extra| {
                    let parked = park_threads(extra);
                    let here = live_threads();
                    let report = fork_and_report_or_explain(2);
                    release(parked);
                    (here, report.threads_before)
                })
            });
            for (here, before) in counts {
                assert_eq!(
                    before,
                    here + 1,
                    "{here} threads were alive besides the helper, and threads_before is {before}: \
                     count the threads while the helper is alive, just before the fork"
                );
            }
        },
    );
}
