//! A right answer: edge-triggered. Each connection is registered once for
//! both directions (`EPOLLIN | EPOLLOUT | EPOLLET`) and never modified;
//! at every event the loop writes what is pending and reads, turn about,
//! until a call says `WouldBlock`. The tokens are the fds' own numbers.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd, RawFd};

use nix::errno::Errno;
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};

use crate::control::{Served, Stop};

struct Conn {
    stream: TcpStream,
    pending: Vec<u8>,
}

fn token(fd: RawFd) -> u64 {
    fd as u64
}

pub fn serve(listener: TcpListener, stop: &Stop) -> io::Result<Served> {
    listener.set_nonblocking(true)?;
    let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?;
    let listener_token = token(listener.as_raw_fd());
    let stop_token = token(stop.as_fd().as_raw_fd());
    epoll.add(
        &listener,
        EpollEvent::new(EpollFlags::EPOLLIN, listener_token),
    )?;
    epoll.add(stop, EpollEvent::new(EpollFlags::EPOLLIN, stop_token))?;
    let mut listener = Some(listener);
    let mut conns: HashMap<u64, Conn> = HashMap::new();
    let mut served = Served::default();
    let mut events = vec![EpollEvent::empty(); 128];
    let mut buf = [0u8; 8192];
    while listener.is_some() || !conns.is_empty() {
        let n = match epoll.wait(&mut events, EpollTimeout::NONE) {
            Ok(n) => n,
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        };
        for event in &events[..n] {
            let t = event.data();
            if listener.is_some() && t == listener_token {
                let Some(l) = &listener else { continue };
                loop {
                    match l.accept() {
                        Ok((stream, _)) => {
                            stream.set_nonblocking(true)?;
                            let t = token(stream.as_raw_fd());
                            let flags =
                                EpollFlags::EPOLLIN | EpollFlags::EPOLLOUT | EpollFlags::EPOLLET;
                            epoll.add(&stream, EpollEvent::new(flags, t))?;
                            conns.insert(
                                t,
                                Conn {
                                    stream,
                                    pending: Vec::new(),
                                },
                            );
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                        Err(e)
                            if matches!(
                                e.kind(),
                                io::ErrorKind::Interrupted | io::ErrorKind::ConnectionAborted
                            ) => {}
                        Err(e) => return Err(e),
                    }
                }
            } else if listener.is_some() && t == stop_token {
                epoll.delete(stop)?;
                if let Some(l) = listener.take() {
                    epoll.delete(&l)?;
                }
            } else if let Some(conn) = conns.get_mut(&t)
                && let Some(end) = drive(conn, &mut buf)
            {
                epoll.delete(&conn.stream)?;
                conns.remove(&t);
                served.connections += 1;
                if end.is_err() {
                    served.failed += 1;
                }
            }
        }
    }
    Ok(served)
}

/// Writes what is pending and reads more, until the socket would block.
/// `Some` once the connection is over.
fn drive(conn: &mut Conn, buf: &mut [u8]) -> Option<io::Result<()>> {
    loop {
        while !conn.pending.is_empty() {
            match conn.stream.write(&conn.pending) {
                Ok(0) => return Some(Err(io::ErrorKind::WriteZero.into())),
                Ok(n) => {
                    conn.pending.drain(..n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return None,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Some(Err(e)),
            }
        }
        match conn.stream.read(buf) {
            Ok(0) => return Some(Ok(())),
            Ok(n) => {
                buf[..n].make_ascii_uppercase();
                conn.pending.extend_from_slice(&buf[..n]);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return None,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Some(Err(e)),
        }
    }
}
