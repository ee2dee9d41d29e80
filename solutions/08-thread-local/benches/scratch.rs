//! How much a per-thread scratch buffer saves: `fingerprint_alloc` (a new
//! buffer per call) against `fingerprint` (one buffer per thread), on short
//! and long lines, single-threaded and on two threads at once.
//!
//! Run with `cargo bench -p ch08-thread-local-solution --bench scratch`.
//! It prints the median time per call of 15 rounds.

use std::hint::black_box;
use std::thread;
use std::time::{Duration, Instant};

use thread_locals::scratch_buffer::{fingerprint, fingerprint_alloc};

const ROUNDS: usize = 15;
const CALLS: usize = 20_000;

fn lines(words: usize) -> Vec<String> {
    (0..64)
        .map(|i| {
            (0..words)
                .map(|w| format!("Word{}  ", (i * 31 + w * 7) % 1000))
                .collect::<String>()
        })
        .collect()
}

/// The median, over `ROUNDS`, of the time per call of `f` on `lines`.
fn per_call(lines: &[String], f: fn(&str) -> u64) -> Duration {
    let mut times: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            let mut acc = 0u64;
            for i in 0..CALLS {
                acc ^= f(black_box(&lines[i % lines.len()]));
            }
            black_box(acc);
            start.elapsed() / CALLS as u32
        })
        .collect();
    times.sort();
    times[ROUNDS / 2]
}

/// The same, with `threads` threads running at once; the slowest thread's
/// median.
fn per_call_threads(lines: &[String], f: fn(&str) -> u64, threads: usize) -> Duration {
    thread::scope(|s| {
        let runs: Vec<_> = (0..threads)
            .map(|_| s.spawn(|| per_call(lines, f)))
            .collect();
        runs.into_iter()
            .map(|r| r.join().expect("a bench thread panicked"))
            .max()
            .unwrap_or_default()
    })
}

fn main() {
    println!("fingerprint: median ns per call over {ROUNDS} rounds of {CALLS} calls");
    println!(
        "{:<28} {:>12} {:>12} {:>8}",
        "workload", "alloc", "scratch", "ratio"
    );
    for (label, words) in [
        ("short lines (4 words)", 4),
        ("long lines (200 words)", 200),
    ] {
        let lines = lines(words);
        for threads in [1, 2] {
            let alloc = per_call_threads(&lines, fingerprint_alloc, threads);
            let scratch = per_call_threads(&lines, fingerprint, threads);
            println!(
                "{:<28} {:>12} {:>12} {:>7.2}x",
                format!("{label}, {threads} thread(s)"),
                alloc.as_nanos(),
                scratch.as_nanos(),
                alloc.as_secs_f64() / scratch.as_secs_f64()
            );
        }
    }
}
