//! A thread-pool executor: the reference solution. The statement is in
//! `chapters/03-threads/src/thread_pool.rs`.

use std::any::Any;
use std::collections::VecDeque;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam::channel;

/// Why a future has no value to give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FutureError {
    /// The task panicked; the panic's message (`"(no message)"` when it
    /// had none).
    Panicked(String),
    /// The time allowed ran out first.
    TimedOut,
}

impl fmt::Display for FutureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FutureError::Panicked(message) => write!(f, "the task panicked: {message}"),
            FutureError::TimedOut => f.write_str("timed out"),
        }
    }
}

impl std::error::Error for FutureError {}

/// `submit` after `shutdown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shutdown;

impl fmt::Display for Shutdown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cannot schedule new tasks after shutdown")
    }
}

impl std::error::Error for Shutdown {}

/// When [`wait`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnWhen {
    FirstCompleted,
    FirstException,
    AllCompleted,
}

/// What [`wait`] found: indices into the futures it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    pub done: Vec<usize>,
    pub not_done: Vec<usize>,
}

/// A task's value, or its panic's message.
type Outcome<T> = Result<T, String>;

struct State<T> {
    outcome: Option<Outcome<T>>,
    /// Who to tell, and under which index, when the outcome arrives.
    waiters: Vec<(Sender<usize>, usize)>,
}

/// What a future and the worker running its task share.
struct Shared<T> {
    state: Mutex<State<T>>,
    finished: Condvar,
}

impl<T> Shared<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores the outcome, wakes the threads blocked in `result` and tells
    /// every registered waiter.
    fn complete(&self, outcome: Outcome<T>) {
        let waiters = {
            let mut state = self.lock();
            state.outcome = Some(outcome);
            std::mem::take(&mut state.waiters)
        };
        self.finished.notify_all();
        for (waiter, index) in waiters {
            let _ = waiter.send(index);
        }
    }
}

/// The result of a task, now or later. Clones share it.
pub struct Future<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Clone for Future<T> {
    fn clone(&self) -> Future<T> {
        Future {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> Future<T> {
    /// Has the task finished (returned or panicked)?
    pub fn done(&self) -> bool {
        self.shared.lock().outcome.is_some()
    }

    fn panicked(&self) -> bool {
        matches!(self.shared.lock().outcome, Some(Err(_)))
    }

    /// Asks to be told (`index` sent on `waiter`) when the task finishes;
    /// true, and nothing registered, if it already has. The check and the
    /// registration happen under one lock, so no completion falls between.
    fn tell_when_done(&self, waiter: &Sender<usize>, index: usize) -> bool {
        let mut state = self.shared.lock();
        if state.outcome.is_some() {
            return true;
        }
        state.waiters.push((waiter.clone(), index));
        false
    }

    /// Waits (for at most `timeout`, or for ever with `None`) and gives the
    /// task's value or its panic.
    pub fn result(&self, timeout: Option<Duration>) -> Result<T, FutureError>
    where
        T: Clone,
    {
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut state = self.shared.lock();
        loop {
            if let Some(outcome) = &state.outcome {
                return outcome.clone().map_err(FutureError::Panicked);
            }
            state = match deadline {
                None => self
                    .shared
                    .finished
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(FutureError::TimedOut);
                    }
                    self.shared
                        .finished
                        .wait_timeout(state, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
        }
    }
}

type Task = Box<dyn FnOnce() + Send>;

/// A fixed set of worker threads and the queue that feeds them.
pub struct ThreadPoolExecutor {
    /// `None` once shut down: dropping the sender ends each worker's loop
    /// when the queue is empty.
    queue: Mutex<Option<channel::Sender<Task>>>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text.to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(no message)".to_string()
    }
}

impl ThreadPoolExecutor {
    /// Starts `max_workers` (at least 1) worker threads named
    /// `{thread_name_prefix}_{i}`.
    pub fn new(max_workers: usize, thread_name_prefix: &str) -> ThreadPoolExecutor {
        let (sender, receiver) = channel::unbounded::<Task>();
        let workers = (0..max_workers.max(1))
            .map(|i| {
                let receiver = receiver.clone();
                thread::Builder::new()
                    .name(format!("{thread_name_prefix}_{i}"))
                    .spawn(move || {
                        for task in receiver {
                            task();
                        }
                    })
                    .expect("the system could not start a worker thread")
            })
            .collect();
        ThreadPoolExecutor {
            queue: Mutex::new(Some(sender)),
            workers: Mutex::new(workers),
        }
    }

    /// Queues `task` and returns its future at once.
    pub fn submit<T, F>(&self, task: F) -> Result<Future<T>, Shutdown>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                outcome: None,
                waiters: Vec::new(),
            }),
            finished: Condvar::new(),
        });
        let for_worker = Arc::clone(&shared);
        let job: Task = Box::new(move || {
            // A panic stays inside the task: the worker lives on.
            let outcome = panic::catch_unwind(AssertUnwindSafe(task))
                .map_err(|payload| panic_message(payload.as_ref()));
            for_worker.complete(outcome);
        });
        let queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        queue
            .as_ref()
            .ok_or(Shutdown)?
            .send(job)
            .map_err(|_| Shutdown)?;
        Ok(Future { shared })
    }

    /// No more submissions; with `wait`, returns once every submitted task
    /// has run and every worker thread has ended.
    pub fn shutdown(&self, wait: bool) {
        drop(
            self.queue
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
        if wait {
            let workers =
                std::mem::take(&mut *self.workers.lock().unwrap_or_else(PoisonError::into_inner));
            let me = thread::current().id();
            for worker in workers {
                // A task that shuts its own pool down cannot wait for itself.
                if worker.thread().id() != me {
                    let _ = worker.join();
                }
            }
        }
    }
}

impl Drop for ThreadPoolExecutor {
    fn drop(&mut self) {
        self.shutdown(true);
    }
}

/// Yields the index of each future as it completes (those already done
/// first); one deadline, from this call, for the whole iteration.
pub fn as_completed<T>(futures: &[Future<T>], timeout: Option<Duration>) -> AsCompleted {
    let deadline = timeout.map(|t| Instant::now() + t);
    let (waiter, completions) = mpsc::channel();
    let mut ready = VecDeque::new();
    let mut pending = 0;
    for (index, future) in futures.iter().enumerate() {
        if future.tell_when_done(&waiter, index) {
            ready.push_back(index);
        } else {
            pending += 1;
        }
    }
    AsCompleted {
        ready,
        pending,
        completions,
        deadline,
        timed_out: false,
    }
}

/// The iterator [`as_completed`] returns.
pub struct AsCompleted {
    ready: VecDeque<usize>,
    pending: usize,
    completions: Receiver<usize>,
    deadline: Option<Instant>,
    timed_out: bool,
}

impl Iterator for AsCompleted {
    type Item = Result<usize, FutureError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(index) = self.ready.pop_front() {
            return Some(Ok(index));
        }
        if self.pending == 0 || self.timed_out {
            return None;
        }
        let next = match self.deadline {
            None => self
                .completions
                .recv()
                .map_err(|_| RecvTimeoutError::Disconnected),
            Some(deadline) => self
                .completions
                .recv_timeout(deadline.saturating_duration_since(Instant::now())),
        };
        match next {
            Ok(index) => {
                self.pending -= 1;
                Some(Ok(index))
            }
            Err(RecvTimeoutError::Timeout) => {
                self.timed_out = true;
                Some(Err(FutureError::TimedOut))
            }
            // Every future still pending is gone without an outcome.
            Err(RecvTimeoutError::Disconnected) => None,
        }
    }
}

/// Waits until `return_when` holds for `futures`, or `timeout` passes.
pub fn wait<T>(futures: &[Future<T>], timeout: Option<Duration>, return_when: ReturnWhen) -> Done {
    let deadline = timeout.map(|t| Instant::now() + t);
    let (waiter, completions) = mpsc::channel();
    for (index, future) in futures.iter().enumerate() {
        future.tell_when_done(&waiter, index);
    }
    drop(waiter);
    loop {
        let done = futures.iter().filter(|f| f.done()).count();
        let holds = match return_when {
            ReturnWhen::FirstCompleted => done > 0,
            ReturnWhen::FirstException => {
                done == futures.len() || futures.iter().any(Future::panicked)
            }
            ReturnWhen::AllCompleted => done == futures.len(),
        };
        if holds || futures.is_empty() {
            break;
        }
        let next = match deadline {
            None => completions
                .recv()
                .map_err(|_| RecvTimeoutError::Disconnected),
            Some(deadline) => {
                completions.recv_timeout(deadline.saturating_duration_since(Instant::now()))
            }
        };
        if next.is_err() {
            break;
        }
    }
    let (done, not_done) = (0..futures.len()).partition(|&i| futures[i].done());
    Done { done, not_done }
}
