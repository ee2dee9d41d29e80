use std::time::Duration;

use nix::sys::signal::Signal;
use rstest::rstest;

use crate::client::{Client, refused_within, text};
use crate::server_process::{
    EXIT_LIMIT, ServerProcess, bit, check_graceful_stop, eventually, wait_until_signals_are_handled,
};

#[rstest]
#[case::sigterm(Signal::SIGTERM)]
#[case::sigint(Signal::SIGINT)]
fn a_signal_stops_the_server_gracefully(#[case] signal: Signal) {
    check_graceful_stop("shutdown", signal, true);
}

#[test]
fn sigpipe_is_ignored() {
    let server = ServerProcess::start("shutdown");
    wait_until_signals_are_handled(&server);
    let ignored = eventually(Duration::from_secs(5), || {
        server.signal_mask("SigIgn") & bit(Signal::SIGPIPE) != 0
    });
    assert!(
        ignored,
        "the server does not ignore SIGPIPE: a write to a client that has gone \
         would kill the whole server instead of failing with EPIPE"
    );
}

#[test]
fn a_vanished_client_is_an_error_not_a_crash() {
    let mut server = ServerProcess::start("shutdown");
    wait_until_signals_are_handled(&server);
    let mut b = Client::connect(server.addr, "B");
    b.round_trip("b is served\n");
    for name in ["A1", "A2", "A3"] {
        let mut a = Client::connect(server.addr, name);
        a.round_trip("here for a moment\n");
        a.send(&text(256 * 1024));
        a.vanish();
    }
    b.round_trip("b is still served\n");
    assert!(
        server.is_running(),
        "the server died when clients vanished{}",
        server.stderr_note()
    );
    b.finish();
    server.signal(Signal::SIGTERM);
    let exit = server.wait_exit(EXIT_LIMIT);
    assert_eq!(
        exit.status.code(),
        Some(0),
        "after clients vanished and then SIGTERM, the server should exit 0, not {}{}",
        exit.status,
        server.stderr_note()
    );
}

#[test]
fn more_signals_during_the_stop_change_nothing() {
    let mut server = ServerProcess::start("shutdown");
    wait_until_signals_are_handled(&server);
    let mut a = Client::connect(server.addr, "A");
    a.round_trip("a is served\n");
    server.signal(Signal::SIGTERM);
    // The next signals come only once the first has surely been handled
    // (the listener closed): sent sooner, a second SIGTERM could merge with
    // the first while it is still pending, and a handler that is good for
    // one signal only would go unseen.
    assert!(
        refused_within(server.addr, Duration::from_secs(5)),
        "after SIGTERM, the server still accepts new clients: stop accepting \
         (close the listener) as soon as the stop comes"
    );
    a.round_trip("a after the first signal\n");
    server.signal(Signal::SIGTERM);
    a.round_trip("a after a second SIGTERM\n");
    server.signal(Signal::SIGINT);
    a.round_trip("a after three signals\n");
    assert!(
        server.is_running(),
        "a second signal killed the server while a client was still served{}",
        server.stderr_note()
    );
    a.finish();
    let exit = server.wait_exit(EXIT_LIMIT);
    assert_eq!(exit.status.code(), Some(0), "exit status {}", exit.status);
}
