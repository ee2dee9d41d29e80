//! The command line: `cargo course [COMMAND]`, parsed and dispatched.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::{commands, isolate, reaper, report, sandbox, term, watch};

#[derive(Parser)]
#[command(
    name = "cargo course",
    bin_name = "cargo course",
    about = "The forklings course: check your exercises, get hints, see your progress.",
    after_help = "With no command: your progress and the next exercise."
)]
struct Cli {
    /// How many tests run at once (default: one per core).
    #[arg(long, short = 'j', global = true)]
    jobs: Option<usize>,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Build and run the tests of an exercise (or of a whole chapter) and
    /// explain what happened. Without an argument: the exercise you are on.
    Check {
        /// An exercise (`fork_wait`) or a chapter (`01-processes`).
        target: Option<String>,
    },
    /// Re-check an exercise on every save of its file (without a name: the
    /// one you are on); keys: h hint, l list, c chapter, r reset, s solution, q quit.
    Watch {
        /// Start on this exercise instead of the next one not done.
        exercise: Option<String>,
    },
    /// Show the next hint you have not seen yet (without a name: of the
    /// exercise you are on).
    Hint {
        exercise: Option<String>,
        /// Every hint at once.
        #[arg(long)]
        all: bool,
    },
    /// Every exercise with its status.
    List,
    /// Show the reference solution of an exercise you have passed, to
    /// compare with yours (without a name: the one you are on).
    Solution { exercise: Option<String> },
    /// Put back the untouched skeleton of an exercise (your file is kept as a backup).
    Reset {
        exercise: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Grade every exercise: points earned out of points possible.
    Grade {
        /// Only these chapters or exercises (default: the whole course).
        only: Vec<String>,
        /// The report's format.
        #[arg(long, value_enum, default_value_t = report::Format::Human)]
        format: report::Format,
        /// Write the report to FILE instead of stdout.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        /// Also write the full results (the result model) as JSON to FILE.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
        /// For instructors: a grade of record of the submission in DIR (a
        /// student's copy of the course), from a fresh copy of this course
        /// with only the submission's exercise modules in it.
        #[arg(long, value_name = "DIR")]
        submission: Option<PathBuf>,
        /// With --submission: where the grading copy and its build live
        /// (kept between grades; default: under the course's target dir).
        #[arg(long, value_name = "DIR", requires = "submission")]
        work: Option<PathBuf>,
        /// Seconds the build may take.
        #[arg(long, default_value_t = 1800)]
        build_limit: u64,
    },
    /// For instructors: grade every submission under DIR (folders or git
    /// repositories), each in a clean copy of this course with its tests,
    /// several at once, into grades.csv and grades.json.
    GradeClass {
        dir: PathBuf,
        /// Where the tables and each submission's report go (default:
        /// DIR-grades beside DIR).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Submissions graded at once (default: half the cores, at least 2).
        #[arg(long)]
        at_once: Option<usize>,
        /// Seconds one submission's whole grade (build and tests) may take.
        #[arg(long, default_value_t = 1800)]
        limit: u64,
        /// Keep each submission's copy and target dir under OUT/work.
        #[arg(long)]
        keep: bool,
    },
    /// For course authors and CI: check the manifest, the tests, the
    /// skeletons and the solutions.
    Verify {
        /// Record the skeletons as they are now in pristine.toml first.
        #[arg(long)]
        update_pristine: bool,
        /// How many times each test runs against skeleton and solution.
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Skip clippy on the solutions.
        #[arg(long)]
        no_clippy: bool,
        /// Skip the wrong-answer suite (mistakes/).
        #[arg(long, conflicts_with = "mistakes_only")]
        no_mistakes: bool,
        /// Run only the wrong-answer suite (of the chapters or exercises
        /// named, or of all).
        #[arg(long)]
        mistakes_only: bool,
        /// With --mistakes-only: these chapters or exercises.
        only: Vec<String>,
    },
    /// Time each chapter's workload: the reference solutions against the
    /// floor and the Python originals (release build; see bench/README.md).
    #[command(disable_help_flag = true)]
    Bench {
        /// Passed on to the benchmark program (`--help` lists them).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Internal: one check of `watch`, its report as JSON (see watch/checker.rs).
    #[command(name = "__check-json", hide = true)]
    CheckJson { targets: Vec<String> },
    /// Internal: run one test under the supervisor (see sandbox.rs).
    #[command(name = "__supervise", hide = true)]
    Supervise { spec: String },
    /// Internal: find out whether namespaces work here (see isolate.rs).
    #[command(name = "__isolation-probe", hide = true)]
    IsolationProbe,
    /// Internal: hold a run's user and network namespaces (see isolate.rs).
    #[command(name = "__namespace-holder", hide = true)]
    NamespaceHolder,
}

/// Parses the command line, runs the command and returns its exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Some(Cmd::Supervise { spec }) => {
            return ExitCode::from(sandbox::supervise_main(spec) as u8);
        }
        Some(Cmd::IsolationProbe) => return ExitCode::from(isolate::probe_main() as u8),
        Some(Cmd::NamespaceHolder) => return ExitCode::from(isolate::holder_main() as u8),
        _ => reaper::become_subreaper(),
    }
    let ctx = match commands::Ctx::new(cli.jobs) {
        Ok(ctx) => ctx,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        None => commands::status::run(&ctx),
        Some(Cmd::Check { target }) => commands::check::run(&ctx, target.as_deref()),
        Some(Cmd::Watch { exercise }) => watch::run(&ctx, exercise.as_deref()),
        Some(Cmd::Hint { exercise, all }) => commands::hint::run(&ctx, exercise.as_deref(), all),
        Some(Cmd::List) => commands::list::run(&ctx),
        Some(Cmd::Solution { exercise }) => commands::solution::run(&ctx, exercise.as_deref()),
        Some(Cmd::Reset { exercise, yes }) => commands::reset::run(&ctx, &exercise, yes),
        Some(Cmd::Grade {
            only,
            format,
            output,
            json,
            submission,
            work,
            build_limit,
        }) => {
            let outputs = commands::grade::Outputs {
                format,
                output: output.as_deref(),
                json: json.as_deref(),
            };
            match submission {
                Some(dir) => commands::grade::run_submission(
                    &ctx,
                    &std::path::absolute(&dir).unwrap_or(dir),
                    &only,
                    &commands::grade::SubmissionOptions {
                        work: work.map(|w| std::path::absolute(&w).unwrap_or(w)),
                        build_limit: std::time::Duration::from_secs(build_limit),
                    },
                    &outputs,
                ),
                None => commands::grade::run(&ctx, &only, &outputs),
            }
        }
        Some(Cmd::GradeClass {
            dir,
            out,
            at_once,
            limit,
            keep,
        }) => {
            let dir = std::path::absolute(&dir).unwrap_or(dir);
            let out = out
                .map(|o| std::path::absolute(&o).unwrap_or(o))
                .unwrap_or_else(|| {
                    let name = dir
                        .file_name()
                        .map_or("class".into(), |n| n.to_string_lossy().into_owned());
                    dir.with_file_name(format!("{name}-grades"))
                });
            commands::grade_class::run(
                &ctx,
                &commands::grade_class::Options {
                    dir: &dir,
                    out,
                    at_once: at_once.unwrap_or((ctx.jobs / 2).max(2)),
                    limit: std::time::Duration::from_secs(limit),
                    keep,
                },
            )
        }
        Some(Cmd::Verify {
            update_pristine,
            runs,
            no_clippy,
            no_mistakes,
            mistakes_only,
            only,
        }) => commands::verify::run(
            &ctx,
            &commands::verify::Options {
                update_pristine,
                runs,
                clippy: !no_clippy,
                mistakes: !no_mistakes,
                mistakes_only,
                only,
            },
        ),
        Some(Cmd::Bench { args }) => commands::bench::run(&ctx, &args),
        Some(Cmd::CheckJson { targets }) => watch::check_json_main(&ctx, &targets),
        Some(Cmd::Supervise { .. } | Cmd::IsolationProbe | Cmd::NamespaceHolder) => {
            unreachable!("handled above")
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("{}", term::red(&format!("error: {message}")));
            ExitCode::from(2)
        }
    }
}
