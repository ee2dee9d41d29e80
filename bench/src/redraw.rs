//! A saved run read back from its `bench.json`, to draw its chart again
//! without running anything (`--redraw FILE`): the chart's layout can change
//! without a new five-minute run on a quiet machine.
//!
//! Only what the chart shows is required; the rest of the file (samples,
//! sizes, the kernel) may be missing, as in the book's `benchmarks.json`,
//! which was rebuilt from the table on the Benchmarks page.

use serde_json::Value;

use crate::model::{Kind, Profile, Size, Target};
use crate::report::{LegReport, Machine, RunReport, WorkloadReport};

/// The chart's report types hold `&'static str`, as they come from the
/// workload table; a report read back lives until the program ends anyway.
fn leak(text: &str) -> &'static str {
    Box::leak(text.to_string().into_boxed_str())
}

fn field<'a>(value: &'a Value, key: &str, within: &str) -> Result<&'a Value, String> {
    value
        .get(key)
        .filter(|v| !v.is_null())
        .ok_or_else(|| format!("{within}: no `{key}`"))
}

fn text(value: &Value, key: &str, within: &str) -> Result<&'static str, String> {
    field(value, key, within)?
        .as_str()
        .map(leak)
        .ok_or_else(|| format!("{within}: `{key}` is not text"))
}

fn number(value: &Value, key: &str) -> Option<f64> {
    value.get(key).and_then(Value::as_f64)
}

fn whole(value: &Value, key: &str) -> Option<u64> {
    value.get(key).and_then(Value::as_u64)
}

fn size(value: &Value, key: &str) -> Size {
    let size = value.get(key);
    Size {
        n: size.and_then(|s| whole(s, "n")).unwrap_or(0),
        workers: size.and_then(|s| whole(s, "workers")).unwrap_or(1),
    }
}

fn target(workload: &Value, within: &str) -> Result<Target, String> {
    let target = field(workload, "target", within)?;
    let bound =
        |key| number(target, key).ok_or_else(|| format!("{within}: the target has no `{key}`"));
    match target.get("kind").and_then(Value::as_str) {
        Some("ratio") => Ok(Target::Ratio { max: bound("max")? }),
        Some("rate") => Ok(Target::Rate { min: bound("min")? }),
        other => Err(format!("{within}: unknown target kind {other:?}")),
    }
}

fn leg(value: &Value, within: &str) -> Result<LegReport, String> {
    let label = text(value, "label", within)?;
    let within = format!("{within}, leg `{label}`");
    let kind = match text(value, "kind", &within)? {
        "reference" => Kind::Reference,
        "floor" => Kind::Floor,
        "python" => Kind::Python,
        "yours" | "mine" => Kind::Mine,
        other => return Err(format!("{within}: unknown kind `{other}`")),
    };
    let status = match value.get("status").and_then(Value::as_str) {
        Some("skipped") => "skipped",
        Some("not-available") => "not-available",
        Some("failed") => "failed",
        _ => "measured",
    };
    Ok(LegReport {
        id: value.get("id").and_then(Value::as_str).map_or("", leak),
        label,
        kind,
        status,
        reason: value
            .get("reason")
            .and_then(Value::as_str)
            .map(String::from),
        size: size(value, "size"),
        samples_s: Vec::new(),
        ops: whole(value, "ops").unwrap_or(0),
        median_s: number(value, "median_s"),
        min_s: number(value, "min_s"),
        max_s: number(value, "max_s"),
        per_op_s: number(value, "per_op_s"),
        rate_per_s: number(value, "rate_per_s"),
        ratio_to_floor: number(value, "ratio_to_floor"),
        target_met: value.get("target_met").and_then(Value::as_bool),
        // The leg's own targets are judged already: their verdict and words
        // are enough to draw.
        targets: Vec::new(),
        target_text: value
            .get("target_text")
            .and_then(Value::as_str)
            .map(String::from),
        p50_s: number(value, "p50_s"),
        p99_s: number(value, "p99_s"),
    })
}

fn workload(value: &Value) -> Result<WorkloadReport, String> {
    let id = value.get("id").and_then(Value::as_str).map_or("", leak);
    let within = format!("workload `{id}`");
    let target = target(value, &within)?;
    let unit = text(value, "unit", &within)?;
    let legs = field(value, "legs", &within)?
        .as_array()
        .ok_or_else(|| format!("{within}: `legs` is not a list"))?
        .iter()
        .map(|l| leg(l, &within))
        .collect::<Result<_, _>>()?;
    Ok(WorkloadReport {
        id,
        title: text(value, "title", &within)?,
        unit,
        target,
        target_text: value
            .get("target_text")
            .and_then(Value::as_str)
            .map_or_else(|| target.describe(unit), String::from),
        size: size(value, "size"),
        python_size: size(value, "python_size"),
        legs,
    })
}

/// A run report from the text of a `bench.json`.
pub fn from_json(json: &str) -> Result<RunReport, String> {
    let root: Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    if whole(&root, "format") != Some(1) {
        return Err("not a bench.json of format 1".to_string());
    }
    let machine = root.get("machine").unwrap_or(&Value::Null);
    let optional_text = |key| machine.get(key).and_then(Value::as_str).map(String::from);
    Ok(RunReport {
        format: 1,
        profile: match root.get("profile").and_then(Value::as_str) {
            Some("quick") => Profile::Quick,
            _ => Profile::Full,
        },
        warmup: whole(&root, "warmup").unwrap_or(1) as u32,
        runs: whole(&root, "runs").unwrap_or(0) as u32,
        python_runs: whole(&root, "python_runs").unwrap_or(0) as u32,
        machine: Machine {
            cpus: whole(machine, "cpus").unwrap_or(0),
            cpu_model: optional_text("cpu_model"),
            kernel: optional_text("kernel"),
            python: optional_text("python"),
            load_at_start: number(machine, "load_at_start"),
            load_at_end: number(machine, "load_at_end"),
        },
        started_unix_s: whole(&root, "started_unix_s").unwrap_or(0),
        workloads: field(&root, "workloads", "the run")?
            .as_array()
            .ok_or("`workloads` is not a list")?
            .iter()
            .map(workload)
            .collect::<Result<_, _>>()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_books_saved_run_reads_back() {
        let json = include_str!("../../book/src/benchmarks.json");
        let report = from_json(json).expect("the book's benchmarks.json");
        assert!(!report.workloads.is_empty());
        for workload in &report.workloads {
            assert!(workload.floor_per_op().is_some(), "{}", workload.id);
            assert!(workload.target_ratio().is_some(), "{}", workload.id);
        }
    }

    #[test]
    fn a_report_written_as_json_reads_back_the_same() {
        let json = include_str!("../../book/src/benchmarks.json");
        let report = from_json(json).unwrap();
        let again = from_json(&serde_json::to_string(&report).unwrap()).unwrap();
        assert_eq!(format!("{report:?}"), format!("{again:?}"));
    }

    #[test]
    fn says_what_is_missing() {
        assert!(from_json("{}").unwrap_err().contains("format"));
        let no_label = r#"{"format": 1, "workloads": [{"id": "w", "title": "t",
            "unit": "u", "target": {"kind": "ratio", "max": 2}, "legs": [{}]}]}"#;
        let error = from_json(no_label).unwrap_err();
        assert!(
            error.contains("workload `w`") && error.contains("label"),
            "{error}"
        );
    }
}
