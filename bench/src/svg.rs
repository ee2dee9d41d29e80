//! The chart the book shows, drawn by hand at the width the book shows it
//! (750 px, so that its 14 px text reads at 14 px): one group per workload,
//! and for each leg a line of text (its label on the left, its numbers on
//! the right) above its bar. A bar is the leg's time per operation over the
//! floor's, on a log scale (the floor is 1x; shorter is faster). The target
//! is a dashed red mark across the bars only, so that it never runs through
//! text.

use std::fmt::Write;

use crate::format;
use crate::model::Kind;
use crate::report::{LegReport, RunReport, WorkloadReport};

/// The book's text column is 750 px wide: the chart is drawn at that size.
const WIDTH: f64 = 750.0;
const LEFT: f64 = 12.0;
const RIGHT: f64 = WIDTH - 12.0;
const FONT: f64 = 14.0;
const SMALL: f64 = 13.0;
/// One line of text.
const LINE: f64 = 18.0;
const BAR: f64 = 13.0;
/// From a leg's text to its bar, and from its bar to the next leg.
const BAR_GAP: f64 = 5.0;
const ROW_GAP: f64 = 9.0;
/// A workload's title and target lines.
const GROUP_HEAD: f64 = 2.0 * LINE + 8.0;
const GROUP_GAP: f64 = 16.0;
/// Beyond this span the axis has a tick per decade only (1-2-5 crowds).
const DECADES_ONLY: f64 = 2000.0;
const TARGET_RED: &str = "#b22";

pub fn color(kind: Kind) -> &'static str {
    match kind {
        Kind::Reference => "#c8553d",
        Kind::Floor => "#4f6d9a",
        Kind::Python => "#e0b13a",
        Kind::Mine => "#5a9e6f",
    }
}

/// About how wide a line of sans-serif text is: a little wider than the
/// average glyph, so that what is judged to fit does fit.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.58
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
        LEFT + t * (RIGHT - LEFT)
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

/// A leg's numbers, as the right end of its text line shows them.
fn numbers(workload: &WorkloadReport, leg: &LegReport) -> Option<(String, String)> {
    let (ratio, per_op) = (leg.ratio_to_floor?, leg.per_op_s?);
    let rest = format!(" · {} per {}", format::duration(per_op), workload.unit);
    Some((format::ratio(ratio), rest))
}

fn verdict(leg: &LegReport) -> Option<(&'static str, &'static str)> {
    leg.target_met.map(|met| {
        if met {
            (" · meets target", "#2a7a2a")
        } else {
            (" · misses target", TARGET_RED)
        }
    })
}

/// Whether a leg's label and numbers share a line, or the numbers need a
/// line of their own.
fn lines_of_text(workload: &WorkloadReport, leg: &LegReport) -> f64 {
    let Some((ratio, rest)) = numbers(workload, leg) else {
        return 1.0;
    };
    let verdict = verdict(leg).map_or("", |(text, _)| text);
    let right = text_width(&format!("{ratio}{rest}{verdict}"), FONT);
    if text_width(leg.label, FONT) + 24.0 + right <= RIGHT - LEFT {
        1.0
    } else {
        2.0
    }
}

fn row_height(workload: &WorkloadReport, leg: &LegReport) -> f64 {
    lines_of_text(workload, leg) * LINE + BAR_GAP + BAR + ROW_GAP
}

fn group_height(workload: &WorkloadReport) -> f64 {
    let rows: f64 = workload.legs.iter().map(|l| row_height(workload, l)).sum();
    GROUP_HEAD + rows + GROUP_GAP
}

/// Where the header ends and the groups begin.
const TOP: f64 = 172.0;

pub fn render(report: &RunReport) -> String {
    let axis = Axis::fit(report);
    let body: f64 = report.workloads.iter().map(group_height).sum();
    let grid_bottom = TOP + body - GROUP_GAP;
    let height = grid_bottom + 30.0;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="{FONT}" fill="#1d1d1d">"##
    );
    let _ = writeln!(
        svg,
        "<title>Time per operation of each leg, relative to the floor</title>"
    );
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    // Text over a bar or a grid line keeps a white halo, to stay legible.
    svg.push_str(
        "<style>text { paint-order: stroke; stroke: white; stroke-width: 3px; stroke-linejoin: round; }</style>\n",
    );
    header(&mut svg, report);
    legend(&mut svg, 112.0);

    // The grid, under everything else, with the scale above and below.
    for tick in axis.ticks() {
        let x = axis.x(tick);
        let stroke = if (tick - 1.0).abs() < 1e-9 {
            "#888"
        } else {
            "#e3e3e3"
        };
        let _ = writeln!(
            svg,
            r#"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{grid_bottom:.1}" stroke="{stroke}"/>"#,
            TOP - 6.0
        );
        // The end ticks' labels stay inside the picture.
        let anchor = if x - LEFT < 20.0 {
            "start"
        } else if RIGHT - x < 20.0 {
            "end"
        } else {
            "middle"
        };
        for y in [TOP - 12.0, grid_bottom + 18.0] {
            let _ = writeln!(
                svg,
                r##"<text x="{x:.1}" y="{y:.1}" text-anchor="{anchor}" font-size="{SMALL}" fill="#555">{}</text>"##,
                tick_label(tick)
            );
        }
    }

    let mut y = TOP;
    for workload in &report.workloads {
        group(&mut svg, &axis, workload, y);
        y += group_height(workload);
    }
    svg.push_str("</svg>\n");
    svg
}

fn header(svg: &mut String, report: &RunReport) {
    let machine = &report.machine;
    let profile = match report.profile {
        crate::model::Profile::Quick => "quick",
        crate::model::Profile::Full => "full",
    };
    let mut about = format!("{} cores", machine.cpus);
    if let Some(model) = &machine.cpu_model {
        about.push_str(&format!(", {model}"));
    }
    if let Some(python) = &machine.python {
        about.push_str(&format!("; {python}"));
    }
    if let Some(load) = machine.load_at_start {
        about.push_str(&format!("; load {load:.1} at the start"));
    }
    about.push_str(&format!("; {profile} profile"));
    let how = format!(
        "Median of {} runs ({} for Python), each in a fresh process after a warm-up.",
        report.runs, report.python_runs
    );
    let lines = [
        (
            26.0,
            18.0,
            "bold",
            "#1d1d1d",
            "Time per operation, relative to the floor".to_string(),
        ),
        (
            48.0,
            FONT,
            "normal",
            "#1d1d1d",
            "Log scale: the floor is 1x, and shorter is faster.".to_string(),
        ),
        (68.0, SMALL, "normal", "#555", about),
        (86.0, SMALL, "normal", "#555", how),
    ];
    for (y, size, weight, fill, text) in lines {
        let fits = ((RIGHT - LEFT) / (size * 0.58)) as usize;
        let _ = writeln!(
            svg,
            r#"<text x="{LEFT}" y="{y}" font-size="{size}" font-weight="{weight}" fill="{fill}">{}</text>"#,
            escape(&shorten(&text, fits))
        );
    }
}

fn tick_label(tick: f64) -> String {
    if tick >= 1.0 {
        format!("{tick:.0}x")
    } else {
        format!("{tick}x")
    }
}

/// Two rows: the three kinds of bar, then the target's mark.
fn legend(svg: &mut String, top: f64) {
    let mut x = LEFT;
    for (kind, text) in [
        (Kind::Reference, "course reference solution"),
        (Kind::Floor, "floor: raw syscalls or production crate"),
        (Kind::Python, "Python original"),
    ] {
        let _ = writeln!(
            svg,
            r#"<rect x="{x:.1}" y="{:.1}" width="14" height="{BAR}" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="{SMALL}">{text}</text>"#,
            top - 11.0,
            color(kind),
            x + 19.0,
            top
        );
        x += 19.0 + text_width(text, SMALL) + 16.0;
    }
    let y = top + LINE + 2.0;
    let _ = writeln!(
        svg,
        r#"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{TARGET_RED}" stroke-width="2" stroke-dasharray="4 3"/><text x="{:.1}" y="{y:.1}" font-size="{SMALL}">the target the reference solution should meet (a rate is drawn at the ratio it means)</text>"#,
        LEFT + 7.0,
        y - 14.0,
        LEFT + 7.0,
        y + 4.0,
        LEFT + 19.0,
    );
}

fn group(svg: &mut String, axis: &Axis, workload: &WorkloadReport, top: f64) {
    let fits = ((RIGHT - LEFT) / (15.0 * 0.62)) as usize;
    let _ = writeln!(
        svg,
        r#"<text x="{LEFT}" y="{:.1}" font-size="15" font-weight="bold">{}</text>"#,
        top + 16.0,
        escape(&shorten(workload.title, fits))
    );
    let _ = writeln!(
        svg,
        r#"<text x="{LEFT}" y="{:.1}" font-size="{SMALL}" fill="{TARGET_RED}">target for the reference: {}</text>"#,
        top + 16.0 + LINE,
        escape(&workload.target_text)
    );
    let target = workload.target_ratio().map(|t| axis.x(t));
    let mut y = top + GROUP_HEAD;
    for leg in &workload.legs {
        let lines = lines_of_text(workload, leg);
        let _ = writeln!(
            svg,
            r#"<text x="{LEFT}" y="{:.1}">{}</text>"#,
            y + 14.0,
            escape(leg.label)
        );
        let bar_top = y + lines * LINE + BAR_GAP;
        match numbers(workload, leg) {
            Some((ratio, rest)) => {
                let mut text = format!(
                    r#"<tspan font-weight="bold">{}</tspan>{}"#,
                    escape(&ratio),
                    escape(&rest)
                );
                if let Some((verdict, fill)) = verdict(leg) {
                    let _ = write!(text, r#"<tspan fill="{fill}">{verdict}</tspan>"#);
                }
                let _ = writeln!(
                    svg,
                    r#"<text x="{RIGHT}" y="{:.1}" text-anchor="end">{text}</text>"#,
                    y + (lines - 1.0) * LINE + 14.0
                );
                let end = axis.x(leg.ratio_to_floor.unwrap_or(axis.lo));
                let _ = writeln!(
                    svg,
                    r#"<rect x="{LEFT}" y="{bar_top:.1}" width="{:.1}" height="{BAR}" fill="{}"/>"#,
                    (end - LEFT).max(1.0),
                    color(leg.kind)
                );
            }
            None => {
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
                let fits = ((RIGHT - LEFT) / (SMALL * 0.58)) as usize;
                let _ = writeln!(
                    svg,
                    r##"<text x="{LEFT}" y="{:.1}" font-size="{SMALL}" fill="#777" font-style="italic">{}</text>"##,
                    bar_top + BAR - 2.0,
                    escape(&shorten(&why, fits))
                );
            }
        }
        // The target's mark spans the bar and a little more, never a line
        // of text (and a leg without a bar has its reason there instead).
        if let (Some(x), Some(_)) = (target, leg.ratio_to_floor) {
            let _ = writeln!(
                svg,
                r#"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="{TARGET_RED}" stroke-width="2" stroke-dasharray="4 3"/>"#,
                bar_top - 3.0,
                bar_top + BAR + 3.0
            );
        }
        y += row_height(workload, leg);
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
        assert!((axis.x(0.5) - LEFT).abs() < 1e-9);
        assert!((axis.x(50.0) - RIGHT).abs() < 1e-9);
    }

    fn book_run() -> RunReport {
        crate::redraw::from_json(include_str!("../../book/src/benchmarks.json")).unwrap()
    }

    /// The number in attribute `name` of the element on this line.
    fn attr(element: &str, name: &str) -> f64 {
        let start = element.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        let len = element[start..].find('"').unwrap();
        element[start..start + len].parse().unwrap()
    }

    #[test]
    fn target_marks_cross_no_text() {
        let svg = render(&book_run());
        let texts: Vec<f64> = svg
            .lines()
            .filter(|l| l.starts_with("<text"))
            .map(|l| attr(l, "y"))
            .collect();
        let marks: Vec<(f64, f64)> = svg
            .lines()
            // The legend's mark sits beside its own text, on one line.
            .filter(|l| l.starts_with("<line") && l.contains(TARGET_RED) && !l.contains("<text"))
            .map(|l| (attr(l, "y1"), attr(l, "y2")))
            .collect();
        assert!(marks.len() > 10, "one mark per measured leg with a target");
        for (top, bottom) in marks {
            for &baseline in &texts {
                // A line of text covers from its cap height to its descenders.
                let overlaps = baseline + 4.0 > top && baseline - 13.0 < bottom;
                assert!(
                    !overlaps,
                    "a mark at {top}..{bottom} crosses text at {baseline}"
                );
            }
        }
    }

    #[test]
    fn drawn_at_the_books_width_with_text_to_match() {
        let svg = render(&book_run());
        assert!(svg.starts_with(&format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}""#
        )));
        for line in svg.lines().filter(|l| l.contains("font-size=")) {
            let size = attr(line, "font-size");
            assert!(size >= 13.0, "{size} px text: {line}");
        }
    }

    #[test]
    fn a_long_label_puts_the_numbers_on_a_line_of_their_own() {
        let mut report = book_run();
        let workload = &mut report.workloads[0];
        assert_eq!(lines_of_text(workload, &workload.legs[0]), 1.0);
        workload.legs[0].label =
            "a leg with a label long enough to leave no room for its numbers beside it";
        assert_eq!(lines_of_text(workload, &workload.legs[0]), 2.0);
        assert!(render(&report).contains("a leg with a label long enough"));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("<= 2x & \"so\""), "&lt;= 2x &amp; &quot;so&quot;");
    }
}
