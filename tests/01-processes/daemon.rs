use std::fs;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use forklings_support::{procs, snapshot_settings, within};
use nix::sys::signal::{Signal, kill};
use nix::unistd::{Pid, getpid};
use processes::daemon::{daemonize, wait_for_sigterm};

const LIMIT: Duration = Duration::from_secs(5);

/// A daemon started for one test, stopped (SIGKILL) if the test ends early;
/// its folder is removed in any case.
struct Daemon {
    pid: Pid,
    pid_file: PathBuf,
    _dir: TempDir,
}

/// A folder of its own for one test's pid file, removed when dropped (also
/// when `daemonize` panics).
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if procs::is_running(self.pid.as_raw()) {
            let _ = kill(self.pid, Signal::SIGKILL);
        }
    }
}

/// Starts a daemon that waits for SIGTERM, then removes its pid file and
/// exits; finds it through its pid file.
fn start_daemon() -> Daemon {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "forklings-daemon-{}-{}",
        getpid(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    fs::create_dir_all(&dir).expect("a temporary directory");
    let dir = TempDir(dir);
    let pid_file = dir.0.join("daemon.pid");
    let for_daemon = pid_file.clone();
    let started = within(LIMIT, "daemonize", {
        let pid_file = pid_file.clone();
        move || {
            daemonize(&pid_file, move || {
                wait_for_sigterm();
                let _ = fs::remove_file(&for_daemon);
                0
            })
            .map_err(|e| e.to_string())
        }
    });
    assert_eq!(started, Ok(()), "daemonize failed");
    let mut text = String::new();
    let found = procs::eventually(LIMIT, || {
        text = fs::read_to_string(&pid_file).unwrap_or_default();
        text.ends_with('\n')
    });
    assert!(
        found,
        "no pid file at {} within {LIMIT:?}",
        pid_file.display()
    );
    let pid: i32 = text
        .trim_end()
        .parse()
        .unwrap_or_else(|_| panic!("the pid file holds {text:?}, not a PID and a newline"));
    // The test signals this PID: 0 or -1 would reach a process group or
    // every process there is.
    assert!(pid > 1, "the pid file holds {pid}, not the daemon's PID");
    Daemon {
        pid: Pid::from_raw(pid),
        pid_file,
        _dir: dir,
    }
}

/// Fields of /proc/PID/stat after the command name: state, ppid, pgrp,
/// session, tty_nr.
fn stat_fields(pid: Pid) -> Vec<i64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/PID/stat");
    let rest = &stat[stat.rfind(')').expect("a command name") + 1..];
    rest.split_whitespace()
        .skip(1)
        .take(4)
        .map(|f| f.parse().expect("a number"))
        .collect()
}

#[test]
fn pid_file_names_a_running_daemon() {
    let daemon = start_daemon();
    let pid = daemon.pid;
    assert!(
        procs::is_running(pid.as_raw()),
        "the pid file names {pid}, which is not running"
    );
    assert_ne!(
        pid,
        getpid(),
        "daemonize must return in the caller, not become the daemon"
    );
    let parent = procs::parent_of(pid.as_raw());
    assert_ne!(
        parent,
        Some(getpid().as_raw()),
        "the daemon is not our child: its parent exited and it was adopted"
    );
    // The daemon's session is named after its leader, the intermediate
    // child, which daemonize reaped before it returned.
    let session = stat_fields(pid)[2];
    let leader = procs::state(session as i32);
    assert_eq!(
        leader, None,
        "the intermediate child {session} (the session's leader) is still in the process table: daemonize must reap it before it returns"
    );
}

#[test]
fn daemon_has_its_own_session_and_no_terminal() {
    let daemon = start_daemon();
    let ours = stat_fields(getpid());
    let theirs = stat_fields(daemon.pid);
    let (pgrp, session, tty) = (theirs[1], theirs[2], theirs[3]);
    assert_ne!(
        session, ours[2],
        "the daemon is still in our session: no setsid?"
    );
    assert_ne!(
        session,
        i64::from(daemon.pid.as_raw()),
        "the daemon leads its session: it must be the child of the session leader (fork twice)"
    );
    assert_ne!(pgrp, ours[1], "the daemon is still in our process group");
    assert_eq!(
        tty, 0,
        "the daemon has a controlling terminal (tty_nr {tty})"
    );
}

/// The open fds of process `pid`, each with what it points at, sorted.
fn open_fds(pid: i32) -> Vec<(i32, String)> {
    let mut fds: Vec<(i32, String)> = fs::read_dir(format!("/proc/{pid}/fd"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let fd = entry.file_name().to_str()?.parse().ok()?;
            let target = fs::read_link(entry.path()).ok()?;
            Some((fd, target.display().to_string()))
        })
        .collect();
    fds.sort();
    fds
}

/// Whether the daemon's `fd` (pointing at `target`) came from us through
/// fork: one open file description with one of ours, as kcmp(2) tells.
/// Where the kernel cannot tell (no kcmp here), the same target is taken for the same file,
/// except the daemon's own kinds: anonymous inodes (a signalfd, an eventfd)
/// and `/dev/null`.
fn inherited(daemon: Pid, fd: i32, target: &str, ours: &[(i32, String)]) -> bool {
    const KCMP_FILE: libc::c_long = 0;
    let me = getpid().as_raw();
    ours.iter().any(|(our_fd, our_target)| {
        // SAFETY: kcmp only compares kernel objects; it reads no memory of ours.
        let same = unsafe {
            libc::syscall(
                libc::SYS_kcmp,
                libc::c_long::from(me),
                libc::c_long::from(daemon.as_raw()),
                KCMP_FILE,
                libc::c_long::from(*our_fd),
                libc::c_long::from(fd),
            )
        };
        match same {
            0 => true,
            1..=3 => false,
            // One of the two was closed meanwhile: not one description now.
            _ if nix::errno::Errno::last() == nix::errno::Errno::EBADF => false,
            _ => {
                our_target == target && !target.starts_with("anon_inode:") && target != "/dev/null"
            }
        }
    })
}

#[test]
fn daemon_runs_in_root_with_umask_zero_and_only_dev_null_open() {
    // Open here while the daemon forks: it must not keep its copies. (What
    // the daemon opens itself later, a signalfd say, is its own business.)
    let (_keep_read, _keep_write) = nix::unistd::pipe().expect("a pipe");
    let daemon = start_daemon();
    let pid = daemon.pid;
    let cwd = fs::read_link(format!("/proc/{pid}/cwd")).expect("/proc/PID/cwd");
    let status = fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc/PID/status");
    let umask = status
        .lines()
        .find_map(|line| line.strip_prefix("Umask:"))
        .map(str::trim)
        .unwrap_or("?");
    let theirs = open_fds(pid.as_raw());
    let ours = open_fds(getpid().as_raw());
    let mut text = format!("cwd: {}\numask: {umask}\nfds 0 to 2:\n", cwd.display());
    for fd in 0..=2 {
        let target = theirs
            .iter()
            .find(|(n, _)| *n == fd)
            .map_or("(closed)", |(_, t)| t.as_str());
        text.push_str(&format!("  {fd} -> {target}\n"));
    }
    let kept: Vec<String> = theirs
        .iter()
        .filter(|(fd, target)| *fd > 2 && inherited(pid, *fd, target, &ours))
        .map(|(fd, target)| format!("  {fd} -> {target}\n"))
        .collect();
    if kept.is_empty() {
        text.push_str("inherited fds still open: none\n");
    } else {
        text.push_str("inherited fds still open:\n");
        text.push_str(&kept.concat());
    }
    snapshot_settings().bind(|| insta::assert_snapshot!("context", text));
}

#[test]
fn daemon_stops_on_sigterm() {
    let daemon = start_daemon();
    let pid = daemon.pid;
    kill(pid, Signal::SIGTERM).expect("send SIGTERM");
    assert!(
        procs::eventually(LIMIT, || !procs::is_running(pid.as_raw())),
        "the daemon {pid} still runs {LIMIT:?} after SIGTERM"
    );
    assert!(
        procs::eventually(LIMIT, || !daemon.pid_file.exists()),
        "the daemon's work did not run to its end: its pid file is still there"
    );
}
