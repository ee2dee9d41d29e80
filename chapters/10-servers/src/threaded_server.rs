//! # Exercise: a thread per connection
//!
//! Python's `socketserver.ThreadingTCPServer` serves every connection on a
//! thread of its own; by hand:
//!
//! ```python
//! while True:
//!     conn, _ = listener.accept()
//!     threading.Thread(target=handle, args=(conn,)).start()
//! ```
//!
//! A thread shares its process: the connection is not copied, so there is
//! no fd to close twice and no zombie to reap. A thread costs a stack (8 MiB
//! of address space, a few pages of memory really used) and the scheduler's
//! attention; a few hundred clients are no trouble, ten thousand are.
//!
//! Build [`serve`]:
//! - Take connections with [`accept_or_stop`](crate::control::accept_or_stop)
//!   and start a thread for each, which serves it with your
//!   [`handle`](crate::handler::handle).
//! - Keep the threads' `JoinHandle`s, and join the ones that have finished
//!   (`JoinHandle::is_finished`) as you go: the list must not grow with
//!   every client the server ever had. Each joined thread is one connection
//!   in [`Served`], and a failed one if `handle` returned an error.
//! - When the stop comes, drop the listener (from then on the kernel
//!   refuses new clients), join every thread still running (the open
//!   connections finish) and return what was served.
//!
//! The tests run your server in a process of their own: twenty clients are
//! served at once and the server has more than twenty threads while they
//! are connected, and one or two when they have gone; an idle client holds
//! up no one; a vanished client is one failed connection; a stop refuses
//! new clients, lets the open ones finish (asleep while they are idle: a
//! join blocks, a loop asking "finished yet?" spins), and only then
//! returns.
//!
//! Stuck? `cargo course hint threaded_server`.

use std::io;
use std::net::TcpListener;

use crate::control::{Served, Stop};

/// Serves every connection on a thread of its own until `stop` is
/// requested; then stops accepting, waits for every connection to end and
/// returns what it served.
pub fn serve(listener: TcpListener, stop: &Stop) -> io::Result<Served> {
    todo!()
}
