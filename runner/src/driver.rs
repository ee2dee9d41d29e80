//! Running a selection of exercises: one supervised build, then every
//! covered test alone under its own supervisor, several at once, into the
//! result model. Each test is planned once, into one record that carries
//! its spec and its place in the course, and turned into one result.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::aside::{self, Aside};
use crate::cargo_build::{self, Built, CrateKey};
use crate::course::{Course, Exercise, Flavor, GRADED};
use crate::explain;
use crate::guard::{self, Guard};
use crate::isolate::{self, Isolation, Plan};
use crate::results::{self, ExerciseRun, Mode, Problem, Report, Status, TestResult};
use crate::sandbox::{self, Limits, Outcome, TestSpec};

/// How many tests run at once by default: one per core.
pub fn default_jobs() -> usize {
    thread::available_parallelism().map_or(2, |n| n.get())
}

/// What the environment of a graded test holds beyond the few variables of
/// the runner's own it keeps (`sandbox::base_env`).
pub fn test_env(course: &Course) -> Vec<(String, String)> {
    let mut env = sandbox::base_env();
    env.extend([
        ("INSTA_UPDATE".into(), "no".into()),
        (
            "INSTA_WORKSPACE_ROOT".into(),
            course.root.display().to_string(),
        ),
        ("RUST_BACKTRACE".into(), "0".into()),
        // A failing proptest would otherwise write a regression file into
        // the student's tree.
        ("PROPTEST_DISABLE_FAILURE_PERSISTENCE".into(), "1".into()),
    ]);
    env
}

/// The namespaces of a test, where the machine gives them.
pub fn test_isolation() -> Option<Plan> {
    match isolate::probe() {
        Isolation::Namespaces => Some(Plan {
            holder: isolate::holder(),
            ..Plan::test()
        }),
        Isolation::ProcessSweep { .. } => None,
    }
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
            memory: sandbox::MEMORY_CAP,
        },
        args: None,
        harness: true,
        isolation: test_isolation().map(|mut plan| {
            let mut keep = vec![course.root.clone(), cwd.to_path_buf()];
            keep.extend(binary.parent().map(Path::to_path_buf));
            plan.keep = keep;
            plan
        }),
        passthrough: false,
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

/// How a run builds and what it may do to the course it runs in.
#[derive(Debug, Clone)]
pub struct Options {
    pub flavor: Flavor,
    pub jobs: usize,
    /// Where cargo builds; none: the course's own (`cargo_build::target_dir`).
    pub target_dir: Option<PathBuf>,
    /// Where the course comes from, for the report.
    pub mode: Mode,
    /// Seconds the build may take.
    pub build_limit: Duration,
}

impl Options {
    pub fn new(flavor: Flavor, jobs: usize) -> Options {
        Options {
            flavor,
            jobs,
            target_dir: None,
            mode: Mode::InPlace,
            build_limit: cargo_build::BUILD_LIMIT,
        }
    }

    /// A copy the runner made: it may put graded files back, and its build
    /// runs read-only and offline.
    fn is_copy(&self) -> bool {
        self.mode != Mode::InPlace
    }
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
    run_with(course, exercises, &Options::new(flavor, jobs), progress)
}

/// One test to run: its spec and where its result goes.
struct Planned {
    spec: TestSpec,
    exercise: String,
    entry: String,
    chapter: String,
    limit: Duration,
}

impl Planned {
    /// The test's one result record, from its outcome.
    fn result(&self, outcome: &Outcome) -> TestResult {
        let (status, explanation) = explain::verdict(outcome, self.limit);
        TestResult {
            id: self.spec.name.clone(),
            chapter: self.chapter.clone(),
            exercise: self.exercise.clone(),
            entry: self.entry.clone(),
            status,
            points_earned: 0.0,
            points_possible: 0.0,
            duration_ms: outcome.duration_ms,
            output: outcome.output.clone(),
            output_dropped_bytes: outcome.dropped_bytes,
            output_tail: outcome.tail.clone(),
            explanation,
        }
    }
}

/// [`run`] with every option.
pub fn run_with(
    course: &Course,
    exercises: &[&Exercise],
    options: &Options,
    progress: &dyn Progress,
) -> std::io::Result<Report> {
    let started = Instant::now();
    let started_at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let flavor = options.flavor;
    let mut chapter_ids: Vec<String> = Vec::new();
    for ex in exercises {
        if !chapter_ids.contains(&ex.chapter) {
            chapter_ids.push(ex.chapter.clone());
        }
    }
    // Keep the course's order.
    chapter_ids.sort_by_key(|id| course.chapters.iter().position(|c| &c.id == id));
    let crates: Vec<CrateKey> = chapter_ids.iter().map(|c| (c.clone(), flavor)).collect();
    let guard = Guard::new(&course.root);
    let mut problems: Vec<Problem> = Vec::new();
    progress.building(&chapter_ids);
    let built = cargo_build::build_with(
        course,
        &crates,
        &cargo_build::BuildOptions {
            target_dir: options.target_dir.clone(),
            grading_copy: options.is_copy(),
            limit: options.build_limit,
        },
    )?;
    progress.built(&built);
    let changed = guard.check();
    if !changed.is_empty() {
        problems.push(changed_problem(&changed, "the build", options.is_copy()));
        if options.is_copy() {
            guard.restore(&changed)?;
        }
    }

    // A student's chapter that does not build: its broken exercise modules
    // set aside, its other exercises built and graded (see `aside`).
    let mut asides: BTreeMap<String, Aside> = BTreeMap::new();
    let mut aside_failed: BTreeMap<String, String> = BTreeMap::new();
    if flavor == Flavor::Skeleton {
        let target = options
            .target_dir
            .clone()
            .unwrap_or_else(|| cargo_build::target_dir(&course.root));
        for key in crates.iter().filter(|k| !built.binaries.contains_key(*k)) {
            let Some(errors) = built.all_errors.get(key) else {
                continue;
            };
            let chapter = course.chapter(&key.0).expect("a chapter of the course");
            match aside::build(course, chapter, errors, &target, options.is_copy()) {
                Ok(a) => {
                    asides.insert(key.0.clone(), a);
                }
                Err(why) => {
                    aside_failed.insert(key.0.clone(), why);
                }
            }
        }
    }
    // The chapters' other test targets (`[[chapter.target]]`, the loom
    // tests) that hold tests of the selection: one build each.
    let mut extra: BTreeMap<(String, String), Built> = BTreeMap::new();
    for ex in exercises {
        let chapter = course.chapter_of(ex);
        for name in ex.extra_targets() {
            let slot = (chapter.id.clone(), name.to_string());
            let Some(target) = chapter.target(name) else {
                continue;
            };
            if extra.contains_key(&slot) {
                continue;
            }
            let built = cargo_build::build_test_target(
                course,
                &[(chapter.id.clone(), flavor)],
                &cargo_build::BuildOptions {
                    target_dir: options.target_dir.clone(),
                    grading_copy: options.is_copy(),
                    limit: options.build_limit,
                },
                &target.name,
                &target.features,
            )?;
            extra.insert(slot, built);
        }
    }
    if !extra.is_empty() {
        let changed = guard.check();
        if !changed.is_empty() {
            problems.push(changed_problem(&changed, "the build", options.is_copy()));
            if options.is_copy() {
                guard.restore(&changed)?;
            }
        }
    }
    let mut extra_listings: BTreeMap<(String, String), Result<Vec<String>, String>> =
        BTreeMap::new();

    let mut planned: Vec<Planned> = Vec::new();
    let mut fixed: Vec<TestResult> = Vec::new();
    let mut listings: BTreeMap<String, Result<Vec<String>, String>> = BTreeMap::new();
    for ex in exercises {
        let chapter = course.chapter_of(ex);
        let key = (chapter.id.clone(), flavor);
        let cwd = chapter.dir(&course.root, flavor);
        let aside = asides.get(&chapter.id);
        if let Some(error) = aside.and_then(|a| a.set_aside.get(&ex.id)) {
            for entry in &ex.tests {
                let mut t = unrun(
                    ex,
                    &entry.name,
                    &entry.name,
                    Status::DidNotBuild,
                    format!(
                        "{}\n(the chapter's other exercises were built and graded with this file's untouched skeleton in its place)",
                        explain::did_not_build(error)
                    ),
                );
                t.output = error.rendered.clone();
                fixed.push(t);
            }
            continue;
        }
        for entry in &ex.tests {
            if entry.target != GRADED {
                let slot = (chapter.id.clone(), entry.target.clone());
                let of_target = extra.get(&slot);
                let Some(binary) = of_target.and_then(|b| b.binaries.get(&key)) else {
                    let error = of_target.and_then(|b| b.error_of(&key)).cloned();
                    let why = error
                        .as_ref()
                        .map_or_else(|| "did not build".to_string(), explain::did_not_build);
                    let mut t = unrun(ex, &entry.key(), &entry.key(), Status::DidNotBuild, why);
                    t.output = error.map(|e| e.rendered).unwrap_or_default();
                    fixed.push(t);
                    continue;
                };
                let listing = extra_listings
                    .entry(slot)
                    .or_insert_with(|| {
                        cargo_build::list_tests(binary, &cwd).map_err(|e| e.to_string())
                    })
                    .clone();
                let names: Vec<&String> = match &listing {
                    Ok(all) => all.iter().filter(|t| entry.covers(t)).collect(),
                    Err(_) => Vec::new(),
                };
                if names.is_empty() {
                    let why = match &listing {
                        Ok(_) => format!(
                            "the test binary has no test `{}`: the manifest and the tests disagree (tell the course author)",
                            entry.key()
                        ),
                        Err(e) => format!("could not list the tests: {e}"),
                    };
                    fixed.push(unrun(ex, &entry.key(), &entry.key(), Status::Failed, why));
                }
                for name in names {
                    let mut spec = spec(course, binary, &cwd, name, entry.timeout);
                    // Results name the test after its target, as the
                    // manifest's entry does; the binary gets its own name.
                    spec.args = Some(spec.args());
                    spec.name = format!("{}:{name}", entry.target);
                    planned.push(Planned {
                        spec,
                        exercise: ex.id.clone(),
                        entry: entry.key(),
                        chapter: chapter.id.clone(),
                        limit: entry.timeout,
                    });
                }
                continue;
            }
            let binary = built
                .binaries
                .get(&key)
                .or(aside.map(|a| &a.binary))
                .ok_or_else(|| built.error_of(&key).cloned());
            let binary = match binary {
                Ok(binary) => binary,
                Err(error) => {
                    let mut why = error
                        .as_ref()
                        .map_or_else(|| "did not build".to_string(), explain::did_not_build);
                    if let Some(aside_why) = aside_failed.get(&chapter.id) {
                        why.push_str(&format!(
                            "\n(no exercise of the chapter could be graded: {aside_why})"
                        ));
                    }
                    let mut t = unrun(ex, &entry.name, &entry.name, Status::DidNotBuild, why);
                    t.output = error.map(|e| e.rendered).unwrap_or_default();
                    fixed.push(t);
                    continue;
                }
            };
            let listing = listings
                .entry(chapter.id.clone())
                .or_insert_with(|| cargo_build::list_tests(binary, &cwd).map_err(|e| e.to_string()))
                .clone();
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
                planned.push(Planned {
                    spec: spec(course, binary, &cwd, name, entry.timeout),
                    exercise: ex.id.clone(),
                    entry: entry.name.clone(),
                    chapter: chapter.id.clone(),
                    limit: entry.timeout,
                });
            }
        }
    }

    let (mut all, outcomes, tampered) = run_planned(&planned, options, &guard, progress);
    for t in all.iter_mut().filter(|t| asides.contains_key(&t.chapter)) {
        t.explanation = aside::relative_paths(&t.explanation, &course.root);
        t.output = aside::relative_paths(&t.output, &course.root);
    }
    problems.extend(tampered);
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
        let mut chapter = results::chapter_result(
            course,
            chapter_id,
            built.error_of(&key).cloned(),
            built.binaries.contains_key(&key) || asides.contains_key(chapter_id),
            scored,
        );
        if let Some(aside) = asides.get(chapter_id) {
            chapter.set_aside = aside.set_aside.keys().cloned().collect();
        }
        chapters.push(chapter);
    }
    for (p, o) in planned.iter().zip(&outcomes) {
        problems.extend(explain::problem(o, &p.chapter, &p.spec.name));
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
        mode: options.mode,
        isolation: isolate::probe().clone(),
        chapters,
        problems,
    })
}

/// Runs the planned tests, checking the graded files after each. Returns
/// every test's result and outcome (in plan order) and what was found
/// changed.
///
/// A change is found after some test ended, but any test that ran since the
/// last clean check may have made it, and any test that ran meanwhile may
/// have read it. In a grading copy the files are put back at once, and every
/// such test is run again, alone, with a check after each: one that changes
/// a graded file again fails. In a student's tree nothing is put back (the
/// runner never writes there); the tests concerned fail and the change is
/// reported.
fn run_planned(
    planned: &[Planned],
    options: &Options,
    guard: &Guard,
    progress: &dyn Progress,
) -> (Vec<TestResult>, Vec<Outcome>, Vec<Problem>) {
    struct Window {
        started: Instant,
        ended: Instant,
    }
    let windows: Mutex<Vec<Option<Window>>> =
        Mutex::new((0..planned.len()).map(|_| None).collect());
    // (since, found, what): a change found at `found`, made after `since`.
    let changes: Mutex<Vec<(Instant, Instant, Vec<guard::Changed>)>> = Mutex::new(Vec::new());
    let last_clean = Mutex::new(Instant::now());
    let results: Mutex<Vec<Option<TestResult>>> =
        Mutex::new((0..planned.len()).map(|_| None).collect());
    let next = AtomicUsize::new(0);
    let outcomes: Mutex<Vec<Option<Outcome>>> =
        Mutex::new((0..planned.len()).map(|_| None).collect());
    thread::scope(|scope| {
        for _ in 0..options.jobs.max(1).min(planned.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(p) = planned.get(i) else { break };
                    let started = Instant::now();
                    let outcome = sandbox::run_supervised(&p.spec);
                    let ended = Instant::now();
                    {
                        let mut clean = last_clean.lock().expect("no worker panics");
                        let found = guard.check();
                        if !found.is_empty() {
                            if options.is_copy() {
                                let _ = guard.restore(&found);
                            }
                            changes.lock().expect("no worker panics").push((
                                *clean,
                                Instant::now(),
                                found,
                            ));
                        }
                        *clean = Instant::now();
                    }
                    let result = p.result(&outcome);
                    progress.test_done(&result);
                    windows.lock().expect("no worker panics")[i] = Some(Window { started, ended });
                    results.lock().expect("no worker panics")[i] = Some(result);
                    outcomes.lock().expect("no worker panics")[i] = Some(outcome);
                }
            });
        }
    });
    let mut results: Vec<TestResult> = results
        .into_inner()
        .expect("no worker panics")
        .into_iter()
        .map(|r| r.expect("every test ran"))
        .collect();
    let mut outcomes: Vec<Outcome> = outcomes
        .into_inner()
        .expect("no worker panics")
        .into_iter()
        .map(|o| o.expect("every test ran"))
        .collect();
    let changes = changes.into_inner().expect("no worker panics");
    let mut problems = Vec::new();
    if changes.is_empty() {
        return (results, outcomes, problems);
    }
    let windows = windows.into_inner().expect("no worker panics");
    let suspects: Vec<usize> = (0..planned.len())
        .filter(|&i| {
            let w = windows[i].as_ref().expect("every test ran");
            changes
                .iter()
                .any(|(since, found, _)| w.started <= *found && w.ended >= *since)
        })
        .collect();
    let all_changed: Vec<guard::Changed> = changes.into_iter().flat_map(|(_, _, c)| c).collect();
    if !options.is_copy() {
        let what = guard::describe(&all_changed);
        for &i in &suspects {
            results[i].status = Status::Failed;
            results[i].explanation = format!(
                "a graded file changed while this test ran: {what}; a test must not write the course's tests (put them back with git)"
            );
        }
        problems.push(changed_problem(&all_changed, "a test run", false));
        return (results, outcomes, problems);
    }
    // Again, one at a time, each followed by a check.
    for &i in &suspects {
        let p = &planned[i];
        let outcome = sandbox::run_supervised(&p.spec);
        let found = guard.check();
        let mut result = p.result(&outcome);
        if !found.is_empty() {
            let _ = guard.restore(&found);
            result.status = Status::Failed;
            result.explanation = format!(
                "this test changed graded files while it ran: {} (they were put back; the test earns nothing)",
                guard::describe(&found)
            );
            problems.push(Problem {
                kind: "changed_graded_file".into(),
                chapter: Some(p.chapter.clone()),
                message: format!(
                    "{} changed {} while it ran: put back, and the test earns nothing",
                    p.spec.name,
                    guard::describe(&found)
                ),
            });
        }
        results[i] = result;
        outcomes[i] = outcome;
    }
    if problems.is_empty() {
        problems.push(Problem {
            kind: "changed_graded_file".into(),
            chapter: None,
            message: format!(
                "{} changed during the run and was put back; the tests that ran meanwhile were run again",
                guard::describe(&all_changed)
            ),
        });
    }
    (results, outcomes, problems)
}

fn changed_problem(changed: &[guard::Changed], during: &str, put_back: bool) -> Problem {
    Problem {
        kind: "changed_graded_file".into(),
        chapter: None,
        message: format!(
            "{} changed during {during}{}",
            guard::describe(changed),
            if put_back {
                ": the course's own copy was put back"
            } else {
                ""
            }
        ),
    }
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
