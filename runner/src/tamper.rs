//! Tamper checks on a submission, before it is graded:
//!
//! - the graded files (every file under `tests/`, the manifest, the
//!   workspace's `Cargo.toml` and `.cargo/config.toml`) against the hashes
//!   the course author recorded in `pristine.toml` (`[graded]`): a changed,
//!   deleted or added one is reported, and the grade runs on a scratch copy
//!   with the course's own files put back from git (the student's files are
//!   never written);
//! - a chapter crate that reaches into the solutions (a dependency on a
//!   solution crate, a path into `solutions/` in its `Cargo.toml`, an
//!   `include!`-style macro, a `#[path]`, a symlink, or any path naming
//!   `solutions/` in its code) is reported, and that chapter graded zero;
//! - a skeleton whose public API differs from the solution's is reported
//!   with the item that differs.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::api;
use crate::course::{Course, Flavor};
use crate::pristine::{self, Pristine};
use crate::results::Problem;

/// Files outside `tests/` that decide a grade.
const GRADED_EXTRA: [&str; 3] = ["course.toml", "Cargo.toml", ".cargo/config.toml"];

/// Every graded file of the course, relative to the root with `/`, sorted.
pub fn graded_files(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    pristine::walk(root, &root.join("tests"), &mut files);
    for extra in GRADED_EXTRA {
        if root.join(extra).is_file() {
            files.push(extra.to_string());
        }
    }
    files.sort();
    files
}

/// The blob ids of the graded files as they are now (a symlink counts as
/// changed: its id is that of its target's path, never the content's).
pub fn current_graded(root: &Path) -> BTreeMap<String, String> {
    graded_files(root)
        .into_iter()
        .filter_map(|rel| {
            let path = root.join(&rel);
            let meta = fs::symlink_metadata(&path).ok()?;
            let content = if meta.file_type().is_symlink() {
                format!("symlink {}", fs::read_link(&path).ok()?.display()).into_bytes()
            } else {
                fs::read(&path).ok()?
            };
            Some((rel, pristine::blob_id(&content)))
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Changed,
    Deleted,
    Added,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tampered {
    pub path: String,
    pub change: Change,
}

/// The graded files that differ from `[graded]` of pristine.toml.
pub fn tampered(root: &Path, pristine: &Pristine) -> Vec<Tampered> {
    let now = current_graded(root);
    let mut found = Vec::new();
    for (path, id) in &pristine.graded {
        match now.get(path) {
            None => found.push(Tampered {
                path: path.clone(),
                change: Change::Deleted,
            }),
            Some(now_id) if now_id != id => found.push(Tampered {
                path: path.clone(),
                change: Change::Changed,
            }),
            Some(_) => {}
        }
    }
    for path in now.keys() {
        if !pristine.graded.contains_key(path) {
            found.push(Tampered {
                path: path.clone(),
                change: Change::Added,
            });
        }
    }
    found
}

pub fn tamper_problem(t: &Tampered) -> Problem {
    let what = match t.change {
        Change::Changed => "was changed",
        Change::Deleted => "was deleted",
        Change::Added => "is not part of the course",
    };
    Problem {
        kind: "tampered_test".into(),
        chapter: chapter_of_path(&t.path),
        message: format!(
            "{} {what}: the course's own copy was used for the grade",
            t.path
        ),
    }
}

fn chapter_of_path(path: &str) -> Option<String> {
    let mut parts = path.split('/');
    match (parts.next(), parts.next()) {
        (Some("tests" | "chapters" | "solutions"), Some(ch)) if ch != "support" => {
            Some(ch.to_string())
        }
        _ => None,
    }
}

/// Puts the pristine graded files of `pristine` into `dest` (a copy of the
/// course, never the student's tree): changed and deleted ones from git
/// (the blobs are looked up in each of `git_dirs`, first to have it wins),
/// added ones removed.
pub fn restore(
    dest: &Path,
    pristine: &Pristine,
    tampered: &[Tampered],
    git_dirs: &[&Path],
) -> Result<(), String> {
    for t in tampered {
        let path = dest.join(&t.path);
        if let Ok(meta) = fs::symlink_metadata(&path)
            && (meta.is_file() || meta.file_type().is_symlink())
        {
            fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        if t.change == Change::Added {
            continue;
        }
        let id = &pristine.graded[&t.path];
        let content = git_dirs
            .iter()
            .find_map(|dir| pristine::from_git(dir, id).ok())
            .ok_or_else(|| {
                format!(
                    "the course's copy of {} (blob {id}) is not in the git history",
                    t.path
                )
            })?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        fs::write(&path, content).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// Copies the course at `from` into `to` (made anew), leaving out build
/// output, git and the runner's own state. Files get new times, so cargo
/// rebuilds the copy's crates instead of trusting older artifacts.
pub fn copy_course(from: &Path, to: &Path) -> std::io::Result<()> {
    if to.exists() {
        fs::remove_dir_all(to)?;
    }
    copy_dir(from, to)
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)?.flatten() {
        let name = entry.file_name();
        if name == "target" || name == ".git" || name == ".forklings" {
            continue;
        }
        let path = entry.path();
        let meta = fs::symlink_metadata(&path)?;
        if meta.file_type().is_symlink() {
            let target = fs::read_link(&path)?;
            std::os::unix::fs::symlink(target, to.join(&name))?;
        } else if meta.is_dir() {
            copy_dir(&path, &to.join(&name))?;
        } else {
            fs::copy(&path, to.join(&name))?;
        }
    }
    Ok(())
}

/// `a/b/../c` as `a/c`, without asking the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// True when `path` (relative to `base`) lands in the course's solutions.
fn into_solutions(root: &Path, base: &Path, path: &str) -> bool {
    let solutions = normalize(&root.join("solutions"));
    let joined = normalize(&base.join(path));
    if joined.starts_with(&solutions) {
        return true;
    }
    // Through a symlink, or spelled another way.
    let solutions_real = solutions.canonicalize().unwrap_or(solutions);
    joined
        .canonicalize()
        .is_ok_and(|real| real.starts_with(&solutions_real))
}

/// Every way a chapter crate reaches into the solutions, per chapter.
pub fn solution_reach(course: &Course) -> Vec<Problem> {
    let mut problems = Vec::new();
    for chapter in &course.chapters {
        let dir = chapter.dir(&course.root, Flavor::Skeleton);
        let mut found: Vec<String> = Vec::new();
        let manifest = dir.join("Cargo.toml");
        if let Ok(text) = fs::read_to_string(&manifest)
            && let Ok(value) = text.parse::<toml::Table>()
        {
            manifest_reach(
                &course.root,
                &dir,
                &toml::Value::Table(value),
                "",
                &mut found,
            );
        }
        let mut files = Vec::new();
        pristine::walk(&course.root, &dir, &mut files);
        for rel in files {
            let path = course.root.join(&rel);
            // An absolute path: only the link's own target decides.
            if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink())
                && into_solutions(&course.root, &dir, &path.to_string_lossy())
            {
                found.push(format!("{rel} is a link into solutions/"));
                continue;
            }
            if !rel.ends_with(".rs") {
                continue;
            }
            let Ok(source) = fs::read_to_string(&path) else {
                continue;
            };
            let base = path.parent().unwrap_or(&dir).to_path_buf();
            for (line, what) in source_reach(&course.root, &base, &source) {
                found.push(format!("{rel}:{line} {what}"));
            }
        }
        for what in found {
            problems.push(Problem {
                kind: "uses_solution".into(),
                chapter: Some(chapter.id.clone()),
                message: format!(
                    "chapter {} reaches into the solutions ({what}): graded zero",
                    chapter.id
                ),
            });
        }
    }
    problems
}

fn manifest_reach(
    root: &Path,
    dir: &Path,
    value: &toml::Value,
    key: &str,
    found: &mut Vec<String>,
) {
    match value {
        toml::Value::Table(table) => {
            for (k, v) in table {
                manifest_reach(root, dir, v, k, found);
            }
        }
        toml::Value::Array(items) => {
            for v in items {
                manifest_reach(root, dir, v, key, found);
            }
        }
        toml::Value::String(s) => {
            let names_solution = key == "package" && s.ends_with("-solution");
            let path_into =
                matches!(key, "path" | "build" | "workspace") && into_solutions(root, dir, s);
            if names_solution || path_into {
                found.push(format!("Cargo.toml: {key} = \"{s}\""));
            }
        }
        _ => {}
    }
}

/// Lines of a source file that pull in a solution file: `include!`,
/// `include_str!`, `include_bytes!`, `#[path = ...]`, or any string naming
/// a path into `solutions/`.
fn source_reach(root: &Path, base: &Path, source: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in source.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(q) = rest.find('"') {
            let after = &rest[q + 1..];
            let Some(end) = after.find('"') else { break };
            let literal = &after[..end];
            let before = &rest[..q];
            let by_macro = ["include!", "include_str!", "include_bytes!"]
                .iter()
                .any(|m| before.contains(m));
            let by_path = before.contains("path") && before.contains('=');
            if (by_macro || by_path) && into_solutions(root, base, literal)
                || literal.contains("solutions/")
                || literal.ends_with("-solution")
            {
                found.push((n + 1, format!("\"{literal}\"")));
            }
            rest = &after[end + 1..];
        }
    }
    found
}

/// Every public item that differs between a skeleton and its solution, per
/// source file of the solution.
/// Whether the crate whose sources are in `src` declares the module of file
/// `name` (`foo.rs`) public in its `lib.rs` (`lib.rs` itself always is).
fn declares_public_module(src: &Path, name: &str) -> bool {
    let Some(module) = name.strip_suffix(".rs") else {
        return false;
    };
    if module == "lib" {
        return true;
    }
    let Ok(lib) = fs::read_to_string(src.join("lib.rs")) else {
        return true;
    };
    lib.lines().any(|line| {
        let words: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || c == ';' || c == '{')
            .filter(|w| !w.is_empty())
            .collect();
        words.len() >= 3 && words[0] == "pub" && words[1] == "mod" && words[2] == module
    })
}

pub fn api_differences(course: &Course) -> Vec<Problem> {
    let mut problems = Vec::new();
    for chapter in &course.chapters {
        let solution_dir = chapter.dir(&course.root, Flavor::Solution).join("src");
        let skeleton_dir = chapter.dir(&course.root, Flavor::Skeleton).join("src");
        let Ok(entries) = fs::read_dir(&solution_dir) else {
            continue;
        };
        let mut names: BTreeSet<String> = BTreeSet::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".rs") {
                names.insert(name);
            }
        }
        for name in names {
            let rel = format!("chapters/{}/src/{name}", chapter.id);
            let Ok(theirs) = fs::read_to_string(solution_dir.join(&name)) else {
                continue;
            };
            let Ok(ours) = fs::read_to_string(skeleton_dir.join(&name)) else {
                // A private helper module of the reference (a fast path
                // shared by two exercises) is no part of the API a student
                // writes: only the public modules must be in the skeleton.
                if declares_public_module(&solution_dir, &name) {
                    problems.push(api_problem(&chapter.id, format!("{rel} is missing")));
                }
                continue;
            };
            let (only_ours, only_theirs) =
                api::differences(&api::public_items(&ours), &api::public_items(&theirs));
            for item in only_theirs {
                problems.push(api_problem(
                    &chapter.id,
                    format!("{rel}: the public API lacks `{item}`"),
                ));
            }
            for item in only_ours {
                problems.push(api_problem(
                    &chapter.id,
                    format!("{rel}: `{item}` is not in the course's public API"),
                ));
            }
        }
    }
    problems
}

/// Every public item of a submission's exercise modules (relative path to
/// bytes) that differs from the course's solution of that module.
pub fn module_api_differences(
    course: &Course,
    modules: &BTreeMap<String, Vec<u8>>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (rel, bytes) in modules {
        let mut parts = rel.split('/');
        let (Some("chapters"), Some(chapter)) = (parts.next(), parts.next()) else {
            continue;
        };
        let solution = course
            .root
            .join("solutions")
            .join(rel.strip_prefix("chapters/").unwrap_or(rel));
        let Ok(theirs) = fs::read_to_string(solution) else {
            continue;
        };
        let ours = String::from_utf8_lossy(bytes);
        let (only_ours, only_theirs) =
            api::differences(&api::public_items(&ours), &api::public_items(&theirs));
        for item in only_theirs {
            problems.push(api_problem(
                chapter,
                format!("{rel}: the public API lacks `{item}`"),
            ));
        }
        for item in only_ours {
            problems.push(api_problem(
                chapter,
                format!("{rel}: `{item}` is not in the course's public API"),
            ));
        }
    }
    problems
}

fn api_problem(chapter: &str, message: String) -> Problem {
    Problem {
        kind: "api_differs".into(),
        chapter: Some(chapter.to_string()),
        message,
    }
}

/// A submission ready to grade: the course to build (the student's tree,
/// or a scratch copy with the course's graded files put back), what was
/// found, and the chapters graded zero.
pub struct Prepared {
    pub course: Course,
    pub problems: Vec<Problem>,
    pub zero: BTreeSet<String>,
    /// Set when the grade runs on a scratch copy: its own target dir (cargo
    /// must never build two copies of the course in one).
    pub target_dir: Option<PathBuf>,
}

/// Runs every check on the course at `course.root`. When graded files were
/// tampered with, the course is copied to `scratch` and repaired there from
/// git (blobs looked up in the course itself, then in `more_git`).
pub fn prepare(course: &Course, scratch: &Path, more_git: &[&Path]) -> Result<Prepared, String> {
    let mut problems = Vec::new();
    let mut graded = course.clone();
    let mut target_dir = None;
    match pristine::load(&course.root) {
        Err(e) => problems.push(Problem {
            kind: "unchecked".into(),
            chapter: None,
            message: format!("the tests could not be checked against the course's: {e}"),
        }),
        Ok(p) if p.graded.is_empty() => problems.push(Problem {
            kind: "unchecked".into(),
            chapter: None,
            message: format!(
                "the tests could not be checked: {} has no [graded] section",
                pristine::FILE
            ),
        }),
        Ok(p) => {
            let found = tampered(&course.root, &p);
            if !found.is_empty() {
                problems.extend(found.iter().map(tamper_problem));
                let copy = scratch.join("course");
                copy_course(&course.root, &copy)
                    .map_err(|e| format!("could not copy the course to {}: {e}", copy.display()))?;
                let mut git_dirs = vec![course.root.as_path()];
                git_dirs.extend_from_slice(more_git);
                restore(&copy, &p, &found, &git_dirs)?;
                graded = Course::load(&copy)
                    .map_err(|e| format!("the course's manifest, restored, does not load: {e}"))?;
                target_dir = Some(scratch.join("target"));
            }
        }
    }
    let reach = solution_reach(&graded);
    let zero = reach.iter().filter_map(|p| p.chapter.clone()).collect();
    problems.extend(reach);
    problems.extend(api_differences(&graded));
    Ok(Prepared {
        course: graded,
        problems,
        zero,
        target_dir,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_modules_of_the_reference_must_be_in_the_skeleton() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("lib.rs"),
            "//! pub mod commented;\npub mod rlock;\nmod fast_path;\npub mod inline {}\n",
        )
        .unwrap();
        assert!(declares_public_module(dir.path(), "rlock.rs"));
        assert!(declares_public_module(dir.path(), "inline.rs"));
        assert!(declares_public_module(dir.path(), "lib.rs"));
        assert!(!declares_public_module(dir.path(), "fast_path.rs"));
        assert!(!declares_public_module(dir.path(), "commented.rs"));
    }

    #[test]
    fn paths_into_the_solutions_are_found_however_spelled() {
        let root = Path::new("/c");
        let base = Path::new("/c/chapters/01-a/src");
        assert!(into_solutions(
            root,
            base,
            "../../../solutions/01-a/src/x.rs"
        ));
        assert!(into_solutions(root, base, "/c/solutions/01-a/src/x.rs"));
        assert!(!into_solutions(root, base, "x.rs"));
        let found = source_reach(
            root,
            base,
            "mod a;\n#[path = \"../../../solutions/01-a/src/x.rs\"]\nmod x;\nconst S: &str = include_str!(\"../../../solutions/01-a/src/y.rs\");\n// \"solutions/ in a comment\"\nfn f() { let _ = \"ok\"; }\n",
        );
        assert_eq!(
            found.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            vec![2, 4]
        );
    }

    #[test]
    fn a_link_into_the_solutions_is_found() {
        let tmp = std::env::temp_dir().join(format!("forklings-link-{}", std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir_all(tmp.join("solutions/01-a/src")).unwrap();
        fs::create_dir_all(tmp.join("chapters/01-a/src")).unwrap();
        fs::write(tmp.join("solutions/01-a/src/x.rs"), "pub fn x() {}\n").unwrap();
        fs::write(tmp.join("chapters/01-a/src/lib.rs"), "pub mod x;\n").unwrap();
        std::os::unix::fs::symlink(
            "../../../solutions/01-a/src/x.rs",
            tmp.join("chapters/01-a/src/x.rs"),
        )
        .unwrap();
        fs::write(
            tmp.join("course.toml"),
            "format = 1\n[[chapter]]\nid = \"01-a\"\ntitle = \"A\"\n[[chapter.exercise]]\nid = \"x\"\ntitle = \"X\"\npoints = 1\ntests = [\"x::t\"]\n",
        )
        .unwrap();
        let course = Course::load(&tmp).unwrap();
        let found = solution_reach(&course);
        let _ = fs::remove_dir_all(&tmp);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .message
                .contains("chapters/01-a/src/x.rs is a link into solutions/"),
            "{found:?}"
        );
    }
}
