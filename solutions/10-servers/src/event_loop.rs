//! The event loop: the reference solution. The statement is in
//! `chapters/10-servers/src/event_loop.rs`.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};

use nix::errno::Errno;
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};

use crate::control::{Served, Stop, retry_accept};

/// The token of the listener in epoll's events; the stop's is next, and
/// connections take the numbers after.
const LISTENER: u64 = 0;
const STOP: u64 = 1;

/// One client: its socket, the answer bytes it has not taken yet, and what
/// epoll watches it for.
struct Conn {
    stream: TcpStream,
    unsent: Vec<u8>,
    interest: EpollFlags,
}

/// What became of a connection after an event.
enum Next {
    /// Wait for this again.
    Wait(EpollFlags),
    /// The connection is over: its client closed (`Ok`) or vanished.
    Over(io::Result<()>),
}

/// Serves every connection from this one thread: non-blocking sockets, one
/// epoll instance, and a loop that handles whatever is ready. When `stop`
/// is requested: stops accepting, serves the open connections until they
/// end, and returns what it served.
pub fn serve(listener: TcpListener, stop: &Stop) -> io::Result<Served> {
    listener.set_nonblocking(true)?;
    let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?;
    epoll.add(&listener, EpollEvent::new(EpollFlags::EPOLLIN, LISTENER))?;
    epoll.add(stop, EpollEvent::new(EpollFlags::EPOLLIN, STOP))?;
    let mut listener = Some(listener);
    let mut conns: HashMap<u64, Conn> = HashMap::new();
    let mut next_token = STOP + 1;
    let mut served = Served::default();
    let mut events = vec![EpollEvent::empty(); 256];
    // One read buffer for every connection: they take turns on this thread.
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        if listener.is_none() && conns.is_empty() {
            return Ok(served);
        }
        let ready = match epoll.wait(&mut events, EpollTimeout::NONE) {
            Ok(n) => n,
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        };
        for event in &events[..ready] {
            match event.data() {
                LISTENER => {
                    let Some(listener) = &listener else { continue };
                    while let Some(stream) = accept_ready(listener)? {
                        stream.set_nonblocking(true)?;
                        epoll.add(&stream, EpollEvent::new(EpollFlags::EPOLLIN, next_token))?;
                        conns.insert(
                            next_token,
                            Conn {
                                stream,
                                unsent: Vec::new(),
                                interest: EpollFlags::EPOLLIN,
                            },
                        );
                        next_token += 1;
                    }
                }
                STOP => {
                    // Out of epoll both: the stop stays readable for good,
                    // and a closed listener refuses new clients.
                    epoll.delete(stop)?;
                    if let Some(listener) = listener.take() {
                        epoll.delete(&listener)?;
                    }
                }
                token => {
                    let Some(conn) = conns.get_mut(&token) else {
                        continue;
                    };
                    match conn.on_ready(&mut buf) {
                        // A system call only when the interest changes.
                        Next::Wait(interest) if interest == conn.interest => {}
                        Next::Wait(interest) => {
                            epoll.modify(&conn.stream, &mut EpollEvent::new(interest, token))?;
                            conn.interest = interest;
                        }
                        Next::Over(result) => {
                            // Out of epoll before the socket closes: a
                            // closed fd's number may come back for the next
                            // client.
                            epoll.delete(&conn.stream)?;
                            conns.remove(&token);
                            served.connections += 1;
                            served.failed += u64::from(result.is_err());
                        }
                    }
                }
            }
        }
    }
}

/// The next waiting connection, or `None` when there is none right now.
fn accept_ready(listener: &TcpListener) -> io::Result<Option<TcpStream>> {
    loop {
        match listener.accept() {
            Ok((stream, _)) => return Ok(Some(stream)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(None),
            Err(e) if retry_accept(&e) => {}
            Err(e) => return Err(e),
        }
    }
}

impl Conn {
    /// Does what the socket is ready for. Level-triggered epoll reports it
    /// again while more is waiting, so one read per turn is enough, and
    /// other clients get their turn in between.
    fn on_ready(&mut self, buf: &mut [u8]) -> Next {
        if !self.unsent.is_empty() {
            return self.flush();
        }
        match self.stream.read(buf) {
            Ok(0) => Next::Over(Ok(())),
            Ok(n) => {
                buf[..n].make_ascii_uppercase();
                self.unsent.extend_from_slice(&buf[..n]);
                self.flush()
            }
            Err(e) if is_not_yet(&e) => Next::Wait(EpollFlags::EPOLLIN),
            Err(e) => Next::Over(Err(e)),
        }
    }

    /// Writes what it can of the answer. While some is left, the client is
    /// not read from: a client that does not read its answers cannot make
    /// the server hold more and more of them.
    fn flush(&mut self) -> Next {
        let mut written = 0;
        let result = loop {
            if written == self.unsent.len() {
                break Ok(());
            }
            match self.stream.write(&self.unsent[written..]) {
                Ok(0) => break Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => written += n,
                Err(e) if is_not_yet(&e) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        self.unsent.drain(..written);
        match result {
            Err(e) => Next::Over(Err(e)),
            Ok(()) if self.unsent.is_empty() => Next::Wait(EpollFlags::EPOLLIN),
            Ok(()) => Next::Wait(EpollFlags::EPOLLOUT),
        }
    }
}

fn is_not_yet(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
    )
}
