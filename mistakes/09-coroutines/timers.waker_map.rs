//! A right answer to `timers`: the heap holds deadlines and ids only; the
//! wakers live in a map by id, and a sleep polled again updates its entry
//! there.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Condvar, Mutex, OnceLock};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

#[derive(Default)]
struct Timers {
    /// (deadline, id): the earliest on top.
    deadlines: BinaryHeap<Reverse<(Instant, u64)>>,
    wakers: HashMap<u64, Waker>,
    next_id: u64,
}

struct Clock {
    timers: Mutex<Timers>,
    changed: Condvar,
}

fn clock() -> &'static Clock {
    static CLOCK: OnceLock<&'static Clock> = OnceLock::new();
    CLOCK.get_or_init(|| {
        let clock: &'static Clock = Box::leak(Box::new(Clock {
            timers: Mutex::new(Timers::default()),
            changed: Condvar::new(),
        }));
        thread::Builder::new()
            .name("timers".into())
            .spawn(move || run(clock))
            .expect("the timer thread starts");
        clock
    })
}

fn run(clock: &Clock) {
    let mut timers = clock.timers.lock().unwrap();
    loop {
        let now = Instant::now();
        let mut due = Vec::new();
        while let Some(&Reverse((deadline, id))) = timers.deadlines.peek() {
            if deadline > now {
                break;
            }
            timers.deadlines.pop();
            if let Some(waker) = timers.wakers.remove(&id) {
                due.push(waker);
            }
        }
        if !due.is_empty() {
            drop(timers);
            due.into_iter().for_each(Waker::wake);
            timers = clock.timers.lock().unwrap();
            continue;
        }
        timers = match timers.deadlines.peek() {
            None => clock.changed.wait(timers).unwrap(),
            Some(&Reverse((deadline, _))) => {
                let left = deadline.saturating_duration_since(now);
                clock.changed.wait_timeout(timers, left).unwrap().0
            }
        };
    }
}

/// A future that is ready once its deadline has passed.
#[derive(Debug)]
pub struct Sleep {
    deadline: Instant,
    id: Option<u64>,
}

/// Sleeps for `duration` without blocking the thread: other tasks run
/// meanwhile.
pub fn sleep(duration: Duration) -> Sleep {
    sleep_until(Instant::now() + duration)
}

/// Sleeps until `deadline`.
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep { deadline, id: None }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            return Poll::Ready(());
        }
        let clock = clock();
        let mut timers = clock.timers.lock().unwrap();
        match self.id {
            Some(id) => {
                timers.wakers.insert(id, cx.waker().clone());
            }
            None => {
                let id = timers.next_id;
                timers.next_id += 1;
                let earliest = timers
                    .deadlines
                    .peek()
                    .is_none_or(|&Reverse((first, _))| self.deadline < first);
                timers.deadlines.push(Reverse((self.deadline, id)));
                timers.wakers.insert(id, cx.waker().clone());
                self.id = Some(id);
                if earliest {
                    clock.changed.notify_one();
                }
            }
        }
        Poll::Pending
    }
}
