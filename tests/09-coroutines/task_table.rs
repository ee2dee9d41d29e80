use std::collections::BTreeMap;
use std::io;
use std::time::Duration;

use coroutines::executor::Executor;
use coroutines::task_table::{Table, lookup_table};
use forklings_support::within;

use crate::alone::alone;
use crate::cpu;
use crate::server::Server;

const LIMIT: Duration = Duration::from_secs(20);

fn keys(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("site{i}")).collect()
}

fn table_of(server: &Server, keys: &[String]) -> Table {
    let addr = server.addr;
    let keys = keys.to_vec();
    within(LIMIT, "lookup_table", move || {
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        lookup_table(&Executor::new(), addr, &keys)
    })
}

/// The server answers no request until all ten are waiting at once: only
/// look-ups in flight together get `value of ...`.
#[test]
fn ten_lookups_fill_the_table() {
    let keys = keys(10);
    let server = Server::start(10);
    let table = table_of(&server, &keys);
    let expected: Table = keys
        .iter()
        .map(|k| (k.clone(), Ok(format!("value of {k}"))))
        .collect();
    assert_eq!(table, expected);
    assert_eq!(server.high_water(), 10, "all ten were in flight at once");
}

#[test]
fn a_key_that_fails_is_stored_beside_the_others() {
    let server = Server::start(2);
    let keys = ["first", "missing", "last"].map(String::from);
    let table = table_of(&server, &keys);
    let expected = BTreeMap::from([
        ("first".to_string(), Ok("value of first".to_string())),
        ("last".to_string(), Ok("value of last".to_string())),
        ("missing".to_string(), Err(io::ErrorKind::UnexpectedEof)),
    ]);
    assert_eq!(table, expected);
}

#[test]
fn a_key_given_twice_is_asked_once() {
    let server = Server::start(3);
    let keys = ["a", "b", "a", "c", "b"].map(String::from);
    let table = table_of(&server, &keys);
    let expected: Table = ["a", "b", "c"]
        .iter()
        .map(|k| (k.to_string(), Ok(format!("value of {k}"))))
        .collect();
    assert_eq!(table, expected);
    assert_eq!(server.requests(), 3, "three distinct keys, three requests");
}

/// In a process of its own, where every thread is known: while all ten
/// look-ups wait, the process has the threads it had, the server's one
/// per connection, and a reactor thread; no thread per look-up.
#[test]
fn the_lookups_take_no_thread_each() {
    alone("task_table::the_lookups_take_no_thread_each", || {
        let keys = keys(10);
        let server = Server::start(10);
        let addr = server.addr;
        let (before, table) = within(LIMIT, "lookup_table", move || {
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            let before = cpu::threads();
            (before, lookup_table(&Executor::new(), addr, &keys))
        });
        assert_eq!(table.len(), 10);
        let during = server.threads_when_full().expect("the batch filled");
        assert!(
            during <= before + 10 + 2,
            "{before} threads before, {during} while the ten look-ups waited (10 of them the \
             server's): the look-ups are tasks on one thread, not a thread each"
        );
    });
}

/// One answer comes a second after the others: the table comes back only
/// when it is in, whichever task was spawned first or last.
#[test]
fn the_table_waits_for_every_answer() {
    let server = Server::start(1);
    let keys = ["a", "sleepy-m", "z"].map(String::from);
    let table = table_of(&server, &keys);
    let expected: Table = keys
        .iter()
        .map(|k| (k.clone(), Ok(format!("value of {k}"))))
        .collect();
    assert_eq!(
        table, expected,
        "every task stores its answer before the table is returned"
    );
}
