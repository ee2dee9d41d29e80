//! Not an exercise: runs a test body in a process of its own, so that a
//! count of threads, or of the CPU time all threads used, sees only what
//! that body and the code under test did, even when `cargo test` runs the
//! other tests at the same time.

use std::env;
use std::process::Command;

/// Set, to the test's name, in the copy of the test binary that runs it.
const ALONE: &str = "FORKLINGS_TEST_ALONE";

/// Runs `body` in a fresh copy of this test binary that runs only `test`
/// (its full name, `module::function`), with `--test-threads=1`; a failure
/// there fails this test with the copy's output.
pub fn alone(test: &str, body: impl FnOnce()) {
    if env::var(ALONE).as_deref() == Ok(test) {
        body();
        return;
    }
    let exe = env::current_exe().expect("the test binary's path");
    let out = Command::new(exe)
        .args(["--exact", test, "--test-threads=1", "--nocapture"])
        .env(ALONE, test)
        .output()
        .expect("could not start the test binary again");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && text.contains("1 passed"),
        "run in a process of its own, {test} failed:\n{text}"
    );
}
