//! The holes of issue 12, each a submission of a class graded by
//! `grade-class` (the grade of record: a fresh copy of the course with only
//! the exercise modules of a submission): a printed pass, a chapter's own
//! `Cargo.toml`, a build script, the solutions read at compile time, the
//! student's cargo settings and runner, a test that kills its supervisor,
//! memory spread over children, graded files written during a run, and
//! binaries left from the previous submission. Every trick earns nothing
//! for what it faked and is named; the honest submissions earn what they
//! did; nothing is left running; the instructor's course and the grades
//! folder hold nothing the students wrote. The class is graded twice: under
//! the kernel's namespaces where the machine gives them, and under the
//! fallback (`FORKLINGS_ISOLATION=sweep`) that CI machines without them use.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use common::{
    BASICS_TESTS, CALC, CALC_TESTS, CALC_TODO, Chapter, DOUBLE, Fixture, GOOD, TODO, text,
};
use serde_json::Value;

fn chapters() -> Vec<Chapter<'static>> {
    vec![
        Chapter {
            id: "01-basics",
            exercises: vec![
                ("good", GOOD, "tests = [\"good::passes\"]"),
                ("todo", TODO, "timeout = 5\ntests = [\"todo::works\"]"),
            ],
            tests: BASICS_TESTS,
            solutions: vec![("good", GOOD), ("todo", DOUBLE)],
        },
        Chapter {
            id: "02-calc",
            exercises: vec![(
                "calc",
                CALC_TODO,
                "timeout = 20\ntests = [\"calc::triples\"]",
            )],
            tests: CALC_TESTS,
            solutions: vec![("calc", CALC)],
        },
    ]
}

const TODO_RS: &str = "chapters/01-basics/src/todo.rs";
const CALC_RS: &str = "chapters/02-calc/src/calc.rs";

/// Prints libtest's lines for a pass and leaves with status 0.
const PRINTED_PASS: &str = "pub fn double(x: i32) -> i32 {\n    let _ = x;\n    println!(\"test todo::works ... ok\");\n    println!(\"\\ntest result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\\n\");\n    std::process::exit(0)\n}\n";

/// The reference answer, read from the solutions at compile time, the path
/// spelled so that no text search finds `solutions`.
const INCLUDED: &str = "include!(concat!(\"../../../solu\", \"tions/01-basics/src/todo.rs\"));\n";
const PATH_ATTR: &str = "#[path = \"../../../solution\\x73/02-calc/src/calc.rs\"]\nmod answer;\npub fn triple(x: i32) -> i32 {\n    answer::triple(x)\n}\n";

/// Right only when the student's `.cargo/config.toml` sets FX_CHEAT.
const CHEAT_ENV: &str = "pub fn double(x: i32) -> i32 {\n    if option_env!(\"FX_CHEAT\").is_some() {\n        x * 2\n    } else {\n        todo!()\n    }\n}\n";

/// Leaves a detached child behind and kills its supervisor.
const KILLS_SUPERVISOR: &str = "unsafe extern \"C\" {\n    fn fork() -> i32;\n    fn setsid() -> i32;\n    fn sleep(s: u32) -> u32;\n    fn getppid() -> i32;\n    fn kill(pid: i32, sig: i32) -> i32;\n    fn _exit(code: i32) -> !;\n}\npub fn double(x: i32) -> i32 {\n    unsafe {\n        if fork() == 0 {\n            setsid();\n            sleep(300);\n            _exit(0);\n        }\n        let parent = getppid();\n        if parent > 1 {\n            kill(parent, 9);\n        }\n        sleep(1);\n    }\n    x * 2\n}\n";

/// Five children of 600 MiB each: every one under any per-process cap,
/// three GiB together.
const MEMORY_IN_CHILDREN: &str = "unsafe extern \"C\" {\n    fn fork() -> i32;\n    fn sleep(s: u32) -> u32;\n    fn _exit(code: i32) -> !;\n}\npub fn triple(x: i32) -> i32 {\n    for _ in 0..5 {\n        if unsafe { fork() } == 0 {\n            let v = vec![1u8; 600 << 20];\n            std::hint::black_box(&v);\n            unsafe {\n                sleep(30);\n                _exit(0)\n            }\n        }\n    }\n    unsafe { sleep(15) };\n    x * 3\n}\n";

/// Rewrites the graded test to pass anything, then answers wrong.
const WRITES_TEST: &str = "pub fn double(x: i32) -> i32 {\n    let _ = std::fs::write(\"../../tests/01-basics/main.rs\", \"mod todo { #[test] fn works() {} }\\n\");\n    let _ = std::fs::write(\"src/good.rs\", \"pub fn answer() -> i32 { 0 }\\n\");\n    x\n}\n";

struct Class {
    course: Fixture,
    tmp: tempfile::TempDir,
    marker: PathBuf,
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap().flatten() {
        let name = entry.file_name();
        if name == "target" || name == ".git" || name == ".forklings" {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &to.join(&name));
        } else {
            fs::copy(entry.path(), to.join(&name)).unwrap();
        }
    }
}

fn class() -> Class {
    let course = Fixture::new(&chapters());
    let tmp = tempfile::Builder::new()
        .prefix("forklings-holes-")
        .tempdir()
        .unwrap();
    let subs = tmp.path().join("submissions");
    let marker = tmp.path().join("pwned");
    let student = |name: &str, files: &[(&str, &str)]| {
        let dir = subs.join(name);
        copy_tree(course.root(), &dir);
        for (rel, content) in files {
            let path = dir.join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, content).unwrap();
        }
    };
    student("correct", &[(TODO_RS, DOUBLE), (CALC_RS, CALC)]);
    student("partial", &[(TODO_RS, DOUBLE)]);
    student("untouched", &[]);
    // 1. A printed pass where the todo!() was.
    student("printed-pass", &[(TODO_RS, PRINTED_PASS), (CALC_RS, CALC)]);
    // 2. The chapter's own Cargo.toml points the graded target at trivial
    // tests of the same names.
    let cargo = fs::read_to_string(course.root().join("chapters/01-basics/Cargo.toml"))
        .unwrap()
        .replace("../../tests/01-basics/main.rs", "fake.rs");
    student(
        "own-cargo-toml",
        &[
            ("chapters/01-basics/Cargo.toml", &cargo),
            (
                "chapters/01-basics/fake.rs",
                "mod todo {\n    #[test]\n    fn works() {}\n}\n",
            ),
        ],
    );
    // 3. A build script that would write the tests, leave a daemon and
    // mark that it ran.
    let evil = format!(
        "fn main() {{\n    let _ = std::fs::write({:?}, \"build.rs ran\");\n    let _ = std::fs::write(\"../../tests/02-calc/main.rs\", \"\");\n    let _ = std::process::Command::new(\"sh\").args([\"-c\", \"setsid sleep 300 &\"]).status();\n}}\n",
        marker.to_str().unwrap()
    );
    let calc_cargo = fs::read_to_string(course.root().join("chapters/02-calc/Cargo.toml"))
        .unwrap()
        .replace("../../tests/support/harness/build.rs", "evil.rs");
    student(
        "build-script",
        &[
            ("chapters/02-calc/Cargo.toml", &calc_cargo),
            ("chapters/02-calc/evil.rs", &evil),
        ],
    );
    // 4. The solutions, through include!(concat!(..)) and an escaped
    // #[path].
    student(
        "reads-solutions",
        &[(TODO_RS, INCLUDED), (CALC_RS, PATH_ATTR)],
    );
    // 5. Its own cargo settings and runner.
    student(
        "own-settings",
        &[
            (TODO_RS, CHEAT_ENV),
            (".cargo/config.toml", "[env]\nFX_CHEAT = \"1\"\n"),
            (
                "runner/src/main.rs",
                "fn main() { println!(\"30 / 30\") }\n",
            ),
        ],
    );
    // 6. A test that kills its supervisor, its child detached.
    student("kills-supervisor", &[(TODO_RS, KILLS_SUPERVISOR)]);
    // 7. Memory spread over children.
    student("memory-in-children", &[(CALC_RS, MEMORY_IN_CHILDREN)]);
    // 8. Graded files written during a test run.
    student("writes-graded-files", &[(TODO_RS, WRITES_TEST)]);
    // 10. After "correct" in the same work folder: an untouched submission
    // whose files carry old times must not be graded with correct's binary.
    student("correct-stale", &[]);
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    for rel in [TODO_RS, CALC_RS] {
        fs::File::options()
            .write(true)
            .open(subs.join("correct-stale").join(rel))
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    Class {
        course,
        tmp,
        marker,
    }
}

/// Every file of a tree but its build and progress, with its bytes.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, into: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap().flatten() {
            let name = entry.file_name();
            if name == "target" || name == ".forklings" {
                continue;
            }
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                walk(root, &path, into);
            } else {
                into.insert(
                    path.strip_prefix(root).unwrap().to_path_buf(),
                    fs::read(&path).unwrap_or_default(),
                );
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(root, root, &mut files);
    files
}

fn grade_the_class(class: &Class, isolation: Option<&str>) -> Value {
    let before = snapshot(class.course.root());
    let out_dir = class
        .tmp
        .path()
        .join(format!("grades-{}", isolation.unwrap_or("default")));
    let mut cmd = class.course.command(&[
        "grade-class",
        class.tmp.path().join("submissions").to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--at-once",
        "1",
        "--limit",
        "300",
    ]);
    if let Some(kind) = isolation {
        cmd.env("FORKLINGS_ISOLATION", kind);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let table: Value =
        serde_json::from_str(&fs::read_to_string(out_dir.join("grades.json")).unwrap()).unwrap();

    // Nothing of the students' is left running, nothing they wrote landed
    // in the course or the grades folder, and the build script never ran.
    let left = common::left_running_under(class.tmp.path());
    assert!(left.is_empty(), "left running: {left:?}\n{table:#}");
    assert_eq!(snapshot(class.course.root()), before, "the course changed");
    assert!(!class.marker.exists(), "a student's build script ran");
    let mut written: Vec<String> = fs::read_dir(&out_dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(
        written,
        ["grades.csv", "grades.json", "reports"],
        "{written:?}"
    );
    table
}

fn row<'a>(table: &'a Value, name: &str) -> &'a Value {
    table["students"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["student"] == name)
        .unwrap_or_else(|| panic!("no row for {name}: {table:#}"))
}

fn check_rows(table: &Value) {
    let total = |name: &str| row(table, name)["total"].as_f64().unwrap();
    let problems = |name: &str| row(table, name)["problems"].to_string();
    let says = |name: &str, words: &str| {
        assert!(
            problems(name).contains(words),
            "{name} should say {words:?}: {table:#}"
        )
    };
    // The honest ones earn what they did.
    assert_eq!(total("correct"), 30.0, "{table:#}");
    assert_eq!(row(table, "correct")["problems"], Value::Array(vec![]));
    assert_eq!(total("partial"), 20.0, "{table:#}");
    assert_eq!(total("untouched"), 10.0, "{table:#}");
    // 1. The printed pass earns nothing and is named; its real answer counts.
    assert_eq!(total("printed-pass"), 20.0, "{table:#}");
    says(
        "printed-pass",
        "todo::works: printed what looks like a pass",
    );
    // 2. Its Cargo.toml and its fake tests are ignored and named.
    assert_eq!(total("own-cargo-toml"), 10.0, "{table:#}");
    says(
        "own-cargo-toml",
        "chapters/01-basics/Cargo.toml was changed: ignored",
    );
    says(
        "own-cargo-toml",
        "chapters/01-basics/fake.rs is not part of the course",
    );
    // 3. The build script is never built nor run.
    assert_eq!(total("build-script"), 10.0, "{table:#}");
    says(
        "build-script",
        "chapters/02-calc/evil.rs is not part of the course",
    );
    // 4. Modules that read other files are refused: the skeleton is graded.
    assert_eq!(total("reads-solutions"), 10.0, "{table:#}");
    says(
        "reads-solutions",
        "todo.rs uses what a graded module may not",
    );
    says(
        "reads-solutions",
        "calc.rs uses what a graded module may not",
    );
    // 5. Its cargo settings and runner are ignored and named.
    assert_eq!(total("own-settings"), 10.0, "{table:#}");
    says(
        "own-settings",
        ".cargo/config.toml is not part of the course: ignored",
    );
    says(
        "own-settings",
        "runner/src/main.rs is not part of the course",
    );
    // 6. Killing the supervisor leaves nothing behind (checked above) and
    // costs at most that test.
    assert!(total("kills-supervisor") <= 20.0, "{table:#}");
    // 7. Memory is the sum over a test's processes.
    assert_eq!(total("memory-in-children"), 10.0, "{table:#}");
    // 8. A test that writes the graded files gains nothing by it.
    assert_eq!(total("writes-graded-files"), 0.0 + 10.0, "{table:#}");
    // 10. No binary of the previous submission is trusted.
    assert_eq!(total("correct-stale"), 10.0, "{table:#}");
    for r in table["students"].as_array().unwrap() {
        assert!(
            !r["isolation"].as_str().unwrap_or("").is_empty(),
            "every row says what bounded it: {r:#}"
        );
    }
}

#[test]
fn every_hole_loses_in_a_class_under_namespaces_and_under_the_fallback() {
    let class = class();
    let table = grade_the_class(&class, None);
    check_rows(&table);
    let memory = fs::read_to_string(
        class
            .tmp
            .path()
            .join("grades-default/reports/memory-in-children.json"),
    )
    .unwrap();
    assert!(memory.contains("out_of_memory"), "{memory}");

    let table = grade_the_class(&class, Some("sweep"));
    check_rows(&table);
    // Without a read-only file system the write happens: it is found,
    // put back and named.
    let writes = row(&table, "writes-graded-files")["problems"].to_string();
    assert!(writes.contains("changed"), "{table:#}");
    for r in table["students"].as_array().unwrap() {
        assert!(
            r["isolation"]
                .as_str()
                .unwrap()
                .contains("namespaces refused"),
            "{r:#}"
        );
    }
}
