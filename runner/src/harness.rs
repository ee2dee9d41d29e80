//! The runner's side of the course's test harness (`tests/support/harness/`):
//! what every chapter package must declare so that its graded binary carries
//! the harness, and the check `verify` makes of it.
//!
//! The harness wraps the graded binary's `main` and, under a supervisor,
//! reports a pass on a private descriptor with a per-run secret (see
//! `wrap_main.rs` there, and `verdict.rs` here for the supervisor's side).

use std::fs;

use crate::course::{Course, Flavor};

/// The `build = ...` line of every chapter package, skeleton and solution.
pub const BUILD_SCRIPT: &str = "../../tests/support/harness/build.rs";
/// The files of the harness, relative to the course root.
pub const FILES: [&str; 2] = [
    "tests/support/harness/build.rs",
    "tests/support/harness/wrap_main.rs",
];
/// The variable that names the two descriptors: `SECRET_FD,REPORT_FD`.
pub const VARIABLE: &str = "FORKLINGS_HARNESS";

/// Every chapter package (of those that exist) whose `Cargo.toml` does not
/// declare the harness's build script, and a harness file that is missing.
pub fn problems(course: &Course) -> Vec<String> {
    let mut problems = Vec::new();
    for file in FILES {
        if !course.root.join(file).is_file() {
            problems.push(format!(
                "{file} is missing: the graded binaries cannot report a pass"
            ));
        }
    }
    for chapter in &course.chapters {
        for flavor in [Flavor::Skeleton, Flavor::Solution] {
            let manifest = chapter.dir(&course.root, flavor).join("Cargo.toml");
            let Ok(text) = fs::read_to_string(&manifest) else {
                continue;
            };
            let build = text
                .parse::<toml::Table>()
                .ok()
                .and_then(|t| t.get("package")?.get("build")?.as_str().map(str::to_string));
            if build.as_deref() != Some(BUILD_SCRIPT) {
                problems.push(format!(
                    "{}: its [package] must say `build = \"{BUILD_SCRIPT}\"` (the course's test harness; without it no test of the chapter can pass)",
                    chapter.package(flavor)
                ));
            }
        }
    }
    problems
}
