//! # Exercise: a load generator
//!
//! To compare servers you need a client that loads each of them the same
//! way, checks every answer (a fast wrong answer is no result) and times
//! each request:
//!
//! ```python
//! def client(c, messages, latencies):
//!     with socket.create_connection(ADDR) as conn:
//!         answers = conn.makefile("rb")
//!         for i in range(messages):
//!             msg = message(c, i)
//!             start = time.perf_counter()
//!             conn.sendall(msg)
//!             answer = answers.read(len(msg))
//!             latencies.append(time.perf_counter() - start)
//!             assert answer == msg.upper(), (c, i, answer)
//!
//! threads = [threading.Thread(target=client, args=(c, M, lat[c])) for c in range(C)]
//! ```
//!
//! Build [`run`]: `connections` clients at once, one thread each (scoped
//! threads), each connecting and sending its [`message`]s one after
//! another: send message `i`, read its whole answer, check it, time it,
//! then the next.
//! - An answer is as long as its message and may arrive in pieces: read
//!   until you have that many bytes. A read of 0 before that is
//!   [`LoadError::Closed`].
//! - The answer must be the message upper-cased like `bytes.upper()` (ASCII
//!   letters only; `ß` stays `ß`), byte for byte: otherwise
//!   [`LoadError::WrongAnswer`], with what was expected and what came.
//! - A latency runs from just before message `i` is sent to the last byte
//!   of its answer: each message its own, not the time since the
//!   connection began.
//! - Return the latencies, `latencies[c][i]`, or the first failure in
//!   connection order.
//!
//! And [`percentile`], by nearest rank: sort the values; the `p`-th
//! percentile is the one at rank `ceil(p / 100 × n)` (counting from 1, and
//! at least 1). Of ten values, the 50th percentile is the 5th and the 99th
//! the 10th.
//!
//! The tests run `run` against a server of their own: answers that arrive
//! in three pieces, a server that answers nothing until all connections are
//! open, one wrong answer (not upper-cased, upper-cased like Unicode, the
//! previous answer again, one byte changed), a connection closed early, and
//! first answers held back a second; and `percentile` on values in no
//! particular order.
//!
//! Stuck? `cargo course hint load_generator`.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

/// What a run measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadReport {
    /// `latencies[c][i]`: from the first byte of message `i` of connection
    /// `c` leaving to the last byte of its answer arriving.
    pub latencies: Vec<Vec<Duration>>,
}

impl LoadReport {
    /// How many requests were answered (every one was checked).
    pub fn requests(&self) -> usize {
        self.latencies.iter().map(Vec::len).sum()
    }

    /// Every latency of the run, in one list.
    pub fn all(&self) -> Vec<Duration> {
        self.latencies.iter().flatten().copied().collect()
    }
}

/// Why a run failed.
#[derive(Debug)]
pub enum LoadError {
    /// A connection could not be made, or broke.
    Io { connection: usize, error: io::Error },
    /// The server closed the connection before answering this message.
    Closed { connection: usize, message: usize },
    /// The answer to this message was not the message upper-cased.
    WrongAnswer {
        connection: usize,
        message: usize,
        expected: Vec<u8>,
        got: Vec<u8>,
    },
}

/// Message `index` of connection `connection`: one line, with lower-case
/// ASCII to upper-case and non-ASCII text that must come back unchanged.
/// (Given: the tests' server reads the numbers back from it.)
pub fn message(connection: usize, index: usize) -> Vec<u8> {
    format!("c{connection} m{index} the quick brown fox, straße café ÿ\n").into_bytes()
}

/// Opens `connections` connections at once and sends `messages` messages
/// on each, one after another, checking every answer and timing it. Returns
/// the latencies, or the first failure in connection order.
pub fn run(addr: SocketAddr, connections: usize, messages: usize) -> Result<LoadReport, LoadError> {
    todo!()
}

/// The `p`-th percentile of `latencies` (0 to 100) by the nearest-rank
/// method: the smallest value with at least `p` percent of the values at or
/// below it. `None` for no values.
pub fn percentile(latencies: &[Duration], p: f64) -> Option<Duration> {
    todo!()
}
