use std::time::Duration;

use forklings_support::within;
use rstest::rstest;
use servers::load_generator::{LoadError, LoadReport, message, percentile, run};

use crate::test_server::{Behaviour, Corruption, TestServer};

const LIMIT: Duration = Duration::from_secs(20);

/// Runs the load generator against a scripted server, within `LIMIT`.
fn load(
    behaviour: Behaviour,
    connections: usize,
    messages: usize,
) -> (Result<LoadReport, LoadError>, TestServer) {
    let server = TestServer::start(behaviour);
    let addr = server.addr;
    let result = within(LIMIT, "the load generator", move || {
        run(addr, connections, messages)
    });
    (result, server)
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn every_answer_is_checked_and_timed() {
    // The server answers right, each answer in three pieces: an answer is
    // whole only once all of it has arrived.
    let (result, _server) = load(Behaviour::InPieces, 4, 25);
    let report = result.unwrap_or_else(|e| {
        panic!("the server answered every message right, yet the run failed: {e:?}")
    });
    assert_eq!(
        report.latencies.len(),
        4,
        "one list of latencies per connection"
    );
    for (c, latencies) in report.latencies.iter().enumerate() {
        assert_eq!(
            latencies.len(),
            25,
            "connection {c}: one latency per message"
        );
    }
    assert_eq!(report.requests(), 100);
    assert_eq!(report.all().len(), 100);
}

#[test]
fn the_connections_are_open_at_once() {
    // The server answers nothing until all six connections are open.
    let (result, server) = load(Behaviour::HoldUntilOpen(6), 6, 3);
    result.expect("every answer was right");
    assert_eq!(
        server.most_open(),
        6,
        "the six connections should be open at the same time, not one after another"
    );
}

#[rstest]
#[case::not_upper_cased(Corruption::NotUpperCased)]
#[case::upper_cased_like_unicode(Corruption::UnicodeUpper)]
#[case::the_previous_answer_again(Corruption::RepeatsThePrevious)]
#[case::one_byte_changed(Corruption::OneByteChanged)]
fn a_wrong_answer_is_an_error(#[case] how: Corruption) {
    let behaviour = Behaviour::Corrupt {
        connection: 2,
        message: 3,
        how,
    };
    let (result, _server) = load(behaviour, 4, 6);
    match result {
        Err(LoadError::WrongAnswer {
            connection,
            message: index,
            expected,
            got,
        }) => {
            assert_eq!((connection, index), (2, 3), "the wrong answer's place");
            assert_eq!(expected, message(2, 3).to_ascii_uppercase());
            assert_ne!(got, expected);
        }
        other => panic!(
            "message 3 of connection 2 got a wrong answer ({how:?}): expected \
             LoadError::WrongAnswer, got {other:?}"
        ),
    }
}

#[test]
fn a_server_that_closes_early_is_an_error_not_a_hang() {
    let behaviour = Behaviour::CloseAfter {
        connection: 1,
        answers: 2,
    };
    let (result, _server) = load(behaviour, 3, 5);
    match result {
        Err(LoadError::Closed {
            connection,
            message,
        }) => assert_eq!((connection, message), (1, 2)),
        other => panic!(
            "the server closed connection 1 instead of answering its message 2: \
             expected LoadError::Closed, got {other:?}"
        ),
    }
}

#[test]
fn each_latency_is_one_message_s_round_trip() {
    // Each connection's first answer comes a second late, the rest at once.
    let late = Duration::from_secs(1);
    let (result, _server) = load(Behaviour::FirstAnswerLate(late), 3, 8);
    let report = result.expect("every answer was right");
    let mut later_ones_late = 0;
    for (c, latencies) in report.latencies.iter().enumerate() {
        assert!(
            latencies[0] >= late,
            "connection {c}: the first answer took at least {late:?}, yet its \
             latency is {:?}",
            latencies[0]
        );
        later_ones_late += latencies[1..].iter().filter(|&&l| l >= late).count();
    }
    assert!(
        later_ones_late < 3 * 7 / 2,
        "{later_ones_late} of the 21 later answers have a latency of a second or \
         more, though they came at once: time each message from its own send, not \
         from the start of the connection"
    );
}

#[test]
fn percentiles_are_by_nearest_rank() {
    // 1 to 100 ms, shuffled: a percentile must not depend on the order.
    let mut hundred: Vec<Duration> = (1..=100).map(ms).collect();
    hundred.reverse();
    hundred.swap(10, 70);
    assert_eq!(percentile(&hundred, 50.0), Some(ms(50)));
    assert_eq!(percentile(&hundred, 99.0), Some(ms(99)));
    assert_eq!(percentile(&hundred, 100.0), Some(ms(100)));
    assert_eq!(percentile(&hundred, 1.0), Some(ms(1)));
    // Ten values: the 50th percentile is the 5th, the 99th is the 10th.
    let ten: Vec<Duration> = [7, 3, 9, 1, 10, 5, 2, 8, 4, 6].map(ms).to_vec();
    assert_eq!(percentile(&ten, 50.0), Some(ms(5)));
    assert_eq!(percentile(&ten, 90.0), Some(ms(9)));
    assert_eq!(percentile(&ten, 99.0), Some(ms(10)));
    assert_eq!(percentile(&ten, 0.0), Some(ms(1)));
    assert_eq!(percentile(&[ms(42)], 99.0), Some(ms(42)));
    assert_eq!(percentile(&[], 50.0), None);
}
