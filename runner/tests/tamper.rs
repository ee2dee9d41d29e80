//! Tamper checks at grade time, on a fixture course under git with its
//! pristine.toml made by `verify --update-pristine`: edited, deleted and
//! added test files are reported and graded from the course's copy (the
//! student's files untouched); a chapter that reaches into the solutions is
//! graded zero; a changed public API is named.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::{
    CALC, CALC_TESTS, CALC_TODO, Chapter, DOUBLE, Fixture, GOOD, TODO, exercise, test_result, text,
};
use serde_json::Value;

const BASICS_TESTS: &str = r#"
mod answer;
mod good {
    #[test]
    fn passes() {
        assert_eq!(fx::good::answer().to_string(), include_str!("snapshots/answer.snap").trim());
    }
}
mod todo {
    #[test]
    fn works() {
        assert_eq!(fx::todo::double(2), 4);
    }
}
"#;
const ANSWER_MOD: &str = "#[test]\nfn positive() {\n    assert!(fx::good::answer() > 0);\n}\n";

fn chapters() -> Vec<Chapter<'static>> {
    vec![
        Chapter {
            id: "01-basics",
            exercises: vec![
                (
                    "good",
                    GOOD,
                    "tests = [\"good::passes\", \"answer::positive\"]",
                ),
                ("todo", TODO, "tests = [\"todo::works\"]"),
            ],
            tests: BASICS_TESTS,
            solutions: vec![("good", GOOD), ("todo", DOUBLE)],
        },
        Chapter {
            id: "02-reach",
            exercises: vec![("calc", CALC_TODO, "tests = [\"calc::triples\"]")],
            tests: CALC_TESTS,
            solutions: vec![("calc", CALC)],
        },
        Chapter {
            id: "03-api",
            exercises: vec![("calc3", CALC_TODO, "tests = [\"calc3::triples\"]")],
            tests: "mod calc3 {\n    #[test]\n    fn triples() {\n        assert_eq!(fx::calc3::triple(2), 6);\n    }\n}\n",
            solutions: vec![("calc3", CALC)],
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

/// The course as its author leaves it: committed, with pristine.toml.
fn authored() -> Fixture {
    let f = Fixture::new(&chapters());
    let root = f.root();
    common::write(root, "tests/01-basics/answer.rs", ANSWER_MOD);
    common::write(root, "tests/01-basics/snapshots/answer.snap", "42\n");
    fs::write(root.join(".gitignore"), "/target\n/pids\n/.forklings\n").unwrap();
    git(root, &["init", "-q"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "course"]);
    // verify also finds that `good` passes on its skeleton (fine here).
    let out = f.run(&["verify", "--update-pristine", "--runs", "1", "--no-clippy"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("recorded 10 skeleton files and 9 graded files"),
        "{}",
        text(&out)
    );
    let pristine = fs::read_to_string(root.join("pristine.toml")).unwrap();
    assert!(
        pristine.contains("\"tests/01-basics/snapshots/answer.snap\" = "),
        "{pristine}"
    );
    assert!(pristine.contains("\"course.toml\" = "), "{pristine}");
    f
}

#[test]
fn tampering_is_reported_and_graded_from_the_course_copy() {
    let f = authored();
    let root = f.root();
    // The student: finishes `calc` (chapter 2) by including the solution,
    // changes `calc3`'s signature (chapter 3, still passing), and in
    // chapter 1 rewrites the test of `todo` to pass without the work,
    // deletes a test module, changes a snapshot and adds a file.
    let edited_test = BASICS_TESTS.replace("assert_eq!(fx::todo::double(2), 4);", "");
    fs::write(root.join("tests/01-basics/main.rs"), &edited_test).unwrap();
    fs::remove_file(root.join("tests/01-basics/answer.rs")).unwrap();
    fs::write(root.join("tests/01-basics/snapshots/answer.snap"), "7\n").unwrap();
    fs::write(root.join("tests/01-basics/extra.rs"), "// mine\n").unwrap();
    fs::write(
        root.join("chapters/02-reach/src/lib.rs"),
        "#[path = \"../../../solutions/02-reach/src/calc.rs\"]\npub mod calc;\n",
    )
    .unwrap();
    fs::write(
        root.join("chapters/03-api/src/calc3.rs"),
        "pub fn triple(x: i64) -> i64 {\n    x * 3\n}\n",
    )
    .unwrap();
    let student_main = fs::read(root.join("tests/01-basics/main.rs")).unwrap();

    let (out, report) = f.grade_json();
    assert!(out.status.success(), "{}", text(&out));
    let problems: Vec<(String, String)> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap().to_string(),
                p["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let has =
        |kind: &str, words: &str| problems.iter().any(|(k, m)| k == kind && m.contains(words));
    assert!(
        has("tampered_test", "tests/01-basics/main.rs was changed"),
        "{problems:#?}"
    );
    assert!(
        has("tampered_test", "tests/01-basics/answer.rs was deleted"),
        "{problems:#?}"
    );
    assert!(
        has(
            "tampered_test",
            "tests/01-basics/snapshots/answer.snap was changed"
        ),
        "{problems:#?}"
    );
    assert!(
        has(
            "tampered_test",
            "tests/01-basics/extra.rs is not part of the course"
        ),
        "{problems:#?}"
    );
    assert!(
        has(
            "uses_solution",
            "chapter 02-reach reaches into the solutions (chapters/02-reach/src/lib.rs:1"
        ),
        "{problems:#?}"
    );
    assert!(
        has(
            "api_differs",
            "chapters/03-api/src/calc3.rs: the public API lacks `pub fn triple(x: i32) -> i32`"
        ),
        "{problems:#?}"
    );
    assert!(
        has(
            "api_differs",
            "`pub fn triple(x: i64) -> i64` is not in the course's public API"
        ),
        "{problems:#?}"
    );

    // Graded with the course's tests: `todo` still fails, the restored
    // snapshot and module are there.
    assert_eq!(
        test_result(&report, "todo::works")["status"]["kind"],
        "failed"
    );
    assert_eq!(
        test_result(&report, "good::passes")["status"]["kind"],
        "passed"
    );
    assert_eq!(
        test_result(&report, "answer::positive")["status"]["kind"],
        "passed"
    );
    // Chapter 2 passed its test but is graded zero; chapter 3 keeps its points.
    let calc = exercise(&report, "calc");
    assert_eq!(calc["points_earned"], 0.0);
    let t = test_result(&report, "calc::triples");
    assert!(
        t["explanation"]
            .as_str()
            .unwrap()
            .starts_with("graded zero"),
        "{t}"
    );
    assert_eq!(exercise(&report, "calc3")["points_earned"], 10.0);
    assert_eq!(report["points_earned"], 20.0, "{report:#}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("problems found in the submission"),
        "{stdout}"
    );

    // The student's files are as they left them.
    assert_eq!(
        fs::read(root.join("tests/01-basics/main.rs")).unwrap(),
        student_main
    );
    assert!(!root.join("tests/01-basics/answer.rs").exists());
    assert_eq!(
        fs::read_to_string(root.join("tests/01-basics/snapshots/answer.snap")).unwrap(),
        "7\n"
    );
    assert!(root.join("tests/01-basics/extra.rs").exists());
}

#[test]
fn a_dependency_on_a_solution_crate_is_found_and_a_clean_tree_has_no_problems() {
    let f = authored();
    let root = f.root();
    let (out, report) = f.grade_json();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(report["problems"], Value::Array(vec![]), "{report:#}");

    let manifest = root.join("chapters/02-reach/Cargo.toml");
    let mut toml = fs::read_to_string(&manifest).unwrap();
    toml.push_str("\n[dependencies]\nhelper = { package = \"ch02-reach-solution\", path = \"../../solutions/02-reach\" }\n");
    fs::write(&manifest, toml).unwrap();
    fs::write(
        root.join("chapters/02-reach/src/calc.rs"),
        "pub use helper::calc::triple;\n",
    )
    .unwrap();
    let (out, report) = f.grade_json();
    assert!(out.status.success(), "{}", text(&out));
    let problems = report["problems"].to_string();
    assert!(problems.contains("uses_solution"), "{problems}");
    assert!(
        problems.contains("package = \\\"ch02-reach-solution\\\""),
        "{problems}"
    );
    assert_eq!(exercise(&report, "calc")["points_earned"], 0.0);
    assert_eq!(
        test_result(&report, "calc::triples")["status"]["kind"],
        "failed"
    );
}
