use std::io;
use std::time::Duration;

use coroutines::with_tokio::{LookupError, lookup_all};
use forklings_support::within;

use crate::server::Server;

const LIMIT: Duration = Duration::from_secs(20);
const EACH: Duration = Duration::from_secs(10);

fn run(
    server: &Server,
    keys: &[&'static str],
    limit: usize,
    each: Duration,
) -> Vec<Result<String, LookupError>> {
    let addr = server.addr;
    let keys = keys.to_vec();
    within(LIMIT, "tokio look-ups", move || {
        lookup_all(addr, &keys, limit, each)
    })
}

fn values(keys: &[&str]) -> Vec<Result<String, LookupError>> {
    keys.iter().map(|k| Ok(format!("value of {k}"))).collect()
}

#[test]
fn all_lookups_at_once_come_back_in_order() {
    let keys = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"];
    let server = Server::start(keys.len());
    assert_eq!(run(&server, &keys, keys.len(), EACH), values(&keys));
    assert_eq!(server.high_water(), keys.len());
}

/// The server answers in batches of three: with three places, every batch
/// fills; a fourth request in flight would show in the high-water mark.
#[test]
fn the_semaphore_keeps_three_in_flight() {
    let keys = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"];
    let server = Server::start(3);
    assert_eq!(run(&server, &keys, 3, EACH), values(&keys));
    assert_eq!(server.high_water(), 3);
}

#[test]
fn a_slow_lookup_times_out_alone() {
    let server = Server::start(2);
    let answers = run(
        &server,
        &["first", "slow", "last"],
        3,
        Duration::from_secs(1),
    );
    assert_eq!(
        answers,
        [
            Ok("value of first".to_string()),
            Err(LookupError::TimedOut),
            Ok("value of last".to_string()),
        ]
    );
}

#[test]
fn a_missing_key_is_an_io_error() {
    let server = Server::start(1);
    let answers = run(&server, &["missing"], 1, EACH);
    assert_eq!(
        answers,
        [Err(LookupError::Io(io::ErrorKind::UnexpectedEof))]
    );
}

#[test]
fn end_of_file_in_the_middle_of_a_line_is_an_io_error() {
    let server = Server::start(1);
    let answers = run(&server, &["truncated"], 1, EACH);
    assert_eq!(
        answers,
        [Err(LookupError::Io(io::ErrorKind::UnexpectedEof))],
        "part of a line, then end of file, is no answer"
    );
}

/// One place, two slow keys ahead of a quick one, half a second each: the
/// quick key waits a second for its place, and that wait is not its time
/// to answer. (`timeout` goes around the look-up, not around the permit.)
#[test]
fn the_time_allowed_starts_with_the_place() {
    let server = Server::start(1);
    let answers = run(
        &server,
        &["slow-1", "slow-2", "after"],
        1,
        Duration::from_millis(500),
    );
    assert_eq!(
        answers,
        [
            Err(LookupError::TimedOut),
            Err(LookupError::TimedOut),
            Ok("value of after".to_string()),
        ]
    );
}
