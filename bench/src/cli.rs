//! The command line, read by hand: a handful of flags needs no parser crate.

use std::path::PathBuf;

use crate::model::Profile;

pub const USAGE: &str = "\
forklings-bench: each chapter's workload, three ways, in one run

Usage: cargo run --release -p forklings-bench -- [OPTIONS]
   or: cargo course bench [OPTIONS]

Options:
  --quick           smaller sizes and fewer runs (under a minute)
  --only WORKLOAD   run only this workload (repeat, or separate with commas)
  --out DIR         where bench.json and bench.svg go
                    (default: target/bench/ of the course, or $CARGO_TARGET_DIR/bench/)
  --book            also write the chart and its numbers to book/src/benchmarks.svg
                    and book/src/benchmarks.json
  --redraw FILE     run nothing: draw the chart again from a saved bench.json
                    (into --out, and with --book into the book)
  --runs N          timed runs per leg (default: 5, quick: 3)
  --no-python       leave out the Python originals
  --python PATH     the Python interpreter (default: python3)
  --timeout SECS    time limit for one leg (default: 180, quick: 60)
  --mine            also run each workload with your chapter crates (chapters/)
                    in place of the reference, beside it; a workload whose
                    exercises you have not written yet is skipped
  --strict          exit with 1 if a leg crashed, timed out or got a wrong
                    answer (CI's check that the bench still runs; a MISS of
                    a target never fails)
  --list            list the workloads and their legs
  -h, --help        this text
";

#[derive(Debug)]
pub struct Options {
    pub profile: Profile,
    pub only: Vec<String>,
    pub out: Option<PathBuf>,
    pub book: bool,
    pub redraw: Option<PathBuf>,
    pub runs: Option<u32>,
    pub python: Option<PathBuf>,
    pub no_python: bool,
    pub timeout: Option<u64>,
    pub list: bool,
    pub mine: bool,
    pub strict: bool,
    pub help: bool,
}

pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        profile: Profile::Full,
        only: Vec::new(),
        out: None,
        book: false,
        redraw: None,
        runs: None,
        python: None,
        no_python: false,
        timeout: None,
        list: false,
        mine: false,
        strict: false,
        help: false,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        // `--flag=value` reads like `--flag value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_string(), Some(value.to_string()))
            }
            _ => (arg.clone(), None),
        };
        let mut value = |what: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs {what}"))
        };
        match flag.as_str() {
            "--quick" => options.profile = Profile::Quick,
            "--only" => options.only.extend(
                value("a workload")?
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from),
            ),
            "--out" => options.out = Some(PathBuf::from(value("a directory")?)),
            "--book" => options.book = true,
            "--redraw" => options.redraw = Some(PathBuf::from(value("a bench.json")?)),
            "--runs" => options.runs = Some(number(&flag, &value("a number")?)?),
            "--python" => options.python = Some(PathBuf::from(value("a path")?)),
            "--no-python" => options.no_python = true,
            "--timeout" => options.timeout = Some(number(&flag, &value("seconds")?)?),
            "--list" => options.list = true,
            "--mine" => options.mine = true,
            "--strict" => options.strict = true,
            "-h" | "--help" => options.help = true,
            _ => return Err(format!("unknown argument `{arg}`")),
        }
    }
    Ok(options)
}

fn number<T: std::str::FromStr>(flag: &str, text: &str) -> Result<T, String> {
    match text.parse() {
        Ok(n) => Ok(n),
        Err(_) => Err(format!(
            "{flag} needs a positive whole number, not `{text}`"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(line: &str) -> Result<Options, String> {
        parse(line.split_whitespace().map(String::from))
    }

    #[test]
    fn reads_every_flag() {
        let options =
            parse_str("--quick --only primes,locks --only=sleeps --out /tmp/x --runs 7 --book --redraw r.json")
                .unwrap();
        assert_eq!(options.profile, Profile::Quick);
        assert_eq!(options.only, ["primes", "locks", "sleeps"]);
        assert_eq!(options.out, Some(PathBuf::from("/tmp/x")));
        assert_eq!(options.runs, Some(7));
        assert!(options.book);
        assert_eq!(options.redraw, Some(PathBuf::from("r.json")));
        assert!(!options.mine);
        assert!(parse_str("--mine").unwrap().mine);
    }

    #[test]
    fn refuses_what_it_does_not_know() {
        assert!(parse_str("--fast").unwrap_err().contains("--fast"));
        assert!(parse_str("--runs").unwrap_err().contains("needs"));
        assert!(parse_str("--runs many").unwrap_err().contains("many"));
    }
}
