use std::future::{Future, poll_fn};
use std::io;
use std::os::fd::AsFd;
use std::pin::pin;
use std::time::Duration;

use coroutines::executor::Executor;
use coroutines::reactor::{TcpConn, lookup, lookup_all};
use forklings_support::within;
use nix::fcntl::{FcntlArg, OFlag, fcntl};

use crate::alone::alone;
use crate::cpu;
use crate::server::{SLEEPY, Server};

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

/// The answer comes in three writes a moment apart: read until the newline,
/// waiting again (on the same socket) between the pieces.
#[test]
fn an_answer_in_pieces_is_read_whole() {
    let server = Server::start(1);
    let addr = server.addr;
    let answer = within(LIMIT, "a look-up answered in pieces", move || {
        Executor::new()
            .block_on(lookup(addr, "pieces-7"))
            .map_err(|e| e.to_string())
    });
    assert_eq!(answer, Ok("value of pieces-7".to_string()));
}

#[test]
fn end_of_file_in_the_middle_of_a_line_is_an_error() {
    let server = Server::start(1);
    let addr = server.addr;
    let answer = within(LIMIT, "a look-up cut short", move || {
        Executor::new()
            .block_on(lookup(addr, "truncated-3"))
            .map_err(|e| e.kind())
    });
    assert_eq!(
        answer,
        Err(io::ErrorKind::UnexpectedEof),
        "the server sent part of a line and closed: that is no answer"
    );
}

/// A look-up that waits a second for its answer is polled when it starts
/// and when the reactor wakes it: not in a loop while it waits.
#[test]
fn a_waiting_lookup_is_polled_only_when_woken() {
    let server = Server::start(1);
    let addr = server.addr;
    let (polls, answer) = within(LIMIT, "a look-up answered after a second", move || {
        let mut polls = 0;
        let mut waiting = pin!(lookup(addr, "sleepy-1"));
        let answer = Executor::new().block_on(poll_fn(|cx| {
            polls += 1;
            waiting.as_mut().poll(cx)
        }));
        (polls, answer.map_err(|e| e.kind()))
    });
    assert_eq!(answer, Ok("value of sleepy-1".to_string()));
    assert!(
        polls <= 4,
        "the look-up was polled {polls} times while it waited {SLEEPY:?}: \
         wait in epoll, and be polled again only when the reactor wakes you"
    );
}

/// In a process of its own, where every thread is known: while the only
/// look-up waits for its answer, no thread of the process uses the CPU.
#[test]
fn nothing_spins_while_a_lookup_waits() {
    alone("reactor::nothing_spins_while_a_lookup_waits", || {
        let server = Server::start(1);
        let addr = server.addr;
        let (used, answer) = within(LIMIT, "a look-up answered after a second", move || {
            let executor = Executor::new();
            // The first look-up starts the reactor thread.
            let _ = executor.block_on(lookup(addr, "warm-up"));
            let start = cpu::this_process();
            let answer = executor.block_on(lookup(addr, "sleepy-2"));
            (cpu::this_process() - start, answer.map_err(|e| e.kind()))
        });
        assert_eq!(answer, Ok("value of sleepy-2".to_string()));
        assert!(
            !used.spun_during(SLEEPY),
            "while its only look-up waited {SLEEPY:?}, the process used {:?} of CPU time and was \
             pushed off the CPU {} times: the reactor thread must block in epoll_wait (no \
             timeout), not poll it in a loop",
            used.cpu,
            used.preempted
        );
    });
}
