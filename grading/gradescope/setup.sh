#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image
# (Ubuntu): a C toolchain for the linker, Rust through rustup, the runner,
# and one build of the course in the grading folder run_autograder uses, so
# that grading a submission compiles only its chapters.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends build-essential ca-certificates curl git

if ! command -v cargo >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/cargo" ]; then
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs |
    sh -s -- -y --profile minimal --default-toolchain stable
fi
. "$HOME/.cargo/env"

root=/autograder
rm -rf "$root/work"
mkdir -p "$root/work"
cd "$root/source/course"
cargo fetch
# The course graded as its own submission: the runner is built, and the
# grading folder holds a build of every chapter (the grade is thrown away).
cargo course grade --submission . --work "$root/work/grading" \
  --format json --output /tmp/skeleton-grade.json || true
