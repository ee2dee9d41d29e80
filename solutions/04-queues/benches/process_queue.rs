//! Throughput of `process_queue::ProcessQueue`: producer processes put
//! 64-byte frames, the parent gets them all. Prints the median of several
//! runs, in messages per second.
//!
//! `cargo bench -p ch04-queues-solution --bench process_queue`

use std::time::{Duration, Instant};

use nix::sys::wait::waitpid;
use queues::process_queue::ProcessQueue;

const MESSAGES: usize = 200_000;
const RUNS: usize = 5;

fn run(producers: usize, len: usize) -> Duration {
    let queue = ProcessQueue::new().expect("ProcessQueue::new");
    let per_producer = MESSAGES / producers;
    let start = Instant::now();
    let pids: Vec<_> = (0..producers)
        .map(|_| {
            queue
                .spawn(move |q| {
                    let buf = [5u8; 4096];
                    for _ in 0..per_producer {
                        if q.put_bytes(&buf[..len]).is_err() {
                            return 1;
                        }
                    }
                    0
                })
                .expect("spawn")
        })
        .collect();
    for _ in 0..per_producer * producers {
        queue.get_bytes().expect("get_bytes");
    }
    let elapsed = start.elapsed();
    for pid in pids {
        waitpid(pid, None).expect("waitpid");
    }
    elapsed
}

fn main() {
    println!("cross-process queue throughput, median of {RUNS} runs of {MESSAGES} messages:");
    for (producers, len) in [(1, 64), (4, 64), (4, 1024)] {
        let mut times: Vec<Duration> = (0..RUNS).map(|_| run(producers, len)).collect();
        times.sort();
        let median = times[RUNS / 2];
        let rate = (MESSAGES / producers * producers) as f64 / median.as_secs_f64();
        println!("  {producers} producer(s), {len:4}-byte frames: {rate:>10.0} messages/s");
    }
}
