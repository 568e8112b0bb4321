#!/usr/bin/env python3
"""Scale benchmark: `xjscan scan` of whole generated Form 13F data sets, side by side with the
polars read floor and a pandas + rapidfuzz baseline (benches/baseline.py).

For each size it generates a seeded data set under target/ (never committed; the generator,
examples/gen_13f_dataset.rs, writes truth.tsv saying which names are linked), then measures:
  floor     polars reading INFOTABLE.tsv and nothing else (examples/read_floor.rs)
  xjscan    the whole scan: wall time, rows per second, peak RSS, rows and names flagged,
            false flags (flagged names the generator did not link)
  baseline  the same for the Python baseline
and prints one table. The floor and the scan are each run --repeat times (default 3) and the
fastest run counts (a shared machine is noisy; the minimum is the least disturbed); peak RSS
is the largest seen. Targets, checked at 3M rows (exit 1 when one fails): the scan within
1.5x the floor, at least 4x faster than the baseline, no false flags, peak RSS under 2 GB; and
time linear in rows (seconds per row at the largest size within 1.3x of the smallest).

    python3 -m venv .venv && .venv/bin/pip install pandas rapidfuzz
    .venv/bin/python benches/scale.py --rows 1000000,3000000,10000000
"""
import argparse
import csv
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))

from probe import measured  # noqa: E402 (benches/ is on the path when a script runs)


def truth(data):
    with open(os.path.join(data, "truth.tsv"), newline="", encoding="utf-8") as f:
        return {r["NAMEOFISSUER"]: r["LINKED"] == "true" for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="1000000,3000000,10000000")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--python", default=sys.executable, help="interpreter with pandas and rapidfuzz")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(r) for r in args.rows.split(",")]

    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "xjscan",
                    "--example", "gen_13f_dataset", "--example", "read_floor"], cwd=ROOT, check=True)
    binary = os.path.join(TARGET, "release", "xjscan")
    examples = os.path.join(TARGET, "release", "examples")
    results = []
    for rows in sizes:
        data = os.path.join(TARGET, f"dataset-{rows}-{args.seed}")
        if not os.path.exists(os.path.join(data, "truth.tsv")):
            subprocess.run([os.path.join(examples, "gen_13f_dataset"), "--rows", str(rows),
                            "--seed", str(args.seed), "--out", data], cwd=ROOT, check=True)
        linked = truth(data)
        # The floor and the scan read the file from the page cache alike: read it once first.
        with open(os.path.join(data, "INFOTABLE.tsv"), "rb") as f:
            while f.read(1 << 24):
                pass
        floors, walls, rss = [], [], 0.0
        report = data + "-report"
        for _ in range(args.repeat):
            out, _, _ = measured([os.path.join(examples, "read_floor"), os.path.join(data, "INFOTABLE.tsv")])
            floors.append(float(next(l.split()[-1] for l in out if l.startswith("rows "))))
            _, w, r = measured([binary, "scan", data, "--out", report])
            walls.append(w)
            rss = max(rss, r)
        floor, wall = min(floors), min(walls)
        with open(os.path.join(report, "flagged.csv"), newline="", encoding="utf-8") as f:
            flags = [r for r in csv.DictReader(f) if not r["put_call"]]
        names = {r["name"] for r in flags}
        ours = dict(rows_flagged=len(flags), names=len(names),
                    false=sorted(n for n in names if not linked.get(n, False)),
                    missed=sorted(n for n, l in linked.items() if l and n not in names))
        base = None
        if not args.no_baseline:
            flagged_out = data + "-baseline-flagged.txt"
            out, bwall, brss = measured([args.python, os.path.join(ROOT, "benches", "baseline.py"), data,
                                         "--mappings", os.path.join(ROOT, "mappings"), "--flagged-out", flagged_out])
            stats = dict(l.split() for l in out if " " in l)
            with open(flagged_out, encoding="utf-8") as f:
                bnames = {l.rstrip("\n") for l in f if l.strip()}
            base = dict(wall=bwall, rss=brss, rows_flagged=int(stats["rows_flagged"]), names=len(bnames),
                        false=sorted(n for n in bnames if not linked.get(n, False)))
        results.append(dict(rows=rows, floor=floor, wall=wall, rss=rss, ours=ours, base=base))

    print(f"machine: {os.cpu_count()} cores; {sys.platform}; seed {args.seed}")
    print(f"{'rows':>11} {'floor s':>8} {'xjscan s':>9} {'x floor':>8} {'rows/s':>10} {'RSS MB':>7} "
          f"{'flagged rows':>12} {'false':>5} | {'baseline s':>10} {'RSS MB':>7} {'flagged rows':>12} {'false':>5} {'speedup':>7}")
    for r in results:
        o, b = r["ours"], r["base"]
        line = (f"{r['rows']:>11,} {r['floor']:>8.2f} {r['wall']:>9.2f} {r['wall'] / r['floor']:>8.2f} "
                f"{r['rows'] / r['wall']:>10,.0f} {r['rss']:>7,.0f} {o['rows_flagged']:>12,} {len(o['false']):>5}")
        if b:
            line += (f" | {b['wall']:>10.2f} {b['rss']:>7,.0f} {b['rows_flagged']:>12,} {len(b['false']):>5} "
                     f"{b['wall'] / r['wall']:>7.1f}")
        print(line)
    for r in results:
        if r["ours"]["false"]:
            print(f"xjscan false flags at {r['rows']:,}: {r['ours']['false']}")
        if r["ours"]["missed"]:
            print(f"xjscan linked names not flagged at {r['rows']:,}: {r['ours']['missed']}")
        if r["base"] and r["base"]["false"]:
            print(f"baseline false flags at {r['rows']:,} ({len(r['base']['false'])}), e.g. {r['base']['false'][:8]}")

    failures = []
    at3m = next((r for r in results if r["rows"] == 3_000_000), None)
    if at3m:
        if at3m["wall"] > 1.5 * at3m["floor"]:
            failures.append(f"scan {at3m['wall']:.2f} s is above 1.5x the floor {at3m['floor']:.2f} s")
        if at3m["base"] and at3m["base"]["wall"] < 4 * at3m["wall"]:
            failures.append("less than 4x faster than the baseline")
        if at3m["ours"]["false"]:
            failures.append("false flags")
        if at3m["rss"] >= 2048:
            failures.append(f"peak RSS {at3m['rss']:.0f} MB")
    if len(results) > 1:
        small, large = results[0], results[-1]
        ratio = (large["wall"] / large["rows"]) / (small["wall"] / small["rows"])
        print(f"seconds per row, {large['rows']:,} vs {small['rows']:,}: {ratio:.2f}x")
        if ratio > 1.3:
            failures.append(f"not linear: {ratio:.2f}x time per row")
    for f in failures:
        print(f"TARGET MISSED: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
