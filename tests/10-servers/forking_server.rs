use std::time::Duration;

use nix::sys::signal::Signal;
use servers::control::Served;

use crate::client::{Client, text};
use crate::server_process::{ServerProcess, check_graceful_stop, eventually, fds_of};

const REAP_LIMIT: Duration = Duration::from_secs(5);

fn living(children: &[(i32, char)]) -> Vec<i32> {
    children
        .iter()
        .filter(|(_, state)| *state != 'Z' && *state != 'X')
        .map(|(pid, _)| *pid)
        .collect()
}

#[test]
fn each_client_gets_a_process_of_its_own_without_the_listener() {
    let mut server = ServerProcess::start("forking");
    let mut clients: Vec<Client> = ["A", "B", "C", "D"]
        .iter()
        .map(|name| Client::connect(server.addr, name))
        .collect();
    // Every client is answered while all four are connected, twice round.
    for round in 0..2 {
        for client in &mut clients {
            let line = format!("{} round {round}\n", client.name);
            client.round_trip(&line);
        }
    }
    let children = living(&server.children());
    assert_eq!(
        children.len(),
        4,
        "four clients connected: the server should have one child process for each, \
         it has {children:?}"
    );
    let listener = format!("socket:[{}]", server.listener_inode);
    for child in &children {
        let fds = fds_of(*child);
        assert!(
            !fds.contains(&listener),
            "child {child} still holds the listening socket: close it in the child, \
             only the parent accepts (its fds: {fds:?})"
        );
    }
    for client in clients {
        client.finish();
    }
    assert_eq!(
        server.stop(),
        Served {
            connections: 4,
            failed: 0
        }
    );
}

#[test]
fn the_parent_keeps_no_copy_of_a_connection() {
    let mut server = ServerProcess::start("forking");
    let mut first = Client::connect(server.addr, "first");
    first.round_trip("first\n");
    // The client sees end of file only when every copy of the server's side
    // is closed: the child's when it exits, and the parent's.
    first.finish();
    assert!(
        eventually(REAP_LIMIT, || server.children().is_empty()),
        "the first client's process was not reaped within {REAP_LIMIT:?}"
    );
    let baseline = server.fds();
    for i in 0..6 {
        let mut client = Client::connect(server.addr, &format!("client {i}"));
        client.round_trip("hello\n");
        client.finish();
    }
    assert!(eventually(REAP_LIMIT, || server.children().is_empty()));
    let after = server.fds();
    assert_eq!(
        after.len(),
        baseline.len(),
        "after six more clients came and went, the server holds other fds than \
         after the first ({baseline:?} then {after:?}): close the connection in the parent"
    );
    server.stop();
}

#[test]
fn ended_children_are_reaped_while_the_server_waits() {
    let mut server = ServerProcess::start("forking");
    let mut clients: Vec<Client> = (0..30)
        .map(|i| Client::connect(server.addr, &format!("client {i}")))
        .collect();
    for client in &mut clients {
        let line = format!("{} is here\n", client.name);
        client.round_trip(&line);
    }
    assert_eq!(living(&server.children()).len(), 30);
    for client in clients {
        client.finish();
    }
    // No new client arrives: the server must notice its children ending
    // (SIGCHLD) while it waits for the next connection.
    let reaped = eventually(REAP_LIMIT, || server.children().is_empty());
    assert!(
        reaped,
        "{REAP_LIMIT:?} after the last client closed, the server still has children \
         {:?} (Z: a zombie nobody reaped)",
        server.children()
    );
    assert!(server.is_running());
    server.assert_asleep("once every child was reaped");
    assert_eq!(server.stop().connections, 30);
}

#[test]
fn only_its_own_children_are_reaped() {
    // The test made a child of the server's process before the server
    // started: it is not the server's to reap.
    let mut server = ServerProcess::start("forking-decoy");
    for name in ["A", "B", "C"] {
        let mut client = Client::connect(server.addr, name);
        client.round_trip("hello\n");
        client.finish();
    }
    server.stop();
    let exit = server.wait_exit(Duration::from_secs(1));
    assert!(
        exit.said.iter().any(|line| line == "decoy exited 7"),
        "the server reaped a child that was not its own (it said {:?}): wait for the \
         PIDs you forked, never for any child",
        exit.said
    );
}

#[test]
fn a_vanished_client_ends_only_its_own_process() {
    let mut server = ServerProcess::start("forking");
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
        },
        "A's process should exit with a failure code, B's with 0"
    );
}

#[test]
fn a_stop_refuses_new_clients_and_waits_for_the_open_ones() {
    check_graceful_stop("forking", Signal::SIGTERM, true);
}
