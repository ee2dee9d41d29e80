//! Two threads, one adding 1 and one subtracting 1 a million times each
//! under one lock: the course's locks, `std::sync::Mutex`, and
//! `threading.Lock`.

use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use locks::rlock::RLock;
use locks::semaphore::Semaphore;
use locks::spin_lock::SpinLock;

use crate::model::{Leg, Sample, Size, Target, Workload};
use crate::workloads::spawn::pick;

pub fn workload() -> Workload {
    Workload {
        id: "locks",
        title: "two threads, n locked +1 and n locked -1",
        unit: "locked update",
        target: Target::Ratio { max: 2.0 },
        size: |profile| Size {
            n: pick(profile, 200_000, 1_000_000),
            workers: 2,
        },
        python_size: |profile| Size {
            n: pick(profile, 50_000, 200_000),
            workers: 2,
        },
        // The final value, as the legs report it: zero when no update is lost.
        expect: |_| 0,
        legs: vec![
            Leg::reference("spin", "course SpinLock<i64>", spin_leg),
            Leg::reference("reentrant", "course RLock, acquire/release", rlock_leg),
            Leg::reference(
                "semaphore",
                "course Semaphore(1), acquire/release",
                semaphore_leg,
            ),
            Leg::floor("mutex", "std::sync::Mutex", mutex_floor),
            Leg::python("python", "threading.Lock", "locks.py"),
        ],
    }
}

/// Runs `size.n` times `+1` on one thread and `-1` on another through
/// `update`, which takes the lock; returns the sample with the final value
/// (as two's complement, so 0 means nothing was lost).
pub fn two_threads<L: Sync>(
    size: Size,
    lock: &L,
    update: fn(&L, i64),
    value: fn(&L) -> i64,
) -> Result<Sample, String> {
    let start = Instant::now();
    std::thread::scope(|scope| {
        for delta in [1, -1] {
            scope.spawn(move || {
                for _ in 0..size.n {
                    update(lock, delta);
                }
            });
        }
    });
    let elapsed_s = start.elapsed().as_secs_f64();
    Ok(Sample {
        elapsed_s,
        ops: 2 * size.n,
        check: value(lock) as u64,
    })
}

fn spin_leg(size: Size) -> Result<Sample, String> {
    let lock = SpinLock::new(0i64);
    two_threads(
        size,
        &lock,
        |lock, delta| *lock.lock() += delta,
        |lock| *lock.lock(),
    )
}

/// A lock with no value inside guards a counter beside it; the counter is
/// an atomic only so that safe code may share it: under the lock its load
/// and store are the racy `counter = counter + delta`, made safe.
struct Guarded<L> {
    lock: L,
    value: AtomicI64,
}

impl<L> Guarded<L> {
    fn add(&self, delta: i64) {
        let seen = self.value.load(Ordering::Relaxed);
        self.value.store(seen + delta, Ordering::Relaxed);
    }

    fn get(&self) -> i64 {
        self.value.load(Ordering::Relaxed)
    }
}

fn rlock_leg(size: Size) -> Result<Sample, String> {
    let guarded = Guarded {
        lock: RLock::new(),
        value: AtomicI64::new(0),
    };
    two_threads(
        size,
        &guarded,
        |g, delta| {
            g.lock.acquire();
            g.add(delta);
            g.lock
                .release()
                .expect("released by the thread that acquired");
        },
        Guarded::get,
    )
}

fn semaphore_leg(size: Size) -> Result<Sample, String> {
    let guarded = Guarded {
        lock: Semaphore::new(1),
        value: AtomicI64::new(0),
    };
    two_threads(
        size,
        &guarded,
        |g, delta| {
            g.lock.acquire();
            g.add(delta);
            g.lock.release();
        },
        Guarded::get,
    )
}

fn mutex_floor(size: Size) -> Result<Sample, String> {
    let lock = Mutex::new(0i64);
    two_threads(
        size,
        &lock,
        |lock, delta| *lock.lock().expect("not poisoned") += delta,
        |lock| *lock.lock().expect("not poisoned"),
    )
}
