//! Manager throughput: 10 processes add to one managed number, under the
//! manager lock (lock, get, set, unlock: four requests) and with the atomic
//! server-side add (one request). Prints the median of 5 runs.

use std::time::{Duration, Instant};

use nix::sys::wait::waitpid;
use nix::unistd::{ForkResult, fork};
use serde_json::json;
use shared_memory::lost_update::{add_atomically, add_under_lock};
use shared_memory::manager::{Manager, Proxy};

const PROCESSES: usize = 10;
const PER_PROCESS: i64 = 500;
const RUNS: usize = 5;

fn in_processes(proxy: &Proxy, work: impl Fn(&Proxy) -> std::io::Result<()>) -> Duration {
    let start = Instant::now();
    let mut children = Vec::new();
    for _ in 0..PROCESSES {
        // SAFETY: the child works through its own connection and `_exit`s.
        match unsafe { fork() }.expect("fork") {
            ForkResult::Child => {
                let code = i32::from(work(proxy).is_err());
                // SAFETY: ends the child at once.
                unsafe { libc::_exit(code) }
            }
            ForkResult::Parent { child } => children.push(child),
        }
    }
    for child in children {
        waitpid(child, None).expect("waitpid");
    }
    start.elapsed()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let dir = std::env::temp_dir().join(format!("forklings-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let manager = Manager::start(dir.join("bench.sock")).expect("manager");
    let proxy = manager.proxy().expect("proxy");
    let total = (PROCESSES as i64 * PER_PROCESS) as f64;

    let mut locked = Vec::new();
    let mut atomic = Vec::new();
    for _ in 0..RUNS {
        proxy.set("n", json!(0)).unwrap();
        let t = in_processes(&proxy, |p| {
            (0..PER_PROCESS).try_for_each(|_| add_under_lock(p, "n", 1, || {}))
        });
        assert_eq!(proxy.get("n").unwrap(), Some(json!(total as i64)));
        locked.push(total / t.as_secs_f64());

        proxy.set("n", json!(0)).unwrap();
        let t = in_processes(&proxy, |p| {
            (0..PER_PROCESS).try_for_each(|_| add_atomically(p, "n", 1).map(drop))
        });
        assert_eq!(proxy.get("n").unwrap(), Some(json!(total as i64)));
        atomic.push(total / t.as_secs_f64());
    }
    println!(
        "{PROCESSES} processes x {PER_PROCESS} increments, median of {RUNS} runs:\n  \
         under the manager lock : {:>9.0} increments/s\n  \
         atomic server-side add : {:>9.0} increments/s",
        median(locked),
        median(atomic)
    );
    drop(manager);
    let _ = std::fs::remove_dir_all(&dir);
}
