//! The supervisor's side of the course's test harness
//! (`tests/support/harness/wrap_main.rs`): a per-run secret handed to the
//! test binary on one pipe, its verdict read back from another.
//!
//! The secret goes through a pipe, never the environment (a process's
//! original environment stays readable in `/proc/PID/environ`). The harness
//! reads it before `main` and closes that pipe; it writes `ready` on the
//! report pipe at once and `pass SECRET` only when libtest's `main` returned
//! 0 in the process that started. Exactly `ready\npass SECRET\n` is a pass;
//! anything else written there is something the test's own code wrote, and
//! is reported as an attempt to forge a pass.

use std::io::Read;
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use serde::{Deserialize, Serialize};

/// What the report pipe held at the end.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// The harness said `ready`: the binary carries the course's harness.
    pub harness: bool,
    /// The harness reported a pass with this run's secret.
    pub passed: bool,
    /// Something else was written on the report pipe (what, shortened, the
    /// secret never included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forged: Option<String>,
}

/// How much of the report pipe is kept: the real messages are short.
const REPORT_CAP: usize = 4096;

/// The two pipes of one run. The supervisor keeps the report's read end;
/// the test gets the secret's read end and the report's write end.
pub struct Channel {
    secret: String,
    secret_read: Option<OwnedFd>,
    report_read: OwnedFd,
    report_write: Option<OwnedFd>,
    report: Vec<u8>,
}

impl Channel {
    /// Makes both pipes, with a fresh secret already in the first.
    pub fn new() -> std::io::Result<Channel> {
        let secret = fresh_secret()?;
        let (secret_read, secret_write) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
        nix::unistd::write(&secret_write, secret.as_bytes())?;
        drop(secret_write);
        let (report_read, report_write) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
        fcntl(&report_read, FcntlArg::F_SETFL(OFlag::O_NONBLOCK))?;
        Ok(Channel {
            secret,
            secret_read: Some(secret_read),
            report_read,
            report_write: Some(report_write),
            report: Vec::new(),
        })
    }

    /// The descriptors the test must get, as (secret's read end, report's
    /// write end), while the supervisor still holds them.
    pub fn test_fds(&self) -> Option<(RawFd, RawFd)> {
        Some((
            self.secret_read.as_ref()?.as_raw_fd(),
            self.report_write.as_ref()?.as_raw_fd(),
        ))
    }

    /// Drops the supervisor's copies of the test's ends, once the test has
    /// them: then the report pipe ends when every test process is gone.
    pub fn close_test_ends(&mut self) {
        self.secret_read = None;
        self.report_write = None;
    }

    pub fn report_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.report_read.as_fd()
    }

    /// Reads what the report pipe holds now. Returns false at end of file.
    pub fn drain(&mut self) -> bool {
        let mut buf = [0u8; 1024];
        loop {
            match nix::unistd::read(&self.report_read, &mut buf) {
                Ok(0) => return false,
                Ok(n) => {
                    let room = REPORT_CAP.saturating_sub(self.report.len());
                    self.report.extend_from_slice(&buf[..n.min(room)]);
                    if room < n {
                        // Keep one byte past the cap so it reads as forged.
                        self.report.push(b'.');
                    }
                }
                Err(Errno::EINTR) => continue,
                Err(_) => return true,
            }
        }
    }

    /// The verdict from everything the report pipe held.
    pub fn finish(mut self) -> Verdict {
        self.drain();
        judge(&self.report, &self.secret)
    }
}

/// The verdict of a report pipe's content, for a run whose secret was
/// `secret`.
pub fn judge(report: &[u8], secret: &str) -> Verdict {
    let ready = b"ready\n".as_slice();
    let pass = format!("pass {secret}\n");
    let harness = report.starts_with(ready);
    let rest = if harness {
        &report[ready.len()..]
    } else {
        report
    };
    let passed = harness && rest == pass.as_bytes();
    let forged = if rest.is_empty() || passed {
        None
    } else {
        let text = String::from_utf8_lossy(rest).replace(secret, "<the secret>");
        let shown: String = text.chars().take(120).collect();
        Some(if text.chars().count() > 120 {
            format!("{shown}…")
        } else {
            shown
        })
    };
    Verdict {
        harness,
        passed,
        forged,
    }
}

/// 128 random bits as 32 hex digits.
fn fresh_secret() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ready_then_the_secret_is_a_pass() {
        let s = "00ff";
        assert!(judge(b"ready\npass 00ff\n", s).passed);
        let v = judge(b"ready\n", s);
        assert!(v.harness && !v.passed && v.forged.is_none());
        let v = judge(b"", s);
        assert!(!v.harness && !v.passed && v.forged.is_none());
        let v = judge(b"ready\npass 1234\n", s);
        assert!(!v.passed);
        assert_eq!(v.forged.as_deref(), Some("pass 1234\n"));
        let v = judge(b"ready\npass 00ff\npass 00ff\n", s);
        assert!(!v.passed);
        assert_eq!(
            v.forged.as_deref(),
            Some("pass <the secret>\npass <the secret>\n")
        );
        assert!(!judge(b"pass 00ff\n", s).passed);
    }

    #[test]
    fn a_channel_carries_its_secret_and_a_verdict() {
        let mut c = Channel::new().unwrap();
        let (secret_fd, report_fd) = c.test_fds().unwrap();
        let mut secret = [0u8; 32];
        // SAFETY: both descriptors are open and owned by `c` until
        // close_test_ends; the buffer is ours.
        let n = unsafe { libc::read(secret_fd, secret.as_mut_ptr().cast(), 32) };
        assert_eq!(n, 32);
        let message = format!("ready\npass {}\n", std::str::from_utf8(&secret).unwrap());
        // SAFETY: as above.
        unsafe { libc::write(report_fd, message.as_ptr().cast(), message.len()) };
        c.close_test_ends();
        assert!(c.finish().passed);
    }
}
