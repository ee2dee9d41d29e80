"""Shared by the Python originals: read the size, run warm-ups and timed
runs, print one JSON sample per line, as forklings-bench expects.

A workload is a function of (n, workers) that returns (elapsed_s, ops, check):
it times itself, so that set-up the workload does not ask about stays out.
"""

import argparse
import json
import sys


def main(workload):
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    # A warm-up runs every code path once at a tenth of the size: it needs
    # the paths, not the time (as in forklings-bench's harness).
    for _ in range(args.warmup):
        workload(max(1, args.n // 10), args.workers)
    for _ in range(args.runs):
        elapsed_s, ops, check = workload(args.n, args.workers)
        print(json.dumps({"elapsed_s": elapsed_s, "ops": ops, "check": check}), flush=True)


def skip(reason):
    """This leg cannot run here (a module is missing): say why, and stop."""
    print(json.dumps({"skipped": reason}), flush=True)
    sys.exit(0)
