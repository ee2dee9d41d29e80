use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use forklings_support::within;
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{Pid, getpid};
use queues::process_queue::{MAX_FRAME, ProcessQueue};
use serde::{Deserialize, Serialize};

const LIMIT: Duration = Duration::from_secs(20);

/// A forked child inherits the fds of every test running at that moment;
/// the tests of this chapter fork one at a time so that no child holds
/// another test's pipe.
pub(crate) fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Kills the producers a failed test leaves behind (a producer stuck on a
/// lock token that never comes back must not outlive the test).
struct Producers(Vec<Pid>);

impl Drop for Producers {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // Only real children: a spawn that returned in the child may
            // hand back 0 or a negative number, and kill(0) or kill(-1)
            // would signal a process group or every process there is.
            for &pid in self.0.iter().filter(|p| p.as_raw() > 1 && **p != getpid()) {
                let _ = kill(pid, Signal::SIGKILL);
                let _ = waitpid(pid, None);
            }
        }
    }
}

/// A frame of `len` bytes that says who wrote it: producer, sequence number,
/// then the producer's byte repeated. Another frame cut into it shows.
fn frame(producer: u8, seq: u16, len: usize, buf: &mut [u8]) -> &[u8] {
    let out = &mut buf[..len];
    out.fill(b'A' + producer);
    out[0] = producer;
    out[1..3].copy_from_slice(&seq.to_be_bytes());
    out
}

/// Sizes from a few bytes to five times the atomic pipe write (4096).
fn size_of(producer: u8, seq: u16) -> usize {
    3 + (usize::from(seq) * 7919 + usize::from(producer) * 104_729) % 20_000
}

const PRODUCERS: u8 = 4;
const PER_PRODUCER: u16 = 150;

#[test]
fn several_producer_processes_lose_nothing_and_never_interleave() {
    let _serial = one_at_a_time();
    let queue = ProcessQueue::new().expect("ProcessQueue::new");
    let mut producers = Producers(Vec::new());
    for producer in 0..PRODUCERS {
        let pid = queue
            .spawn(move |q| {
                // The child allocates nothing: a frame is built on the stack.
                let mut buf = [0u8; 20_003];
                for seq in 0..PER_PRODUCER {
                    let len = size_of(producer, seq);
                    if q.put_bytes(frame(producer, seq, len, &mut buf)).is_err() {
                        return 1;
                    }
                }
                0
            })
            .expect("spawn a producer");
        producers.0.push(pid);
    }
    let total = usize::from(PRODUCERS) * usize::from(PER_PRODUCER);
    let frames = within(
        LIMIT,
        "getting every frame from 4 producer processes (frames lost, or a writer stuck on the lock?)",
        move || (0..total).map(|_| queue.get_bytes()).collect::<std::io::Result<Vec<_>>>(),
    )
    .expect("get_bytes failed");

    let mut next = [0u16; PRODUCERS as usize];
    let mut buf = vec![0u8; 20_003];
    for (i, got) in frames.iter().enumerate() {
        let producer = got.first().copied().unwrap_or(u8::MAX);
        assert!(
            producer < PRODUCERS,
            "frame {i} does not start with a producer id: frames interleaved"
        );
        let seq = next[usize::from(producer)];
        let expected = frame(producer, seq, size_of(producer, seq), &mut buf);
        assert!(
            got == expected,
            "frame {i} (producer {producer}, number {seq}) is not what was sent: frames interleaved or out of order"
        );
        next[usize::from(producer)] += 1;
    }
    assert_eq!(next, [PER_PRODUCER; PRODUCERS as usize], "frames lost");

    while let Some(&pid) = producers.0.first() {
        let status = within(LIMIT, "a producer to exit", move || waitpid(pid, None));
        producers.0.remove(0);
        assert_eq!(
            status,
            Ok(WaitStatus::Exited(pid, 0)),
            "producer {pid} failed"
        );
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Report {
    Started { worker: u32 },
    Result { worker: u32, primes: Vec<u64> },
}

#[test]
fn typed_values_cross_processes() {
    let _serial = one_at_a_time();
    let queue = ProcessQueue::new().expect("ProcessQueue::new");
    let mut producers = Producers(Vec::new());
    for worker in 0..3u32 {
        let pid = queue
            .spawn(move |q| {
                let lo = u64::from(worker) * 100;
                let primes: Vec<u64> = (lo.max(2)..lo + 100)
                    .filter(|n| (2..*n).take_while(|d| d * d <= *n).all(|d| n % d != 0))
                    .collect();
                let sent = q
                    .put(&Report::Started { worker })
                    .and_then(|()| q.put(&Report::Result { worker, primes }));
                i32::from(sent.is_err())
            })
            .expect("spawn a worker");
        producers.0.push(pid);
    }
    let mut reports = within(LIMIT, "getting 6 reports", move || {
        (0..6)
            .map(|_| queue.get::<Report>())
            .collect::<std::io::Result<Vec<_>>>()
    })
    .expect("get failed");
    while let Some(&pid) = producers.0.first() {
        let status = within(LIMIT, "a worker to exit", move || waitpid(pid, None));
        producers.0.remove(0);
        assert_eq!(
            status,
            Ok(WaitStatus::Exited(pid, 0)),
            "worker {pid} failed"
        );
    }
    // Each worker's two reports arrive in its order; workers interleave freely.
    for worker in 0..3 {
        let mine: Vec<&Report> = reports
            .iter()
            .filter(|r| matches!(r, Report::Started { worker: w } | Report::Result { worker: w, .. } if *w == worker))
            .collect();
        assert!(
            matches!(mine[..], [Report::Started { .. }, Report::Result { .. }]),
            "worker {worker}'s reports: {mine:?}"
        );
    }
    reports.retain(|r| matches!(r, Report::Result { .. }));
    let mut primes: Vec<u64> = reports
        .into_iter()
        .flat_map(|r| match r {
            Report::Result { primes, .. } => primes,
            Report::Started { .. } => vec![],
        })
        .collect();
    primes.sort_unstable();
    assert_eq!(primes.len(), 62, "the primes below 300");
    assert_eq!((primes[0], primes[61]), (2, 293));
}

#[test]
fn a_frame_over_max_frame_is_refused_before_anything_is_written() {
    let (refused, next) = within(
        LIMIT,
        "put_bytes of a frame over MAX_FRAME (it should refuse before writing, and give the lock back)",
        || {
            let queue = ProcessQueue::new().expect("ProcessQueue::new");
            // Zeroed memory costs nothing until touched.
            let refused = queue.put_bytes(&vec![0u8; MAX_FRAME + 1]);
            queue.put_bytes(b"next").expect("put_bytes after a refusal");
            (refused, queue.get_bytes())
        },
    );
    assert_eq!(
        refused.expect_err("over the limit").kind(),
        std::io::ErrorKind::InvalidInput
    );
    assert_eq!(next.expect("get_bytes failed"), b"next");
}

#[test]
fn a_frame_of_exactly_max_frame_bytes_crosses_whole() {
    // The limit is inclusive. The pipe holds far less than 16 MiB, so a
    // reader takes the frame while the writer is still writing it.
    let queue = std::sync::Arc::new(ProcessQueue::new().expect("ProcessQueue::new"));
    let reader = {
        let queue = std::sync::Arc::clone(&queue);
        std::thread::spawn(move || queue.get_bytes())
    };
    let written = within(
        LIMIT,
        "put_bytes of a frame of exactly MAX_FRAME bytes (with a reader taking it)",
        {
            let queue = std::sync::Arc::clone(&queue);
            move || queue.put_bytes(&vec![7u8; MAX_FRAME])
        },
    );
    written.expect("a frame of exactly MAX_FRAME bytes is allowed");
    let got = within(LIMIT, "get_bytes of the big frame", move || {
        reader.join().expect("the reader")
    })
    .expect("get_bytes of a frame of exactly MAX_FRAME bytes");
    assert!(
        got.len() == MAX_FRAME && got.iter().all(|&b| b == 7),
        "the frame came back with {} bytes, or changed",
        got.len()
    );
}

#[test]
fn within_one_process_it_is_a_fifo() {
    let got = within(LIMIT, "put and get in one process", || {
        let queue = ProcessQueue::new()?;
        for word in ["first", "", "third"] {
            queue.put_bytes(word.as_bytes())?;
        }
        queue.put(&vec![1, 2, 3])?;
        let words = (0..3)
            .map(|_| queue.get_bytes())
            .collect::<std::io::Result<Vec<_>>>()?;
        Ok::<_, std::io::Error>((words, queue.get::<Vec<i32>>()?))
    })
    .expect("put or get failed");
    assert_eq!(got.0, [&b"first"[..], b"", b"third"]);
    assert_eq!(got.1, [1, 2, 3]);
}
