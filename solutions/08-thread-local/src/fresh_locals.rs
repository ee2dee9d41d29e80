//! Fresh thread-locals, and thread-locals across fork: the reference
//! solution. The statement is in `chapters/08-thread-local/src/fresh_locals.rs`.

use std::cell::Cell;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::mpsc;
use std::thread;

use nix::errno::Errno;
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork, pipe, read};

thread_local! {
    // A const initializer and no destructor: reading it needs no allocation
    // and no lock, so a forked child may read it too.
    static VISITS: Cell<u32> = const { Cell::new(0) };
}

/// Counts one more visit on this thread; returns this thread's new count.
pub fn visit() -> u32 {
    let n = VISITS.get() + 1;
    VISITS.set(n);
    n
}

/// This thread's visits so far.
pub fn visits() -> u32 {
    VISITS.get()
}

/// The visits a brand-new thread sees before it visits at all.
pub fn visits_in_new_thread() -> u32 {
    thread::spawn(visits)
        .join()
        .expect("the new thread panicked")
}

/// The number of threads of this process: the entries of `/proc/self/task`,
/// counted with system calls only, so a forked child may call it.
pub fn count_threads() -> usize {
    // SAFETY: a NUL-terminated path; the fd is closed below.
    let fd = unsafe {
        libc::open(
            c"/proc/self/task".as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
        )
    };
    if fd < 0 {
        return 0;
    }
    // No allocation: after fork, malloc's lock may be held by a thread that
    // no longer exists. A stack buffer and raw getdents64 calls instead.
    let mut buf = [0u8; 4096];
    let mut count = 0;
    loop {
        // SAFETY: the buffer is writable for its whole length.
        let n = unsafe {
            libc::syscall(
                libc::SYS_getdents64,
                fd,
                buf.as_mut_ptr(),
                buf.len() as libc::c_uint,
            )
        };
        if n <= 0 {
            break;
        }
        let mut at = 0;
        while at < n as usize {
            // struct linux_dirent64: u64 ino, i64 off, u16 reclen, u8 type,
            // then the NUL-terminated name.
            let reclen = u16::from_ne_bytes([buf[at + 16], buf[at + 17]]) as usize;
            let name = &buf[at + 19..at + reclen];
            if name[0] != b'.' {
                count += 1;
            }
            at += reclen;
        }
    }
    // SAFETY: our own fd, closed once.
    unsafe { libc::close(fd) };
    count
}

/// What a forked child saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForkReport {
    /// The child's PID (already reaped).
    pub child: Pid,
    /// Threads of this process just before the fork.
    pub threads_before: usize,
    /// Threads of the child.
    pub threads_in_child: usize,
    /// The visits the child read from its copy of the forking thread's
    /// thread-local.
    pub visits_in_child: u32,
}

/// Starts a helper thread that visits `helper_visits` times and stays
/// alive, then forks; the child counts its threads and reads its visits.
pub fn fork_and_report(helper_visits: u32) -> nix::Result<ForkReport> {
    let (ready_tx, ready_rx) = mpsc::channel();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let helper = thread::spawn(move || {
        for _ in 0..helper_visits {
            visit();
        }
        let _ = ready_tx.send(());
        // Alive until the fork is over.
        let _ = done_rx.recv();
    });
    let _ = ready_rx.recv();
    let threads_before = count_threads();
    let result = fork_child();
    drop(done_tx);
    helper.join().expect("the helper thread panicked");
    let (child, threads_in_child, visits_in_child) = result?;
    Ok(ForkReport {
        child,
        threads_before,
        threads_in_child,
        visits_in_child,
    })
}

fn fork_child() -> nix::Result<(Pid, usize, u32)> {
    let (read_end, write_end): (OwnedFd, OwnedFd) = pipe()?;
    // SAFETY: the child calls only async-signal-safe functions (open,
    // getdents64, close, write, _exit) and reads a const thread-local.
    match unsafe { fork() }? {
        ForkResult::Child => {
            let mut message = [0u8; 8];
            message[..4].copy_from_slice(&(count_threads() as u32).to_ne_bytes());
            message[4..].copy_from_slice(&visits().to_ne_bytes());
            // SAFETY: writes 8 bytes from a stack buffer, then leaves at once.
            unsafe {
                libc::write(write_end.as_raw_fd(), message.as_ptr().cast(), 8);
                libc::_exit(0)
            }
        }
        ForkResult::Parent { child } => {
            // Our copy of the write end must close, or read never sees EOF.
            drop(write_end);
            let mut message = [0u8; 8];
            let mut got = 0;
            while got < message.len() {
                match read(&read_end, &mut message[got..]) {
                    Ok(0) => break,
                    Ok(n) => got += n,
                    Err(Errno::EINTR) => continue,
                    Err(e) => return Err(e),
                }
            }
            loop {
                match waitpid(child, None) {
                    Ok(WaitStatus::Exited(..) | WaitStatus::Signaled(..)) => break,
                    Ok(_) | Err(Errno::EINTR) => continue,
                    Err(e) => return Err(e),
                }
            }
            if got < message.len() {
                return Err(Errno::EPIPE);
            }
            let threads = u32::from_ne_bytes(message[..4].try_into().expect("4 bytes"));
            let visits = u32::from_ne_bytes(message[4..].try_into().expect("4 bytes"));
            Ok((child, threads as usize, visits))
        }
    }
}
