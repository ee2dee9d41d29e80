//! Running a selection of exercises: one build, then every covered test
//! alone under its own supervisor, several at once, into the result model.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::cargo_build::{self, Built, CrateKey};
use crate::course::{Course, Exercise, Flavor};
use crate::explain;
use crate::results::{self, ExerciseRun, Report, Status, TestResult};
use crate::sandbox::{self, Limits, Outcome, TestSpec};

/// How many tests run at once by default: one per core.
pub fn default_jobs() -> usize {
    thread::available_parallelism().map_or(2, |n| n.get())
}

/// What the environment of a graded test holds beyond the runner's own.
pub fn test_env(course: &Course) -> Vec<(String, String)> {
    vec![
        ("INSTA_UPDATE".into(), "no".into()),
        (
            "INSTA_WORKSPACE_ROOT".into(),
            course.root.display().to_string(),
        ),
        ("RUST_BACKTRACE".into(), "0".into()),
        // A failing proptest would otherwise write a regression file into
        // the student's tree.
        ("PROPTEST_DISABLE_FAILURE_PERSISTENCE".into(), "1".into()),
    ]
}

pub fn spec(course: &Course, binary: &Path, cwd: &Path, name: &str, limit: Duration) -> TestSpec {
    TestSpec {
        binary: binary.to_path_buf(),
        name: name.to_string(),
        cwd: cwd.to_path_buf(),
        env: test_env(course),
        limits: Limits {
            wall_ms: limit.as_millis() as u64,
            output_cap: sandbox::OUTPUT_CAP,
            max_processes: sandbox::MAX_PROCESSES,
            address_space: sandbox::ADDRESS_SPACE_CAP,
        },
    }
}

/// Runs every spec, `jobs` at a time, and returns the outcomes in the order
/// of `specs`. `on_done` sees each outcome as it comes in.
pub fn run_specs(
    specs: &[TestSpec],
    jobs: usize,
    on_done: &(dyn Fn(usize, &Outcome) + Sync),
) -> Vec<Outcome> {
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<Outcome>>> = Mutex::new(vec![None; specs.len()]);
    thread::scope(|scope| {
        for _ in 0..jobs.max(1).min(specs.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(spec) = specs.get(i) else { break };
                    let outcome = sandbox::run_supervised(spec);
                    on_done(i, &outcome);
                    slots.lock().expect("no worker panics")[i] = Some(outcome);
                }
            });
        }
    });
    slots
        .into_inner()
        .expect("no worker panics")
        .into_iter()
        .map(|o| o.expect("every spec ran"))
        .collect()
}

/// What the caller hears while a run goes on.
pub trait Progress: Sync {
    fn building(&self, _chapters: &[String]) {}
    fn built(&self, _built: &Built) {}
    fn test_done(&self, _result: &TestResult) {}
}

/// Builds and runs the graded tests of `exercises` against `flavor`, and
/// scores them.
pub fn run(
    course: &Course,
    exercises: &[&Exercise],
    flavor: Flavor,
    jobs: usize,
    progress: &dyn Progress,
) -> std::io::Result<Report> {
    let started = Instant::now();
    let started_at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut chapter_ids: Vec<String> = Vec::new();
    for ex in exercises {
        if !chapter_ids.contains(&ex.chapter) {
            chapter_ids.push(ex.chapter.clone());
        }
    }
    // Keep the course's order.
    chapter_ids.sort_by_key(|id| course.chapters.iter().position(|c| &c.id == id));
    let crates: Vec<CrateKey> = chapter_ids.iter().map(|c| (c.clone(), flavor)).collect();
    progress.building(&chapter_ids);
    let built = cargo_build::build(course, &crates)?;
    progress.built(&built);

    // Which test of which binary each manifest entry covers.
    struct Planned {
        exercise: String,
        entry: String,
        chapter: String,
        limit: Duration,
    }
    let mut specs = Vec::new();
    let mut planned = Vec::new();
    let mut fixed: Vec<TestResult> = Vec::new();
    let mut listings: BTreeMap<String, Result<Vec<String>, String>> = BTreeMap::new();
    for ex in exercises {
        let chapter = course.chapter_of(ex);
        let key = (chapter.id.clone(), flavor);
        let cwd = chapter.dir(&course.root, flavor);
        let Some(binary) = built.binaries.get(&key) else {
            let error = built.error_of(&key).cloned();
            for entry in &ex.tests {
                fixed.push(unrun(
                    ex,
                    &entry.name,
                    &entry.name,
                    Status::DidNotBuild,
                    error
                        .as_ref()
                        .map_or_else(|| "did not build".to_string(), explain::did_not_build),
                ));
            }
            continue;
        };
        let listing = listings
            .entry(chapter.id.clone())
            .or_insert_with(|| cargo_build::list_tests(binary, &cwd).map_err(|e| e.to_string()))
            .clone();
        for entry in &ex.tests {
            let names: Vec<&String> = match &listing {
                Ok(all) => all.iter().filter(|t| entry.covers(t)).collect(),
                Err(_) => Vec::new(),
            };
            if names.is_empty() {
                let why = match &listing {
                    Ok(_) => format!(
                        "the test binary has no test `{}`: the manifest and the tests disagree (tell the course author)",
                        entry.name
                    ),
                    Err(e) => format!("could not list the tests: {e}"),
                };
                fixed.push(unrun(ex, &entry.name, &entry.name, Status::Failed, why));
            }
            for name in names {
                specs.push(spec(course, binary, &cwd, name, entry.timeout));
                planned.push(Planned {
                    exercise: ex.id.clone(),
                    entry: entry.name.clone(),
                    chapter: chapter.id.clone(),
                    limit: entry.timeout,
                });
            }
        }
    }

    let results_of = |i: usize, outcome: &Outcome| {
        let p = &planned[i];
        let (status, explanation) = explain::verdict(outcome, p.limit);
        TestResult {
            id: specs[i].name.clone(),
            chapter: p.chapter.clone(),
            exercise: p.exercise.clone(),
            entry: p.entry.clone(),
            status,
            points_earned: 0.0,
            points_possible: 0.0,
            duration_ms: outcome.duration_ms,
            output: outcome.output.clone(),
            output_dropped_bytes: outcome.dropped_bytes,
            output_tail: outcome.tail.clone(),
            explanation,
        }
    };
    let outcomes = run_specs(&specs, jobs, &|i, outcome| {
        progress.test_done(&results_of(i, outcome));
    });
    let mut all: Vec<TestResult> = outcomes
        .iter()
        .enumerate()
        .map(|(i, o)| results_of(i, o))
        .collect();
    all.extend(fixed);

    let mut chapters = Vec::new();
    for chapter_id in &chapter_ids {
        let key = (chapter_id.clone(), flavor);
        let mut scored = Vec::new();
        for ex in exercises.iter().filter(|e| &e.chapter == chapter_id) {
            let mut tests: BTreeMap<String, Vec<TestResult>> = BTreeMap::new();
            for t in all.iter().filter(|t| t.exercise == ex.id) {
                tests.entry(t.entry.clone()).or_default().push(t.clone());
            }
            scored.push(results::score_exercise(ExerciseRun {
                exercise: ex,
                tests,
            }));
        }
        chapters.push(results::chapter_result(
            course,
            chapter_id,
            built.error_of(&key).cloned(),
            built.binaries.contains_key(&key),
            scored,
        ));
    }
    let earned = chapters.iter().map(|c| c.points_earned).sum();
    let possible = chapters.iter().map(|c| c.points_possible).sum();
    let resources = results::Resources {
        runner_max_rss_kib: sandbox::max_rss_kib(),
        supervisor_max_rss_kib: outcomes
            .iter()
            .map(|o| o.supervisor_max_rss_kib)
            .max()
            .unwrap_or(0),
    };
    Ok(Report {
        resources,
        version: results::VERSION,
        started_at,
        duration_ms: started.elapsed().as_millis() as u64,
        points_earned: results::round2(earned),
        points_possible: possible,
        chapters,
        problems: Vec::new(),
    })
}

fn unrun(ex: &Exercise, id: &str, entry: &str, status: Status, explanation: String) -> TestResult {
    TestResult {
        id: id.to_string(),
        chapter: ex.chapter.clone(),
        exercise: ex.id.clone(),
        entry: entry.to_string(),
        status,
        points_earned: 0.0,
        points_possible: 0.0,
        duration_ms: 0,
        output: String::new(),
        output_dropped_bytes: 0,
        output_tail: String::new(),
        explanation,
    }
}
