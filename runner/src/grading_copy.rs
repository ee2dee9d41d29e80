//! The one grading pipeline's copy of the course: made from the course's own
//! files (the instructor's tree), never the submission's, with only the
//! exercise modules of the submission put in (`submission.rs` takes them).
//!
//! What it holds: the workspace's `Cargo.toml` (its members cut to those
//! the copy has), `Cargo.lock`, `course.toml`, `pristine.toml`, the toolchain
//! file, `.cargo/config.toml`, the skeletons (`chapters/`) and the tests
//! (`tests/`, with the harness and the helpers). Not `solutions/` (no trick
//! can read what is not there), not `bench/` (it depends on the solutions),
//! not the runner, the book or the grading scripts.
//!
//! The copy lives in a work folder that stays between grades (`course/` and
//! its own `target/`): a file is written only when its bytes change, so
//! cargo rebuilds only what differs from the last grade there, and every
//! write gives the file a fresh time, so cargo never trusts an artifact
//! built from other bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Files at the top of the course that a copy takes, when they exist.
const TOP_FILES: [&str; 7] = [
    "Cargo.toml",
    "Cargo.lock",
    "course.toml",
    "pristine.toml",
    "rust-toolchain.toml",
    "rust-toolchain",
    ".cargo/config.toml",
];
/// Folders a copy takes whole (but `target/` and hidden entries).
const FOLDERS: [&str; 2] = ["chapters", "tests"];

/// A grading copy: the course at `root`, built into `target`.
#[derive(Debug, Clone)]
pub struct GradingCopy {
    pub root: PathBuf,
    pub target: PathBuf,
}

/// Every file a copy of the course at `course_root` holds, relative, with
/// `/`.
pub fn course_files(course_root: &Path) -> Vec<String> {
    let mut files: Vec<String> = TOP_FILES
        .iter()
        .filter(|f| course_root.join(f).is_file())
        .map(|f| f.to_string())
        .collect();
    for folder in FOLDERS {
        let mut found = Vec::new();
        crate::pristine::walk(course_root, &course_root.join(folder), &mut found);
        files.extend(found);
    }
    files.sort();
    files
}

/// Makes (or brings up to date) the copy in `work` of the course at
/// `course_root`, with `modules` (relative path to bytes) in place of the
/// course's own files.
pub fn make(
    course_root: &Path,
    work: &Path,
    modules: &BTreeMap<String, Vec<u8>>,
) -> Result<GradingCopy, String> {
    let copy = GradingCopy {
        root: work.join("course"),
        target: work.join("target"),
    };
    fs::create_dir_all(&copy.root)
        .map_err(|e| format!("cannot make {}: {e}", copy.root.display()))?;
    fs::create_dir_all(&copy.target)
        .map_err(|e| format!("cannot make {}: {e}", copy.target.display()))?;
    let files = course_files(course_root);
    let wanted: BTreeSet<String> = files.iter().cloned().collect();
    for rel in &files {
        let from = course_root.join(rel);
        let bytes = match modules.get(rel) {
            Some(bytes) => bytes.clone(),
            None if rel == "Cargo.toml" => {
                let text = fs::read_to_string(&from)
                    .map_err(|e| format!("cannot read {}: {e}", from.display()))?;
                workspace_of_copy(&text, &wanted)?.into_bytes()
            }
            None => {
                // A link in the course is copied as what it points at.
                fs::read(&from).map_err(|e| format!("cannot read {}: {e}", from.display()))?
            }
        };
        put(&copy.root.join(rel), &bytes)
            .map_err(|e| format!("cannot write {} in the copy: {e}", rel))?;
    }
    keep_skeletons(course_root, work)?;
    prune(&copy.root, Path::new(""), &wanted)
        .map_err(|e| format!("cannot clean {}: {e}", copy.root.display()))?;
    Ok(copy)
}

/// The folder beside a copy that holds the course's own exercise modules,
/// each named by its git blob id: a chapter whose module does not compile
/// is graded with the untouched skeleton in its place (`aside.rs`), and a
/// copy has no git history to take it from.
const SKELETONS: &str = "skeletons";

fn keep_skeletons(course_root: &Path, work: &Path) -> Result<(), String> {
    let dir = work.join(SKELETONS);
    fs::create_dir_all(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    let mut found = Vec::new();
    crate::pristine::walk(course_root, &course_root.join("chapters"), &mut found);
    for rel in found.iter().filter(|f| f.ends_with(".rs")) {
        let Ok(bytes) = fs::read(course_root.join(rel)) else {
            continue;
        };
        let path = dir.join(crate::pristine::blob_id(&bytes));
        if !path.exists() {
            put(&path, &bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// The course's own file with blob id `id`, kept beside the grading copy
/// at `copy_root`, if there is one.
pub fn skeleton(copy_root: &Path, id: &str) -> Option<Vec<u8>> {
    if !id.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let bytes = fs::read(copy_root.parent()?.join(SKELETONS).join(id)).ok()?;
    (crate::pristine::blob_id(&bytes) == id).then_some(bytes)
}

/// The workspace's `Cargo.toml` for a copy: its members (and default
/// members) cut to those the copy has files of.
fn workspace_of_copy(text: &str, files: &BTreeSet<String>) -> Result<String, String> {
    let mut table: toml::Table = text
        .parse()
        .map_err(|e| format!("the course's Cargo.toml does not parse: {e}"))?;
    let present = |member: &str| {
        let base = member.trim_end_matches("/*").trim_end_matches('/');
        files.iter().any(|f| {
            f.strip_prefix(base)
                .is_some_and(|rest| rest.starts_with('/'))
        })
    };
    if let Some(workspace) = table.get_mut("workspace").and_then(|w| w.as_table_mut()) {
        for key in ["members", "default-members"] {
            if let Some(list) = workspace.get_mut(key).and_then(|m| m.as_array_mut()) {
                list.retain(|m| m.as_str().is_some_and(present));
            }
        }
        if workspace
            .get("default-members")
            .and_then(|m| m.as_array())
            .is_some_and(|m| m.is_empty())
        {
            workspace.remove("default-members");
        }
    }
    Ok(format!(
        "# The course's workspace, its members cut to those of this grading copy.\n{}",
        toml::to_string(&table).map_err(|e| e.to_string())?
    ))
}

/// Writes `bytes` to `path` unless it already holds them.
fn put(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Ok(meta) = fs::symlink_metadata(path) {
        if meta.is_file() && fs::read(path).is_ok_and(|old| old == bytes) {
            return Ok(());
        }
        if meta.is_dir() {
            fs::remove_dir_all(path)?;
        } else {
            fs::remove_file(path)?;
        }
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(path, bytes)
}

/// Removes what is below `root/rel` and not wanted (but the copy's
/// `target/`).
fn prune(root: &Path, rel: &Path, wanted: &BTreeSet<String>) -> std::io::Result<()> {
    let Ok(entries) = fs::read_dir(root.join(rel)) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let child = rel.join(entry.file_name());
        let text = child.to_string_lossy().replace('\\', "/");
        if text == "target" {
            continue;
        }
        let kind = entry.file_type()?;
        if kind.is_dir() {
            prune(root, &child, wanted)?;
            if fs::read_dir(entry.path())?.next().is_none() {
                fs::remove_dir(entry.path())?;
            }
        } else if !wanted.contains(&text) {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_keeps_only_the_members_the_copy_has() {
        let text = "[workspace]\nresolver = \"3\"\nmembers = [\"chapters/*\", \"solutions/*\", \"tests/support\", \"runner\", \"bench\"]\ndefault-members = [\"solutions/*\", \"runner\"]\n\n[workspace.dependencies]\nnix = \"0.31\"\n";
        let files: BTreeSet<String> = [
            "chapters/01-a/Cargo.toml",
            "tests/support/Cargo.toml",
            "Cargo.toml",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let out = workspace_of_copy(text, &files).unwrap();
        let table: toml::Table = out.parse().unwrap();
        let members = table["workspace"]["members"].as_array().unwrap();
        assert_eq!(members.len(), 2, "{out}");
        assert!(table["workspace"].get("default-members").is_none(), "{out}");
        assert_eq!(
            table["workspace"]["dependencies"]["nix"].as_str(),
            Some("0.31")
        );
    }
}
