//! A server under test, in a process of its own, and what `/proc` says
//! about it.
//!
//! The test binary starts itself again with [`MODE`] set. Before libtest's
//! `main` runs (and so before any thread exists), [`run_if_asked`] binds a
//! listener on 127.0.0.1, says `ready PORT INODE` on stdout, runs the
//! server the mode names and exits. For the architectures, this code (the
//! test's, not the student's) turns SIGTERM into a [`Stop`] request and
//! reports `served CONNECTIONS FAILED` when `serve` returns; in mode
//! `shutdown` the student's `run` does all of that itself.
//!
//! A started server is a [`ServerProcess`]: its address, signals, exit,
//! threads, fds and children. Dropping it kills whatever is left.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::os::fd::AsRawFd;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use forklings_support::procs;
use nix::sys::signal::{Signal, kill};
use nix::sys::socket::{Backlog, listen};
use nix::unistd::Pid;
use servers::control::{Served, Stop};

/// The environment variable that makes a start of this binary a server.
pub const MODE: &str = "FORKLINGS_SERVERS_CHILD";

/// How long a server may take to start, and to stop once asked.
pub const START_LIMIT: Duration = Duration::from_secs(10);
pub const EXIT_LIMIT: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------
// The server's side: runs before `main`, in the fresh process.

/// The write end of the stop's pipe, for the SIGTERM handler of the
/// architectures' modes.
static STOP_WRITE_END: AtomicI32 = AtomicI32::new(-1);

extern "C" fn request_stop(_: libc::c_int) {
    // SAFETY: one `write` of one byte from a local: async-signal-safe. The
    // saved errno is put back for the interrupted code.
    unsafe {
        let errno = libc::__errno_location();
        let saved = *errno;
        let byte = 1u8;
        libc::write(
            STOP_WRITE_END.load(Ordering::Relaxed),
            (&byte as *const u8).cast(),
            1,
        );
        *errno = saved;
    }
}

/// The hook `main.rs` puts in `.init_array`: does nothing unless [`MODE`] is
/// set; then serves and exits, never returning to libtest.
pub extern "C" fn run_if_asked() {
    let Some(mode) = std::env::var_os(MODE) else {
        return;
    };
    let mode = mode.to_string_lossy().into_owned();
    // A panic must not unwind out of an `extern "C"` function (that would
    // abort with a confusing message): it is the server's failure, 101.
    let code = catch_unwind(AssertUnwindSafe(|| serve_as(&mode))).unwrap_or(101);
    // SAFETY: leaves at once; nothing of libtest has started.
    unsafe { libc::_exit(code) }
}

fn say(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// A listener on 127.0.0.1, any port, with room for many clients waiting
/// to be accepted (std's own `bind` allows 128; a second `listen` raises it).
fn listener() -> TcpListener {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listen(&listener, Backlog::new(4096).expect("a backlog")).expect("listen");
    listener
}

fn inode_of(fd: &impl AsRawFd) -> u64 {
    let path = format!("/proc/self/fd/{}", fd.as_raw_fd());
    let stat = nix::sys::stat::stat(path.as_str()).expect("stat of the listener");
    stat.st_ino
}

fn serve_as(mode: &str) -> i32 {
    let listener = listener();
    let port = listener.local_addr().expect("local address").port();
    let ready = format!("ready {port} {}", inode_of(&listener));
    if mode == "shutdown" {
        // The student's program does everything, signals included; SIGPIPE
        // is left as a fresh process gets it (the default: death).
        say(&ready);
        let code = servers::graceful_shutdown::run(listener);
        say(&format!("exit {code}"));
        return code;
    }

    // For the architectures, the test does the program's part: SIGPIPE
    // ignored, SIGTERM turned into a stop request.
    // SAFETY: ignoring a signal and installing a handler that only writes
    // one byte, in a process with one thread.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
    let stop = Stop::new().expect("a stop pipe");
    STOP_WRITE_END.store(stop.write_end(), Ordering::Relaxed);
    // SAFETY: as above.
    unsafe {
        let handler: extern "C" fn(libc::c_int) = request_stop;
        libc::signal(libc::SIGTERM, handler as libc::sighandler_t);
    }
    // A child of the server's process that is not the server's: a server
    // that reaps "any child" steals its exit status.
    let decoy = (mode == "forking-decoy").then(|| {
        // SAFETY: this process has one thread; the child leaves at once.
        match unsafe { libc::fork() } {
            0 => unsafe { libc::_exit(7) },
            pid => pid,
        }
    });
    say(&ready);
    let result = match mode {
        "serial" => servers::serial_server::serve(listener, &stop),
        "forking" | "forking-decoy" => servers::forking_server::serve(listener, &stop),
        "threaded" => servers::threaded_server::serve(listener, &stop),
        "event_loop" => servers::event_loop::serve(listener, &stop),
        pooled if pooled.starts_with("pooled:") => {
            let workers = pooled["pooled:".len()..].parse().expect("pooled:N");
            servers::pooled_server::serve(listener, &stop, workers)
        }
        other => panic!("unknown server mode {other}"),
    };
    let code = match result {
        Ok(Served {
            connections,
            failed,
        }) => {
            say(&format!("served {connections} {failed}"));
            0
        }
        Err(e) => {
            say(&format!("error {e}"));
            1
        }
    };
    if let Some(decoy) = decoy {
        let mut status = 0;
        // SAFETY: waits for this process's own child; `status` is a local.
        let got = unsafe { libc::waitpid(decoy, &mut status, 0) };
        if got == decoy && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 7 {
            say("decoy exited 7");
        } else {
            say("decoy gone: someone else reaped it");
        }
    }
    code
}

// ---------------------------------------------------------------------------
// The test's side.

/// A server running in a child process of the test.
pub struct ServerProcess {
    child: Child,
    pub addr: SocketAddr,
    /// The inode of the listening socket, to find it in fd tables.
    pub listener_inode: u64,
    lines: Receiver<String>,
    exited: Option<(ExitStatus, Vec<String>)>,
}

/// How a server process ended.
#[derive(Debug)]
pub struct Exit {
    pub status: ExitStatus,
    /// What it said on stdout after `ready`.
    pub said: Vec<String>,
}

impl Exit {
    /// The `served C F` line of an architecture's server.
    pub fn served(&self) -> Served {
        self.said
            .iter()
            .find_map(|line| {
                let mut words = line.strip_prefix("served ")?.split(' ');
                Some(Served {
                    connections: words.next()?.parse().ok()?,
                    failed: words.next()?.parse().ok()?,
                })
            })
            .unwrap_or_else(|| {
                panic!(
                    "the server did not return what it served (it said {:?})",
                    self.said
                )
            })
    }
}

impl ServerProcess {
    /// Starts a server in `mode` and waits until it listens.
    pub fn start(mode: &str) -> ServerProcess {
        let exe = std::env::current_exe().expect("this test binary");
        let mut child = Command::new(exe)
            .env(MODE, mode)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            // The server's own stderr is the test's: a panic in the server
            // is printed where the test's output is, before the failure it
            // causes (and so the runner names it as the first problem).
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the server process");
        let lines = read_lines(child.stdout.take().expect("piped"));
        let mut server = ServerProcess {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            listener_inode: 0,
            lines,
            exited: None,
        };
        let ready = match server.lines.recv_timeout(START_LIMIT) {
            Ok(line) => line,
            Err(_) => panic!(
                "the server process did not start listening within {START_LIMIT:?}{}",
                server.stderr_note()
            ),
        };
        let mut words = ready.split(' ').skip(1);
        let port: u16 = words.next().and_then(|w| w.parse().ok()).expect("a port");
        server.listener_inode = words.next().and_then(|w| w.parse().ok()).expect("an inode");
        server.addr.set_port(port);
        server
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    pub fn signal(&self, signal: Signal) {
        kill(Pid::from_raw(self.pid()), signal).expect("signal the server");
    }

    /// True while the server process has not exited.
    pub fn is_running(&mut self) -> bool {
        self.exited.is_none() && matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits for the server to exit, for at most `limit`.
    pub fn wait_exit(&mut self, limit: Duration) -> Exit {
        if self.exited.is_none() {
            let deadline = Instant::now() + limit;
            let status = loop {
                match self.child.try_wait().expect("wait for the server") {
                    Some(status) => break status,
                    None if Instant::now() >= deadline => panic!(
                        "the server did not exit within {limit:?} of the last client closing{}",
                        self.stderr_note()
                    ),
                    None => thread::sleep(Duration::from_millis(5)),
                }
            };
            // Its last words were written before it exited; give the
            // reader thread a moment to pass them on.
            let mut said = Vec::new();
            while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
                said.push(line);
            }
            self.exited = Some((status, said));
        }
        let (status, said) = self.exited.clone().expect("set above");
        Exit { status, said }
    }

    /// Stops an architecture's server with SIGTERM (its stop request) and
    /// waits for it to exit 0; returns what it served.
    pub fn stop(&mut self) -> Served {
        self.signal(Signal::SIGTERM);
        let exit = self.wait_exit(EXIT_LIMIT);
        assert!(
            exit.status.success(),
            "the server ended with {} after its stop (it said {:?}){}",
            exit.status,
            exit.said,
            self.stderr_note()
        );
        exit.served()
    }

    /// The server's threads (their ids), sorted.
    pub fn threads(&self) -> Vec<i32> {
        let mut tids: Vec<i32> = std::fs::read_dir(format!("/proc/{}/task", self.pid()))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse().ok())
            .collect();
        tids.sort_unstable();
        tids
    }

    /// What each of the server's fds points at (`socket:[123]`, `pipe:[45]`).
    pub fn fds(&self) -> Vec<String> {
        fds_of(self.pid())
    }

    /// The server's child processes, zombies included, with their states.
    pub fn children(&self) -> Vec<(i32, char)> {
        let pid = self.pid();
        let mut kids: Vec<(i32, char)> = std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
            .filter(|&p| procs::parent_of(p) == Some(pid))
            .filter_map(|p| Some((p, procs::state(p)?)))
            .collect();
        kids.sort_unstable();
        kids
    }

    /// True when every thread of the server is asleep (blocked in a
    /// system call), none running or waiting for a core.
    pub fn all_asleep(&self) -> bool {
        let pid = self.pid();
        self.threads().iter().all(|tid| {
            let stat =
                std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/stat")).unwrap_or_default();
            // The state is the first field after the command's ')'.
            let state = stat
                .rfind(')')
                .and_then(|end| stat[end + 1..].split_whitespace().next())
                .unwrap_or("?");
            // A thread that has just ended (`Z`, `X`) runs no more either.
            matches!(state, "S" | "D" | "Z" | "X" | "?")
        })
    }

    /// Insists that the server sleeps while it has nothing to do. First it
    /// must settle: every thread asleep at one look, within 5 s (a thread
    /// that has just answered may wait a while for a core on a busy
    /// machine). Then, of 40 looks over about 200 ms, at least 30 must find
    /// every thread asleep. A loop that asks "anything yet?" without
    /// blocking is found running (or waiting for a core) at every look.
    pub fn assert_asleep(&self, when: &str) {
        const SPINS: &str = "a loop that polls without blocking (a wait that returns at \
                             once, a readable fd never emptied or taken out of poll, a \
                             loop asking \"finished yet?\") burns a core";
        let settled = eventually(Duration::from_secs(5), || self.all_asleep());
        assert!(
            settled,
            "{when}, with nothing to do, some thread of the server was running at \
             every look for 5 s: {SPINS}"
        );
        let mut asleep = 0;
        for _ in 0..40 {
            thread::sleep(Duration::from_millis(5));
            asleep += usize::from(self.all_asleep());
        }
        assert!(
            asleep >= 30,
            "{when}, with nothing to do, the server was found asleep only {asleep} \
             times in 40: {SPINS}"
        );
    }

    /// A signal mask line of `/proc/PID/status` (`SigCgt`, `SigBlk`,
    /// `SigIgn`), as a bit set: bit `n - 1` is signal `n`.
    pub fn signal_mask(&self, field: &str) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        status
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{field}:")))
            .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
            .unwrap_or(0)
    }

    /// A note for a failure message: whether the server process is still
    /// there (its own messages, a panic for one, are printed above).
    pub fn stderr_note(&self) -> String {
        match procs::state(self.pid()) {
            Some('Z') | None => "\n(the server process has exited: what it printed, a panic for \
                                 one, is above)"
                .to_string(),
            _ => String::new(),
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if self.is_running() {
            for (kid, _) in self.children() {
                let _ = kill(Pid::from_raw(kid), Signal::SIGKILL);
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// What each fd of process `pid` points at.
pub fn fds_of(pid: i32) -> Vec<String> {
    let mut targets: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .map(|t| t.to_string_lossy().into_owned())
        .collect();
    targets.sort();
    targets
}

fn read_lines(stdout: ChildStdout) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Polls `done` every few milliseconds for at most `limit`.
pub fn eventually(limit: Duration, done: impl FnMut() -> bool) -> bool {
    procs::eventually(limit, done)
}

/// The bit of `signal` in a `/proc/PID/status` mask.
pub fn bit(signal: Signal) -> u64 {
    1u64 << (signal as i32 - 1)
}

/// The stop every architecture takes: SIGTERM (or SIGINT) while client A
/// is connected, with a request of A's in flight. The server must refuse
/// new clients from then on (if `refuses_at_once`: the serial server
/// cannot look at the stop before its client is done), answer A's request,
/// go on answering A until A closes, and only then exit, with 0.
pub fn check_graceful_stop(mode: &str, signal: Signal, refuses_at_once: bool) {
    use crate::client::{Client, refused_within, upper};
    let mut server = ServerProcess::start(mode);
    if mode == "shutdown" {
        wait_until_signals_are_handled(&server);
    }
    let mut a = Client::connect(server.addr, "A");
    a.round_trip("before the stop\n");
    let in_flight = "in flight when the stop came\n";
    a.send(in_flight.as_bytes());
    server.signal(signal);
    if refuses_at_once {
        assert!(
            refused_within(server.addr, Duration::from_secs(5)),
            "after {signal}, the server still accepts new clients: stop accepting \
             (close the listener) as soon as the stop comes"
        );
    }
    assert!(
        server.is_running(),
        "the server exited while client A was still connected: a graceful stop \
         finishes the open connections first{}",
        server.stderr_note()
    );
    a.expect(&upper(in_flight.as_bytes()));
    server.assert_asleep("after the stop, while client A was idle");
    a.round_trip("after the stop, A is still served\n");
    assert!(
        server.is_running(),
        "the server exited while client A was still connected{}",
        server.stderr_note()
    );
    a.finish();
    let exit = server.wait_exit(EXIT_LIMIT);
    assert_eq!(
        exit.status.code(),
        Some(0),
        "a graceful stop ends with exit code 0, not {} (the server said {:?}){}",
        exit.status,
        exit.said,
        server.stderr_note()
    );
    if !refuses_at_once {
        assert!(
            refused_within(server.addr, Duration::from_secs(5)),
            "the server has exited, yet its port still accepts clients"
        );
    }
}

/// Waits until the student's program catches (or blocks, for signalfd or
/// sigwait) SIGTERM and SIGINT: before that, a signal would simply kill it.
pub fn wait_until_signals_are_handled(server: &ServerProcess) {
    let wanted = bit(Signal::SIGTERM) | bit(Signal::SIGINT);
    let handled = eventually(START_LIMIT, || {
        (server.signal_mask("SigCgt") | server.signal_mask("SigBlk")) & wanted == wanted
    });
    assert!(
        handled,
        "within {START_LIMIT:?} of starting, the server neither catches nor blocks \
         SIGTERM and SIGINT{}",
        server.stderr_note()
    );
}
