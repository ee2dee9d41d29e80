use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use forklings_support::{procs, within};
use serde_json::json;
use shared_memory::remote_manager::{RemoteManager, RemoteProxy};

const LIMIT: Duration = Duration::from_secs(30);
const KEY: &[u8] = b"a shared secret";

#[test]
fn the_server_listens_on_loopback_on_a_port_the_system_chose() {
    within(LIMIT, "the remote manager", || {
        let manager = RemoteManager::start(KEY).expect("start failed");
        let addr = manager.addr();
        assert_eq!(addr.ip(), Ipv4Addr::LOCALHOST);
        assert_ne!(addr.port(), 0);
        assert!(procs::is_running(manager.server_pid().as_raw()));
    });
}

#[test]
fn the_right_key_gets_a_working_proxy() {
    within(LIMIT, "the remote manager", || {
        let manager = RemoteManager::start(KEY).expect("start failed");
        let proxy = RemoteProxy::connect(manager.addr(), KEY).expect("the right key is refused");
        proxy.set("greeting", json!("hello")).unwrap();
        proxy.append(json!(1)).unwrap();
        assert_eq!(proxy.add("n", 4).unwrap(), 4);
        let other = manager.proxy().expect("connect failed");
        assert_eq!(other.get("greeting").unwrap(), Some(json!("hello")));
        assert_eq!(other.list().unwrap(), vec![json!(1)]);
        assert_eq!(other.keys().unwrap(), vec!["greeting", "n"]);
    });
}

#[test]
fn a_wrong_key_is_refused_and_the_others_are_still_served() {
    within(LIMIT, "the remote manager", || {
        let manager = RemoteManager::start(KEY).expect("start failed");
        let good = manager.proxy().expect("connect failed");
        good.set("k", json!(1)).unwrap();
        let err = RemoteProxy::connect(manager.addr(), b"not the secret")
            .expect_err("a wrong key must be refused");
        assert_eq!(err.kind(), ErrorKind::PermissionDenied);
        assert_eq!(
            good.get("k").unwrap(),
            Some(json!(1)),
            "the old client still works"
        );
        let again = manager.proxy().expect("a new client with the right key");
        assert_eq!(again.add("k", 1).unwrap(), 2);
    });
}

#[test]
fn a_bad_answer_gets_a_refusal_byte_and_the_door_closed() {
    within(LIMIT, "the remote manager", || {
        let manager = RemoteManager::start(KEY).expect("start failed");
        let mut raw = TcpStream::connect(manager.addr()).unwrap();
        raw.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut challenge = [0u8; 16];
        raw.read_exact(&mut challenge)
            .expect("the server sends a 16-byte challenge");
        raw.write_all(&[0u8; 8]).unwrap();
        let mut verdict = [9u8; 1];
        raw.read_exact(&mut verdict)
            .expect("the server answers with one byte");
        assert_eq!(verdict, [0], "0 means refused");
        let mut rest = Vec::new();
        let closed = raw.read_to_end(&mut rest);
        assert!(
            matches!(closed, Ok(0))
                || matches!(&closed, Err(e) if e.kind() == ErrorKind::ConnectionReset),
            "the server closes a refused connection, got {closed:?}"
        );
    });
}

#[test]
fn every_connection_gets_a_fresh_challenge() {
    within(LIMIT, "the remote manager", || {
        let manager = RemoteManager::start(KEY).expect("start failed");
        let challenge = || {
            let mut raw = TcpStream::connect(manager.addr()).unwrap();
            raw.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let mut c = [0u8; 16];
            raw.read_exact(&mut c).expect("a 16-byte challenge");
            c
        };
        let (a, b) = (challenge(), challenge());
        assert_ne!(
            a, b,
            "a repeated challenge lets an eavesdropper replay an answer"
        );
    });
}

#[test]
fn a_client_that_never_answers_does_not_block_the_others() {
    within(LIMIT, "the remote manager", || {
        let manager = RemoteManager::start(KEY).expect("start failed");
        // Connects and then says nothing at all.
        let silent = TcpStream::connect(manager.addr()).unwrap();
        let proxy = manager
            .proxy()
            .expect("a silent client must not stall the server");
        proxy.set("ok", json!(true)).unwrap();
        assert_eq!(proxy.get("ok").unwrap(), Some(json!(true)));
        drop(silent);
    });
}

#[test]
fn a_silent_client_is_still_waited_for_while_others_are_served() {
    // A client takes its challenge and says nothing yet; another connects
    // and works meanwhile. The first may then still answer, and is welcome:
    // its handshake runs on a thread of its own, not in the way of the
    // accept loop (where the others would have waited until it timed out).
    within(LIMIT, "the remote manager", || {
        let manager = RemoteManager::start(KEY).expect("start failed");
        let mut slow = TcpStream::connect(manager.addr()).unwrap();
        slow.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut challenge = [0u8; 16];
        slow.read_exact(&mut challenge)
            .expect("a 16-byte challenge");
        let proxy = manager.proxy().expect("connect failed");
        proxy.set("ok", json!(true)).unwrap();
        assert_eq!(proxy.get("ok").unwrap(), Some(json!(true)));
        slow.write_all(&auth_tag(KEY, &challenge).to_be_bytes())
            .expect("the slow client's connection was closed");
        let mut verdict = [9u8; 1];
        let read = slow.read_exact(&mut verdict);
        assert!(
            read.is_ok() && verdict == [1],
            "the slow client, answering right, got {read:?} {verdict:?}: was its handshake \
             cut short while the other client was served?"
        );
    });
}

#[test]
fn a_client_that_never_answers_is_let_go_after_a_while() {
    // The handshake has a read timeout: a client that never answers is
    // closed after a few seconds, not held (with a thread) for ever.
    within(LIMIT, "the remote manager", || {
        let manager = RemoteManager::start(KEY).expect("start failed");
        let mut silent = TcpStream::connect(manager.addr()).unwrap();
        silent
            .set_read_timeout(Some(Duration::from_secs(15)))
            .unwrap();
        let mut challenge = [0u8; 16];
        silent
            .read_exact(&mut challenge)
            .expect("a 16-byte challenge");
        let mut rest = Vec::new();
        let closed = silent.read_to_end(&mut rest);
        assert!(
            closed.is_ok() || matches!(&closed, Err(e) if e.kind() == ErrorKind::ConnectionReset),
            "the server still held a client that never answered after 15 s ({closed:?}): give \
             the handshake a read timeout"
        );
    });
}

/// A fake server that records what a client sends in reply to `challenge`,
/// then refuses it.
fn answer_to(challenge: [u8; 16]) -> Vec<u8> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let addr = listener.local_addr().unwrap();
    let fake = thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(&challenge).unwrap();
        let mut answer = [0u8; 8];
        s.read_exact(&mut answer).unwrap();
        s.write_all(&[0]).unwrap();
        answer.to_vec()
    });
    let refused = RemoteProxy::connect(addr, KEY);
    assert_eq!(
        refused.map(drop).map_err(|e| e.kind()),
        Err(ErrorKind::PermissionDenied),
        "a refusal byte must become PermissionDenied"
    );
    fake.join()
        .expect("the client should send an 8-byte answer")
}

#[test]
fn the_client_answers_the_challenge_without_sending_the_key() {
    within(LIMIT, "a fake server", || {
        let a = answer_to([1; 16]);
        let a_again = answer_to([1; 16]);
        let b = answer_to([2; 16]);
        assert_eq!(a.len(), 8);
        assert_eq!(
            a, a_again,
            "the answer depends only on the key and the challenge"
        );
        assert_ne!(a, b, "a different challenge needs a different answer");
        assert!(
            !a.windows(4).any(|w| KEY.windows(4).any(|k| k == w)),
            "the answer must not carry the key"
        );
    });
}

#[test]
fn dropping_the_manager_stops_the_server() {
    within(LIMIT, "the remote manager", || {
        let manager = RemoteManager::start(KEY).expect("start failed");
        let (addr, server) = (manager.addr(), manager.server_pid());
        let proxy = manager.proxy().expect("connect failed");
        proxy.set("k", json!(1)).unwrap();
        drop(manager);
        assert_eq!(procs::state(server.as_raw()), None, "the server was reaped");
        assert!(
            proxy.get("k").is_err(),
            "a client of a dead server gets an error"
        );
        assert!(RemoteProxy::connect(addr, KEY).is_err());
    });
}

// ---------------------------------------------------------------------------
// The handshake's keyed hash, as given (finished) in the exercise.

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

/// The answer the protocol fixes: the same `auth_tag` as the one given in
/// the exercise, copied here so the tests can speak the handshake.
fn auth_tag(key: &[u8], challenge: &[u8]) -> u64 {
    let k0 = siphash24(0x0706_0504_0302_0100, 0x0f0e_0d0c_0b0a_0908, key);
    let k1 = siphash24(0x0f0e_0d0c_0b0a_0908, 0x0706_0504_0302_0100, key);
    siphash24(k0, k1, challenge)
}

#[test]
fn the_client_answers_with_the_big_endian_auth_tag() {
    let answer = within(LIMIT, "a fake server", || answer_to([7; 16]));
    assert_eq!(
        answer,
        auth_tag(KEY, &[7; 16]).to_be_bytes(),
        "the answer is auth_tag(key, challenge) as a big-endian u64"
    );
}

#[test]
fn the_server_welcomes_an_answer_made_by_the_protocol() {
    within(LIMIT, "the remote manager", || {
        let manager = RemoteManager::start(KEY).expect("start failed");
        let mut raw = TcpStream::connect(manager.addr()).unwrap();
        raw.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut challenge = [0u8; 16];
        raw.read_exact(&mut challenge)
            .expect("the server sends a 16-byte challenge");
        raw.write_all(&auth_tag(KEY, &challenge).to_be_bytes())
            .unwrap();
        let mut verdict = [9u8; 1];
        raw.read_exact(&mut verdict)
            .expect("the server answers with one byte");
        assert_eq!(verdict, [1], "1 means welcome");
    });
}
