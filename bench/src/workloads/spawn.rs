//! Start and join one process: the course's `Process`, raw fork + `_exit` +
//! waitpid, and `multiprocessing.Process`.

use std::time::Instant;

use processes::process::Process;

use crate::model::{Leg, Profile, Sample, Size, Target, Workload};
use crate::sys;

pub fn workload() -> Workload {
    Workload {
        id: "spawn",
        title: "start and join one process",
        unit: "process",
        target: Target::Ratio { max: 1.3 },
        size: |profile| Size {
            n: pick(profile, 300, 1_000),
            workers: 1,
        },
        python_size: |profile| Size {
            n: pick(profile, 50, 200),
            workers: 1,
        },
        expect: |size| size.n,
        legs: vec![
            Leg::reference("process", "course Process start + join", process_leg),
            Leg::floor("fork", "fork + _exit + waitpid", fork_floor),
            Leg::floor("thread", "a thread instead: spawn + join", thread_floor),
            Leg::python("python", "multiprocessing.Process", "spawn.py"),
        ],
    }
}

pub fn pick(profile: Profile, quick: u64, full: u64) -> u64 {
    match profile {
        Profile::Quick => quick,
        Profile::Full => full,
    }
}

/// `n` `Process`es one after the other, each running a closure that
/// returns 0 at once.
fn process_leg(size: Size) -> Result<Sample, String> {
    let start = Instant::now();
    let mut clean = 0;
    for _ in 0..size.n {
        let mut child = Process::new("bench", || 0);
        child.start().map_err(|e| format!("start: {e}"))?;
        if child.join().map_err(|e| format!("join: {e}"))? == 0 {
            clean += 1;
        }
    }
    Ok(Sample {
        elapsed_s: start.elapsed().as_secs_f64(),
        ops: size.n,
        check: clean,
    })
}

/// Not the same job, for scale: what a thread costs to start and join,
/// where a process costs a fork, an exit and a wait.
fn thread_floor(size: Size) -> Result<Sample, String> {
    let start = Instant::now();
    let mut clean = 0;
    for _ in 0..size.n {
        let thread = std::thread::spawn(|| 0);
        if thread.join().map_err(|_| "thread panicked")? == 0 {
            clean += 1;
        }
    }
    Ok(Sample {
        elapsed_s: start.elapsed().as_secs_f64(),
        ops: size.n,
        check: clean,
    })
}

/// `n` children one after the other; each exits with 0 at once.
fn fork_floor(size: Size) -> Result<Sample, String> {
    let start = Instant::now();
    let mut clean = 0;
    for _ in 0..size.n {
        let child = sys::spawn_child(|| 0)?;
        if sys::wait_code(child)? == 0 {
            clean += 1;
        }
    }
    Ok(Sample {
        elapsed_s: start.elapsed().as_secs_f64(),
        ops: size.n,
        check: clean,
    })
}
