//! Shared state without locks, and a blocking call moved off the executor:
//! the reference solution. The statement is in
//! `chapters/09-coroutines/src/no_locks.rs`.

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::future::poll_fn;
use std::panic;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::thread;

use crate::executor::{Executor, join_all, yield_now};

/// What [`tally`] found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tally {
    /// How many times each word came up.
    pub counts: BTreeMap<String, usize>,
    /// How many words each worker took, by worker number.
    pub per_worker: Vec<usize>,
}

/// One worker: takes a word from the shared queue, counts it in the shared
/// table (and in `per_worker[worker]`), yields, and again, until the queue
/// is empty.
pub async fn count_words(
    worker: usize,
    queue: Rc<RefCell<VecDeque<String>>>,
    tally: Rc<RefCell<Tally>>,
) {
    // Rc<RefCell>: no Mutex, no atomics. Only one task runs at a time and a
    // task is only ever paused at an `.await`, so what happens between two
    // `.await`s is seen by the others as one step.
    loop {
        // The statement ends the `borrow_mut` at once: holding it across
        // the `.await` below would make the next task's borrow panic.
        let Some(word) = queue.borrow_mut().pop_front() else {
            break;
        };
        {
            let mut tally = tally.borrow_mut();
            *tally.counts.entry(word).or_insert(0) += 1;
            tally.per_worker[worker] += 1;
        }
        yield_now().await;
    }
}

/// Counts `words` with `workers` tasks of [`count_words`] that share one
/// queue of words and one table of counts.
pub fn tally(executor: &Executor, words: &[&str], workers: usize) -> Tally {
    let queue: Rc<RefCell<VecDeque<String>>> =
        Rc::new(RefCell::new(words.iter().map(|w| w.to_string()).collect()));
    let tally = Rc::new(RefCell::new(Tally {
        counts: BTreeMap::new(),
        per_worker: vec![0; workers],
    }));
    let handles = (0..workers)
        .map(|worker| executor.spawn(count_words(worker, Rc::clone(&queue), Rc::clone(&tally))))
        .collect();
    for joined in executor.block_on(join_all(handles)) {
        joined.expect("a tally worker panicked");
    }
    tally.take()
}

struct Outcome<T> {
    result: Option<thread::Result<T>>,
    waker: Option<Waker>,
}

/// Runs the blocking `work` on a thread of its own and waits for it without
/// blocking the executor: the other tasks run meanwhile. A panic in `work`
/// is passed on to the awaiting task.
pub async fn unblock<T, F>(work: F) -> T
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let outcome = Arc::new(Mutex::new(Outcome {
        result: None,
        waker: None,
    }));
    let for_thread = Arc::clone(&outcome);
    thread::spawn(move || {
        let result = panic::catch_unwind(panic::AssertUnwindSafe(work));
        let waker = {
            let mut outcome = for_thread.lock().unwrap();
            outcome.result = Some(result);
            outcome.waker.take()
        };
        // The waker is Send: that is what lets this thread reach back
        // into the executor's run queue.
        if let Some(waker) = waker {
            waker.wake();
        }
    });
    let result = poll_fn(|cx| {
        let mut outcome = outcome.lock().unwrap();
        match outcome.result.take() {
            Some(result) => Poll::Ready(result),
            None => {
                outcome.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    })
    .await;
    result.unwrap_or_else(|payload| panic::resume_unwind(payload))
}
