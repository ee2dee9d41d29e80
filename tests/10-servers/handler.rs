use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::TcpListener;
use std::thread;
use std::time::Duration;

use forklings_support::within;
use proptest::prelude::*;
use rstest::rstest;
use servers::handler::handle;

use crate::client::{Client, upper};

const LIMIT: Duration = Duration::from_secs(10);

/// What one `read` of the scripted client returns.
enum Piece {
    Data(Vec<u8>),
    Fail(io::ErrorKind),
}

/// A connection whose reads follow a script and whose writes are kept (and
/// may be cut short, interrupted or refused), with a check that the server
/// answered everything it had read before it reads again.
struct Scripted {
    script: VecDeque<Piece>,
    read_so_far: usize,
    written: Vec<u8>,
    /// At most this many bytes per `write`.
    max_write: usize,
    /// Every other `write` fails with `Interrupted`.
    interrupt_writes: bool,
    write_calls: usize,
    /// Writes fail with this once the client has gone.
    write_fails: Option<io::ErrorKind>,
    /// A read that found answers missing: (bytes read before it, written).
    read_before_answering: Option<(usize, usize)>,
}

impl Scripted {
    fn new(script: Vec<Piece>) -> Scripted {
        Scripted {
            script: script.into(),
            read_so_far: 0,
            written: Vec::new(),
            max_write: usize::MAX,
            interrupt_writes: false,
            write_calls: 0,
            write_fails: None,
            read_before_answering: None,
        }
    }

    fn pieces(input: &[u8], size: usize) -> Scripted {
        Scripted::new(
            input
                .chunks(size.max(1))
                .map(|c| Piece::Data(c.to_vec()))
                .collect(),
        )
    }
}

impl Read for Scripted {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.written.len() < self.read_so_far && self.read_before_answering.is_none() {
            self.read_before_answering = Some((self.read_so_far, self.written.len()));
        }
        match self.script.pop_front() {
            None => Ok(0),
            Some(Piece::Fail(kind)) => Err(kind.into()),
            Some(Piece::Data(data)) => {
                let n = data.len().min(buf.len());
                buf[..n].copy_from_slice(&data[..n]);
                if n < data.len() {
                    self.script.push_front(Piece::Data(data[n..].to_vec()));
                }
                self.read_so_far += n;
                Ok(n)
            }
        }
    }
}

impl Write for Scripted {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_calls += 1;
        if let Some(kind) = self.write_fails {
            return Err(kind.into());
        }
        if self.interrupt_writes && self.write_calls % 2 == 1 {
            return Err(io::ErrorKind::Interrupted.into());
        }
        let n = buf.len().min(self.max_write);
        self.written.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// ASCII, UTF-8 letters that Unicode would upper-case differently (ß, é,
/// ÿ becomes a longer Ÿ, the digraph ǆ), and bytes that are no text at all.
const MIXED: &[u8] =
    b"hello, World 123\nstra\xc3\x9fe caf\xc3\xa9 \xc3\xbf \xc7\x86\n\x00\xff\xfe raw bytes\n";

#[rstest]
#[case::whole(usize::MAX)]
#[case::a_byte_at_a_time(1)]
#[case::in_threes(3)]
fn answers_like_bytes_upper_and_keeps_every_other_byte(#[case] piece: usize) {
    let mut conn = Scripted::pieces(MIXED, piece);
    let answered = handle(&mut conn).expect("handle");
    assert_eq!(
        String::from_utf8_lossy(&conn.written),
        String::from_utf8_lossy(&upper(MIXED)),
        "only ASCII letters change, like Python's bytes.upper(); every other byte \
         comes back as it was, even a character that a read cut in two"
    );
    assert_eq!(conn.written, upper(MIXED));
    assert_eq!(
        answered,
        MIXED.len() as u64,
        "handle returns the bytes answered"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn any_bytes_in_any_pieces_come_back_upper_cased(
        input in proptest::collection::vec(any::<u8>(), 0..5000),
        piece in 1usize..2000,
    ) {
        let mut conn = Scripted::pieces(&input, piece);
        let answered = handle(&mut conn).expect("handle");
        prop_assert_eq!(&conn.written, &upper(&input));
        prop_assert_eq!(answered, input.len() as u64);
    }
}

#[test]
fn answers_each_piece_before_reading_the_next() {
    // A client that waits for each answer before it sends more: a server
    // that reads on before answering would wait for ever.
    let mut conn = Scripted::new(vec![
        Piece::Data(b"one\n".to_vec()),
        Piece::Data(b"half a li".to_vec()),
        Piece::Data(b"ne\n".to_vec()),
    ]);
    handle(&mut conn).expect("handle");
    assert_eq!(
        conn.read_before_answering, None,
        "(bytes read, bytes answered) when the server read again: answer what a \
         read returned before the next read, even half a line"
    );
    assert_eq!(conn.written, b"ONE\nHALF A LINE\n");
}

#[test]
fn short_and_interrupted_writes_are_finished() {
    let mut conn = Scripted::pieces(MIXED, usize::MAX);
    conn.max_write = 3;
    conn.interrupt_writes = true;
    handle(&mut conn).expect("handle");
    assert_eq!(
        conn.written,
        upper(MIXED),
        "a write may take only part of the buffer, or be interrupted: write the rest"
    );
}

#[test]
fn an_interrupted_read_is_tried_again() {
    let mut conn = Scripted::new(vec![
        Piece::Data(b"before\n".to_vec()),
        Piece::Fail(io::ErrorKind::Interrupted),
        Piece::Data(b"after\n".to_vec()),
    ]);
    let answered = handle(&mut conn).expect("an interrupted read is not an error");
    assert_eq!(conn.written, b"BEFORE\nAFTER\n");
    assert_eq!(answered, 13);
}

#[rstest]
#[case::reset_while_reading(io::ErrorKind::ConnectionReset, None)]
#[case::gone_while_writing(io::ErrorKind::BrokenPipe, Some(io::ErrorKind::BrokenPipe))]
fn a_vanished_client_is_an_error_not_a_panic(
    #[case] expected: io::ErrorKind,
    #[case] write_fails: Option<io::ErrorKind>,
) {
    let mut conn = Scripted::new(vec![
        Piece::Data(b"hello\n".to_vec()),
        Piece::Fail(io::ErrorKind::ConnectionReset),
    ]);
    conn.write_fails = write_fails;
    let result = handle(&mut conn);
    assert_eq!(
        result.map_err(|e| e.kind()),
        Err(expected),
        "the client's error comes back as the handler's error"
    );
}

#[test]
fn nothing_sent_is_nothing_answered() {
    let mut conn = Scripted::new(vec![]);
    assert_eq!(handle(&mut conn).expect("handle"), 0);
    assert!(conn.written.is_empty());
}

#[test]
fn serves_a_real_connection_until_the_client_closes() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    let server = thread::spawn(move || {
        let (stream, _) = listener.accept().expect("accept");
        handle(&stream).map_err(|e| e.kind())
    });
    let lines = ["first line\n", "Straße, café\n", "LAST ONE\n"];
    let answered = within(LIMIT, "a client and the handler", move || {
        let mut client = Client::connect(addr, "A");
        for line in lines {
            client.round_trip(line);
        }
        // Sent before the answer is read: the server answers as it reads.
        client.send(b"unfinished");
        client.expect(b"UNFINISHED");
        client.finish();
        server.join().expect("the server thread")
    });
    let total: usize = lines.iter().map(|l| l.len()).sum::<usize>() + "unfinished".len();
    assert_eq!(answered, Ok(total as u64));
}
