//! An executor with futures: the reference solution. The statement is in
//! `chapters/01-processes/src/pool_executor.rs`.
//!
//! Shape: a `Pool` does the work; in front of it, a queue of submitted tasks
//! and as many *dispatcher threads* as the pool has workers. A dispatcher
//! takes a task, marks its future running (unless it was cancelled) and
//! runs it on the pool. Since there are never more dispatchers than workers,
//! a task handed to the pool starts at once, and a task still in the
//! executor's queue has not started: that is where `cancel` can still win.

use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam::channel::{self, Sender};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::pool::{Pool, PoolError};

/// Why a call on the executor or a future failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecutorError {
    /// `submit` after `shutdown`.
    Shutdown,
    /// The future was not done within the timeout.
    Timeout,
    /// The future was cancelled before it ran.
    Cancelled,
    /// The task failed (it panicked, its worker died) or the pool did.
    Failed(PoolError),
}

impl fmt::Display for ExecutorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExecutorError::Shutdown => write!(f, "the executor is shut down"),
            ExecutorError::Timeout => write!(f, "timed out"),
            ExecutorError::Cancelled => write!(f, "the task was cancelled"),
            ExecutorError::Failed(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ExecutorError {}

/// Where a task is in its life.
enum Stage<R> {
    Pending,
    Running,
    Done(Result<R, PoolError>),
    Cancelled,
}

/// What a future and its dispatcher share.
struct Slot<R> {
    stage: Mutex<Stage<R>>,
    changed: Condvar,
}

impl<R> Slot<R> {
    fn stage(&self) -> MutexGuard<'_, Stage<R>> {
        self.stage.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn set(&self, stage: Stage<R>) {
        *self.stage() = stage;
        self.changed.notify_all();
    }

    /// Waits until the task is done or cancelled, at most `timeout` (`None`:
    /// no limit). Returns the guard, or `Timeout`.
    fn settled(
        &self,
        timeout: Option<Duration>,
    ) -> Result<MutexGuard<'_, Stage<R>>, ExecutorError> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut stage = self.stage();
        while matches!(*stage, Stage::Pending | Stage::Running) {
            stage = match deadline {
                None => self
                    .changed
                    .wait(stage)
                    .unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(ExecutorError::Timeout);
                    }
                    self.changed
                        .wait_timeout(stage, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
        }
        Ok(stage)
    }
}

/// The result of one `submit`, Python's `concurrent.futures.Future`.
pub struct TaskFuture<R> {
    slot: Arc<Slot<R>>,
}

impl<R> TaskFuture<R> {
    /// True while a worker runs the task.
    pub fn running(&self) -> bool {
        matches!(*self.slot.stage(), Stage::Running)
    }

    /// True once the task has finished (well or not) or was cancelled.
    pub fn done(&self) -> bool {
        matches!(*self.slot.stage(), Stage::Done(_) | Stage::Cancelled)
    }

    pub fn cancelled(&self) -> bool {
        matches!(*self.slot.stage(), Stage::Cancelled)
    }

    /// Cancels the task if it has not started; true if it is (now)
    /// cancelled. A running or finished task cannot be cancelled.
    pub fn cancel(&self) -> bool {
        let mut stage = self.slot.stage();
        match *stage {
            Stage::Pending => {
                *stage = Stage::Cancelled;
                drop(stage);
                self.slot.changed.notify_all();
                true
            }
            Stage::Cancelled => true,
            Stage::Running | Stage::Done(_) => false,
        }
    }

    /// Python's `exception(timeout)`: `Ok(None)` if the task succeeded,
    /// `Ok(Some(error))` if it failed; `Err` if it is not done in time or
    /// was cancelled.
    pub fn exception(&self, timeout: Option<Duration>) -> Result<Option<PoolError>, ExecutorError> {
        match &*self.slot.settled(timeout)? {
            Stage::Done(Ok(_)) => Ok(None),
            Stage::Done(Err(e)) => Ok(Some(e.clone())),
            Stage::Cancelled => Err(ExecutorError::Cancelled),
            Stage::Pending | Stage::Running => unreachable!("settled"),
        }
    }
}

impl<R: Clone> TaskFuture<R> {
    /// Waits at most `timeout` (`None`: no limit) and returns the task's
    /// value or its error.
    pub fn result(&self, timeout: Option<Duration>) -> Result<R, ExecutorError> {
        match &*self.slot.settled(timeout)? {
            Stage::Done(Ok(value)) => Ok(value.clone()),
            Stage::Done(Err(e)) => Err(ExecutorError::Failed(e.clone())),
            Stage::Cancelled => Err(ExecutorError::Cancelled),
            Stage::Pending | Stage::Running => unreachable!("settled"),
        }
    }
}

type Submitted<T, R> = (T, Arc<Slot<R>>);

/// Python's `ProcessPoolExecutor`: a pool of worker processes behind futures.
pub struct Executor<T, R> {
    queue: Mutex<Option<Sender<Submitted<T, R>>>>,
    dispatchers: Mutex<Vec<JoinHandle<()>>>,
}

impl<T, R> Executor<T, R>
where
    T: Serialize + DeserializeOwned + Send + 'static,
    R: Serialize + DeserializeOwned + Send + 'static,
{
    /// Starts `workers` worker processes running `job`.
    pub fn new(workers: usize, job: fn(T) -> R) -> Result<Self, ExecutorError> {
        let pool = Arc::new(Pool::new(workers, job).map_err(ExecutorError::Failed)?);
        let (tx, rx) = channel::unbounded::<Submitted<T, R>>();
        let mut dispatchers = Vec::with_capacity(workers);
        for n in 0..workers {
            let pool = Arc::clone(&pool);
            let rx = rx.clone();
            let dispatcher = thread::Builder::new()
                .name(format!("executor dispatcher {n}"))
                .spawn(move || {
                    for (input, slot) in rx.iter() {
                        {
                            let mut stage = slot.stage();
                            if matches!(*stage, Stage::Cancelled) {
                                continue;
                            }
                            // From here on, `cancel` refuses.
                            *stage = Stage::Running;
                        }
                        slot.changed.notify_all();
                        let result = pool.apply_async(input).and_then(|handle| handle.get());
                        slot.set(Stage::Done(result));
                    }
                })
                .map_err(|e| ExecutorError::Failed(PoolError::Os(e.to_string())))?;
            dispatchers.push(dispatcher);
        }
        // The last dispatcher to end drops the pool, which stops the workers.
        Ok(Executor {
            queue: Mutex::new(Some(tx)),
            dispatchers: Mutex::new(dispatchers),
        })
    }

    /// Queues `item`; its future tells how it goes.
    pub fn submit(&self, item: T) -> Result<TaskFuture<R>, ExecutorError> {
        let queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        let queue = queue.as_ref().ok_or(ExecutorError::Shutdown)?;
        let slot = Arc::new(Slot {
            stage: Mutex::new(Stage::Pending),
            changed: Condvar::new(),
        });
        queue
            .send((item, Arc::clone(&slot)))
            .map_err(|_| ExecutorError::Shutdown)?;
        Ok(TaskFuture { slot })
    }
}

impl<T, R> Executor<T, R> {
    /// No more submissions. Tasks already submitted still run (unless
    /// cancelled); with `wait`, returns once they are all done and the
    /// workers have exited.
    pub fn shutdown(&self, wait: bool) {
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if wait {
            let dispatchers = std::mem::take(
                &mut *self
                    .dispatchers
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner),
            );
            for dispatcher in dispatchers {
                let _ = dispatcher.join();
            }
        }
    }
}

impl<T, R> Drop for Executor<T, R> {
    /// Like leaving Python's `with ProcessPoolExecutor() as ex:` block.
    fn drop(&mut self) {
        self.shutdown(true);
    }
}
