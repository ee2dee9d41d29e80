//! A load generator: the reference solution. The statement is in
//! `chapters/10-servers/src/load_generator.rs`.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

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
pub fn message(connection: usize, index: usize) -> Vec<u8> {
    format!("c{connection} m{index} the quick brown fox, straße café ÿ\n").into_bytes()
}

/// Opens `connections` connections at once and sends `messages` messages
/// on each, one after another, checking every answer and timing it. Returns
/// the latencies, or the first failure in connection order.
pub fn run(addr: SocketAddr, connections: usize, messages: usize) -> Result<LoadReport, LoadError> {
    let results: Vec<Result<Vec<Duration>, LoadError>> = thread::scope(|scope| {
        let clients: Vec<_> = (0..connections)
            .map(|c| scope.spawn(move || one_connection(addr, c, messages)))
            .collect();
        clients
            .into_iter()
            .map(|client| client.join().expect("a client thread panicked"))
            .collect()
    });
    let latencies = results.into_iter().collect::<Result<Vec<_>, _>>()?;
    Ok(LoadReport { latencies })
}

fn one_connection(
    addr: SocketAddr,
    connection: usize,
    messages: usize,
) -> Result<Vec<Duration>, LoadError> {
    let io_error = |error| LoadError::Io { connection, error };
    let mut stream = TcpStream::connect(addr).map_err(io_error)?;
    // Small messages, one at a time: send each at once, not after Nagle's
    // wait for the previous answer's acknowledgement.
    stream.set_nodelay(true).map_err(io_error)?;
    let mut latencies = Vec::with_capacity(messages);
    let mut answer = Vec::new();
    for index in 0..messages {
        let request = message(connection, index);
        let expected = request.to_ascii_uppercase();
        let start = Instant::now();
        stream.write_all(&request).map_err(io_error)?;
        // The answer is exactly as long as the request, and may come in
        // pieces: read until it is all there.
        answer.resize(expected.len(), 0);
        let mut got = 0;
        while got < answer.len() {
            match stream.read(&mut answer[got..]) {
                Ok(0) => {
                    return Err(LoadError::Closed {
                        connection,
                        message: index,
                    });
                }
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_error(e)),
            }
        }
        latencies.push(start.elapsed());
        if answer != expected {
            return Err(LoadError::WrongAnswer {
                connection,
                message: index,
                expected,
                got: answer,
            });
        }
    }
    Ok(latencies)
}

/// The `p`-th percentile of `latencies` (0 to 100) by the nearest-rank
/// method: the smallest value with at least `p` percent of the values at or
/// below it. `None` for no values.
pub fn percentile(latencies: &[Duration], p: f64) -> Option<Duration> {
    let mut sorted = latencies.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = (p * n as f64 / 100.0).ceil().clamp(1.0, n as f64) as usize;
    Some(sorted[rank - 1])
}
