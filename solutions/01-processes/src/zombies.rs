//! Zombies and orphans: the reference solution. The statement is in
//! `chapters/01-processes/src/zombies.rs`.

use std::fs::File;
use std::io::Read;
use std::os::fd::{AsRawFd, OwnedFd};

use nix::unistd::{ForkResult, Pid, fork, getpid, getppid, pipe};

use crate::fork_wait::{ChildExit, wait_for};

/// Forks one child per code; each exits at once with its code. Nobody waits
/// for them here: until someone does, each is a zombie.
pub fn spawn_exiting(codes: &[i32]) -> nix::Result<Vec<Pid>> {
    let mut children = Vec::with_capacity(codes.len());
    for &code in codes {
        // SAFETY: the child only calls `_exit`.
        match unsafe { fork() }? {
            ForkResult::Child => unsafe { libc::_exit(code) },
            ForkResult::Parent { child } => children.push(child),
        }
    }
    Ok(children)
}

/// Reaps exactly these children, in this order, and says how each ended.
pub fn reap_all(children: &[Pid]) -> nix::Result<Vec<ChildExit>> {
    // One waitpid per PID: `wait()` would reap whichever child ended first,
    // including children that other code in this process is waiting for.
    children.iter().map(|&child| wait_for(child)).collect()
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

/// Forks a child that forks a grandchild and exits; the grandchild reports,
/// through a pipe, its parent before and after the child's exit.
pub fn orphan_adoption() -> nix::Result<Adoption> {
    let (report_r, report_w) = pipe()?;
    // SAFETY: the child and grandchild make only system calls and `_exit`.
    match unsafe { fork() }? {
        ForkResult::Child => {
            drop(report_r);
            child_side(report_w)
        }
        ForkResult::Parent { child } => {
            // Our copy of the write end must go, or a grandchild that died
            // without writing would leave us reading forever.
            drop(report_w);
            let exit = wait_for(child)?;
            if exit != ChildExit::Exited(0) {
                return Err(nix::errno::Errno::ECHILD);
            }
            let mut report = [0u8; 12];
            File::from(report_r)
                .read_exact(&mut report)
                .map_err(|_| nix::errno::Errno::EPIPE)?;
            let field = |i: usize| {
                let bytes: [u8; 4] = report[4 * i..4 * i + 4].try_into().expect("4 bytes");
                Pid::from_raw(i32::from_ne_bytes(bytes))
            };
            Ok(Adoption {
                child,
                grandchild: field(0),
                parent_before: field(1),
                parent_after: field(2),
            })
        }
    }
}

/// The child: fork the grandchild, wait until it has seen us as its parent,
/// then exit and leave it an orphan.
fn child_side(report_w: OwnedFd) -> ! {
    let Ok((ready_r, ready_w)) = pipe() else {
        // SAFETY: ends the child at once.
        unsafe { libc::_exit(1) }
    };
    match unsafe { fork() } {
        Ok(ForkResult::Child) => {
            drop(ready_r);
            grandchild_side(report_w, ready_w)
        }
        Ok(ForkResult::Parent { .. }) => {
            drop(ready_w);
            let mut byte = 0u8;
            // SAFETY: a read into a byte we own.
            unsafe { libc::read(ready_r.as_raw_fd(), (&raw mut byte).cast(), 1) };
            unsafe { libc::_exit(0) }
        }
        Err(_) => unsafe { libc::_exit(1) },
    }
}

fn grandchild_side(report_w: OwnedFd, ready_w: OwnedFd) -> ! {
    let before = getppid();
    // SAFETY: a one-byte write, then the fd is closed.
    unsafe { libc::write(ready_w.as_raw_fd(), b"!".as_ptr().cast(), 1) };
    drop(ready_w);
    // Our parent exits now; the kernel gives us a new one. Poll for it,
    // giving up after about ten seconds.
    let mut after = getppid();
    for _ in 0..10_000 {
        if after != before {
            break;
        }
        let nap = libc::timespec {
            tv_sec: 0,
            tv_nsec: 1_000_000,
        };
        // SAFETY: nanosleep is async-signal-safe.
        unsafe { libc::nanosleep(&nap, std::ptr::null_mut()) };
        after = getppid();
    }
    let mut report = [0u8; 12];
    for (i, pid) in [getpid(), before, after].iter().enumerate() {
        report[4 * i..4 * i + 4].copy_from_slice(&pid.as_raw().to_ne_bytes());
    }
    // SAFETY: 12 bytes, less than PIPE_BUF: one atomic write.
    unsafe {
        libc::write(report_w.as_raw_fd(), report.as_ptr().cast(), report.len());
        libc::_exit(0)
    }
}
