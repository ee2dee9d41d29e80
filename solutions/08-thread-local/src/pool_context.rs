//! Context carried to a pool thread: the reference solution. The statement
//! is in `chapters/08-thread-local/src/pool_context.rs`.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};

use crossbeam::channel::{self, Sender};

thread_local! {
    static USER: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Sets (or clears) this thread's user.
pub fn set_user(user: Option<&str>) {
    USER.set(user.map(str::to_owned));
}

/// This thread's user.
pub fn current_user() -> Option<String> {
    USER.with_borrow(Clone::clone)
}

type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of worker threads, `pool-0`, `pool-1`..., running jobs from
/// one queue.
pub struct Pool {
    queue: Option<Sender<Job>>,
    workers: Vec<JoinHandle<()>>,
}

/// Puts the worker's own user back when the job is over, even if it panics.
struct Restore(Option<String>);

impl Drop for Restore {
    fn drop(&mut self) {
        USER.set(self.0.take());
    }
}

impl Pool {
    /// Starts `workers` worker threads.
    pub fn new(workers: usize) -> Self {
        let (queue, jobs) = channel::unbounded::<Job>();
        let workers = (0..workers)
            .map(|i| {
                let jobs = jobs.clone();
                thread::Builder::new()
                    .name(format!("pool-{i}"))
                    .spawn(move || {
                        for job in jobs {
                            // One panicking job must not take the worker
                            // down; its caller sees a closed channel.
                            let _ = panic::catch_unwind(AssertUnwindSafe(job));
                        }
                    })
                    .expect("a worker thread starts")
            })
            .collect();
        Self {
            queue: Some(queue),
            workers,
        }
    }

    fn push<R: Send + 'static>(
        &self,
        job: impl FnOnce() -> R + Send + 'static,
    ) -> mpsc::Receiver<R> {
        let (tx, rx) = mpsc::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(job());
        });
        self.queue
            .as_ref()
            .expect("the queue lives as long as the pool")
            .send(job)
            .expect("the workers live as long as the pool");
        rx
    }

    /// Runs `job` on a worker as it is: it sees the worker's thread-locals.
    pub fn submit<R: Send + 'static>(
        &self,
        job: impl FnOnce() -> R + Send + 'static,
    ) -> mpsc::Receiver<R> {
        self.push(job)
    }

    /// Runs `job` on a worker with the submitting thread's user, and puts
    /// the worker's own user back afterwards.
    pub fn submit_with_context<R: Send + 'static>(
        &self,
        job: impl FnOnce() -> R + Send + 'static,
    ) -> mpsc::Receiver<R> {
        // Read here, on the sender's thread: inside the job it would be the
        // worker's value.
        let user = current_user();
        self.push(move || {
            let _restore = Restore(USER.replace(user));
            job()
        })
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        // Closing the queue ends each worker's loop once the queue is empty.
        self.queue = None;
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}
