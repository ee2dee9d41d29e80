//! The round trip between two processes over pipes: the parent sends, a
//! forked child answers, the parent receives. Prints the median of several
//! batches, in microseconds per round trip.
//!
//! `cargo bench -p ch02-pipes-solution --bench round_trip`

use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use nix::sys::wait::waitpid;
use nix::unistd::{ForkResult, fork, pipe, read, write};
use pipes::duplex::spawn_peer;

const TRIPS: u32 = 20_000;
const BATCHES: usize = 7;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn per_trip(total: Duration) -> f64 {
    total.as_secs_f64() * 1e6 / f64::from(TRIPS)
}

/// One byte each way on two raw pipes: the cost of the kernel alone.
fn raw_byte() -> Duration {
    let (to_child_r, to_child_w) = pipe().expect("pipe");
    let (to_parent_r, to_parent_w) = pipe().expect("pipe");
    // SAFETY: the child only reads, writes and calls `_exit`.
    match unsafe { fork() }.expect("fork") {
        ForkResult::Child => {
            drop((to_child_w, to_parent_r));
            let mut byte = [0u8; 1];
            while let Ok(1) = read(&to_child_r, &mut byte) {
                if write(&to_parent_w, &byte).is_err() {
                    break;
                }
            }
            // SAFETY: ends the child at once.
            unsafe { libc::_exit(0) }
        }
        ForkResult::Parent { child } => {
            drop((to_child_r, to_parent_w));
            let mut times = Vec::new();
            let mut byte = [7u8; 1];
            for _ in 0..BATCHES {
                let start = Instant::now();
                for _ in 0..TRIPS {
                    write(to_child_w.as_fd(), &byte).expect("write");
                    read(to_parent_r.as_fd(), &mut byte).expect("read");
                }
                times.push(start.elapsed());
            }
            drop(to_child_w);
            waitpid(child, None).expect("waitpid");
            median(times)
        }
    }
}

/// A framed 64-byte message each way through `duplex::Connection`.
fn framed(len: usize) -> Duration {
    let (child, mut conn) = spawn_peer(|mut peer| {
        while let Ok(frame) = peer.recv_bytes() {
            if peer.send_bytes(&frame).is_err() {
                return 1;
            }
        }
        0
    })
    .expect("spawn_peer");
    let message = vec![1u8; len];
    let mut times = Vec::new();
    for _ in 0..BATCHES {
        let start = Instant::now();
        for _ in 0..TRIPS {
            conn.send_bytes(&message).expect("send");
            conn.recv_bytes().expect("recv");
        }
        times.push(start.elapsed());
    }
    drop(conn);
    waitpid(child, None).expect("waitpid");
    median(times)
}

fn main() {
    println!("pipe round trip between two processes, median of {BATCHES} batches of {TRIPS}:");
    println!(
        "  raw 1 byte each way:        {:7.2} µs",
        per_trip(raw_byte())
    );
    println!(
        "  framed 64 bytes (duplex):   {:7.2} µs",
        per_trip(framed(64))
    );
    println!(
        "  framed 4 KiB (duplex):      {:7.2} µs",
        per_trip(framed(4096))
    );
}
