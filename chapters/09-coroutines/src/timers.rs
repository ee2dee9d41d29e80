//! # Exercise: timers
//!
//! `gevent.sleep(0.01)` pauses one greenlet and lets the others run; ten
//! thousand greenlets sleeping 10 ms each are done in about 10 ms, not 100 s,
//! because the sleeps overlap:
//!
//! ```python
//! def nap():
//!     gevent.sleep(0.01)
//!
//! gevent.joinall([gevent.spawn(nap) for _ in range(10_000)])
//! ```
//!
//! `std::thread::sleep` would block the executor's only thread, and every
//! task with it. Build [`sleep`], a future that is ready once its deadline
//! has passed and, until then, is asleep without costing anything:
//!
//! - Keep the pending deadlines in one place that knows the earliest, a
//!   `BinaryHeap` ordered by deadline (wrap entries in
//!   `std::cmp::Reverse` to get the smallest first).
//! - A timer thread (one for the whole process, started the first time it
//!   is needed, `std::sync::OnceLock`) sleeps on a `Condvar` until the
//!   earliest deadline, wakes the wakers whose deadline has passed, and
//!   sleeps again. A new deadline earlier than all the others must wake it.
//! - [`Sleep::poll`]: `Ready` if the deadline has passed; otherwise,
//!   register the deadline and the waker with the timer thread (once: a
//!   sleep polled again updates its waker instead of adding a second entry)
//!   and return `Pending`.
//!
//! The tasks still all run on the thread of `block_on`; the timer thread
//! only calls wakers. The tests check that a sleep never ends early, that
//! a sleep is polled exactly twice, that sleepers of [`sleep_until`] wake
//! in deadline order, that a 50 ms sleep registered after a 5 s one ends
//! long before the 5 s, that a sleep polled six times with two wakers wakes
//! once and wakes the latest, that 400 sleeping tasks add no threads, that
//! in a process of its own nothing uses the CPU while the only task sleeps
//! a second, and that 10 000 tasks sleeping 10 ms each all finish, each on
//! the thread that called `block_on`, in far less than the 100 s that one
//! after the other would take (the test allows 5 s).
//!
//! Stuck? `cargo course hint timers`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// A future that is ready once its deadline has passed.
#[derive(Debug)]
pub struct Sleep {
    // Your fields: the deadline, and whatever tells you it is registered.
}

/// Sleeps for `duration` without blocking the thread: other tasks run
/// meanwhile.
pub fn sleep(duration: Duration) -> Sleep {
    todo!()
}

/// Sleeps until `deadline`.
pub fn sleep_until(deadline: Instant) -> Sleep {
    todo!()
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        todo!()
    }
}
