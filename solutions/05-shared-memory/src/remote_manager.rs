//! The manager over TCP, with an authentication handshake: the reference
//! solution. The statement is in `chapters/05-shared-memory/src/remote_manager.rs`.

use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use nix::unistd::{ForkResult, Pid, fork};

use crate::manager::{
    Request, Response, Served, Store, Value, close_inherited_fds, exchange, reap_within,
    run_server, serve, unexpected,
};

// ---------------------------------------------------------------------------
// Given to the student, finished: the challenge and the keyed hash.

/// The length of a challenge, in bytes.
const CHALLENGE_LEN: usize = 16;

/// A fresh random challenge from the kernel.
fn fresh_challenge() -> io::Result<[u8; CHALLENGE_LEN]> {
    let mut nonce = [0u8; CHALLENGE_LEN];
    File::open("/dev/urandom")?.read_exact(&mut nonce)?;
    Ok(nonce)
}

/// SipHash-2-4 (Aumasson and Bernstein): a keyed hash with a 128-bit key.
fn siphash24(k0: u64, k1: u64, data: &[u8]) -> u64 {
    let mut v = [
        k0 ^ 0x736f_6d65_7073_6575,
        k1 ^ 0x646f_7261_6e64_6f6d,
        k0 ^ 0x6c79_6765_6e65_7261,
        k1 ^ 0x7465_6462_7974_6573,
    ];
    fn round(v: &mut [u64; 4]) {
        v[0] = v[0].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(13) ^ v[0];
        v[0] = v[0].rotate_left(32);
        v[2] = v[2].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(16) ^ v[2];
        v[0] = v[0].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(21) ^ v[0];
        v[2] = v[2].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(17) ^ v[2];
        v[2] = v[2].rotate_left(32);
    }
    let compress = |m: u64, v: &mut [u64; 4]| {
        v[3] ^= m;
        round(v);
        round(v);
        v[0] ^= m;
    };
    let mut chunks = data.chunks_exact(8);
    for chunk in &mut chunks {
        compress(
            u64::from_le_bytes(chunk.try_into().expect("8 bytes")),
            &mut v,
        );
    }
    let mut last = [0u8; 8];
    last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    last[7] = data.len() as u8;
    compress(u64::from_le_bytes(last), &mut v);
    v[2] ^= 0xff;
    for _ in 0..4 {
        round(&mut v);
    }
    v[0] ^ v[1] ^ v[2] ^ v[3]
}

/// The answer to `challenge` for `key`: SipHash-2-4 of the challenge, keyed
/// by 128 bits drawn from the shared key. Both sides compute it; only the
/// answer travels, never the key.
///
/// A teaching stand-in: SipHash is a keyed hash made for short inputs, but a
/// 64-bit tag is short and deriving its key this way is ad hoc. Real code
/// uses HMAC-SHA256, as Python's `multiprocessing` does since 3.12 (it used
/// HMAC-MD5 before).
/// (`std::hash::DefaultHasher` would be wrong here: it takes no key, and its
/// algorithm may change between Rust releases.)
fn auth_tag(key: &[u8], challenge: &[u8]) -> u64 {
    let k0 = siphash24(0x0706_0504_0302_0100, 0x0f0e_0d0c_0b0a_0908, key);
    let k1 = siphash24(0x0f0e_0d0c_0b0a_0908, 0x0706_0504_0302_0100, key);
    siphash24(k0, k1, challenge)
}

// ---------------------------------------------------------------------------

/// How long a client waits for the server's side of the handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the server waits for a client's answer: a client that never
/// answers is let go after this, and its thread ends.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a proxy waits for a reply.
const REPLY_TIMEOUT: Duration = Duration::from_secs(30);

const WELCOME: u8 = 1;
const REFUSED: u8 = 0;

/// The server's half: challenge, check the answer, say yes or no.
fn admit(stream: &mut TcpStream, key: &[u8]) -> io::Result<bool> {
    stream.set_read_timeout(Some(ANSWER_TIMEOUT))?;
    let challenge = fresh_challenge()?;
    stream.write_all(&challenge)?;
    let mut answer = [0u8; 8];
    stream.read_exact(&mut answer)?;
    let expected = auth_tag(key, &challenge).to_be_bytes();
    // Compare every byte whatever the first difference, so the time taken
    // does not tell an attacker how many bytes were right.
    let good = answer
        .iter()
        .zip(expected)
        .fold(0u8, |diff, (a, b)| diff | (a ^ b))
        == 0;
    stream.write_all(&[if good { WELCOME } else { REFUSED }])?;
    stream.set_read_timeout(None)?;
    Ok(good)
}

/// The client's half: answer the challenge, learn the verdict.
fn authenticate(stream: &mut TcpStream, key: &[u8]) -> io::Result<()> {
    stream.set_read_timeout(Some(HANDSHAKE_TIMEOUT))?;
    let mut challenge = [0u8; CHALLENGE_LEN];
    stream.read_exact(&mut challenge)?;
    stream.write_all(&auth_tag(key, &challenge).to_be_bytes())?;
    let mut verdict = [0u8; 1];
    stream.read_exact(&mut verdict)?;
    if verdict[0] != WELCOME {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "the manager refused the key",
        ));
    }
    stream.set_read_timeout(Some(REPLY_TIMEOUT))?;
    Ok(())
}

/// The handle on a manager served over TCP on 127.0.0.1. Dropping it stops
/// the server.
#[derive(Debug)]
pub struct RemoteManager {
    addr: SocketAddr,
    key: Vec<u8>,
    server: Pid,
}

impl RemoteManager {
    /// Binds 127.0.0.1 on a port the system picks, forks the server, and
    /// returns once clients can connect. Clients must prove they know `key`.
    pub fn start(key: &[u8]) -> io::Result<RemoteManager> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        // SAFETY: the child runs only the server loop and leaves with `_exit`.
        match unsafe { fork() }? {
            ForkResult::Child => {
                close_inherited_fds(listener.as_raw_fd());
                let store: &'static Store = Box::leak(Box::default());
                let key = key.to_vec();
                run_server(
                    move || listener.accept().map(|(stream, _)| stream),
                    move |mut stream: TcpStream| match admit(&mut stream, &key) {
                        Ok(true) => serve(store, &mut stream),
                        // Refused or broken: this client is done, the others
                        // are served by their own threads as before.
                        _ => Served::Disconnected,
                    },
                    || {},
                )
            }
            ForkResult::Parent { child } => {
                drop(listener);
                Ok(RemoteManager {
                    addr,
                    key: key.to_vec(),
                    server: child,
                })
            }
        }
    }

    /// Where the server listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server process.
    pub fn server_pid(&self) -> Pid {
        self.server
    }

    /// A new proxy, authenticated with the manager's own key.
    pub fn proxy(&self) -> io::Result<RemoteProxy> {
        RemoteProxy::connect(self.addr, &self.key)
    }
}

impl Drop for RemoteManager {
    fn drop(&mut self) {
        let asked = self.proxy().and_then(|proxy| {
            let mut stream = proxy.stream.lock().unwrap_or_else(PoisonError::into_inner);
            stream.set_read_timeout(Some(Duration::from_secs(2)))?;
            exchange(&mut *stream, &Request::Shutdown)
        });
        let grace = if asked.is_ok() {
            Duration::from_secs(5)
        } else {
            Duration::ZERO
        };
        reap_within(self.server, grace);
    }
}

/// A client of a [`RemoteManager`], over one authenticated TCP connection.
#[derive(Debug)]
pub struct RemoteProxy {
    stream: Mutex<TcpStream>,
}

impl RemoteProxy {
    /// Connects to `addr` and answers the server's challenge with `key`. A
    /// wrong key is a `PermissionDenied` error.
    pub fn connect(addr: SocketAddr, key: &[u8]) -> io::Result<RemoteProxy> {
        let mut stream = TcpStream::connect_timeout(&addr, HANDSHAKE_TIMEOUT)?;
        authenticate(&mut stream, key)?;
        Ok(RemoteProxy {
            stream: Mutex::new(stream),
        })
    }

    fn call(&self, request: &Request) -> io::Result<Response> {
        let mut stream = self.stream.lock().unwrap_or_else(PoisonError::into_inner);
        exchange(&mut *stream, request)
    }

    /// The value at `key`, or `None`.
    pub fn get(&self, key: &str) -> io::Result<Option<Value>> {
        match self.call(&Request::Get(key.to_owned()))? {
            Response::Value(v) => Ok(v),
            other => Err(unexpected(other)),
        }
    }

    /// Stores `value` at `key`.
    pub fn set(&self, key: &str, value: Value) -> io::Result<()> {
        match self.call(&Request::Set(key.to_owned(), value))? {
            Response::Done => Ok(()),
            other => Err(unexpected(other)),
        }
    }

    /// Appends `value` to the managed list.
    pub fn append(&self, value: Value) -> io::Result<()> {
        match self.call(&Request::Append(value))? {
            Response::Done => Ok(()),
            other => Err(unexpected(other)),
        }
    }

    /// A copy of the managed list.
    pub fn list(&self) -> io::Result<Vec<Value>> {
        match self.call(&Request::List)? {
            Response::List(items) => Ok(items),
            other => Err(unexpected(other)),
        }
    }

    /// The keys of the map, sorted.
    pub fn keys(&self) -> io::Result<Vec<String>> {
        match self.call(&Request::Keys)? {
            Response::Keys(keys) => Ok(keys),
            other => Err(unexpected(other)),
        }
    }

    /// Adds `delta` to the integer at `key` in one step; returns the new value.
    pub fn add(&self, key: &str, delta: i64) -> io::Result<i64> {
        match self.call(&Request::Add(key.to_owned(), delta))? {
            Response::Number(n) => Ok(n),
            other => Err(unexpected(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::siphash24;

    #[test]
    fn siphash_matches_the_reference_vectors() {
        let (k0, k1) = (0x0706_0504_0302_0100, 0x0f0e_0d0c_0b0a_0908);
        assert_eq!(siphash24(k0, k1, &[]), 0x726f_db47_dd0e_0e31);
        let fifteen: Vec<u8> = (0..15).collect();
        assert_eq!(siphash24(k0, k1, &fifteen), 0xa129_ca61_49be_45e5);
    }
}
