//! `cargo course`: the forklings grading runner. Everything is in the
//! library (`src/lib.rs`); this only runs its command line.

fn main() -> std::process::ExitCode {
    forklings_runner::cli::main()
}
