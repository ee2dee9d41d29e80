use std::sync::mpsc::Receiver;
use std::thread;
use std::time::Duration;

use forklings_support::within;
use thread_locals::pool_context::{Pool, current_user, set_user};

const LIMIT: Duration = Duration::from_secs(5);

fn result<R>(rx: Receiver<R>) -> R {
    rx.recv_timeout(LIMIT).expect("the job never reported back")
}

/// Runs `f` on a new thread whose user is `user`.
fn as_user<R: Send + 'static>(user: &'static str, f: impl FnOnce() -> R + Send + 'static) -> R {
    thread::spawn(move || {
        set_user(Some(user));
        f()
    })
    .join()
    .expect("the sender thread panicked")
}

#[test]
fn a_plain_job_sees_the_pool_threads_value() {
    let (user, thread_name) = within(LIMIT, "Pool::submit", || {
        let pool = Pool::new(1);
        let rx = as_user("alice", move || {
            pool.submit(|| (current_user(), thread::current().name().map(str::to_owned)))
        });
        result(rx)
    });
    assert_eq!(
        user, None,
        "the job ran on a pool thread, which has no user"
    );
    assert_eq!(
        thread_name.as_deref(),
        Some("pool-0"),
        "workers are named pool-0, pool-1..."
    );
}

#[test]
fn the_context_travels_with_the_job() {
    let (alice, bob) = within(LIMIT, "Pool::submit_with_context", || {
        let pool = std::sync::Arc::new(Pool::new(2));
        let p = std::sync::Arc::clone(&pool);
        let alice = as_user("alice", move || p.submit_with_context(current_user));
        let p = std::sync::Arc::clone(&pool);
        let bob = as_user("bob", move || p.submit_with_context(current_user));
        (result(alice), result(bob))
    });
    assert_eq!(alice.as_deref(), Some("alice"));
    assert_eq!(bob.as_deref(), Some("bob"));
}

#[test]
fn the_worker_gets_its_own_value_back() {
    let seen = within(LIMIT, "a worker between jobs", || {
        let pool = std::sync::Arc::new(Pool::new(1));
        // The worker's own value, set by a job that runs on it.
        result(pool.submit(|| set_user(Some("worker"))));
        let p = std::sync::Arc::clone(&pool);
        let carried = result(as_user("alice", move || {
            p.submit_with_context(current_user)
        }));
        let after = result(pool.submit(current_user));
        (carried, after)
    });
    assert_eq!(seen.0.as_deref(), Some("alice"), "the job ran as alice");
    assert_eq!(
        seen.1.as_deref(),
        Some("worker"),
        "after alice's job the worker must be itself again, not alice"
    );
}

#[test]
fn a_panicking_job_gives_the_worker_back_as_itself() {
    let (panicked, after) = within(LIMIT, "a job that panics as alice", || {
        let pool = std::sync::Arc::new(Pool::new(1));
        result(pool.submit(|| set_user(Some("worker"))));
        let p = std::sync::Arc::clone(&pool);
        let failed = as_user("alice", move || {
            p.submit_with_context(|| -> () { panic!("alice's job failed") })
        });
        // The job panicked: its result never comes, the channel closes.
        let panicked = failed.recv_timeout(LIMIT).is_err();
        // The same, only worker runs the next job.
        let after = pool.submit(current_user).recv_timeout(LIMIT);
        (panicked, after)
    });
    assert!(panicked, "a job that panics sends no result");
    assert_eq!(
        after,
        Ok(Some("worker".to_string())),
        "after a job that panicked, the worker is alive and has its own user back (restore it in a Drop)"
    );
}

#[test]
fn the_pool_runs_its_jobs_on_its_own_workers() {
    let names = within(LIMIT, "20 jobs on a pool of two", || {
        let pool = Pool::new(2);
        // The first two jobs wait for each other: both workers must run.
        let both = std::sync::Arc::new(std::sync::Barrier::new(2));
        let jobs: Vec<_> = (0..20)
            .map(|i| {
                let both = std::sync::Arc::clone(&both);
                pool.submit(move || {
                    if i < 2 {
                        both.wait();
                    }
                    thread::current().name().map(str::to_owned)
                })
            })
            .collect();
        let mut names: Vec<Option<String>> = jobs.into_iter().map(result).collect();
        names.sort();
        names.dedup();
        names
    });
    assert_eq!(
        names,
        [Some("pool-0".to_string()), Some("pool-1".to_string())],
        "two workers, pool-0 and pool-1, run every job: not a thread per job"
    );
}

#[test]
fn no_context_is_carried_as_none() {
    let seen = within(LIMIT, "submit_with_context without a user", || {
        let pool = Pool::new(1);
        result(pool.submit(|| set_user(Some("worker"))));
        // This thread has no user: the job runs with none either.
        result(pool.submit_with_context(current_user))
    });
    assert_eq!(seen, None);
}

#[test]
fn many_senders_each_get_their_own_user() {
    let wrong = within(Duration::from_secs(8), "100 jobs from four senders", || {
        let pool = std::sync::Arc::new(Pool::new(2));
        let senders: Vec<_> = ["ann", "ben", "cat", "dan"]
            .into_iter()
            .map(|name| {
                let pool = std::sync::Arc::clone(&pool);
                thread::spawn(move || {
                    set_user(Some(name));
                    let jobs: Vec<_> = (0..25)
                        .map(|_| pool.submit_with_context(current_user))
                        .collect();
                    jobs.into_iter()
                        .map(result)
                        .filter(|user| user.as_deref() != Some(name))
                        .count()
                })
            })
            .collect();
        senders
            .into_iter()
            .map(|s| s.join().expect("a sender panicked"))
            .sum::<usize>()
    });
    assert_eq!(wrong, 0, "jobs ran with another sender's user");
}

#[test]
fn dropping_the_pool_finishes_the_queued_jobs() {
    let results = within(LIMIT, "Pool::drop", || {
        let pool = Pool::new(2);
        let pending: Vec<_> = (0..20u32)
            .map(|i| {
                pool.submit(move || {
                    thread::sleep(Duration::from_millis(1));
                    i * i
                })
            })
            .collect();
        drop(pool);
        // Every job is done once drop returns: no waiting here.
        pending
            .into_iter()
            .map(|rx| rx.try_recv().ok())
            .collect::<Vec<_>>()
    });
    let expected: Vec<Option<u32>> = (0..20).map(|i| Some(i * i)).collect();
    assert_eq!(
        results, expected,
        "drop must run the queued jobs and join the workers"
    );
}
