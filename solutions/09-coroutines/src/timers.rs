//! Timers: the reference solution. The statement is in
//! `chapters/09-coroutines/src/timers.rs`.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

/// A sleeping future's entry in the timer heap. The waker sits behind its
/// own lock so a later poll can swap it without touching the heap.
struct Entry {
    deadline: Instant,
    /// Breaks ties between equal deadlines: first registered, first woken.
    seq: u64,
    waker: Arc<Mutex<Waker>>,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.deadline, self.seq) == (other.deadline, other.seq)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.deadline, self.seq).cmp(&(other.deadline, other.seq))
    }
}

#[derive(Default)]
struct Heap {
    entries: BinaryHeap<Reverse<Entry>>,
    next_seq: u64,
}

/// One thread for every timer of the process: it sleeps until the earliest
/// deadline, wakes whoever waited for it, and sleeps again.
struct TimerThread {
    heap: Mutex<Heap>,
    changed: Condvar,
}

impl TimerThread {
    fn get() -> &'static TimerThread {
        static TIMERS: OnceLock<&'static TimerThread> = OnceLock::new();
        TIMERS.get_or_init(|| {
            // Lives as long as the process, like the thread that serves it.
            let timers: &'static TimerThread = Box::leak(Box::new(TimerThread {
                heap: Mutex::new(Heap::default()),
                changed: Condvar::new(),
            }));
            thread::Builder::new()
                .name("timers".into())
                .spawn(move || timers.run())
                .expect("could not start the timer thread");
            timers
        })
    }

    fn add(&self, deadline: Instant, waker: Arc<Mutex<Waker>>) {
        let mut heap = self.heap.lock().unwrap();
        let seq = heap.next_seq;
        heap.next_seq += 1;
        let earliest = heap
            .entries
            .peek()
            .is_none_or(|Reverse(top)| deadline < top.deadline);
        heap.entries.push(Reverse(Entry {
            deadline,
            seq,
            waker,
        }));
        // Only a new earliest deadline changes how long the thread sleeps.
        if earliest {
            self.changed.notify_one();
        }
    }

    fn run(&self) {
        let mut heap = self.heap.lock().unwrap();
        loop {
            let now = Instant::now();
            let mut due = Vec::new();
            while heap
                .entries
                .peek()
                .is_some_and(|Reverse(top)| top.deadline <= now)
            {
                let Reverse(entry) = heap.entries.pop().expect("peeked");
                due.push(entry.waker);
            }
            if !due.is_empty() {
                // Wake outside the lock: a waker may take locks of its own,
                // and new sleeps must not wait for the whole batch.
                drop(heap);
                for waker in due {
                    waker.lock().unwrap().wake_by_ref();
                }
                heap = self.heap.lock().unwrap();
                continue;
            }
            heap = match heap.entries.peek() {
                None => self.changed.wait(heap).unwrap(),
                Some(Reverse(top)) => {
                    let left = top.deadline.saturating_duration_since(now);
                    self.changed.wait_timeout(heap, left).unwrap().0
                }
            };
        }
    }
}

/// A future that is ready once its deadline has passed.
#[derive(Debug)]
pub struct Sleep {
    deadline: Instant,
    /// Set once registered with the timer thread.
    waker: Option<Arc<Mutex<Waker>>>,
}

/// Sleeps for `duration` without blocking the thread: other tasks run
/// meanwhile.
pub fn sleep(duration: Duration) -> Sleep {
    sleep_until(Instant::now() + duration)
}

/// Sleeps until `deadline`.
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        waker: None,
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            return Poll::Ready(());
        }
        match &self.waker {
            // Polled again before the deadline (woken by something else, or
            // moved to another task): keep the entry, refresh its waker.
            Some(slot) => {
                let mut waker = slot.lock().unwrap();
                if !waker.will_wake(cx.waker()) {
                    *waker = cx.waker().clone();
                }
            }
            None => {
                let slot = Arc::new(Mutex::new(cx.waker().clone()));
                TimerThread::get().add(self.deadline, Arc::clone(&slot));
                self.waker = Some(slot);
            }
        }
        Poll::Pending
    }
}
