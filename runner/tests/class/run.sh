#!/usr/bin/env bash
# A class of 20 generated submissions of the real course, graded with
# `cargo course grade-class`, and the grades checked. Run by hand (it
# builds the course 20 times; about a quarter of an hour on 2 cores):
#   runner/tests/class/run.sh [WORKDIR]
# The class: 6 correct (the solutions copied over the skeletons), 5
# partial (chapters 1..k solved), the untouched skeleton, 6 hostile
# (correct but one function spins, forks without end, grabs memory, floods
# stdout and stderr, exits mid-test, or leaves a setsid daemon), 2 tampered
# (tests gutted and a snapshot deleted; a chapter that includes the
# solution's file).
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(realpath -m "${1:-$(mktemp -d)}")
class="$work/submissions"
rm -rf "$class" "$work/grades"
mkdir -p "$class"

# The course as git sees it: no target/, no student state.
copy_course() {
  mkdir -p "$1"
  (cd "$root" && git ls-files -z --cached --others --exclude-standard) |
    (cd "$root" && xargs -0 cp --parents -t "$1")
}
solve() { # solve DIR CHAPTER...
  local dir=$1
  shift
  for ch in "$@"; do cp -r "$dir/solutions/$ch/src/." "$dir/chapters/$ch/src/"; done
}
all_chapters=$(cd "$root/chapters" && ls -d */ | tr -d /)
inject() { # inject FILE 'pub fn NAME' STATEMENT: the statement first in that fn
  python3 - "$@" <<'PY'
import sys
path, head, stmt = sys.argv[1:4]
src = open(path).read()
at = src.index(head)
brace = src.index("{\n", at) + 2
open(path, "w").write(src[:brace] + "    " + stmt + "\n" + src[brace:])
PY
}

for i in 1 2 3 4 5 6; do
  copy_course "$class/correct-$i"
  solve "$class/correct-$i" $all_chapters
done
k=0
for n in 1 2 3 4 5; do
  k=$((k + 1))
  copy_course "$class/partial-$n"
  # shellcheck disable=SC2046
  solve "$class/partial-$n" $(echo "$all_chapters" | head -n "$k")
done
copy_course "$class/skeleton"

hostile() { # hostile NAME FILE HEAD STATEMENT
  copy_course "$class/$1"
  solve "$class/$1" $all_chapters
  inject "$class/$1/$2" "$3" "$4"
}
greet=chapters/08-thread-local/src/context.rs
describe=chapters/01-processes/src/fork_wait.rs
hostile hostile-spin "$greet" "pub fn greet()" \
  'loop { std::hint::spin_loop(); }'
hostile hostile-forkbomb "$describe" "pub fn describe(" \
  'for _ in 0..12 { let _ = unsafe { libc::fork() }; } std::thread::sleep(std::time::Duration::from_secs(30));'
hostile hostile-memory "$greet" "pub fn greet()" \
  'let mut hoard: Vec<Vec<u8>> = Vec::new(); loop { hoard.push(vec![1u8; 64 << 20]); }'
hostile hostile-flood "$describe" "pub fn describe(" \
  '{ use std::io::Write; let chunk = vec![b'"'"'x'"'"'; 1 << 16]; for _ in 0..3200 { let _ = std::io::stdout().write_all(&chunk); let _ = std::io::stderr().write_all(&chunk); } }'
hostile hostile-exit "$greet" "pub fn greet()" \
  'std::process::exit(0);'
hostile hostile-daemon "$greet" "pub fn greet()" \
  'let _ = std::process::Command::new("setsid").args(["sleep", "600"]).spawn();'

# Tampered: chapter 1 solved, its fork_wait tests gutted and a snapshot
# deleted (the course's copies are used), and chapter 4 taken from the
# solution by include! (graded zero).
copy_course "$class/tampered-tests"
solve "$class/tampered-tests" 01-processes
python3 - "$class/tampered-tests/tests/01-processes/fork_wait.rs" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
open(p, "w").write(re.sub(r"assert(_eq|_ne)?!\(", "let _ = stringify!(", s))
PY
rm -f "$(ls "$class"/tampered-tests/tests/01-processes/snapshots/*.snap | head -n 1)"
copy_course "$class/tampered-include"
solve "$class/tampered-include" $all_chapters
echo 'include!("../../../solutions/04-queues/src/drain.rs");' >"$class/tampered-include/chapters/04-queues/src/drain.rs"

echo "class of $(ls "$class" | wc -l) submissions in $class"
cd "$root"
start=$(date +%s)
/usr/bin/time -v cargo course grade-class "$class" --out "$work/grades" 2>"$work/time.log" || true
end=$(date +%s)
grep -E '^\[|graded|peak' "$work/time.log" || true
echo "wall time: $((end - start)) s"
grep -E "Maximum resident set size" "$work/time.log" || true

python3 - "$work/grades/grades.json" "$root/course.toml" <<'PY'
import json, sys, tomllib
table = json.load(open(sys.argv[1]))
course = tomllib.load(open(sys.argv[2], "rb"))
points = {c["id"]: sum(e["points"] for e in c["exercise"]) for c in course["chapter"]}
full = sum(points.values())
rows = {r["student"]: r for r in table["students"]}
bad = []
def expect(name, total, why=""):
    got = rows[name]["total"]
    ok = abs(got - total) < 1e-6
    print(f"{'ok ' if ok else 'BAD'} {name:18} {got:7.2f} / {full}  expected {total:g} {why}")
    if not ok:
        bad.append(name)
for i in range(1, 7):
    expect(f"correct-{i}", full)
chapters = list(points)
for n in range(1, 6):
    expect(f"partial-{n}", sum(points[c] for c in chapters[:n]))
expect("skeleton", 0)
ex_points = {e["id"]: e["points"] for c in course["chapter"] for e in c["exercise"]}
# A hostile submission loses at most the exercise it sabotaged.
for name, ex in [("hostile-spin", "context"), ("hostile-forkbomb", "fork_wait"),
                 ("hostile-memory", "context"), ("hostile-flood", "fork_wait"),
                 ("hostile-exit", "context"), ("hostile-daemon", "context")]:
    got = rows[name]["total"]
    ok = full - ex_points[ex] - 1e-6 <= got <= full + 1e-6
    print(f"{'ok ' if ok else 'BAD'} {name:18} {got:7.2f} / {full}  expected at least {full - ex_points[ex]:g} (only {ex} at stake)")
    if not ok:
        bad.append(name)
expect("tampered-tests", points["01-processes"], "(the course's tests used)")
expect("tampered-include", full - points["04-queues"], "(chapter 4 graded zero)")
for name in ["tampered-tests", "tampered-include"]:
    print(f"    {name}: {rows[name]['problems'][:3]}")
if bad:
    sys.exit(f"unexpected grades: {bad}")
print("every grade as expected")
PY
