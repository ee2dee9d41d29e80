//! `cargo course bench`: the benchmarks live in their own package
//! (`bench/`), built in release mode; this only starts it from the course
//! root, so it is reached like every other command. With `--mine` it first
//! builds `forklings-bench-mine`, the same legs against the student's
//! chapter crates, which the benchmarks run beside the reference.

use std::process::Command;

use super::{CmdResult, Ctx};

pub fn run(ctx: &Ctx, args: &[String]) -> CmdResult {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    if args.iter().any(|arg| arg == "--mine") {
        println!("building the benchmarks against your chapter crates (chapters/)...");
        let built = Command::new(&cargo)
            .current_dir(&ctx.course.root)
            .args([
                "build",
                "--quiet",
                "--release",
                "--package",
                "forklings-bench-mine",
            ])
            .status()
            .map_err(|e| format!("could not start cargo for the benchmarks: {e}"))?;
        if !built.success() {
            eprintln!(
                "your chapter crates do not build (see cargo's errors above): \
                 `cargo course bench --mine` needs every chapter the benchmarks use \
                 (1, 2, 4, 5, 6, 9, 10) to compile, done or not"
            );
            return Ok(built.code().map_or(1, |code| code.clamp(1, 255) as u8));
        }
    }
    let status = Command::new(cargo)
        .current_dir(&ctx.course.root)
        .args([
            "run",
            "--quiet",
            "--release",
            "--package",
            "forklings-bench",
            "--",
        ])
        .args(args)
        .status()
        .map_err(|e| format!("could not start cargo for the benchmarks: {e}"))?;
    Ok(status.code().map_or(1, |code| code.clamp(0, 255) as u8))
}
