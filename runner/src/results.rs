//! The one result model: what a run found, per test, entry, exercise, chapter
//! and course. Every reporter (the human table, `--json`, and the formats of
//! later issues) reads this and nothing else.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::course::{Course, Exercise};

/// Bumped whenever a field changes meaning or goes away, or a status is
/// added (2: `too_many_processes` and `out_of_memory`; 3: a pass is the
/// harness's verdict, and `mode` and `isolation` say how the grade ran).
pub const VERSION: u32 = 3;

/// Where the course a grade ran on came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The student's own tree, built where it is (`check`, `watch`, `grade`).
    #[default]
    InPlace,
    /// A copy of the student's tree with the course's graded files put back
    /// (`grade` on a tree whose tests were changed).
    RestoredCopy,
    /// A fresh copy of the course with only the student's exercise modules
    /// in it (`grade --submission`, `grade-class`, Gradescope, Classroom).
    PristineCopy,
}

impl Mode {
    pub fn words(self) -> &'static str {
        match self {
            Mode::InPlace => "the student's own tree, as it is",
            Mode::RestoredCopy => {
                "a copy of the student's tree with the course's graded files put back"
            }
            Mode::PristineCopy => {
                "a fresh copy of the course with only the student's exercise modules"
            }
        }
    }
}

fn unknown_isolation() -> crate::isolate::Isolation {
    crate::isolate::Isolation::ProcessSweep {
        why: "not recorded".into(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Status {
    Passed,
    Failed,
    TimedOut,
    /// Killed by a signal; the name is `SIGSEGV`-style.
    Crashed {
        signal: String,
    },
    DidNotBuild,
    /// More processes alive at once than the limit (a fork bomb).
    TooManyProcesses,
    /// An allocation failed at the address-space cap.
    OutOfMemory,
}

impl Status {
    pub fn passed(&self) -> bool {
        *self == Status::Passed
    }
}

/// The first compiler error of a chapter that did not build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompileError {
    pub message: String,
    /// Relative to the course root where possible.
    pub file: Option<String>,
    pub line: Option<u64>,
    pub column: Option<u64>,
    /// rustc's own rendering, with the source excerpt.
    pub rendered: String,
}

/// One test of a graded binary, run alone.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestResult {
    /// The libtest name, `fork_wait::exit_codes_come_back::case_1_zero`.
    pub id: String,
    pub chapter: String,
    pub exercise: String,
    /// The manifest entry that covers this test.
    pub entry: String,
    pub status: Status,
    pub points_earned: f64,
    pub points_possible: f64,
    pub duration_ms: u64,
    /// stdout and stderr, merged, as the test wrote them: the first 64 KiB.
    pub output: String,
    /// Bytes written beyond what `output` keeps.
    pub output_dropped_bytes: u64,
    /// The last few KiB when bytes were dropped, for the summary lines.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub output_tail: String,
    /// What happened, in a student's words.
    pub explanation: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EntryResult {
    pub name: String,
    pub passed: bool,
    pub points_earned: f64,
    pub points_possible: f64,
    pub tests: Vec<TestResult>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExerciseResult {
    pub id: String,
    pub chapter: String,
    pub title: String,
    pub file: String,
    pub done: bool,
    pub points_earned: f64,
    pub points_possible: f64,
    pub entries: Vec<EntryResult>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChapterResult {
    pub id: String,
    pub title: String,
    pub built: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compile_error: Option<CompileError>,
    /// The exercises whose modules did not compile and were set aside (their
    /// untouched skeleton in their place) so that the chapter's other
    /// exercises could be built and graded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set_aside: Vec<String>,
    pub points_earned: f64,
    pub points_possible: f64,
    pub exercises: Vec<ExerciseResult>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub version: u32,
    /// Seconds since the Unix epoch when the run started.
    pub started_at: u64,
    pub duration_ms: u64,
    pub points_earned: f64,
    pub points_possible: f64,
    /// Where the graded course came from.
    #[serde(default)]
    pub mode: Mode,
    /// How the tests were kept apart from the machine.
    #[serde(default = "unknown_isolation")]
    pub isolation: crate::isolate::Isolation,
    pub chapters: Vec<ChapterResult>,
    #[serde(default)]
    pub resources: Resources,
    /// What the runner found wrong with the submission itself (tampered
    /// tests, a chapter reaching into the solutions, a changed public API).
    #[serde(default)]
    pub problems: Vec<Problem>,
}

/// One thing wrong with a submission, beyond its tests' results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// `tampered_test`, `uses_solution`, `api_differs`, `forged_pass`,
    /// `imitated_pass`, `changed_graded_file`, `missing_module`,
    /// `refused_module`, `ignored_change`.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chapter: Option<String>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// What the grading itself cost (not the tests): peak memory in KiB.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Resources {
    pub runner_max_rss_kib: u64,
    pub supervisor_max_rss_kib: u64,
}

impl Report {
    pub fn exercises(&self) -> impl Iterator<Item = &ExerciseResult> {
        self.chapters.iter().flat_map(|c| c.exercises.iter())
    }

    pub fn tests(&self) -> impl Iterator<Item = &TestResult> {
        self.exercises()
            .flat_map(|e| e.entries.iter())
            .flat_map(|e| e.tests.iter())
    }
}

/// The outcome of running one exercise: per manifest entry, the tests that it
/// covered (empty when the binary has no such test), and the chapter's build.
pub struct ExerciseRun<'a> {
    pub exercise: &'a Exercise,
    pub tests: BTreeMap<String, Vec<TestResult>>,
}

/// Shares out points: an entry earns its share when every test it covers
/// passed (and it covers at least one); each test carries an equal part of
/// its entry's share so that sums agree at every level.
pub fn score_exercise(run: ExerciseRun<'_>) -> ExerciseResult {
    let ex = run.exercise;
    let share = ex.entry_share();
    let mut tests = run.tests;
    let entries: Vec<EntryResult> = ex
        .tests
        .iter()
        .map(|entry| {
            let mut covered = tests.remove(&entry.key()).unwrap_or_default();
            let passed = !covered.is_empty() && covered.iter().all(|t| t.status.passed());
            let each = if covered.is_empty() {
                0.0
            } else {
                share / covered.len() as f64
            };
            for t in &mut covered {
                t.points_possible = each;
                t.points_earned = if passed { each } else { 0.0 };
            }
            EntryResult {
                name: entry.key(),
                passed,
                points_earned: if passed { share } else { 0.0 },
                points_possible: share,
                tests: covered,
            }
        })
        .collect();
    let earned: f64 = entries.iter().map(|e| e.points_earned).sum();
    ExerciseResult {
        id: ex.id.clone(),
        chapter: ex.chapter.clone(),
        title: ex.title.clone(),
        file: ex.skeleton_file().display().to_string(),
        done: entries.iter().all(|e| e.passed),
        points_earned: round2(earned),
        points_possible: f64::from(ex.points),
        entries,
    }
}

pub fn chapter_result(
    course: &Course,
    chapter_id: &str,
    compile_error: Option<CompileError>,
    built: bool,
    exercises: Vec<ExerciseResult>,
) -> ChapterResult {
    let chapter = course.chapter(chapter_id).expect("a chapter of the course");
    ChapterResult {
        id: chapter.id.clone(),
        title: chapter.title.clone(),
        built,
        compile_error,
        set_aside: Vec::new(),
        points_earned: round2(exercises.iter().map(|e| e.points_earned).sum()),
        points_possible: exercises.iter().map(|e| e.points_possible).sum(),
        exercises,
    }
}

pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// `7.5`, `10`: points without a needless `.0`.
pub fn fmt_points(x: f64) -> String {
    let r = round2(x);
    if (r - r.round()).abs() < 1e-9 {
        format!("{}", r.round() as i64)
    } else {
        format!("{r:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}

impl Report {
    /// Grades the chapters in `zero` zero: every test failed with `why`.
    pub fn zero_chapters(&mut self, zero: &std::collections::BTreeSet<String>, why: &str) {
        for chapter in self.chapters.iter_mut().filter(|c| zero.contains(&c.id)) {
            for ex in &mut chapter.exercises {
                for entry in &mut ex.entries {
                    for t in &mut entry.tests {
                        t.status = Status::Failed;
                        t.points_earned = 0.0;
                        t.explanation = why.to_string();
                    }
                    entry.passed = false;
                    entry.points_earned = 0.0;
                }
                ex.done = false;
                ex.points_earned = 0.0;
            }
            chapter.points_earned = 0.0;
        }
        self.points_earned = round2(self.chapters.iter().map(|c| c.points_earned).sum());
    }
}
