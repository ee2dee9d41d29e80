use std::fs::File;
use std::io::Write;
use std::os::fd::{AsFd, OwnedFd};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use forklings_support::within;
use nix::fcntl::OFlag;
use nix::unistd::pipe2;
use pipes::poll_timeout::{RecvError, poll, recv_timeout};

use crate::interrupts::interrupted;
use crate::{KillLeftovers, one_at_a_time};

const LIMIT: Duration = Duration::from_secs(5);
const SHORT: Duration = Duration::from_millis(50);
/// A timeout far beyond `LIMIT`, for waits that should end early: a `poll`
/// or `recv_timeout` that sleeps out its timeout before looking fails.
const PATIENCE: Duration = Duration::from_secs(600);

/// Close-on-exec, so that no other test's child inherits these ends.
fn new_pipe() -> (OwnedFd, OwnedFd) {
    pipe2(OFlag::O_CLOEXEC).expect("pipe2")
}

/// Starts `sh -c script` with its stdout on `write_end`; the parent keeps no
/// write end, so end of file comes when the shell exits.
fn peer_process(script: &str, write_end: OwnedFd) -> std::process::Child {
    Command::new("/bin/sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::from(write_end))
        .spawn()
        .expect("start /bin/sh")
}

#[test]
fn poll_on_a_quiet_pipe_says_no_and_not_early() {
    let (read_end, _write_end) = new_pipe();
    let (ready, waited) = within(LIMIT, "poll", move || {
        let start = Instant::now();
        let ready = poll(read_end.as_fd(), SHORT);
        (ready.expect("poll failed"), start.elapsed())
    });
    assert!(!ready, "nothing was written, yet poll said ready");
    assert!(
        waited >= SHORT,
        "poll returned after {waited:?}, before its {SHORT:?} timeout"
    );
}

#[test]
fn poll_never_gives_up_before_a_fractional_timeout() {
    // 20.9 ms is not a whole number of milliseconds: rounded down, poll's
    // own timeout would end 0.9 ms early. Five tries, so that luck cannot
    // hide it.
    let (read_end, _write_end) = new_pipe();
    let timeout = Duration::from_micros(20_900);
    let waits = within(LIMIT, "poll", move || {
        (0..5)
            .map(|_| {
                let start = Instant::now();
                let ready = poll(read_end.as_fd(), timeout).expect("poll failed");
                (ready, start.elapsed())
            })
            .collect::<Vec<_>>()
    });
    for (ready, waited) in waits {
        assert!(!ready, "nothing was written, yet poll said ready");
        assert!(
            waited >= timeout,
            "poll({timeout:?}) returned after {waited:?}: the time left must be rounded up, and checked again"
        );
    }
}

#[test]
fn poll_goes_on_waiting_when_a_signal_cuts_it_short() {
    let (read_end, _write_end) = new_pipe();
    let timeout = Duration::from_millis(200);
    let ((ready, waited), sent) = within(LIMIT, "poll under signals", move || {
        interrupted(Duration::from_millis(2), || {
            let start = Instant::now();
            let ready = poll(read_end.as_fd(), timeout).expect("poll failed");
            (ready, start.elapsed())
        })
    });
    // How many signals fit in the wait depends on how often the sending
    // thread gets a core (a busy machine gives it few turns); a few are
    // enough for some to land while poll waits.
    assert!(sent >= 3, "only {sent} signals were sent");
    assert!(!ready, "nothing was written, yet poll said ready");
    assert!(
        waited >= timeout,
        "poll({timeout:?}) returned after {waited:?}: a signal (EINTR) is no timeout"
    );
}

#[test]
fn poll_sees_waiting_data() {
    let (read_end, write_end) = new_pipe();
    File::from(write_end).write_all(b"x").expect("write");
    let ready = within(LIMIT, "poll", move || poll(read_end.as_fd(), PATIENCE));
    assert!(ready.expect("poll failed"));
}

#[test]
fn poll_wakes_when_data_arrives() {
    let (read_end, write_end) = new_pipe();
    let writer = thread::spawn(move || {
        thread::sleep(SHORT);
        File::from(write_end).write_all(b"x").expect("write");
    });
    let ready = within(LIMIT, "poll while a writer is on its way", move || {
        poll(read_end.as_fd(), PATIENCE)
    });
    writer.join().expect("the writer");
    assert!(
        ready.expect("poll failed"),
        "data arrived within the timeout"
    );
}

#[test]
fn poll_on_a_closed_pipe_says_ready() {
    // Close-on-exec does not help against a child that forks without exec:
    // no child may be forked while this test waits for end of file.
    let _serial = one_at_a_time();
    let (read_end, write_end) = new_pipe();
    drop(write_end);
    // A read would not block (it returns end of file), so poll says ready.
    let ready = within(LIMIT, "poll on a pipe with no writer", move || {
        poll(read_end.as_fd(), PATIENCE)
    });
    assert!(ready.expect("poll failed"));
}

#[test]
fn recv_timeout_on_silence_is_timeout_and_not_early() {
    let (read_end, _write_end) = new_pipe();
    let (result, waited) = within(LIMIT, "recv_timeout", move || {
        let start = Instant::now();
        (recv_timeout(read_end.as_fd(), SHORT), start.elapsed())
    });
    assert_eq!(result, Err(RecvError::Timeout));
    assert!(
        waited >= SHORT,
        "recv_timeout gave up after {waited:?}, before {SHORT:?}"
    );
}

#[test]
fn recv_timeout_reads_a_frame_that_arrives_in_pieces() {
    let (read_end, write_end) = new_pipe();
    let writer = thread::spawn(move || {
        let mut pipe = File::from(write_end);
        for piece in [&[0u8, 0][..], &[0, 5, b'h'], b"el", b"lo"] {
            pipe.write_all(piece).expect("write");
            thread::sleep(Duration::from_millis(10));
        }
    });
    let result = within(LIMIT, "recv_timeout", move || {
        recv_timeout(read_end.as_fd(), PATIENCE)
    });
    writer.join().expect("the writer");
    assert_eq!(result, Ok(b"hello".to_vec()));
}

#[test]
fn one_deadline_covers_the_whole_frame() {
    let (read_end, write_end) = new_pipe();
    let mut pipe = File::from(write_end);
    // A header that promises 4 bytes, 1 byte, and then silence: the writer
    // stays open, so only the deadline ends the wait.
    pipe.write_all(&[0, 0, 0, 4, b'a']).expect("write");
    let (result, waited) = within(
        LIMIT,
        "recv_timeout on a frame that never finishes (the deadline must cover the whole frame)",
        move || {
            let start = Instant::now();
            (recv_timeout(read_end.as_fd(), SHORT), start.elapsed())
        },
    );
    drop(pipe);
    assert_eq!(result, Err(RecvError::Timeout));
    assert!(
        waited >= SHORT,
        "gave up after {waited:?}, before {SHORT:?}"
    );
}

/// A peer that sends `pieces` (each after its pause), then a byte every
/// 100 ms, for at most four seconds or until `stop`.
fn trickle(
    write_end: OwnedFd,
    pieces: Vec<(u64, Vec<u8>)>,
    stop: Arc<AtomicBool>,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let mut pipe = File::from(write_end);
        let start = Instant::now();
        for (pause, bytes) in pieces {
            thread::sleep(Duration::from_millis(pause));
            let _ = pipe.write_all(&bytes);
        }
        while start.elapsed() < Duration::from_secs(4) && !stop.load(Ordering::Relaxed) {
            thread::sleep(Duration::from_millis(100));
            let _ = pipe.write_all(b"x");
        }
    })
}

#[test]
fn a_trickling_peer_cannot_stretch_the_deadline() {
    let timeout = Duration::from_secs(1);
    let stop = Arc::new(AtomicBool::new(false));
    // Two peers, each of which keeps sending, never a whole frame:
    // - one sends three bytes of the header at once and the fourth just
    //   before the deadline: a fresh deadline for the payload would end the
    //   wait near 2 s;
    // - one sends a header byte every 600 ms: a fresh timeout at every read
    //   would never end while the bytes come.
    // One deadline for the whole frame ends both waits after 1 s.
    let schedules = [
        vec![(0, vec![0, 0, 0]), (950, vec![100])],
        vec![
            (0, vec![0]),
            (600, vec![0]),
            (600, vec![0]),
            (600, vec![100]),
        ],
    ];
    let mut waits = Vec::new();
    let mut writers = Vec::new();
    for pieces in schedules {
        let (read_end, write_end) = new_pipe();
        writers.push(trickle(write_end, pieces, Arc::clone(&stop)));
        waits.push(thread::spawn(move || {
            let start = Instant::now();
            (recv_timeout(read_end.as_fd(), timeout), start.elapsed())
        }));
    }
    let results = within(
        LIMIT,
        "recv_timeout on peers that trickle bytes (one deadline for the whole frame)",
        move || {
            waits
                .into_iter()
                .map(|w| w.join().expect("recv_timeout panicked"))
                .collect::<Vec<_>>()
        },
    );
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.join().expect("the writer");
    }
    for (peer, (result, waited)) in ["header late", "header byte by byte"].iter().zip(results) {
        assert_eq!(result, Err(RecvError::Timeout), "{peer}");
        assert!(
            waited >= timeout,
            "{peer}: gave up after {waited:?}, before {timeout:?}"
        );
        assert!(
            waited < Duration::from_millis(1500),
            "{peer}: recv_timeout({timeout:?}) returned after {waited:?}: one deadline covers the whole frame, not each part or each read"
        );
    }
}

#[test]
fn end_of_file_inside_the_header_is_truncated() {
    let _serial = one_at_a_time();
    let _cleanup = KillLeftovers::new();
    let (read_end, write_end) = new_pipe();
    // Two bytes of a header, then the peer exits: the frame began.
    let mut peer = peer_process(r"printf '\000\000'", write_end);
    let result = within(
        LIMIT,
        "recv_timeout after the peer exited inside a header",
        move || recv_timeout(read_end.as_fd(), PATIENCE),
    );
    peer.wait().expect("reap the peer");
    assert_eq!(
        result,
        Err(RecvError::Truncated),
        "end of file after part of a header is a cut frame, not a clean close"
    );
}

#[test]
fn a_peer_that_exits_is_closed_not_a_hang() {
    let _serial = one_at_a_time();
    let _cleanup = KillLeftovers::new();
    let (read_end, write_end) = new_pipe();
    let mut peer = peer_process("exit 0", write_end);
    let result = within(
        LIMIT,
        "recv_timeout after the peer exited (end of file must end the wait)",
        move || recv_timeout(read_end.as_fd(), PATIENCE),
    );
    peer.wait().expect("reap the peer");
    assert_eq!(result, Err(RecvError::Closed));
}

#[test]
fn a_peer_that_exits_mid_frame_is_truncated() {
    let _serial = one_at_a_time();
    let _cleanup = KillLeftovers::new();
    let (read_end, write_end) = new_pipe();
    // A header that says 5 bytes, then 2 bytes, then the peer exits.
    let mut peer = peer_process(r"printf '\000\000\000\005ab'", write_end);
    let result = within(
        LIMIT,
        "recv_timeout after the peer exited mid-frame",
        move || recv_timeout(read_end.as_fd(), PATIENCE),
    );
    peer.wait().expect("reap the peer");
    assert_eq!(result, Err(RecvError::Truncated));
}

#[test]
fn frames_from_another_process_arrive() {
    let _serial = one_at_a_time();
    let _cleanup = KillLeftovers::new();
    let (read_end, write_end) = new_pipe();
    let mut peer = peer_process(r"printf '\000\000\000\002hi\000\000\000\000'", write_end);
    let frames = within(LIMIT, "recv_timeout of two frames", move || {
        let first = recv_timeout(read_end.as_fd(), PATIENCE);
        let second = recv_timeout(read_end.as_fd(), PATIENCE);
        let third = recv_timeout(read_end.as_fd(), PATIENCE);
        (first, second, third)
    });
    peer.wait().expect("reap the peer");
    assert_eq!(
        frames,
        (Ok(b"hi".to_vec()), Ok(vec![]), Err(RecvError::Closed))
    );
}
