//! # Exercise: context that travels with the job
//!
//! A web server keeps the current user in a `threading.local()`, and every
//! function logs it. Then someone moves slow work to a
//! `ThreadPoolExecutor`: the job runs on a pool thread, reads *that*
//! thread's local, and logs the wrong user, or none. Thread-locals belong to
//! threads, not to the work. The fix is to capture the context when the job
//! is submitted and install it on the worker for the job's duration:
//!
//! ```python
//! def submit_with_context(pool, job):
//!     user = getattr(context, "user", None)       # read on the sender
//!     def run():
//!         saved = getattr(context, "user", None)  # the worker's own
//!         context.user = user
//!         try:
//!             return job()
//!         finally:
//!             context.user = saved
//!     return pool.submit(run)
//! ```
//!
//! - [`set_user`] and [`current_user`] write and read this thread's user.
//! - [`Pool`]: `workers` threads named `pool-0`, `pool-1`, ..., taking boxed
//!   jobs from one queue (`crossbeam::channel`). Each submit returns a
//!   `Receiver` on which the job's result arrives. Dropping the pool closes
//!   the queue, lets the workers finish every queued job, and joins them.
//! - [`Pool::submit`] runs the job as it is: it sees the worker's
//!   thread-locals.
//! - [`Pool::submit_with_context`] reads the sender's user at submit time
//!   (`None` included) and runs the job with it; afterwards the worker has
//!   its own user back, even if the job panicked (restore it in a `Drop`).
//! - A job that panics does not take its worker down
//!   (`std::panic::catch_unwind`): its receiver sees the channel closed, and
//!   the worker goes on with the next job.
//!
//! The tests check that a plain job sees the pool thread's value; that the
//! pool's two workers run all of twenty jobs; that a job carries alice's or
//! bob's user; that the worker gets its own value back afterwards, also
//! after a job that panicked; that "no user" travels too; that 100 jobs
//! from four senders each see their sender; and that dropping the pool
//! finishes the queued jobs.
//!
//! Stuck? `cargo course hint pool_context`.

use std::sync::mpsc;

/// Sets (or clears) this thread's user.
pub fn set_user(user: Option<&str>) {
    todo!()
}

/// This thread's user.
pub fn current_user() -> Option<String> {
    todo!()
}

/// A fixed set of worker threads, `pool-0`, `pool-1`..., running jobs from
/// one queue.
pub struct Pool {
    // Your fields here: the sending end of the queue, the workers' handles.
    _todo: (),
}

impl Pool {
    /// Starts `workers` worker threads.
    pub fn new(workers: usize) -> Self {
        todo!()
    }

    /// Runs `job` on a worker as it is: it sees the worker's thread-locals.
    pub fn submit<R: Send + 'static>(
        &self,
        job: impl FnOnce() -> R + Send + 'static,
    ) -> mpsc::Receiver<R> {
        todo!()
    }

    /// Runs `job` on a worker with the submitting thread's user, and puts
    /// the worker's own user back afterwards.
    pub fn submit_with_context<R: Send + 'static>(
        &self,
        job: impl FnOnce() -> R + Send + 'static,
    ) -> mpsc::Receiver<R> {
        todo!()
    }
}

impl Drop for Pool {
    /// Closes the queue, lets the workers finish the queued jobs, joins them.
    fn drop(&mut self) {
        todo!()
    }
}
