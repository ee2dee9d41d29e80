//! Graded tests of chapter 10, servers. One module per exercise; the same
//! source is compiled against the skeleton and against the solution.
//!
//! Every server under test runs in a process of its own: this test binary
//! started again with [`server_process::MODE`] in its environment. A hook
//! that runs before `main` (see [`server_process::run_if_asked`]) sees the
//! variable and becomes that server, while the process is still a single
//! thread: signals, `fork` and `/proc` then concern that server alone, not
//! the tests that libtest runs beside it on other threads.

mod event_loop;
mod forking_server;
mod graceful_shutdown;
mod handler;
mod load_generator;
mod pooled_server;
mod serial_server;
mod threaded_server;

/// Not exercises: a client that checks every answer, the server process
/// and what `/proc` says about it, and a scripted server for the load
/// generator's tests.
mod client;
mod server_process;
mod test_server;

/// Runs before `main` in every start of this binary. Only a start with
/// [`server_process::MODE`] set does anything: it serves, and exits.
#[used]
#[unsafe(link_section = ".init_array")]
static BECOME_A_SERVER_IF_ASKED: extern "C" fn() = server_process::run_if_asked;
