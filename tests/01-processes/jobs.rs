//! The job the pool and executor tests send to worker processes, and a gate
//! on the file system that holds a job inside a worker until the test lets
//! it go. (A gate made of a pipe would not do: a solution may rightly close
//! the fds its workers inherit.)

use std::fs;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, raise};
use nix::unistd::getpid;
use serde::{Deserialize, Serialize};

/// One thing for a worker to do; `run` is the pool's job function.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Job {
    Square(i64),
    /// Sleep, then square: lets early inputs finish last.
    SlowSquare(i64, u64),
    /// The worker's PID.
    Pid,
    Panic(String),
    /// `_exit(code)` in the middle of the task.
    Exit(i32),
    /// SIGKILL to itself.
    Kill,
    /// Write `dir/started-NAME`, wait until `dir/go` exists (at most 10 s),
    /// return the worker's PID.
    Gate {
        dir: PathBuf,
        name: String,
    },
    /// Create the file; proves the task ran.
    Touch(PathBuf),
    /// Fork a process that keeps every fd of the worker (its pipes too)
    /// until `dir/go` exists, then `_exit(code)`: the worker dies while the
    /// write end of its pipe stays open elsewhere, so no end of file comes.
    ExitLeavingHolder {
        code: i32,
        dir: PathBuf,
    },
}

pub fn run(job: Job) -> i64 {
    match job {
        Job::Square(n) => n.wrapping_mul(n),
        Job::SlowSquare(n, ms) => {
            thread::sleep(Duration::from_millis(ms));
            n.wrapping_mul(n)
        }
        Job::Pid => i64::from(getpid().as_raw()),
        Job::Panic(message) => panic!("{message}"),
        Job::Exit(code) => unsafe { libc::_exit(code) },
        Job::Kill => {
            let _ = raise(Signal::SIGKILL);
            unreachable!("SIGKILL cannot be caught")
        }
        Job::Gate { dir, name } => {
            let pid = getpid().as_raw();
            // Written aside and renamed, so the test never reads it half done.
            let tmp = dir.join(format!(".tmp-{name}"));
            let _ = fs::write(&tmp, pid.to_string());
            let _ = fs::rename(&tmp, dir.join(format!("started-{name}")));
            let deadline = Instant::now() + Duration::from_secs(10);
            while !dir.join("go").exists() && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(2));
            }
            i64::from(pid)
        }
        Job::Touch(path) => {
            let _ = fs::write(path, "ran");
            0
        }
        Job::ExitLeavingHolder { code, dir } => {
            // SAFETY: the holder only polls a file and leaves with `_exit`;
            // the worker leaves with `_exit` at once.
            unsafe {
                if libc::fork() == 0 {
                    let deadline = Instant::now() + Duration::from_secs(10);
                    while !dir.join("go").exists() && Instant::now() < deadline {
                        thread::sleep(Duration::from_millis(5));
                    }
                    libc::_exit(0)
                }
                libc::_exit(code)
            }
        }
    }
}

/// A fresh directory for one test's gates, removed when dropped.
pub struct GateDir {
    pub dir: PathBuf,
}

impl GateDir {
    pub fn new() -> GateDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "forklings-ch01-{}-{}",
            getpid(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir_all(&dir).expect("a temporary directory");
        GateDir { dir }
    }

    /// A job that blocks in its worker until `open`.
    pub fn job(&self, name: &str) -> Job {
        Job::Gate {
            dir: self.dir.clone(),
            name: name.to_string(),
        }
    }

    pub fn open(&self) {
        fs::write(self.dir.join("go"), "").expect("write the go file");
    }

    /// The PIDs written by gated jobs that have started, in name order.
    pub fn started(&self) -> Vec<i32> {
        let mut names: Vec<PathBuf> = fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| {
                path.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("started-"))
            })
            .collect();
        names.sort();
        names
            .iter()
            .filter_map(|path| fs::read_to_string(path).ok()?.parse().ok())
            .collect()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl Drop for GateDir {
    fn drop(&mut self) {
        // Let any worker still waiting go before the directory disappears.
        let _ = fs::write(self.dir.join("go"), "");
        let _ = fs::remove_dir_all(&self.dir);
    }
}
