use std::os::fd::AsFd;
use std::time::Duration;

use forklings_support::within;
use nix::errno::Errno;
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::unistd::{SysconfVar, pipe2, read, sysconf};
use pipes::capacity_trap::{capture, fill_until_full, pipe_capacity};

use crate::{KillLeftovers, one_at_a_time};

const LIMIT: Duration = Duration::from_secs(10);

#[test]
fn capacity_is_what_the_kernel_says() {
    let (read_end, _write_end) = pipe2(OFlag::O_CLOEXEC).expect("pipe2");
    let expected = fcntl(read_end.as_fd(), FcntlArg::F_GETPIPE_SZ).expect("F_GETPIPE_SZ") as usize;
    assert_eq!(
        pipe_capacity(read_end.as_fd()).expect("pipe_capacity"),
        expected
    );
}

#[test]
fn a_pipe_holds_its_capacity_and_no_more() {
    let (read_end, write_end) = pipe2(OFlag::O_CLOEXEC).expect("pipe2");
    let capacity = fcntl(read_end.as_fd(), FcntlArg::F_GETPIPE_SZ).expect("F_GETPIPE_SZ") as usize;
    let page = sysconf(SysconfVar::PAGE_SIZE)
        .ok()
        .flatten()
        .unwrap_or(4096) as usize;
    let (filled, flags_after) = within(
        LIMIT,
        "fill_until_full (a blocking write on a full pipe waits for a reader that never comes: use O_NONBLOCK)",
        move || {
            let filled = fill_until_full(write_end.as_fd());
            let flags = fcntl(write_end.as_fd(), FcntlArg::F_GETFL).expect("F_GETFL");
            (filled, OFlag::from_bits_retain(flags))
        },
    );
    let filled = filled.expect("fill_until_full failed");
    // What the pipe really holds: read it dry without blocking.
    let flags = fcntl(read_end.as_fd(), FcntlArg::F_GETFL).expect("F_GETFL");
    fcntl(
        read_end.as_fd(),
        FcntlArg::F_SETFL(OFlag::from_bits_retain(flags) | OFlag::O_NONBLOCK),
    )
    .expect("F_SETFL");
    let mut held = 0;
    let mut buf = [0u8; 8192];
    loop {
        match read(read_end.as_fd(), &mut buf) {
            Ok(0) | Err(Errno::EAGAIN) => break,
            Ok(n) => held += n,
            Err(Errno::EINTR) => {}
            Err(e) => panic!("reading the filled pipe: {e}"),
        }
    }
    drop(read_end);
    assert_eq!(
        held, filled,
        "fill_until_full said {filled} bytes, but the pipe held {held}"
    );
    // The kernel fills whole pages; writes of odd sizes may leave the end of
    // the last page unused, so anything within a page of the full buffer is right.
    assert!(
        filled <= capacity && filled + page > capacity,
        "wrote {filled} bytes into a pipe of {capacity}"
    );
    assert!(
        !flags_after.contains(OFlag::O_NONBLOCK),
        "fill_until_full must give the fd back blocking, as it found it"
    );
}

#[test]
fn a_resized_pipe_reports_and_holds_its_new_capacity() {
    let (read_end, write_end) = pipe2(OFlag::O_CLOEXEC).expect("pipe2");
    let page = sysconf(SysconfVar::PAGE_SIZE)
        .ok()
        .flatten()
        .unwrap_or(4096) as usize;
    // Four pages instead of the usual sixteen: a capacity nobody guesses.
    fcntl(write_end.as_fd(), FcntlArg::F_SETPIPE_SZ(4 * page as i32)).expect("F_SETPIPE_SZ");
    let capacity = fcntl(read_end.as_fd(), FcntlArg::F_GETPIPE_SZ).expect("F_GETPIPE_SZ") as usize;
    let (reported, filled) = within(LIMIT, "pipe_capacity and fill_until_full", move || {
        let reported = pipe_capacity(read_end.as_fd());
        let filled = fill_until_full(write_end.as_fd());
        drop(read_end);
        (reported, filled)
    });
    assert_eq!(
        reported.expect("pipe_capacity"),
        capacity,
        "the capacity of a pipe resized to {capacity} bytes: ask the kernel"
    );
    let filled = filled.expect("fill_until_full");
    assert!(
        filled <= capacity && filled + page > capacity,
        "wrote {filled} bytes into a pipe of {capacity}"
    );
}

fn captured(argv: &'static [&'static str]) -> pipes::capacity_trap::Captured {
    let _serial = one_at_a_time();
    let _cleanup = KillLeftovers::new();
    within(
        LIMIT,
        "capture (the child blocks on a full pipe while the parent waits for it: read while it runs)",
        move || capture(argv),
    )
    .expect("capture failed")
}

#[test]
fn output_larger_than_the_pipe_is_captured_whole() {
    let out = captured(&["head", "-c", "1048576", "/dev/zero"]);
    assert_eq!(out.stdout.len(), 1 << 20);
    assert!(out.stderr.is_empty());
    assert_eq!(out.code, 0);
}

#[test]
fn a_full_stderr_does_not_block_stdout() {
    // The child fills stderr first: reading stdout to its end before looking
    // at stderr waits for a child that waits for us.
    let out = captured(&["sh", "-c", "head -c 300000 /dev/zero >&2; echo done"]);
    assert_eq!(out.stderr.len(), 300_000);
    assert_eq!(out.stdout, b"done\n");
}

#[test]
fn both_streams_large_at_once() {
    let out = captured(&[
        "sh",
        "-c",
        "head -c 200000 /dev/zero; head -c 200000 /dev/zero >&2; head -c 200000 /dev/zero",
    ]);
    assert_eq!((out.stdout.len(), out.stderr.len()), (400_000, 200_000));
}

#[test]
fn the_exit_code_comes_back() {
    let out = captured(&["sh", "-c", "echo oops >&2; exit 7"]);
    assert_eq!(out.code, 7);
    assert_eq!(out.stderr, b"oops\n");
    let killed = captured(&["sh", "-c", "echo last; kill -KILL $$"]);
    assert_eq!(
        (killed.code, killed.stdout),
        (128 + 9, b"last\n".to_vec()),
        "a command killed by SIGKILL reports 128 + 9, as a shell does"
    );
}
