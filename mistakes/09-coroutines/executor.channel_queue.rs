//! A right answer to `executor`: the run queue is a crossbeam channel, and
//! block_on blocks in `recv` instead of parking.

use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use crossbeam::channel::{self, Receiver, Sender};

/// A task panicked; `message` is what it panicked with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinError {
    message: String,
}

impl JoinError {
    /// The panic message (`"boom"` for `panic!("boom")`).
    pub fn message(&self) -> &str {
        &self.message
    }

    fn from_panic(payload: Box<dyn Any + Send>) -> Self {
        let message = if let Some(text) = payload.downcast_ref::<&str>() {
            (*text).to_string()
        } else if let Some(text) = payload.downcast_ref::<String>() {
            text.clone()
        } else {
            "a panic with a value that is not text".to_string()
        };
        JoinError { message }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the task panicked: {}", self.message)
    }
}

impl std::error::Error for JoinError {}

/// Wakers send task ids down this channel; id 0 means "the future of
/// `block_on`". The executor blocks in `recv` when there is nothing to do.
struct RunQueue {
    ready: Sender<u64>,
}

/// The waker of one task: waking it sends the task's id, once until the
/// task has run.
struct TaskWaker {
    id: u64,
    queued: AtomicBool,
    queue: Arc<RunQueue>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.queued.swap(true, Ordering::AcqRel) {
            let _ = self.queue.ready.send(self.id);
        }
    }
}

struct Task {
    future: Pin<Box<dyn Future<Output = ()>>>,
    waker: Arc<TaskWaker>,
}

struct Inner {
    queue: Arc<RunQueue>,
    woken: Receiver<u64>,
    tasks: RefCell<HashMap<u64, Task>>,
    next_id: RefCell<u64>,
}

/// A single-threaded executor. Cloning gives another handle to the same
/// executor, which tasks can keep to spawn more tasks.
#[derive(Clone)]
pub struct Executor {
    inner: Rc<Inner>,
}

impl Executor {
    /// A new executor, run by the thread that creates it.
    pub fn new() -> Self {
        let (ready, woken) = channel::unbounded();
        Executor {
            inner: Rc::new(Inner {
                queue: Arc::new(RunQueue { ready }),
                woken,
                tasks: RefCell::new(HashMap::new()),
                next_id: RefCell::new(0),
            }),
        }
    }

    /// Starts `future` as a task; it runs while some `block_on` runs.
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let state = Rc::new(RefCell::new(JoinState {
            result: None,
            waker: None,
        }));
        let for_task = Rc::clone(&state);
        let task = async move {
            let result = CatchPanic {
                future: Box::pin(future),
            }
            .await;
            let waker = {
                let mut state = for_task.borrow_mut();
                state.result = Some(result);
                state.waker.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        };

        let id = {
            let mut next = self.inner.next_id.borrow_mut();
            *next += 1;
            *next
        };
        let waker = Arc::new(TaskWaker {
            id,
            queued: AtomicBool::new(false),
            queue: Arc::clone(&self.inner.queue),
        });
        self.inner.tasks.borrow_mut().insert(
            id,
            Task {
                future: Box::pin(task),
                waker: Arc::clone(&waker),
            },
        );
        // A new task runs once without being woken by anything.
        waker.wake_by_ref();
        JoinHandle { state }
    }

    /// Runs `future` to completion on this thread, running every spawned
    /// task while it waits, and returns its output.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        // The main future's waker is a task waker with id 0, which no task
        // has.
        let main = Arc::new(TaskWaker {
            id: 0,
            queued: AtomicBool::new(false),
            queue: Arc::clone(&self.inner.queue),
        });
        let main_waker = Waker::from(Arc::clone(&main));
        main_waker.wake_by_ref();
        loop {
            // Blocks until some waker sends an id: nothing to do until then.
            let first = self.inner.woken.recv().expect("the executor holds a sender");
            let mut round = vec![first];
            round.extend(self.inner.woken.try_iter());
            for id in round {
                if id == 0 {
                    main.queued.store(false, Ordering::Release);
                    let mut cx = Context::from_waker(&main_waker);
                    if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                        return output;
                    }
                } else {
                    self.run_task(id);
                }
            }
        }
    }

    fn run_task(&self, id: u64) {
        let Some(mut task) = self.inner.tasks.borrow_mut().remove(&id) else {
            return; // finished already; a late wake
        };
        task.waker.queued.store(false, Ordering::Release);
        let waker = Waker::from(Arc::clone(&task.waker));
        let mut cx = Context::from_waker(&waker);
        if task.future.as_mut().poll(&mut cx).is_pending() {
            self.inner.tasks.borrow_mut().insert(id, task);
        }
    }
}

impl Default for Executor {
    fn default() -> Self {
        Self::new()
    }
}

/// Polls a future and turns a panic inside it into a `JoinError`.
struct CatchPanic<F: Future> {
    future: Pin<Box<F>>,
}

impl<F: Future> Future for CatchPanic<F> {
    type Output = Result<F::Output, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // AssertUnwindSafe: after a panic the future is never polled again,
        // so no broken state inside it can be seen.
        match panic::catch_unwind(AssertUnwindSafe(|| self.future.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(payload) => Poll::Ready(Err(JoinError::from_panic(payload))),
        }
    }
}

struct JoinState<T> {
    result: Option<Result<T, JoinError>>,
    waker: Option<Waker>,
}

/// Waits for a spawned task: a future of its output, or of the panic that
/// ended it. Dropping the handle lets the task run on, detached.
pub struct JoinHandle<T> {
    state: Rc<RefCell<JoinState<T>>>,
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.state.borrow_mut();
        match state.result.take() {
            Some(result) => Poll::Ready(result),
            None => {
                state.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// Waits for every handle and returns their results in the order of
/// `handles` (gevent's `joinall`).
pub async fn join_all<T>(handles: Vec<JoinHandle<T>>) -> Vec<Result<T, JoinError>> {
    let mut results = Vec::with_capacity(handles.len());
    // One after the other is enough: the tasks run on their own while we
    // wait for the first, and a finished task's result waits in its handle.
    for handle in handles {
        results.push(handle.await);
    }
    results
}

/// Gives the other tasks a turn: pending once, having woken itself.
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future of [`yield_now`].
#[derive(Debug)]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
