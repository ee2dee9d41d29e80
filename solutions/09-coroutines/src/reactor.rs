//! A reactor on epoll: the reference solution. The statement is in
//! `chapters/09-coroutines/src/reactor.rs`.

use std::collections::HashMap;
use std::future::poll_fn;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::task::{Poll, Waker};
use std::thread;

use nix::errno::Errno;
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};

use crate::executor::{Executor, JoinHandle, join_all};

/// What a task waits for on a file descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interest {
    Readable,
    Writable,
}

/// Where one waiting future stands.
enum Waiting {
    Pending(Waker),
    Fired,
}

/// The epoll instance and the wakers of the futures waiting on it, served
/// by one thread that sits in `epoll_wait` and wakes whoever is ready.
struct Reactor {
    epoll: Epoll,
    waiting: Mutex<HashMap<u64, Waiting>>,
    next_token: AtomicU64,
}

impl Reactor {
    fn get() -> &'static Reactor {
        static REACTOR: OnceLock<&'static Reactor> = OnceLock::new();
        REACTOR.get_or_init(|| {
            let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC).expect("epoll_create1");
            let reactor: &'static Reactor = Box::leak(Box::new(Reactor {
                epoll,
                waiting: Mutex::new(HashMap::new()),
                next_token: AtomicU64::new(0),
            }));
            thread::Builder::new()
                .name("reactor".into())
                .spawn(move || reactor.run())
                .expect("could not start the reactor thread");
            reactor
        })
    }

    fn run(&self) {
        let mut events = [EpollEvent::empty(); 64];
        loop {
            let count = match self.epoll.wait(&mut events, EpollTimeout::NONE) {
                Ok(count) => count,
                Err(Errno::EINTR) => continue,
                Err(e) => panic!("epoll_wait failed: {e}"),
            };
            for event in &events[..count] {
                let waker = {
                    let mut waiting = self.waiting.lock().unwrap();
                    match waiting.insert(event.data(), Waiting::Fired) {
                        Some(Waiting::Pending(waker)) => Some(waker),
                        // Already fired, or the future was dropped: drop
                        // the entry we just put back.
                        Some(Waiting::Fired) => None,
                        None => {
                            waiting.remove(&event.data());
                            None
                        }
                    }
                };
                if let Some(waker) = waker {
                    waker.wake();
                }
            }
        }
    }
}

/// Waits until `fd` is ready for `interest`. Ready means "try again", not
/// "will succeed": the caller retries its call and may wait again.
pub async fn ready(fd: BorrowedFd<'_>, interest: Interest) -> io::Result<()> {
    let reactor = Reactor::get();
    let token = reactor.next_token.fetch_add(1, Ordering::Relaxed);
    let flags = match interest {
        Interest::Readable => EpollFlags::EPOLLIN,
        Interest::Writable => EpollFlags::EPOLLOUT,
    };
    // One-shot: epoll reports the event once and then ignores the fd until
    // it is armed again, so the reactor thread never spins on an fd whose
    // task has not run yet.
    let guard = Registration { reactor, fd, token };
    let mut armed = false;
    poll_fn(|cx| {
        let mut waiting = reactor.waiting.lock().unwrap();
        if let Some(Waiting::Fired) = waiting.get(&token) {
            return Poll::Ready(Ok::<(), io::Error>(()));
        }
        waiting.insert(token, Waiting::Pending(cx.waker().clone()));
        drop(waiting);
        if !armed {
            // The waker is in the table before the fd is armed: an event
            // that comes at once finds it.
            let event = EpollEvent::new(flags | EpollFlags::EPOLLONESHOT, token);
            if let Err(e) = reactor.epoll.add(fd, event) {
                return Poll::Ready(Err(e.into()));
            }
            armed = true;
        }
        Poll::Pending
    })
    .await?;
    drop(guard);
    Ok(())
}

/// Takes a finished or abandoned wait out of epoll and out of the table.
struct Registration<'a> {
    reactor: &'static Reactor,
    fd: BorrowedFd<'a>,
    token: u64,
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        // ENOENT when the fd was never armed: nothing to undo.
        let _ = self.reactor.epoll.delete(self.fd);
        self.reactor.waiting.lock().unwrap().remove(&self.token);
    }
}

/// A TCP connection whose reads and writes wait in the reactor instead of
/// blocking the thread.
#[derive(Debug)]
pub struct TcpConn {
    stream: TcpStream,
}

impl TcpConn {
    /// Connects to `addr` and makes the socket non-blocking, so every
    /// later read and write returns `WouldBlock` instead of waiting.
    ///
    /// The connect itself is std's blocking one: to a server on this
    /// machine the kernel completes it at once. (A full runtime starts it
    /// non-blocking too and waits for the socket to turn writable.)
    pub async fn connect(addr: SocketAddr) -> io::Result<TcpConn> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nonblocking(true)?;
        Ok(TcpConn { stream })
    }

    /// Reads what has arrived, at most `buf.len()` bytes; 0 means the peer
    /// closed the connection.
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.stream.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    ready(self.stream.as_fd(), Interest::Readable).await?;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                other => return other,
            }
        }
    }

    /// Writes all of `buf`.
    pub async fn write_all(&mut self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            match self.stream.write(buf) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => buf = &buf[n..],
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    ready(self.stream.as_fd(), Interest::Writable).await?;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

impl AsFd for TcpConn {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.stream.as_fd()
    }
}

/// One look-up: sends `key` and a newline, reads one line back and returns
/// it without the newline. A server that closes without a full line gives
/// an `UnexpectedEof` error.
pub async fn lookup(addr: SocketAddr, key: &str) -> io::Result<String> {
    let mut conn = TcpConn::connect(addr).await?;
    conn.write_all(format!("{key}\n").as_bytes()).await?;
    let mut line = Vec::new();
    let mut buf = [0u8; 256];
    loop {
        let n = conn.read(&mut buf).await?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("the server closed the connection before answering {key:?}"),
            ));
        }
        line.extend_from_slice(&buf[..n]);
        if let Some(end) = line.iter().position(|&b| b == b'\n') {
            line.truncate(end);
            return String::from_utf8(line)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e));
        }
    }
}

/// Looks up every key at once, one task each on `executor`, and returns
/// the answers in the order of `keys` (gevent's `spawn` then `joinall`).
pub fn lookup_all(executor: &Executor, addr: SocketAddr, keys: &[&str]) -> Vec<io::Result<String>> {
    let handles: Vec<JoinHandle<io::Result<String>>> = keys
        .iter()
        .map(|key| {
            let key = key.to_string();
            executor.spawn(async move { lookup(addr, &key).await })
        })
        .collect();
    executor
        .block_on(join_all(handles))
        .into_iter()
        .map(|joined| joined.unwrap_or_else(|e| Err(io::Error::other(e))))
        .collect()
}
