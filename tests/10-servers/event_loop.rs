use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::resource::{Resource, getrlimit, setrlimit};
use nix::sys::signal::Signal;
use nix::sys::socket::{setsockopt, sockopt};
use servers::control::Served;

use crate::client::{ANSWER_LIMIT, Client, text, upper};
use crate::server_process::{ServerProcess, check_graceful_stop, eventually};

/// As many idle clients as the fd limits allow, up to 2000. Raises this
/// process's soft limit to the hard one (the server process, started after,
/// inherits it).
fn idle_clients_allowed() -> usize {
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).expect("getrlimit");
    if soft < hard {
        setrlimit(Resource::RLIMIT_NOFILE, hard, hard).expect("raise the fd limit");
    }
    (hard.saturating_sub(200) as usize).min(2000)
}

#[test]
fn one_thread_holds_thousands_of_idle_clients() {
    let n = idle_clients_allowed();
    let mut server = ServerProcess::start("event_loop");
    let mut first = Client::connect(server.addr, "first");
    first.round_trip("first\n");
    first.finish();
    let baseline = server.fds();

    let mut clients: Vec<Client> = (0..n)
        .map(|i| Client::connect(server.addr, &format!("client {i}")))
        .collect();
    for client in &mut clients {
        let line = format!("{}: still connected\n", client.name);
        client.round_trip(&line);
    }
    // Every client is connected and has been served: one thread did it all.
    let threads = server.threads();
    assert_eq!(
        threads.len(),
        1,
        "{n} clients connected and the server has {} threads: an event loop \
         serves them all from one thread",
        threads.len()
    );
    // Nothing to do: the loop sleeps in epoll_wait instead of asking again
    // and again.
    server.assert_asleep(&format!("with {n} idle clients"));
    clients[0].round_trip("the first is still served\n");
    clients[n - 1].round_trip("and so is the last\n");
    for client in clients {
        client.finish();
    }
    // Every connection closed and forgotten: the fd table is as it was.
    let clean = eventually(Duration::from_secs(10), || {
        server.fds().len() == baseline.len()
    });
    assert!(
        clean,
        "after every client closed, the server holds {} fds instead of {}: \
         close (and take out of epoll) every connection that ended",
        server.fds().len(),
        baseline.len()
    );
    assert_eq!(
        server.stop(),
        Served {
            connections: n as u64 + 1,
            failed: 0
        }
    );
}

#[test]
fn bursts_come_back_whole_and_in_order() {
    let mut server = ServerProcess::start("event_loop");
    // Eight clients each send 2000 lines in one go while reading the
    // answers on another thread: many reads' worth of data waiting at once.
    let burst: Vec<u8> = (0..2000)
        .flat_map(|i| format!("line {i:04}, the quick brown fox\n").into_bytes())
        .collect();
    let expected = upper(&burst);
    let clients: Vec<Client> = (0..8)
        .map(|i| Client::connect(server.addr, &format!("client {i}")))
        .collect();
    let writers: Vec<_> = clients
        .iter()
        .map(|client| {
            let mut socket = client.try_clone();
            let burst = burst.clone();
            thread::spawn(move || socket.write_all(&burst))
        })
        .collect();
    for mut client in clients {
        client.expect(&expected);
        client.finish();
    }
    for writer in writers {
        writer.join().expect("writer").expect("send the burst");
    }
    assert_eq!(server.stop().connections, 8);
}

#[test]
fn a_client_that_does_not_read_holds_up_only_itself() {
    let mut server = ServerProcess::start("event_loop");
    // A sends 8 MiB and reads nothing for now: the server's answers to A
    // fill every buffer between them, and a write to A would block.
    let mut a = Client::connect_with_small_receive_buffer(server.addr, "A");
    a.round_trip("a is served\n");
    let request = text(8 << 20);
    let sent = Arc::new(AtomicUsize::new(0));
    let writer = {
        let mut socket = a.try_clone();
        let request = request.clone();
        let sent = Arc::clone(&sent);
        thread::spawn(move || {
            for chunk in request.chunks(64 * 1024) {
                socket.write_all(chunk)?;
                sent.fetch_add(chunk.len(), Ordering::Relaxed);
            }
            Ok::<(), std::io::Error>(())
        })
    };
    // Give the server time to meet the full buffers: until A's writer has
    // stopped making progress (or sent everything), then a little more.
    let mut last = usize::MAX;
    let deadline = Instant::now() + ANSWER_LIMIT;
    while Instant::now() < deadline {
        thread::sleep(Duration::from_millis(200));
        let now = sent.load(Ordering::Relaxed);
        if now == last || now == request.len() {
            break;
        }
        last = now;
    }
    thread::sleep(Duration::from_millis(300));
    let mut b = Client::connect(server.addr, "B");
    for i in 0..5 {
        b.round_trip(&format!("b is served while A is not reading, {i}\n"));
    }
    b.finish();
    // Now A reads (with a buffer of a normal size again): every answer is
    // there, whole and in order.
    let mut answers = Vec::with_capacity(request.len());
    let mut reader = a.try_clone();
    setsockopt(&reader, sockopt::RcvBuf, &(4 << 20)).expect("SO_RCVBUF");
    reader
        .set_read_timeout(Some(ANSWER_LIMIT))
        .expect("timeout");
    let mut buf = vec![0u8; 1 << 16];
    while answers.len() < request.len() {
        let n = reader.read(&mut buf).expect("A reads its answers");
        assert!(n > 0, "the server closed A before answering everything");
        answers.extend_from_slice(&buf[..n]);
    }
    writer.join().expect("writer").expect("A sends its request");
    assert!(
        answers == upper(&request),
        "A's 8 MiB of answers are not its request upper-cased"
    );
    a.finish();
    assert_eq!(server.stop().connections, 2);
}

#[test]
fn a_vanished_client_is_one_failed_connection() {
    let mut server = ServerProcess::start("event_loop");
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
    check_graceful_stop("event_loop", Signal::SIGTERM, true);
}
