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
//! - [`tally`] counts words with `workers` tasks on your executor. They
//!   share the queue of words and the [`Tally`] through `Rc<RefCell<...>>`:
//!   no `Mutex`, no atomics. Each worker takes one word, counts it (and
//!   notes it in `per_worker`), then yields. End every `borrow_mut` before
//!   an `.await`: a borrow held across it would make the next task's borrow
//!   panic.
//! - [`unblock`] runs a blocking closure on a thread of its own and returns
//!   a future of its result. The thread stores the result and calls the
//!   waker it finds, which is why wakers must be `Send`. A panic in the
//!   closure is passed on to the awaiting task
//!   (`std::panic::catch_unwind`, then `resume_unwind`).
//!
//! The tests check the counts against a plain loop for random words, and
//! that every worker got a turn. Then two tasks: `a` waits, blocking, for a
//! message `b` would send. Called in the task, the blocking wait runs out
//! before `b` ever runs — the stall, shown as an order of events. Through
//! `unblock`, `b` runs while `a` waits and `a` gets the message.
//!
//! Stuck? `cargo course hint no_locks`.

use std::collections::BTreeMap;

use crate::executor::Executor;

/// What [`tally`] found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tally {
    /// How many times each word came up.
    pub counts: BTreeMap<String, usize>,
    /// How many words each worker took, by worker number.
    pub per_worker: Vec<usize>,
}

/// Counts `words` with `workers` tasks that share one queue of words and one
/// table of counts, each taking one word at a time and yielding after it.
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
