//! Ten thousand tasks each sleeping 10 ms on one thread: the course's
//! executor, tokio's current-thread runtime, and gevent and asyncio.
//!
//! The ideal is a little over 10 ms: every sleep runs at once.

use std::time::{Duration, Instant};

use coroutines::executor::{Executor, join_all};
use coroutines::timers::sleep;

use crate::model::{Leg, Sample, Size, Target, Workload};
use crate::workloads::spawn::pick;

pub const NAP: Duration = Duration::from_millis(10);

pub fn workload() -> Workload {
    Workload {
        id: "sleeps",
        title: "10 000 tasks each sleeping 10 ms, one thread",
        unit: "task",
        target: Target::Ratio { max: 1.5 },
        size: |profile| Size {
            n: pick(profile, 10_000, 10_000),
            workers: 1,
        },
        python_size: |profile| Size {
            n: pick(profile, 10_000, 10_000),
            workers: 1,
        },
        expect: |size| size.n,
        legs: vec![
            Leg::reference("executor", "course Executor + timers::sleep", executor_leg),
            Leg::floor("tokio", "tokio current-thread runtime", tokio_floor),
            Leg::python("gevent", "gevent spawn + joinall", "sleeps_gevent.py"),
            Leg::python("asyncio", "asyncio gather", "sleeps_asyncio.py"),
        ],
    }
}

/// The course's single-threaded executor and its timer thread: spawn every
/// task, then `join_all` (gevent's `spawn` and `joinall`).
fn executor_leg(size: Size) -> Result<Sample, String> {
    let executor = Executor::new();
    let start = Instant::now();
    let done = executor.block_on(async {
        let handles: Vec<_> = (0..size.n)
            .map(|_| {
                executor.spawn(async {
                    sleep(NAP).await;
                    1u64
                })
            })
            .collect();
        join_all(handles)
            .await
            .into_iter()
            .map(|r| r.unwrap_or(0))
            .sum::<u64>()
    });
    Ok(Sample {
        elapsed_s: start.elapsed().as_secs_f64(),
        ops: size.n,
        check: done,
    })
}

/// The runtime is built outside the time; spawning, sleeping and joining
/// every task is inside.
fn tokio_floor(size: Size) -> Result<Sample, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    let start = Instant::now();
    let done = runtime.block_on(async {
        let handles: Vec<_> = (0..size.n)
            .map(|_| {
                tokio::spawn(async {
                    tokio::time::sleep(NAP).await;
                    1u64
                })
            })
            .collect();
        let mut done = 0;
        for handle in handles {
            done += handle.await.unwrap_or(0);
        }
        done
    });
    Ok(Sample {
        elapsed_s: start.elapsed().as_secs_f64(),
        ops: size.n,
        check: done,
    })
}
