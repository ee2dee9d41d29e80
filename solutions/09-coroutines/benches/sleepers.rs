//! 10 000 tasks each sleeping 10 ms, on the executor of this chapter and on
//! tokio's single-threaded runtime: wall time and peak memory.
//!
//! Peak memory is `VmHWM` from `/proc/self/status`, which only ever grows,
//! so each measurement runs in a fresh process: this program runs itself
//! again with `--one VARIANT`, and the child prints its numbers.

use std::env;
use std::fs;
use std::process::Command;
use std::time::{Duration, Instant};

use coroutines::executor::{Executor, join_all};
use coroutines::timers::sleep;

const TASKS: usize = 10_000;
const NAP: Duration = Duration::from_millis(10);
const RUNS: usize = 7;

/// Peak resident memory of this process so far, in KiB.
fn peak_kib() -> u64 {
    let status = fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmHWM line")
}

fn run_executor() -> Duration {
    let executor = Executor::new();
    let start = Instant::now();
    let handles = (0..TASKS).map(|_| executor.spawn(sleep(NAP))).collect();
    let results = executor.block_on(join_all(handles));
    let elapsed = start.elapsed();
    assert!(results.iter().all(Result::is_ok));
    elapsed
}

fn run_tokio() -> Duration {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let start = Instant::now();
    runtime.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..TASKS {
            set.spawn(tokio::time::sleep(NAP));
        }
        while let Some(joined) = set.join_next().await {
            joined.expect("no task panics");
        }
    });
    start.elapsed()
}

/// Runs one variant in this process and prints `micros peak_kib`.
fn one(variant: &str) {
    let elapsed = match variant {
        "idle" => Duration::ZERO,
        "executor" => run_executor(),
        "tokio" => run_tokio(),
        other => panic!("unknown variant {other}"),
    };
    println!("{} {}", elapsed.as_micros(), peak_kib());
}

fn median(values: &mut [u64]) -> u64 {
    values.sort_unstable();
    values[values.len() / 2]
}

fn main() {
    let args: Vec<String> = env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--one") {
        one(&args[at + 1]);
        return;
    }
    let me = env::current_exe().expect("the path of this benchmark");
    println!("{TASKS} tasks sleeping {NAP:?}, {RUNS} runs each, a fresh process per run");
    for variant in ["idle", "executor", "tokio"] {
        let (mut times, mut peaks) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            let out = Command::new(&me)
                .args(["--one", variant])
                .output()
                .expect("run");
            assert!(out.status.success(), "{variant} failed");
            let text = String::from_utf8(out.stdout).expect("utf-8");
            let mut fields = text
                .split_whitespace()
                .map(|f| f.parse::<u64>().expect("a number"));
            times.push(fields.next().expect("time"));
            peaks.push(fields.next().expect("peak"));
        }
        println!(
            "{variant:>9}: median wall {:>8.1} ms (min {:.1}, max {:.1}), median peak {:>6} KiB",
            median(&mut times) as f64 / 1000.0,
            times[0] as f64 / 1000.0,
            times[RUNS - 1] as f64 / 1000.0,
            median(&mut peaks),
        );
    }
}
