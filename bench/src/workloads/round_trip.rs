//! A small message to another process and back: the course's typed
//! connection, a raw pipe pair, and `multiprocessing.Pipe`.
//!
//! The child echoes each number plus one; the time covers the round trips
//! only, not the fork.

use std::fs::File;
use std::io::{Read, Write};
use std::time::Instant;

use nix::sys::socket::{AddressFamily, SockFlag, SockType, socketpair};

use pipes::duplex;

use crate::model::{Leg, Sample, Size, Target, Workload};
use crate::sys;
use crate::workloads::spawn::pick;

pub fn workload() -> Workload {
    Workload {
        id: "round-trip",
        title: "round trip of a small message between two processes",
        unit: "round trip",
        target: Target::Ratio { max: 1.2 },
        size: |profile| Size {
            n: pick(profile, 10_000, 50_000),
            workers: 1,
        },
        python_size: |profile| Size {
            n: pick(profile, 5_000, 20_000),
            workers: 1,
        },
        expect: |size| size.n,
        legs: vec![
            Leg::reference("connection", "course typed Connection, u64", connection_leg),
            Leg::floor("pipe", "raw pipe pair, 8 bytes", pipe_floor),
            Leg::floor("socketpair", "raw socketpair, 8 bytes", socketpair_floor),
            Leg::floor(
                "two-writes",
                "raw pipe pair, header + body: 2 writes",
                two_writes_floor,
            ),
            Leg::python("python", "multiprocessing.Pipe send/recv", "round_trip.py"),
        ],
    }
}

/// The course's typed connection (two pipes, length-prefixed JSON frames)
/// carrying a `u64` each way.
fn connection_leg(size: Size) -> Result<Sample, String> {
    let (child, mut conn) = duplex::spawn_peer(|mut conn| {
        while let Ok(value) = conn.recv::<u64>() {
            if conn.send(&(value + 1)).is_err() {
                return 1;
            }
        }
        0
    })
    .map_err(|e| format!("spawn_peer: {e}"))?;
    let mut round_trip = |i: u64| -> Result<bool, String> {
        conn.send(&i).map_err(|e| format!("send: {e}"))?;
        Ok(conn.recv::<u64>().map_err(|e| format!("recv: {e}"))? == i + 1)
    };
    round_trip(0)?;
    let start = Instant::now();
    let mut right = 0;
    for i in 0..size.n {
        right += u64::from(round_trip(i)?);
    }
    let elapsed_s = start.elapsed().as_secs_f64();
    drop(conn);
    sys::wait_ok(child)?;
    Ok(Sample {
        elapsed_s,
        ops: size.n,
        check: right,
    })
}

/// Two pipes, one each way; each message is one 8-byte `write` and one
/// 8-byte `read`.
fn pipe_floor(size: Size) -> Result<Sample, String> {
    let (to_child_r, to_child_w) = sys::pipe_files()?;
    let (to_parent_r, to_parent_w) = sys::pipe_files()?;
    echo_round_trips(
        size,
        [to_child_r, to_parent_w],
        [to_parent_r, to_child_w],
        Framing::Whole,
    )
}

/// Two pipes, each message framed as a 4-byte length and an 8-byte body
/// written with two `write`s and read with two `read`s: what a framed
/// connection costs when it does not put a frame in one write.
fn two_writes_floor(size: Size) -> Result<Sample, String> {
    let (to_child_r, to_child_w) = sys::pipe_files()?;
    let (to_parent_r, to_parent_w) = sys::pipe_files()?;
    echo_round_trips(
        size,
        [to_child_r, to_parent_w],
        [to_parent_r, to_child_w],
        Framing::HeaderThenBody,
    )
}

/// How one 8-byte message goes through the pipe.
#[derive(Clone, Copy)]
enum Framing {
    /// One 8-byte write, one 8-byte read.
    Whole,
    /// A 4-byte length then the 8-byte body: two writes, two reads.
    HeaderThenBody,
}

impl Framing {
    fn send(self, mut to: &File, value: u64) -> std::io::Result<()> {
        if let Framing::HeaderThenBody = self {
            to.write_all(&8u32.to_be_bytes())?;
        }
        to.write_all(&value.to_le_bytes())
    }

    fn recv(self, mut from: &File) -> std::io::Result<u64> {
        if let Framing::HeaderThenBody = self {
            let mut header = [0u8; 4];
            from.read_exact(&mut header)?;
        }
        let mut body = [0u8; 8];
        from.read_exact(&mut body)?;
        Ok(u64::from_le_bytes(body))
    }
}

/// One Unix stream socket pair, duplex, as Python's `Pipe()` uses.
fn socketpair_floor(size: Size) -> Result<Sample, String> {
    let (ours, theirs) = socketpair(
        AddressFamily::Unix,
        SockType::Stream,
        None,
        SockFlag::SOCK_CLOEXEC,
    )
    .map_err(|e| format!("socketpair: {e}"))?;
    let (ours, theirs) = (File::from(ours), File::from(theirs));
    let (ours_w, theirs_w) = (
        ours.try_clone().map_err(|e| e.to_string())?,
        theirs.try_clone().map_err(|e| e.to_string())?,
    );
    echo_round_trips(size, [theirs, theirs_w], [ours, ours_w], Framing::Whole)
}

/// The child reads from `child[0]` and answers on `child[1]`; the parent
/// writes on `parent[1]` and reads on `parent[0]`. Returns how many answers
/// were the number plus one.
fn echo_round_trips(
    size: Size,
    child_ends: [File; 2],
    parent_ends: [File; 2],
    framing: Framing,
) -> Result<Sample, String> {
    let [to_child_r, to_parent_w] = child_ends;
    let [to_parent_r, to_child_w] = parent_ends;
    let child = sys::spawn_child(|| {
        sys::close_in_child(&to_child_w);
        sys::close_in_child(&to_parent_r);
        while let Ok(value) = framing.recv(&to_child_r) {
            if framing.send(&to_parent_w, value.wrapping_add(1)).is_err() {
                return 1;
            }
        }
        0
    })?;
    drop(to_child_r);
    drop(to_parent_w);
    let round_trip = |i: u64| -> Result<bool, String> {
        framing
            .send(&to_child_w, i)
            .map_err(|e| format!("write: {e}"))?;
        Ok(framing
            .recv(&to_parent_r)
            .map_err(|e| format!("read: {e}"))?
            == i + 1)
    };
    round_trip(0)?; // the child is up and running before the clock starts
    let start = Instant::now();
    let mut right = 0;
    for i in 0..size.n {
        right += u64::from(round_trip(i)?);
    }
    let elapsed_s = start.elapsed().as_secs_f64();
    drop(to_child_w); // end of file for the child (both ends: a socket pair is one socket)
    drop(to_parent_r);
    sys::wait_ok(child)?;
    Ok(Sample {
        elapsed_s,
        ops: size.n,
        check: right,
    })
}
