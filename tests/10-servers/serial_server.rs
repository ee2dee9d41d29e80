use nix::sys::signal::Signal;
use servers::control::Served;

use crate::client::{Client, SILENCE, text};
use crate::server_process::{ServerProcess, check_graceful_stop};

#[test]
fn answers_every_line_in_order() {
    let mut server = ServerProcess::start("serial");
    let mut a = Client::connect(server.addr, "A");
    a.round_trip("hello\n");
    a.round_trip("Straße, café, ÿ\n");
    // Many lines sent at once come back whole and in order.
    let burst: Vec<u8> = (0..200)
        .flat_map(|i| format!("line {i} of the burst\n").into_bytes())
        .collect();
    a.send(&burst);
    a.expect(&burst.to_ascii_uppercase());
    a.finish();
    assert_eq!(
        server.stop(),
        Served {
            connections: 1,
            failed: 0
        }
    );
}

#[test]
fn one_client_at_a_time_the_next_one_waits() {
    let mut server = ServerProcess::start("serial");
    let mut a = Client::connect(server.addr, "A");
    a.round_trip("a is served\n");
    let mut b = Client::connect(server.addr, "B");
    b.send(b"b waits\n");
    assert!(
        b.is_silent_for(SILENCE),
        "B was answered while A was still connected: the baseline serves one \
         client at a time"
    );
    a.round_trip("a is still served\n");
    a.finish();
    b.expect(b"B WAITS\n");
    b.finish();
    assert_eq!(
        server.stop(),
        Served {
            connections: 2,
            failed: 0
        }
    );
}

#[test]
fn the_next_client_is_served_after_the_first_closes() {
    let mut server = ServerProcess::start("serial");
    for name in ["A", "B", "C", "D"] {
        let mut client = Client::connect(server.addr, name);
        client.round_trip(&format!("i am {name}\n"));
        client.finish();
    }
    server.assert_asleep("waiting for a fifth client");
    assert_eq!(server.stop().connections, 4);
}

#[test]
fn a_vanished_client_does_not_stop_the_server() {
    let mut server = ServerProcess::start("serial");
    let mut a = Client::connect(server.addr, "A");
    a.round_trip("a is served\n");
    a.send(&text(64 * 1024));
    a.vanish();
    let mut b = Client::connect(server.addr, "B");
    b.round_trip("the server is still there\n");
    b.finish();
    assert!(server.is_running());
    assert_eq!(
        server.stop(),
        Served {
            connections: 2,
            failed: 1
        },
        "A's reset is one failed connection; the server goes on"
    );
}

#[test]
fn a_stop_lets_the_client_being_served_finish() {
    // The serial server looks at the stop between clients only.
    check_graceful_stop("serial", Signal::SIGTERM, false);
}
