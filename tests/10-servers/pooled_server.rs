use std::time::Duration;

use nix::sys::signal::Signal;
use servers::control::Served;

use crate::client::{Client, SILENCE, refused_within, text, upper};
use crate::server_process::{ServerProcess, check_graceful_stop, eventually};

#[test]
fn the_workers_start_up_front_and_serve_every_client() {
    let mut server = ServerProcess::start("pooled:3");
    // Before any client: the calling thread and three workers (a separate
    // acceptor thread is fine too).
    let started = eventually(Duration::from_secs(5), || server.threads().len() >= 4);
    assert!(
        started,
        "a pool of 3 starts its workers before the first client: the server has \
         {} threads",
        server.threads().len()
    );
    let before = server.threads();
    assert!(
        before.len() <= 5,
        "a pool of 3 should not need {} threads",
        before.len()
    );
    for i in 0..12 {
        let mut client = Client::connect(server.addr, &format!("client {i}"));
        client.round_trip("served by a worker of the pool\n");
        client.finish();
    }
    assert_eq!(
        server.threads(),
        before,
        "after twelve clients the pool's threads are others: the same workers \
         serve client after client, no thread is started per connection"
    );
    server.assert_asleep("with every worker waiting for a client");
    assert_eq!(
        server.stop(),
        Served {
            connections: 12,
            failed: 0
        }
    );
}

#[test]
fn a_client_beyond_the_pool_waits_its_turn() {
    let mut server = ServerProcess::start("pooled:2");
    let mut a = Client::connect(server.addr, "A");
    let mut b = Client::connect(server.addr, "B");
    a.round_trip("a takes one worker\n");
    b.round_trip("b takes the other\n");
    let mut c = Client::connect(server.addr, "C");
    c.send(b"c waits\n");
    let mut d = Client::connect(server.addr, "D");
    d.send(b"d waits longer\n");
    assert!(
        c.is_silent_for(SILENCE) && d.is_silent_for(SILENCE),
        "C and D were answered while both workers were busy with A and B: a pool \
         of 2 serves at most 2 clients at once"
    );
    a.finish();
    c.expect(b"C WAITS\n");
    assert!(
        d.is_silent_for(SILENCE),
        "D was answered while B and C held both workers"
    );
    b.finish();
    d.expect(b"D WAITS LONGER\n");
    c.finish();
    d.finish();
    assert_eq!(
        server.stop(),
        Served {
            connections: 4,
            failed: 0
        }
    );
}

#[test]
fn many_waiting_clients_are_all_served_in_the_end() {
    let mut server = ServerProcess::start("pooled:2");
    let mut clients: Vec<Client> = (0..12)
        .map(|i| Client::connect(server.addr, &format!("client {i}")))
        .collect();
    for client in &mut clients {
        let line = format!("{} was never dropped\n", client.name);
        client.send(line.as_bytes());
    }
    // In the order they came: each answered once the ones before it close.
    for mut client in clients {
        let line = format!("{} was never dropped\n", client.name);
        client.expect(line.to_ascii_uppercase().as_bytes());
        client.finish();
    }
    assert_eq!(
        server.stop(),
        Served {
            connections: 12,
            failed: 0
        }
    );
}

#[test]
fn a_vanished_client_frees_its_worker() {
    let mut server = ServerProcess::start("pooled:1");
    let mut a = Client::connect(server.addr, "A");
    a.round_trip("a takes the only worker\n");
    a.send(&text(64 * 1024));
    a.vanish();
    let mut b = Client::connect(server.addr, "B");
    b.round_trip("the worker is free again\n");
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
    check_graceful_stop("pooled:2", Signal::SIGTERM, true);
}

#[test]
fn a_stop_with_every_worker_busy_and_clients_waiting_still_refuses_at_once() {
    // Two workers busy, four clients waiting their turn: the accept loop
    // must still see the stop. One that hands connections over through a
    // bounded queue waits in `send` for room, and sees nothing until a
    // worker is free.
    let mut server = ServerProcess::start("pooled:2");
    let sockets = |server: &ServerProcess| {
        server
            .fds()
            .iter()
            .filter(|fd| fd.starts_with("socket:"))
            .count()
    };
    let mut a = Client::connect(server.addr, "A");
    a.round_trip("A is served\n");
    let mut b = Client::connect(server.addr, "B");
    b.round_trip("B is served\n");
    let busy = sockets(&server);
    let line = "waiting for a worker\n";
    let waiting: Vec<Client> = (0..4)
        .map(|i| {
            let mut client = Client::connect(server.addr, &format!("waiting client {i}"));
            client.send(line.as_bytes());
            client
        })
        .collect();
    // A pool that takes every connection at once holds four more sockets;
    // one stuck handing over the first never gets there.
    let all_taken = eventually(Duration::from_secs(5), || sockets(&server) >= busy + 4);
    server.signal(Signal::SIGTERM);
    assert!(
        refused_within(server.addr, Duration::from_secs(5)),
        "with every worker busy and clients waiting, a stop did not close the listener: \
         is the accept loop stuck handing a connection to a full queue? The queue has no \
         bound; the pool is what bounds the work{}",
        server.stderr_note()
    );
    a.finish();
    b.finish();
    if all_taken {
        // Taken before the stop, so served after it.
        for mut client in waiting {
            client.expect(&upper(line.as_bytes()));
            client.finish();
        }
    }
    let exit = server.wait_exit(Duration::from_secs(20));
    assert_eq!(exit.status.code(), Some(0), "a stopped pool exits with 0");
}
