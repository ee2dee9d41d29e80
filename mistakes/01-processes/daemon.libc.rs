//! A right answer written with raw libc calls: every fd closed first and
//! `/dev/null` opened onto 0 (the lowest free fd) then copied to 1 and 2,
//! SIGTERM blocked with `sigprocmask`, the PID formatted front to back, and
//! `sigwait` to wait for SIGTERM.

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// Turns `work` into a daemon and returns in the caller once the
/// intermediate child has been reaped. The daemon writes its PID to
/// `pid_file` (atomically) before it runs `work`, then exits with the code
/// `work` returns.
pub fn daemonize<F: FnOnce() -> i32>(pid_file: &Path, work: F) -> io::Result<()> {
    let path = CString::new(pid_file.as_os_str().as_bytes())?;
    let tmp = CString::new([pid_file.as_os_str().as_bytes(), b".tmp"].concat())?;

    // SAFETY: the children make only system calls and end in `_exit`.
    let first = unsafe { libc::fork() };
    if first < 0 {
        return Err(io::Error::last_os_error());
    }
    if first > 0 {
        let mut status = 0;
        loop {
            // SAFETY: waitpid writes into a c_int we own.
            if unsafe { libc::waitpid(first, &mut status, 0) } == first {
                break;
            }
            let err = io::Error::last_os_error();
            if err.kind() != io::ErrorKind::Interrupted {
                return Err(err);
            }
        }
        return if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
            Ok(())
        } else {
            Err(io::Error::other("the first child failed"))
        };
    }
    // SAFETY: system calls only, in the children; each path ends in `_exit`.
    unsafe {
        if libc::setsid() < 0 {
            libc::_exit(1);
        }
        match libc::fork() {
            0 => {}
            n if n > 0 => libc::_exit(0),
            _ => libc::_exit(1),
        }
        libc::chdir(c"/".as_ptr());
        libc::umask(0);
        libc::close_range(0, libc::c_uint::MAX, 0);
        // The lowest free fd is 0 now.
        if libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) != 0 {
            libc::_exit(1);
        }
        libc::dup2(0, 1);
        libc::dup2(0, 2);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());

        let mut digits = [0u8; 16];
        let mut n = 0;
        let mut pid = libc::getpid() as u32;
        while pid > 0 || n == 0 {
            digits[n] = b'0' + (pid % 10) as u8;
            pid /= 10;
            n += 1;
        }
        let mut line = [0u8; 17];
        for i in 0..n {
            line[i] = digits[n - 1 - i];
        }
        line[n] = b'\n';
        let fd = libc::open(
            tmp.as_ptr(),
            libc::O_CREAT | libc::O_WRONLY | libc::O_TRUNC,
            0o600,
        );
        if fd < 0 || libc::write(fd, line.as_ptr().cast(), n + 1) != (n + 1) as isize {
            libc::_exit(1);
        }
        libc::close(fd);
        if libc::rename(tmp.as_ptr(), path.as_ptr()) != 0 {
            libc::_exit(1);
        }
    }
    let code = work();
    // SAFETY: ends the daemon at once.
    unsafe { libc::_exit(code) }
}

/// Blocks until this process receives SIGTERM, then returns: how a daemon's
/// `work` learns it should stop.
pub fn wait_for_sigterm() {
    // SAFETY: signal-mask calls on sets we own.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        let mut got = 0;
        while libc::sigwait(&set, &mut got) != 0 || got != libc::SIGTERM {}
    }
}
