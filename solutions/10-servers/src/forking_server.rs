//! A process per connection: the reference solution. The statement is in
//! `chapters/10-servers/src/forking_server.rs`.

use std::collections::HashSet;
use std::io;
use std::net::TcpListener;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicI32, Ordering};

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork, pipe2, read};

use crate::control::{Served, Stop, retry_accept, write_one_byte};
use crate::handler::handle;

/// The write end of the SIGCHLD pipe, for the handler (which can use
/// nothing but a number it finds in a static).
static SIGCHLD_WRITE_END: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_sigchld(_: libc::c_int) {
    write_one_byte(SIGCHLD_WRITE_END.load(Ordering::Relaxed));
}

/// The read end of the process's one SIGCHLD pipe, readable after a child
/// ended. A handler is process-wide: it is installed once, with one pipe,
/// and never taken down, so every server in the process hears every
/// SIGCHLD and each then reaps only its own children.
fn sigchld_pipe() -> io::Result<BorrowedFd<'static>> {
    static PIPE: OnceLock<(OwnedFd, OwnedFd)> = OnceLock::new();
    if let Some((read_end, _)) = PIPE.get() {
        return Ok(read_end.as_fd());
    }
    let ends = pipe2(OFlag::O_CLOEXEC | OFlag::O_NONBLOCK)?;
    let (read_end, write_end) = PIPE.get_or_init(|| ends);
    SIGCHLD_WRITE_END.store(write_end.as_raw_fd(), Ordering::Relaxed);
    // SA_RESTART: the rest of the process need not expect EINTR from every
    // blocking call; poll is never restarted, and the pipe wakes it anyway.
    // SA_NOCLDSTOP: a stopped child is not an ended one.
    let action = SigAction::new(
        SigHandler::Handler(on_sigchld),
        SaFlags::SA_RESTART | SaFlags::SA_NOCLDSTOP,
        SigSet::empty(),
    );
    // SAFETY: the handler only writes one byte to a pipe, saving errno:
    // async-signal-safe.
    unsafe { sigaction(Signal::SIGCHLD, &action) }?;
    Ok(read_end.as_fd())
}

/// Serves every connection in a child process of its own until `stop` is
/// requested; then stops accepting, waits for every child and returns what
/// they served (a child that exits with 0 served its client to the end).
pub fn serve(listener: TcpListener, stop: &Stop) -> io::Result<Served> {
    let children_ended = sigchld_pipe()?;
    listener.set_nonblocking(true)?;
    let mut listener = Some(listener);
    let mut children: HashSet<Pid> = HashSet::new();
    let mut served = Served::default();
    loop {
        if listener.is_some() && stop.is_requested() {
            // Closing it makes the kernel refuse new clients at once.
            listener = None;
        }
        if listener.is_none() && children.is_empty() {
            return Ok(served);
        }
        let mut fds = vec![PollFd::new(children_ended, PollFlags::POLLIN)];
        // Once stopped, only ended children matter (the stop stays readable
        // for good: waiting on it then would spin).
        if let Some(listener) = &listener {
            fds.push(PollFd::new(listener.as_fd(), PollFlags::POLLIN));
            fds.push(PollFd::new(stop.as_fd(), PollFlags::POLLIN));
        }
        match poll(&mut fds, PollTimeout::NONE) {
            Ok(_) | Err(Errno::EINTR) => {}
            Err(e) => return Err(e.into()),
        }
        drain(children_ended);
        reap(&mut children, &mut served);
        if let Some(listener) = listener.as_ref().filter(|_| !stop.is_requested()) {
            accept_one(listener, &mut children)?;
        }
    }
}

/// Accepts a waiting connection, if there is one, and forks its server.
fn accept_one(listener: &TcpListener, children: &mut HashSet<Pid>) -> io::Result<()> {
    let stream = match listener.accept() {
        Ok((stream, _)) => stream,
        Err(e) if retry_accept(&e) => return Ok(()),
        Err(e) => return Err(e),
    };
    // SAFETY: the child only makes system calls (`close`, then `read` and
    // `write` on a stack buffer in `handle`) and leaves with `_exit`: it
    // takes no lock and allocates nothing, which is what a child of a
    // threaded process may do.
    match unsafe { fork() }? {
        ForkResult::Child => {
            // SAFETY: the child's copy of the listener is closed and never
            // used again (the child leaves through `_exit`, which runs no
            // destructor): only the parent accepts.
            unsafe { libc::close(listener.as_raw_fd()) };
            let code = if handle(&stream).is_ok() { 0 } else { 1 };
            // SAFETY: ends the child without running the parent's
            // destructors or atexit handlers.
            unsafe { libc::_exit(code) }
        }
        ForkResult::Parent { child } => {
            // The parent's copy of the connection closes here (`stream` is
            // dropped): only the child's copy keeps the client connected.
            drop(stream);
            children.insert(child);
            Ok(())
        }
    }
}

/// Empties the SIGCHLD pipe: one byte or many, they all mean "look again".
fn drain(pipe: BorrowedFd) {
    let mut buf = [0u8; 64];
    while matches!(read(pipe, &mut buf), Ok(n) if n > 0) {}
}

/// Reaps every child of ours that has ended, without waiting for the rest.
/// Only our own PIDs: `waitpid(-1)` would steal the statuses of children
/// that other code in this process is waiting for.
fn reap(children: &mut HashSet<Pid>, served: &mut Served) {
    children.retain(|&child| match waitpid(child, Some(WaitPidFlag::WNOHANG)) {
        Ok(WaitStatus::StillAlive) => true,
        Ok(WaitStatus::Exited(_, code)) => {
            served.connections += 1;
            served.failed += u64::from(code != 0);
            false
        }
        Ok(WaitStatus::Signaled(..)) => {
            served.connections += 1;
            served.failed += 1;
            false
        }
        // Stopped or continued: still ours, still to reap.
        Ok(_) | Err(Errno::EINTR) => true,
        // Not our child any more (ECHILD): nothing left to reap.
        Err(_) => false,
    });
}
