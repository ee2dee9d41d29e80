//! A client of the upper-casing protocol that checks every answer and
//! bounds every wait: a server that never answers fails the test with a
//! sentence, not a hang.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::socket::{setsockopt, sockopt};

/// How long an answer may take before the test gives up on it.
pub const ANSWER_LIMIT: Duration = Duration::from_secs(10);
/// How long a client waits to see that no answer comes. A server that
/// answers when it should not usually does so within a millisecond.
pub const SILENCE: Duration = Duration::from_millis(300);

pub struct Client {
    stream: TcpStream,
    pub name: String,
}

/// Upper-cases like Python's `bytes.upper()`: ASCII letters only.
pub fn upper(bytes: &[u8]) -> Vec<u8> {
    bytes.to_ascii_uppercase()
}

impl Client {
    pub fn connect(addr: SocketAddr, name: &str) -> Client {
        let stream = TcpStream::connect_timeout(&addr, ANSWER_LIMIT)
            .unwrap_or_else(|e| panic!("client {name} could not connect to the server: {e}"));
        stream.set_nodelay(true).expect("TCP_NODELAY");
        Client {
            stream,
            name: name.to_string(),
        }
    }

    /// A client whose receive buffer is small, so a server's answers pile
    /// up in the server's socket as soon as this client stops reading.
    pub fn connect_with_small_receive_buffer(addr: SocketAddr, name: &str) -> Client {
        let client = Client::connect(addr, name);
        setsockopt(&client.stream, sockopt::RcvBuf, &16_384).expect("SO_RCVBUF");
        client
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.stream
            .write_all(bytes)
            .unwrap_or_else(|e| panic!("client {} could not send: {e}", self.name));
    }

    /// Reads exactly `expected.len()` bytes and insists that they are
    /// `expected`.
    pub fn expect(&mut self, expected: &[u8]) {
        let got = self.read_exactly(expected.len(), ANSWER_LIMIT);
        assert!(
            got == expected,
            "client {} expected {:?}, got {:?}",
            self.name,
            String::from_utf8_lossy(expected),
            String::from_utf8_lossy(&got)
        );
    }

    /// Sends `line` and checks that its answer is `line` upper-cased.
    pub fn round_trip(&mut self, line: &str) {
        self.send(line.as_bytes());
        self.expect(&upper(line.as_bytes()));
    }

    /// Reads `n` bytes within `limit`, panicking with what came if they
    /// do not all come.
    pub fn read_exactly(&mut self, n: usize, limit: Duration) -> Vec<u8> {
        let deadline = Instant::now() + limit;
        let mut got = vec![0u8; n];
        let mut filled = 0;
        while filled < n {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                panic!(
                    "client {} waited {limit:?} for an answer and got only {:?}: \
                     is the server serving this client?",
                    self.name,
                    String::from_utf8_lossy(&got[..filled])
                );
            }
            self.stream.set_read_timeout(Some(left)).expect("timeout");
            match self.stream.read(&mut got[filled..]) {
                Ok(0) => panic!(
                    "client {}: the server closed the connection after {:?} \
                     of the answer",
                    self.name,
                    String::from_utf8_lossy(&got[..filled])
                ),
                Ok(k) => filled += k,
                Err(e) if is_timeout(&e) => {}
                Err(e) => panic!("client {}: the connection broke: {e}", self.name),
            }
        }
        got
    }

    /// True if nothing arrives for `wait` (and the connection stays open).
    pub fn is_silent_for(&mut self, wait: Duration) -> bool {
        self.stream.set_read_timeout(Some(wait)).expect("timeout");
        let mut byte = [0u8; 1];
        match self.stream.peek(&mut byte) {
            Err(e) if is_timeout(&e) => true,
            Ok(_) | Err(_) => false,
        }
    }

    /// Says "no more requests" (a FIN): the server should answer what it
    /// has and close.
    pub fn half_close(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Write);
    }

    /// Waits for the server to close its end, after every answer.
    pub fn expect_end(&mut self) {
        let deadline = Instant::now() + ANSWER_LIMIT;
        let mut byte = [0u8; 64];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "client {} closed its side, yet the server's side stayed open for \
                 {ANSWER_LIMIT:?}: does some process or thread still hold the connection?",
                self.name
            );
            self.stream.set_read_timeout(Some(left)).expect("timeout");
            match self.stream.read(&mut byte) {
                Ok(0) => return,
                Ok(_) => panic!(
                    "client {} got more answer than it asked for: {:?}",
                    self.name,
                    String::from_utf8_lossy(&byte)
                ),
                Err(e) if is_timeout(&e) => {}
                Err(e) => panic!(
                    "client {}: the connection broke instead of closing: {e}",
                    self.name
                ),
            }
        }
    }

    /// Half-closes and waits for the server's end of file: a clean goodbye.
    pub fn finish(mut self) {
        self.half_close();
        self.expect_end();
    }

    /// Vanishes: closes with SO_LINGER 0, so the server gets a reset
    /// instead of an end of file.
    pub fn vanish(self) {
        let linger = libc::linger {
            l_onoff: 1,
            l_linger: 0,
        };
        setsockopt(&self.stream, sockopt::Linger, &linger).expect("SO_LINGER");
        drop(self.stream);
    }

    /// A clone of the socket, for a writer thread beside a reader.
    pub fn try_clone(&self) -> TcpStream {
        self.stream.try_clone().expect("clone the socket")
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

/// Connects again and again until the server refuses (its listener is
/// closed), for at most `limit`. Connections that still get through are
/// closed at once.
pub fn refused_within(addr: SocketAddr, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => return true,
            Ok(probe) => drop(probe),
            Err(_) => {}
        }
        thread::sleep(Duration::from_millis(10));
    }
    false
}

/// `n` bytes of lines of text in lower case, as a big request.
pub fn text(n: usize) -> Vec<u8> {
    const LINE: &[u8] = "the quick brown fox jumps over the lazy dog, straße\n".as_bytes();
    LINE.iter().copied().cycle().take(n).collect()
}
