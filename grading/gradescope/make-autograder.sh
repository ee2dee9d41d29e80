#!/usr/bin/env bash
# Makes the zip to upload as a Gradescope programming assignment's
# autograder: setup.sh and run_autograder at the top, the course (as git
# sees it: tracked and new files, no target/) under course/.
#   grading/gradescope/make-autograder.sh [OUT.zip]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
course=$(cd "$here/../.." && pwd)
out=$(realpath -m "${1:-forklings-autograder.zip}")
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/course"
(cd "$course" && git ls-files -z --cached --others --exclude-standard) |
  (cd "$course" && xargs -0 cp --parents -t "$stage/course")
cp "$here/setup.sh" "$here/run_autograder" "$stage/"
chmod +x "$stage/setup.sh" "$stage/run_autograder"
rm -f "$out"
(cd "$stage" && zip -qr "$out" .)
echo "autograder written to $out"
