//! The report formats of `cargo course grade --format`, the GitHub
//! Classroom step (`grading/github/grade.sh`) and the Gradescope autograder
//! (`grading/gradescope/run_autograder`) run against a made-up
//! `/autograder` in a temporary folder.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{Chapter, DOUBLE, Fixture, GOOD, TODO, text};
use serde_json::Value;

const TESTS: &str = r#"
mod good {
    #[test]
    fn passes() {
        assert_eq!(fx::good::answer(), 42);
    }
}
mod todo {
    #[test]
    fn works() {
        assert_eq!(fx::todo::double(2), 4, "<twice> & \"more\"");
    }
    #[test]
    fn zero() {
        assert_eq!(fx::todo::double(0), 0);
    }
}
"#;

fn chapters() -> Vec<Chapter<'static>> {
    vec![Chapter {
        id: "01-basics",
        exercises: vec![
            ("good", GOOD, "tests = [\"good::passes\"]"),
            ("todo", TODO, "tests = [\"todo::works\", \"todo::zero\"]"),
        ],
        tests: TESTS,
        solutions: vec![("good", GOOD), ("todo", DOUBLE)],
    }]
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| Fixture::kept("fixture-reports", &chapters()))
}

/// Runs on the fixture share one build and one progress file: they take
/// turns.
static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The fixture graded in `format`, to stdout.
fn grade(format: &str, extra: &[&str]) -> (std::process::Output, String) {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let mut args = vec!["grade", "--format", format];
    args.extend_from_slice(extra);
    let out = fixture().run(&args);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (out, stdout)
}

fn grading_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../grading")
}

#[test]
fn junit_has_one_testcase_per_graded_test() {
    let (_, xml) = grade("junit", &[]);
    assert!(xml.starts_with("<?xml version=\"1.0\""), "{xml}");
    assert_eq!(xml.matches("<testcase ").count(), 3, "{xml}");
    assert_eq!(xml.matches("<failure ").count(), 2, "{xml}");
    assert!(
        xml.contains(r#"<testsuites name="forklings" tests="3" failures="2" errors="0""#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"classname="01-basics.good" name="good::passes""#),
        "{xml}"
    );
    // The runner's words, escaped.
    assert!(xml.contains("not written yet: `todo!()`"), "{xml}");
    assert!(!xml.contains("<twice>"), "{xml}");
    // Every element that opens closes.
    for tag in ["testsuites", "testsuite", "failure", "properties"] {
        assert_eq!(
            xml.matches(&format!("<{tag} ")).count() + xml.matches(&format!("<{tag}>")).count(),
            xml.matches(&format!("</{tag}>")).count(),
            "{tag}: {xml}"
        );
    }
}

#[test]
fn gradescope_results_carry_score_and_tests_and_json_still_works() {
    let out_file = fixture().root().join("gs-results.json");
    let json_file = fixture().root().join("gs-model.json");
    let (_, stdout) = grade(
        "gradescope",
        &[
            "--output",
            out_file.to_str().unwrap(),
            "--json",
            json_file.to_str().unwrap(),
        ],
    );
    assert!(
        stdout.trim().is_empty(),
        "the report went to the file: {stdout}"
    );
    let results: Value = serde_json::from_str(&fs::read_to_string(&out_file).unwrap()).unwrap();
    assert_eq!(results["score"], 10.0, "{results:#}");
    assert_eq!(results["max_score"], 20.0);
    let tests = results["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 3);
    assert_eq!(tests[0]["name"], "01-basics / good: good::passes");
    assert_eq!(tests[0]["status"], "passed");
    assert_eq!(tests[0]["score"], 10.0);
    assert_eq!(tests[0]["max_score"], 10.0);
    assert_eq!(tests[1]["status"], "failed");
    assert_eq!(tests[1]["score"], 0.0);
    assert_eq!(tests[1]["max_score"], 5.0);
    assert!(
        tests[1]["output"]
            .as_str()
            .unwrap()
            .starts_with("not written yet: `todo!()`"),
        "{results:#}"
    );
    let model: Value = serde_json::from_str(&fs::read_to_string(&json_file).unwrap()).unwrap();
    assert_eq!(model["version"], 3);
    assert_eq!(model["points_earned"], 10.0);
}

#[test]
fn the_human_table_and_json_go_where_they_are_told() {
    let (_, table) = grade("human", &[]);
    assert!(table.contains("total: 10 / 20 points"), "{table}");
    let (_, json) = grade("json", &[]);
    let model: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(model["points_possible"], 20.0);
}

/// The workflow's grading step, as GitHub Actions runs it: from the course,
/// on a student's repository checked out beside it. The step output decodes
/// to what the reporter reads: whole points that add up, a failed test's
/// first line in its name, no line numbers.
#[test]
fn the_github_classroom_step_works_here() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let f = fixture();
    let tmp = tempfile::Builder::new()
        .prefix("forklings-classroom-")
        .tempdir()
        .unwrap();
    // The student finished nothing and emptied the tests: only the exercise
    // modules count.
    let student = tmp.path().join("submission");
    copy_tree(f.root(), &student);
    fs::write(student.join("tests/01-basics/main.rs"), "").unwrap();
    let output_file = tmp.path().join("github-output");
    let out = Command::new("bash")
        .arg(grading_dir().join("github/grade.sh"))
        .arg(&student)
        .arg(tmp.path().join("forklings-result.json"))
        .current_dir(tmp.path())
        .env("FORKLINGS_COURSE", f.root())
        .env("FORKLINGS_COURSE_CMD", env!("CARGO_BIN_EXE_course"))
        .env("CARGO_TARGET_DIR", f.root().join("target"))
        .env("GITHUB_OUTPUT", &output_file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let line = fs::read_to_string(&output_file).unwrap();
    let encoded = line.trim().strip_prefix("result=").expect("result=...");
    let encoded_file = tmp.path().join("encoded");
    fs::write(&encoded_file, encoded).unwrap();
    let decoded = Command::new("base64")
        .arg("-d")
        .arg(&encoded_file)
        .output()
        .unwrap();
    let result: Value = serde_json::from_slice(&decoded.stdout).unwrap();
    assert_eq!(result["version"], 1);
    assert_eq!(result["status"], "fail");
    assert!(result["max_score"].is_i64(), "{result:#}");
    assert_eq!(result["max_score"], 20);
    let tests = result["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 3);
    for t in tests {
        assert!(t["score"].is_i64(), "whole points: {t:#}");
        assert_eq!(t["line_no"], 0, "{t:#}");
    }
    assert_eq!(tests[0]["status"], "pass");
    assert_eq!(tests[0]["score"], 10);
    assert_eq!(tests[2]["status"], "fail");
    let failed = tests[1]["name"].as_str().unwrap();
    assert!(failed.contains("todo::works — "), "{failed}");
    assert!(failed.contains("not written yet"), "{failed}");
    assert!(
        tmp.path().join("forklings-report.json").exists(),
        "{}",
        text(&out)
    );
    let report: Value = serde_json::from_str(
        &fs::read_to_string(tmp.path().join("forklings-report.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(report["mode"], "pristine_copy");
    assert!(
        report["problems"]
            .to_string()
            .contains("tests/01-basics/main.rs was changed: ignored"),
        "{report:#}"
    );
    // The workflow shipped runs that very script, from the course, in the
    // job whose check run the reporter updates.
    let workflow = fs::read_to_string(grading_dir().join("github/classroom.yml")).unwrap();
    assert!(workflow.contains("run: bash course/grading/github/grade.sh submission"));
    assert!(workflow.contains("FORKLINGS_RESULTS: \"${{ steps.forklings.outputs.result }}\""));
    let job = workflow
        .split("\n  run-autograding-tests:\n")
        .nth(1)
        .expect("the job run-autograding-tests");
    let own_keys: Vec<&str> = job
        .lines()
        .take_while(|l| l.is_empty() || l.starts_with("    "))
        .filter(|l| l.starts_with("    ") && !l.starts_with("     "))
        .collect();
    assert!(
        !own_keys.iter().any(|l| l.trim_start().starts_with("name:")),
        "a job `name:` renames the check run the reporter looks for: {own_keys:?}"
    );
    assert!(job.contains("ref: ${{ env.COURSE_COMMIT }}"));
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap().flatten() {
        let name = entry.file_name();
        if name == "target" || name == ".forklings" {
            continue;
        }
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&path, &to.join(&name));
        } else {
            fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

/// Gradescope's layout in a temporary folder: the autograder in source/,
/// the course under source/course, a student's zip unpacked in submission/
/// (with a top folder, as zips often have). setup.sh is not run here (it
/// installs Rust system-wide); run_autograder makes its working copy itself.
#[test]
fn run_autograder_grades_a_submission_into_results_json() {
    let tmp = tempfile::Builder::new()
        .prefix("forklings-autograder-")
        .tempdir()
        .unwrap();
    let root = tmp.path();
    let source = root.join("source");
    fs::create_dir_all(&source).unwrap();
    for file in ["setup.sh", "run_autograder"] {
        fs::copy(
            grading_dir().join("gradescope").join(file),
            source.join(file),
        )
        .unwrap();
    }
    copy_tree(fixture().root(), &source.join("course"));
    // The student finished `todo` and emptied the test: only the exercise
    // modules are taken from the submission.
    let student = root.join("submission/forklings-main");
    copy_tree(fixture().root(), &student);
    fs::write(student.join("chapters/01-basics/src/todo.rs"), DOUBLE).unwrap();
    fs::write(student.join("tests/01-basics/main.rs"), "").unwrap();

    let out = Command::new("bash")
        .arg(source.join("run_autograder"))
        .current_dir(root)
        .env("AUTOGRADER_ROOT", root)
        .env("FORKLINGS_COURSE_CMD", env!("CARGO_BIN_EXE_course"))
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let results: Value = serde_json::from_str(
        &fs::read_to_string(root.join("results/results.json"))
            .unwrap_or_else(|e| panic!("no results.json ({e}): {}", text(&out))),
    )
    .unwrap();
    assert_eq!(results["score"], 20.0, "{results:#}");
    assert_eq!(results["max_score"], 20.0);
    assert_eq!(results["tests"].as_array().unwrap().len(), 3);
    let summary = results["output"].as_str().unwrap();
    assert!(
        summary.contains("tests/01-basics/main.rs was changed: ignored"),
        "{summary}"
    );
    assert!(
        summary.contains("graded from a fresh copy of the course"),
        "{summary}"
    );
    // The pristine source was not touched.
    assert_eq!(
        fs::read_to_string(source.join("course/chapters/01-basics/src/todo.rs")).unwrap(),
        TODO
    );

    // No chapters/ at all: still a results.json, with the reason.
    fs::remove_dir_all(root.join("submission")).unwrap();
    fs::create_dir_all(root.join("submission")).unwrap();
    fs::write(root.join("submission/answer.txt"), "42").unwrap();
    let out = Command::new("bash")
        .arg(source.join("run_autograder"))
        .env("AUTOGRADER_ROOT", root)
        .env("FORKLINGS_COURSE_CMD", env!("CARGO_BIN_EXE_course"))
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let results: Value =
        serde_json::from_str(&fs::read_to_string(root.join("results/results.json")).unwrap())
            .unwrap();
    assert_eq!(results["score"], 0);
    assert!(
        results["output"]
            .as_str()
            .unwrap()
            .contains("no chapters/ folder"),
        "{results:#}"
    );
}
