use std::cell::Cell;
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::sync::Once;
use std::time::Duration;

use forklings_support::{Redactor, snapshot_settings, within};
use nix::fcntl::OFlag;
use nix::sys::stat::fstat;
use nix::unistd::{getpid, pipe2};
use pipes::fd_table::{
    FdEntry, fds_of_forked_child, list_fds, open_pipe, render, visible_after_exec,
};

use crate::{KillLeftovers, one_at_a_time};

const LIMIT: Duration = Duration::from_secs(5);

fn pipe_target(fd: impl AsFd) -> String {
    format!("pipe:[{}]", fstat(fd).expect("fstat").st_ino)
}

fn only(entries: Vec<FdEntry>, target: &str) -> Vec<FdEntry> {
    entries.into_iter().filter(|e| e.target == target).collect()
}

#[test]
fn the_table_starts_with_stdin_stdout_stderr_in_order() {
    let table = within(LIMIT, "list_fds", list_fds).expect("list_fds failed");
    let fds: Vec<i32> = table.iter().map(|e| e.fd).collect();
    assert_eq!(
        &fds[..3],
        [0, 1, 2],
        "every process starts with fds 0, 1 and 2"
    );
    assert!(
        fds.windows(2).all(|w| w[0] < w[1]),
        "sorted by fd, no repeats: {fds:?}"
    );
}

#[test]
fn the_listing_leaves_out_its_own_directory_handle() {
    let table = within(LIMIT, "list_fds", list_fds).expect("list_fds failed");
    let own = format!("/proc/{}/fd", getpid());
    assert!(
        table.iter().all(|e| e.target != own),
        "the fd that reads /proc/self/fd is not one of the process's own: {}",
        render(&table)
    );
}

#[test]
fn a_new_pipe_appears_and_a_closed_one_goes() {
    let (read_end, write_end) = open_pipe(true).expect("open_pipe");
    let target = pipe_target(&read_end);
    let ours = |table: Vec<FdEntry>| {
        let mut fds: Vec<i32> = only(table, &target).iter().map(|e| e.fd).collect();
        fds.sort_unstable();
        fds
    };
    let after_pipe = ours(list_fds().expect("list_fds failed"));
    assert_eq!(after_pipe, [read_end.as_raw_fd(), write_end.as_raw_fd()]);
    drop((read_end, write_end));
    let after_close = ours(list_fds().expect("list_fds failed"));
    assert!(
        after_close.is_empty(),
        "closed fds still listed: {after_close:?}"
    );
}

#[test]
fn close_on_exec_decides_what_a_new_program_sees() {
    let _serial = one_at_a_time();
    let _cleanup = KillLeftovers::new();
    let (kept, kept_w) = open_pipe(false).expect("open_pipe");
    let (closed, closed_w) = open_pipe(true).expect("open_pipe");
    let seen = within(LIMIT, "visible_after_exec", move || {
        [&kept, &kept_w, &closed, &closed_w]
            .map(|fd| visible_after_exec(fd.as_fd()).expect("visible_after_exec"))
    });
    assert_eq!(
        seen,
        [true, true, false, false],
        "(a plain pipe's read and write ends, a close-on-exec pipe's) seen after exec"
    );
}

thread_local! {
    /// The fd that a fork made by this thread marks, or -1.
    static MARK_FORKS_WITH: Cell<RawFd> = const { Cell::new(-1) };
    /// The copy made for the fork under way, closed in the parent after it.
    static MARK: Cell<RawFd> = const { Cell::new(-1) };
    /// How many forks this thread made while marking.
    static MARKED_FORKS: Cell<u32> = const { Cell::new(0) };
}

/// Before a fork by a marking thread: a copy of the marked fd, which the
/// child inherits...
extern "C" fn before_fork() {
    let source = MARK_FORKS_WITH.get();
    if source >= 0 {
        // SAFETY: dup of an fd the test keeps open; async-signal-safe.
        MARK.set(unsafe { libc::dup(source) });
    }
}

/// ...and the parent closes at once, so the two tables differ from the
/// fork on.
extern "C" fn after_fork_in_parent() {
    let mark = MARK.replace(-1);
    if mark >= 0 {
        // SAFETY: closes the copy `before_fork` made in this process.
        unsafe { libc::close(mark) };
        MARKED_FORKS.set(MARKED_FORKS.get() + 1);
    }
}

/// Runs `body` with every fork this thread makes marked: the child gets a
/// copy of `marker` that the parent does not have. Returns what `body`
/// returned and how many forks were marked.
fn with_marked_forks<T>(marker: RawFd, body: impl FnOnce() -> T) -> (T, u32) {
    static HANDLERS: Once = Once::new();
    HANDLERS.call_once(|| {
        // SAFETY: both handlers only touch this thread's cells and make
        // async-signal-safe calls; for any other thread they do nothing.
        let done =
            unsafe { libc::pthread_atfork(Some(before_fork), Some(after_fork_in_parent), None) };
        assert_eq!(done, 0, "pthread_atfork");
    });
    MARKED_FORKS.set(0);
    MARK_FORKS_WITH.set(marker);
    let result = body();
    MARK_FORKS_WITH.set(-1);
    (result, MARKED_FORKS.get())
}

/// The table listed must be the child's own: from the fork on, it holds an
/// fd that the parent's does not (a copy made for the fork and closed in
/// the parent right after). A listing of the parent's table, before or
/// after the fork, lacks it.
#[test]
fn the_forked_childs_table_is_its_own() {
    let _serial = one_at_a_time();
    let _cleanup = KillLeftovers::new();
    let (marker, marker_w) = pipe2(OFlag::O_CLOEXEC).expect("pipe2");
    let marked = pipe_target(&marker);
    let marker_fd = marker.as_raw_fd();
    // The parent's own fds on that pipe: both ends, and nothing else.
    let ours = [marker_fd, marker_w.as_raw_fd()];
    let (listed, forks) = within(LIMIT, "fds_of_forked_child", move || {
        with_marked_forks(marker_fd, fds_of_forked_child)
    });
    let listed = listed.expect("fds_of_forked_child failed");
    assert!(
        forks > 0,
        "fds_of_forked_child made no fork (use nix::unistd::fork)"
    );
    let copies: Vec<&FdEntry> = listed
        .iter()
        .filter(|e| e.target == marked && !ours.contains(&e.fd))
        .collect();
    assert!(
        !copies.is_empty(),
        "the table listed is not the child's: it lacks an fd the child got at the fork and the parent closed right after (list /proc/<child>/fd while the child waits):\n{}",
        render(&listed)
    );
    drop((marker, marker_w));
}

/// The whole story in one snapshot: a pipe's two fds, the same two in a
/// forked child, and what survives exec.
#[test]
fn pipe_then_fork_then_exec() {
    let _serial = one_at_a_time();
    let _cleanup = KillLeftovers::new();
    let (read_end, write_end) = open_pipe(false).expect("open_pipe");
    let target = pipe_target(&read_end);
    let (r, w) = (read_end.as_raw_fd(), write_end.as_raw_fd());

    let in_parent = only(list_fds().expect("list_fds failed"), &target);
    let in_child = only(
        within(LIMIT, "fds_of_forked_child", fds_of_forked_child)
            .expect("fds_of_forked_child failed"),
        &target,
    );
    let (cloexec_read, _cloexec_write) = open_pipe(true).expect("open_pipe");
    let exec = within(LIMIT, "visible_after_exec", move || {
        let plain = visible_after_exec(read_end.as_fd()).expect("visible_after_exec");
        let cloexec = visible_after_exec(cloexec_read.as_fd()).expect("visible_after_exec");
        drop((read_end, write_end));
        (plain, cloexec)
    });

    let text = format!(
        "parent, after pipe():\n{}child, after fork():\n{}after exec(): plain pipe open = {}, close-on-exec pipe open = {}\n",
        render(&in_parent),
        render(&in_child),
        exec.0,
        exec.1
    );
    let text = Redactor::new()
        .number(r, "read fd")
        .number(w, "write fd")
        .apply(&text);
    let mut settings = snapshot_settings();
    settings.add_filter(r"pipe:\[\d+\]", "pipe:[inode]");
    settings.bind(|| insta::assert_snapshot!("pipe_then_fork_then_exec", text));
}
