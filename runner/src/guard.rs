//! The graded files of a course (its tests, snapshots and manifest), hashed
//! before a run and again after every test, so that a test that writes one
//! (a snapshot rewritten to match, a test source edited for the next build)
//! is caught, and in a grading copy the file is put back at once.
//!
//! In namespaces the course is read-only to a test and nothing can change;
//! the check costs a few milliseconds and also covers the fallback, where
//! a test runs with the runner's own rights.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::pristine::blob_id;

/// A graded file that differs from what it was at the start of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// Relative to the course root, with `/`.
    pub path: String,
    pub how: &'static str,
}

pub struct Guard {
    root: PathBuf,
    /// Each graded file's content at the start (kept to put it back).
    files: BTreeMap<String, Vec<u8>>,
    ids: BTreeMap<String, String>,
}

impl Guard {
    /// The graded files of the course at `root`, as they are now.
    pub fn new(root: &Path) -> Guard {
        let files: BTreeMap<String, Vec<u8>> = crate::tamper::graded_files(root)
            .into_iter()
            .filter_map(|rel| Some((rel.clone(), read_plain(&root.join(&rel))?)))
            .collect();
        let ids = files.iter().map(|(k, v)| (k.clone(), blob_id(v))).collect();
        Guard {
            root: root.to_path_buf(),
            files,
            ids,
        }
    }

    /// What differs now: changed, deleted and added graded files.
    pub fn check(&self) -> Vec<Changed> {
        let mut found = Vec::new();
        let now = crate::tamper::graded_files(&self.root);
        for rel in &now {
            match (self.ids.get(rel), read_plain(&self.root.join(rel))) {
                (None, _) => found.push(Changed {
                    path: rel.clone(),
                    how: "added",
                }),
                (Some(id), Some(bytes)) if blob_id(&bytes) == *id => {}
                (Some(_), _) => found.push(Changed {
                    path: rel.clone(),
                    how: "changed",
                }),
            }
        }
        for rel in self.ids.keys() {
            if !now.contains(rel) {
                found.push(Changed {
                    path: rel.clone(),
                    how: "deleted",
                });
            }
        }
        found
    }

    /// Puts back what `check` found (in a grading copy only: never in a
    /// student's tree).
    pub fn restore(&self, changed: &[Changed]) -> std::io::Result<()> {
        for c in changed {
            let path = self.root.join(&c.path);
            if let Ok(meta) = fs::symlink_metadata(&path)
                && !meta.is_dir()
            {
                fs::remove_file(&path)?;
            }
            if let Some(bytes) = self.files.get(&c.path) {
                if let Some(dir) = path.parent() {
                    fs::create_dir_all(dir)?;
                }
                fs::write(&path, bytes)?;
            }
        }
        Ok(())
    }
}

/// A regular file's content; a link or anything else reads as missing (and
/// so as changed).
fn read_plain(path: &Path) -> Option<Vec<u8>> {
    let meta = fs::symlink_metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    fs::read(path).ok()
}

/// `a, b and c`.
pub fn describe(changed: &[Changed]) -> String {
    let words: Vec<String> = changed
        .iter()
        .map(|c| format!("{} ({})", c.path, c.how))
        .collect();
    match words.len() {
        0 => String::new(),
        1 => words[0].clone(),
        n => format!("{} and {}", words[..n - 1].join(", "), words[n - 1]),
    }
}
