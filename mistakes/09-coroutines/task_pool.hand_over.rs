//! A right answer to `task_pool`: a freed place is handed to the first
//! waiter directly instead of being freed and taken again.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::Duration;

use crate::executor::{Executor, JoinHandle};
use crate::timers::sleep;

/// The places of a pool. A place given back while someone waits is not
/// freed: it goes straight to the first waiter, whose ticket says so.
struct Places {
    limit: usize,
    running: usize,
    waiting: VecDeque<(Rc<Cell<bool>>, Waker)>,
}

/// Gives a place back when a pooled task ends, however it ends.
struct Place(Rc<RefCell<Places>>);

impl Drop for Place {
    fn drop(&mut self) {
        let next = {
            let mut places = self.0.borrow_mut();
            match places.waiting.pop_front() {
                // Handed over: `running` stays as it is.
                Some((ticket, waker)) => {
                    ticket.set(true);
                    Some(waker)
                }
                None => {
                    places.running -= 1;
                    None
                }
            }
        };
        if let Some(waker) = next {
            waker.wake();
        }
    }
}

async fn take_place(places: Rc<RefCell<Places>>) -> Place {
    let ticket = Rc::new(Cell::new(false));
    let mut queued = false;
    poll_fn(|cx| {
        if ticket.get() {
            return Poll::Ready(());
        }
        let mut state = places.borrow_mut();
        if !queued && state.running < state.limit {
            state.running += 1;
            return Poll::Ready(());
        }
        if let Some(entry) = state.waiting.iter_mut().find(|(t, _)| Rc::ptr_eq(t, &ticket)) {
            entry.1 = cx.waker().clone();
        } else {
            state.waiting.push_back((Rc::clone(&ticket), cx.waker().clone()));
            queued = true;
        }
        Poll::Pending
    })
    .await;
    Place(places)
}

/// Runs tasks on an executor, at most `limit` of them at once (gevent's
/// `Pool(size)`). Cloning gives another handle to the same pool.
#[derive(Clone)]
pub struct TaskPool {
    executor: Executor,
    places: Rc<RefCell<Places>>,
}

impl TaskPool {
    /// A pool of `limit` places on `executor`. Panics if `limit` is 0.
    pub fn new(executor: &Executor, limit: usize) -> Self {
        assert!(limit > 0, "a pool needs at least one place");
        TaskPool {
            executor: executor.clone(),
            places: Rc::new(RefCell::new(Places {
                limit,
                running: 0,
                waiting: VecDeque::new(),
            })),
        }
    }

    /// Spawns `future` as a task that first waits for a place; it starts
    /// running only when fewer than `limit` pooled tasks run.
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let places = Rc::clone(&self.places);
        self.executor.spawn(async move {
            let _place = take_place(places).await;
            future.await
        })
    }
}

/// The time ran out before the future finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed;

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the deadline passed first")
    }
}

impl std::error::Error for Elapsed {}

/// Runs `future` for at most `limit`: its output, or `Err(Elapsed)` and the
/// future dropped unfinished (gevent's `Timeout`).
pub async fn timeout<F: Future>(limit: Duration, future: F) -> Result<F::Output, Elapsed> {
    let mut future = pin!(future);
    let mut deadline = sleep(limit);
    // Poll both on every wake; whichever is ready first decides. The
    // future goes first, so one that is done at the deadline still counts.
    poll_fn(|cx| {
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        if Pin::new(&mut deadline).poll(cx).is_ready() {
            return Poll::Ready(Err(Elapsed));
        }
        Poll::Pending
    })
    .await
}
