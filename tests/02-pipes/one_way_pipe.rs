use std::fs::File;
use std::io::Write;
use std::os::fd::AsFd;
use std::thread;
use std::time::Duration;

use forklings_support::within;
use nix::errno::Errno;
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{pipe, read};
use pipes::one_way_pipe::{count_lines, send_lines, spawn_reader, write_all};
use proptest::prelude::*;

use crate::interrupts::interrupted;
use crate::{KillLeftovers, one_at_a_time};

const LIMIT: Duration = Duration::from_secs(5);

#[test]
fn child_counts_the_lines_sent() {
    let _serial = one_at_a_time();
    let _cleanup = KillLeftovers::new();
    let count = within(
        LIMIT,
        "send_lines (a child that reads to end of file never saw it: is a write end still open?)",
        || send_lines(&["Hello, son", "how are you?", "bye"]),
    );
    assert_eq!(count, Ok(3));
}

#[test]
fn no_lines_is_zero_not_a_hang() {
    let _serial = one_at_a_time();
    let _cleanup = KillLeftovers::new();
    let count = within(
        LIMIT,
        "send_lines with nothing to send (the child waits for an end of file that never comes)",
        || send_lines(&[]),
    );
    assert_eq!(count, Ok(0));
}

#[test]
fn reader_sees_end_of_file_once_the_parent_closes() {
    let _serial = one_at_a_time();
    let _cleanup = KillLeftovers::new();
    let (child, write_end) = within(LIMIT, "spawn_reader", || {
        spawn_reader(|read_end| match count_lines(read_end.as_fd()) {
            Ok(n) => n as i32,
            Err(_) => 255,
        })
    })
    .expect("spawn_reader failed");
    write_all(write_end.as_fd(), b"one\ntwo\n").expect("write to the child");
    drop(write_end);
    // The parent's write end is closed; if the child never sees end of file,
    // the child itself still holds a write end.
    let status = within(
        LIMIT,
        "the child reading to end of file (it never saw end of file: did the child close its own copy of the write end?)",
        move || waitpid(child, None),
    );
    assert_eq!(status, Ok(WaitStatus::Exited(child, 2)));
}

#[test]
fn writer_gets_broken_pipe_once_the_reader_is_gone() {
    let _serial = one_at_a_time();
    let _cleanup = KillLeftovers::new();
    let (child, write_end) =
        within(LIMIT, "spawn_reader", || spawn_reader(|_read_end| 7)).expect("spawn_reader failed");
    let status = within(LIMIT, "a child that exits at once", move || {
        waitpid(child, None)
    });
    assert_eq!(status, Ok(WaitStatus::Exited(child, 7)));
    // Nobody holds a read end any more, so a write fails at once. If the
    // parent kept its read end, 1 MiB fills the pipe and blocks for good.
    let result = within(
        LIMIT,
        "writing to a pipe whose reader has gone (it blocked: does the parent still hold the read end?)",
        move || write_all(write_end.as_fd(), &vec![b'x'; 1 << 20]),
    );
    assert_eq!(result, Err(Errno::EPIPE));
}

#[test]
fn the_child_gets_what_the_parent_wrote() {
    let _serial = one_at_a_time();
    let _cleanup = KillLeftovers::new();
    // The child exits 1 if the first line it reads is the one we sent.
    let (child, write_end) = within(LIMIT, "spawn_reader", || {
        spawn_reader(|read_end| {
            let mut buf = [0u8; 6];
            let mut filled = 0;
            while filled < buf.len() {
                match nix::unistd::read(read_end.as_fd(), &mut buf[filled..]) {
                    Ok(0) | Err(_) => return 0,
                    Ok(n) => filled += n,
                }
            }
            i32::from(&buf == b"hello\n")
        })
    })
    .expect("spawn_reader failed");
    write_all(write_end.as_fd(), b"hello\n").expect("write to the child");
    drop(write_end);
    let status = within(LIMIT, "the child", move || waitpid(child, None));
    assert_eq!(status, Ok(WaitStatus::Exited(child, 1)));
}

#[test]
fn write_all_finishes_what_a_signal_cut_short() {
    // Reads until end of file: no child may be forked meanwhile.
    let _serial = one_at_a_time();
    let (read_end, write_end) = pipe().expect("pipe");
    let total = 1 << 20;
    // A slow reader: the pipe is full most of the time, so write blocks, and
    // the signals cut it short, after some bytes (a short write) or before
    // any (EINTR). Both mean: write the rest.
    let reader = thread::spawn(move || {
        let mut got = 0;
        let mut buf = [0u8; 4096];
        loop {
            match read(read_end.as_fd(), &mut buf) {
                Ok(0) => return got,
                Ok(n) => got += n,
                Err(Errno::EINTR) => continue,
                Err(_) => return got,
            }
            thread::sleep(Duration::from_millis(1));
        }
    });
    let data: Vec<u8> = (0..total).map(|i| (i % 251) as u8).collect();
    let (result, sent) = within(LIMIT, "write_all under signals", move || {
        let result = interrupted(Duration::from_millis(1), || {
            write_all(write_end.as_fd(), &data)
        });
        drop(write_end);
        result
    });
    let got = within(LIMIT, "the reader", move || {
        reader.join().expect("the reader")
    });
    assert!(sent > 10, "only {sent} signals were sent");
    assert_eq!(result, Ok(()), "write_all must retry after EINTR");
    assert_eq!(
        got, total,
        "write_all returned before every byte was written: a write that a signal cut short took only part"
    );
}

#[test]
fn count_lines_reads_on_after_a_signal() {
    // Reads until end of file: no child may be forked meanwhile.
    let _serial = one_at_a_time();
    let (read_end, write_end) = pipe().expect("pipe");
    // The lines trickle in, so count_lines waits in read most of the time,
    // where the signals find it.
    let writer = thread::spawn(move || {
        let mut pipe = File::from(write_end);
        for _ in 0..100 {
            pipe.write_all(b"a line\n").expect("write");
            thread::sleep(Duration::from_millis(2));
        }
    });
    let (counted, sent) = within(LIMIT, "count_lines under signals", move || {
        interrupted(Duration::from_millis(1), || count_lines(read_end.as_fd()))
    });
    writer.join().expect("the writer");
    assert!(sent > 10, "only {sent} signals were sent");
    assert_eq!(counted, Ok(100), "count_lines must read again after EINTR");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// However the bytes are cut into writes, every newline is counted once.
    #[test]
    fn count_lines_sees_every_newline(
        shape in prop::collection::vec((0usize..20_000, 1u8..10), 0..8)
    ) {
        // Chunk i has the given length and a newline every `every` bytes,
        // so the chunks cut lines at random places.
        let chunks: Vec<Vec<u8>> = shape
            .iter()
            .map(|&(len, every)| {
                (0..len).map(|i| if i % usize::from(every) == 0 { b'\n' } else { b'a' }).collect()
            })
            .collect();
        let expected: usize = chunks.iter().flatten().filter(|&&b| b == b'\n').count();
        // End of file must not wait for another test's child holding a copy
        // of the write end.
        let _serial = one_at_a_time();
        let (read_end, write_end) = pipe().expect("pipe");
        let writer = thread::spawn(move || {
            let mut pipe = File::from(write_end);
            for chunk in chunks {
                pipe.write_all(&chunk).expect("write");
            }
        });
        let counted = within(LIMIT, "count_lines", move || count_lines(read_end.as_fd()));
        writer.join().expect("the writer");
        prop_assert_eq!(counted, Ok(expected));
    }
}
