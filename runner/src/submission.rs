//! What a grade of record takes from a submission: the exercise modules the
//! manifest names (`chapters/NN-name/src/EXERCISE.rs`), each a plain file of
//! sane size, in UTF-8, with nothing `source_check` refuses. Nothing else of
//! the submission is used; what else it changed (its `Cargo.toml`, a
//! `build.rs`, `.cargo/`, the runner, the tests, the manifest) is listed as
//! ignored, so an instructor sees what was tried.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use crate::course::Course;
use crate::results::Problem;
use crate::source_check;

/// The largest exercise module taken: far above any honest answer.
pub const MODULE_CAP: u64 = 256 * 1024;
/// How many ignored changes are named one by one.
const IGNORED_SHOWN: usize = 12;

/// What was taken from a submission, and what was found.
#[derive(Debug, Default)]
pub struct Intake {
    /// The course root inside the submission (the folder holding
    /// `chapters/`).
    pub root: Option<PathBuf>,
    /// Relative path (`chapters/NN-name/src/EXERCISE.rs`) to its bytes.
    pub modules: BTreeMap<String, Vec<u8>>,
    pub problems: Vec<Problem>,
}

/// Reads the exercise modules of the submission in `submitted` (a course
/// tree, with or without a top folder) for the course `course`.
pub fn take(course: &Course, submitted: &Path) -> Intake {
    let mut intake = Intake::default();
    let Some(root) = find_root(submitted) else {
        intake.problems.push(problem(
            "missing_module",
            None,
            "no chapters/ folder in the submission: every skeleton was graded".into(),
        ));
        return intake;
    };
    for ex in course.exercises() {
        let rel = ex.skeleton_file().to_string_lossy().replace('\\', "/");
        match read_module(&root.join(&rel)) {
            Ok(bytes) => {
                intake.modules.insert(rel, bytes);
            }
            Err((kind, why)) => intake.problems.push(problem(
                kind,
                Some(&ex.chapter),
                format!("{rel} {why}: the untouched skeleton was graded in its place"),
            )),
        }
    }
    intake
        .problems
        .extend(ignored_changes(course, &root, &intake.modules));
    intake.root = Some(root);
    intake
}

/// One module's bytes, or the kind of problem and why it is not taken.
fn read_module(path: &Path) -> Result<Vec<u8>, (&'static str, String)> {
    let meta =
        fs::symlink_metadata(path).map_err(|_| ("missing_module", "is missing".to_string()))?;
    if meta.file_type().is_symlink() {
        return Err(("refused_module", "is a link, not a file".into()));
    }
    if !meta.is_file() {
        return Err(("refused_module", "is not a plain file".into()));
    }
    if meta.len() > MODULE_CAP {
        return Err((
            "refused_module",
            format!(
                "is {} KiB, more than the {} KiB an exercise module may be",
                meta.len() / 1024,
                MODULE_CAP / 1024
            ),
        ));
    }
    let bytes = fs::read(path).map_err(|e| ("refused_module", format!("cannot be read ({e})")))?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| ("refused_module", "is not UTF-8 text".to_string()))?;
    let refused = source_check::refusals(text);
    if let Some(first) = refused.first() {
        let more = match refused.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        return Err((
            "refused_module",
            format!(
                "uses what a graded module may not, at line {}: {}{more}",
                first.line, first.what
            ),
        ));
    }
    Ok(bytes)
}

/// The folder of a submission that holds `chapters/`: the one nearest its
/// top.
pub fn find_root(tree: &Path) -> Option<PathBuf> {
    let mut level = vec![tree.to_path_buf()];
    for _ in 0..4 {
        let mut below = Vec::new();
        for dir in &level {
            if fs::symlink_metadata(dir.join("chapters")).is_ok_and(|m| m.is_dir()) {
                return Some(dir.clone());
            }
            if let Ok(entries) = fs::read_dir(dir) {
                let mut subdirs: Vec<PathBuf> = entries
                    .flatten()
                    .filter(|e| {
                        let name = e.file_name();
                        let name = name.to_string_lossy();
                        !name.starts_with('.') && name != "target"
                    })
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                    .map(|e| e.path())
                    .collect();
                subdirs.sort();
                below.extend(subdirs);
            }
        }
        level = below;
    }
    None
}

/// What the submission changed of the course beyond its exercise modules:
/// each named once, as ignored.
fn ignored_changes(
    course: &Course,
    root: &Path,
    taken: &BTreeMap<String, Vec<u8>>,
) -> Vec<Problem> {
    let theirs = files_that_decide(root);
    let ours: BTreeSet<String> = files_that_decide(&course.root).into_iter().collect();
    let mut changed: Vec<(String, &'static str)> = Vec::new();
    for rel in theirs {
        if taken.contains_key(&rel) {
            continue;
        }
        let mine = course.root.join(&rel);
        let how = if !ours.contains(&rel) {
            "is not part of the course"
        } else if fs::read(&mine).ok() != read_plain(&root.join(&rel)) {
            "was changed"
        } else {
            continue;
        };
        changed.push((rel, how));
    }
    let mut problems: Vec<Problem> = changed
        .iter()
        .take(IGNORED_SHOWN)
        .map(|(rel, how)| {
            problem(
                "ignored_change",
                chapter_of(rel),
                format!("{rel} {how}: ignored (only the exercise modules of a submission are graded; the course's own files were used)"),
            )
        })
        .collect();
    if changed.len() > IGNORED_SHOWN {
        problems.push(problem(
            "ignored_change",
            None,
            format!(
                "and {} more changed files: ignored",
                changed.len() - IGNORED_SHOWN
            ),
        ));
    }
    problems
}

/// The files of a course tree that could decide a grade if they were used:
/// the chapters, the tests, the runner, the manifests and cargo's settings.
fn files_that_decide(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    for folder in ["chapters", "tests", "runner", ".cargo"] {
        walk_all(root, &root.join(folder), &mut files);
    }
    for top in [
        "Cargo.toml",
        "course.toml",
        "pristine.toml",
        "build.rs",
        "rust-toolchain.toml",
        "rust-toolchain",
    ] {
        if fs::symlink_metadata(root.join(top)).is_ok() {
            files.push(top.to_string());
        }
    }
    files.sort();
    files
}

/// Like `pristine::walk`, but hidden entries too (a `.cargo/` inside a
/// chapter counts), `target/` still skipped.
fn walk_all(root: &Path, dir: &Path, into: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name() == "target" || entry.file_name() == ".git" {
            continue;
        }
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk_all(root, &path, into),
            Ok(_) => {
                if let Ok(rel) = path.strip_prefix(root) {
                    into.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
            Err(_) => {}
        }
    }
}

fn read_plain(path: &Path) -> Option<Vec<u8>> {
    fs::symlink_metadata(path)
        .ok()
        .filter(|m| m.is_file())
        .and_then(|_| fs::read(path).ok())
}

fn chapter_of(rel: &str) -> Option<&str> {
    let mut parts = rel.split('/');
    match (parts.next(), parts.next()) {
        (Some("chapters" | "tests"), Some(ch)) if ch != "support" => Some(ch),
        _ => None,
    }
}

fn problem(kind: &str, chapter: Option<&str>, message: String) -> Problem {
    Problem {
        kind: kind.into(),
        chapter: chapter.map(str::to_string),
        message,
    }
}
