//! Two threads, one adding 1 and one subtracting 1, a million times each,
//! under each of the course's locks and under `std::sync::Mutex`. Prints
//! the median of 5 runs in seconds, and the final value (0 unless racy).

use std::sync::Mutex;
use std::thread;
use std::time::Instant;

use locks::racy_counter::{Strategy, add_and_subtract};
use locks::rlock::RLock;
use locks::semaphore::Semaphore;
use locks::spin_lock::SpinLock;

const TIMES: u64 = 1_000_000;
const RUNS: usize = 5;

/// Runs the +1 / -1 threads with `add` doing one locked change.
fn two_threads(add: impl Fn(i64) + Sync) -> f64 {
    let start = Instant::now();
    thread::scope(|s| {
        for delta in [1, -1] {
            let add = &add;
            s.spawn(move || (0..TIMES).for_each(|_| add(delta)));
        }
    });
    start.elapsed().as_secs_f64()
}

fn report(name: &str, mut run: impl FnMut() -> (f64, i64)) {
    let mut times = Vec::new();
    let mut last = 0;
    for _ in 0..RUNS {
        let (t, end) = run();
        times.push(t);
        last = end;
    }
    times.sort_by(f64::total_cmp);
    println!(
        "  {name:<24} {:>8.3} s   final value {last}",
        times[RUNS / 2]
    );
}

fn main() {
    println!("2 threads x {TIMES} increments/decrements, median of {RUNS} runs:");
    report("std Mutex", || {
        let m = Mutex::new(0i64);
        let t = two_threads(|d| *m.lock().unwrap() += d);
        (t, m.into_inner().unwrap())
    });
    report("SpinLock (course)", || {
        let l = SpinLock::new(0i64);
        let t = two_threads(|d| *l.lock() += d);
        (t, l.into_inner())
    });
    report("RLock (course)", || {
        let l = RLock::new();
        let v = std::sync::atomic::AtomicI64::new(0);
        let t = two_threads(|d| {
            l.acquire();
            // The RLock is what excludes; the atomic only makes it safe Rust.
            let x = v.load(std::sync::atomic::Ordering::Relaxed);
            v.store(x + d, std::sync::atomic::Ordering::Relaxed);
            l.release().unwrap();
        });
        (t, v.into_inner())
    });
    report("Semaphore(1) (course)", || {
        let s = Semaphore::new(1);
        let v = std::sync::atomic::AtomicI64::new(0);
        let t = two_threads(|d| {
            s.acquire();
            let x = v.load(std::sync::atomic::Ordering::Relaxed);
            v.store(x + d, std::sync::atomic::Ordering::Relaxed);
            s.release();
        });
        (t, v.into_inner())
    });
    for (name, strategy) in [
        ("fetch_add (no lock)", Strategy::Atomic),
        ("racy load+store", Strategy::Racy),
    ] {
        report(name, || {
            let start = Instant::now();
            let end = add_and_subtract(strategy, TIMES);
            (start.elapsed().as_secs_f64(), end)
        });
    }
}
