//! # Exercise: no locks, and the call that blocks everyone
//!
//! Greenlets switch only where they wait, so code between two waits runs
//! without interruption: a dictionary shared by every greenlet needs no
//! lock. The flip side: a greenlet that blocks without telling gevent (a
//! C library call, `time.sleep` without monkey-patching) freezes all the
//! others, so gevent offers a thread pool for such calls.
//!
//! ```python
//! counts = {}                                  # shared, no Lock
//! def worker(queue):
//!     while queue:
//!         word = queue.popleft()
//!         counts[word] = counts.get(word, 0) + 1
//!         gevent.sleep(0)                      # let the others run
//!
//! answer = gevent.get_hub().threadpool.spawn(blocking_call).get()
//! ```
//!
//! - [`count_words`] is one worker: it takes a word from the shared queue,
//!   counts it in the shared [`Tally`] (and adds one to
//!   `per_worker[worker]`), then yields (`yield_now().await`), and again,
//!   until the queue is empty. The queue and the table come in as
//!   `Rc<RefCell<...>>`: no `Mutex`, no atomics. End every borrow before
//!   an `.await`: a borrow held across it would make the next task's
//!   borrow panic. And take the word and count it in one go, between the
//!   same two `.await`s: that is what makes the count safe without a lock.
//! - [`tally`] counts `words` with `workers` of them on your executor,
//!   sharing one queue and one table, and returns the table.
//! - [`unblock`] runs a blocking closure on a thread of its own and returns
//!   a future of its result. The thread stores the result and then calls
//!   the waker it finds (in that order: whoever is woken may poll at
//!   once), which is why wakers must be `Send`. A panic in the
//!   closure is passed on to the awaiting task
//!   (`std::panic::catch_unwind`, then `resume_unwind`).
//!
//! The tests check the counts against a plain loop for random words, and
//! that every worker got a turn; and, watching from a task of their own
//! between every two turns of the workers, that no borrow is held and that
//! the words taken from the queue are exactly the words counted. Then two
//! tasks: `a` waits, blocking, for a message `b` would send. Called in the
//! task, the blocking wait runs out before `b` ever runs — the stall, shown
//! as an order of events. Through `unblock`, `b` runs while `a` waits and
//! `a` gets the message, and `a`'s future is polled only twice: once to
//! start, once when the thread wakes it with the result in place.
//!
//! Stuck? `cargo course hint no_locks`.

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use crate::executor::Executor;

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
    todo!()
}

/// Counts `words` with `workers` tasks of [`count_words`] that share one
/// queue of words and one table of counts.
pub fn tally(executor: &Executor, words: &[&str], workers: usize) -> Tally {
    todo!()
}

/// Runs the blocking `work` on a thread of its own and waits for it without
/// blocking the executor: the other tasks run meanwhile. A panic in `work`
/// is passed on to the awaiting task.
pub async fn unblock<T, F>(work: F) -> T
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    todo!()
}
