//! # Exercise: the subclassing way, a job trait
//!
//! The other way to make a Python thread is to subclass `Thread` and
//! override `run`. The object carries its own state, and since threads
//! share memory, what `run` changes is there for the caller after `join`
//! (chapter 1's processes changed only the child's copy):
//!
//! ```python
//! class Tally(threading.Thread):
//!     def __init__(self, numbers):
//!         super().__init__(name="tally")
//!         self.numbers, self.total = numbers, 0
//!     def run(self):
//!         for n in self.numbers:
//!             self.total += n
//!
//! t = Tally([1, 2, 3])
//! t.start()
//! t.join(timeout=0.5)      # gives up after 0.5 s; the thread runs on
//! if not t.is_alive():
//!     print(t.total)       # 6: the thread changed this very object
//! ```
//!
//! In Rust a trait plays the subclass: a type implements [`Job`], and the
//! job *moves* into its thread, so no other thread can touch its state
//! while `run` changes it. `join` moves it back, changed.
//!
//! - [`JobThread::start`] starts `job.run()` on a new thread named
//!   `job.name()`; the thread hands the job back when `run` returns.
//! - [`JobThread::is_alive`]: true until `run` has returned or panicked.
//! - [`JobThread::join_timeout`]: Python's `join(timeout)`. Waits until
//!   the thread ends or the timeout passes, whichever comes first, and says
//!   whether it ended. `JoinHandle` has no timed join: have the thread
//!   signal its end (a channel, or a `Mutex<bool>` and a `Condvar`), and
//!   make sure it signals even when `run` panics (a value whose `Drop`
//!   sends runs during unwinding too).
//! - [`JobThread::join`]: the job back with its state, or the panic as a
//!   `ThreadFailed` (your `named_thread::join` does it).
//! - [`run_jobs`]: the one helper that starts every job and then joins
//!   them all; the jobs come back in the order given.
//!
//! The tests check that the job's changes come back, that `run` runs on its
//! own thread with the job's name, `is_alive` before and after the end,
//! that `join_timeout` neither returns early while the job runs nor waits
//! out its timeout once the job has ended (also by a panic), and that
//! `run_jobs` runs the jobs at the same time and gives them back in order.
//!
//! Stuck? `cargo course hint job_thread`.

use std::io;
use std::marker::PhantomData;
use std::time::Duration;

use crate::named_thread::ThreadFailed;

/// Work with its own state that runs on a thread of its own: Python's
/// `Thread` subclass with `run` overridden.
pub trait Job: Send + 'static {
    /// The name of the thread that runs this job.
    fn name(&self) -> String;
    /// The work; it may change the job's own state.
    fn run(&mut self);
}

/// A job running (or finished) on its own thread.
///
/// Its fields are yours to choose: the thread's name, its `JoinHandle`
/// (which gives the job back), and whatever signals the end.
pub struct JobThread<J: Job> {
    _todo: PhantomData<J>,
}

impl<J: Job> JobThread<J> {
    /// Starts `job.run()` on a new thread named `job.name()`.
    pub fn start(job: J) -> io::Result<JobThread<J>> {
        todo!()
    }

    /// The thread's name.
    pub fn name(&self) -> &str {
        todo!()
    }

    /// True until `run` has returned or panicked.
    pub fn is_alive(&self) -> bool {
        todo!()
    }

    /// Waits until the thread ends or `timeout` passes, whichever is first;
    /// true if it has ended (then `join` returns without waiting).
    pub fn join_timeout(&self, timeout: Duration) -> bool {
        todo!()
    }

    /// Waits for the thread: the job, changed by `run`, or its panic.
    pub fn join(self) -> Result<J, ThreadFailed> {
        todo!()
    }
}

/// Starts every job on its own thread, then joins them all: the jobs back
/// (or their panics), in the order given.
pub fn run_jobs<J: Job>(jobs: Vec<J>) -> io::Result<Vec<Result<J, ThreadFailed>>> {
    todo!()
}
