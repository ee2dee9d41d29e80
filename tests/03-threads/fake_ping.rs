//! A stand-in for `ping`, so that no sweep leaves the machine: a shell
//! script in a temporary directory, called as `fakeping -c 1 HOST`.
//!
//! What it does for a host is the test's choice: the word in the file
//! `HOST.answer`, or, when `HOST.gate` is a FIFO, the word the test writes
//! into it (the script waits for it, so the test knows exactly which
//! commands are running and decides when each one ends). Every start is
//! logged. A hanging command writes its PID to `HOST.pid` and becomes
//! `sleep 600`, so the test can check it was killed and reaped.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::PathBuf;

use forklings_support::procs;
use nix::sys::signal::{Signal, kill};
use nix::sys::stat::Mode;
use nix::unistd::{Pid, mkfifo};

const SCRIPT: &str = r#"#!/bin/sh
# A stand-in for ping, written by the graded tests.
dir='@DIR@'
if [ "$#" -ne 3 ] || [ "$1" != "-c" ] || [ "$2" != "1" ]; then
    echo "usage: fakeping -c 1 HOST" >&2
    exit 64
fi
host=$3
echo "$host" >> "$dir/started"
if [ -p "$dir/$host.gate" ]; then
    read -r answer < "$dir/$host.gate"
elif [ -f "$dir/$host.answer" ]; then
    read -r answer < "$dir/$host.answer"
else
    answer=down
fi
case $answer in
up)
    echo "64 bytes from $host: icmp_seq=1 ttl=64 time=0.05 ms"
    exit 0 ;;
down)
    echo "From $host icmp_seq=1 Destination Host Unreachable"
    exit 1 ;;
crash)
    kill -KILL $$ ;;
hang)
    echo $$ > "$dir/$host.pid"
    exec sleep 600 ;;
chatty)
    i=0
    while [ $i -lt 5000 ]; do
        echo "64 bytes from $host: icmp_seq=$i ttl=64 time=0.05 ms"
        i=$((i + 1))
    done
    exit 0 ;;
*)
    exit 2 ;;
esac
"#;

pub struct FakePing {
    dir: tempfile::TempDir,
    pub program: PathBuf,
}

impl FakePing {
    pub fn new() -> FakePing {
        let dir = tempfile::Builder::new()
            .prefix("fakeping")
            .tempdir()
            .expect("a temporary directory");
        let program = dir.path().join("fakeping");
        let text = SCRIPT.replace("@DIR@", &dir.path().display().to_string());
        fs::write(&program, text).expect("write the script");
        fs::set_permissions(&program, fs::Permissions::from_mode(0o755)).expect("chmod the script");
        FakePing { dir, program }
    }

    fn path(&self, host: &str, suffix: &str) -> PathBuf {
        self.dir.path().join(format!("{host}.{suffix}"))
    }

    /// Makes `host` answer `word`: up, down, crash, hang or chatty.
    pub fn answer(&self, host: &str, word: &str) {
        fs::write(self.path(host, "answer"), format!("{word}\n")).expect("write an answer");
    }

    /// Makes `host` wait for the test's word.
    pub fn gate(&self, host: &str) {
        mkfifo(&self.path(host, "gate"), Mode::from_bits_truncate(0o600)).expect("mkfifo");
    }

    /// The write end of `host`'s gate, if its command is waiting on it now.
    pub fn waiting(&self, host: &str) -> Option<File> {
        // A non-blocking open for writing succeeds only while a reader has
        // the FIFO open: the command is running and waiting for its word.
        OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(self.path(host, "gate"))
            .ok()
    }

    /// Ends a waiting command with `word`.
    pub fn release(mut gate: File, word: &str) {
        let _ = gate.write_all(format!("{word}\n").as_bytes());
    }

    /// The PID a hanging command wrote.
    pub fn pid_of(&self, host: &str) -> Option<i32> {
        fs::read_to_string(self.path(host, "pid"))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// The hosts whose command started, in the order they started.
    pub fn started(&self) -> Vec<String> {
        fs::read_to_string(self.dir.path().join("started"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }
}

impl Drop for FakePing {
    /// A sweep that failed may have left commands behind: stop them, so a
    /// wrong answer leaves no process behind either.
    fn drop(&mut self) {
        let Ok(entries) = fs::read_dir(self.dir.path()) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            if let Some(pid) = name.strip_suffix(".pid").and_then(|host| self.pid_of(host)) {
                let cmdline = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                if procs::is_running(pid) && cmdline.starts_with(b"sleep\x00600") {
                    let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
                }
            } else if let Some(gate) = name
                .strip_suffix(".gate")
                .and_then(|host| self.waiting(host))
            {
                FakePing::release(gate, "down");
            }
        }
    }
}
