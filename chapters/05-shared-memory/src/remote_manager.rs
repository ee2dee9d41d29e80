//! # Exercise: the manager over TCP, with a key
//!
//! A Python manager can listen on a network address, so that processes on
//! other machines reach the same dict. Anyone who can reach the port could
//! then read and change it, so the manager asks for an `authkey`, and never
//! sends it: the server sends a random challenge, the client answers with a
//! keyed hash of it, and the server compares with its own. (Python then
//! does the same the other way round, so that the client knows the server
//! holds the key too; here only the client proves it.)
//!
//! ```python
//! m = BaseManager(address=("127.0.0.1", 0), authkey=b"a shared secret")
//! m.start()
//! # elsewhere: BaseManager(address=m.address, authkey=b"...").connect()
//! ```
//!
//! Build [`RemoteManager`] and [`RemoteProxy`]. The handshake on the wire is
//! fixed (the tests speak it):
//!
//! ```text
//! server -> client   16 bytes: a fresh random challenge
//! client -> server    8 bytes: auth_tag(key, challenge), big-endian u64
//! server -> client    1 byte : 1 = welcome, 0 = refused (then it closes)
//! ```
//!
//! After a welcome, requests and replies are your manager's frames.
//!
//! - [`RemoteManager::start`] binds `127.0.0.1` port 0 (the system picks a
//!   free port; [`RemoteManager::addr`] tells which), forks the server, and
//!   returns. The server serves the same map and list as your manager; reuse
//!   it (make the pieces you need `pub(crate)` in `manager.rs`, and make its
//!   connection loop generic over `Read + Write`). Each connection runs the
//!   handshake first, on its own thread, with a read timeout of a few
//!   seconds, so a client that never answers stalls nobody else and is let
//!   go in the end. A refused client is closed; the server goes on serving
//!   the others.
//! - [`RemoteProxy::connect`] answers the challenge; a refusal is an
//!   `io::ErrorKind::PermissionDenied` error.
//! - Dropping the [`RemoteManager`] stops the server (bounded wait, then
//!   kill) and reaps it.
//!
//! Given below, finished: `fresh_challenge` and `auth_tag`, a keyed
//! hash (SipHash-2-4). It is a teaching stand-in for HMAC-SHA256, which is
//! what real code uses (Python since 3.12; HMAC-MD5 before); read the book's
//! page for why `std::hash::DefaultHasher` would not do.
//!
//! The tests connect with the right and the wrong key, speak the handshake
//! by hand (a bad answer gets a `0` and a closed socket, a right one a `1`;
//! every connection gets a new challenge), play a fake server to see what
//! your client sends (exactly the big-endian `auth_tag`),
//! keep a silent client connected while others work (it may still answer
//! afterwards, and is welcome), wait at most 15 s for the server to hang up
//! on a client that never answers, and drop the manager.
//!
//! Stuck? `cargo course hint remote_manager`.

use std::fs::File;
use std::io::{self, Read};
use std::net::SocketAddr;

use nix::unistd::Pid;

use crate::manager::Value;

// ---------------------------------------------------------------------------
// Given to you, finished: the challenge and the keyed hash.

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

/// The handle on a manager served over TCP on 127.0.0.1. Dropping it stops
/// the server.
#[derive(Debug)]
pub struct RemoteManager {
    // Your fields: the address, the key (for the shutdown request) and the
    // server's PID.
}

impl RemoteManager {
    /// Binds 127.0.0.1 on a port the system picks, forks the server, and
    /// returns once clients can connect. Clients must prove they know `key`.
    pub fn start(key: &[u8]) -> io::Result<RemoteManager> {
        todo!()
    }

    /// Where the server listens.
    pub fn addr(&self) -> SocketAddr {
        todo!()
    }

    /// The server process.
    pub fn server_pid(&self) -> Pid {
        todo!()
    }

    /// A new proxy, authenticated with the manager's own key.
    pub fn proxy(&self) -> io::Result<RemoteProxy> {
        todo!()
    }
}

impl Drop for RemoteManager {
    fn drop(&mut self) {
        todo!()
    }
}

/// A client of a [`RemoteManager`], over one authenticated TCP connection.
#[derive(Debug)]
pub struct RemoteProxy {
    // Your fields: the stream, behind a `Mutex`.
}

impl RemoteProxy {
    /// Connects to `addr` and answers the server's challenge with `key`. A
    /// wrong key is a `PermissionDenied` error.
    pub fn connect(addr: SocketAddr, key: &[u8]) -> io::Result<RemoteProxy> {
        todo!()
    }

    /// The value at `key`, or `None`.
    pub fn get(&self, key: &str) -> io::Result<Option<Value>> {
        todo!()
    }

    /// Stores `value` at `key`.
    pub fn set(&self, key: &str, value: Value) -> io::Result<()> {
        todo!()
    }

    /// Appends `value` to the managed list.
    pub fn append(&self, value: Value) -> io::Result<()> {
        todo!()
    }

    /// A copy of the managed list.
    pub fn list(&self) -> io::Result<Vec<Value>> {
        todo!()
    }

    /// The keys of the map, sorted.
    pub fn keys(&self) -> io::Result<Vec<String>> {
        todo!()
    }

    /// Adds `delta` to the integer at `key` in one step; returns the new value.
    pub fn add(&self, key: &str, delta: i64) -> io::Result<i64> {
        todo!()
    }
}
