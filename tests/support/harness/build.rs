//! The build script of every chapter package (skeleton and solution): it
//! compiles `wrap_main.rs` (the course's harness around the test binary's
//! `main`; its comment says why) with the same rustc, and links it into the
//! package's test targets with `-Wl,--wrap=main`. Nothing else.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let source = out.join("forklings_wrap_main.rs");
    std::fs::write(&source, include_str!("wrap_main.rs")).expect("write the harness source");
    let object = out.join("forklings_wrap_main.o");
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let target = std::env::var("TARGET").expect("cargo sets TARGET");
    let status = Command::new(rustc)
        .args([
            "--crate-type=lib",
            "--crate-name=forklings_wrap_main",
            "--edition=2024",
        ])
        .args([
            "-C",
            "panic=abort",
            "-C",
            "opt-level=2",
            "-C",
            "codegen-units=1",
        ])
        .args([
            "-C",
            "debuginfo=0",
            "--cap-lints=allow",
            "--target",
            &target,
        ])
        .arg(format!("--emit=obj={}", object.display()))
        .arg(&source)
        // rustc keeps its temporary files beside its working directory: in
        // OUT_DIR, since a grading copy's sources are read-only.
        .current_dir(&out)
        .status()
        .expect("run rustc on the harness");
    assert!(status.success(), "rustc could not compile the harness");
    println!("cargo::rustc-link-arg-tests=-Wl,--wrap=main");
    println!("cargo::rustc-link-arg-tests={}", object.display());
    // The script itself is rebuilt (and rerun) when this file or the
    // harness changes; nothing in the package's own files concerns it.
    println!("cargo::rerun-if-changed=Cargo.toml");
}
