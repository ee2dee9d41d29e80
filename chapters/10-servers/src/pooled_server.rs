//! # Exercise: a bounded pool
//!
//! A thread per connection has no limit: ten thousand clients, ten
//! thousand threads. A pool starts a fixed number of workers up front and
//! hands them connections through a queue:
//!
//! ```python
//! with ThreadPoolExecutor(max_workers=4) as pool:
//!     while True:
//!         conn, _ = listener.accept()
//!         pool.submit(handle, conn)   # waits in the queue while all 4 are busy
//! ```
//!
//! The bound is the point and the price: memory and threads stay fixed
//! whatever comes, and a client beyond the pool waits until a worker is
//! free. (A *prefork* server is the same pool made of processes, each
//! calling `accept` on the listener they share; the book shows it.)
//!
//! Build [`serve`]:
//! - Start `workers` threads first. Each takes connections from a queue (a
//!   `crossbeam::channel`) and serves them with your
//!   [`handle`](crate::handler::handle), one after another, until the
//!   queue is closed and empty.
//! - The accept loop ([`accept_or_stop`](crate::control::accept_or_stop))
//!   puts every connection in the queue. A connection that finds every
//!   worker busy waits its turn, in the order it came; it is never
//!   dropped (so no `try_send` that throws it away when the queue is full).
//!   The queue itself has no bound: the pool is what bounds the work, and
//!   an accept loop waiting in `send` for room cannot see the stop.
//! - When the stop comes: drop the listener (new clients are refused),
//!   close the queue (drop its sender); the workers serve what is queued
//!   and end. Join them and return what they served.
//!
//! The tests run your server in a process of its own. With 3 workers, the
//! workers exist before the first client and are the same threads after
//! twelve clients; with 2, a third and a fourth client get no answer until
//! one of the first two leaves, and are then served in the order they
//! came; twelve waiting clients are all served in the end; a vanished
//! client frees its worker; with no client, every worker sleeps (blocked,
//! not asking the queue again and again); a stop refuses new clients and
//! lets the open ones finish, asleep while they are idle, and it does so
//! at once even when every worker is busy and clients wait their turn.
//!
//! Stuck? `cargo course hint pooled_server`.

use std::io;
use std::net::TcpListener;

use crate::control::{Served, Stop};

/// Serves connections with `workers` threads started up front. A connection
/// that finds every worker busy waits in the queue, in arrival order, until
/// one is free. When `stop` is requested: stops accepting, lets the workers
/// finish every connection already accepted, and returns what they served.
pub fn serve(listener: TcpListener, stop: &Stop, workers: usize) -> io::Result<Served> {
    todo!()
}
