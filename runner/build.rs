//! Says, once, that the runner is being built. `cargo course` is an alias of
//! `cargo run --quiet`, so the first run from a fresh clone would otherwise
//! show nothing for the minute the runner takes to build. Cargo hides what a
//! build script prints, so the words go to the terminal itself, when there
//! is one (never into a pipe or a CI log). This script has no dependencies:
//! it is built and run at the start of that first build, beside the
//! runner's dependencies.

use std::io::Write;

fn main() {
    // Run once per target dir, not on every change to the runner.
    println!("cargo::rerun-if-changed=build.rs");
    if let Ok(mut tty) = std::fs::OpenOptions::new().write(true).open("/dev/tty") {
        let _ = writeln!(
            tty,
            "cargo course: building the course's runner, once (about a minute) ..."
        );
    }
}
