//! The chart the book shows, drawn by hand: one group of horizontal bars per
//! workload, one bar per leg, each bar the leg's time per operation over the
//! floor's on a log scale (the floor is 1x; shorter is faster), with the
//! target drawn as a dashed line across the group.

use std::fmt::Write;

use crate::format;
use crate::model::Kind;
use crate::report::{RunReport, WorkloadReport};

const WIDTH: f64 = 980.0;
const LABEL_RIGHT: f64 = 300.0;
const BAR_LEFT: f64 = 310.0;
const BAR_RIGHT: f64 = 760.0;
const ROW: f64 = 20.0;
const GROUP_HEAD: f64 = 26.0;
const GROUP_GAP: f64 = 14.0;
const TOP: f64 = 78.0;
/// Beyond this span the axis has a tick per decade only (1-2-5 crowds).
const DECADES_ONLY: f64 = 2000.0;

pub fn color(kind: Kind) -> &'static str {
    match kind {
        Kind::Reference => "#c8553d",
        Kind::Floor => "#4f6d9a",
        Kind::Python => "#e0b13a",
    }
}

/// A logarithmic axis from `lo` to `hi` onto the bar area.
struct Axis {
    lo: f64,
    hi: f64,
}

impl Axis {
    fn fit(report: &RunReport) -> Axis {
        let mut lo: f64 = 0.5;
        let mut hi: f64 = 10.0;
        for workload in &report.workloads {
            let ratios = workload.legs.iter().filter_map(|leg| leg.ratio_to_floor);
            for ratio in ratios.chain(workload.target_ratio()) {
                lo = lo.min(ratio / 1.5);
                hi = hi.max(ratio * 1.5);
            }
        }
        if hi / lo > DECADES_ONLY {
            // Whole decades at both ends: the ends are ticks like the rest.
            Axis {
                lo: 10f64.powf(lo.log10().floor()),
                hi: 10f64.powf(hi.log10().ceil()),
            }
        } else {
            // Whole 1-2-5 steps at both ends keep the grid readable.
            Axis {
                lo: step_below(lo),
                hi: step_above(hi),
            }
        }
    }

    fn x(&self, ratio: f64) -> f64 {
        let ratio = ratio.clamp(self.lo, self.hi);
        let t = (ratio.ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln());
        BAR_LEFT + t * (BAR_RIGHT - BAR_LEFT)
    }

    /// 1-2-5 steps; only the powers of ten when the axis spans many decades.
    fn ticks(&self) -> Vec<f64> {
        let steps: &[f64] = if self.hi / self.lo > DECADES_ONLY {
            &[1.0]
        } else {
            &[1.0, 2.0, 5.0]
        };
        let mut ticks = Vec::new();
        let mut decade = 10f64.powf(self.lo.log10().floor());
        while decade <= self.hi * 1.0001 {
            for &step in steps {
                let tick = decade * step;
                if tick >= self.lo * 0.9999 && tick <= self.hi * 1.0001 {
                    ticks.push(tick);
                }
            }
            decade *= 10.0;
        }
        ticks
    }
}

fn steps_around(value: f64) -> impl Iterator<Item = f64> {
    let decade = 10f64.powf(value.log10().floor());
    [0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0]
        .into_iter()
        .map(move |s| s * decade)
}

fn step_below(value: f64) -> f64 {
    steps_around(value)
        .filter(|s| *s <= value * 1.0001)
        .fold(value, |_, s| s)
}

fn step_above(value: f64) -> f64 {
    steps_around(value)
        .find(|s| *s >= value * 0.9999)
        .unwrap_or(value)
}

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn group_height(workload: &WorkloadReport) -> f64 {
    GROUP_HEAD + ROW * workload.legs.len() as f64 + GROUP_GAP
}

pub fn render(report: &RunReport) -> String {
    let axis = Axis::fit(report);
    let body: f64 = report.workloads.iter().map(group_height).sum();
    let height = TOP + body + 40.0;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r#"<text x="12" y="22" font-size="16" font-weight="bold">Time per operation, relative to the floor (log scale; shorter is faster)</text>"#
    );
    let machine = &report.machine;
    let profile = match report.profile {
        crate::model::Profile::Quick => "quick",
        crate::model::Profile::Full => "full",
    };
    let subtitle = format!(
        "{} cores{}; median of {} runs ({} for Python), each in a fresh process after a warm-up; {} profile{}{}",
        machine.cpus,
        machine
            .cpu_model
            .as_deref()
            .map(|m| format!(", {m}"))
            .unwrap_or_default(),
        report.runs,
        report.python_runs,
        profile,
        machine
            .load_at_start
            .map(|l| format!("; load {l:.1}"))
            .unwrap_or_default(),
        machine
            .python
            .as_deref()
            .map(|p| format!("; {p}"))
            .unwrap_or_default(),
    );
    let _ = writeln!(
        svg,
        r##"<text x="12" y="40" fill="#555">{}</text>"##,
        escape(&subtitle)
    );
    legend(&mut svg);

    // The grid, under everything else.
    let grid_bottom = TOP + body - GROUP_GAP;
    for tick in axis.ticks() {
        let x = axis.x(tick);
        let stroke = if (tick - 1.0).abs() < 1e-9 {
            "#888"
        } else {
            "#e3e3e3"
        };
        let _ = writeln!(
            svg,
            r#"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{grid_bottom:.1}" stroke="{stroke}"/>"#
        );
        let _ = writeln!(
            svg,
            r##"<text x="{x:.1}" y="{:.1}" text-anchor="middle" fill="#555">{}</text>"##,
            grid_bottom + 14.0,
            tick_label(tick)
        );
    }

    // Text over a bar or a target line keeps a white halo, to stay legible.
    svg.push_str(
        "<style>text { paint-order: stroke; stroke: white; stroke-width: 3px; stroke-linejoin: round; }</style>\n",
    );
    let mut y = TOP;
    for workload in &report.workloads {
        target_line(&mut svg, &axis, workload, y);
        y += group_height(workload);
    }
    let mut y = TOP;
    for workload in &report.workloads {
        group(&mut svg, &axis, workload, y);
        y += group_height(workload);
    }
    svg.push_str("</svg>\n");
    svg
}

fn tick_label(tick: f64) -> String {
    if tick >= 1.0 {
        format!("{tick:.0}x")
    } else {
        format!("{tick}x")
    }
}

fn legend(svg: &mut String) {
    let mut x = 12.0;
    for (kind, text) in [
        (Kind::Reference, "course reference solution"),
        (Kind::Floor, "floor: raw syscalls or production crate"),
        (Kind::Python, "Python original"),
    ] {
        let _ = writeln!(
            svg,
            r#"<rect x="{x}" y="50" width="12" height="12" fill="{}"/><text x="{}" y="60">{text}</text>"#,
            color(kind),
            x + 16.0
        );
        x += 40.0 + 6.5 * text.len() as f64;
    }
    let _ = writeln!(
        svg,
        r##"<line x1="{x}" y1="56" x2="{}" y2="56" stroke="#b22" stroke-width="2" stroke-dasharray="4 3"/><text x="{}" y="60">target for the reference</text>"##,
        x + 24.0,
        x + 30.0
    );
}

fn group(svg: &mut String, axis: &Axis, workload: &WorkloadReport, top: f64) {
    let head = format!("{}  (target: {})", workload.title, workload.target_text);
    let _ = writeln!(
        svg,
        r#"<text x="12" y="{:.1}" font-weight="bold">{}</text>"#,
        top + 17.0,
        escape(&head)
    );
    let rows_top = top + GROUP_HEAD;
    for (i, leg) in workload.legs.iter().enumerate() {
        let y = rows_top + ROW * i as f64;
        let _ = writeln!(
            svg,
            r#"<text x="{LABEL_RIGHT}" y="{:.1}" text-anchor="end">{}</text>"#,
            y + 14.0,
            escape(leg.label)
        );
        match (leg.ratio_to_floor, leg.per_op_s) {
            (Some(ratio), Some(per_op)) => {
                let end = axis.x(ratio);
                let _ = writeln!(
                    svg,
                    r#"<rect x="{BAR_LEFT}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}"/>"#,
                    y + 3.0,
                    (end - BAR_LEFT).max(1.0),
                    ROW - 6.0,
                    color(leg.kind)
                );
                let mut text = format!(
                    "{} · {} per {}",
                    format::ratio(ratio),
                    format::duration(per_op),
                    workload.unit
                );
                if let Some(met) = leg.target_met {
                    text.push_str(if met {
                        " · meets target"
                    } else {
                        " · misses target"
                    });
                }
                let _ = writeln!(
                    svg,
                    r#"<text x="{:.1}" y="{:.1}">{}</text>"#,
                    end + 5.0,
                    y + 14.0,
                    escape(&text)
                );
            }
            _ => {
                let why = match (leg.status, &leg.reason) {
                    ("measured", _) => "no floor to compare with".to_string(),
                    ("not-available", Some(reason)) => reason.clone(),
                    (status, _) => format!(
                        "{}{}",
                        status.replace('-', " "),
                        leg.reason
                            .as_deref()
                            .map(|r| format!(": {r}"))
                            .unwrap_or_default()
                    ),
                };
                let _ = writeln!(
                    svg,
                    r##"<text x="{BAR_LEFT}" y="{:.1}" fill="#888" font-style="italic">{}</text>"##,
                    y + 14.0,
                    escape(&shorten(&why, 90))
                );
            }
        }
    }
}

/// The target across a workload's rows, drawn before the bars and text.
fn target_line(svg: &mut String, axis: &Axis, workload: &WorkloadReport, top: f64) {
    if let Some(target) = workload.target_ratio() {
        let x = axis.x(target);
        let rows_top = top + GROUP_HEAD;
        let bottom = rows_top + ROW * workload.legs.len() as f64;
        let _ = writeln!(
            svg,
            r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{bottom:.1}" stroke="#b22" stroke-width="2" stroke-dasharray="4 3"/>"##,
            rows_top - 2.0
        );
    }
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_ends_on_whole_steps() {
        assert_eq!(step_below(0.37), 0.2);
        assert_eq!(step_above(37.0), 50.0);
        assert_eq!(step_above(10.0), 10.0);
        let axis = Axis { lo: 0.5, hi: 50.0 };
        assert_eq!(axis.ticks(), vec![0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0]);
        let wide = Axis {
            lo: 0.1,
            hi: 10_000.0,
        };
        assert_eq!(wide.ticks(), vec![0.1, 1.0, 10.0, 100.0, 1000.0, 10_000.0]);
        assert!((axis.x(0.5) - BAR_LEFT).abs() < 1e-9);
        assert!((axis.x(50.0) - BAR_RIGHT).abs() < 1e-9);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("<= 2x & \"so\""), "&lt;= 2x &amp; &quot;so&quot;");
    }
}
