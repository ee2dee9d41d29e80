//! The student's progress, `.forklings/progress.json` at the course root:
//! which exercises are done, their points, and the hints seen. Written
//! atomically; a broken file is reported and rebuilt from a re-check, never
//! silently reset.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::course::{Course, Exercise};
use crate::results::Report;

pub const VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Progress {
    pub version: u32,
    #[serde(default)]
    pub exercises: BTreeMap<String, ExerciseProgress>,
    #[serde(default)]
    pub hints_seen: BTreeMap<String, usize>,
    /// The exercise the student chose to work on (`watch EXERCISE`, a pick
    /// from watch's list), when it is not simply the next one not done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
}

impl Default for Progress {
    fn default() -> Self {
        Progress {
            version: VERSION,
            exercises: BTreeMap::new(),
            hints_seen: BTreeMap::new(),
            current: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExerciseProgress {
    pub done: bool,
    pub points_earned: f64,
    pub points_possible: f64,
    /// Seconds since the Unix epoch of the last check.
    pub checked_at: u64,
}

pub enum Loaded {
    Ok(Progress),
    /// No file yet: a course nobody has started.
    Missing,
    /// A file that cannot be read as progress; the reason says why.
    Broken(String),
}

pub fn dir(root: &Path) -> PathBuf {
    root.join(".forklings")
}

pub fn path(root: &Path) -> PathBuf {
    dir(root).join("progress.json")
}

pub fn load(root: &Path) -> Loaded {
    let path = path(root);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Loaded::Missing,
        Err(e) => return Loaded::Broken(e.to_string()),
    };
    match serde_json::from_str::<Progress>(&text) {
        Ok(p) if p.version == VERSION => Loaded::Ok(p),
        Ok(p) => Loaded::Broken(format!("it has version {}, not {VERSION}", p.version)),
        Err(e) => Loaded::Broken(e.to_string()),
    }
}

/// Keeps a broken file beside the new one, for whoever wants to look.
pub fn set_aside_broken(root: &Path) -> Option<PathBuf> {
    let from = path(root);
    let to = dir(root).join(format!(
        "progress.json.broken-{}",
        crate::clock::utc_stamp()
    ));
    fs::rename(&from, &to).ok().map(|_| to)
}

/// Writes to a temporary file in the same folder, then renames it over the
/// old one: a reader sees the old file or the new one, never half of one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().expect("a file in a folder");
    fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        std::process::id()
    ));
    let mut file = fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&tmp, path)
}

impl Progress {
    pub fn save(&self, root: &Path) -> std::io::Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        write_atomically(&path(root), &json)
    }

    /// Takes in what a check found.
    pub fn record(&mut self, report: &Report) {
        for ex in report.exercises() {
            self.exercises.insert(
                ex.id.clone(),
                ExerciseProgress {
                    done: ex.done,
                    points_earned: ex.points_earned,
                    points_possible: ex.points_possible,
                    checked_at: report.started_at,
                },
            );
        }
    }

    pub fn is_done(&self, exercise: &str) -> bool {
        self.exercises.get(exercise).is_some_and(|p| p.done)
    }

    /// The first exercise, in course order, that is not done.
    pub fn next<'c>(&self, course: &'c Course) -> Option<&'c Exercise> {
        course.exercises().find(|e| !self.is_done(&e.id))
    }

    /// The exercise the student is on: the one they chose, else the next
    /// one not done, else (all done) the last one. What `check` and `hint`
    /// mean without a name.
    pub fn current<'c>(&self, course: &'c Course) -> &'c Exercise {
        self.current
            .as_deref()
            .and_then(|id| course.exercise(id))
            .or_else(|| self.next(course))
            .unwrap_or_else(|| {
                course
                    .exercises()
                    .last()
                    .expect("a valid course has exercises")
            })
    }
}
