#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image
# (Ubuntu): a C toolchain for the linker, Rust through rustup, and one build
# of the course so that grading a submission compiles only its chapters.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends build-essential ca-certificates curl git

if ! command -v cargo >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/cargo" ]; then
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs |
    sh -s -- -y --profile minimal --default-toolchain stable
fi
. "$HOME/.cargo/env"

# The working copy run_autograder grades in, built once now: the runner, the
# dependencies and the skeletons' test binaries (the skeleton's grade itself
# is thrown away).
root=/autograder
rm -rf "$root/work"
mkdir -p "$root/work"
cp -R "$root/source/course" "$root/work/course"
cd "$root/work/course"
cargo fetch
cargo course grade --format json --output /tmp/skeleton-grade.json || true
