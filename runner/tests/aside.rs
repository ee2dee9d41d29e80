//! A compile error costs only the exercise that has it: on a fixture course
//! whose chapter has one exercise that does not compile, the other
//! exercises are built (with the broken module's untouched skeleton in its
//! place) and graded, and the verdict says so. The student's files are
//! never written.

mod common;

use std::fs;

use common::{
    BASICS_TESTS, Chapter, Fixture, GOOD, TODO, exercise, git, test_result, text, write_pristine,
};

const BROKEN: &str =
    "pub fn double(x: i32) -> i32 {\n    let wrong: u32 = \"two\";\n    x * 2\n}\n";

fn course() -> Fixture {
    let f = Fixture::new(&[Chapter {
        id: "01-basics",
        exercises: vec![
            ("good", GOOD, "tests = [\"good::passes\"]"),
            ("todo", TODO, "tests = [\"todo::works\"]"),
        ],
        tests: BASICS_TESTS,
        solutions: vec![],
    }]);
    let root = f.root();
    fs::write(root.join(".gitignore"), "target/\n.forklings/\n").unwrap();
    git(root, &["init", "-q"]);
    write_pristine(root, "01-basics", &["good", "todo"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "course"]);
    fs::write(root.join("chapters/01-basics/src/todo.rs"), BROKEN).unwrap();
    f
}

#[test]
fn a_compile_error_costs_only_its_exercise() {
    let f = course();
    let (out, report) = f.grade_json();
    assert!(out.status.success(), "{}", text(&out));
    let chapter = &report["chapters"][0];
    assert_eq!(
        chapter["set_aside"],
        serde_json::json!(["todo"]),
        "{chapter:#}"
    );
    assert_eq!(report["points_earned"], 10.0, "{report:#}");
    assert_eq!(exercise(&report, "good")["done"], true);
    let broken = test_result(&report, "todo::works");
    assert_eq!(broken["status"]["kind"], "did_not_build");
    let words = broken["explanation"].as_str().unwrap();
    assert!(
        words.starts_with(
            "did not build: error[E0308]: mismatched types at chapters/01-basics/src/todo.rs:2"
        ),
        "{words}"
    );
    assert!(
        words.contains("graded with this file's untouched skeleton in its place"),
        "{words}"
    );
    // The student's file is as they left it.
    assert_eq!(
        fs::read_to_string(f.root().join("chapters/01-basics/src/todo.rs")).unwrap(),
        BROKEN
    );

    // What check says of the other exercise, and of the broken one.
    let out = f.run(&["check", "01-basics"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "(graded with chapters/01-basics/src/todo.rs set aside: it does not compile, so its untouched skeleton stood in)"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("✓ good::passes"), "{stdout}");
    assert!(stdout.contains("expected `u32`, found `&str`"), "{stdout}");
}

#[test]
fn an_error_outside_the_exercises_still_stops_the_chapter_and_says_why() {
    let f = course();
    fs::write(f.root().join("chapters/01-basics/src/todo.rs"), TODO).unwrap();
    fs::write(
        f.root().join("chapters/01-basics/src/lib.rs"),
        "pub mod good;\npub mod todo;\nfn broken() -> u8 { \"no\" }\n",
    )
    .unwrap();
    let (_, report) = f.grade_json();
    let good = test_result(&report, "good::passes");
    assert_eq!(good["status"]["kind"], "did_not_build");
    let words = good["explanation"].as_str().unwrap();
    assert!(words.contains("chapters/01-basics/src/lib.rs"), "{words}");
    assert!(
        words.contains("no exercise of the chapter could be graded"),
        "{words}"
    );
}

#[test]
fn a_deleted_exercise_file_costs_only_its_exercise() {
    let f = course();
    fs::remove_file(f.root().join("chapters/01-basics/src/todo.rs")).unwrap();
    let (out, report) = f.grade_json();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("`cargo course reset todo`"),
        "{}",
        text(&out)
    );
    assert_eq!(exercise(&report, "good")["done"], true, "{report:#}");
    let words = test_result(&report, "todo::works")["explanation"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        words.contains("file not found for module `todo`"),
        "{words}"
    );
}
