//! A right `graceful_shutdown`, written differently: no handler at all. The
//! two signals are blocked in every thread (blocked before the first thread
//! starts, the mask is inherited) and a thread of its own waits for them.

use std::net::TcpListener;
use std::sync::Arc;
use std::thread;

use nix::sys::signal::{SigHandler, SigSet, Signal};

use crate::control::Stop;
use crate::threaded_server;

/// The server program: serves `listener` with a thread per connection
/// until SIGTERM or SIGINT, then stops accepting, lets the open connections
/// finish and returns the exit code, 0.
pub fn run(listener: TcpListener) -> i32 {
    // SAFETY: ignoring a signal installs no code.
    if unsafe { nix::sys::signal::signal(Signal::SIGPIPE, SigHandler::SigIgn) }.is_err() {
        return 1;
    }
    let mut signals = SigSet::empty();
    signals.add(Signal::SIGTERM);
    signals.add(Signal::SIGINT);
    if signals.thread_block().is_err() {
        return 1;
    }
    let Ok(stop) = Stop::new() else { return 1 };
    let stop = Arc::new(stop);
    let for_waiter = Arc::clone(&stop);
    thread::spawn(move || {
        loop {
            if signals.wait().is_ok() {
                for_waiter.request();
            }
        }
    });
    match threaded_server::serve(listener, &stop) {
        Ok(_) => 0,
        Err(_) => 1,
    }
}
