//! `cargo course bench`: the benchmarks live in their own package
//! (`bench/`), built in release mode; this only starts it from the course
//! root, so it is reached like every other command.

use std::process::Command;

use super::{CmdResult, Ctx};

pub fn run(ctx: &Ctx, args: &[String]) -> CmdResult {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
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
