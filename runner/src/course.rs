//! The course model (chapters, exercises, graded test entries, points) and
//! the reading and checking of `course.toml`, the format AUTHORING.md fixes.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

pub const MANIFEST: &str = "course.toml";
pub const FORMAT: i64 = 1;
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The test target every chapter package declares: the chapter's graded
/// test source.
pub const GRADED: &str = "graded";

#[derive(Debug, Clone)]
pub struct Course {
    /// The directory holding `course.toml`.
    pub root: PathBuf,
    pub chapters: Vec<Chapter>,
}

#[derive(Debug, Clone)]
pub struct Chapter {
    /// The folder name, `01-processes`.
    pub id: String,
    pub title: String,
    pub exercises: Vec<Exercise>,
    /// Test targets of the chapter's crates beside `graded`, each built
    /// with features of its own (`[[chapter.target]]`).
    pub targets: Vec<TestTarget>,
}

/// A test target of both chapter crates besides `graded` (a model checker's
/// tests, say), and the features of the crates it is built with. It is
/// built by a cargo call of its own, since a feature changes the library
/// the `graded` tests would see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestTarget {
    pub name: String,
    pub features: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Exercise {
    /// The module name, `fork_wait`.
    pub id: String,
    pub chapter: String,
    pub title: String,
    pub points: u32,
    pub hints: Vec<String>,
    pub tests: Vec<TestEntry>,
}

/// One `tests = [...]` entry: it covers the libtest test with exactly this
/// name and every test below it (`name::...`).
#[derive(Debug, Clone)]
pub struct TestEntry {
    pub name: String,
    pub timeout: Duration,
    /// The test target whose binary holds the test: [`GRADED`], or one of
    /// the chapter's `[[chapter.target]]`.
    pub target: String,
}

impl TestEntry {
    /// The entry's name in results and reports: the test name, after
    /// `TARGET:` when the test is not in the `graded` binary.
    pub fn key(&self) -> String {
        if self.target == GRADED {
            self.name.clone()
        } else {
            format!("{}:{}", self.target, self.name)
        }
    }

    pub fn covers(&self, test: &str) -> bool {
        test == self.name
            || test
                .strip_prefix(self.name.as_str())
                .is_some_and(|rest| rest.starts_with("::"))
    }
}

/// Which of the two crates of a chapter is meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flavor {
    Skeleton,
    Solution,
}

impl Chapter {
    pub fn package(&self, flavor: Flavor) -> String {
        match flavor {
            Flavor::Skeleton => format!("ch{}", self.id),
            Flavor::Solution => format!("ch{}-solution", self.id),
        }
    }

    pub fn dir(&self, root: &Path, flavor: Flavor) -> PathBuf {
        let folder = match flavor {
            Flavor::Skeleton => "chapters",
            Flavor::Solution => "solutions",
        };
        root.join(folder).join(&self.id)
    }
}

impl Chapter {
    pub fn target(&self, name: &str) -> Option<&TestTarget> {
        self.targets.iter().find(|t| t.name == name)
    }
}

impl Exercise {
    /// The test targets besides `graded` that hold tests of this exercise.
    pub fn extra_targets(&self) -> Vec<&str> {
        let mut found: Vec<&str> = Vec::new();
        for entry in &self.tests {
            if entry.target != GRADED && !found.contains(&entry.target.as_str()) {
                found.push(entry.target.as_str());
            }
        }
        found
    }

    /// The skeleton file, relative to the course root.
    pub fn skeleton_file(&self) -> PathBuf {
        Path::new("chapters")
            .join(&self.chapter)
            .join("src")
            .join(format!("{}.rs", self.id))
    }

    /// The share of the points one test entry earns.
    pub fn entry_share(&self) -> f64 {
        if self.tests.is_empty() {
            0.0
        } else {
            f64::from(self.points) / self.tests.len() as f64
        }
    }
}

impl Course {
    pub fn exercises(&self) -> impl Iterator<Item = &Exercise> {
        self.chapters.iter().flat_map(|c| c.exercises.iter())
    }

    pub fn exercise(&self, id: &str) -> Option<&Exercise> {
        self.exercises().find(|e| e.id == id)
    }

    pub fn chapter(&self, id: &str) -> Option<&Chapter> {
        self.chapters.iter().find(|c| c.id == id)
    }

    pub fn chapter_of(&self, exercise: &Exercise) -> &Chapter {
        self.chapter(&exercise.chapter)
            .expect("an exercise's chapter is in its course")
    }

    pub fn total_points(&self) -> u32 {
        self.exercises().map(|e| e.points).sum()
    }

    /// The course root: the nearest directory, from `start` upwards, that
    /// holds `course.toml`.
    pub fn find_root(start: &Path) -> Option<PathBuf> {
        start
            .ancestors()
            .find(|dir| dir.join(MANIFEST).is_file())
            .map(Path::to_path_buf)
    }

    pub fn load(root: &Path) -> Result<Course, ManifestErrors> {
        let path = root.join(MANIFEST);
        let text = fs::read_to_string(&path).map_err(|e| ManifestErrors {
            errors: vec![ManifestError {
                line: None,
                message: format!("cannot read {}: {e}", path.display()),
            }],
        })?;
        parse(root, &text)
    }

    /// [`Course::load`] for a student's own tree: a missing skeleton file is
    /// not an error but is returned, so that `reset` can bring it back and
    /// every other command can say which file is missing.
    pub fn load_allowing_missing(
        root: &Path,
    ) -> Result<(Course, Vec<MissingSkeleton>), ManifestErrors> {
        let path = root.join(MANIFEST);
        let text = fs::read_to_string(&path).map_err(|e| ManifestErrors {
            errors: vec![ManifestError {
                line: None,
                message: format!("cannot read {}: {e}", path.display()),
            }],
        })?;
        let mut missing = Vec::new();
        let course = parse_with(root, &text, Some(&mut missing))?;
        Ok((course, missing))
    }
}

/// Every problem found in the manifest, each with its line where known.
#[derive(Debug)]
pub struct ManifestErrors {
    pub errors: Vec<ManifestError>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestError {
    pub line: Option<usize>,
    pub message: String,
}

/// An exercise whose skeleton file is not in the tree (deleted or moved by
/// the student): the course still loads for the student's commands, which
/// say so and how to get the file back (`cargo course reset EXERCISE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingSkeleton {
    pub exercise: String,
    /// Relative to the course root, `chapters/01-processes/src/fork_wait.rs`.
    pub file: String,
}

impl MissingSkeleton {
    /// Which file is missing and how to get it back, for every command but
    /// `reset`.
    pub fn advice(&self) -> String {
        format!(
            "{} is missing (exercise `{}`): `cargo course reset {}` puts the untouched skeleton back; \
             if you moved or deleted your own version, `git checkout -- {}` brings back the last one you committed",
            self.file, self.exercise, self.exercise, self.file
        )
    }
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{MANIFEST}:{line}: {}", self.message),
            None => write!(f, "{MANIFEST}: {}", self.message),
        }
    }
}

impl fmt::Display for ManifestErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ManifestErrors {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    format: Option<Spanned<i64>>,
    #[serde(default)]
    chapter: Vec<Spanned<RawChapter>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChapter {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    target: Vec<Spanned<RawTarget>>,
    #[serde(default)]
    exercise: Vec<Spanned<RawExercise>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    name: String,
    #[serde(default)]
    features: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExercise {
    id: Spanned<String>,
    title: String,
    points: u32,
    timeout: Option<Spanned<u64>>,
    #[serde(default)]
    hints: Vec<String>,
    tests: Spanned<Vec<RawTest>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawTest {
    Name(String),
    Table {
        name: String,
        timeout: Option<u64>,
        target: Option<String>,
    },
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Parses and checks a manifest; `root` is where the chapter folders and
/// skeleton files are looked for.
pub fn parse(root: &Path, text: &str) -> Result<Course, ManifestErrors> {
    parse_with(root, text, None)
}

/// [`parse`]; with `missing`, a skeleton file that does not exist is noted
/// there instead of being an error.
fn parse_with(
    root: &Path,
    text: &str,
    mut missing: Option<&mut Vec<MissingSkeleton>>,
) -> Result<Course, ManifestErrors> {
    let raw: RawManifest = toml::from_str(text).map_err(|e| ManifestErrors {
        errors: vec![ManifestError {
            line: e.span().map(|s| line_of(text, s.start)),
            message: e.message().trim().to_string(),
        }],
    })?;
    let mut errors = Vec::new();
    macro_rules! error {
        ($span:expr, $message:expr $(,)?) => {
            errors.push(ManifestError {
                line: Some(line_of(text, $span.start)),
                message: $message,
            })
        };
    }
    match &raw.format {
        None => errors.push(ManifestError {
            line: Some(1),
            message: format!("`format = {FORMAT}` is missing at the top"),
        }),
        Some(format) if *format.get_ref() != FORMAT => error!(
            format.span(),
            format!(
                "format {} is not one this runner reads (it reads format {FORMAT}); update the runner",
                format.get_ref()
            ),
        ),
        Some(_) => {}
    }
    if raw.chapter.is_empty() {
        errors.push(ManifestError {
            line: None,
            message: "no [[chapter]] entries".into(),
        });
    }

    let mut chapters = Vec::new();
    let mut chapter_ids: Vec<String> = Vec::new();
    let mut exercise_ids: Vec<String> = Vec::new();
    for raw_chapter in &raw.chapter {
        let chapter_span = raw_chapter.span();
        let raw_chapter = raw_chapter.get_ref();
        let id = raw_chapter.id.get_ref().clone();
        let id_span = raw_chapter.id.span();
        if !valid_chapter_id(&id) {
            error!(
                id_span.clone(),
                format!("chapter id `{id}` is not a folder name like `01-processes`"),
            );
        } else if !root.join("chapters").join(&id).is_dir() {
            error!(
                id_span.clone(),
                format!("chapter `{id}`: the folder chapters/{id} does not exist"),
            );
        }
        if chapter_ids.contains(&id) {
            error!(id_span.clone(), format!("chapter id `{id}` appears twice"));
        }
        chapter_ids.push(id.clone());
        if raw_chapter.exercise.is_empty() {
            error!(
                chapter_span.clone(),
                format!("chapter `{id}` has no [[chapter.exercise]]"),
            );
        }

        let mut targets: Vec<TestTarget> = Vec::new();
        for raw_target in &raw_chapter.target {
            let span = raw_target.span();
            let raw_target = raw_target.get_ref();
            let name = raw_target.name.clone();
            if name == GRADED || !valid_module_name(&name) {
                error!(
                    span,
                    format!(
                        "chapter `{id}`: target `{name}` must be a test target's name other than `{GRADED}`"
                    ),
                );
            } else if targets.iter().any(|t| t.name == name) {
                error!(
                    span,
                    format!("chapter `{id}`: target `{name}` appears twice")
                );
            } else {
                targets.push(TestTarget {
                    name,
                    features: raw_target.features.clone(),
                });
            }
        }

        let mut exercises = Vec::new();
        for raw_exercise in &raw_chapter.exercise {
            let raw_exercise = raw_exercise.get_ref();
            let ex_id = raw_exercise.id.get_ref().clone();
            let ex_span = raw_exercise.id.span();
            if !valid_module_name(&ex_id) {
                error!(
                    ex_span.clone(),
                    format!("exercise id `{ex_id}` is not a Rust module name"),
                );
            }
            if exercise_ids.contains(&ex_id) {
                error!(
                    ex_span.clone(),
                    format!("exercise id `{ex_id}` appears twice (ids are unique in the course)"),
                );
            }
            exercise_ids.push(ex_id.clone());
            let skeleton = root
                .join("chapters")
                .join(&id)
                .join("src")
                .join(format!("{ex_id}.rs"));
            if valid_chapter_id(&id)
                && !skeleton.is_file()
                && let Some(missing) = missing.as_deref_mut()
            {
                missing.push(MissingSkeleton {
                    exercise: ex_id.clone(),
                    file: format!("chapters/{id}/src/{ex_id}.rs"),
                });
            } else if valid_chapter_id(&id) && !skeleton.is_file() {
                error!(
                    ex_span.clone(),
                    format!(
                        "exercise `{ex_id}`: its skeleton chapters/{id}/src/{ex_id}.rs does not exist"
                    ),
                );
            }
            let timeout = match &raw_exercise.timeout {
                Some(t) if *t.get_ref() == 0 => {
                    error!(
                        t.span(),
                        format!("exercise `{ex_id}`: timeout must be at least 1 second")
                    );
                    DEFAULT_TIMEOUT
                }
                Some(t) => Duration::from_secs(*t.get_ref()),
                None => DEFAULT_TIMEOUT,
            };
            let tests_span = raw_exercise.tests.span();
            if raw_exercise.tests.get_ref().is_empty() {
                error!(
                    tests_span.clone(),
                    format!("exercise `{ex_id}` has no tests: an exercise nobody can pass"),
                );
            }
            let mut tests: Vec<TestEntry> = Vec::new();
            for raw_test in raw_exercise.tests.get_ref() {
                let (name, own_timeout, target) = match raw_test {
                    RawTest::Name(name) => (name.clone(), None, GRADED.to_string()),
                    RawTest::Table {
                        name,
                        timeout,
                        target,
                    } => (
                        name.clone(),
                        *timeout,
                        target.clone().unwrap_or_else(|| GRADED.to_string()),
                    ),
                };
                if target != GRADED && !targets.iter().any(|t| t.name == target) {
                    error!(
                        tests_span.clone(),
                        format!(
                            "exercise `{ex_id}`, test `{name}`: target `{target}` is not one of chapter `{id}`'s (declare it with [[chapter.target]])"
                        ),
                    );
                }
                if name.trim().is_empty() {
                    error!(
                        tests_span.clone(),
                        format!("exercise `{ex_id}`: a test name is empty"),
                    );
                    continue;
                }
                if own_timeout == Some(0) {
                    error!(
                        tests_span.clone(),
                        format!(
                            "exercise `{ex_id}`, test `{name}`: timeout must be at least 1 second"
                        ),
                    );
                }
                if tests.iter().any(|t| t.name == name && t.target == target) {
                    error!(
                        tests_span.clone(),
                        format!("exercise `{ex_id}`: test `{name}` is listed twice"),
                    );
                }
                tests.push(TestEntry {
                    name,
                    timeout: own_timeout
                        .filter(|&t| t > 0)
                        .map_or(timeout, Duration::from_secs),
                    target,
                });
            }
            exercises.push(Exercise {
                id: ex_id,
                chapter: id.clone(),
                title: raw_exercise.title.clone(),
                points: raw_exercise.points,
                hints: raw_exercise.hints.clone(),
                tests,
            });
        }
        chapters.push(Chapter {
            id,
            title: raw_chapter.title.clone(),
            exercises,
            targets,
        });
    }

    if errors.is_empty() {
        Ok(Course {
            root: root.to_path_buf(),
            chapters,
        })
    } else {
        Err(ManifestErrors { errors })
    }
}

fn valid_chapter_id(id: &str) -> bool {
    let mut parts = id.splitn(2, '-');
    let number = parts.next().unwrap_or("");
    let name = parts.next().unwrap_or("");
    number.len() == 2
        && number.bytes().all(|b| b.is_ascii_digit())
        && !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn valid_module_name(id: &str) -> bool {
    let mut bytes = id.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_lowercase() || b == b'_')
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root_with(chapter: &str, exercises: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("chapters").join(chapter).join("src");
        fs::create_dir_all(&src).unwrap();
        for e in exercises {
            fs::write(src.join(format!("{e}.rs")), "").unwrap();
        }
        dir
    }

    const GOOD: &str = r#"format = 1

[[chapter]]
id = "01-basics"
title = "Basics"

[[chapter.exercise]]
id = "add"
title = "Add"
points = 10
timeout = 3
hints = ["one"]
tests = ["add::works", { name = "add::slow", timeout = 20 }]
"#;

    #[test]
    fn a_good_manifest_reads() {
        let dir = root_with("01-basics", &["add"]);
        let course = parse(dir.path(), GOOD).unwrap();
        let ex = course.exercise("add").unwrap();
        assert_eq!(ex.tests[0].timeout, Duration::from_secs(3));
        assert_eq!(ex.tests[1].timeout, Duration::from_secs(20));
        assert_eq!(ex.entry_share(), 5.0);
        assert_eq!(
            course.chapters[0].package(Flavor::Solution),
            "ch01-basics-solution"
        );
    }

    #[test]
    fn an_entry_covers_its_name_and_below() {
        let entry = TestEntry {
            name: "a::b".into(),
            timeout: DEFAULT_TIMEOUT,
            target: GRADED.into(),
        };
        assert!(entry.covers("a::b"));
        assert!(entry.covers("a::b::case_1"));
        assert!(!entry.covers("a::bc"));
        assert!(!entry.covers("a"));
    }

    #[test]
    fn errors_carry_line_numbers() {
        let dir = root_with("01-basics", &["add"]);
        let bad = GOOD
            .replace("format = 1", "format = 2")
            .replace("id = \"add\"", "id = \"missing\"")
            .replace(
                "tests = [\"add::works\", { name = \"add::slow\", timeout = 20 }]",
                "tests = []",
            );
        let errors = parse(dir.path(), &bad).unwrap_err().errors;
        let lines: Vec<_> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![Some(1), Some(8), Some(13)], "{errors:?}");
        assert!(
            errors[1]
                .message
                .contains("chapters/01-basics/src/missing.rs")
        );
    }

    #[test]
    fn syntax_and_type_errors_carry_line_numbers() {
        let dir = root_with("01-basics", &["add"]);
        let bad = GOOD.replace("points = 10", "points = \"ten\"");
        let errors = parse(dir.path(), &bad).unwrap_err().errors;
        assert_eq!(errors[0].line, Some(10), "{errors:?}");
        let bad = GOOD.replace("title = \"Add\"", "title = \"Add\"\ntitel = \"x\"");
        let errors = parse(dir.path(), &bad).unwrap_err().errors;
        assert_eq!(errors[0].line, Some(10), "{errors:?}");
    }

    #[test]
    fn duplicates_are_found() {
        let dir = root_with("01-basics", &["add"]);
        let twice = format!("{GOOD}\n{}", &GOOD["format = 1\n".len()..]);
        let errors = parse(dir.path(), &twice).unwrap_err().errors;
        assert!(
            errors
                .iter()
                .any(|e| e.message.contains("chapter id `01-basics` appears twice"))
        );
        assert!(
            errors
                .iter()
                .any(|e| e.message.contains("exercise id `add` appears twice"))
        );
    }

    #[test]
    fn a_chapter_declares_its_other_test_targets() {
        let dir = root_with("01-basics", &["add"]);
        let with_target = GOOD
            .replace(
                "title = \"Basics\"\n",
                "title = \"Basics\"\n\n[[chapter.target]]\nname = \"loom\"\nfeatures = [\"loom\"]\n",
            )
            .replace(
                "{ name = \"add::slow\", timeout = 20 }",
                "{ name = \"add::slow\", target = \"loom\", timeout = 20 }",
            );
        let course = parse(dir.path(), &with_target).unwrap();
        let chapter = &course.chapters[0];
        assert_eq!(
            chapter.targets,
            vec![TestTarget {
                name: "loom".into(),
                features: vec!["loom".into()]
            }]
        );
        let ex = course.exercise("add").unwrap();
        assert_eq!(ex.tests[0].key(), "add::works");
        assert_eq!(ex.tests[1].key(), "loom:add::slow");
        assert_eq!(ex.extra_targets(), vec!["loom"]);
        let undeclared = GOOD.replace(
            "{ name = \"add::slow\", timeout = 20 }",
            "{ name = \"add::slow\", target = \"miri\" }",
        );
        let errors = parse(dir.path(), &undeclared).unwrap_err().errors;
        assert!(
            errors[0]
                .message
                .contains("target `miri` is not one of chapter `01-basics`'s"),
            "{errors:?}"
        );
    }
}
