//! The runner's commands on small fixture courses: reset and its backup,
//! a broken progress file, manifest errors with line numbers, hints, verify.

mod common;

use std::fs;
use std::path::Path;

use common::{BASICS_TESTS, Chapter, Fixture, GOOD, TODO, text};

fn small() -> Vec<Chapter<'static>> {
    vec![Chapter {
        id: "01-basics",
        exercises: vec![
            (
                "good",
                GOOD,
                "hints = [\"first\", \"second\"]\ntests = [\"good::passes\"]",
            ),
            ("todo", TODO, "tests = [\"todo::works\"]"),
        ],
        tests: BASICS_TESTS,
        solutions: vec![
            ("good", GOOD),
            ("todo", "pub fn double(x: i32) -> i32 {\n    x * 2\n}\n"),
        ],
    }]
}

fn git(root: &Path, args: &[&str]) {
    common::git(root, args);
}

/// `pristine.toml` written with git's own blob ids.
fn write_pristine(root: &Path) {
    common::write_pristine(root, "01-basics", &["good", "todo"]);
}

fn backups(root: &Path) -> Vec<std::path::PathBuf> {
    fs::read_dir(root.join(".forklings/backups/01-basics"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

#[test]
fn reset_keeps_a_backup_and_restores_the_pristine_file() {
    let f = Fixture::new(&small());
    let root = f.root();
    fs::write(root.join(".gitignore"), "target/\n.forklings/\n").unwrap();
    write_pristine(root);
    git(root, &["init", "-q"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "course"]);
    let file = root.join("chapters/01-basics/src/good.rs");
    let student = "pub fn answer() -> i32 {\n    7 // mine\n}\n";
    fs::write(&file, student).unwrap();

    // No terminal and no --yes: refused, nothing touched.
    let out = f.run(&["reset", "good"]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--yes"),
        "{}",
        text(&out)
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), student);
    assert!(backups(root).is_empty());

    let out = f.run(&["reset", "good", "--yes"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(fs::read_to_string(&file).unwrap(), GOOD);
    let kept = backups(root);
    assert_eq!(kept.len(), 1, "{kept:?}");
    let name = kept[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("good-") && name.ends_with("Z.rs"),
        "{name}"
    );
    assert_eq!(fs::read_to_string(&kept[0]).unwrap(), student);

    // Already pristine: nothing to do, no second backup.
    let out = f.run(&["reset", "good", "--yes"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(backups(root).len(), 1);
}

#[test]
fn reset_without_git_history_changes_nothing_and_says_what_to_do() {
    let f = Fixture::new(&small());
    let root = f.root();
    git(root, &["init", "-q"]);
    write_pristine(root); // ids known, but no commit holds the blobs
    let file = root.join("chapters/01-basics/src/good.rs");
    fs::write(&file, "mine").unwrap();
    let out = f.run(&["reset", "good", "--yes"]);
    assert!(!out.status.success(), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Nothing was changed"), "{err}");
    assert!(err.contains("git clone"), "{err}");
    assert_eq!(fs::read_to_string(&file).unwrap(), "mine");
    assert!(backups(root).is_empty());
}

#[test]
fn a_broken_progress_file_is_reported_and_rebuilt() {
    let f = Fixture::new(&small());
    let root = f.root();
    fs::create_dir_all(root.join(".forklings")).unwrap();
    fs::write(root.join(".forklings/progress.json"), "{ not json").unwrap();
    let out = f.run(&[]);
    assert!(out.status.success(), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("progress file was unreadable"), "{err}");
    assert!(err.contains("rebuilding it from a re-check"), "{err}");
    let progress: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(root.join(".forklings/progress.json")).unwrap())
            .unwrap();
    assert_eq!(progress["exercises"]["good"]["done"], true, "{progress}");
    assert_eq!(progress["exercises"]["todo"]["done"], false, "{progress}");
    // The broken file is kept, not thrown away.
    let kept: Vec<_> = fs::read_dir(root.join(".forklings"))
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("progress.json.broken-")
        })
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(fs::read_to_string(kept[0].path()).unwrap(), "{ not json");
    // The table shows what the re-check found, and the next exercise.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("next: todo"), "{stdout}");
}

#[test]
fn manifest_errors_carry_line_numbers() {
    let f = Fixture::new(&small());
    let manifest = fs::read_to_string(f.root().join("course.toml")).unwrap();
    let line = manifest.lines().position(|l| l == "id = \"todo\"").unwrap() + 1;
    fs::write(
        f.root().join("course.toml"),
        manifest.replace("id = \"todo\"", "id = \"missing\""),
    )
    .unwrap();
    let out = f.run(&["list"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("course.toml:{line}: exercise `missing`: its skeleton chapters/01-basics/src/missing.rs does not exist")),
        "{err}"
    );
}

#[test]
fn check_explains_and_hints_come_one_at_a_time() {
    let f = Fixture::new(&small());
    let out = f.run(&["check", "todo"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    // The build (the first one takes a while) is announced, not silent.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("building 01-basics ..."), "{stderr}");
    assert!(stderr.contains("; running tests"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("not written yet: `todo!()` at chapters/01-basics/src/todo.rs:2:5"),
        "{stdout}"
    );
    let first = f.run(&["hint", "good"]);
    assert!(
        String::from_utf8_lossy(&first.stdout).contains("hint 1/2: first"),
        "{}",
        text(&first)
    );
    let second = f.run(&["hint", "good"]);
    assert!(
        String::from_utf8_lossy(&second.stdout).contains("hint 2/2: second"),
        "{}",
        text(&second)
    );
}

#[test]
fn verify_lists_every_problem_and_passes_a_sound_course() {
    let f = Fixture::new(&small());
    // The skeleton of `good` is already solved: a test that passes on the
    // untouched skeleton.
    let out = f.run(&["verify", "--update-pristine", "--runs", "2"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        stdout
            .contains("01-basics: `good::passes` passes on the untouched skeleton (run 1, 2 of 2)"),
        "{stdout}"
    );
    assert!(!stdout.contains("todo::works"), "{stdout}");

    // Unnamed tests and entries that name nothing are found too.
    let manifest = fs::read_to_string(f.root().join("course.toml")).unwrap();
    fs::write(
        f.root().join("course.toml"),
        manifest.replace("tests = [\"good::passes\"]", "tests = [\"good::gone\"]"),
    )
    .unwrap();
    fs::write(
        f.root().join("chapters/01-basics/src/good.rs"),
        "pub fn answer() -> i32 {\n    todo!()\n}\n",
    )
    .unwrap();
    let out = f.run(&["verify", "--runs", "1", "--no-clippy"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        stdout.contains("test `good::passes` is not named in course.toml"),
        "{stdout}"
    );
    assert!(
        stdout.contains("names `good::gone`, but no test"),
        "{stdout}"
    );
    assert!(
        stdout.contains("chapters/01-basics/src/good.rs: differs from pristine.toml"),
        "{stdout}"
    );

    // Put right, it passes.
    fs::write(f.root().join("course.toml"), manifest).unwrap();
    let out = f.run(&["verify", "--update-pristine", "--runs", "2"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("verify: all good"),
        "{}",
        text(&out)
    );
}

#[test]
fn hint_without_a_name_is_the_exercise_worked_on() {
    let f = Fixture::new(&small());
    let out = f.run(&["hint"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("hints for good"), "{}", text(&out));
    assert!(stdout.contains("hint 1/2: first"), "{}", text(&out));
    // Once `good` passes, the next exercise not done is the one worked on.
    let out = f.run(&["check", "good"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = f.run(&["hint"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("hints for todo"), "{}", text(&out));
    assert!(stdout.contains("todo has no hints"), "{}", text(&out));
}

#[test]
fn a_missing_exercise_file_is_named_and_reset_brings_it_back() {
    let f = Fixture::new(&small());
    let root = f.root();
    fs::write(root.join(".gitignore"), "target/\n.forklings/\n").unwrap();
    write_pristine(root);
    git(root, &["init", "-q"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "course"]);
    let file = root.join("chapters/01-basics/src/todo.rs");
    fs::remove_file(&file).unwrap();
    let advice =
        "chapters/01-basics/src/todo.rs is missing (exercise `todo`): `cargo course reset todo`";
    for args in [&["list"][..], &["hint", "good"], &[]] {
        let out = f.run(args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(advice), "{args:?}: {err}");
    }
    // Nothing of the student's is replaced: no question, no backup.
    let out = f.run(&["reset", "todo"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("was missing; the untouched skeleton is back"),
        "{}",
        text(&out)
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), TODO);
    assert!(backups(root).is_empty());
    let out = f.run(&["list"]);
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("missing"),
        "{}",
        text(&out)
    );
}

#[test]
fn the_solution_is_shown_only_after_a_pass() {
    let f = Fixture::new(&small());
    let root = f.root();
    let out = f.run(&["solution", "todo"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("shown once your own passes"), "{stdout}");
    assert!(!stdout.contains("x * 2"), "{stdout}");

    fs::write(
        root.join("chapters/01-basics/src/todo.rs"),
        "pub fn double(x: i32) -> i32 {\n    x + x\n}\n",
    )
    .unwrap();
    let out = f.run(&["check", "todo"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("compare with the reference solution: `cargo course solution todo`"),
        "{}",
        text(&out)
    );
    let out = f.run(&["solution", "todo"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("x * 2"),
        "{}",
        text(&out)
    );

    // A copy of the course without solutions/ has none to show or offer.
    fs::remove_dir_all(root.join("solutions")).unwrap();
    let manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap();
    fs::write(
        root.join("Cargo.toml"),
        manifest.replace(", \"solutions/*\"", ""),
    )
    .unwrap();
    let out = f.run(&["solution", "todo"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("has no reference solution"),
        "{}",
        text(&out)
    );
    let out = f.run(&["check", "todo"]);
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("cargo course solution"),
        "{}",
        text(&out)
    );
}
