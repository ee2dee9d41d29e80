//! The same look-ups with tokio: the reference solution. The statement is in
//! `chapters/09-coroutines/src/with_tokio.rs`.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::timeout;

/// Why one look-up failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupError {
    /// No answer within the time allowed for one look-up.
    TimedOut,
    /// The connection failed; the kind of I/O error.
    Io(io::ErrorKind),
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LookupError::TimedOut => f.write_str("no answer in time"),
            LookupError::Io(kind) => write!(f, "I/O error: {kind}"),
        }
    }
}

impl std::error::Error for LookupError {}

/// One look-up with tokio's `TcpStream`: the same line protocol as
/// `reactor::lookup`.
pub async fn lookup(addr: SocketAddr, key: &str) -> io::Result<String> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(format!("{key}\n").as_bytes()).await?;
    let mut line = String::new();
    let mut reader = BufReader::new(stream);
    if reader.read_line(&mut line).await? == 0 || !line.ends_with('\n') {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("the server closed the connection before answering {key:?}"),
        ));
    }
    line.pop();
    Ok(line)
}

/// Looks up every key on a single-threaded tokio runtime: one task each
/// (`JoinSet`), at most `limit` at once (`Semaphore`), each given `each` to
/// answer (`timeout`). Answers come back in the order of `keys`.
pub fn lookup_all(
    addr: SocketAddr,
    keys: &[&str],
    limit: usize,
    each: Duration,
) -> Vec<Result<String, LookupError>> {
    // `current_thread`: the same shape as the executor of this chapter, one
    // thread running every task.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        let places = Arc::new(Semaphore::new(limit));
        let mut tasks = JoinSet::new();
        for (index, key) in keys.iter().enumerate() {
            let key = key.to_string();
            let places = Arc::clone(&places);
            tasks.spawn(async move {
                // The permit is held until the task ends, answer or not.
                let _place = places.acquire_owned().await.expect("never closed");
                let answer = match timeout(each, lookup(addr, &key)).await {
                    Err(_) => Err(LookupError::TimedOut),
                    Ok(Err(e)) => Err(LookupError::Io(e.kind())),
                    Ok(Ok(value)) => Ok(value),
                };
                (index, answer)
            });
        }
        // A JoinSet hands results back as tasks finish: put each back in
        // its place by the index it carries.
        let mut answers: Vec<Option<Result<String, LookupError>>> = vec![None; keys.len()];
        while let Some(joined) = tasks.join_next().await {
            let (index, answer) = joined.expect("a look-up task panicked");
            answers[index] = Some(answer);
        }
        answers
            .into_iter()
            .map(|answer| answer.expect("every task answered"))
            .collect()
    })
}
