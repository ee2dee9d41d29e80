//! The wrong-answer suite: `mistakes/NN-name/EXERCISE.toml` holds answers a
//! student would write, each an edit of the reference solution's module. A
//! wrong answer must lose points and a right one (written differently from
//! the reference) must earn them all; `cargo course verify` proves both.
//!
//! The cases run in a scratch copy of the course in which the solutions stand
//! in for the skeletons, with a target dir of its own that stays between runs
//! so each case rebuilds only its chapter. Several cases share one build when
//! they edit exercises that do not use one another (one case per exercise per
//! chapter in a round), and a case stops at its first failing test: one
//! failure is all a wrong answer has to show, and all a right one may not.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::Instant;

use serde::Deserialize;

use crate::cargo_build::{self, CrateKey};
use crate::course::{Course, Exercise, Flavor, GRADED};
use crate::driver;
use crate::explain;
use crate::sandbox;

/// Where the suite lives, beside `chapters/` and `solutions/`.
pub const DIR: &str = "mistakes";
/// The least a course asks of every exercise and every chapter.
pub const MIN_WRONG_PER_EXERCISE: usize = 3;
pub const MIN_RIGHT_PER_CHAPTER: usize = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Wrong,
    Right,
}

/// One answer of the suite, ready to apply.
#[derive(Debug, Clone)]
pub struct Case {
    pub chapter: String,
    pub exercise: String,
    pub kind: Kind,
    /// 1-based, in the file's order, wrong answers first.
    pub number: usize,
    pub why: String,
    /// The exercise's module with the answer in place of the solution.
    pub module: String,
}

impl Case {
    /// `mistakes/01-processes/fork_wait.toml, wrong #2`.
    pub fn label(&self) -> String {
        let kind = match self.kind {
            Kind::Wrong => "wrong",
            Kind::Right => "right",
        };
        format!(
            "{DIR}/{}/{}.toml, {kind} #{}",
            self.chapter, self.exercise, self.number
        )
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    wrong: Vec<RawCase>,
    #[serde(default)]
    right: Vec<RawCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    why: String,
    #[serde(default)]
    edits: Vec<Edit>,
    module: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Edit {
    find: String,
    replace: String,
}

/// What reading the suite found: the cases, the files that are wrong, and
/// where the suite is thinner than the course asks.
#[derive(Debug, Default)]
pub struct Suite {
    pub cases: Vec<Case>,
    pub problems: Vec<String>,
    pub thin: Vec<String>,
}

/// Reads every case of `course`'s exercises (those `only` names, when given:
/// chapters or exercises).
pub fn load(course: &Course, only: &[String]) -> Suite {
    let mut suite = Suite::default();
    let wanted =
        |ex: &Exercise| only.is_empty() || only.iter().any(|o| *o == ex.id || *o == ex.chapter);
    for chapter in &course.chapters {
        let mut rights = 0;
        let mut any = false;
        for ex in chapter.exercises.iter().filter(|e| wanted(e)) {
            any = true;
            let file = course
                .root
                .join(DIR)
                .join(&chapter.id)
                .join(format!("{}.toml", ex.id));
            let shown = format!("{DIR}/{}/{}.toml", chapter.id, ex.id);
            let text = match fs::read_to_string(&file) {
                Ok(text) => text,
                Err(_) => {
                    suite.thin.push(format!(
                        "{shown}: missing (no wrong answers for `{}`)",
                        ex.id
                    ));
                    continue;
                }
            };
            let raw: RawFile = match toml::from_str(&text) {
                Ok(raw) => raw,
                Err(e) => {
                    suite
                        .problems
                        .push(format!("{shown}: {}", e.message().trim()));
                    continue;
                }
            };
            if raw.wrong.len() < MIN_WRONG_PER_EXERCISE {
                suite.thin.push(format!(
                    "{shown}: {} wrong answer(s), the course asks for {MIN_WRONG_PER_EXERCISE}",
                    raw.wrong.len()
                ));
            }
            rights += raw.right.len();
            let solution_file = chapter
                .dir(&course.root, Flavor::Solution)
                .join("src")
                .join(format!("{}.rs", ex.id));
            let solution = match fs::read_to_string(&solution_file) {
                Ok(s) => s,
                Err(e) => {
                    suite.problems.push(format!(
                        "{shown}: cannot read the solution module {}: {e}",
                        solution_file.display()
                    ));
                    continue;
                }
            };
            let kinds = raw
                .wrong
                .into_iter()
                .map(|c| (Kind::Wrong, c))
                .chain(raw.right.into_iter().map(|c| (Kind::Right, c)));
            for (number, (kind, raw_case)) in (1..).zip(kinds) {
                let mut case = Case {
                    chapter: chapter.id.clone(),
                    exercise: ex.id.clone(),
                    kind,
                    number,
                    why: raw_case.why.trim().to_string(),
                    module: String::new(),
                };
                match apply(&solution, &raw_case, &file) {
                    Ok(module) => {
                        case.module = module;
                        suite.cases.push(case);
                    }
                    Err(e) => suite.problems.push(format!("{}: {e}", case.label())),
                }
            }
        }
        if any && only.is_empty() && rights < MIN_RIGHT_PER_CHAPTER {
            suite.thin.push(format!(
                "{}: {rights} right answer(s) written differently, the course asks for {MIN_RIGHT_PER_CHAPTER}",
                chapter.id
            ));
        }
    }
    suite
}

/// The module text of one case: the solution with its edits made, or the
/// module file it names.
fn apply(solution: &str, case: &RawCase, file: &Path) -> Result<String, String> {
    if case.why.trim().is_empty() {
        return Err("`why` is empty: say what is wrong (or right) about this answer".into());
    }
    if let Some(module) = &case.module {
        if !case.edits.is_empty() {
            return Err("give `edits` or `module`, not both".into());
        }
        if module.contains('/') || module.contains("..") {
            return Err(format!(
                "`module = \"{module}\"` must name a file beside {}",
                file.display()
            ));
        }
        let path = file.with_file_name(module);
        return fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()));
    }
    if case.edits.is_empty() {
        return Err("no `edits` and no `module`: the answer would be the solution itself".into());
    }
    let mut text = solution.to_string();
    for (i, edit) in case.edits.iter().enumerate() {
        let found = text.matches(edit.find.as_str()).count();
        if found != 1 {
            return Err(format!(
                "edit {}: `find` occurs {found} times in the solution module (it must occur once): {:?}",
                i + 1,
                edit.find
            ));
        }
        text = text.replacen(edit.find.as_str(), &edit.replace, 1);
    }
    if text == solution {
        return Err("the edits change nothing".into());
    }
    Ok(text)
}

/// What became of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A wrong answer lost points: the first test that failed, and why.
    Caught { test: String, why: String },
    /// A wrong answer earned every point.
    Missed,
    /// A right answer earned every point.
    Accepted,
    /// A right answer lost points.
    Rejected { test: String, why: String },
    /// The answer does not compile (on its own).
    DidNotCompile { error: String },
    /// The runner could not try it.
    NotRun { why: String },
}

impl Verdict {
    /// Whether the case holds: wrong answers caught, right ones accepted.
    pub fn holds(&self) -> bool {
        matches!(self, Verdict::Caught { .. } | Verdict::Accepted)
    }
}

/// Runs every case. `scratch` is a folder of the suite's own that may stay
/// between runs (`course/` and `target/` go there); `on_case` hears each
/// verdict as it comes.
pub fn check(
    course: &Course,
    cases: &[Case],
    scratch: &Path,
    jobs: usize,
    on_case: &(dyn Fn(&Case, &Verdict) + Sync),
) -> Result<Vec<Verdict>, String> {
    let copy_root = scratch.join("course");
    let target = scratch.join("target");
    sync_copy(&course.root, &copy_root)
        .map_err(|e| format!("could not copy the course to {}: {e}", copy_root.display()))?;
    let copy =
        Course::load(&copy_root).map_err(|e| format!("the copied course does not load: {e}"))?;
    let related = related_exercises(&copy);

    let mut verdicts: Vec<Option<Verdict>> = vec![None; cases.len()];
    // Cases that must be built alone: their round's build failed.
    let mut solo: BTreeSet<usize> = BTreeSet::new();
    loop {
        let round = plan_round(cases, &verdicts, &solo, &related);
        if round.is_empty() {
            break;
        }
        for &i in &round {
            write_module(&copy_root, &cases[i], &cases[i].module)
                .map_err(|e| format!("cannot write {}'s module: {e}", cases[i].label()))?;
        }
        let mut chapters: Vec<String> = round.iter().map(|&i| cases[i].chapter.clone()).collect();
        chapters.sort();
        chapters.dedup();
        let crates: Vec<CrateKey> = chapters
            .iter()
            .map(|c| (c.clone(), Flavor::Skeleton))
            .collect();
        let built = cargo_build::build_in(&copy, &crates, Some(&target))
            .map_err(|e| format!("could not run cargo: {e}"))?;
        let extra = build_extra_targets(&copy, cases, &round, &target)?;
        let mut runnable = Vec::new();
        for &i in &round {
            let key = (cases[i].chapter.clone(), Flavor::Skeleton);
            if built.binaries.contains_key(&key) {
                runnable.push(i);
                continue;
            }
            let alone = round
                .iter()
                .filter(|&&j| cases[j].chapter == cases[i].chapter)
                .count()
                == 1;
            if alone || solo.contains(&i) {
                let error = built.error_of(&key).map_or_else(
                    || "cargo built no test binary".to_string(),
                    |e| e.rendered.lines().take(12).collect::<Vec<_>>().join("\n"),
                );
                let verdict = Verdict::DidNotCompile { error };
                on_case(&cases[i], &verdict);
                verdicts[i] = Some(verdict);
            } else {
                // Someone in this chapter's round broke the build: try each
                // of them alone to find whom.
                solo.insert(i);
            }
        }
        let found = run_round(&copy, &built, &extra, cases, &runnable, jobs);
        for (i, verdict) in found {
            on_case(&cases[i], &verdict);
            verdicts[i] = Some(verdict);
        }
        // Put the solutions back, so a later round starts from them.
        for &i in &round {
            let solution = solution_of(&course.root, &cases[i]);
            write_module(&copy_root, &cases[i], &solution)
                .map_err(|e| format!("cannot restore {}'s module: {e}", cases[i].exercise))?;
        }
    }
    Ok(verdicts
        .into_iter()
        .map(|v| {
            v.unwrap_or(Verdict::NotRun {
                why: "never scheduled".into(),
            })
        })
        .collect())
}

/// The next cases to build together: per chapter, at most one case per
/// exercise and no two exercises of which one uses the other; a case marked
/// `solo` alone in its chapter.
fn plan_round(
    cases: &[Case],
    verdicts: &[Option<Verdict>],
    solo: &BTreeSet<usize>,
    related: &HashMap<String, BTreeSet<String>>,
) -> Vec<usize> {
    let mut round = Vec::new();
    let mut taken: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut solo_chapters: BTreeSet<&str> = BTreeSet::new();
    for (i, case) in cases.iter().enumerate() {
        if verdicts[i].is_some() || solo_chapters.contains(case.chapter.as_str()) {
            continue;
        }
        let in_chapter = taken.entry(case.chapter.as_str()).or_default();
        if solo.contains(&i) {
            if in_chapter.is_empty() {
                in_chapter.push(case.exercise.as_str());
                solo_chapters.insert(case.chapter.as_str());
                round.push(i);
            }
            continue;
        }
        let clash = in_chapter.iter().any(|other| {
            *other == case.exercise
                || related
                    .get(&case.exercise)
                    .is_some_and(|r| r.contains(*other))
        });
        if !clash {
            in_chapter.push(case.exercise.as_str());
            round.push(i);
        }
    }
    round
}

/// The other test targets (`[[chapter.target]]`, such as the loom tests)
/// that hold tests of an exercise some case of `round` edits, built for the
/// skeleton crates of its chapter: by (chapter, target).
fn build_extra_targets(
    copy: &Course,
    cases: &[Case],
    round: &[usize],
    target_dir: &Path,
) -> Result<ExtraBuilds, String> {
    let mut wanted: BTreeSet<(String, String)> = BTreeSet::new();
    for &i in round {
        if let Some(ex) = copy.exercise(&cases[i].exercise) {
            for name in ex.extra_targets() {
                wanted.insert((cases[i].chapter.clone(), name.to_string()));
            }
        }
    }
    let mut extra = ExtraBuilds::new();
    for (chapter_id, name) in wanted {
        let Some(target) = copy.chapter(&chapter_id).and_then(|c| c.target(&name)) else {
            continue;
        };
        let built = cargo_build::build_test_target(
            copy,
            &[(chapter_id.clone(), Flavor::Skeleton)],
            &cargo_build::BuildOptions {
                target_dir: Some(target_dir.to_path_buf()),
                grading_copy: false,
                limit: cargo_build::BUILD_LIMIT,
            },
            &target.name,
            &target.features,
        )
        .map_err(|e| format!("could not run cargo: {e}"))?;
        extra.insert((chapter_id, name), built);
    }
    Ok(extra)
}

/// Builds of the chapters' other test targets, by (chapter, target).
type ExtraBuilds = HashMap<(String, String), cargo_build::Built>;

/// Runs the tests of each case in `round`, `jobs` at a time, stopping a case
/// at its first failing test.
fn run_round(
    copy: &Course,
    built: &cargo_build::Built,
    extra: &ExtraBuilds,
    cases: &[Case],
    round: &[usize],
    jobs: usize,
) -> Vec<(usize, Verdict)> {
    struct Job {
        case: usize,
        spec: sandbox::TestSpec,
        limit: std::time::Duration,
    }
    let mut per_case: Vec<Vec<Job>> = Vec::new();
    let mut early: Vec<(usize, Verdict)> = Vec::new();
    for &i in round {
        let case = &cases[i];
        let chapter = copy
            .chapter(&case.chapter)
            .expect("a chapter of the course");
        let key = (case.chapter.clone(), Flavor::Skeleton);
        let cwd = chapter.dir(&copy.root, Flavor::Skeleton);
        let Some(ex) = copy.exercise(&case.exercise) else {
            early.push((
                i,
                Verdict::NotRun {
                    why: "the exercise is not in course.toml".into(),
                },
            ));
            continue;
        };
        let mut jobs_of = Vec::new();
        let mut broken: Option<Verdict> = None;
        for entry in &ex.tests {
            let of_target = if entry.target == GRADED {
                Some(built)
            } else {
                extra.get(&(case.chapter.clone(), entry.target.clone()))
            };
            let Some(binary) = of_target.and_then(|b| b.binaries.get(&key)) else {
                // The graded target built (or the case would not be here):
                // this one did not.
                let error = of_target.and_then(|b| b.error_of(&key)).map_or_else(
                    || "cargo built no test binary".to_string(),
                    |e| e.rendered.lines().take(12).collect::<Vec<_>>().join("\n"),
                );
                broken = Some(Verdict::DidNotCompile {
                    error: format!("test target `{}`: {error}", entry.target),
                });
                break;
            };
            let listing = match cargo_build::list_tests(binary, &cwd) {
                Ok(l) => l,
                Err(e) => {
                    broken = Some(Verdict::NotRun {
                        why: format!("could not list the tests: {e}"),
                    });
                    break;
                }
            };
            for name in listing.iter().filter(|t| entry.covers(t)) {
                let mut spec = driver::spec(copy, binary, &cwd, name, entry.timeout);
                if entry.target != GRADED {
                    spec.args = Some(spec.args());
                    spec.name = format!("{}:{name}", entry.target);
                }
                jobs_of.push(Job {
                    case: i,
                    spec,
                    limit: entry.timeout,
                });
            }
        }
        if let Some(verdict) = broken {
            early.push((i, verdict));
            continue;
        }
        per_case.push(jobs_of);
    }
    // Interleaved, so the first test of every case starts early and one
    // failure settles a case while the rest of its tests are still queued.
    let mut queues: Vec<std::collections::VecDeque<Job>> =
        per_case.into_iter().map(Into::into).collect();
    let mut flat: Vec<Job> = Vec::new();
    while queues.iter().any(|q| !q.is_empty()) {
        for q in &mut queues {
            flat.extend(q.pop_front());
        }
    }
    let failed: HashMap<usize, AtomicBool> =
        round.iter().map(|&i| (i, AtomicBool::new(false))).collect();
    let first_failure: Mutex<HashMap<usize, (String, String)>> = Mutex::new(HashMap::new());
    let next = AtomicUsize::new(0);
    thread::scope(|scope| {
        for _ in 0..jobs.max(1).min(flat.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::SeqCst);
                    let Some(job) = flat.get(k) else { break };
                    if failed[&job.case].load(Ordering::SeqCst) {
                        continue;
                    }
                    let outcome = sandbox::run_supervised(&job.spec);
                    let (status, words) = explain::verdict(&outcome, job.limit);
                    if !status.passed() {
                        failed[&job.case].store(true, Ordering::SeqCst);
                        let first_line = words.lines().next().unwrap_or("").to_string();
                        first_failure
                            .lock()
                            .expect("no worker panics")
                            .entry(job.case)
                            .or_insert((job.spec.name.clone(), first_line));
                    }
                }
            });
        }
    });
    let first_failure = first_failure.into_inner().expect("no worker panics");
    let mut out = early;
    for &i in round {
        if out.iter().any(|(j, _)| *j == i) {
            continue;
        }
        let verdict = match (cases[i].kind, first_failure.get(&i)) {
            (Kind::Wrong, Some((test, why))) => Verdict::Caught {
                test: test.clone(),
                why: why.clone(),
            },
            (Kind::Wrong, None) => Verdict::Missed,
            (Kind::Right, None) => Verdict::Accepted,
            (Kind::Right, Some((test, why))) => Verdict::Rejected {
                test: test.clone(),
                why: why.clone(),
            },
        };
        out.push((i, verdict));
    }
    out
}

/// For every exercise, the other exercises of its chapter whose tests can
/// see a change to it, or to which it is visible: those it uses or that use
/// it, directly or not (a `crate::X` or `super::X` in its solution module, an
/// `X::` path in its test source).
fn related_exercises(course: &Course) -> HashMap<String, BTreeSet<String>> {
    let mut uses: HashMap<String, BTreeSet<String>> = HashMap::new();
    for chapter in &course.chapters {
        let ids: Vec<&str> = chapter.exercises.iter().map(|e| e.id.as_str()).collect();
        for ex in &chapter.exercises {
            let module = fs::read_to_string(
                chapter
                    .dir(&course.root, Flavor::Skeleton)
                    .join("src")
                    .join(format!("{}.rs", ex.id)),
            )
            .unwrap_or_default();
            let tests = fs::read_to_string(
                course
                    .root
                    .join("tests")
                    .join(&chapter.id)
                    .join(format!("{}.rs", ex.id)),
            )
            .unwrap_or_default();
            let mut set = BTreeSet::new();
            for other in ids.iter().filter(|o| **o != ex.id) {
                let in_module = [format!("crate::{other}"), format!("super::{other}")]
                    .iter()
                    .any(|p| mentions(&module, p));
                let in_tests = mentions(&tests, &format!("::{other}::"))
                    || mentions(&tests, &format!("::{other};"))
                    || mentions(&tests, &format!("::{other}::{{"));
                if in_module || in_tests {
                    set.insert(other.to_string());
                }
            }
            uses.insert(ex.id.clone(), set);
        }
    }
    // Closed under "uses, directly or not", then made symmetric.
    let mut closed: HashMap<String, BTreeSet<String>> = HashMap::new();
    for start in uses.keys() {
        let mut seen = BTreeSet::new();
        let mut stack = vec![start.clone()];
        while let Some(at) = stack.pop() {
            for next in uses.get(&at).into_iter().flatten() {
                if next != start && seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        closed.insert(start.clone(), seen);
    }
    let mut related = closed.clone();
    for (a, set) in &closed {
        for b in set {
            related.entry(b.clone()).or_default().insert(a.clone());
        }
    }
    related
}

/// Whether `text` has `path` as a whole path (not the tail of a longer name).
fn mentions(text: &str, path: &str) -> bool {
    text.match_indices(path).any(|(at, _)| {
        let end = at + path.len();
        let next = text[end..].chars().next();
        let ends_name = path.ends_with(|c: char| c.is_alphanumeric() || c == '_');
        !ends_name || !next.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

fn solution_of(root: &Path, case: &Case) -> String {
    fs::read_to_string(
        root.join("solutions")
            .join(&case.chapter)
            .join("src")
            .join(format!("{}.rs", case.exercise)),
    )
    .unwrap_or_default()
}

fn write_module(copy_root: &Path, case: &Case, text: &str) -> std::io::Result<()> {
    let path = copy_root
        .join("chapters")
        .join(&case.chapter)
        .join("src")
        .join(format!("{}.rs", case.exercise));
    fs::write(path, text)
}

/// Makes `to` a copy of the course at `from` with the solutions' sources in
/// place of the skeletons'. A file whose bytes are already right is left
/// alone, so cargo sees an unchanged time and rebuilds nothing for it.
fn sync_copy(from: &Path, to: &Path) -> std::io::Result<()> {
    let mut wanted = BTreeSet::new();
    mirror(from, to, Path::new(""), &mut wanted)?;
    let solutions = from.join("solutions");
    if let Ok(entries) = fs::read_dir(&solutions) {
        for entry in entries.flatten() {
            let chapter = entry.file_name();
            let src = entry.path().join("src");
            let mut files = Vec::new();
            crate::pristine::walk(&src, &src, &mut files);
            for rel in files {
                let dest = Path::new("chapters").join(&chapter).join("src").join(&rel);
                put(&src.join(&rel), &to.join(&dest))?;
                wanted.insert(dest);
            }
        }
    }
    prune(to, Path::new(""), &wanted)
}

/// Copies every file below `from` (but `target/`, `.git/` and the student's
/// `.forklings/`) to the same place below `to`, noting each in `wanted`.
fn mirror(
    from: &Path,
    to: &Path,
    rel: &Path,
    wanted: &mut BTreeSet<PathBuf>,
) -> std::io::Result<()> {
    for entry in fs::read_dir(from.join(rel))?.flatten() {
        let name = entry.file_name();
        if rel.as_os_str().is_empty()
            && (name == "target" || name == ".git" || name == ".forklings")
        {
            continue;
        }
        if name == "target" {
            continue;
        }
        let child = rel.join(&name);
        let kind = entry.file_type()?;
        if kind.is_dir() {
            mirror(from, to, &child, wanted)?;
        } else if kind.is_file() {
            put(&from.join(&child), &to.join(&child))?;
            wanted.insert(child);
        }
    }
    Ok(())
}

fn put(src: &Path, dest: &Path) -> std::io::Result<()> {
    let bytes = fs::read(src)?;
    if fs::read(dest).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    if let Some(dir) = dest.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(dest, &bytes)?;
    fs::set_permissions(dest, fs::metadata(src)?.permissions())
}

/// Removes what is below `to` and not in `wanted` (a file deleted from the
/// course since the last run), but the copy's own `target/`.
fn prune(to: &Path, rel: &Path, wanted: &BTreeSet<PathBuf>) -> std::io::Result<()> {
    let Ok(entries) = fs::read_dir(to.join(rel)) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name == "target" {
            continue;
        }
        let child = rel.join(&name);
        if entry.file_type()?.is_dir() {
            prune(to, &child, wanted)?;
        } else if !wanted.contains(&child) {
            fs::remove_file(to.join(&child))?;
        }
    }
    Ok(())
}

/// The suite's summary per chapter: how many cases, how many hold, and how
/// long the chapter's cases took in all.
pub fn summary(cases: &[Case], verdicts: &[Verdict]) -> Vec<String> {
    let mut per: BTreeMap<&str, (usize, usize, usize, usize)> = BTreeMap::new();
    for (case, verdict) in cases.iter().zip(verdicts) {
        let slot = per.entry(case.chapter.as_str()).or_default();
        match case.kind {
            Kind::Wrong => {
                slot.0 += 1;
                if verdict.holds() {
                    slot.1 += 1;
                }
            }
            Kind::Right => {
                slot.2 += 1;
                if verdict.holds() {
                    slot.3 += 1;
                }
            }
        }
    }
    per.into_iter()
        .map(|(chapter, (w, wc, r, ra))| {
            format!("{chapter}: {wc} of {w} wrong answers lose points, {ra} of {r} right answers earn every point")
        })
        .collect()
}

/// The problem a case that does not hold is, in words for the author.
pub fn problem(case: &Case, verdict: &Verdict) -> Option<String> {
    let text = match verdict {
        Verdict::Caught { .. } | Verdict::Accepted => return None,
        Verdict::Missed => "earns every point: no graded test rejects it".to_string(),
        Verdict::Rejected { test, why } => format!("loses points: `{test}`: {why}"),
        Verdict::DidNotCompile { error } => format!("does not compile:\n{error}"),
        Verdict::NotRun { why } => format!("was not tried: {why}"),
    };
    Some(format!("{} ({}) {text}", case.label(), case.why))
}

/// How long the suite took, for verify's line.
pub fn elapsed_line(started: Instant, cases: usize) -> String {
    format!(
        "{cases} answers in {:.0} s",
        started.elapsed().as_secs_f64()
    )
}
