//! What a benchmark is made of: workloads, their legs, sizes, samples and
//! targets. The harness, the reports and the chart all speak these types.

use serde::{Deserialize, Serialize};

/// How long a run may take: `Quick` for a look (under a minute), `Full` for
/// the numbers that go in the book (a few minutes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    Quick,
    Full,
}

/// The size of one run of a workload: `n` items (numbers, processes,
/// messages, increments, tasks) and the number of workers that share them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Size {
    pub n: u64,
    pub workers: u64,
}

/// One timed run of one leg.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Sample {
    /// Wall time of the timed part, in seconds.
    pub elapsed_s: f64,
    /// How many operations that time covers (for the per-operation time).
    pub ops: u64,
    /// A number the workload must produce (a count, a sum, a final value):
    /// a fast leg with a wrong answer is not a result.
    pub check: u64,
}

/// The latency of the requests of one timed run, for workloads that time
/// each request (serve). A leg that has it prints it as a line of its own,
/// `{"latency": {...}}`, before the run's sample.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Latency {
    pub p50_s: f64,
    pub p99_s: f64,
}

/// A leg written in Rust: runs the workload once and times it itself, so
/// that set-up a workload does not ask about (building a thread pool,
/// starting the manager) stays out of the time.
pub type RustLeg = fn(Size) -> Result<Sample, String>;

/// Which of the three ways a leg measures the workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// The course's reference solution.
    Reference,
    /// Raw syscalls or the production crate for the job: the baseline.
    Floor,
    /// The Python original.
    Python,
    /// The student's own chapter crate in place of the reference
    /// (`--mine`): run by `forklings-bench-mine`, the same legs built
    /// against `chapters/`.
    Mine,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Reference => "reference",
            Kind::Floor => "floor",
            Kind::Python => "python",
            Kind::Mine => "yours",
        }
    }
}

/// How a leg is run.
pub enum Runner {
    /// In a fresh process of this program (`__leg WORKLOAD LEG`).
    Rust(RustLeg),
    /// `python3 bench/python/SCRIPT` (with the Python size).
    Python(&'static str),
    /// A Python server (started by the leg, as `python3 bench/python/...`)
    /// loaded by this program: run like `Rust`, skipped like `Python` when
    /// there is no Python. The leg finds the interpreter in
    /// `FORKLINGS_BENCH_PYTHON`.
    PythonServer(RustLeg),
    /// The reference solution's API is not there yet: reported, not run.
    /// Every leg is wired today; a new workload starts its reference leg
    /// here while its exercise is being written.
    #[allow(dead_code, reason = "kept for legs whose exercise is not written yet")]
    Pending(&'static str),
}

pub struct Leg {
    pub id: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    pub runner: Runner,
    /// The leg's own targets, in place of the workload's; empty: the
    /// workload's target (what every leg had before there were these).
    pub targets: Vec<LegTarget>,
}

/// A target of one leg.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum LegTarget {
    /// The workload's target.
    Workload,
    /// At least `factor` times the requests (operations) per second of the
    /// leg `than`, in the same run.
    Versus { than: &'static str, factor: f64 },
}

impl Leg {
    pub fn reference(id: &'static str, label: &'static str, run: RustLeg) -> Leg {
        Leg {
            id,
            label,
            kind: Kind::Reference,
            runner: Runner::Rust(run),
            targets: Vec::new(),
        }
    }

    /// A reference leg whose solution API does not exist yet; `needs` names it.
    #[allow(dead_code, reason = "kept for legs whose exercise is not written yet")]
    pub fn pending(id: &'static str, label: &'static str, needs: &'static str) -> Leg {
        Leg {
            id,
            label,
            kind: Kind::Reference,
            runner: Runner::Pending(needs),
            targets: Vec::new(),
        }
    }

    pub fn floor(id: &'static str, label: &'static str, run: RustLeg) -> Leg {
        Leg {
            id,
            label,
            kind: Kind::Floor,
            runner: Runner::Rust(run),
            targets: Vec::new(),
        }
    }

    pub fn python(id: &'static str, label: &'static str, script: &'static str) -> Leg {
        Leg {
            id,
            label,
            kind: Kind::Python,
            runner: Runner::Python(script),
            targets: Vec::new(),
        }
    }
}

impl Leg {
    /// A Python server of the serve workload, loaded by `run`.
    pub fn python_server(id: &'static str, label: &'static str, run: RustLeg) -> Leg {
        Leg {
            id,
            label,
            kind: Kind::Python,
            runner: Runner::PythonServer(run),
            targets: Vec::new(),
        }
    }

    /// The leg's own targets, in place of the workload's.
    pub fn with_targets(mut self, targets: Vec<LegTarget>) -> Leg {
        self.targets = targets;
        self
    }
}

/// What a reference solution must reach, in the same run on the same machine.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Target {
    /// Its time per operation at most `max` times the floor's.
    Ratio { max: f64 },
    /// At least `min` operations per second.
    Rate { min: f64 },
}

impl Target {
    pub fn describe(self, unit: &str) -> String {
        match self {
            Target::Ratio { max } => format!("<= {max}x the floor"),
            Target::Rate { min } => format!(">= {} {unit}s/s", crate::format::count(min)),
        }
    }
}

pub struct Workload {
    /// The name `--only` takes.
    pub id: &'static str,
    pub title: &'static str,
    /// What one operation is, singular ("round trip").
    pub unit: &'static str,
    pub target: Target,
    pub size: fn(Profile) -> Size,
    /// Python is 10 to 100 times slower on some workloads: it may run a
    /// smaller size; per-operation times keep the comparison fair.
    pub python_size: fn(Profile) -> Size,
    /// What `Sample::check` must be for a size.
    pub expect: fn(Size) -> u64,
    pub legs: Vec<Leg>,
}
