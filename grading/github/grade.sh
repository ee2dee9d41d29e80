#!/usr/bin/env bash
# The grading step of classroom.yml, run from the course (the instructor's
# template, checked out at a pinned commit):
#   bash course/grading/github/grade.sh SUBMISSION [RESULT]
# grades the student's repository checked out in SUBMISSION by the runner's
# grade of record (only its exercise modules are taken) and hands the
# result to GitHub Classroom's reporter as the step's `result` output
# (base64 of the runner result JSON). The full model is kept in
# forklings-report.json beside RESULT for the workflow's artifact.
#
# FORKLINGS_COURSE (default: the course this script is in) and
# FORKLINGS_COURSE_CMD (default `cargo course`) exist for the runner's own
# test of this script; GITHUB_OUTPUT is set by GitHub Actions.
set -uo pipefail
if [ $# -lt 1 ] || [ ! -d "$1" ]; then
  echo "usage: grade.sh SUBMISSION [RESULT]" >&2
  exit 2
fi
submission=$(cd "$1" && pwd)
result=$(realpath -m "${2:-forklings-result.json}")
report="$(dirname "$result")/forklings-report.json"
course="${FORKLINGS_COURSE:-$(cd "$(dirname "$0")/../.." && pwd)}"
rm -f "$result"
# shellcheck disable=SC2086
(cd "$course" && ${FORKLINGS_COURSE_CMD:-cargo course} grade --submission "$submission" \
  --format github --output "$result" --json "$report")
if [ ! -s "$result" ]; then
  echo '{"version": 1, "status": "error", "max_score": 0, "tests": []}' >"$result"
  echo "grade.sh: the grader stopped without a result" >&2
fi
echo "result=$(base64 -w0 <"$result")" >>"${GITHUB_OUTPUT:-/dev/stdout}"
