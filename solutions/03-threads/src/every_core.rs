//! Threads use every core: the reference solution. The statement is in
//! `chapters/03-threads/src/every_core.rs`.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Barrier, Condvar, Mutex, PoisonError};
use std::thread;

/// One thread saw another thread's counter change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sighting {
    /// The other thread's number.
    pub other: usize,
    /// The other thread's counter, as seen.
    pub value: u64,
    /// This thread's own counter at that moment (before its add of that
    /// step).
    pub own: u64,
}

/// What one counting thread did and saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpinReport {
    /// Its counter when it stopped.
    pub own: u64,
    /// The changes it saw, in the order it saw them.
    pub seen: Vec<Sighting>,
}

/// One thread's counting: its counter among everyone's, and what it saw.
struct Counting<'a> {
    me: usize,
    counters: &'a [AtomicU64],
    own: u64,
    last: Vec<u64>,
    times: Vec<usize>,
    seen: Vec<Sighting>,
}

impl<'a> Counting<'a> {
    fn new(me: usize, counters: &'a [AtomicU64]) -> Counting<'a> {
        Counting {
            me,
            counters,
            own: 0,
            last: vec![0; counters.len()],
            times: vec![0; counters.len()],
            seen: Vec::new(),
        }
    }

    /// Looks at every other counter, notes each change (at most `keep` per
    /// thread), then adds 1 to its own. Never blocks.
    fn step(&mut self, keep: usize) {
        for (other, counter) in self.counters.iter().enumerate() {
            if other == self.me {
                continue;
            }
            // Only the counting thread writes a counter; the others only
            // read it, so `Relaxed` loads and stores are enough.
            let value = counter.load(Ordering::Relaxed);
            if value != self.last[other] {
                self.last[other] = value;
                if self.times[other] < keep {
                    self.times[other] += 1;
                    self.seen.push(Sighting {
                        other,
                        value,
                        own: self.own,
                    });
                }
            }
        }
        self.own += 1;
        self.counters[self.me].store(self.own, Ordering::Relaxed);
    }

    /// Has it seen each other thread move `goal` times?
    fn saw_each_other(&self, goal: usize) -> bool {
        (0..self.counters.len()).all(|other| other == self.me || self.times[other] >= goal)
    }

    fn report(self) -> SpinReport {
        SpinReport {
            own: self.own,
            seen: self.seen,
        }
    }
}

fn zeroed(threads: usize) -> Vec<AtomicU64> {
    (0..threads).map(|_| AtomicU64::new(0)).collect()
}

/// `threads` threads counting at once, each until every thread has seen
/// each other one move `sightings` times.
pub fn spin_free(threads: usize, sightings: usize) -> Vec<SpinReport> {
    let counters = zeroed(threads);
    let start = Barrier::new(threads);
    let done = AtomicUsize::new(0);
    thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|me| {
                let (counters, start, done) = (&counters, &start, &done);
                scope.spawn(move || {
                    let mut counting = Counting::new(me, counters);
                    start.wait();
                    let mut reached = false;
                    // A thread that has seen enough keeps counting: the
                    // others may still need to see it move.
                    while done.load(Ordering::Relaxed) < threads {
                        counting.step(sightings);
                        if !reached && counting.saw_each_other(sightings) {
                            reached = true;
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    counting.report()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a counting thread panicked"))
            .collect()
    })
}

/// `threads` threads counting one at a time, passing a baton round-robin:
/// `turns` turns each, `steps` steps a turn.
pub fn take_turns(threads: usize, turns: u64, steps: u64) -> Vec<SpinReport> {
    let counters = zeroed(threads);
    let baton = Mutex::new(0usize);
    let passed = Condvar::new();
    thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|me| {
                let (counters, baton, passed) = (&counters, &baton, &passed);
                scope.spawn(move || {
                    let mut counting = Counting::new(me, counters);
                    for _ in 0..turns {
                        let mut whose = baton.lock().unwrap_or_else(PoisonError::into_inner);
                        // Every waiter wakes at each pass: only the one
                        // whose turn it is goes on.
                        while *whose != me {
                            whose = passed.wait(whose).unwrap_or_else(PoisonError::into_inner);
                        }
                        for _ in 0..steps {
                            counting.step(usize::MAX);
                        }
                        *whose = (me + 1) % threads;
                        drop(whose);
                        passed.notify_all();
                    }
                    counting.report()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a counting thread panicked"))
            .collect()
    })
}
