//! Numbers for people: durations with a fitting unit, counts with
//! thousands separators.

/// `0.000_002_5` → `2.50 µs`.
pub fn duration(seconds: f64) -> String {
    let (value, unit) = if seconds >= 1.0 {
        (seconds, "s")
    } else if seconds >= 1e-3 {
        (seconds * 1e3, "ms")
    } else if seconds >= 1e-6 {
        (seconds * 1e6, "µs")
    } else {
        (seconds * 1e9, "ns")
    };
    let digits = if value >= 100.0 {
        0
    } else if value >= 10.0 {
        1
    } else {
        2
    };
    format!("{value:.digits$} {unit}")
}

/// `2500000.0` → `2 500 000` (rounded to an integer).
pub fn count(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// A ratio to the floor: `1.18x`, `37x`.
pub fn ratio(value: f64) -> String {
    if value >= 10.0 {
        format!("{value:.0}x")
    } else {
        format!("{value:.2}x")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_pick_a_unit() {
        assert_eq!(duration(2.5e-6), "2.50 µs");
        assert_eq!(duration(0.0123), "12.3 ms");
        assert_eq!(duration(3.0), "3.00 s");
        assert_eq!(duration(4.2e-8), "42.0 ns");
    }

    #[test]
    fn counts_are_grouped() {
        assert_eq!(count(2_500_000.0), "2 500 000");
        assert_eq!(count(999.0), "999");
        assert_eq!(count(1000.4), "1 000");
    }
}
