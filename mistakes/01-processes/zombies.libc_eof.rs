//! A right answer written with raw libc calls: `libc::fork`, a `WNOHANG`
//! polling reap, a report read before the child is reaped, and a grandchild
//! that blocks on a third pipe (held open by the child) until the child is
//! gone, then waits for `getppid()` to change.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use nix::errno::Errno;
use nix::sys::signal::Signal;
use nix::unistd::Pid;

use crate::fork_wait::ChildExit;

/// Forks one child per code; each exits at once with its code. Nobody waits
/// for them here: until someone does, each is a zombie.
pub fn spawn_exiting(codes: &[i32]) -> nix::Result<Vec<Pid>> {
    let mut children = Vec::new();
    for &code in codes {
        // SAFETY: the child only calls `_exit`.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return Err(Errno::last());
        }
        if pid == 0 {
            // SAFETY: ends the child at once.
            unsafe { libc::_exit(code) }
        }
        children.push(Pid::from_raw(pid));
    }
    Ok(children)
}

/// Polls one child with `WNOHANG` until it has ended.
fn reap(child: Pid) -> nix::Result<ChildExit> {
    loop {
        let mut status = 0;
        // SAFETY: waitpid writes into a c_int we own.
        let got = unsafe { libc::waitpid(child.as_raw(), &mut status, libc::WNOHANG) };
        if got < 0 {
            match Errno::last() {
                Errno::EINTR => continue,
                e => return Err(e),
            }
        }
        if got == child.as_raw() {
            if libc::WIFEXITED(status) {
                return Ok(ChildExit::Exited(libc::WEXITSTATUS(status)));
            }
            if libc::WIFSIGNALED(status) {
                return Ok(ChildExit::Signaled(Signal::try_from(libc::WTERMSIG(
                    status,
                ))?));
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

/// Reaps exactly these children, in this order, and says how each ended.
pub fn reap_all(children: &[Pid]) -> nix::Result<Vec<ChildExit>> {
    let mut exits = Vec::with_capacity(children.len());
    for &child in children {
        exits.push(reap(child)?);
    }
    Ok(exits)
}

/// What the grandchild saw of its parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Adoption {
    /// The child that forked the grandchild and then exited.
    pub child: Pid,
    pub grandchild: Pid,
    /// The grandchild's parent while the child lived: the child.
    pub parent_before: Pid,
    /// Its parent once the child had exited: whoever adopted it.
    pub parent_after: Pid,
}

fn raw_pipe() -> nix::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe writes two fds into an array we own.
    if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
        return Err(Errno::last());
    }
    // SAFETY: both fds are fresh and owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Forks a child that forks a grandchild and exits; the grandchild reports,
/// through a pipe, its parent before and after the child's exit.
pub fn orphan_adoption() -> nix::Result<Adoption> {
    let (report_r, report_w) = raw_pipe()?;
    // SAFETY: the child and grandchild make only system calls and `_exit`.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(Errno::last());
    }
    if pid == 0 {
        drop(report_r);
        in_child(report_w)
    }
    let child = Pid::from_raw(pid);
    drop(report_w);
    let mut report = [0u8; 12];
    let mut got = 0;
    let mut read_failed = false;
    while got < report.len() {
        // SAFETY: reads into the unread tail of a buffer we own.
        let n = unsafe {
            libc::read(
                report_r.as_raw_fd(),
                report[got..].as_mut_ptr().cast(),
                report.len() - got,
            )
        };
        if n < 0 && Errno::last() == Errno::EINTR {
            continue;
        }
        if n <= 0 {
            read_failed = true;
            break;
        }
        got += n as usize;
    }
    // Reap the child whatever the report said.
    let exit = reap(child)?;
    if read_failed {
        return Err(Errno::EPIPE);
    }
    if exit != ChildExit::Exited(0) {
        return Err(Errno::ECHILD);
    }
    let pid_at = |i: usize| {
        Pid::from_raw(i32::from_ne_bytes([
            report[4 * i],
            report[4 * i + 1],
            report[4 * i + 2],
            report[4 * i + 3],
        ]))
    };
    Ok(Adoption {
        child,
        grandchild: pid_at(0),
        parent_before: pid_at(1),
        parent_after: pid_at(2),
    })
}

fn in_child(report_w: OwnedFd) -> ! {
    // `go` goes from grandchild to child; `alive` stays open in the child
    // only, so the grandchild reads its end of file when the child is gone.
    let (Ok((go_r, go_w)), Ok((alive_r, alive_w))) = (raw_pipe(), raw_pipe()) else {
        // SAFETY: ends the child at once.
        unsafe { libc::_exit(1) }
    };
    // SAFETY: the grandchild makes only system calls and `_exit`.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        // SAFETY: ends the child at once.
        unsafe { libc::_exit(1) }
    }
    if pid == 0 {
        drop(go_r);
        drop(alive_w);
        in_grandchild(report_w, go_w, alive_r)
    }
    drop(go_w);
    drop(alive_r);
    let mut byte = 0u8;
    // SAFETY: a read into a byte we own; then the child ends.
    unsafe {
        libc::read(go_r.as_raw_fd(), (&raw mut byte).cast(), 1);
        libc::_exit(0)
    }
}

fn in_grandchild(report_w: OwnedFd, go_w: OwnedFd, alive_r: OwnedFd) -> ! {
    // SAFETY: getppid cannot fail.
    let before = unsafe { libc::getppid() };
    // SAFETY: a one-byte write from a static.
    unsafe { libc::write(go_w.as_raw_fd(), b"g".as_ptr().cast(), 1) };
    drop(go_w);
    let mut byte = 0u8;
    // Blocks until the child has exited and its end of `alive` is closed.
    // SAFETY: a read into a byte we own.
    while unsafe { libc::read(alive_r.as_raw_fd(), (&raw mut byte).cast(), 1) } < 0
        && Errno::last() == Errno::EINTR
    {}
    // The files close a moment before the kernel hands us to a new parent:
    // wait for that too, for at most about five seconds.
    // SAFETY: getppid cannot fail.
    let mut after = unsafe { libc::getppid() };
    let mut tries = 0;
    while after == before && tries < 50_000 {
        let nap = libc::timespec {
            tv_sec: 0,
            tv_nsec: 100_000,
        };
        // SAFETY: nanosleep with a timespec we own.
        unsafe { libc::nanosleep(&nap, std::ptr::null_mut()) };
        // SAFETY: as above.
        after = unsafe { libc::getppid() };
        tries += 1;
    }
    // SAFETY: getpid cannot fail.
    let me = unsafe { libc::getpid() };
    let mut report = [0u8; 12];
    report[..4].copy_from_slice(&me.to_ne_bytes());
    report[4..8].copy_from_slice(&before.to_ne_bytes());
    report[8..].copy_from_slice(&after.to_ne_bytes());
    // SAFETY: 12 bytes, under PIPE_BUF: one write; then the grandchild ends.
    unsafe {
        libc::write(report_w.as_raw_fd(), report.as_ptr().cast(), report.len());
        libc::_exit(0)
    }
}
