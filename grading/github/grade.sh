#!/usr/bin/env bash
# The grading step of classroom.yml: grades the repository it runs in and
# hands the result to GitHub Classroom's reporter as the step's `result`
# output (base64 of the runner result JSON). The full model is kept in
# forklings-report.json for the workflow's artifact.
#
# FORKLINGS_COURSE_CMD (default `cargo course`) exists for the runner's own
# test of this script; GITHUB_OUTPUT is set by GitHub Actions.
set -uo pipefail
result="${1:-forklings-result.json}"
rm -f "$result"
# shellcheck disable=SC2086
${FORKLINGS_COURSE_CMD:-cargo course} grade --format github --output "$result" \
  --json forklings-report.json
if [ ! -s "$result" ]; then
  echo '{"version": 1, "status": "error", "max_score": 0, "tests": []}' >"$result"
  echo "grade.sh: the grader stopped without a result" >&2
fi
echo "result=$(base64 -w0 <"$result")" >>"${GITHUB_OUTPUT:-/dev/stdout}"
