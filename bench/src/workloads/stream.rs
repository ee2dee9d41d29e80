//! A stream of small messages from one process to another: the course's
//! cross-process queue, a raw pipe with buffered 8-byte records, and
//! `multiprocessing.Queue`.
//!
//! The time runs from before the fork until the last message is read.

use std::io::{BufReader, BufWriter, Read, Write};
use std::time::Instant;

use queues::process_queue::ProcessQueue;

use crate::model::{Leg, Sample, Size, Target, Workload};
use crate::sys;
use crate::workloads::spawn::pick;

pub fn workload() -> Workload {
    Workload {
        id: "stream",
        title: "stream of small messages between two processes",
        unit: "message",
        target: Target::Rate { min: 2_000_000.0 },
        size: |profile| Size {
            n: pick(profile, 200_000, 1_000_000),
            workers: 1,
        },
        python_size: |profile| Size {
            n: pick(profile, 20_000, 100_000),
            workers: 1,
        },
        expect: |size| sum_below(size.n),
        legs: vec![
            Leg::reference("queue", "course ProcessQueue, put/get of u64", queue_leg),
            Leg::floor("pipe", "raw pipe, buffered 8-byte records", pipe_floor),
            Leg::python("python", "multiprocessing.Queue", "stream.py"),
        ],
    }
}

/// 0 + 1 + ... + (n - 1), wrapping like the legs' sums.
pub fn sum_below(n: u64) -> u64 {
    (0..n).fold(0u64, |sum, i| sum.wrapping_add(i))
}

/// The course's cross-process queue: the child `put`s each number, the
/// parent `get`s them.
fn queue_leg(size: Size) -> Result<Sample, String> {
    let start = Instant::now();
    let queue = ProcessQueue::new().map_err(|e| format!("queue: {e}"))?;
    let n = size.n;
    let child = queue
        .spawn(|queue| {
            for i in 0..n {
                if queue.put(&i).is_err() {
                    return 1;
                }
            }
            0
        })
        .map_err(|e| format!("spawn: {e}"))?;
    let mut sum = 0u64;
    for _ in 0..n {
        let value: u64 = queue.get().map_err(|e| format!("get: {e}"))?;
        sum = sum.wrapping_add(value);
    }
    let elapsed_s = start.elapsed().as_secs_f64();
    sys::wait_ok(child)?;
    Ok(Sample {
        elapsed_s,
        ops: n,
        check: sum,
    })
}

/// The child writes the numbers 0..n as 8-byte records through a 64 KiB
/// buffer; the parent reads them through another and sums them.
fn pipe_floor(size: Size) -> Result<Sample, String> {
    let start = Instant::now();
    let (read, write) = sys::pipe_files()?;
    let n = size.n;
    let child = sys::spawn_child(|| {
        sys::close_in_child(&read);
        let mut out = BufWriter::with_capacity(64 * 1024, &write);
        for i in 0..n {
            if out.write_all(&i.to_le_bytes()).is_err() {
                return 1;
            }
        }
        i32::from(out.flush().is_err())
    })?;
    drop(write);
    let mut input = BufReader::with_capacity(64 * 1024, read);
    let mut sum = 0u64;
    let mut record = [0u8; 8];
    for _ in 0..n {
        input
            .read_exact(&mut record)
            .map_err(|e| format!("read: {e}"))?;
        sum = sum.wrapping_add(u64::from_le_bytes(record));
    }
    let elapsed_s = start.elapsed().as_secs_f64();
    sys::wait_ok(child)?;
    Ok(Sample {
        elapsed_s,
        ops: n,
        check: sum,
    })
}
