// The skeleton's `Connection` has no fields yet, so clippy sees nothing to
// drop there; the drops below close the solution's pipe ends.
#![allow(clippy::drop_non_drop)]

use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::os::fd::AsFd;
use std::thread;
use std::time::Duration;

use forklings_support::within;
use nix::fcntl::{FcntlArg, fcntl};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::pipe;
use pipes::duplex::{Connection, MAX_FRAME, pipe_pair, spawn_peer};
use proptest::prelude::*;
use rstest::rstest;
use serde::{Deserialize, Serialize};

use crate::{KillLeftovers, one_at_a_time};

const LIMIT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Greeting {
    from: String,
    text: String,
    mood: Option<u8>,
}

/// Bytes that differ from position to position, so a frame cut or glued in
/// the wrong place cannot compare equal by luck.
fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn pipe_buffer_size() -> usize {
    let (read_end, _write_end) = pipe().expect("pipe");
    fcntl(read_end.as_fd(), FcntlArg::F_GETPIPE_SZ).expect("F_GETPIPE_SZ") as usize
}

#[rstest]
#[case::empty(0)]
#[case::one_byte(1)]
#[case::exactly_the_pipe_buffer(pipe_buffer_size())]
#[case::one_mebibyte(1 << 20)]
fn a_message_arrives_whole(#[case] len: usize) {
    let (mut left, mut right) = pipe_pair().expect("pipe_pair");
    let sent = pattern(len, 7);
    let expected = sent.clone();
    // The sender runs on its own thread: a message larger than the pipe
    // buffer blocks the sender until the receiver reads.
    let sender = thread::spawn(move || {
        left.send_bytes(&sent)?;
        left.send_bytes(b"next")?;
        Ok::<_, std::io::Error>(left)
    });
    let (first, second) = within(LIMIT, "recv_bytes", move || {
        (right.recv_bytes(), right.recv_bytes())
    });
    sender
        .join()
        .expect("the sender")
        .expect("send_bytes failed");
    let first = first.expect("recv_bytes failed");
    assert_eq!(
        first.len(),
        len,
        "the message came back with another length"
    );
    assert!(first == expected, "the message came back with other bytes");
    assert_eq!(
        second.expect("recv_bytes failed"),
        b"next",
        "the frame after it"
    );
}

#[test]
fn both_directions_work() {
    let (mut father, mut son) = pipe_pair().expect("pipe_pair");
    let (from_son, from_father) = within(LIMIT, "send and recv both ways", move || {
        father.send_bytes(b"hello, son")?;
        son.send_bytes(b"hello, father")?;
        Ok::<_, std::io::Error>((father.recv_bytes()?, son.recv_bytes()?))
    })
    .expect("send or recv failed");
    assert_eq!(from_son, b"hello, father");
    assert_eq!(from_father, b"hello, son");
}

#[test]
fn a_frame_is_a_big_endian_length_then_the_payload() {
    // Reads to end of file: no child may be forked meanwhile.
    let _serial = one_at_a_time();
    let (read_end, write_end) = pipe().expect("pipe");
    let (spare_read, unused_write) = pipe().expect("pipe");
    let mut sender = Connection::new(spare_read, write_end);
    let bytes = within(LIMIT, "send_bytes", move || {
        sender.send_bytes(b"hi").expect("send_bytes failed");
        drop(sender);
        drop(unused_write);
        let mut raw = Vec::new();
        File::from(read_end).read_to_end(&mut raw).map(|_| raw)
    })
    .expect("reading the pipe");
    assert_eq!(bytes, [0, 0, 0, 2, b'h', b'i']);
}

#[test]
fn typed_values_round_trip() {
    let (mut left, mut right) = pipe_pair().expect("pipe_pair");
    let greeting = Greeting {
        from: "father".into(),
        text: "are you there?".into(),
        mood: Some(3),
    };
    let sent = greeting.clone();
    let (got, numbers, nothing) = within(LIMIT, "send and recv", move || {
        left.send(&sent).expect("send failed");
        left.send(&vec![1u64, 2, 3]).expect("send failed");
        left.send(&None::<String>).expect("send failed");
        let got: Greeting = right.recv().expect("recv failed");
        let numbers: Vec<u64> = right.recv().expect("recv failed");
        let nothing: Option<String> = right.recv().expect("recv failed");
        (got, numbers, nothing)
    });
    assert_eq!(got, greeting);
    assert_eq!(numbers, [1, 2, 3]);
    assert_eq!(nothing, None);
}

#[test]
fn father_and_son_greet_each_other() {
    let _serial = one_at_a_time();
    let _cleanup = KillLeftovers::new();
    let (child, mut father) = within(LIMIT, "spawn_peer", || {
        spawn_peer(|mut son| {
            let Ok(greeting) = son.recv::<Greeting>() else {
                return 1;
            };
            let reply = Greeting {
                from: "son".into(),
                text: format!("hello, {}", greeting.from),
                mood: greeting.mood.map(|m| m + 1),
            };
            match son.send(&reply) {
                Ok(()) => 0,
                Err(_) => 2,
            }
        })
    })
    .expect("spawn_peer failed");
    let reply = within(LIMIT, "the son's reply", move || {
        father.send(&Greeting {
            from: "father".into(),
            text: "hello".into(),
            mood: Some(1),
        })?;
        father.recv::<Greeting>()
    })
    .expect("send or recv failed");
    assert_eq!(
        reply,
        Greeting {
            from: "son".into(),
            text: "hello, father".into(),
            mood: Some(2)
        }
    );
    let status = within(LIMIT, "the son to exit", move || waitpid(child, None));
    assert_eq!(status, Ok(WaitStatus::Exited(child, 0)));
}

#[test]
fn large_messages_cross_processes() {
    let _serial = one_at_a_time();
    let _cleanup = KillLeftovers::new();
    // The child echoes frames until the father closes his end.
    let (child, father) = within(LIMIT, "spawn_peer", || {
        spawn_peer(|mut son| {
            while let Ok(frame) = son.recv_bytes() {
                if son.send_bytes(&frame).is_err() {
                    return 1;
                }
            }
            0
        })
    })
    .expect("spawn_peer failed");
    let sizes = [0, 1, 65_535, 65_536, 65_537, 1 << 20];
    let echoed = within(LIMIT, "the echo of 1 MiB messages", move || {
        let mut father = father;
        sizes
            .iter()
            .map(|&len| {
                // One frame out, then its echo back: the echo of 1 MiB
                // cannot come back while we are still sending.
                father.send_bytes(&pattern(len, 1))?;
                father.recv_bytes()
            })
            .collect::<std::io::Result<Vec<_>>>()
        // `father` drops here: the son reads end of file and exits.
    })
    .expect("send or recv failed");
    for (got, &len) in echoed.iter().zip(&sizes) {
        assert!(*got == pattern(len, 1), "the echo of {len} bytes differs");
    }
    let status = within(LIMIT, "the son to exit after end of file", move || {
        waitpid(child, None)
    });
    assert_eq!(status, Ok(WaitStatus::Exited(child, 0)));
}

#[test]
fn a_peer_that_exits_is_end_of_file_for_the_parent() {
    let _serial = one_at_a_time();
    let _cleanup = KillLeftovers::new();
    // The son exits at once, sending nothing: the father must see end of
    // file, which comes only if nobody else holds the son's write end.
    let (child, mut father) =
        within(LIMIT, "spawn_peer", || spawn_peer(|_son| 0)).expect("spawn_peer failed");
    let result = within(
        LIMIT,
        "recv_bytes from a son that exited (it should fail, not wait: does the parent still hold the child's end?)",
        move || father.recv_bytes(),
    );
    assert_eq!(
        result.expect_err("the son sent nothing").kind(),
        ErrorKind::UnexpectedEof
    );
    let status = within(LIMIT, "the son to exit", move || waitpid(child, None));
    assert_eq!(status, Ok(WaitStatus::Exited(child, 0)));
}

#[test]
fn a_frame_that_arrives_in_pieces_is_put_together() {
    let (read_end, write_end) = pipe().expect("pipe");
    let (_spare_read, unused_write) = pipe().expect("pipe");
    let mut receiver = Connection::new(read_end, unused_write);
    // One byte per write, header included: a read returns what is there.
    let writer = thread::spawn(move || {
        let mut raw = File::from(write_end);
        for byte in [0, 0, 0, 5, b'h', b'e', b'l', b'l', b'o', 0, 0, 0, 1, b'!'] {
            raw.write_all(&[byte]).expect("write");
            thread::sleep(Duration::from_millis(3));
        }
        raw
    });
    let got = within(
        LIMIT,
        "recv_bytes of a frame sent byte by byte",
        move || (receiver.recv_bytes(), receiver.recv_bytes()),
    );
    drop(writer.join().expect("the writer"));
    assert_eq!(got.0.expect("recv_bytes failed"), b"hello");
    assert_eq!(got.1.expect("recv_bytes failed"), b"!");
}

#[test]
fn a_frame_cut_inside_its_header_is_an_error() {
    let _serial = one_at_a_time();
    let (read_end, write_end) = pipe().expect("pipe");
    let (_spare_read, unused_write) = pipe().expect("pipe");
    let mut receiver = Connection::new(read_end, unused_write);
    // Two bytes of a header, then the writer closes: not a clean close.
    File::from(write_end).write_all(&[0, 0]).expect("write");
    let result = within(LIMIT, "recv_bytes of a cut header", move || {
        receiver.recv_bytes()
    });
    assert_eq!(
        result.expect_err("half a header is no frame").kind(),
        ErrorKind::UnexpectedEof
    );
}

#[test]
fn recv_after_the_peer_closes_is_an_error() {
    let _serial = one_at_a_time();
    let (left, mut right) = pipe_pair().expect("pipe_pair");
    drop(left);
    let result = within(
        LIMIT,
        "recv_bytes from a closed peer (it should fail, not wait)",
        move || right.recv_bytes(),
    );
    assert_eq!(
        result.expect_err("no frame can come").kind(),
        ErrorKind::UnexpectedEof
    );
}

#[test]
fn a_frame_cut_short_is_an_error() {
    let _serial = one_at_a_time();
    let (read_end, write_end) = pipe().expect("pipe");
    let (_spare_read, unused_write) = pipe().expect("pipe");
    let mut receiver = Connection::new(read_end, unused_write);
    // Says 10 bytes, sends 3, then closes.
    File::from(write_end)
        .write_all(&[0, 0, 0, 10, 1, 2, 3])
        .expect("write");
    let result = within(LIMIT, "recv_bytes of a cut frame", move || {
        receiver.recv_bytes()
    });
    assert_eq!(
        result.expect_err("the frame is incomplete").kind(),
        ErrorKind::UnexpectedEof
    );
}

#[test]
fn an_absurd_length_is_refused() {
    let (read_end, write_end) = pipe().expect("pipe");
    let (_spare_read, unused_write) = pipe().expect("pipe");
    let mut receiver = Connection::new(read_end, unused_write);
    let mut raw = File::from(write_end);
    raw.write_all(&(MAX_FRAME as u32 + 1).to_be_bytes())
        .expect("write");
    // The writer stays open: a receiver that tries to read 64 MiB waits.
    let result = within(
        LIMIT,
        "recv_bytes of a frame over MAX_FRAME (it should refuse at the header)",
        move || receiver.recv_bytes(),
    );
    drop(raw);
    assert_eq!(
        result.expect_err("over the limit").kind(),
        ErrorKind::InvalidData
    );
    // The sender refuses too, before writing anything. (The zeroed buffer
    // costs no memory until touched.)
    let (mut left, mut right) = pipe_pair().expect("pipe_pair");
    let (refused, next) = within(
        LIMIT,
        "send_bytes of a frame over MAX_FRAME (it should refuse before writing)",
        move || {
            let refused = left.send_bytes(&vec![0u8; MAX_FRAME + 1]);
            left.send_bytes(b"next").expect("send_bytes failed");
            (refused, right.recv_bytes())
        },
    );
    assert_eq!(
        refused.expect_err("over the limit").kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        next.expect("recv_bytes failed"),
        b"next",
        "nothing of the refused frame was sent"
    );
}

#[test]
fn garbage_is_invalid_data_not_a_panic() {
    let (mut left, mut right) = pipe_pair().expect("pipe_pair");
    let result = within(LIMIT, "recv of a frame that is not JSON", move || {
        left.send_bytes(b"{not json").expect("send_bytes failed");
        right.recv::<Greeting>()
    });
    assert_eq!(
        result.expect_err("not a Greeting").kind(),
        ErrorKind::InvalidData
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any sequence of messages of any size comes back as the same sequence.
    #[test]
    fn any_sequence_arrives_in_order(
        sizes in prop::collection::vec(prop_oneof![0usize..100, 0usize..200_000], 0..10),
        seed in any::<u8>(),
    ) {
        let messages: Vec<Vec<u8>> = sizes
            .iter()
            .enumerate()
            .map(|(i, &len)| pattern(len, seed.wrapping_add(i as u8)))
            .collect();
        let (mut left, mut right) = pipe_pair().expect("pipe_pair");
        let to_send = messages.clone();
        let sender = thread::spawn(move || {
            to_send.iter().try_for_each(|m| left.send_bytes(m))
        });
        let count = messages.len();
        let got = within(LIMIT, "recv_bytes", move || {
            (0..count).map(|_| right.recv_bytes()).collect::<std::io::Result<Vec<_>>>()
        });
        prop_assert!(sender.join().expect("the sender").is_ok(), "send_bytes failed");
        let got = got.expect("recv_bytes failed");
        prop_assert_eq!(got.len(), messages.len());
        for (i, (a, b)) in got.iter().zip(&messages).enumerate() {
            prop_assert!(a == b, "message {} differs (lengths {} and {})", i, a.len(), b.len());
        }
    }

    /// Typed values survive the trip, whatever strings they hold.
    #[test]
    fn any_typed_value_round_trips(
        values in prop::collection::vec((any::<u32>(), ".{0,40}", any::<Option<u8>>()), 0..8)
    ) {
        let (mut left, mut right) = pipe_pair().expect("pipe_pair");
        let sent = values.clone();
        let got = within(LIMIT, "send and recv", move || {
            left.send(&sent).expect("send failed");
            right.recv::<Vec<(u32, String, Option<u8>)>>()
        });
        prop_assert_eq!(got.expect("recv failed"), values);
    }
}
