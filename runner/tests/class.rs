//! `grade-class` on a generated class of a fixture course: correct,
//! partial, hostile, tampered, broken and empty submissions, one as a bare
//! git repository; each graded in a clean copy with the course's tests,
//! into one CSV and one JSON table, none stopping the others.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

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
                ("todo", TODO, "timeout = 2\ntests = [\"todo::works\"]"),
            ],
            tests: BASICS_TESTS,
            solutions: vec![("good", GOOD), ("todo", DOUBLE)],
        },
        Chapter {
            id: "02-calc",
            exercises: vec![("calc", CALC_TODO, "tests = [\"calc::triples\"]")],
            tests: CALC_TESTS,
            solutions: vec![("calc", CALC)],
        },
    ]
}

fn git(root: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(root)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", text(&out));
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

#[test]
fn a_class_grades_with_the_expected_points_and_problems() {
    let course = Fixture::new(&chapters());
    let root = course.root();
    fs::write(root.join(".gitignore"), "/target\n/pids\n/.forklings\n").unwrap();
    git(root, &["init", "-q"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "course"]);
    let out = course.run(&["verify", "--update-pristine", "--runs", "1", "--no-clippy"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("graded files"),
        "{}",
        text(&out)
    );
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "pristine"]);

    let class = tempfile::Builder::new()
        .prefix("forklings-class-")
        .tempdir()
        .unwrap();
    let class_dir = class.path().join("submissions");
    let student = |name: &str, edits: &[(&str, &str)]| {
        let dir = class_dir.join(name);
        copy_tree(root, &dir);
        for (rel, content) in edits {
            fs::write(dir.join(rel), content).unwrap();
        }
    };
    let todo = "chapters/01-basics/src/todo.rs";
    let calc = "chapters/02-calc/src/calc.rs";
    student("alice", &[(todo, DOUBLE), (calc, CALC)]);
    student("bob", &[(todo, DOUBLE)]);
    // Hangs in `double` (a 2 s limit) and forks without end in `triple`.
    student(
        "carol",
        &[
            (
                todo,
                "pub fn double(x: i32) -> i32 {\n    loop {\n        std::hint::spin_loop();\n    }\n}\n",
            ),
            (
                calc,
                "unsafe extern \"C\" {\n    fn fork() -> i32;\n    fn sleep(s: u32) -> u32;\n}\npub fn triple(x: i32) -> i32 {\n    for _ in 0..11 {\n        unsafe { fork() };\n    }\n    unsafe { sleep(30) };\n    x * 3\n}\n",
            ),
        ],
    );
    // Rewrites the test to pass and takes chapter 2 from the solution.
    student(
        "dave",
        &[
            (
                "tests/01-basics/main.rs",
                &BASICS_TESTS.replace("assert_eq!(fx::todo::double(2), 4);", ""),
            ),
            (
                "chapters/02-calc/src/lib.rs",
                "#[path = \"../../../solutions/02-calc/src/calc.rs\"]\npub mod calc;\n",
            ),
        ],
    );
    // Chapter 1's `todo` does not compile (only it is lost: `good` is
    // graded with its skeleton set aside); chapter 2 is right.
    student(
        "erin",
        &[
            (todo, "pub fn double(x: i32) -> i32 {\n    \"two\"\n}\n"),
            (calc, CALC),
        ],
    );
    // Nothing usable.
    fs::create_dir_all(class_dir.join("frank")).unwrap();
    fs::write(class_dir.join("frank/README"), "sorry\n").unwrap();
    // A bare git repository of a correct course.
    let gina_work = class.path().join("gina-work");
    copy_tree(root, &gina_work);
    fs::write(gina_work.join(todo), DOUBLE).unwrap();
    fs::write(gina_work.join(calc), CALC).unwrap();
    fs::write(gina_work.join(".gitignore"), "/target\n/pids\n").unwrap();
    git(&gina_work, &["init", "-q"]);
    git(&gina_work, &["add", "-A"]);
    git(&gina_work, &["commit", "-qm", "done"]);
    git(
        class.path(),
        &["clone", "-q", "--bare", "gina-work", "submissions/gina"],
    );

    let out_dir = class.path().join("grades");
    let out = course.run(&[
        "grade-class",
        class_dir.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--at-once",
        "2",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("[7/7]"), "{stderr}");

    let table: Value =
        serde_json::from_str(&fs::read_to_string(out_dir.join("grades.json")).unwrap()).unwrap();
    let row = |name: &str| {
        table["students"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["student"] == name)
            .unwrap_or_else(|| panic!("no row for {name}: {table:#}"))
            .clone()
    };
    let problems = |name: &str| row(name)["problems"].to_string();
    assert_eq!(table["course_points"], 30.0);
    assert_eq!(row("alice")["total"], 30.0, "{table:#}");
    assert_eq!(row("alice")["problems"], Value::Array(vec![]), "{table:#}");
    assert_eq!(row("bob")["total"], 20.0);
    assert_eq!(row("bob")["chapters"]["01-basics"], 20.0);
    assert_eq!(row("bob")["chapters"]["02-calc"], 0.0);
    assert_eq!(row("carol")["total"], 10.0, "{table:#}");
    assert_eq!(row("dave")["total"], 10.0, "{table:#}");
    assert!(
        problems("dave").contains("tests/01-basics/main.rs was changed"),
        "{table:#}"
    );
    // Only the exercise modules of a submission are taken: its lib.rs
    // (and its #[path] into the solutions) is named and ignored.
    assert!(
        problems("dave").contains("chapters/02-calc/src/lib.rs was changed: ignored"),
        "{table:#}"
    );
    assert_eq!(row("erin")["total"], 20.0, "{table:#}");
    assert_eq!(row("erin")["chapters"]["01-basics"], 10.0);
    assert_eq!(row("erin")["chapters"]["02-calc"], 10.0);
    assert_eq!(row("frank")["total"], 0.0);
    assert!(
        problems("frank").contains("no chapters/ folder"),
        "{table:#}"
    );
    assert_eq!(row("gina")["total"], 30.0, "{table:#}");

    let carol: Value =
        serde_json::from_str(&fs::read_to_string(out_dir.join("reports/carol.json")).unwrap())
            .unwrap();
    let kinds: Vec<String> = carol["chapters"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["exercises"].as_array().unwrap().clone())
        .flat_map(|e| e["entries"].as_array().unwrap().clone())
        .flat_map(|e| e["tests"].as_array().unwrap().clone())
        .map(|t| t["status"]["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        kinds,
        ["passed", "timed_out", "too_many_processes"],
        "{carol:#}"
    );

    let csv = fs::read_to_string(out_dir.join("grades.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "student,01-basics,02-calc,total,possible,problems"
    );
    assert_eq!(lines.len(), 8, "{csv}");
    assert!(lines.contains(&"alice,20,10,30,30,"), "{csv}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("frank,,,0,30,no chapters/")),
        "{csv}"
    );
    // The work copies are gone; the student folders untouched.
    assert!(!out_dir.join("work").exists());
    assert_eq!(
        fs::read_to_string(class_dir.join("bob").join(calc)).unwrap(),
        CALC_TODO
    );
}
