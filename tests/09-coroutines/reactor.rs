use std::io;
use std::os::fd::AsFd;
use std::time::Duration;

use coroutines::executor::Executor;
use coroutines::reactor::{TcpConn, lookup, lookup_all};
use forklings_support::within;
use nix::fcntl::{FcntlArg, OFlag, fcntl};

use crate::server::Server;

const LIMIT: Duration = Duration::from_secs(20);

#[test]
fn one_lookup_gets_its_answer() {
    let server = Server::start(1);
    let addr = server.addr;
    let answer = within(LIMIT, "one look-up", move || {
        Executor::new()
            .block_on(lookup(addr, "python"))
            .map_err(|e| e.kind())
    });
    assert_eq!(answer, Ok("value of python".to_string()));
}

#[test]
fn connections_are_non_blocking() {
    let server = Server::start(1);
    let addr = server.addr;
    let non_blocking = within(LIMIT, "connect", move || {
        let conn = Executor::new()
            .block_on(TcpConn::connect(addr))
            .expect("connect");
        let flags = fcntl(conn.as_fd(), FcntlArg::F_GETFL).expect("F_GETFL");
        OFlag::from_bits_truncate(flags).contains(OFlag::O_NONBLOCK)
    });
    assert!(non_blocking, "the socket must have O_NONBLOCK set");
}

/// The server answers no request until all twenty are waiting at once, and
/// then answers them last-first: only look-ups that are all in flight
/// together get `value of ...`, and only answers put back in their place
/// come out in request order.
#[test]
fn twenty_lookups_are_in_flight_at_once_and_come_back_in_order() {
    let keys: Vec<String> = (0..20).map(|i| format!("site{i:02}")).collect();
    let server = Server::start(keys.len());
    let addr = server.addr;
    let for_test = keys.clone();
    let answers = within(LIMIT, "twenty look-ups", move || {
        let keys: Vec<&str> = for_test.iter().map(String::as_str).collect();
        lookup_all(&Executor::new(), addr, &keys)
            .into_iter()
            .map(|a| a.map_err(|e| e.kind()))
            .collect::<Vec<_>>()
    });
    let expected: Vec<Result<String, io::ErrorKind>> =
        keys.iter().map(|k| Ok(format!("value of {k}"))).collect();
    assert_eq!(answers, expected);
    assert_eq!(server.high_water(), 20);
}

#[test]
fn a_missing_key_fails_in_its_own_place() {
    let server = Server::start(2);
    let addr = server.addr;
    let answers = within(LIMIT, "look-ups with one missing", move || {
        lookup_all(&Executor::new(), addr, &["first", "missing", "last"])
            .into_iter()
            .map(|a| a.map_err(|e| e.kind()))
            .collect::<Vec<_>>()
    });
    assert_eq!(
        answers,
        [
            Ok("value of first".to_string()),
            Err(io::ErrorKind::UnexpectedEof),
            Ok("value of last".to_string()),
        ]
    );
}
