#!/usr/bin/env python3
"""Peak memory and time of `xjscan scan` over a generated Form 13F data set.

Generates a seeded data set of --rows rows (default 3,000,000) under target/ (never committed),
scans it with the release binary, and prints wall time, rows per second and peak resident set
size (the child's ru_maxrss). Exits 1 when peak RSS is at or above --max-rss-mb (default 2048).

    python3 scripts/measure_dataset.py --rows 3000000
"""
import argparse
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd):
    subprocess.run(cmd, cwd=ROOT, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--max-rss-mb", type=int, default=2048)
    args = parser.parse_args()

    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    data = os.path.join(target, f"dataset-{args.rows}-{args.seed}")
    out = os.path.join(target, f"dataset-{args.rows}-{args.seed}-report")
    run(["cargo", "build", "--release", "--quiet", "--bin", "xjscan", "--example", "gen_13f_dataset"])
    if not os.path.exists(os.path.join(data, "INFOTABLE.tsv")):
        run([os.path.join(target, "release", "examples", "gen_13f_dataset"),
             "--rows", str(args.rows), "--seed", str(args.seed), "--out", data])

    binary = os.path.join(target, "release", "xjscan")
    # Measure the scan alone: a fresh interpreter runs it and reports its only child's peak RSS
    # (this process's children include the cargo build above).
    probe = ("import resource, subprocess, sys\n"
             "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
             "sys.stdout.write(p.stdout); sys.stderr.write(p.stderr)\n"
             "print(f'PEAK_RSS_KB {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}')\n"
             "sys.exit(p.returncode)\n")
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", probe, binary, "scan", data, "--out", out],
                          cwd=ROOT, capture_output=True, text=True)
    wall = time.monotonic() - start
    lines = proc.stdout.splitlines()
    peak_kb = next((int(l.split()[1]) for l in lines if l.startswith("PEAK_RSS_KB ")), 0)
    proc.stdout = "\n".join(l for l in lines if not l.startswith("PEAK_RSS_KB ")) + "\n"
    sys.stdout.write(proc.stdout)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        return proc.returncode
    peak_mb = peak_kb / 1024
    print(f"rows: {args.rows}  wall: {wall:.2f} s  rows/s: {args.rows / wall:,.0f}  peak RSS: {peak_mb:,.0f} MB  (limit {args.max_rss_mb} MB)")
    return 0 if peak_mb < args.max_rss_mb else 1


if __name__ == "__main__":
    sys.exit(main())
