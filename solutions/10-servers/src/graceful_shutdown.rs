//! Signals and a graceful shutdown: the reference solution. The statement
//! is in `chapters/10-servers/src/graceful_shutdown.rs`.

use std::io;
use std::net::TcpListener;
use std::sync::atomic::{AtomicI32, Ordering};

use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};

use crate::control::{Served, Stop, write_one_byte};
use crate::threaded_server;

/// Where the handler writes: the write end of the stop's pipe (-1 until the
/// server runs). A handler can reach nothing but statics.
static STOP_WRITE_END: AtomicI32 = AtomicI32::new(-1);

/// The whole handler: one `write` of one byte, errno kept. No lock, no
/// allocation, no printing: the interrupted thread may hold any of them.
extern "C" fn on_stop_signal(_: libc::c_int) {
    write_one_byte(STOP_WRITE_END.load(Ordering::Relaxed));
}

/// The server program: serves `listener` with a thread per connection
/// until SIGTERM or SIGINT, then stops accepting, lets the open connections
/// finish and returns the exit code, 0.
pub fn run(listener: TcpListener) -> i32 {
    match serve_until_signalled(listener) {
        Ok(_) => 0,
        Err(e) => {
            eprintln!("server failed: {e}");
            1
        }
    }
}

fn serve_until_signalled(listener: TcpListener) -> io::Result<Served> {
    // A write to a socket or pipe whose reader has gone raises SIGPIPE, and
    // its default action ends the process: one vanished client would stop
    // the server. Ignored, the write fails with EPIPE instead, an error the
    // connection's own code handles.
    // SAFETY: ignoring a signal installs no code.
    unsafe { nix::sys::signal::signal(Signal::SIGPIPE, SigHandler::SigIgn) }?;

    let stop = Stop::new()?;
    STOP_WRITE_END.store(stop.write_end(), Ordering::Relaxed);
    // SA_RESTART: the threads' blocking reads and writes carry on as if
    // nothing happened; the accept loop waits in poll, which the pipe wakes.
    let action = SigAction::new(
        SigHandler::Handler(on_stop_signal),
        SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    for signal in [Signal::SIGTERM, Signal::SIGINT] {
        // SAFETY: the handler only writes one byte to a pipe, saving errno.
        unsafe { sigaction(signal, &action) }?;
    }
    let served = threaded_server::serve(listener, &stop);
    // The pipe closes with `stop`: a later signal must not write to its
    // number, which a new file may have taken by then.
    STOP_WRITE_END.store(-1, Ordering::Relaxed);
    served
}
