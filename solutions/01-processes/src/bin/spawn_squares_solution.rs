//! The reference copy of the chapter's `spawn_squares` program (a binary
//! name of its own, so the two packages' programs do not collide in the
//! target dir): this program starts its workers by running itself again,
//! with `WORKER_ARG`, and squares ten numbers in them.

use processes::start_methods::{SpawnPool, WORKER_ARG, serve_if_worker};

/// Set for the workers, so that one started without `WORKER_ARG` does not
/// start a pool of its own, and so on for ever.
const GUARD: &str = "FORKLINGS_SPAWN_SQUARES_PARENT";

fn main() {
    serve_if_worker();
    if std::env::args().nth(1).as_deref() == Some(WORKER_ARG) {
        eprintln!("serve_if_worker returned in a worker: a worker must serve its stdin and exit");
        std::process::exit(3);
    }
    if std::env::var_os(GUARD).is_some() {
        eprintln!("a worker was started without {WORKER_ARG}: it would start workers of its own");
        std::process::exit(4);
    }
    // SAFETY: nothing else runs yet: no other thread reads the environment.
    unsafe { std::env::set_var(GUARD, "1") };
    let program = std::env::current_exe().expect("the path of this program");
    let mut pool = SpawnPool::start(&program, 2).expect("start two workers");
    let jobs: Vec<i64> = (1..=10).collect();
    let answers = pool.map(&jobs).expect("map");
    for answer in &answers {
        println!("{} {}", answer.job, answer.square);
    }
    let me = std::process::id();
    let mut workers: Vec<u32> = answers.iter().map(|a| a.worker).collect();
    workers.sort_unstable();
    workers.dedup();
    let others = workers.iter().filter(|&&w| w != me).count();
    println!(
        "answered by {} workers, {others} of them not this process",
        workers.len()
    );
    let codes = pool.close().expect("close");
    println!("exit codes {codes:?}");
}
