//! The fd table: the reference solution. The statement is in
//! `chapters/02-pipes/src/fd_table.rs`.

use std::fs;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::process::Command;

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::wait::waitpid;
use nix::unistd::{ForkResult, Pid, fork, pipe, pipe2, read};

/// One open file descriptor and what it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FdEntry {
    pub fd: RawFd,
    /// The link's target: a path, `pipe:[inode]`, `socket:[inode]`...
    pub target: String,
}

/// This process's open fds, sorted by number.
pub fn list_fds() -> io::Result<Vec<FdEntry>> {
    list_in("/proc/self/fd")
}

/// The open fds of process `pid`, sorted by number.
pub fn list_fds_of(pid: Pid) -> io::Result<Vec<FdEntry>> {
    list_in(&format!("/proc/{pid}/fd"))
}

fn list_in(dir: &str) -> io::Result<Vec<FdEntry>> {
    // Names first, then links: by the time we read the links, the fd that
    // read the directory is closed, so it is not reported as one of ours.
    let names: Vec<String> = fs::read_dir(dir)?
        .map(|entry| entry.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<io::Result<_>>()?;
    let mut entries: Vec<FdEntry> = names
        .iter()
        .filter_map(|name| {
            let fd = name.parse().ok()?;
            // An fd closed since the listing (by another thread) is skipped.
            let target = fs::read_link(format!("{dir}/{name}")).ok()?;
            Some(FdEntry {
                fd,
                target: target.to_string_lossy().into_owned(),
            })
        })
        .collect();
    entries.sort_by_key(|e| e.fd);
    Ok(entries)
}

/// A new pipe, `(read, write)`, marked close-on-exec or not.
pub fn open_pipe(close_on_exec: bool) -> io::Result<(OwnedFd, OwnedFd)> {
    // pipe2 sets the flag in the same call: with pipe then fcntl, another
    // thread could fork and exec in between and leak the fds.
    let ends = if close_on_exec {
        pipe2(OFlag::O_CLOEXEC)?
    } else {
        pipe()?
    };
    Ok(ends)
}

/// Forks a child that waits; lists its fds from the parent, then lets it go.
pub fn fds_of_forked_child() -> io::Result<Vec<FdEntry>> {
    let (hold, release) = pipe()?;
    // SAFETY: the child only closes, reads and calls `_exit`.
    match unsafe { fork() }? {
        ForkResult::Child => {
            drop(release);
            // Blocks until the parent closes `release`: end of file.
            let mut byte = [0u8; 1];
            while let Err(Errno::EINTR) = read(&hold, &mut byte) {}
            // SAFETY: `_exit` ends the process at once.
            unsafe { libc::_exit(0) }
        }
        ForkResult::Parent { child } => {
            drop(hold);
            let listed = list_fds_of(child);
            // Let the child go and reap it, whatever the listing said.
            drop(release);
            loop {
                match waitpid(child, None) {
                    Err(Errno::EINTR) => continue,
                    Err(e) => return Err(e.into()),
                    Ok(_) => break,
                }
            }
            listed
        }
    }
}

/// Whether a program started with `exec` now would still have `fd` open.
pub fn visible_after_exec(fd: BorrowedFd) -> io::Result<bool> {
    // `$$` is the shell's own PID: the shell is the program after exec.
    let script = format!("[ -e /proc/$$/fd/{} ]", fd.as_raw_fd());
    let status = Command::new("/bin/sh").arg("-c").arg(script).status()?;
    Ok(status.success())
}

/// One line per entry: `3 -> pipe:[4242]`.
pub fn render(entries: &[FdEntry]) -> String {
    entries
        .iter()
        .map(|e| format!("{} -> {}\n", e.fd, e.target))
        .collect()
}
