use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use forklings_support::{procs, within};
use thread_locals::fresh_locals::{
    count_threads, fork_and_report, visit, visits, visits_in_new_thread,
};

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

#[test]
fn count_threads_sees_live_threads() {
    let (few, many) = within(LIMIT, "count_threads", || {
        // Parks `n` threads, counts, lets them go; returns the count.
        let count_with_parked = |n: usize| {
            let parked = Arc::new(Barrier::new(n + 1));
            let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
            let release_rx = Arc::new(std::sync::Mutex::new(release_rx));
            let threads: Vec<_> = (0..n)
                .map(|_| {
                    let (parked, release_rx) = (Arc::clone(&parked), Arc::clone(&release_rx));
                    thread::spawn(move || {
                        parked.wait();
                        let _ = release_rx.lock().unwrap().recv_timeout(LIMIT);
                    })
                })
                .collect();
            parked.wait();
            let counted = count_threads();
            drop(release_tx);
            threads
                .into_iter()
                .for_each(|t| t.join().expect("a parked thread panicked"));
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
fn the_forked_child_has_one_thread_and_a_copy_of_its_locals() {
    let report = within(LIMIT, "fork_and_report", || {
        for _ in 0..3 {
            visit();
        }
        fork_and_report(7).expect("fork failed")
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
}
