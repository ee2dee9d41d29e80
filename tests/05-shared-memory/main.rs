//! Graded tests of chapter 5, manager-style shared memory. One module per
//! exercise; the same source is compiled against the skeleton and against
//! the solution.

mod lost_update;
mod manager;
mod proxy_gotcha;
mod remote_manager;
mod shared_array;
mod shared_counter;

/// Test plumbing: fresh socket folders, client processes, and a barrier
/// across processes.
#[allow(dead_code)]
mod common {
    use std::os::fd::{AsFd, OwnedFd};
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::thread;
    use std::time::{Duration, Instant};

    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    use nix::sys::signal::{Signal, kill};
    use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
    use nix::unistd::{ForkResult, Pid, fork, pipe, read, write};

    /// A folder of its own for one test, removed when dropped.
    pub struct TempDir(PathBuf);

    impl TempDir {
        pub fn new(name: &str) -> TempDir {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let dir = std::env::temp_dir()
                .join(format!("forklings-ch05-{}-{n}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("cannot make a temp folder");
            TempDir(dir)
        }

        pub fn socket(&self) -> PathBuf {
            self.0.join("manager.sock")
        }

        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Forks `n` children; child `i` runs `work(i)` and exits with the code
    /// it returns (a panic exits with 101). Returns their PIDs at once.
    pub fn spawn_children(n: usize, work: impl Fn(usize) -> i32) -> Vec<Pid> {
        let mut pids = Vec::with_capacity(n);
        for i in 0..n {
            // SAFETY: the child runs `work` and leaves with `_exit`; it never
            // returns into the test harness.
            match unsafe { fork() }.expect("fork failed") {
                ForkResult::Child => {
                    let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(i)))
                        .unwrap_or(101);
                    // SAFETY: ends the child at once.
                    unsafe { libc::_exit(code) }
                }
                ForkResult::Parent { child } => pids.push(child),
            }
        }
        pids
    }

    /// Waits for every child until `limit` has passed, then kills the rest.
    /// Returns each child's exit code (or 128 + signal), in order.
    pub fn wait_children(pids: &[Pid], limit: Duration) -> Vec<i32> {
        let deadline = Instant::now() + limit;
        let mut codes = vec![None; pids.len()];
        while codes.iter().any(Option::is_none) {
            for (pid, code) in pids.iter().zip(codes.iter_mut()) {
                if code.is_some() {
                    continue;
                }
                match waitpid(*pid, Some(WaitPidFlag::WNOHANG)) {
                    Ok(WaitStatus::Exited(_, c)) => *code = Some(c),
                    Ok(WaitStatus::Signaled(_, s, _)) => *code = Some(128 + s as i32),
                    Ok(_) => {}
                    Err(nix::errno::Errno::EINTR) => {}
                    Err(_) => *code = Some(-1),
                }
            }
            if Instant::now() >= deadline {
                for (pid, code) in pids.iter().zip(codes.iter_mut()) {
                    if code.is_none() {
                        let _ = kill(*pid, Signal::SIGKILL);
                        let _ = waitpid(*pid, None);
                        *code = Some(-2);
                    }
                }
                panic!("the child processes did not finish within {limit:?}");
            }
            thread::sleep(Duration::from_millis(2));
        }
        codes.into_iter().map(Option::unwrap).collect()
    }

    /// Forks `n` children running `work`, waits for them (bounded) and
    /// asserts that every one exited with 0.
    pub fn run_children(n: usize, work: impl Fn(usize) -> i32) {
        let pids = spawn_children(n, work);
        let codes = wait_children(&pids, Duration::from_secs(20));
        assert!(
            codes.iter().all(|&c| c == 0),
            "every child should succeed; exit codes: {codes:?}"
        );
    }

    /// CPU time (user + system) and context switches (voluntary and not) of
    /// one thread, read from its `/proc/.../task/TID` folder.
    fn task_usage(dir: &Path) -> Option<(u64, u64)> {
        let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
        let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
        // After the name, utime and stime are the 12th and 13th fields.
        let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        let status = std::fs::read_to_string(dir.join("status")).ok()?;
        let switches = status
            .lines()
            .filter(|l| l.contains("ctxt_switches:"))
            .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            .sum();
        Some((ticks, switches))
    }

    fn ticks_to_time(ticks: u64) -> Duration {
        // SAFETY: sysconf only reads a system constant.
        let per_second = u64::try_from(unsafe { libc::sysconf(libc::_SC_CLK_TCK) }).unwrap_or(100);
        Duration::from_millis(ticks * 1000 / per_second.max(1))
    }

    /// CPU time and context switches of every thread of process `pid` so
    /// far, summed; `None` once it is gone.
    pub fn process_usage(pid: Pid) -> Option<(Duration, u64)> {
        let (mut ticks, mut switches) = (0, 0);
        for task in std::fs::read_dir(format!("/proc/{pid}/task"))
            .ok()?
            .flatten()
        {
            if let Some((t, s)) = task_usage(&task.path()) {
                ticks += t;
                switches += s;
            }
        }
        Some((ticks_to_time(ticks), switches))
    }

    /// CPU time and context switches of thread `tid` of this process so far.
    pub fn thread_usage(tid: Pid) -> Option<(Duration, u64)> {
        let (ticks, switches) = task_usage(Path::new(&format!("/proc/self/task/{tid}")))?;
        Some((ticks_to_time(ticks), switches))
    }

    /// A meeting point across processes, made of two pipes: children say
    /// "arrived" on one and wait for "go" on the other; the test (the
    /// parent) decides when each may go on.
    pub struct Gate {
        arrived: (OwnedFd, OwnedFd),
        go: (OwnedFd, OwnedFd),
    }

    impl Gate {
        pub fn new() -> Gate {
            Gate {
                arrived: pipe().expect("pipe"),
                go: pipe().expect("pipe"),
            }
        }

        /// In a child: announce arrival, then wait for the parent's go.
        pub fn pass(&self) {
            let _ = write(&self.arrived.1, b"a");
            let mut byte = [0u8; 1];
            let _ = read(self.go.0.as_fd(), &mut byte);
        }

        /// In the parent: how many children arrived within `limit`, at most
        /// `expected` (the count stops as soon as that many are there).
        pub fn arrivals(&self, expected: usize, limit: Duration) -> usize {
            let deadline = Instant::now() + limit;
            let mut seen = 0;
            while seen < expected {
                let left = deadline.saturating_duration_since(Instant::now());
                let ms = u16::try_from(left.as_millis()).unwrap_or(u16::MAX);
                let mut fds = [PollFd::new(self.arrived.0.as_fd(), PollFlags::POLLIN)];
                match poll(&mut fds, PollTimeout::from(ms)) {
                    Ok(0) => break,
                    Ok(_) => {
                        let mut buf = [0u8; 16];
                        let want = (expected - seen).min(buf.len());
                        seen += read(self.arrived.0.as_fd(), &mut buf[..want]).unwrap_or(0);
                    }
                    Err(nix::errno::Errno::EINTR) => {}
                    Err(e) => panic!("poll failed: {e}"),
                }
                if left.is_zero() {
                    break;
                }
            }
            seen
        }

        /// In the parent: let `n` waiting children go on.
        pub fn release(&self, n: usize) {
            for _ in 0..n {
                write(&self.go.1, b"g").expect("write to the gate");
            }
        }
    }
}
