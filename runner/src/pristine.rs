//! The untouched skeletons: `pristine.toml` at the course root maps every
//! file under `chapters/` to its git blob id, so `reset` can bring a file
//! back from git and `verify` can tell an edited skeleton.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use serde::Deserialize;

pub const FILE: &str = "pristine.toml";

/// Git's id of a blob: the SHA-1 of `blob <len>\0<content>`.
pub fn blob_id(content: &[u8]) -> String {
    let mut hasher = sha1_smol::Sha1::new();
    hasher.update(format!("blob {}\0", content.len()).as_bytes());
    hasher.update(content);
    hasher.digest().to_string()
}

#[derive(Debug, Default, Deserialize)]
pub struct Pristine {
    #[serde(default)]
    pub format: i64,
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// The graded files (tests, snapshots, manifest): what grading checks a
    /// submission against. Empty in a pristine.toml made before issue 7.
    #[serde(default)]
    pub graded: BTreeMap<String, String>,
}

pub fn load(root: &Path) -> Result<Pristine, String> {
    let path = root.join(FILE);
    let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {FILE}: {e}"))?;
    let pristine: Pristine = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start].matches('\n').count() + 1)
            .unwrap_or(0);
        format!("{FILE}:{line}: {}", e.message().trim())
    })?;
    if pristine.format != 1 {
        return Err(format!("{FILE}: format {} is not 1", pristine.format));
    }
    Ok(pristine)
}

/// Every file of the skeletons, relative to the root with `/`, sorted.
pub fn skeleton_files(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    walk(root, &root.join("chapters"), &mut files);
    // Regular files only: a link is not part of a skeleton.
    files.retain(|rel| fs::symlink_metadata(root.join(rel)).is_ok_and(|m| m.is_file()));
    files.sort();
    files
}

/// Collects everything below `dir` that is not a directory (files and links),
/// relative to `root` with `/`, skipping hidden entries and `target`.
pub fn walk(root: &Path, dir: &Path, into: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name == "target" {
            continue;
        }
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(root, &path, into),
            Ok(_) => {
                if let Ok(rel) = path.strip_prefix(root) {
                    into.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
            Err(_) => {}
        }
    }
}

/// The ids of the skeleton files as they are now.
pub fn current(root: &Path) -> BTreeMap<String, String> {
    skeleton_files(root)
        .into_iter()
        .filter_map(|rel| {
            let content = fs::read(root.join(&rel)).ok()?;
            Some((rel, blob_id(&content)))
        })
        .collect()
}

/// `pristine.toml`'s text for the skeletons and graded files as they are
/// now.
pub fn render(files: &BTreeMap<String, String>, graded: &BTreeMap<String, String>) -> String {
    let mut text = String::from(
        "# The untouched skeletons: every file under chapters/ and its git blob id;\n\
         # and the graded files (tests, snapshots, manifest), which grading checks\n\
         # a submission against and restores from git when they were changed.\n\
         # Made by `cargo course verify --update-pristine` (course authors only);\n\
         # `cargo course verify` checks it and `cargo course reset` restores from it.\n\
         format = 1\n\n[files]\n",
    );
    let line = |text: &mut String, path: &str, id: &str| {
        let key = path.replace('\\', "\\\\").replace('"', "\\\"");
        text.push_str(&format!("\"{key}\" = \"{id}\"\n"));
    };
    for (path, id) in files {
        line(&mut text, path, id);
    }
    text.push_str("\n[graded]\n");
    for (path, id) in graded {
        line(&mut text, path, id);
    }
    text
}

/// What differs between the skeletons and `pristine.toml`.
pub fn problems(root: &Path) -> Vec<String> {
    let pristine = match load(root) {
        Ok(p) => p,
        Err(e) => {
            return vec![format!(
                "{e} (course authors make it with `cargo course verify --update-pristine`)"
            )];
        }
    };
    let now = current(root);
    let mut problems = Vec::new();
    for (path, id) in &pristine.files {
        match now.get(path) {
            None => problems.push(format!("{path}: in {FILE} but missing from the tree")),
            Some(now_id) if now_id != id => problems.push(format!(
                "{path}: differs from {FILE} (a changed skeleton: if on purpose, run `cargo course verify --update-pristine`)"
            )),
            Some(_) => {}
        }
    }
    for path in now.keys() {
        if !pristine.files.contains_key(path) {
            problems.push(format!("{path}: not listed in {FILE}"));
        }
    }
    if pristine.graded.is_empty() {
        problems.push(format!(
            "{FILE} has no [graded] section: grading cannot check the tests (run `cargo course verify --update-pristine`)"
        ));
    }
    for t in crate::tamper::tampered(root, &pristine) {
        problems.push(format!(
            "{}: {} since {FILE} was made (if on purpose, run `cargo course verify --update-pristine`)",
            t.path,
            match t.change {
                crate::tamper::Change::Changed => "changed",
                crate::tamper::Change::Deleted => "deleted",
                crate::tamper::Change::Added => "added",
            }
        ));
    }
    problems
}

/// The pristine content of one blob, from git.
pub fn from_git(root: &Path, id: &str) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .args(["cat-file", "blob", id])
        .current_dir(root)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("could not run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git has no blob {id}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    if blob_id(&out.stdout) != id {
        return Err(format!("git returned a blob that is not {id}"));
    }
    Ok(out.stdout)
}

#[cfg(test)]
mod tests {
    #[test]
    fn blob_ids_are_gits() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(
            super::blob_id(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
        assert_eq!(
            super::blob_id(b""),
            "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
        );
    }
}
