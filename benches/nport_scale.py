#!/usr/bin/env python3
"""N-PORT scale benchmark: `xjscan scan` of whole generated Form N-PORT data sets at 1x, 3x
and 10x a real quarter, side by side with the polars read floor and a pandas + rapidfuzz
baseline (benches/nport_baseline.py).

A quarter: the SEC's data sets hold about 14,400 filings a quarter, and a quarter's
FUND_REPORTED_HOLDING.tsv is 851-910 MB (the sources are cited in the README). No source gives
its row count, so 1x is the number of generated rows whose table is that size: 5,300,000 rows
of examples/gen_nport_dataset.rs (about 14,000 filings) make a table of about 880 MB.

For each size it generates a seeded data set under target/ (never committed; the generator
writes truth.tsv saying which names are linked), then measures:
  floor     polars reading the eleven columns of FUND_REPORTED_HOLDING.tsv the scan reads and
            nothing else (examples/read_floor.rs); skipped when the table would not fit in
            memory (polars holds about three times the table's size)
  xjscan    the whole scan, identifiers join and reports included: wall time, rows per
            second, peak RSS, rows flagged, false flags (flagged names the generator did not
            link) and misses
  baseline  the same for the Python baseline
  zip       the smallest size once more as the SEC publishes it (the five tables in one
            deflated zip): wall time with the unpacking, and whether its files equal the folder's
and prints one table. The floor and the scan are each run --repeat times (default 3) and the
fastest run counts (a shared machine is noisy); peak RSS is the largest seen. Targets (exit 1
when one fails): the scan within 1.0x the floor wherever the floor fits, at least 5x faster
than the baseline, no false flag at any size, peak RSS at most 1.5 GB at 3x, and seconds per
row at 10x within 1.3x of 1x.

    python3 -m venv .venv && .venv/bin/pip install pandas rapidfuzz
    .venv/bin/python benches/nport_scale.py --quarters 1,3,10
"""
import argparse
import csv
import filecmp
import os
import subprocess
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
QUARTER_ROWS = 5_300_000
SCAN_COLUMNS = ("ACCESSION_NUMBER,HOLDING_ID,ISSUER_NAME,ISSUER_LEI,ISSUER_TITLE,ISSUER_CUSIP,"
                "CURRENCY_CODE,CURRENCY_VALUE,PAYOFF_PROFILE,ASSET_CAT,ISSUER_TYPE")

from probe import measured  # noqa: E402 (benches/ is on the path when a script runs)


def truth(data):
    with open(os.path.join(data, "truth.tsv"), newline="", encoding="utf-8") as f:
        return {r["ISSUER_NAME"]: r["LINKED"] == "true"
                for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)}


def memory_bytes():
    with open("/proc/meminfo", encoding="ascii") as f:
        return next(int(l.split()[1]) * 1024 for l in f if l.startswith("MemTotal:"))


def warm(*paths):
    """Reads files once, so the floor and the scan both read from the page cache."""
    for path in paths:
        with open(path, "rb") as f:
            while f.read(1 << 24):
                pass


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quarters", default="1,3,10", help="sizes in quarters (1 = %d rows)" % QUARTER_ROWS)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--python", default=sys.executable, help="interpreter with pandas and rapidfuzz")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [(float(q), int(float(q) * QUARTER_ROWS)) for q in args.quarters.split(",")]

    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "xjscan",
                    "--example", "gen_nport_dataset", "--example", "read_floor"], cwd=ROOT, check=True)
    binary = os.path.join(TARGET, "release", "xjscan")
    examples = os.path.join(TARGET, "release", "examples")
    results = []
    for quarters, rows in sizes:
        data = os.path.join(TARGET, f"nport-{rows}-{args.seed}")
        if not os.path.exists(os.path.join(data, "truth.tsv")):
            subprocess.run([os.path.join(examples, "gen_nport_dataset"), "--rows", str(rows),
                            "--seed", str(args.seed), "--out", data], cwd=ROOT, check=True)
        linked = truth(data)
        table = os.path.join(data, "FUND_REPORTED_HOLDING.tsv")
        size = os.path.getsize(table)
        warm(table, os.path.join(data, "IDENTIFIERS.tsv"))
        floor_fits = 3.5 * size < 0.8 * memory_bytes()
        floors, walls, rss = [], [], 0.0
        report = data + "-report"
        for _ in range(args.repeat):
            if floor_fits:
                out, _, _ = measured([os.path.join(examples, "read_floor"), table, "--columns", SCAN_COLUMNS])
                floors.append(float(next(l.split()[-1] for l in out if l.startswith("rows "))))
            _, w, r = measured([binary, "scan", data, "--out", report])
            walls.append(w)
            rss = max(rss, r)
        with open(os.path.join(report, "flagged.csv"), newline="", encoding="utf-8") as f:
            flags = list(csv.DictReader(f))
        names = {r["name"] for r in flags}
        ours = dict(rows_flagged=len(flags), names=len(names),
                    false=sorted(n for n in names if not linked.get(n, False)),
                    missed=sorted(n for n, l in linked.items() if l and n not in names))
        base = None
        if not args.no_baseline:
            flagged_out = data + "-baseline-flagged.txt"
            out, bwall, brss = measured([args.python, os.path.join(ROOT, "benches", "nport_baseline.py"), data,
                                         "--mappings", os.path.join(ROOT, "mappings"), "--flagged-out", flagged_out])
            stats = dict(l.split() for l in out if " " in l)
            with open(flagged_out, encoding="utf-8") as f:
                bnames = {l.rstrip("\n") for l in f if l.strip()}
            base = dict(wall=bwall, rss=brss, rows_flagged=int(stats["rows_flagged"]),
                        false=sorted(n for n in bnames if not linked.get(n, False)))
        zipped = None
        if not results:
            # The smallest size is also scanned as the SEC publishes it: one zip, deflated.
            archive = data + ".zip"
            if not os.path.exists(archive):
                with zipfile.ZipFile(archive + ".part", "w", zipfile.ZIP_DEFLATED) as z:
                    for table in ("SUBMISSION", "REGISTRANT", "FUND_REPORTED_INFO", "FUND_REPORTED_HOLDING",
                                  "IDENTIFIERS"):
                        z.write(os.path.join(data, table + ".tsv"), table + ".tsv")
                os.rename(archive + ".part", archive)
            warm(archive)
            zwalls = []
            for _ in range(args.repeat):
                _, w, zrss = measured([binary, "scan", archive, "--out", report + "-zip"])
                zwalls.append(w)
            same = all(filecmp.cmp(os.path.join(report, f), os.path.join(report + "-zip", f), shallow=False)
                       for f in ("funds.csv", "flagged.csv", "holders.csv", "review.csv"))
            zipped = dict(wall=min(zwalls), rss=zrss, mb=os.path.getsize(archive) / 1e6, same=same)
        results.append(dict(quarters=quarters, rows=rows, size=size, floor=min(floors) if floors else None,
                            wall=min(walls), rss=rss, ours=ours, base=base, zipped=zipped))

    print(f"machine: {os.cpu_count()} cores, {memory_bytes() / 2**30:.0f} GiB; {sys.platform}; seed {args.seed}")
    print(f"{'quarters':>8} {'rows':>11} {'table MB':>9} {'floor s':>8} {'xjscan s':>9} {'x floor':>8} {'rows/s':>10} "
          f"{'RSS MB':>7} {'flagged':>8} {'false':>5} | {'baseline s':>10} {'RSS MB':>7} {'false':>5} {'speedup':>7}")
    for r in results:
        o, b = r["ours"], r["base"]
        floor = f"{r['floor']:>8.2f}" if r["floor"] else f"{'-':>8}"
        ratio = f"{r['wall'] / r['floor']:>8.2f}" if r["floor"] else f"{'-':>8}"
        line = (f"{r['quarters']:>8g} {r['rows']:>11,} {r['size'] / 1e6:>9,.0f} {floor} {r['wall']:>9.2f} {ratio} "
                f"{r['rows'] / r['wall']:>10,.0f} {r['rss']:>7,.0f} {o['rows_flagged']:>8,} {len(o['false']):>5}")
        if b:
            line += f" | {b['wall']:>10.2f} {b['rss']:>7,.0f} {len(b['false']):>5} {b['wall'] / r['wall']:>7.1f}"
        print(line)
    for r in results:
        if r["zipped"]:
            z = r["zipped"]
            print(f"from the zip at {r['quarters']:g}x ({z['mb']:,.0f} MB, unpacking included): {z['wall']:.2f} s, "
                  f"peak RSS {z['rss']:,.0f} MB; same files as the folder's: {'yes' if z['same'] else 'NO'}")
        if not r["floor"]:
            print(f"floor at {r['quarters']:g}x: not run, polars would need about {3.5 * r['size'] / 2**30:.0f} GiB")
        if r["ours"]["false"]:
            print(f"xjscan false flags at {r['quarters']:g}x: {r['ours']['false']}")
        if r["ours"]["missed"]:
            print(f"xjscan linked names not flagged at {r['quarters']:g}x: {r['ours']['missed']}")
        if r["base"] and r["base"]["false"]:
            print(f"baseline false flags at {r['quarters']:g}x ({len(r['base']['false'])}), e.g. {r['base']['false'][:6]}")

    failures = []
    for r in results:
        at = f"{r['quarters']:g}x"
        if r["floor"] and r["wall"] > 1.0 * r["floor"]:
            failures.append(f"{at}: scan {r['wall']:.2f} s is above the floor {r['floor']:.2f} s")
        if r["base"] and r["base"]["wall"] < 5 * r["wall"]:
            failures.append(f"{at}: less than 5x faster than the baseline")
        if r["ours"]["false"]:
            failures.append(f"{at}: false flags")
        if r["zipped"] and not r["zipped"]["same"]:
            failures.append(f"{at}: the zip's files differ from the folder's")
        if r["quarters"] == 3 and r["rss"] > 1536:
            failures.append(f"{at}: peak RSS {r['rss']:.0f} MB")
    if len(results) > 1:
        small, large = results[0], results[-1]
        ratio = (large["wall"] / large["rows"]) / (small["wall"] / small["rows"])
        print(f"seconds per row, {large['quarters']:g}x vs {small['quarters']:g}x: {ratio:.2f}")
        if ratio > 1.3:
            failures.append(f"not linear: {ratio:.2f}x time per row")
    for f in failures:
        print(f"TARGET MISSED: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
