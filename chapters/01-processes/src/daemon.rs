//! # Exercise: daemonize
//!
//! A daemon is a process that runs on its own, cut off from whoever started
//! it: no terminal, no session of the user's, no folder kept busy, no
//! inherited files. Python programs do it with the classic double fork:
//!
//! ```python
//! if os.fork() > 0:
//!     os.waitpid(...); return          # the caller goes on
//! os.setsid()                          # a new session, no terminal
//! if os.fork() > 0:
//!     os._exit(0)                      # the session leader goes away
//! os.chdir("/")
//! os.umask(0)
//! null = os.open(os.devnull, os.O_RDWR)
//! for fd in (0, 1, 2):
//!     os.dup2(null, fd)
//! os.closerange(3, MAXFD)
//! open(pid_file, "w").write(f"{os.getpid()}\n")
//! serve_forever()
//! ```
//!
//! Build [`daemonize`], the same steps:
//!
//! 1. Fork. The caller waits for (reaps) this first child and returns `Ok`
//!    if it exited with 0.
//! 2. The first child calls `setsid`: it leads a new session with no
//!    controlling terminal. Then it forks again and exits with 0.
//! 3. The grandchild is the daemon. It is not a session leader, so it can
//!    never get a controlling terminal back. It changes to `/`, sets its
//!    umask to 0, points fds 0, 1 and 2 at `/dev/null` and closes every
//!    other fd it inherited (`libc::close_range`).
//! 4. It blocks SIGTERM (so a stop request that comes early waits for
//!    [`wait_for_sigterm`] instead of killing a daemon half set up), writes
//!    its PID and a newline to the pid file — to `PATH.tmp` first, then
//!    renamed over `PATH`, so a reader never sees half a file — runs `work`
//!    and exits with the code it returns.
//!
//! Everything between `fork` and `_exit` must be safe in a child of a
//! program with threads: build the paths (`CString`s) *before* the first
//! fork, and format the PID into a stack buffer.
//!
//! [`wait_for_sigterm`] blocks until SIGTERM arrives (`SigSet::wait`).
//!
//! The tests start a daemon that waits for SIGTERM and then removes its pid
//! file. They find it through its pid file, and read `/proc`: a new session
//! that it does not lead, whose leader (the intermediate child) is reaped
//! and gone, no controlling terminal, not our child, cwd `/`, umask 0,
//! fds 0-2 all `/dev/null` (in a snapshot), and none of the fds it was
//! started with beyond those (one the daemon opens itself, a signalfd say,
//! is its own business). Then they send
//! SIGTERM and expect it gone, with its pid file.
//!
//! Stuck? `cargo course hint daemon`.

use std::io;
use std::path::Path;

/// Turns `work` into a daemon and returns in the caller once the
/// intermediate child has been reaped. The daemon writes its PID to
/// `pid_file` (atomically) before it runs `work`, then exits with the code
/// `work` returns. The daemon may not have written its pid file yet when
/// this returns: look for it.
pub fn daemonize<F: FnOnce() -> i32>(pid_file: &Path, work: F) -> io::Result<()> {
    todo!()
}

/// Blocks until this process receives SIGTERM, then returns: how a daemon's
/// `work` learns it should stop.
pub fn wait_for_sigterm() {
    todo!()
}
