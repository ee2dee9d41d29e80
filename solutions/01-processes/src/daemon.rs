//! Daemonize: the reference solution. The statement is in
//! `chapters/01-processes/src/daemon.rs`.

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

use nix::sys::signal::{SigSet, Signal};
use nix::sys::stat::Mode;
use nix::unistd::{ForkResult, fork, setsid};

use crate::fork_wait::{ChildExit, wait_for};

/// Turns `work` into a daemon and returns in the caller once the
/// intermediate child has been reaped. The daemon writes its PID to
/// `pid_file` (atomically) before it runs `work`, then exits with the code
/// `work` returns.
pub fn daemonize<F: FnOnce() -> i32>(pid_file: &Path, work: F) -> io::Result<()> {
    // Everything that allocates is done here, before the first fork: the
    // children only make system calls.
    let final_path = CString::new(pid_file.as_os_str().as_bytes())?;
    let mut tmp = pid_file.as_os_str().as_bytes().to_vec();
    tmp.extend_from_slice(b".tmp");
    let tmp_path = CString::new(tmp)?;
    let dev_null = c"/dev/null";

    // SAFETY: both children end in `_exit` and never return here.
    match unsafe { fork() }? {
        ForkResult::Parent { child } => match wait_for(child)? {
            ChildExit::Exited(0) => Ok(()),
            other => Err(io::Error::other(format!(
                "the intermediate child ended badly: {other:?}"
            ))),
        },
        ForkResult::Child => {
            // First child: lead a new session, so no terminal controls us.
            if setsid().is_err() {
                // SAFETY: ends this child at once.
                unsafe { libc::_exit(1) }
            }
            // Fork again and let the session leader go: the daemon is not a
            // session leader, so opening a terminal can never make it the
            // daemon's controlling terminal.
            match unsafe { fork() } {
                Ok(ForkResult::Child) => {}
                // SAFETY: ends this child at once.
                Ok(ForkResult::Parent { .. }) => unsafe { libc::_exit(0) },
                Err(_) => unsafe { libc::_exit(1) },
            }
            become_daemon(dev_null, &tmp_path, &final_path);
            let code = panic::catch_unwind(AssertUnwindSafe(work)).unwrap_or(1);
            // SAFETY: ends the daemon at once.
            unsafe { libc::_exit(code) }
        }
    }
}

/// The grandchild's set-up, in system calls only.
fn become_daemon(dev_null: &std::ffi::CStr, tmp_path: &CString, final_path: &CString) {
    // Do not keep the caller's directory busy (it could not be unmounted).
    let _ = nix::unistd::chdir("/");
    // Files the daemon creates get exactly the mode it asks for.
    nix::sys::stat::umask(Mode::empty());
    // SAFETY: plain system calls on fds this process owns.
    unsafe {
        let null = libc::open(dev_null.as_ptr(), libc::O_RDWR);
        if null < 0 {
            libc::_exit(1);
        }
        for fd in 0..=2 {
            libc::dup2(null, fd);
        }
        // Every other fd inherited from the caller (its pipes, sockets,
        // files) is closed: holding them would keep them open for others.
        libc::close_range(3, libc::c_uint::MAX, 0);
    }
    // A stop request that comes before `work` is ready stays pending instead
    // of killing a daemon half set up; `wait_for_sigterm` receives it.
    let _ = SigSet::from(Signal::SIGTERM).thread_block();
    if write_pid_file(tmp_path, final_path).is_err() {
        // SAFETY: ends the daemon at once.
        unsafe { libc::_exit(1) }
    }
}

/// Writes `PID\n` to a temporary file and renames it over the real one, so
/// a reader never sees a half-written file.
fn write_pid_file(tmp_path: &CString, final_path: &CString) -> Result<(), ()> {
    // Format the PID without allocating.
    let mut buf = [0u8; 24];
    let mut at = buf.len() - 1;
    buf[at] = b'\n';
    let mut pid = std::process::id();
    loop {
        at -= 1;
        buf[at] = b'0' + (pid % 10) as u8;
        pid /= 10;
        if pid == 0 {
            break;
        }
    }
    let text = &buf[at..];
    // SAFETY: plain system calls on a buffer we own.
    unsafe {
        let fd = libc::open(
            tmp_path.as_ptr(),
            libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC | libc::O_CLOEXEC,
            0o644,
        );
        if fd < 0 {
            return Err(());
        }
        let written = libc::write(fd, text.as_ptr().cast(), text.len());
        libc::close(fd);
        if written != text.len() as isize {
            return Err(());
        }
        if libc::rename(tmp_path.as_ptr(), final_path.as_ptr()) != 0 {
            return Err(());
        }
    }
    Ok(())
}

/// Blocks until this process receives SIGTERM, then returns: how a daemon's
/// `work` learns it should stop.
pub fn wait_for_sigterm() {
    let set = SigSet::from(Signal::SIGTERM);
    // Blocked, the signal waits for `wait` instead of killing us.
    let _ = set.thread_block();
    while set.wait().is_err() {}
}
