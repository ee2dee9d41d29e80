//! What a test's processes were doing when its time ran out, and which
//! processes a test left running: the words that tell a deadlock from an
//! endless loop, and a leak from nothing.
//!
//! When a test runs out of time its supervisor looks at every thread of
//! every process of the test twice, [`WINDOW`] apart, before it kills them:
//! a thread that is runnable or used CPU in between is burning CPU (an
//! endless loop, a busy wait); any other is blocked, and
//! `/proc/PID/task/TID/syscall` says in which system call (a read of a pipe,
//! a futex of a lock or a join, a waitpid...). On a busy machine a spinning
//! thread may get little CPU, but it stays runnable (`R`), so both signs
//! count.

use std::path::Path;
use std::thread;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::procfs;

/// How long apart the two looks are.
pub const WINDOW: Duration = Duration::from_millis(200);
/// At most this many processes and threads are described.
const MAX_PROCESSES: usize = 6;
const MAX_THREADS: usize = 6;

/// The test's processes at the end of its time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stall {
    pub processes: Vec<StalledProcess>,
    /// Processes not described (past [`MAX_PROCESSES`]).
    #[serde(default)]
    pub more: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StalledProcess {
    /// "the test", "a child process it forked", or a program's command line.
    pub what: String,
    pub threads: Vec<StalledThread>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StalledThread {
    pub name: String,
    /// The process's first thread.
    pub main: bool,
    /// The thread libtest runs the test on (named after the test); its
    /// main thread, which only waits for it, is then left out.
    #[serde(default)]
    pub test_thread: bool,
    /// Runnable, or used CPU during the window.
    pub running: bool,
    /// The system call it is blocked in, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub syscall: Option<String>,
}

impl Stall {
    pub fn any_running(&self) -> bool {
        self.processes
            .iter()
            .any(|p| p.threads.iter().any(|t| t.running))
    }
}

/// Looks at `pids` (the test process first) twice, [`WINDOW`] apart. `test`
/// is the test process, running the test `name`; `binary` its program,
/// which tells a child it forked from a program it started.
pub fn look(pids: &[i32], test: Option<i32>, binary: &Path, name: &str) -> Stall {
    // A thread's name is cut at 15 bytes.
    let mut cut = name.len().min(15);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    let test_thread_name = &name[..cut];
    let before: Vec<(i32, Vec<procfs::Task>)> =
        pids.iter().map(|&p| (p, procfs::tasks(p))).collect();
    thread::sleep(WINDOW);
    let mut stall = Stall::default();
    let mut ordered: Vec<&(i32, Vec<procfs::Task>)> = before.iter().collect();
    ordered.sort_by_key(|(pid, _)| Some(*pid) != test);
    for (pid, first) in ordered {
        let now = procfs::tasks(*pid);
        if now.is_empty() {
            continue;
        }
        if stall.processes.len() == MAX_PROCESSES {
            stall.more += 1;
            continue;
        }
        let runs_test = |t: &procfs::Task| {
            Some(*pid) == test && t.tid != *pid && !name.is_empty() && t.name == test_thread_name
        };
        let libtest = now.iter().any(runs_test);
        let threads = now
            .iter()
            .filter(|t| !(libtest && t.tid == *pid))
            .take(MAX_THREADS)
            .map(|t| {
                let used = first
                    .iter()
                    .find(|f| f.tid == t.tid)
                    .map_or(0, |f| t.cpu_ticks.saturating_sub(f.cpu_ticks));
                let was_running = first.iter().any(|f| f.tid == t.tid && f.state == 'R');
                let running = t.state == 'R' || was_running || used > 0;
                StalledThread {
                    name: t.name.clone(),
                    main: t.tid == *pid,
                    test_thread: runs_test(t),
                    running,
                    syscall: if running {
                        None
                    } else {
                        procfs::blocking_syscall(*pid, t.tid).map(syscall_name)
                    },
                }
            })
            .collect();
        stall.processes.push(StalledProcess {
            what: if Some(*pid) == test {
                "the test".into()
            } else {
                what_process(*pid, binary)
            },
            threads,
        });
    }
    stall
}

/// A process a test started, for a student: a child it forked (it runs the
/// test's own program), or the program it runs, with its arguments.
pub fn what_process(pid: i32, binary: &Path) -> String {
    let same = |a: &Path, b: &Path| {
        a == b
            || a.canonicalize()
                .ok()
                .is_some_and(|a| Some(a) == b.canonicalize().ok())
    };
    if procfs::exe(pid).is_some_and(|exe| same(&exe, binary)) {
        return "a child process it forked".into();
    }
    match procfs::cmdline(pid) {
        Some(line) => {
            let short: String = line.chars().take(60).collect();
            let cut = if short.len() < line.len() { "…" } else { "" };
            format!("`{short}{cut}`")
        }
        // Past its exec but not readable (on its way out): its name.
        None => match procfs::tasks(pid).first() {
            Some(task) => format!("`{}`", task.name),
            None => "a process it started".into(),
        },
    }
}

/// The words for a test that ran out of time, from what its processes were
/// doing; none when nothing was seen.
pub fn words(stall: &Stall) -> Option<String> {
    if stall.processes.is_empty() {
        return None;
    }
    let mut out = if stall.any_running() {
        "it was burning CPU, not waiting (an endless loop, or a loop that checks a flag again \
         and again instead of blocking?):"
            .to_string()
    } else {
        "every thread was blocked, waiting for something that never came (a deadlock, a pipe \
         end still open, a child that never ends?):"
            .to_string()
    };
    for p in &stall.processes {
        let several = p.threads.len() > 1;
        for t in &p.threads {
            let who = if t.test_thread || !several {
                p.what.clone()
            } else if t.main {
                format!("{}, its main thread", p.what)
            } else {
                format!("{}, thread `{}`", p.what, t.name)
            };
            let doing = if t.running {
                "running (busy)".to_string()
            } else {
                match &t.syscall {
                    Some(call) => format!("blocked in {call}: {}", syscall_meaning(call)),
                    None => "blocked".to_string(),
                }
            };
            out.push_str(&format!("\n  {who}: {doing}"));
        }
    }
    if stall.more > 0 {
        out.push_str(&format!(
            "\n  and {} more process(es) of the test",
            stall.more
        ));
    }
    Some(out)
}

fn syscall_name(number: i64) -> String {
    let known: &[(i64, &str)] = &[
        (libc::SYS_read, "read"),
        (libc::SYS_readv, "readv"),
        (libc::SYS_pread64, "pread"),
        (libc::SYS_recvfrom, "recvfrom"),
        (libc::SYS_recvmsg, "recvmsg"),
        (libc::SYS_write, "write"),
        (libc::SYS_writev, "writev"),
        (libc::SYS_sendto, "sendto"),
        (libc::SYS_sendmsg, "sendmsg"),
        (libc::SYS_futex, "futex"),
        (libc::SYS_wait4, "waitpid"),
        (libc::SYS_waitid, "waitid"),
        (libc::SYS_ppoll, "poll"),
        (libc::SYS_pselect6, "select"),
        (libc::SYS_epoll_pwait, "epoll_wait"),
        (libc::SYS_clock_nanosleep, "sleep"),
        (libc::SYS_accept4, "accept"),
        (libc::SYS_connect, "connect"),
        (libc::SYS_rt_sigsuspend, "sigsuspend"),
        (libc::SYS_rt_sigtimedwait, "sigwait"),
        (libc::SYS_flock, "flock"),
        (libc::SYS_fcntl, "fcntl"),
        (libc::SYS_openat, "open"),
        (libc::SYS_semtimedop, "semop"),
        (libc::SYS_msgrcv, "msgrcv"),
        (libc::SYS_sched_yield, "sched_yield"),
        #[cfg(target_arch = "x86_64")]
        (libc::SYS_poll, "poll"),
        #[cfg(target_arch = "x86_64")]
        (libc::SYS_select, "select"),
        #[cfg(target_arch = "x86_64")]
        (libc::SYS_epoll_wait, "epoll_wait"),
        #[cfg(target_arch = "x86_64")]
        (libc::SYS_nanosleep, "sleep"),
        #[cfg(target_arch = "x86_64")]
        (libc::SYS_accept, "accept"),
        #[cfg(target_arch = "x86_64")]
        (libc::SYS_pause, "pause"),
        #[cfg(target_arch = "x86_64")]
        (libc::SYS_open, "open"),
        #[cfg(target_arch = "x86_64")]
        (libc::SYS_semop, "semop"),
    ];
    known.iter().find(|(n, _)| *n == number).map_or_else(
        || format!("system call {number}"),
        |(_, name)| name.to_string(),
    )
}

fn syscall_meaning(call: &str) -> &'static str {
    match call {
        "read" | "readv" | "pread" | "recvfrom" | "recvmsg" => {
            "waiting to read; a pipe or socket gives end of file only once every write end is \
             closed, in every process (one kept open, or a child still holding a copy?)"
        }
        "write" | "writev" | "sendto" | "sendmsg" => {
            "waiting to write: the pipe or socket is full and nobody reads it"
        }
        "futex" => {
            "waiting on a lock, a condition variable, a channel or a join (a lock held and asked \
             for again, two locks taken in opposite orders, a wake-up never sent?)"
        }
        "waitpid" | "waitid" => "waiting for a child process that does not end",
        "poll" | "select" | "epoll_wait" => "waiting for a descriptor to become ready",
        "sleep" => "sleeping",
        "accept" => "waiting for a connection nobody makes",
        "connect" => "connecting",
        "pause" | "sigsuspend" | "sigwait" => "waiting for a signal that never came",
        "flock" | "fcntl" => "waiting for a file lock",
        "open" => "opening a file (a FIFO nobody opened at the other end?)",
        "semop" | "msgrcv" => "waiting on a semaphore or message queue",
        "sched_yield" => "yielding in a loop",
        _ => "in the kernel",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thread(name: &str, main: bool, running: bool, syscall: Option<&str>) -> StalledThread {
        StalledThread {
            name: name.into(),
            main,
            test_thread: false,
            running,
            syscall: syscall.map(str::to_string),
        }
    }

    #[test]
    fn blocked_threads_say_where() {
        let stall = Stall {
            processes: vec![
                StalledProcess {
                    what: "the test".into(),
                    threads: vec![thread("graded", true, false, Some("waitpid"))],
                },
                StalledProcess {
                    what: "a child process it forked".into(),
                    threads: vec![thread("graded", true, false, Some("read"))],
                },
            ],
            more: 0,
        };
        let words = words(&stall).unwrap();
        assert!(words.starts_with("every thread was blocked"), "{words}");
        assert!(
            words.contains("\n  the test: blocked in waitpid: waiting for a child process"),
            "{words}"
        );
        assert!(
            words.contains("\n  a child process it forked: blocked in read: waiting to read"),
            "{words}"
        );
    }

    #[test]
    fn a_running_thread_is_burning_cpu() {
        let stall = Stall {
            processes: vec![StalledProcess {
                what: "the test".into(),
                threads: vec![
                    thread("graded", true, false, Some("futex")),
                    thread("spinner", false, true, None),
                ],
            }],
            more: 0,
        };
        let words = words(&stall).unwrap();
        assert!(words.starts_with("it was burning CPU"), "{words}");
        assert!(
            words.contains("\n  the test, thread `spinner`: running (busy)"),
            "{words}"
        );
        assert!(
            words.contains("\n  the test, its main thread: blocked in futex"),
            "{words}"
        );
        assert_eq!(super::words(&Stall::default()), None);
    }

    #[test]
    fn this_thread_is_seen() {
        let me = std::process::id() as i32;
        let exe = std::env::current_exe().unwrap();
        let stall = look(&[me], Some(me), &exe, "");
        assert_eq!(stall.processes.len(), 1);
        assert_eq!(stall.processes[0].what, "the test");
        assert!(stall.any_running(), "{stall:?}");
        assert_eq!(syscall_name(libc::SYS_futex), "futex");
    }
}
