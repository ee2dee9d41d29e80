use std::time::Duration;

use nix::sys::signal::Signal;
use servers::control::Served;

use crate::client::{Client, text};
use crate::server_process::{ServerProcess, check_graceful_stop, eventually};

#[test]
fn many_clients_are_served_at_once_each_by_a_thread() {
    let mut server = ServerProcess::start("threaded");
    let mut clients: Vec<Client> = (0..20)
        .map(|i| Client::connect(server.addr, &format!("client {i}")))
        .collect();
    // Each client is answered while all twenty are connected, twice round.
    for round in 0..2 {
        for client in &mut clients {
            let line = format!("{}, round {round}\n", client.name);
            client.round_trip(&line);
        }
    }
    let threads = server.threads().len();
    assert!(
        threads > 20,
        "twenty clients connected, and the server has {threads} threads: one \
         thread per connection"
    );
    for client in clients {
        client.finish();
    }
    // A connection's thread ends with it.
    assert!(
        eventually(Duration::from_secs(5), || server.threads().len() <= 2),
        "every client has gone, yet the server still has {} threads",
        server.threads().len()
    );
    assert_eq!(
        server.stop(),
        Served {
            connections: 20,
            failed: 0
        }
    );
}

#[test]
fn an_idle_client_does_not_hold_the_others_up() {
    let mut server = ServerProcess::start("threaded");
    let mut idle = Client::connect(server.addr, "idle");
    idle.round_trip("i will say nothing more for a while\n");
    for name in ["A", "B", "C"] {
        let mut client = Client::connect(server.addr, name);
        client.round_trip("served while the idle client waits\n");
        client.finish();
    }
    idle.round_trip("still here\n");
    idle.finish();
    assert_eq!(server.stop().connections, 4);
}

#[test]
fn a_vanished_client_is_one_failed_connection() {
    let mut server = ServerProcess::start("threaded");
    let mut a = Client::connect(server.addr, "A");
    let mut b = Client::connect(server.addr, "B");
    a.round_trip("a is served\n");
    b.round_trip("b is served\n");
    a.send(&text(64 * 1024));
    a.vanish();
    b.round_trip("b is still served\n");
    b.finish();
    assert_eq!(
        server.stop(),
        Served {
            connections: 2,
            failed: 1
        }
    );
}

#[test]
fn a_stop_refuses_new_clients_and_waits_for_the_open_ones() {
    check_graceful_stop("threaded", Signal::SIGTERM, true);
}
