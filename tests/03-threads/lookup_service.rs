//! The stand-in for the look-up service of the tutorial: a TCP server on
//! 127.0.0.1, run by threads of the test, with a line protocol (the client
//! sends `key\n`, the server answers `value of key\n`).
//!
//! - Keys starting with `missing` get the connection closed, no answer.
//! - Keys starting with `silent` get no answer at all (until the client
//!   hangs up).
//! - Keys starting with `pieces` get their answer in three pieces, 50 ms
//!   apart.
//! - Keys starting with `trickle` get one byte of a long answer every
//!   150 ms: several seconds for the whole line.
//! - Every other key is held back until `batch` such requests are waiting
//!   at once (or for a few seconds, after which the answer is `late: key`:
//!   a client doing one look-up at a time), then the batch is answered
//!   last-come first.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How long a request waits for the rest of its batch.
const BATCH_WAIT: Duration = Duration::from_secs(3);
/// How long a connection may stay silent before the server gives up.
const IDLE: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Counts {
    arrived: usize,
    waiting: usize,
    high_water: usize,
    /// Per batch, how many answers went out.
    answered: Vec<usize>,
}

struct Shared {
    batch: usize,
    counts: Mutex<Counts>,
    changed: Condvar,
    stop: AtomicBool,
}

pub struct Service {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<thread::JoinHandle<()>>,
}

impl Service {
    pub fn start(batch: usize) -> Service {
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
        Service {
            addr,
            shared,
            acceptor: Some(acceptor),
        }
    }

    /// The most batched requests that waited for their answer at once.
    pub fn high_water(&self) -> usize {
        self.shared.counts.lock().unwrap().high_water
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        // Wake the acceptor out of `accept` so that it sees the flag.
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
    let mut out = &stream;
    if key.starts_with("missing") {
        return;
    }
    if key.starts_with("silent") {
        let _ = reader.read_line(&mut line); // until the client hangs up
        return;
    }
    if key.starts_with("pieces") {
        let answer = format!("value of {key}\n");
        let bytes = answer.as_bytes();
        let third = bytes.len() / 3;
        for piece in [
            &bytes[..third],
            &bytes[third..2 * third],
            &bytes[2 * third..],
        ] {
            if out.write_all(piece).is_err() {
                return;
            }
            thread::sleep(Duration::from_millis(50));
        }
        return;
    }
    if key.starts_with("trickle") {
        let answer = format!("a long, slow answer for {key}\n");
        for byte in answer.bytes() {
            if out.write_all(&[byte]).is_err() {
                return;
            }
            thread::sleep(Duration::from_millis(150));
        }
        return;
    }

    let mut counts = shared.counts.lock().unwrap();
    let position = counts.arrived;
    counts.arrived += 1;
    counts.waiting += 1;
    counts.high_water = counts.high_water.max(counts.waiting);
    shared.changed.notify_all();
    let batch_no = position / shared.batch;
    if counts.answered.len() <= batch_no {
        counts.answered.resize(batch_no + 1, 0);
    }
    let full = (batch_no + 1) * shared.batch;
    let later_in_batch = shared.batch - 1 - position % shared.batch;
    let deadline = Instant::now() + BATCH_WAIT;
    let mut late = false;
    // Wait for the whole batch, then for every later arrival of the batch
    // to be answered first.
    while counts.arrived < full || counts.answered[batch_no] < later_in_batch {
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
    counts.waiting -= 1;
    let _ = out.write_all(answer.as_bytes());
    counts.answered[batch_no] += 1;
    shared.changed.notify_all();
}
