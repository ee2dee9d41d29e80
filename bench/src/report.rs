//! The results of a run: medians, per-operation times, ratios to the floor,
//! targets met or missed; printed as a table and written as JSON.

use serde::Serialize;

use crate::format;
use crate::harness::Outcome;
use crate::model::{Kind, LegTarget, Profile, Size, Target, Workload};

#[derive(Debug, Serialize)]
pub struct RunReport {
    /// The layout of this JSON; changes when a field changes meaning.
    pub format: u32,
    pub profile: Profile,
    pub warmup: u32,
    pub runs: u32,
    pub python_runs: u32,
    pub machine: Machine,
    /// Seconds since the Unix epoch when the run started.
    pub started_unix_s: u64,
    pub workloads: Vec<WorkloadReport>,
}

#[derive(Debug, Serialize)]
pub struct Machine {
    pub cpus: u64,
    pub cpu_model: Option<String>,
    pub kernel: Option<String>,
    pub python: Option<String>,
    /// `/proc/loadavg`'s 1-minute load when the run started and ended:
    /// other work on the machine shows up in every number.
    pub load_at_start: Option<f64>,
    pub load_at_end: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct WorkloadReport {
    pub id: &'static str,
    pub title: &'static str,
    pub unit: &'static str,
    pub target: Target,
    pub target_text: String,
    pub size: Size,
    pub python_size: Size,
    pub legs: Vec<LegReport>,
}

#[derive(Debug, Serialize)]
pub struct LegReport {
    pub id: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    /// `measured`, `skipped`, `not-available` or `failed`.
    pub status: &'static str,
    pub reason: Option<String>,
    pub size: Size,
    pub samples_s: Vec<f64>,
    pub ops: u64,
    pub median_s: Option<f64>,
    pub min_s: Option<f64>,
    pub max_s: Option<f64>,
    pub per_op_s: Option<f64>,
    pub rate_per_s: Option<f64>,
    /// Time per operation over the floor's (1.0 for the floor itself).
    pub ratio_to_floor: Option<f64>,
    /// For a reference leg with a measurement: whether it met the target.
    pub target_met: Option<bool>,
    /// The leg's own targets, where it has some (in place of the workload's).
    pub targets: Vec<LegTarget>,
    /// What the leg's own targets ask, in words, for the table.
    pub target_text: Option<String>,
    /// For legs that time each request: the median over the runs of each
    /// run's 50th and 99th percentile latency.
    pub p50_s: Option<f64>,
    pub p99_s: Option<f64>,
}

impl LegReport {
    pub fn new(leg: &crate::model::Leg, size: Size, outcome: Outcome) -> LegReport {
        let mut report = LegReport {
            id: leg.id,
            label: leg.label,
            kind: leg.kind,
            status: "measured",
            reason: None,
            size,
            samples_s: Vec::new(),
            ops: 0,
            median_s: None,
            min_s: None,
            max_s: None,
            per_op_s: None,
            rate_per_s: None,
            ratio_to_floor: None,
            target_met: None,
            targets: leg.targets.clone(),
            target_text: None,
            p50_s: None,
            p99_s: None,
        };
        let outcome = match outcome {
            Outcome::Measured(samples, _) if samples.is_empty() => {
                Outcome::Failed("no timed run".to_string())
            }
            other => other,
        };
        match outcome {
            Outcome::Measured(samples, latencies) => {
                if !latencies.is_empty() {
                    let mid = |pick: fn(&crate::model::Latency) -> f64| {
                        let mut values: Vec<f64> = latencies.iter().map(pick).collect();
                        values.sort_by(f64::total_cmp);
                        median(&values)
                    };
                    report.p50_s = Some(mid(|l| l.p50_s));
                    report.p99_s = Some(mid(|l| l.p99_s));
                }
                let mut times: Vec<f64> = samples.iter().map(|s| s.elapsed_s).collect();
                report.ops = samples[0].ops;
                report.samples_s = times.clone();
                times.sort_by(f64::total_cmp);
                let median = median(&times);
                report.median_s = Some(median);
                report.min_s = times.first().copied();
                report.max_s = times.last().copied();
                report.per_op_s = Some(median / report.ops as f64);
                report.rate_per_s = Some(report.ops as f64 / median);
            }
            Outcome::Skipped(why) => (report.status, report.reason) = ("skipped", Some(why)),
            Outcome::NotAvailable(why) => {
                (report.status, report.reason) = ("not-available", Some(why))
            }
            Outcome::Failed(why) => (report.status, report.reason) = ("failed", Some(why)),
        }
        report
    }
}

/// The middle of sorted values (the mean of the two middle ones if even).
pub fn median(sorted: &[f64]) -> f64 {
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

impl WorkloadReport {
    pub fn new(workload: &Workload, size: Size, python_size: Size, legs: Vec<LegReport>) -> Self {
        let mut report = WorkloadReport {
            id: workload.id,
            title: workload.title,
            unit: workload.unit,
            target: workload.target,
            target_text: workload.target.describe(workload.unit),
            size,
            python_size,
            legs,
        };
        report.judge();
        report
    }

    pub fn floor_per_op(&self) -> Option<f64> {
        self.legs
            .iter()
            .find(|leg| leg.kind == Kind::Floor)
            .and_then(|leg| leg.per_op_s)
    }

    /// Ratios to the floor, and each reference leg against the target.
    fn judge(&mut self) {
        let floor = self.floor_per_op();
        let target = self.target;
        for leg in &mut self.legs {
            let (Some(per_op), Some(floor)) = (leg.per_op_s, floor) else {
                continue;
            };
            leg.ratio_to_floor = Some(per_op / floor);
        }
        let rates: Vec<(&'static str, Option<f64>)> = self
            .legs
            .iter()
            .map(|leg| (leg.id, leg.rate_per_s))
            .collect();
        let rate_of = |id: &str| rates.iter().find(|(leg, _)| *leg == id).and_then(|r| r.1);
        let workload_met = |leg: &LegReport| match target {
            Target::Ratio { max } => leg.ratio_to_floor.map(|ratio| ratio <= max),
            Target::Rate { min } => leg.rate_per_s.map(|rate| rate >= min),
        };
        let unit = self.unit;
        for leg in self
            .legs
            .iter_mut()
            .filter(|leg| matches!(leg.kind, Kind::Reference | Kind::Mine))
        {
            if leg.targets.is_empty() {
                leg.target_met = workload_met(leg);
                continue;
            }
            // A leg's own targets: met when every one is (unknown while
            // one of them cannot be judged).
            let mut met = Some(true);
            let mut words = Vec::new();
            for own in &leg.targets {
                let (this, text) = match *own {
                    LegTarget::Workload => (workload_met(leg), target.describe(unit)),
                    LegTarget::Versus { than, factor } => (
                        leg.rate_per_s
                            .zip(rate_of(than))
                            .map(|(ours, theirs)| ours >= factor * theirs),
                        format!(">= {factor}x {than}'s {unit}s/s"),
                    ),
                };
                met = match (met, this) {
                    (Some(a), Some(b)) => Some(a && b),
                    _ => None,
                };
                words.push(text);
            }
            leg.target_met = met;
            leg.target_text = Some(words.join(", "));
        }
    }

    /// The target as a ratio to the floor, where it can be drawn as one.
    pub fn target_ratio(&self) -> Option<f64> {
        match self.target {
            Target::Ratio { max } => Some(max),
            Target::Rate { min } => self.floor_per_op().map(|floor| (1.0 / min) / floor),
        }
    }
}

/// The table on stdout. A leg without a measurement gets its reason after
/// the size, outside the columns, so that long reasons do not widen them.
pub fn print_table(report: &RunReport) {
    let machine = &report.machine;
    let load = |load: Option<f64>| load.map_or("?".to_string(), |l| format!("{l:.1}"));
    println!(
        "{} cores{}; median of {} runs (Python: {}), each after a warm-up; load average {} at the start, {} at the end",
        machine.cpus,
        machine
            .cpu_model
            .as_deref()
            .map(|m| format!(" ({m})"))
            .unwrap_or_default(),
        report.runs,
        report.python_runs,
        load(machine.load_at_start),
        load(machine.load_at_end),
    );
    println!();
    const COLUMNS: usize = 11;
    let header = [
        "workload", "leg", "kind", "n", "median", "per op", "ops/s", "vs floor", "p50", "p99",
        "target",
    ];
    // The latency columns only where some leg times its requests.
    let timed = report
        .workloads
        .iter()
        .any(|w| w.legs.iter().any(|leg| leg.p50_s.is_some()));
    let shown: Vec<usize> = (0..COLUMNS)
        .filter(|&c| timed || !matches!(c, 8 | 9))
        .collect();
    // (cells, a reason in place of the measured cells, starts a new workload)
    let mut rows: Vec<([String; COLUMNS], Option<String>, bool)> = Vec::new();
    for workload in &report.workloads {
        for (i, leg) in workload.legs.iter().enumerate() {
            let target_text = leg.target_text.as_ref().unwrap_or(&workload.target_text);
            let verdict = match leg.target_met {
                Some(true) => format!("PASS {target_text}"),
                Some(false) => format!("MISS {target_text}"),
                None => String::new(),
            };
            let show =
                |value: Option<f64>, how: fn(f64) -> String| value.map(how).unwrap_or_default();
            let cells = [
                workload.id.to_string(),
                leg.label.to_string(),
                leg.kind.label().to_string(),
                format::count(leg.size.n as f64),
                show(leg.median_s, format::duration),
                show(leg.per_op_s, format::duration),
                show(leg.rate_per_s, format::count),
                show(leg.ratio_to_floor, format::ratio),
                show(leg.p50_s, format::duration),
                show(leg.p99_s, format::duration),
                verdict,
            ];
            let note = leg.reason.as_ref().map(|why| match leg.status {
                "not-available" => why.clone(),
                status => format!("{status}: {why}"),
            });
            rows.push((cells, note, i == 0));
        }
    }
    let mut widths = header.map(|h| h.chars().count());
    for (cells, _, _) in &rows {
        for (width, cell) in widths.iter_mut().zip(cells) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = shown
            .iter()
            .filter_map(|&c| Some((cells.get(c)?, widths[c])))
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    println!("{}", line(&header.map(String::from)));
    println!("{}", line(&widths.map(|w| "-".repeat(w))));
    for (n, (cells, note, first)) in rows.iter().enumerate() {
        if *first && n > 0 {
            println!();
        }
        match note {
            Some(note) => println!("{}  {note}", line(&cells[..4])),
            None => println!("{}", line(cells)),
        }
    }
}
