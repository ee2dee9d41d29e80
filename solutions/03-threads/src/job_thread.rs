//! The subclassing way, a job trait: the reference solution. The statement
//! is in `chapters/03-threads/src/job_thread.rs`.

use std::io;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::named_thread::{self, ThreadFailed};

/// Work with its own state that runs on a thread of its own: Python's
/// `Thread` subclass with `run` overridden.
pub trait Job: Send + 'static {
    /// The name of the thread that runs this job.
    fn name(&self) -> String;
    /// The work; it may change the job's own state.
    fn run(&mut self);
}

/// Whether `run` is over, and a condvar to wait for it.
#[derive(Default)]
struct End {
    over: Mutex<bool>,
    changed: Condvar,
}

/// Marks the end on drop: at the end of the thread's closure, whether `run`
/// returned or the thread is unwinding from a panic.
struct EndSignal(Arc<End>);

impl Drop for EndSignal {
    fn drop(&mut self) {
        *self.0.over.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.0.changed.notify_all();
    }
}

/// A job running (or finished) on its own thread.
pub struct JobThread<J: Job> {
    name: String,
    handle: JoinHandle<J>,
    end: Arc<End>,
}

impl<J: Job> JobThread<J> {
    /// Starts `job.run()` on a new thread named `job.name()`.
    pub fn start(mut job: J) -> io::Result<JobThread<J>> {
        let name = job.name();
        let end = Arc::new(End::default());
        let signal = EndSignal(Arc::clone(&end));
        let handle = thread::Builder::new().name(name.clone()).spawn(move || {
            let _end = signal;
            job.run();
            job
        })?;
        Ok(JobThread { name, handle, end })
    }

    /// The thread's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// True until `run` has returned or panicked.
    pub fn is_alive(&self) -> bool {
        !*self.end.over.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until the thread ends or `timeout` passes, whichever is first;
    /// true if it has ended (then `join` returns without waiting).
    pub fn join_timeout(&self, timeout: Duration) -> bool {
        // One deadline for the whole wait: a wake-up that finds the job
        // still running waits only for what is left.
        let deadline = Instant::now() + timeout;
        let mut over = self.end.over.lock().unwrap_or_else(|e| e.into_inner());
        while !*over {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            over = self
                .end
                .changed
                .wait_timeout(over, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        true
    }

    /// Waits for the thread: the job, changed by `run`, or its panic.
    pub fn join(self) -> Result<J, ThreadFailed> {
        named_thread::join(self.handle)
    }
}

/// Starts every job on its own thread, then joins them all: the jobs back
/// (or their panics), in the order given.
pub fn run_jobs<J: Job>(jobs: Vec<J>) -> io::Result<Vec<Result<J, ThreadFailed>>> {
    let started = jobs
        .into_iter()
        .map(JobThread::start)
        .collect::<io::Result<Vec<_>>>()?;
    Ok(started.into_iter().map(JobThread::join).collect())
}
