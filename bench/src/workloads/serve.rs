//! The tutorial's upper-casing server under one load: C clients at once,
//! M lines each, every answer checked and every round trip timed, by the
//! course's own load generator. The five servers of chapter 10, tokio's
//! multi-threaded runtime (the floor), and Python's socketserver servers,
//! a thread pool and asyncio.
//!
//! Each server runs in a process of its own (forked before the leg starts
//! a thread; Python's started as a program): the clients' threads and the
//! server's share the machine, as they would on one host, but nothing else.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;
use servers::control::{Served, Stop};
use servers::load_generator::{self, LoadReport};

use crate::harness::python_dir;
use crate::model::{Latency, Leg, LegTarget, Sample, Size, Target, Workload};
use crate::sys;
use crate::workloads::spawn::pick;

/// Workers of the pools (the course's and Python's).
const POOL: usize = 4;

pub fn workload() -> Workload {
    let versus = |than, factor| LegTarget::Versus { than, factor };
    Workload {
        id: "serve",
        title: "the upper-casing TCP server: C clients at once, M lines each",
        unit: "request",
        // The event loop against tokio; each Rust server also against its
        // Python counterpart (the legs' own targets).
        target: Target::Ratio { max: 1.5 },
        size: size_of,
        python_size: size_of,
        expect: |size| size.n,
        legs: vec![
            Leg::reference("serial", "course serial_server", serial_leg)
                .with_targets(vec![versus("py-serial", 5.0)]),
            Leg::reference("forking", "course forking_server", forking_leg)
                .with_targets(vec![versus("py-forking", 5.0)]),
            Leg::reference("threaded", "course threaded_server", threaded_leg)
                .with_targets(vec![versus("py-threading", 5.0)]),
            Leg::reference("pooled", "course pooled_server, 4 workers", pooled_leg)
                .with_targets(vec![versus("py-pool", 5.0)]),
            Leg::reference("event-loop", "course event_loop", event_loop_leg)
                .with_targets(vec![LegTarget::Workload, versus("py-asyncio", 5.0)]),
            Leg::floor("tokio", "tokio multi-threaded runtime", tokio_floor),
            Leg::python_server("py-serial", "socketserver.TCPServer", py_serial),
            Leg::python_server("py-forking", "socketserver.ForkingTCPServer", py_forking),
            Leg::python_server(
                "py-threading",
                "socketserver.ThreadingTCPServer",
                py_threading,
            ),
            Leg::python_server("py-pool", "ThreadPoolExecutor(4) per connection", py_pool),
            Leg::python_server("py-asyncio", "asyncio.start_server", py_asyncio),
        ],
    }
}

/// `n` requests in all, from `workers` clients (connections) at once.
/// ForkingTCPServer stops accepting at 40 children: 32 clients stay below.
fn size_of(profile: crate::model::Profile) -> Size {
    Size {
        n: pick(profile, 4_000, 16_000),
        workers: pick(profile, 16, 32),
    }
}

/// Loads the server at `addr` and turns the load generator's report into
/// the leg's sample, printing the latency line first (see `model::Latency`).
fn load(addr: SocketAddr, size: Size) -> Result<Sample, String> {
    let clients = size.workers.max(1) as usize;
    let messages = (size.n as usize).div_ceil(clients);
    let start = Instant::now();
    let report: LoadReport =
        load_generator::run(addr, clients, messages).map_err(|e| format!("load: {e:?}"))?;
    let elapsed_s = start.elapsed().as_secs_f64();
    let all = report.all();
    let seconds =
        |p| load_generator::percentile(&all, p).map_or(0.0, |d: Duration| d.as_secs_f64());
    let latency = Latency {
        p50_s: seconds(50.0),
        p99_s: seconds(99.0),
    };
    println!("{}", serde_json::json!({ "latency": latency }));
    // Every answer was checked: a wrong one is an error above. `check` is
    // the number of requests answered, and `n` is what the answer key wants.
    let answered = report.requests() as u64;
    Ok(Sample {
        elapsed_s,
        ops: answered,
        check: answered.min(size.n),
    })
}

/// A listener on 127.0.0.1 with room for every client of the run.
fn listener() -> Result<TcpListener, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    nix::sys::socket::listen(
        &listener,
        nix::sys::socket::Backlog::new(1024).map_err(|e| e.to_string())?,
    )
    .map_err(|e| format!("listen: {e}"))?;
    Ok(listener)
}

/// Forks a child that serves `listener` with `serve` until it is killed,
/// loads it, then kills it.
fn course_server(
    size: Size,
    serve: fn(TcpListener, &Stop) -> std::io::Result<Served>,
) -> Result<Sample, String> {
    let listener = listener()?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    // The leg's process has one thread here: the load generator's threads
    // of an earlier run have all been joined.
    // The closure owns the listener: the child serves it, and the parent's
    // copy closes when `spawn_child` drops the closure it did not run.
    let child = sys::spawn_child(move || {
        let Ok(stop) = Stop::new() else { return 1 };
        match serve(listener, &stop) {
            Ok(_) => 0,
            Err(_) => 1,
        }
    })?;
    let sample = load(addr, size);
    let _ = kill(child, Signal::SIGKILL);
    let _ = sys::wait_code(child);
    sample
}

fn serial_leg(size: Size) -> Result<Sample, String> {
    course_server(size, servers::serial_server::serve)
}

fn forking_leg(size: Size) -> Result<Sample, String> {
    course_server(size, servers::forking_server::serve)
}

fn threaded_leg(size: Size) -> Result<Sample, String> {
    course_server(size, servers::threaded_server::serve)
}

fn pooled_leg(size: Size) -> Result<Sample, String> {
    course_server(size, |listener, stop| {
        servers::pooled_server::serve(listener, stop, POOL)
    })
}

fn event_loop_leg(size: Size) -> Result<Sample, String> {
    course_server(size, servers::event_loop::serve)
}

/// tokio's multi-threaded runtime, a task per connection, the same
/// protocol: what a production server in Rust is built on.
fn tokio_floor(size: Size) -> Result<Sample, String> {
    let listener = listener()?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let child = sys::spawn_child(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_multi_thread()
            .enable_io()
            .build()
        else {
            return 1;
        };
        runtime.block_on(tokio_serve(listener));
        0
    })?;
    let sample = load(addr, size);
    let _ = kill(child, Signal::SIGKILL);
    let _ = sys::wait_code(child);
    sample
}

async fn tokio_serve(listener: TcpListener) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(()) = listener.set_nonblocking(true) else {
        return;
    };
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    while let Ok((mut stream, _)) = listener.accept().await {
        tokio::spawn(async move {
            let mut buf = [0u8; 1024];
            while let Ok(n) = stream.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                buf[..n].make_ascii_uppercase();
                if stream.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
        });
    }
}

/// Starts `python3 bench/python/serve.py --kind KIND`, reads the port it
/// prints, loads it, then ends its process group.
fn python_server(kind: &str, size: Size) -> Result<Sample, String> {
    let python = std::env::var_os("FORKLINGS_BENCH_PYTHON").unwrap_or_else(|| "python3".into());
    let mut child = Command::new(python)
        .arg(python_dir().join("serve.py"))
        .args(["--kind", kind, "--workers", &POOL.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start Python: {e}"))?;
    let group = Pid::from_raw(child.id() as i32);
    let mut line = String::new();
    let port = BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut line)
        .ok()
        .and_then(|_| line.trim().parse::<u16>().ok());
    let sample = match port {
        Some(port) => load(SocketAddr::from(([127, 0, 0, 1], port)), size),
        None => Err(format!("the Python server said {line:?}, not its port")),
    };
    let _ = killpg(group, Signal::SIGKILL);
    let _ = child.wait();
    sample
}

fn py_serial(size: Size) -> Result<Sample, String> {
    python_server("serial", size)
}

fn py_forking(size: Size) -> Result<Sample, String> {
    python_server("forking", size)
}

fn py_threading(size: Size) -> Result<Sample, String> {
    python_server("threading", size)
}

fn py_pool(size: Size) -> Result<Sample, String> {
    python_server("pool", size)
}

fn py_asyncio(size: Size) -> Result<Sample, String> {
    python_server("asyncio", size)
}
