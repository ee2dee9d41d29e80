use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use forklings_support::procs::eventually;
use forklings_support::within;
use threads::job_thread::{Job, JobThread, run_jobs};
use threads::named_thread::ThreadFailed;

use crate::meeting::Meeting;

const LIMIT: Duration = Duration::from_secs(15);
/// Long enough that a `join_timeout` which waits it out is caught, short
/// enough that a slow machine ends a job well within it.
const GENEROUS: Duration = Duration::from_secs(8);

/// Python's classic subclass: state set up front, changed by `run`.
struct Tally {
    label: &'static str,
    numbers: Vec<u64>,
    total: u64,
    ran_on: Option<(String, ThreadId)>,
}

impl Tally {
    fn new(label: &'static str, numbers: Vec<u64>) -> Tally {
        Tally {
            label,
            numbers,
            total: 0,
            ran_on: None,
        }
    }
}

impl Job for Tally {
    fn name(&self) -> String {
        format!("tally-{}", self.label)
    }

    fn run(&mut self) {
        for n in &self.numbers {
            self.total += n;
        }
        let me = thread::current();
        self.ran_on = Some((me.name().unwrap_or("").to_string(), me.id()));
    }
}

#[test]
fn the_jobs_changes_come_back_with_it() {
    let (job, caller) = within(LIMIT, "start and join", || {
        let started = JobThread::start(Tally::new("a", vec![1, 2, 3, 4])).expect("start");
        assert_eq!(started.name(), "tally-a");
        (started.join(), thread::current().id())
    });
    let job = job.expect("run did not panic");
    assert_eq!(job.total, 10, "the job's own state, changed by run");
    let (name, id) = job.ran_on.expect("run ran");
    assert_eq!(name, "tally-a", "run ran on a thread named after the job");
    assert_ne!(id, caller, "run ran on a thread of its own");
}

/// A job that runs until the test lets it go, or panics when told to.
struct Gate {
    open: Option<Receiver<bool>>,
}

impl Job for Gate {
    fn name(&self) -> String {
        "gate".into()
    }

    fn run(&mut self) {
        let open = self.open.take().expect("run once");
        if open.recv_timeout(Duration::from_secs(30)) == Ok(true) {
            panic!("told to fail");
        }
    }
}

fn gate() -> (mpsc::Sender<bool>, Gate) {
    let (tx, rx) = mpsc::channel();
    (tx, Gate { open: Some(rx) })
}

#[test]
fn is_alive_until_run_returns() {
    within(LIMIT, "a job held by the test", || {
        let (release, job) = gate();
        let started = JobThread::start(job).expect("start");
        assert!(started.is_alive(), "run has not returned yet");
        thread::sleep(Duration::from_millis(50));
        assert!(started.is_alive(), "run still has not returned");
        release.send(false).unwrap();
        assert!(started.join_timeout(GENEROUS), "the job ended");
        // The thread may still be on its way out: give it a moment.
        assert!(
            eventually(GENEROUS, || !started.is_alive()),
            "run has returned"
        );
        started.join().expect("run did not panic");
    });
}

#[test]
fn join_timeout_gives_up_while_the_job_runs() {
    within(LIMIT, "join_timeout on a running job", || {
        let (release, job) = gate();
        let started = JobThread::start(job).expect("start");
        let asked = Duration::from_millis(300);
        let start = Instant::now();
        let ended = started.join_timeout(asked);
        let waited = start.elapsed();
        assert!(!ended, "the job is still running");
        assert!(
            waited >= asked,
            "gave up after {waited:?}, before the {asked:?} asked"
        );
        assert!(started.is_alive(), "giving up does not stop the thread");
        // A second wait gives up too, then the job ends and is joined.
        assert!(!started.join_timeout(Duration::from_millis(50)));
        release.send(false).unwrap();
        assert!(started.join_timeout(GENEROUS));
        started.join().expect("run did not panic");
    });
}

#[test]
fn join_timeout_returns_as_soon_as_the_job_ends() {
    within(LIMIT, "join_timeout on a job that ends", || {
        let (release, job) = gate();
        let started = JobThread::start(job).expect("start");
        let releaser = thread::spawn(move || {
            thread::sleep(Duration::from_millis(100));
            release.send(false).unwrap();
        });
        let start = Instant::now();
        assert!(started.join_timeout(GENEROUS * 2), "the job ended");
        let waited = start.elapsed();
        assert!(
            waited < GENEROUS,
            "join_timeout took {waited:?} for a job that ended after 100 ms: it waited out its timeout"
        );
        // Once ended, a later wait says so at once, however often asked.
        assert!(started.join_timeout(Duration::ZERO));
        assert!(started.join_timeout(Duration::ZERO));
        releaser.join().unwrap();
        started.join().expect("run did not panic");
    });
}

#[test]
fn a_job_that_panics_ends_too_and_join_says_why() {
    let (ended, waited, alive, joined) = within(LIMIT, "a panicking job", || {
        let (release, job) = gate();
        let started = JobThread::start(job).expect("start");
        release.send(true).unwrap();
        let start = Instant::now();
        let ended = started.join_timeout(GENEROUS * 2);
        let waited = start.elapsed();
        let alive = !eventually(GENEROUS, || !started.is_alive());
        (ended, waited, alive, started.join().map(|_| ()))
    });
    assert!(ended, "a job that panicked has ended");
    assert!(
        waited < GENEROUS,
        "join_timeout took {waited:?}: was the end signalled only when run returned?"
    );
    assert!(!alive, "a panicked job is not alive");
    assert_eq!(
        joined,
        Err(ThreadFailed {
            thread: "gate".into(),
            message: "told to fail".into(),
        })
    );
}

/// Every job of the batch waits for all the others to be running.
struct Together {
    index: usize,
    meeting: Arc<Meeting>,
    met: bool,
    ran_on: Option<ThreadId>,
}

impl Job for Together {
    fn name(&self) -> String {
        format!("together-{}", self.index)
    }

    fn run(&mut self) {
        self.ran_on = Some(thread::current().id());
        self.met = self.meeting.arrive(Duration::from_secs(3));
        if self.index == 3 {
            panic!("job {} gives up", self.index);
        }
    }
}

#[test]
fn run_jobs_runs_them_at_once_and_gives_them_back_in_order() {
    const JOBS: usize = 5;
    let (results, caller) = within(LIMIT, "run_jobs", || {
        let meeting = Arc::new(Meeting::new(JOBS));
        let jobs = (0..JOBS)
            .map(|index| Together {
                index,
                meeting: meeting.clone(),
                met: false,
                ran_on: None,
            })
            .collect();
        (run_jobs(jobs).expect("run_jobs"), thread::current().id())
    });
    assert_eq!(results.len(), JOBS);
    let mut ids = Vec::new();
    for (i, result) in results.into_iter().enumerate() {
        if i == 3 {
            assert_eq!(
                result.map(|_| ()),
                Err(ThreadFailed {
                    thread: "together-3".into(),
                    message: "job 3 gives up".into(),
                })
            );
            continue;
        }
        let job = result.unwrap_or_else(|e| panic!("job {i}: {e}"));
        assert_eq!(job.index, i, "the jobs come back in the order given");
        assert!(job.met, "job {i} never saw all {JOBS} jobs running at once");
        let id = job.ran_on.expect("run ran");
        assert_ne!(id, caller, "job {i} ran on the calling thread");
        ids.push(format!("{id:?}"));
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), JOBS - 1, "one thread per job");
}
