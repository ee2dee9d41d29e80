//! A right answer: written on `libc` rather than nix. The SIGCHLD pipe and
//! handler are set up by `std::sync::Once`, their fds kept in atomics; the
//! children are a `Vec` of PIDs, reaped at the top of every turn (before
//! `poll`, so a SIGCHLD that comes after the reap still wakes it) with
//! `libc::waitpid(pid, WNOHANG)` and the status macros.

use std::io;
use std::net::TcpListener;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::sync::Once;
use std::sync::atomic::{AtomicI32, Ordering};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

use crate::control::{Served, Stop, retry_accept, write_one_byte};
use crate::handler::handle;

static PIPE_READ: AtomicI32 = AtomicI32::new(-1);
static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);
static INSTALL: Once = Once::new();

extern "C" fn on_sigchld(_: libc::c_int) {
    write_one_byte(PIPE_WRITE.load(Ordering::Relaxed));
}

/// The read end of the SIGCHLD pipe, set up with its handler the first time.
fn sigchld_pipe() -> io::Result<RawFd> {
    let mut failure = None;
    INSTALL.call_once(|| {
        let mut fds = [-1; 2];
        // SAFETY: `fds` is a live array of two ints for pipe2 to fill.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) } != 0 {
            failure = Some(io::Error::last_os_error());
            return;
        }
        PIPE_WRITE.store(fds[1], Ordering::Relaxed);
        PIPE_READ.store(fds[0], Ordering::Relaxed);
        // SAFETY: an all-zero sigaction is a valid start; the handler only
        // writes one byte to a pipe (async-signal-safe).
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            let handler: extern "C" fn(libc::c_int) = on_sigchld;
            action.sa_sigaction = handler as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART | libc::SA_NOCLDSTOP;
            libc::sigemptyset(&mut action.sa_mask);
            if libc::sigaction(libc::SIGCHLD, &action, std::ptr::null_mut()) != 0 {
                failure = Some(io::Error::last_os_error());
            }
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    match PIPE_READ.load(Ordering::Relaxed) {
        -1 => Err(io::Error::other("no SIGCHLD pipe")),
        fd => Ok(fd),
    }
}

pub fn serve(listener: TcpListener, stop: &Stop) -> io::Result<Served> {
    let pipe_fd = sigchld_pipe()?;
    // SAFETY: the pipe's ends are never closed: they live in statics for
    // the rest of the process.
    let pipe = unsafe { BorrowedFd::borrow_raw(pipe_fd) };
    listener.set_nonblocking(true)?;
    let mut listening = Some(listener);
    let mut children: Vec<libc::pid_t> = Vec::new();
    let mut served = Served::default();
    loop {
        if listening.is_some() && stop.is_requested() {
            listening = None;
        }
        reap(&mut children, &mut served);
        if listening.is_none() && children.is_empty() {
            return Ok(served);
        }
        let mut fds = vec![PollFd::new(pipe, PollFlags::POLLIN)];
        if let Some(l) = &listening {
            fds.push(PollFd::new(l.as_fd(), PollFlags::POLLIN));
            fds.push(PollFd::new(stop.as_fd(), PollFlags::POLLIN));
        }
        match poll(&mut fds, PollTimeout::NONE) {
            Ok(_) | Err(Errno::EINTR) => {}
            Err(e) => return Err(e.into()),
        }
        let mut sink = [0u8; 32];
        // SAFETY: reads into a live local buffer of the length given.
        while unsafe { libc::read(pipe_fd, sink.as_mut_ptr().cast(), sink.len()) } > 0 {}
        let Some(l) = &listening else { continue };
        if stop.is_requested() {
            continue;
        }
        let stream = match l.accept() {
            Ok((stream, _)) => stream,
            Err(e) if retry_accept(&e) => continue,
            Err(e) => return Err(e),
        };
        // SAFETY: the child only makes system calls (close, read, write on a
        // stack buffer) and leaves with `_exit`.
        match unsafe { libc::fork() } {
            -1 => return Err(io::Error::last_os_error()),
            0 => unsafe {
                libc::close(l.as_raw_fd());
                let code = if handle(&stream).is_ok() { 0 } else { 1 };
                libc::_exit(code)
            },
            pid => {
                drop(stream);
                children.push(pid);
            }
        }
    }
}

fn reap(children: &mut Vec<libc::pid_t>, served: &mut Served) {
    let mut i = 0;
    while i < children.len() {
        let pid = children[i];
        let mut status = 0;
        // SAFETY: waits for a child of our own, without blocking; `status`
        // is a local.
        let got = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if got == pid {
            served.connections += 1;
            if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
                served.failed += 1;
            }
            children.swap_remove(i);
        } else if got == -1 && Errno::last() != Errno::EINTR {
            // Not ours any more: nothing to reap.
            children.swap_remove(i);
        } else {
            i += 1;
        }
    }
}
