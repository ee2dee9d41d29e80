//! A scripted server for the load generator's tests: a thread per
//! connection, run by the test (not by the student's code), that answers
//! lines upper-cased and misbehaves on purpose where a test asks it to.
//!
//! It knows which connection and message a line is from its start, `c3 m7
//! ...` (see `load_generator::message`).

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How the server answers.
#[derive(Debug, Clone, Copy)]
pub enum Behaviour {
    /// Every answer right, each written in three pieces.
    InPieces,
    /// Answers nothing until `n` connections are open at once (or a few
    /// seconds have passed), then answers right.
    HoldUntilOpen(usize),
    /// The first answer of every connection comes `0` late; the others at
    /// once.
    FirstAnswerLate(Duration),
    /// Gets one answer wrong: message `message` of connection `connection`.
    Corrupt {
        connection: usize,
        message: usize,
        how: Corruption,
    },
    /// Closes connection `connection` after `answers` answers.
    CloseAfter { connection: usize, answers: usize },
}

/// Ways to get an answer wrong.
#[derive(Debug, Clone, Copy)]
pub enum Corruption {
    /// Sends the line back as it came.
    NotUpperCased,
    /// Upper-cases it the way Unicode does (ß becomes SS): longer.
    UnicodeUpper,
    /// Sends the previous message's answer again.
    RepeatsThePrevious,
    /// One byte changed.
    OneByteChanged,
}

#[derive(Default)]
struct Counts {
    open: usize,
    most_open: usize,
}

struct Shared {
    behaviour: Behaviour,
    counts: Mutex<Counts>,
    changed: Condvar,
    stop: AtomicBool,
}

pub struct TestServer {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<thread::JoinHandle<()>>,
}

impl TestServer {
    pub fn start(behaviour: Behaviour) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("address");
        let shared = Arc::new(Shared {
            behaviour,
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
        TestServer {
            addr,
            shared,
            acceptor: Some(acceptor),
        }
    }

    /// The most connections that were open at one time.
    pub fn most_open(&self) -> usize {
        self.shared.counts.lock().unwrap().most_open
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        // Wakes the acceptor out of `accept` so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// (connection, message) from a line `c3 m7 ...`.
fn ids(line: &[u8]) -> Option<(usize, usize)> {
    let text = std::str::from_utf8(line).ok()?;
    let mut words = text.split(' ');
    let c = words.next()?.strip_prefix('c')?.parse().ok()?;
    let m = words.next()?.strip_prefix('m')?.parse().ok()?;
    Some((c, m))
}

fn serve(shared: &Shared, stream: TcpStream) {
    {
        let mut counts = shared.counts.lock().unwrap();
        counts.open += 1;
        counts.most_open = counts.most_open.max(counts.open);
        shared.changed.notify_all();
    }
    let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
    let _ = stream.set_nodelay(true);
    answer_lines(shared, &stream);
    shared.counts.lock().unwrap().open -= 1;
}

fn answer_lines(shared: &Shared, stream: &TcpStream) {
    let mut reader = BufReader::new(stream);
    let mut writer = stream;
    let mut line = Vec::new();
    let mut previous = Vec::new();
    let mut answered = 0;
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let (c, m) = ids(&line).unwrap_or((usize::MAX, usize::MAX));
        let mut answer = line.to_ascii_uppercase();
        match shared.behaviour {
            Behaviour::InPieces => {
                let third = answer.len() / 3;
                for piece in [
                    &answer[..third],
                    &answer[third..2 * third],
                    &answer[2 * third..],
                ] {
                    if writer.write_all(piece).is_err() {
                        return;
                    }
                    thread::sleep(Duration::from_millis(1));
                }
                continue;
            }
            Behaviour::HoldUntilOpen(n) => {
                let deadline = Instant::now() + Duration::from_secs(3);
                let mut counts = shared.counts.lock().unwrap();
                while counts.most_open < n && Instant::now() < deadline {
                    let left = deadline.saturating_duration_since(Instant::now());
                    counts = shared.changed.wait_timeout(counts, left).unwrap().0;
                }
            }
            Behaviour::FirstAnswerLate(delay) if answered == 0 => thread::sleep(delay),
            Behaviour::FirstAnswerLate(_) => {}
            Behaviour::Corrupt {
                connection,
                message,
                how,
            } if (c, m) == (connection, message) => {
                answer = match how {
                    Corruption::NotUpperCased => line.clone(),
                    Corruption::UnicodeUpper => {
                        String::from_utf8_lossy(&line).to_uppercase().into_bytes()
                    }
                    Corruption::RepeatsThePrevious => previous.clone(),
                    Corruption::OneByteChanged => {
                        let mut wrong = answer.clone();
                        let last_letter = wrong.len() - 2;
                        wrong[last_letter] ^= 0x01;
                        wrong
                    }
                };
            }
            Behaviour::Corrupt { .. } => {}
            Behaviour::CloseAfter {
                connection,
                answers,
            } if c == connection && answered == answers => return,
            Behaviour::CloseAfter { .. } => {}
        }
        if writer.write_all(&answer).is_err() {
            return;
        }
        previous = answer;
        answered += 1;
    }
}
