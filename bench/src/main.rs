//! forklings-bench: each chapter's workload run three ways in one run — the
//! course's reference solution, the floor (raw syscalls or the production
//! crate for the job) and the Python original — with medians, ratios to the
//! floor, the targets, a table, JSON and an SVG chart.
//!
//! Run in release mode: `cargo run --release -p forklings-bench -- --help`.

mod cli;
mod format;
mod harness;
mod model;
mod redraw;
mod report;
mod svg;
mod sys;
mod workloads;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use harness::{Outcome, Plan};
use model::{Kind, Leg, Profile, Runner, Size, Workload};
use report::{LegReport, Machine, RunReport, WorkloadReport};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("__leg") {
        return leg_main(&args[1..]);
    }
    let options = match cli::parse(args) {
        Ok(options) => options,
        Err(e) => {
            eprintln!("error: {e}\n\n{}", cli::USAGE);
            return ExitCode::from(2);
        }
    };
    if options.help {
        print!("{}", cli::USAGE);
        return ExitCode::SUCCESS;
    }
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(options: &cli::Options) -> Result<(), String> {
    if let Some(saved) = &options.redraw {
        return redraw(saved, options);
    }
    let all = workloads::all();
    if options.list {
        for workload in &all {
            println!(
                "{:<11} {} (target: {})",
                workload.id,
                workload.title,
                workload.target.describe(workload.unit)
            );
            for leg in &workload.legs {
                println!("    {:<14} {:<10} {}", leg.id, leg.kind.label(), leg.label);
            }
        }
        return Ok(());
    }
    let selected = select(&all, &options.only)?;
    harness::stop_legs_on_interrupt();
    let quick = options.profile == Profile::Quick;
    let runs = options.runs.unwrap_or(if quick { 3 } else { 5 }).max(1);
    let plan = Plan {
        warmup: 1,
        runs,
        timeout: Duration::from_secs(options.timeout.unwrap_or(if quick { 60 } else { 180 })),
    };
    // Python is slow on the big workloads; three runs give a fair median.
    let python_plan = Plan {
        runs: runs.min(3),
        ..plan
    };
    let python_path = options
        .python
        .clone()
        .unwrap_or_else(|| PathBuf::from("python3"));
    let python = if options.no_python {
        None
    } else {
        harness::python_version(&python_path)
    };
    if python.is_none() && !options.no_python {
        eprintln!(
            "note: {} not found: the Python legs are skipped",
            python_path.display()
        );
    }

    let mine_exe = if options.mine {
        Some(mine_program()?)
    } else {
        None
    };

    let out = options.out.clone().unwrap_or_else(default_out);
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;

    let started = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let load_at_start = load_average();
    let mut reports = Vec::new();
    for workload in selected {
        let size = (workload.size)(options.profile);
        let python_size = (workload.python_size)(options.profile);
        eprintln!("== {}: {}", workload.id, workload.title);
        let python = Python {
            path: &python_path,
            available: python.is_some() && !options.no_python,
            why_not: if options.no_python {
                "--no-python".to_string()
            } else {
                format!("{} not found", python_path.display())
            },
        };
        let mine_legs = match &mine_exe {
            Some(exe) => match yours(workload, exe, size, plan) {
                Ok(legs) => legs,
                Err(why) => {
                    eprintln!("   skipped: {why}");
                    continue;
                }
            },
            None => Vec::new(),
        };
        let legs = measure(
            workload,
            &mine_legs,
            size,
            python_size,
            plan,
            python_plan,
            &python,
        );
        reports.push(WorkloadReport::new(workload, size, python_size, legs));
    }
    let report = RunReport {
        format: 1,
        profile: options.profile,
        warmup: plan.warmup,
        runs: plan.runs,
        python_runs: python_plan.runs,
        machine: machine(python, load_at_start),
        started_unix_s: started,
        workloads: reports,
    };

    println!();
    report::print_table(&report);
    let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    write(&out.join("bench.json"), &json)?;
    let chart = svg::render(&report);
    write(&out.join("bench.svg"), &chart)?;
    if options.book {
        write(&workspace_root().join("book/src/benchmarks.svg"), &chart)?;
        write(&workspace_root().join("book/src/benchmarks.json"), &json)?;
    }
    if options.strict {
        let failed: Vec<String> = report
            .workloads
            .iter()
            .flat_map(|w| w.legs.iter().map(move |leg| (w.id, leg)))
            .filter(|(_, leg)| leg.status == "failed")
            .map(|(workload, leg)| format!("{workload}/{}", leg.id))
            .collect();
        if !failed.is_empty() {
            return Err(format!("--strict: legs that failed: {}", failed.join(", ")));
        }
    }
    Ok(())
}

/// `--redraw FILE`: the chart of a saved run, drawn again with this
/// program's layout.
fn redraw(saved: &Path, options: &cli::Options) -> Result<(), String> {
    let json = std::fs::read_to_string(saved)
        .map_err(|e| format!("cannot read {}: {e}", saved.display()))?;
    let report = redraw::from_json(&json).map_err(|e| format!("{}: {e}", saved.display()))?;
    let chart = svg::render(&report);
    let out = options.out.clone().unwrap_or_else(default_out);
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    write(&out.join("bench.svg"), &chart)?;
    if options.book {
        write(&workspace_root().join("book/src/benchmarks.svg"), &chart)?;
    }
    Ok(())
}

/// `forklings-bench-mine`, built beside this program: the same legs
/// compiled against the student's chapter crates (`bench/mine/`).
fn mine_program() -> Result<PathBuf, String> {
    let here = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let mine = here.with_file_name("forklings-bench-mine");
    if mine.is_file() {
        Ok(mine)
    } else {
        Err(format!(
            "{} is not built: `cargo course bench --mine` builds it, or \
             `cargo build --release -p forklings-bench-mine`",
            mine.display()
        ))
    }
}

/// A student's leg beside a reference leg: the same leg, run by the
/// program built against `chapters/`.
struct MineLeg {
    leg: Leg,
    /// The reference leg it mirrors (its id in both programs).
    of: &'static str,
    exe: PathBuf,
}

/// The student's legs of a workload, one per reference leg whose exercise
/// is written: each is tried once, small, and left out if it reaches a
/// `todo!()`. An error (the reason) when none is written yet.
fn yours(workload: &Workload, exe: &Path, size: Size, plan: Plan) -> Result<Vec<MineLeg>, String> {
    let mut legs = Vec::new();
    let mut not_written = Vec::new();
    for leg in &workload.legs {
        let (Kind::Reference, Runner::Rust(run)) = (leg.kind, &leg.runner) else {
            continue;
        };
        let probe = Plan {
            warmup: 0,
            runs: 1,
            ..plan
        };
        let tried =
            harness::run_rust_leg_in(exe, workload.id, leg.id, harness::warmup_size(size), probe);
        if let Outcome::NotAvailable(why) = tried {
            // "not written yet (chapters/NN/src/MODULE.rs)": the module.
            let site = why
                .split_once('(')
                .map_or(why.as_str(), |(_, site)| site.trim_end_matches(')'));
            not_written.push(site.to_string());
            continue;
        }
        legs.push(MineLeg {
            leg: Leg {
                id: leak(format!("{}-yours", leg.id)),
                label: leak(format!(
                    "yours: {}",
                    leg.label.trim_start_matches("course ")
                )),
                kind: Kind::Mine,
                runner: Runner::Rust(*run),
                targets: leg.targets.clone(),
            },
            of: leg.id,
            exe: exe.to_path_buf(),
        });
    }
    if legs.is_empty() {
        not_written.dedup();
        return Err(format!(
            "your code is not written yet: {}",
            if not_written.is_empty() {
                "no leg runs the course's code".to_string()
            } else {
                not_written.join(", ")
            }
        ));
    }
    Ok(legs)
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// Where the Python legs run, or why they do not.
struct Python<'a> {
    path: &'a Path,
    available: bool,
    why_not: String,
}

/// Runs every leg of a workload, in rounds: each round runs each leg once
/// (a fresh process: one warm-up, one timed run), starting one leg further
/// on each time. Load that comes and goes on the machine then touches every
/// leg alike instead of whichever ran at the wrong moment.
fn measure(
    workload: &Workload,
    mine: &[MineLeg],
    size: Size,
    python_size: Size,
    plan: Plan,
    python_plan: Plan,
    python: &Python,
) -> Vec<LegReport> {
    // Each of the student's legs right after the reference leg it mirrors.
    let mut legs: Vec<&Leg> = Vec::new();
    let mut runs_in: Vec<Option<&MineLeg>> = Vec::new();
    for leg in &workload.legs {
        legs.push(leg);
        runs_in.push(None);
        for yours in mine.iter().filter(|m| m.of == leg.id) {
            legs.push(&yours.leg);
            runs_in.push(Some(yours));
        }
    }
    let leg_size = |leg: &model::Leg| match leg.runner {
        Runner::Python(_) => python_size,
        _ => size,
    };
    // None while the leg is being measured; Some once it has a final word.
    let mut verdicts: Vec<Option<Outcome>> = legs
        .iter()
        .map(|leg| match &leg.runner {
            Runner::Pending(needs) => Some(Outcome::NotAvailable(format!(
                "not yet available (needs {needs})"
            ))),
            Runner::Python(_) | Runner::PythonServer(_) if !python.available => {
                Some(Outcome::Skipped(python.why_not.clone()))
            }
            _ => None,
        })
        .collect();
    let mut samples = vec![Vec::new(); legs.len()];
    let mut latencies = vec![Vec::new(); legs.len()];
    for round in 0..plan.runs as usize {
        for i in (0..legs.len()).map(|k| (k + round) % legs.len()) {
            let leg = legs[i];
            if verdicts[i].is_some() {
                continue;
            }
            let once = |p: Plan| Plan { runs: 1, ..p };
            let outcome = match (&leg.runner, runs_in[i]) {
                (Runner::Rust(_), Some(yours)) => {
                    harness::run_rust_leg_in(&yours.exe, workload.id, yours.of, size, once(plan))
                }
                (Runner::Rust(_), None) => {
                    harness::run_rust_leg(workload.id, leg.id, size, once(plan))
                }
                (Runner::Python(script), _) if round < python_plan.runs as usize => {
                    harness::run_python_leg(python.path, script, python_size, once(python_plan))
                }
                (Runner::PythonServer(_), _) if round < python_plan.runs as usize => {
                    harness::run_python_server_leg(
                        python.path,
                        workload.id,
                        leg.id,
                        leg_size(leg),
                        once(python_plan),
                    )
                }
                _ => continue,
            };
            match harness::verify(outcome, (workload.expect)(leg_size(leg))) {
                Outcome::Measured(more, timed) => {
                    samples[i].extend(more);
                    latencies[i].extend(timed);
                }
                other => verdicts[i] = Some(other),
            }
        }
    }
    legs.iter()
        .zip(verdicts)
        .zip(samples.into_iter().zip(latencies))
        .map(|((leg, verdict), (samples, latencies))| {
            let outcome = verdict.unwrap_or(Outcome::Measured(samples, latencies));
            let report = LegReport::new(leg, leg_size(leg), outcome);
            eprintln!("   {:<40} {}", leg.label, progress(&report, workload.unit));
            report
        })
        .collect()
}

fn progress(leg: &LegReport, unit: &str) -> String {
    match (leg.median_s, leg.per_op_s) {
        (Some(median), Some(per_op)) => format!(
            "median {} ({} per {unit})",
            format::duration(median),
            format::duration(per_op)
        ),
        _ => format!("{}: {}", leg.status, leg.reason.as_deref().unwrap_or("")),
    }
}

fn select<'a>(all: &'a [Workload], only: &[String]) -> Result<Vec<&'a Workload>, String> {
    if only.is_empty() {
        return Ok(all.iter().collect());
    }
    let names: Vec<&str> = all.iter().map(|w| w.id).collect();
    if let Some(unknown) = only.iter().find(|name| !names.contains(&name.as_str())) {
        return Err(format!(
            "no workload `{unknown}`; there are: {}",
            names.join(", ")
        ));
    }
    Ok(all
        .iter()
        .filter(|w| only.iter().any(|name| name == w.id))
        .collect())
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

/// The course's root: the workspace this package sits in.
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// `target/bench/` where cargo puts this build's other output.
fn default_out() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir).join("bench"),
        _ => workspace_root().join("target/bench"),
    }
}

/// The 1-minute load average, from `/proc/loadavg`.
fn load_average() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

fn machine(python: Option<String>, load_at_start: Option<f64>) -> Machine {
    let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, model)| model.split_whitespace().collect::<Vec<_>>().join(" "))
        });
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .ok()
        .map(|k| k.trim().to_string());
    Machine {
        cpus: workloads::primes::cores(),
        cpu_model,
        kernel,
        python,
        load_at_start,
        load_at_end: load_average(),
    }
}

/// `__leg WORKLOAD LEG --n N --workers W --warmup K --runs R`: one Rust leg,
/// in this fresh process (see `harness`).
fn leg_main(args: &[String]) -> ExitCode {
    match leg_args(args).and_then(|(leg, size, plan)| harness::run_here(leg, size, plan)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn leg_args(args: &[String]) -> Result<(model::RustLeg, Size, Plan), String> {
    let [workload, leg, rest @ ..] = args else {
        return Err("usage: __leg WORKLOAD LEG --n N --workers W --warmup K --runs R".into());
    };
    let all = workloads::all();
    let found = all
        .iter()
        .find(|w| w.id == workload)
        .and_then(|w| w.legs.iter().find(|l| l.id == leg))
        .ok_or_else(|| format!("no leg {workload}/{leg}"))?;
    let (Runner::Rust(run) | Runner::PythonServer(run)) = found.runner else {
        return Err(format!("{workload}/{leg} is not a Rust leg"));
    };
    let mut size = Size { n: 0, workers: 1 };
    let mut plan = Plan {
        warmup: 0,
        runs: 1,
        timeout: Duration::ZERO,
    };
    for pair in rest.chunks(2) {
        let [flag, value] = pair else {
            return Err(format!("{pair:?} has no value"));
        };
        let number: u64 = value
            .parse()
            .map_err(|_| format!("{flag}: bad number {value}"))?;
        match flag.as_str() {
            "--n" => size.n = number,
            "--workers" => size.workers = number,
            "--warmup" => plan.warmup = number as u32,
            "--runs" => plan.runs = number as u32,
            _ => return Err(format!("unknown {flag}")),
        }
    }
    Ok((run, size, plan))
}
