//! A process pool: the reference solution. The statement is in
//! `chapters/01-processes/src/pool.rs`.
//!
//! Shape: one *manager thread* in the parent per worker process. The managers
//! share one queue of orders (a crossbeam channel); each takes an order, sends
//! its input down its worker's pipe, waits for the answer (or the worker's
//! death) and replies on the order's own channel. A worker runs one task at a
//! time and a manager hands it one order at a time, so at most N tasks run at
//! once, and the order of results is kept by the caller, who holds one reply
//! channel per input.

use std::fmt;
use std::fs::File;
use std::os::fd::{AsFd, OwnedFd};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Once, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crossbeam::channel::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork, pipe2};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::wire;

/// Why a pool call or a task failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoolError {
    /// A task was submitted after `close`.
    Closed,
    /// `join` was called before `close`.
    NotClosed,
    /// The task panicked in the worker; the panic's message.
    Panicked(String),
    /// The worker process died while running the task; how it ended
    /// (`exited with code 3`, `killed by SIGKILL`).
    WorkerDied(String),
    /// The pool was terminated (or dropped) before the task finished.
    Terminated,
    /// The pool could not be set up (no workers asked for, fork or pipe
    /// failed).
    Os(String),
}

impl fmt::Display for PoolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PoolError::Closed => write!(f, "the pool is closed"),
            PoolError::NotClosed => write!(f, "join before close: the pool is still running"),
            PoolError::Panicked(message) => write!(f, "the task panicked: {message}"),
            PoolError::WorkerDied(how) => write!(f, "the worker died: {how}"),
            PoolError::Terminated => write!(f, "the pool was terminated"),
            PoolError::Os(what) => write!(f, "{what}"),
        }
    }
}

impl std::error::Error for PoolError {}

/// Python's `is_prime`, the tutorial's CPU-bound workload: trial division.
pub fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    let mut d = 2;
    // `d <= n / d` rather than `d * d <= n`, which overflows near u64::MAX.
    while d <= n / d {
        if n.is_multiple_of(d) {
            return false;
        }
        d += 1;
    }
    true
}

/// True in a worker process, set right after its fork; never in the parent.
static IN_WORKER: AtomicBool = AtomicBool::new(false);

/// Puts, once per process, a panic hook in front of the one in place. In a
/// worker it returns at once: a job's panic becomes that task's error
/// (`Panicked`), as an exception in a task does in Python, and the worker
/// never reaches the default hook, which takes std's global lock for panic
/// output and writes to stderr. Another thread of the parent may have held
/// either when the worker was forked, and nobody would ever release it in
/// the worker. Elsewhere the hook passes the panic on unchanged.
fn quiet_panics_in_workers() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !IN_WORKER.load(Ordering::Relaxed) {
                previous(info);
            }
        }));
    });
}

/// What the parent sends down a worker's pipe.
#[derive(Serialize, Deserialize)]
enum Message<T> {
    Run(T),
    Stop,
}

/// What a worker answers: the result, or the panic message.
type Reply<R> = Result<R, String>;

/// One submitted task and where its result goes.
struct Order<T, R> {
    input: T,
    reply: Sender<Result<R, PoolError>>,
}

/// The worker PIDs, and whether the pool is being torn down. One lock for
/// both, so a manager never forks a replacement that `terminate` misses.
struct Workers {
    pids: Vec<Option<Pid>>,
    stopping: bool,
}

type SharedWorkers = Arc<Mutex<Workers>>;

fn lock(workers: &Mutex<Workers>) -> std::sync::MutexGuard<'_, Workers> {
    // A manager never panics while holding the lock; recover anyway.
    workers.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A pool of worker processes running one job function, like Python's
/// `multiprocessing.Pool`.
pub struct Pool<T, R> {
    queue: Mutex<Option<Sender<Order<T, R>>>>,
    managers: Mutex<Vec<JoinHandle<()>>>,
    workers: SharedWorkers,
}

impl<T, R> Pool<T, R>
where
    T: Serialize + DeserializeOwned + Send + 'static,
    R: Serialize + DeserializeOwned + Send + 'static,
{
    /// Forks `workers` worker processes, each running `job` on the inputs it
    /// is sent. Returns once every worker has started.
    pub fn new(workers: usize, job: fn(T) -> R) -> Result<Self, PoolError> {
        if workers == 0 {
            return Err(PoolError::Os("a pool needs at least one worker".into()));
        }
        quiet_panics_in_workers();
        let (tx, rx) = channel::unbounded();
        let shared = Arc::new(Mutex::new(Workers {
            pids: vec![None; workers],
            stopping: false,
        }));
        let (started_tx, started_rx) = channel::bounded(workers);
        let mut managers = Vec::with_capacity(workers);
        for slot in 0..workers {
            let manager = Manager {
                slot,
                job,
                workers: Arc::clone(&shared),
                worker: None,
            };
            let orders = rx.clone();
            let started = started_tx.clone();
            let handle = thread::Builder::new()
                .name(format!("pool manager {slot}"))
                .spawn(move || manager.run(orders, started))
                .map_err(|e| PoolError::Os(format!("cannot start a manager thread: {e}")))?;
            managers.push(handle);
        }
        drop(started_tx);
        let pool = Pool {
            queue: Mutex::new(Some(tx)),
            managers: Mutex::new(managers),
            workers: shared,
        };
        // Each manager forks its own worker (see `Manager::spawn` for why)
        // and says whether that worked.
        for _ in 0..workers {
            match started_rx.recv() {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(e),
                Err(_) => return Err(PoolError::Os("a manager thread died".into())),
            }
        }
        Ok(pool)
    }

    /// Runs `job` on every item and returns the results in input order, or
    /// the first failed item's error (in input order).
    pub fn map<I: IntoIterator<Item = T>>(&self, items: I) -> Result<Vec<R>, PoolError> {
        let pending = items
            .into_iter()
            .map(|item| self.apply_async(item))
            .collect::<Result<Vec<_>, _>>()?;
        pending.into_iter().map(AsyncResult::get).collect()
    }

    /// Queues one item; the handle gets its result later.
    pub fn apply_async(&self, item: T) -> Result<AsyncResult<R>, PoolError> {
        let queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(queue) = queue.as_ref() else {
            return Err(PoolError::Closed);
        };
        let (reply, result) = channel::bounded(1);
        queue
            .send(Order { input: item, reply })
            .map_err(|_| PoolError::Closed)?;
        Ok(AsyncResult {
            result,
            value: Mutex::new(None),
        })
    }
}

impl<T, R> Pool<T, R> {
    /// No more submissions; queued tasks still run.
    pub fn close(&self) {
        // Dropping the only sender lets each manager's `recv` end once the
        // queue is empty.
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    /// After `close`: waits until every queued task is done and every worker
    /// has exited.
    pub fn join(&self) -> Result<(), PoolError> {
        if self
            .queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
        {
            return Err(PoolError::NotClosed);
        }
        let managers =
            std::mem::take(&mut *self.managers.lock().unwrap_or_else(PoisonError::into_inner));
        for manager in managers {
            let _ = manager.join();
        }
        Ok(())
    }

    /// Stops now: kills every worker; unfinished tasks get
    /// `PoolError::Terminated`. Also what dropping the pool does.
    pub fn terminate(&self) {
        {
            let mut workers = lock(&self.workers);
            workers.stopping = true;
            for pid in workers.pids.iter().flatten() {
                let _ = kill(*pid, Signal::SIGKILL);
            }
        }
        self.close();
        let _ = self.join();
    }

    /// The PIDs of the worker processes alive now, sorted.
    pub fn worker_pids(&self) -> Vec<Pid> {
        let mut pids: Vec<Pid> = lock(&self.workers).pids.iter().flatten().copied().collect();
        pids.sort_unstable();
        pids
    }
}

impl<T, R> Drop for Pool<T, R> {
    /// Like leaving Python's `with Pool(...)` block: terminate.
    fn drop(&mut self) {
        self.terminate();
    }
}

/// The result of one `apply_async`, Python's `AsyncResult`.
pub struct AsyncResult<R> {
    result: Receiver<Result<R, PoolError>>,
    // Filled by `ready`/`wait` once the result has arrived, taken by `get`.
    value: Mutex<Option<Result<R, PoolError>>>,
}

impl<R> AsyncResult<R> {
    /// True once the task has finished (well or not).
    pub fn ready(&self) -> bool {
        let mut value = self.value.lock().unwrap_or_else(PoisonError::into_inner);
        if value.is_none() {
            match self.result.try_recv() {
                Ok(result) => *value = Some(result),
                Err(TryRecvError::Disconnected) => *value = Some(Err(PoolError::Terminated)),
                Err(TryRecvError::Empty) => {}
            }
        }
        value.is_some()
    }

    /// Waits at most `timeout` for the task to finish; says whether it has.
    pub fn wait(&self, timeout: Duration) -> bool {
        let mut value = self.value.lock().unwrap_or_else(PoisonError::into_inner);
        if value.is_none() {
            match self.result.recv_timeout(timeout) {
                Ok(result) => *value = Some(result),
                Err(RecvTimeoutError::Disconnected) => *value = Some(Err(PoolError::Terminated)),
                Err(RecvTimeoutError::Timeout) => {}
            }
        }
        value.is_some()
    }

    /// Waits for the task and returns its result or its error.
    pub fn get(self) -> Result<R, PoolError> {
        let value = self
            .value
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        match value {
            Some(result) => result,
            None => self.result.recv().unwrap_or(Err(PoolError::Terminated)),
        }
    }
}

/// The parent's side of one worker process.
struct Worker {
    pid: Pid,
    to_worker: File,
    from_worker: File,
}

/// One manager thread: owns one worker slot, and replaces its worker when it
/// dies.
struct Manager<T, R> {
    slot: usize,
    job: fn(T) -> R,
    workers: SharedWorkers,
    worker: Option<Worker>,
}

impl<T, R> Manager<T, R>
where
    T: Serialize + DeserializeOwned,
    R: Serialize + DeserializeOwned,
{
    fn run(mut self, orders: Receiver<Order<T, R>>, started: Sender<Result<(), PoolError>>) {
        let _ = started.send(self.spawn());
        drop(started);
        for order in orders.iter() {
            let result = match self.worker_or_spawn() {
                Ok(()) => self.call(&order.input),
                Err(e) => Err(e),
            };
            // The caller may have dropped its handle: nobody to tell.
            let _ = order.reply.send(result);
        }
        self.stop_worker();
    }

    fn worker_or_spawn(&mut self) -> Result<(), PoolError> {
        if self.worker.is_some() {
            return Ok(());
        }
        self.spawn()
    }

    /// Forks the worker of this slot.
    ///
    /// It is forked from this manager thread, not from the thread that made
    /// the pool: the worker asks for SIGKILL when the thread that forked it
    /// ends (`PR_SET_PDEATHSIG`), and the manager lives exactly as long as
    /// its worker should. So a test process that ends without dropping its
    /// pool leaves no worker behind.
    fn spawn(&mut self) -> Result<(), PoolError> {
        let os = |what: &str, e: Errno| PoolError::Os(format!("{what}: {e}"));
        let (task_r, task_w) = pipe2(OFlag::O_CLOEXEC).map_err(|e| os("pipe", e))?;
        let (result_r, result_w) = pipe2(OFlag::O_CLOEXEC).map_err(|e| os("pipe", e))?;
        let mut workers = lock(&self.workers);
        if workers.stopping {
            return Err(PoolError::Terminated);
        }
        // SAFETY: this process has other threads (the other managers, the
        // caller's), and the worker starts with only this one: it must use
        // nothing that another thread may have held locked at the fork,
        // since nobody would ever unlock it in the worker. What it uses:
        // - the heap: glibc's `fork` takes every allocator lock before it
        //   forks and resets them in the child, so allocating is safe there
        //   (Linux's other libc, musl, does the same since 1.2.1);
        // - serde_json, the frames and the job: computation on that heap;
        //   the job is the caller's, and must itself keep to such work (a
        //   job that prints takes stdout's lock);
        // - its two pipes: `read` and `write` system calls on its own fds;
        // - a panic in the job: unwinding finds its tables without a lock
        //   (glibc 2.35's `_dl_find_object`, used by GCC 12's unwinder);
        //   std's hook lock is only read there (`take_hook` and `set_hook`
        //   write it, and this crate calls them once, before its first
        //   fork); and the hook `quiet_panics_in_workers` put in place
        //   returns at once in a worker, before any lock of panic output or
        //   of stderr.
        // The worker never returns here: `worker_loop` ends in `_exit`.
        match unsafe { fork() }.map_err(|e| os("fork", e))? {
            ForkResult::Child => {
                IN_WORKER.store(true, Ordering::Relaxed);
                drop(task_w);
                drop(result_r);
                let _ = nix::sys::prctl::set_pdeathsig(Signal::SIGKILL);
                worker_loop(self.job, task_r, result_w)
            }
            ForkResult::Parent { child } => {
                workers.pids[self.slot] = Some(child);
                self.worker = Some(Worker {
                    pid: child,
                    to_worker: File::from(task_w),
                    from_worker: File::from(result_r),
                });
                Ok(())
            }
        }
    }

    /// Runs one input on the worker. If the worker dies, the error is this
    /// task's, the worker is reaped and the slot is left empty for the next
    /// order to refill.
    fn call(&mut self, input: &T) -> Result<R, PoolError> {
        let worker = self.worker.as_mut().expect("a worker was spawned");
        // How the worker ended, if the wait below already reaped it.
        let mut ended = None;
        if wire::send(&mut worker.to_worker, &Message::Run(input)).is_ok() {
            // Wait for the answer, but keep an eye on the worker: another
            // process forked meanwhile may hold a copy of the pipe's write
            // end, so the end of file that would tell us of its death may
            // never come. waitpid always does.
            loop {
                let mut fds = [PollFd::new(worker.from_worker.as_fd(), PollFlags::POLLIN)];
                match poll(&mut fds, PollTimeout::from(50u16)) {
                    Ok(0) | Err(Errno::EINTR) => {
                        match waitpid(worker.pid, Some(WaitPidFlag::WNOHANG)) {
                            Ok(status @ (WaitStatus::Exited(..) | WaitStatus::Signaled(..))) => {
                                ended = Some(status);
                                break;
                            }
                            // Alive (running, stopped or continued).
                            Ok(_) => continue,
                            Err(_) => break,
                        }
                    }
                    Ok(_) => match wire::recv::<_, Reply<R>>(&mut worker.from_worker) {
                        Ok(Some(Ok(value))) => return Ok(value),
                        Ok(Some(Err(message))) => return Err(PoolError::Panicked(message)),
                        Ok(None) | Err(_) => break,
                    },
                    Err(_) => break,
                }
            }
        }
        Err(self.bury(ended))
    }

    /// The worker is gone or going: reap it (unless `ended` says it already
    /// was), free the slot, and say how it ended.
    fn bury(&mut self, ended: Option<WaitStatus>) -> PoolError {
        let worker = self.worker.take().expect("a worker to bury");
        let mut status = ended.map(Ok);
        let how = loop {
            match status.take().unwrap_or_else(|| waitpid(worker.pid, None)) {
                Ok(WaitStatus::Exited(_, code)) => break format!("exited with code {code}"),
                Ok(WaitStatus::Signaled(_, signal, _)) => {
                    break format!("killed by {}", signal.as_str());
                }
                Ok(_) | Err(Errno::EINTR) => continue,
                Err(e) => break format!("lost ({e})"),
            }
        };
        let mut workers = lock(&self.workers);
        workers.pids[self.slot] = None;
        if workers.stopping {
            PoolError::Terminated
        } else {
            PoolError::WorkerDied(how)
        }
    }

    /// Tells the worker to stop and reaps it.
    fn stop_worker(&mut self) {
        let Some(mut worker) = self.worker.take() else {
            return;
        };
        let _ = wire::send(&mut worker.to_worker, &Message::<T>::Stop);
        while let Err(Errno::EINTR) = waitpid(worker.pid, None) {}
        lock(&self.workers).pids[self.slot] = None;
    }
}

/// The worker process: read an input, run the job, write the reply; until
/// told to stop or the parent's end closes.
fn worker_loop<T, R>(job: fn(T) -> R, input: OwnedFd, output: OwnedFd) -> !
where
    T: DeserializeOwned,
    R: Serialize,
{
    let mut input = File::from(input);
    let mut output = File::from(output);
    while let Ok(Some(Message::Run(item))) = wire::recv::<_, Message<T>>(&mut input) {
        let reply: Reply<R> =
            panic::catch_unwind(AssertUnwindSafe(|| job(item))).map_err(|payload| {
                payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic without a message".to_string())
            });
        if wire::send(&mut output, &reply).is_err() {
            // SAFETY: ends the worker at once.
            unsafe { libc::_exit(1) }
        }
    }
    // SAFETY: ends the worker at once.
    unsafe { libc::_exit(0) }
}
