//! A small generated course in a temporary folder, std only (so it builds
//! in a second or two), with its own `[workspace]` and target dir, and a way
//! to run the runner on it.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Exercise bodies the fixture courses share: a finished one, an unwritten
/// one and its answer, and a second chapter (`calc`) with its test.
pub const GOOD: &str = "pub fn answer() -> i32 {\n    42\n}\n";
pub const TODO: &str = "pub fn double(x: i32) -> i32 {\n    todo!()\n}\n";
pub const DOUBLE: &str = "pub fn double(x: i32) -> i32 {\n    x * 2\n}\n";
/// The graded tests of the `good` and `todo` exercises above.
pub const BASICS_TESTS: &str = r#"
mod good {
    #[test]
    fn passes() {
        assert_eq!(fx::good::answer(), 42);
    }
}
mod todo {
    #[test]
    fn works() {
        assert_eq!(fx::todo::double(2), 4);
    }
}
"#;
pub const CALC_TESTS: &str = "mod calc {\n    #[test]\n    fn triples() {\n        assert_eq!(fx::calc::triple(2), 6);\n    }\n}\n";
pub const CALC_TODO: &str = "pub fn triple(x: i32) -> i32 {\n    todo!()\n}\n";
pub const CALC: &str = "pub fn triple(x: i32) -> i32 {\n    x * 3\n}\n";

/// The course's test harness, as every fixture course carries it.
pub const HARNESS_BUILD: &str = include_str!("../../../tests/support/harness/build.rs");
pub const HARNESS_WRAP: &str = include_str!("../../../tests/support/harness/wrap_main.rs");

pub struct Fixture {
    root: PathBuf,
    _tmp: Option<tempfile::TempDir>,
}

pub struct Chapter<'a> {
    pub id: &'a str,
    /// (exercise id, skeleton source, `[[chapter.exercise]]` extra lines).
    pub exercises: Vec<(&'a str, &'a str, &'a str)>,
    /// The graded test source, `tests/<id>/main.rs`.
    pub tests: &'a str,
    /// (exercise id, solution source); none: no solution crate.
    pub solutions: Vec<(&'a str, &'a str)>,
}

impl Fixture {
    /// A fixture in a new temporary folder, removed on drop.
    pub fn new(chapters: &[Chapter]) -> Fixture {
        let dir = tempfile::Builder::new()
            .prefix("forklings-fixture-")
            .tempdir()
            .unwrap();
        let root = dir.path().to_path_buf();
        Self::write_course(&root, chapters);
        Fixture {
            root,
            _tmp: Some(dir),
        }
    }

    /// A fixture in a fixed folder under cargo's test scratch space, kept
    /// between runs so its build stays warm; files are only rewritten when
    /// they change, and what a run leaves (progress) is cleared.
    pub fn kept(name: &str, chapters: &[Chapter]) -> Fixture {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        let _ = fs::remove_dir_all(root.join(".forklings"));
        Self::write_course(&root, chapters);
        Fixture { root, _tmp: None }
    }

    fn write_course(root: &Path, chapters: &[Chapter]) {
        let members = if chapters.iter().any(|c| !c.solutions.is_empty()) {
            "\"chapters/*\", \"solutions/*\""
        } else {
            "\"chapters/*\""
        };
        write(
            root,
            "Cargo.toml",
            &format!("[workspace]\nresolver = \"3\"\nmembers = [{members}]\n"),
        );
        write(root, "tests/support/harness/build.rs", HARNESS_BUILD);
        write(root, "tests/support/harness/wrap_main.rs", HARNESS_WRAP);
        let mut manifest = String::from("format = 1\n");
        for ch in chapters {
            let lib = ch
                .exercises
                .iter()
                .map(|(id, _, _)| format!("pub mod {id};\n"))
                .collect::<String>();
            write(root, &format!("chapters/{}/src/lib.rs", ch.id), &lib);
            write(
                root,
                &format!("chapters/{}/Cargo.toml", ch.id),
                &format!(
                    "[package]\nname = \"ch{}\"\nversion = \"0.1.0\"\nedition = \"2021\"\nbuild = \"../../tests/support/harness/build.rs\"\n\n[lib]\nname = \"fx\"\n\n[[test]]\nname = \"graded\"\npath = \"../../tests/{}/main.rs\"\n",
                    ch.id, ch.id
                ),
            );
            write(root, &format!("tests/{}/main.rs", ch.id), ch.tests);
            if !ch.solutions.is_empty() {
                write(root, &format!("solutions/{}/src/lib.rs", ch.id), &lib);
                write(
                    root,
                    &format!("solutions/{}/Cargo.toml", ch.id),
                    &format!(
                        "[package]\nname = \"ch{}-solution\"\nversion = \"0.1.0\"\nedition = \"2021\"\nbuild = \"../../tests/support/harness/build.rs\"\n\n[lib]\nname = \"fx\"\n\n[[test]]\nname = \"graded\"\npath = \"../../tests/{}/main.rs\"\n",
                        ch.id, ch.id
                    ),
                );
                for (id, source) in &ch.solutions {
                    write(root, &format!("solutions/{}/src/{id}.rs", ch.id), source);
                }
            }
            manifest.push_str(&format!(
                "\n[[chapter]]\nid = \"{}\"\ntitle = \"Chapter {}\"\n",
                ch.id, ch.id
            ));
            for (id, source, extra) in &ch.exercises {
                write(root, &format!("chapters/{}/src/{id}.rs", ch.id), source);
                manifest.push_str(&format!(
                    "\n[[chapter.exercise]]\nid = \"{id}\"\ntitle = \"Exercise {id}\"\npoints = 10\n{extra}\n"
                ));
            }
        }
        write(root, "course.toml", &manifest);
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_course"));
        cmd.args(args)
            .current_dir(self.root())
            .env("CARGO_TARGET_DIR", self.root().join("target"))
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    pub fn grade_json(&self) -> (Output, serde_json::Value) {
        let json = self.root().join("results.json");
        let out = self.run(&["grade", "--json", json.to_str().unwrap()]);
        let report = fs::read_to_string(&json)
            .unwrap_or_else(|e| panic!("no results.json ({e}): {}", text(&out)));
        (out, serde_json::from_str(&report).unwrap())
    }

    /// Every live process that runs a program of this fixture (its test
    /// binaries, and what they forked): what a run left behind.
    pub fn left_running(&self) -> Vec<(i32, PathBuf)> {
        left_running_under(self.root())
    }
}

/// True while a process exists and is not a zombie.
pub fn alive(pid: i32) -> bool {
    forklings_runner::procfs::alive(pid)
}

/// Every live process running a program below `dir`.
pub fn left_running_under(dir: &Path) -> Vec<(i32, PathBuf)> {
    forklings_runner::procfs::processes()
        .into_iter()
        .filter(|p| !p.is_dead())
        .filter_map(|p| Some((p.pid, forklings_runner::procfs::exe(p.pid)?)))
        .filter(|(_, exe)| exe.starts_with(dir))
        .collect()
}

/// Writes a file unless it already holds `text` (a kept fixture's build
/// stays fresh).
pub fn write(root: &Path, rel: &str, text: &str) {
    let path: PathBuf = root.join(rel);
    if fs::read_to_string(&path).is_ok_and(|now| now == text) {
        return;
    }
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

pub fn text(out: &Output) -> String {
    format!(
        "status {}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// One test's result in a `--json` report.
pub fn test_result<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    for ch in report["chapters"].as_array().unwrap() {
        for ex in ch["exercises"].as_array().unwrap() {
            for entry in ex["entries"].as_array().unwrap() {
                for t in entry["tests"].as_array().unwrap() {
                    if t["id"] == id {
                        return t;
                    }
                }
            }
        }
    }
    panic!("no test {id} in the report: {report:#}")
}

pub fn exercise<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    for ch in report["chapters"].as_array().unwrap() {
        for ex in ch["exercises"].as_array().unwrap() {
            if ex["id"] == id {
                return ex;
            }
        }
    }
    panic!("no exercise {id} in the report")
}

/// `git ARGS` in `root`, with an identity of its own; it must succeed.
pub fn git(root: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(root)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", text(&out));
}

/// `pristine.toml` listing the chapter's skeleton files (its `Cargo.toml`,
/// `lib.rs` and the exercises' modules) with git's own blob ids.
pub fn write_pristine(root: &Path, chapter: &str, exercises: &[&str]) {
    let mut files = String::from("format = 1\n\n[files]\n");
    let mut rels = vec!["Cargo.toml".to_string(), "src/lib.rs".to_string()];
    rels.extend(exercises.iter().map(|e| format!("src/{e}.rs")));
    for rel in rels {
        let rel = format!("chapters/{chapter}/{rel}");
        let out = Command::new("git")
            .args(["hash-object", &rel])
            .current_dir(root)
            .output()
            .unwrap();
        files.push_str(&format!(
            "\"{rel}\" = \"{}\"\n",
            String::from_utf8_lossy(&out.stdout).trim()
        ));
    }
    fs::write(root.join("pristine.toml"), files).unwrap();
}
