//! The stand-in for the web service of the Python example: a TCP server on
//! 127.0.0.1 that answers one line per connection, run by threads of the
//! test (blocking code, so it does not depend on the student's reactor).
//!
//! Protocol: the client sends `key\n`; the server answers `value of key\n`
//! and keeps the connection open until the client closes it: the answer is
//! one line, not everything up to end of file.
//! Keys starting with `missing` get the connection closed with no answer;
//! keys starting with `slow` get no answer until the client hangs up;
//! keys starting with `truncated` get part of a line, then end of file;
//! keys starting with `pieces` get their answer in three writes, a moment
//! apart, so that the client reads it in pieces; keys starting with
//! `sleepy` get their answer after a second, in one write.
//!
//! To show that look-ups are in flight *at once*, the server holds answers
//! back in batches: the n-th request is answered only once `batch` requests
//! of its batch have arrived, and a moment more (`LINGER`) has passed; it
//! answers `late: key` instead if that has not happened within a few
//! seconds (a client doing one look-up at a time). Within a batch, answers
//! go out last-arrived first, so answers arrive out of request order.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How long a request waits for the rest of its batch.
const BATCH_WAIT: Duration = Duration::from_secs(3);
/// How long a full batch is held before its first answer goes out: a
/// client that keeps more requests in flight than it may (a semaphore
/// permit dropped at once, say) has sent its next one by then, even on a
/// busy machine, and the high-water mark shows it.
const LINGER: Duration = Duration::from_millis(300);
/// How long a connection may stay silent before the server gives up on it.
const IDLE: Duration = Duration::from_secs(10);
/// How long the server keeps a connection open after its answer, waiting
/// for the client to close it: longer than any test waits.
const HOLD: Duration = Duration::from_secs(60);
/// The pause between two pieces of an answer.
const PIECE_GAP: Duration = Duration::from_millis(30);
/// How long a `sleepy` key waits for its answer.
pub const SLEEPY: Duration = Duration::from_secs(1);

#[derive(Default)]
struct Counts {
    arrived: usize,
    in_flight: usize,
    high_water: usize,
    /// Per batch, how many answers went out.
    answered: Vec<usize>,
    /// The threads of this process when the first batch filled up.
    threads_when_full: Option<usize>,
}

struct Shared {
    batch: usize,
    counts: Mutex<Counts>,
    changed: Condvar,
    stop: AtomicBool,
}

pub struct Server {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<thread::JoinHandle<()>>,
}

impl Server {
    /// Starts a server that answers in batches of `batch` requests.
    pub fn start(batch: usize) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared {
            batch,
            counts: Mutex::new(Counts::default()),
            changed: Condvar::new(),
            stop: AtomicBool::new(false),
        });
        let for_acceptor = Arc::clone(&shared);
        let acceptor = thread::spawn(move || {
            for stream in listener.incoming() {
                if for_acceptor.stop.load(Ordering::Acquire) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let shared = Arc::clone(&for_acceptor);
                thread::spawn(move || serve(&shared, stream));
            }
        });
        Server {
            addr,
            shared,
            acceptor: Some(acceptor),
        }
    }

    /// The most requests that were waiting for their answer at one time.
    pub fn high_water(&self) -> usize {
        self.shared.counts.lock().unwrap().high_water
    }

    /// How many requests with an answer (not `missing`, `slow`...) came.
    pub fn requests(&self) -> usize {
        self.shared.counts.lock().unwrap().arrived
    }

    /// How many threads this process had when the first batch was full: the
    /// server's own, one per connection, and whatever the client runs.
    pub fn threads_when_full(&self) -> Option<usize> {
        self.shared.counts.lock().unwrap().threads_when_full
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        // Wake the acceptor out of `accept` so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn serve(shared: &Shared, stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(IDLE));
    let mut reader = BufReader::new(&stream);
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let key = line.trim_end().to_string();
    if key.starts_with("missing") {
        return; // hang up without an answer
    }
    if key.starts_with("slow") {
        // Wait for the client to give up and close (or for IDLE to pass).
        let _ = reader.read_line(&mut line);
        return;
    }
    if key.starts_with("truncated") {
        // Part of a line, then end of file.
        let _ = (&stream).write_all(format!("value of {key}").as_bytes());
        return;
    }
    if key.starts_with("sleepy") {
        thread::sleep(SLEEPY);
        let _ = (&stream).write_all(format!("value of {key}\n").as_bytes());
        hold_until_closed(&stream);
        return;
    }
    if key.starts_with("pieces") {
        let _ = stream.set_nodelay(true);
        for piece in ["value ", &format!("of {key}"), "\n"] {
            let _ = (&stream).write_all(piece.as_bytes());
            thread::sleep(PIECE_GAP);
        }
        hold_until_closed(&stream);
        return;
    }

    let batch = shared.batch;
    let mut counts = shared.counts.lock().unwrap();
    let index = counts.arrived;
    counts.arrived += 1;
    counts.in_flight += 1;
    counts.high_water = counts.high_water.max(counts.in_flight);
    if counts.arrived == batch && counts.threads_when_full.is_none() {
        counts.threads_when_full = std::fs::read_dir("/proc/self/task")
            .ok()
            .map(Iterator::count);
    }
    let batch_no = index / batch;
    if counts.answered.len() <= batch_no {
        counts.answered.resize(batch_no + 1, 0);
    }
    shared.changed.notify_all();

    let deadline = Instant::now() + BATCH_WAIT;
    let full = (batch_no + 1) * batch;
    let mut late = false;
    while counts.arrived < full {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            late = true;
            break;
        }
        counts = shared.changed.wait_timeout(counts, left).unwrap().0;
    }
    // Last arrived, first answered: wait for the later ones of the batch.
    let position = index % batch;
    if !late && position == batch - 1 {
        let until = Instant::now() + LINGER;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            counts = shared.changed.wait_timeout(counts, left).unwrap().0;
        }
    }
    while !late && counts.answered[batch_no] < batch - 1 - position {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            late = true;
            break;
        }
        counts = shared.changed.wait_timeout(counts, left).unwrap().0;
    }
    let answer = if late {
        format!("late: {key}\n")
    } else {
        format!("value of {key}\n")
    };
    // Out of flight before the answer leaves: once the client reads it, it
    // may send its next request at once. The write happens under the lock
    // so answers leave in exactly the order chosen above.
    counts.in_flight -= 1;
    let _ = (&stream).write_all(answer.as_bytes());
    counts.answered[batch_no] += 1;
    shared.changed.notify_all();
    drop(counts);
    hold_until_closed(&stream);
}

/// Keeps the connection open until the client closes it (or sends more),
/// as a server of a line protocol does.
fn hold_until_closed(stream: &TcpStream) {
    let _ = stream.set_read_timeout(Some(HOLD));
    let mut rest = [0u8; 64];
    let _ = (&*stream).read(&mut rest);
}
