use std::os::fd::{AsFd, AsRawFd};
use std::time::Duration;

use forklings_support::{Redactor, snapshot_settings, within};
use nix::sys::stat::fstat;
use nix::unistd::getpid;
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
    let (kept, _kept_w) = open_pipe(false).expect("open_pipe");
    let (closed, _closed_w) = open_pipe(true).expect("open_pipe");
    let seen = within(LIMIT, "visible_after_exec", move || {
        (
            visible_after_exec(kept.as_fd()),
            visible_after_exec(closed.as_fd()),
        )
    });
    assert_eq!(
        (
            seen.0.expect("visible_after_exec"),
            seen.1.expect("visible_after_exec")
        ),
        (true, false),
        "(a plain pipe, a close-on-exec pipe) seen after exec"
    );
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
