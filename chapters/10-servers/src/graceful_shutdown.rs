//! # Exercise: signals and a graceful shutdown
//!
//! A server is stopped by a signal: SIGTERM from a service manager or
//! `kill`, SIGINT from Ctrl-C. Stopping *gracefully* means: accept no new
//! client, answer the requests in flight, let the open connections finish,
//! exit 0. In Python:
//!
//! ```python
//! server = socketserver.ThreadingTCPServer(("127.0.0.1", port), Handler)
//! server.block_on_close = True       # server_close() joins the handlers
//!
//! def on_signal(signum, frame):
//!     # shutdown() waits until serve_forever() returns, and serve_forever()
//!     # runs in this very thread: ask from another one.
//!     threading.Thread(target=server.shutdown).start()
//!
//! signal.signal(signal.SIGTERM, on_signal)
//! signal.signal(signal.SIGINT, on_signal)
//! server.serve_forever()             # returns once shutdown() is done
//! server.server_close()              # closes the listener, joins handlers
//! sys.exit(0)
//! ```
//!
//! Python runs its handlers between two bytecodes of the main thread. A C
//! or Rust handler runs *anywhere*: in the middle of `malloc`, or while its
//! thread holds the stdout lock. So it may call only async-signal-safe
//! functions (`write`, `_exit`, a few dozen more) and touch only atomics:
//! no allocation, no lock, no `println!`.
//!
//! Build [`run`], the `main` of the server program:
//! 1. Ignore SIGPIPE. Its default action ends the process, and a `write`
//!    to a socket or pipe whose reader has gone raises it: one vanished
//!    client would end the server. Ignored, the write fails with `EPIPE`, a
//!    plain error for that connection alone. (Python ignores it at start-up
//!    too, and raises `BrokenPipeError` instead.)
//! 2. Make a [`Stop`](crate::control::Stop) and have SIGTERM and SIGINT
//!    request it, in one of two ways:
//!    - the self-pipe trick: keep the stop's
//!      [`write_end`](crate::control::Stop::write_end) in a static
//!      `AtomicI32` and install, with `sigaction` and `SA_RESTART`, a
//!      handler that does nothing but
//!      [`write_one_byte`](crate::control::write_one_byte) to it;
//!    - or block both signals (`SigSet::thread_block`) *before* any thread
//!      starts (threads inherit the mask) and let a thread of yours wait
//!      for them (`SigSet::wait`, or a `signalfd`) and request the stop.
//!      `run` is called while the process has a single thread.
//! 3. Serve with your [`threaded_server`](crate::threaded_server): it stops
//!    accepting when the stop comes, and returns once the open connections
//!    have finished.
//! 4. Return 0, or 1 if serving failed.
//!
//! The tests run `run` in a fresh process, as a program's `main`, with
//! SIGPIPE at its default. They wait until it catches (or blocks) SIGTERM
//! and SIGINT, then check that each of them stops it gracefully: new
//! clients refused, the request in flight answered, the open client served
//! to its end (the server asleep while it idles), exit code 0. SIGPIPE must be ignored; clients that vanish
//! are errors, not the end; signals that come again during the stop change
//! nothing.
//!
//! Stuck? `cargo course hint graceful_shutdown`.

use std::net::TcpListener;

/// The server program: serves `listener` with a thread per connection
/// until SIGTERM or SIGINT, then stops accepting, lets the open connections
/// finish and returns the exit code, 0.
pub fn run(listener: TcpListener) -> i32 {
    todo!()
}
