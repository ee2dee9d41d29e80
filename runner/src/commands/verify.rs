//! `cargo course verify`, for course authors and CI: the manifest, the
//! tests it names, skeletons that fail and solutions that pass (every run),
//! pristine skeletons, clippy-clean solutions. Every problem is listed.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Instant;

use super::{CmdResult, Ctx};
use crate::cargo_build::{self, CrateKey};
use crate::course::{Course, Flavor, GRADED};
use crate::driver;
use crate::explain;
use crate::mistakes;
use crate::pristine;
use crate::progress::write_atomically;
use crate::term;

/// What `cargo course verify` checks.
pub struct Options {
    pub update_pristine: bool,
    /// How many times each test runs against skeleton and solution.
    pub runs: usize,
    pub clippy: bool,
    /// The wrong-answer suite.
    pub mistakes: bool,
    /// Only the wrong-answer suite, of `only` (chapters or exercises) or all.
    pub mistakes_only: bool,
    pub only: Vec<String>,
}

pub fn run(ctx: &Ctx, options: &Options) -> CmdResult {
    let course = &ctx.course;
    let start = Instant::now();
    let mut problems: Vec<String> = Vec::new();
    if !options.only.is_empty() && !options.mistakes_only {
        return Err("chapters or exercises can be named only with --mistakes-only".into());
    }
    if options.mistakes_only {
        problems.extend(check_mistakes(ctx, &options.only)?);
        return finish(start, &problems);
    }
    let (update_pristine, runs, clippy) = (options.update_pristine, options.runs, options.clippy);
    println!(
        "manifest: {} chapters, {} exercises: valid",
        course.chapters.len(),
        course.exercises().count()
    );

    if update_pristine {
        let files = pristine::current(&course.root);
        let graded = crate::tamper::current_graded(&course.root);
        write_atomically(
            &course.root.join(pristine::FILE),
            pristine::render(&files, &graded).as_bytes(),
        )
        .map_err(|e| format!("cannot write {}: {e}", pristine::FILE))?;
        println!(
            "{}: recorded {} skeleton files and {} graded files",
            pristine::FILE,
            files.len(),
            graded.len()
        );
    }
    let pristine_problems = pristine::problems(&course.root);
    println!(
        "{}: {}",
        pristine::FILE,
        if pristine_problems.is_empty() {
            "the skeletons match".to_string()
        } else {
            format!("{} problem(s)", pristine_problems.len())
        }
    );
    problems.extend(pristine_problems);
    let api = crate::tamper::api_differences(course);
    println!(
        "public API: {}",
        if api.is_empty() {
            "the skeletons declare the solutions' items".to_string()
        } else {
            format!("{} difference(s)", api.len())
        }
    );
    problems.extend(api.into_iter().map(|p| p.message));
    let harness = crate::harness::problems(course);
    println!(
        "harness: {}",
        if harness.is_empty() {
            "every chapter package links the course's test harness".to_string()
        } else {
            format!("{} problem(s)", harness.len())
        }
    );
    problems.extend(harness);

    // One build of every skeleton and every solution.
    let crates: Vec<CrateKey> = course
        .chapters
        .iter()
        .flat_map(|c| {
            [
                (c.id.clone(), Flavor::Skeleton),
                (c.id.clone(), Flavor::Solution),
            ]
        })
        .collect();
    let t = Instant::now();
    let built =
        cargo_build::build(course, &crates).map_err(|e| format!("could not run cargo: {e}"))?;
    println!(
        "build: {} test binaries in {:.1} s",
        built.binaries.len(),
        t.elapsed().as_secs_f64()
    );
    for key in &crates {
        if let Some(error) = built.errors.get(key) {
            let chapter = course.chapter(&key.0).expect("a chapter");
            problems.push(format!(
                "{}: {}",
                chapter.package(key.1),
                explain::did_not_build(error)
            ));
        }
    }

    // The manifest and the binaries name the same tests.
    let mut listed: HashMap<CrateKey, Vec<String>> = HashMap::new();
    for key in &crates {
        let Some(binary) = built.binaries.get(key) else {
            continue;
        };
        let chapter = course.chapter(&key.0).expect("a chapter");
        match cargo_build::list_tests(binary, &chapter.dir(&course.root, key.1)) {
            Ok(tests) => {
                listed.insert(key.clone(), tests);
            }
            Err(e) => problems.push(format!("{}: {e}", chapter.package(key.1))),
        }
    }
    // The chapters' other test targets (`[[chapter.target]]`, such as the
    // loom tests): one build each, of both crates, with the target's
    // features.
    let mut extra: HashMap<(CrateKey, String), (PathBuf, Vec<String>)> = HashMap::new();
    for chapter in &course.chapters {
        for target in &chapter.targets {
            let both = [
                (chapter.id.clone(), Flavor::Skeleton),
                (chapter.id.clone(), Flavor::Solution),
            ];
            let t = Instant::now();
            let built_target = cargo_build::build_test_target(
                course,
                &both,
                &cargo_build::BuildOptions {
                    target_dir: None,
                    grading_copy: false,
                    limit: cargo_build::BUILD_LIMIT,
                },
                &target.name,
                &target.features,
            )
            .map_err(|e| format!("could not run cargo: {e}"))?;
            println!(
                "build: test target `{}` of {} in {:.1} s",
                target.name,
                chapter.id,
                t.elapsed().as_secs_f64()
            );
            for key in &both {
                let Some(binary) = built_target.binaries.get(key) else {
                    let why = built_target
                        .error_of(key)
                        .map_or_else(|| "did not build".to_string(), explain::did_not_build);
                    problems.push(format!(
                        "{}, test target `{}`: {why}",
                        chapter.package(key.1),
                        target.name
                    ));
                    continue;
                };
                match cargo_build::list_tests(binary, &chapter.dir(&course.root, key.1)) {
                    Ok(tests) => {
                        for test in &tests {
                            let named = chapter.exercises.iter().any(|e| {
                                e.tests
                                    .iter()
                                    .any(|t| t.target == target.name && t.covers(test))
                            });
                            if !named && key.1 == Flavor::Solution {
                                problems.push(format!(
                                    "{}: test `{}:{test}` is not named in course.toml",
                                    chapter.id, target.name
                                ));
                            }
                        }
                        extra.insert((key.clone(), target.name.clone()), (binary.clone(), tests));
                    }
                    Err(e) => problems.push(format!(
                        "{}, test target `{}`: {e}",
                        chapter.package(key.1),
                        target.name
                    )),
                }
            }
        }
    }
    for chapter in &course.chapters {
        let skeleton = listed.get(&(chapter.id.clone(), Flavor::Skeleton));
        let solution = listed.get(&(chapter.id.clone(), Flavor::Solution));
        if let (Some(a), Some(b)) = (skeleton, solution)
            && a != b
        {
            problems.push(format!(
                "{}: the skeleton's and the solution's graded binaries list different tests",
                chapter.id
            ));
        }
        let Some(tests) = solution.or(skeleton) else {
            continue;
        };
        let entries: Vec<_> = chapter
            .exercises
            .iter()
            .flat_map(|e| e.tests.iter().map(move |t| (e, t)))
            .filter(|(_, t)| t.target == GRADED)
            .collect();
        for test in tests {
            if !entries.iter().any(|(_, entry)| entry.covers(test)) {
                problems.push(format!(
                    "{}: test `{test}` is not named in course.toml",
                    chapter.id
                ));
            }
        }
        for ex in &chapter.exercises {
            for entry in ex.tests.iter().filter(|t| t.target != GRADED) {
                let key = ((chapter.id.clone(), Flavor::Solution), entry.target.clone());
                if let Some((_, tests)) = extra.get(&key)
                    && !tests.iter().any(|t| entry.covers(t))
                {
                    problems.push(format!(
                        "course.toml: exercise `{}` names `{}`, but test target `{}` of chapter {} has no test of that name",
                        ex.id, entry.name, entry.target, chapter.id
                    ));
                }
            }
        }
        for (ex, entry) in &entries {
            if !tests.iter().any(|t| entry.covers(t)) {
                problems.push(format!(
                    "course.toml: exercise `{}` names `{}`, but no test of chapter {} has that name",
                    ex.id, entry.name, chapter.id
                ));
            }
        }
    }

    // Every covered test fails on the skeleton and passes on the solution,
    // `runs` times; all of them at once, `jobs` at a time.
    let mut specs = Vec::new();
    let mut what: Vec<(String, Flavor, String, usize)> = Vec::new();
    for run in 1..=runs {
        for chapter in &course.chapters {
            for flavor in [Flavor::Skeleton, Flavor::Solution] {
                let key = (chapter.id.clone(), flavor);
                let (Some(binary), Some(tests)) = (built.binaries.get(&key), listed.get(&key))
                else {
                    continue;
                };
                for ex in &chapter.exercises {
                    for entry in &ex.tests {
                        let (binary, tests) = if entry.target == GRADED {
                            (binary, tests)
                        } else {
                            match extra.get(&(key.clone(), entry.target.clone())) {
                                Some((b, t)) => (b, t),
                                None => continue,
                            }
                        };
                        for test in tests.iter().filter(|t| entry.covers(t)) {
                            let mut spec = driver::spec(
                                course,
                                binary,
                                &chapter.dir(&course.root, flavor),
                                test,
                                entry.timeout,
                            );
                            let mut shown = test.clone();
                            if entry.target != GRADED {
                                spec.args = Some(spec.args());
                                shown = format!("{}:{test}", entry.target);
                                spec.name = shown.clone();
                            }
                            specs.push(spec);
                            what.push((chapter.id.clone(), flavor, shown, run));
                        }
                    }
                }
            }
        }
    }
    let t = Instant::now();
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let outcomes = driver::run_specs(&specs, ctx.jobs, &|_, _| {
        if tty {
            eprint!(".");
        }
    });
    if tty {
        eprintln!();
    }
    // Problems per test, with the runs they happened in.
    let mut wrong: BTreeMap<(String, String, &'static str), (Vec<usize>, String)> = BTreeMap::new();
    for ((chapter, flavor, test, run), outcome) in what.iter().zip(&outcomes) {
        let limit = std::time::Duration::from_millis(specs_limit(&specs, test));
        let (status, words) = explain::verdict(outcome, limit);
        let problem = match flavor {
            Flavor::Skeleton if status.passed() => {
                Some(("passes on the untouched skeleton", String::new()))
            }
            Flavor::Solution if !status.passed() => Some((
                "fails on the solution",
                words.lines().next().unwrap_or("").to_string(),
            )),
            _ => None,
        };
        if let Some((kind, words)) = problem {
            let slot = wrong
                .entry((chapter.clone(), test.clone(), kind))
                .or_insert_with(|| (Vec::new(), words));
            slot.0.push(*run);
        }
    }
    println!(
        "tests: {} runs ({} per test, skeleton and solution) in {:.1} s",
        specs.len(),
        runs,
        t.elapsed().as_secs_f64()
    );
    for ((chapter, test, kind), (in_runs, words)) in wrong {
        let runs_text = in_runs
            .iter()
            .map(|r| r.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let mut p = format!("{chapter}: `{test}` {kind} (run {runs_text} of {runs})");
        if !words.is_empty() {
            p.push_str(&format!(": {words}"));
        }
        problems.push(p);
    }

    if clippy {
        let t = Instant::now();
        let found = clippy_solutions(course)?;
        println!(
            "clippy: {} solution crates in {:.1} s",
            course.chapters.len(),
            t.elapsed().as_secs_f64()
        );
        problems.extend(found);
    }

    if options.mistakes {
        problems.extend(check_mistakes(ctx, &[])?);
    }
    finish(start, &problems)
}

/// The wrong-answer suite: every wrong answer loses points, every right one
/// earns them all.
fn check_mistakes(ctx: &Ctx, only: &[String]) -> Result<Vec<String>, String> {
    let course = &ctx.course;
    for name in only {
        if course.chapter(name).is_none() && course.exercise(name).is_none() {
            return Err(format!(
                "`{name}` is neither a chapter nor an exercise of the course"
            ));
        }
    }
    if !course.root.join(mistakes::DIR).is_dir() {
        // A course without any suite (a small fixture, a course being
        // started) is told so; one that has a suite must have all of it.
        println!(
            "{}",
            term::yellow(&format!(
                "mistakes: no {}/ folder: this course has no wrong-answer suite",
                mistakes::DIR
            ))
        );
        return Ok(Vec::new());
    }
    let suite = mistakes::load(course, only);
    let mut problems = suite.problems.clone();
    // A suite thinner than the course asks (fewer than three wrong answers
    // for an exercise, fewer than two right ones for a chapter, a file
    // missing) fails verify like a case that does not hold.
    problems.extend(suite.thin.iter().map(|thin| format!("thin suite: {thin}")));
    let t = Instant::now();
    let scratch = cargo_build::target_dir(&course.root).join("forklings-mistakes");
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let heard = std::sync::atomic::AtomicUsize::new(0);
    let total = suite.cases.len();
    let verdicts = mistakes::check(
        course,
        &suite.cases,
        &scratch,
        ctx.jobs,
        &|case, verdict| {
            if tty {
                let mark = if verdict.holds() { "." } else { "!" };
                eprint!("{mark}");
            } else {
                // A log (CI's) gets a line per case: a long suite that
                // prints nothing looks hung, and a run cut short still shows
                // how far it came.
                let done = heard.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                let mark = if verdict.holds() {
                    "holds"
                } else {
                    "DOES NOT HOLD"
                };
                println!(
                    "mistakes: [{done}/{total}] {}: {mark} ({:.0} s)",
                    case.label(),
                    t.elapsed().as_secs_f64()
                );
            }
        },
    )?;
    if tty {
        eprintln!();
    }
    for line in mistakes::summary(&suite.cases, &verdicts) {
        println!("mistakes: {line}");
    }
    println!("mistakes: {}", mistakes::elapsed_line(t, suite.cases.len()));
    problems.extend(
        suite
            .cases
            .iter()
            .zip(&verdicts)
            .filter_map(|(case, verdict)| mistakes::problem(case, verdict)),
    );
    Ok(problems)
}

fn finish(start: Instant, problems: &[String]) -> CmdResult {
    println!();
    if problems.is_empty() {
        println!(
            "{} in {:.0} s",
            term::green("verify: all good"),
            start.elapsed().as_secs_f64()
        );
        Ok(0)
    } else {
        println!(
            "{}",
            term::red(&format!("verify: {} problem(s):", problems.len()))
        );
        for p in problems {
            println!("  - {p}");
        }
        Ok(1)
    }
}

fn specs_limit(specs: &[crate::sandbox::TestSpec], test: &str) -> u64 {
    specs
        .iter()
        .find(|s| s.name == test)
        .map_or(10_000, |s| s.limits.wall_ms)
}

/// `cargo clippy -p <every solution> --all-targets -- -D warnings`, its
/// findings per crate.
fn clippy_solutions(course: &Course) -> Result<Vec<String>, String> {
    let mut cmd = cargo_build::cargo();
    cmd.current_dir(&course.root).args([
        "clippy",
        "--all-targets",
        "--keep-going",
        "--message-format=json",
        "--color=never",
    ]);
    let mut packages: HashMap<PathBuf, String> = HashMap::new();
    for chapter in &course.chapters {
        let package = chapter.package(Flavor::Solution);
        cmd.args(["-p", &package]);
        let manifest = chapter
            .dir(&course.root, Flavor::Solution)
            .join("Cargo.toml");
        packages.insert(manifest.canonicalize().unwrap_or(manifest), package);
    }
    cmd.args(["--", "-D", "warnings"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("could not run cargo clippy: {e}"))?;
    let stderr = child.stderr.take().expect("piped");
    let err_reader = std::thread::spawn(move || cargo_build::read_capped(stderr, 32 * 1024));
    let mut per_package: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for msg in cargo_build::messages(child.stdout.take().expect("piped")) {
        if msg["reason"] != "compiler-message" || msg["message"]["level"] != "error" {
            continue;
        }
        let manifest = PathBuf::from(msg["manifest_path"].as_str().unwrap_or(""));
        let package = packages
            .get(&manifest.canonicalize().unwrap_or(manifest.clone()))
            .cloned()
            .unwrap_or_else(|| manifest.display().to_string());
        let m = &msg["message"];
        let text = m["message"].as_str().unwrap_or("");
        if text.starts_with("aborting due to") || text.starts_with("could not compile") {
            continue;
        }
        let span = m["spans"].as_array().and_then(|s| {
            s.iter()
                .find(|s| s["is_primary"] == true)
                .or(s.first())
                .cloned()
        });
        let place = span
            .map(|s| {
                format!(
                    " at {}:{}",
                    s["file_name"].as_str().unwrap_or("?"),
                    s["line_start"]
                )
            })
            .unwrap_or_default();
        per_package
            .entry(package)
            .or_default()
            .push(format!("{text}{place}"));
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    let stderr = err_reader.join().unwrap_or_default();
    let mut problems = Vec::new();
    for (package, findings) in &per_package {
        let shown: Vec<_> = findings.iter().take(5).cloned().collect();
        let more = findings.len().saturating_sub(5);
        let mut p = format!("{package} is not clippy-clean: {}", shown.join("; "));
        if more > 0 {
            p.push_str(&format!("; and {more} more"));
        }
        problems.push(p);
    }
    if !status.success() && problems.is_empty() {
        let tail: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains("error"))
            .take(5)
            .collect();
        problems.push(format!("cargo clippy failed: {}", tail.join(" / ")));
    }
    Ok(problems)
}
