#!/usr/bin/env python3
"""Match-table benchmark: `xjscan resolve` over seeded tables of distinct issuers, side by side
with the polars read floor and a pandas + rapidfuzz baseline.

For each size it writes a seeded table of distinct issuers under target/ (never committed):
NAMEOFISSUER and CUSIP, as a data set's distinct pairs are. Names are built from common
company words and legal forms; one in two hundred is a name or alias of the shipped reference
data written as filings write names (upper case, legal forms abbreviated, share-class
suffixes), one in fifty a hard negative sharing most words with such a name. A truth column
says which names come from the reference data. Then it measures:
  floor     polars reading the table and nothing else (examples/read_floor.rs)
  xjscan    `xjscan resolve` writing matches.csv and matches.parquet: wall time, issuers per
            second, peak RSS, issuers flagged, false flags (flagged names not built from the
            reference data)
  baseline  benches/baseline.py's matcher over the same names: pandas reads the table, each
            name is normalised and matched once with rapidfuzz's token-set ratio >= 90
The floor and xjscan are each run --repeat times (default 3), fastest counts; peak RSS is the
largest seen. Targets (exit 1 when one fails): time per issuer at the largest size within 1.3x
of the smallest (linear), at least 5x faster than the baseline, no false flag.

    python3 -m venv .venv && .venv/bin/pip install pandas rapidfuzz
    .venv/bin/python benches/resolve_table.py --issuers 100000,1000000
"""
import argparse
import csv
import os
import random
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))

from probe import measured  # noqa: E402 (benches/ is on the path when a script runs)

WORDS = (
    "AMERICAN GLOBAL PACIFIC ATLANTIC NORTHERN SOUTHERN UNITED FIRST NATIONAL GENERAL CAPITAL "
    "ENERGY POWER SOLAR WIND WATER GAS OIL MINING METALS STEEL CHEMICAL MATERIALS BIO PHARMA "
    "MEDICAL HEALTH CARE FOODS AGRI FARM RETAIL STORES MEDIA NETWORKS SYSTEMS SOFTWARE DATA "
    "DIGITAL CLOUD SEMICONDUCTOR DEVICES INSTRUMENTS MOTORS AUTO AERO DEFENSE TRANSPORT "
    "LOGISTICS SHIPPING RAIL REALTY PROPERTIES TRUST BANCORP FINANCIAL INSURANCE PARTNERS "
    "VENTURES INDUSTRIES TECHNOLOGIES INNOVATIONS RESOURCES HOLDINGS BRANDS LABS WORKS "
    "BLUE RED GREEN SILVER GOLDEN EAGLE LION RIVER MOUNTAIN OCEAN STAR SUMMIT PIONEER"
).split()
FORMS = ["INC", "CORP", "CO", "LTD", "PLC", "LLC", "LP", "CO LTD", "HLDGS INC", "GROUP INC", "SA", "AG", "NV"]
CLASSES = ["", "", "", " CL A", " CL B", " SPONSORED ADR", " -A", " H"]


def reference_names():
    """Latin-script names and aliases of the shipped reference data."""
    names = set()
    for table, column in (("entities.csv", "name"), ("aliases.csv", "alias")):
        with open(os.path.join(ROOT, "mappings", table), newline="", encoding="utf-8") as f:
            names.update(r[column] for r in csv.DictReader(f))
    return sorted(n for n in names if n.isascii() and len(n) > 3)


def as_filed(name, rng):
    """A reference name written as a filing would: upper case, punctuation dropped, legal forms
    abbreviated, perhaps a share class."""
    text = name.upper().replace(",", "").replace(".", "")
    for long, short in (("CORPORATION", "CORP"), ("COMPANY", "CO"), ("LIMITED", "LTD"), ("HOLDINGS", "HLDGS")):
        text = text.replace(long, short)
    return text + rng.choice(CLASSES)


def words_of(name):
    return name.upper().replace(",", " ").replace(".", " ").replace("-", " ").split()


# Words many companies' names share, which name no company on their own.
GENERIC = set((
    "NEW ENERGY SOLAR POWER TECHNOLOGY TECHNOLOGIES DIGITAL SCIENCE INFORMATION MATERIALS "
    "MINING METALS CHEMICAL INDUSTRY INDUSTRIES INDUSTRIAL INTERNATIONAL TRADE TRADING TEXTILE "
    "TEXTILES COTTON AGRICULTURE AGRICULTURAL DEVELOPMENT CONSTRUCTION ELECTRONICS ELECTRIC "
    "SEMICONDUCTOR BIOTECHNOLOGY PHARMACEUTICAL LOGISTICS STEEL ALUMINUM WATER NETWORK SYSTEMS "
    "DATA CLOUD INTELLIGENT SMART GREEN OPTICAL MOTORS AUTOMOTIVE FOODS FOOD APPAREL SPORTS"
).split())


def look_alike(name, safe, rng):
    """A hard negative: the generic words of a reference name (`NEW ENERGY`, `DIGITAL
    TECHNOLOGY`) after a word no reference name uses, as `PIONEER NEW ENERGY CO LTD` is to
    Daqo New Energy; None for a name without generic words."""
    kept = [w for w in words_of(name) if w in GENERIC]
    if not kept:
        return None
    return f"{rng.choice(safe)} {' '.join(kept)} {rng.choice(FORMS)}{rng.choice(CLASSES)}"


def cusip(rng):
    return "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(9))


def generate(path, count, seed):
    """Writes `count` distinct (name, CUSIP) pairs and the truth beside them."""
    rng = random.Random(seed)
    reference = reference_names()
    # Ordinary names are built from words no reference name uses, so that only the names built
    # from reference names (linked, or look-alikes) test the matcher.
    used = {w for n in reference for w in words_of(n)}
    safe = [w for w in WORDS if w not in used]
    seen = set()
    rows = []
    while len(rows) < count:
        roll = rng.random()
        if roll < 0.005:
            name, linked = as_filed(rng.choice(reference), rng), True
        elif roll < 0.025:
            name, linked = look_alike(rng.choice(reference), safe, rng), False
            if name is None:
                continue
        else:
            words = " ".join(rng.choice(safe) for _ in range(rng.randint(1, 3)))
            name, linked = f"{words} {rng.choice(FORMS)}{rng.choice(CLASSES)}", False
        key = (name, cusip(rng) if rng.random() < 0.7 else "")
        if key in seen:
            continue
        seen.add(key)
        rows.append((key[0], key[1], linked))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".part", "w", encoding="utf-8", newline="") as f:
        f.write("NAMEOFISSUER\tCUSIP\tLINKED\n")
        for name, code, linked in rows:
            f.write(f"{name}\t{code}\t{'true' if linked else 'false'}\n")
    os.rename(path + ".part", path)


def truth(path):
    with open(path, newline="", encoding="utf-8") as f:
        return {(r["NAMEOFISSUER"], r["CUSIP"]): r["LINKED"] == "true"
                for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)}


def baseline(path):
    """benches/baseline.py's matcher over the table's names: (seconds, flagged names)."""
    script = (
        "import csv, sys, time\n"
        "sys.path.insert(0, 'benches')\n"
        "import pandas as pd\n"
        "from rapidfuzz import fuzz, process\n"
        "from baseline import normalise, reference_names\n"
        "t = time.monotonic()\n"
        "rows = pd.read_csv(sys.argv[1], sep='\\t', dtype=str, usecols=['NAMEOFISSUER', 'CUSIP'],\n"
        "                   keep_default_na=False, quoting=csv.QUOTE_NONE)\n"
        "reference = reference_names('mappings')\n"
        "flagged = 0\n"
        "for name in rows['NAMEOFISSUER'].unique():\n"
        "    key = normalise(name)\n"
        "    if key and process.extractOne(key, reference, scorer=fuzz.token_set_ratio, score_cutoff=90):\n"
        "        flagged += 1\n"
        "print(f'flagged {flagged}')\n"
    )
    out, wall, rss = measured([sys.executable, "-c", script, path])
    return wall, rss, int(next(l.split()[1] for l in out if l.startswith("flagged ")))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--issuers", default="100000,1000000")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()

    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "xjscan", "--example", "read_floor"],
                   cwd=ROOT, check=True)
    binary = os.path.join(TARGET, "release", "xjscan")
    floor_bin = os.path.join(TARGET, "release", "examples", "read_floor")
    results = []
    for count in (int(n) for n in args.issuers.split(",")):
        path = os.path.join(TARGET, f"issuers-{count}-{args.seed}", "issuers.tsv")
        if not os.path.exists(path):
            generate(path, count, args.seed)
        linked = truth(path)
        floors, walls, rss = [], [], 0
        for _ in range(args.repeat):
            _, w, _ = measured([floor_bin, path, "--columns", "NAMEOFISSUER,CUSIP"])
            floors.append(w)
        out_dir = os.path.join(os.path.dirname(path), "matches")
        for _ in range(args.repeat):
            _, w, r = measured([binary, "resolve", path, "--shipped-data", "--out", out_dir])
            walls.append(w)
            rss = max(rss, r)
        with open(os.path.join(out_dir, "matches.csv"), newline="", encoding="utf-8") as f:
            flagged = [(r["name"].lstrip("'"), r["cusip"]) for r in csv.DictReader(f) if r["status"] == "flagged"]
        false = sorted({k[0] for k in flagged if not linked.get(k, False)})
        missed = sum(1 for k, v in linked.items() if v) - sum(1 for k in flagged if linked.get(k, False))
        base = None if args.no_baseline else baseline(path)
        results.append(dict(count=count, floor=min(floors), wall=min(walls), rss=rss, flagged=len(flagged),
                            false=false, missed=missed, linked=sum(linked.values()), base=base))

    print(f"issuers {'floor s':>8} {'xjscan s':>9} {'issuers/s':>10} {'RSS MB':>7} {'flagged':>8} {'false':>6} "
          f"{'missed':>7} | {'baseline s':>10} {'RSS MB':>7} {'flagged':>8} {'speed-up':>8}")
    for r in results:
        line = (f"{r['count']:>7,} {r['floor']:>8.2f} {r['wall']:>9.2f} {r['count'] / r['wall']:>10,.0f} "
                f"{r['rss']:>7,.0f} {r['flagged']:>8,} {len(r['false']):>6} {r['missed']:>4}/{r['linked']:<3}")
        if r["base"]:
            bwall, brss, bflag = r["base"]
            line += f" | {bwall:>10.2f} {brss:>7,.0f} {bflag:>8,} {bwall / r['wall']:>7.1f}x"
        print(line)
    failures = []
    for r in results:
        if r["false"]:
            failures.append(f"{r['count']:,}: false flags {r['false'][:5]}")
        if r["base"] and r["base"][0] / r["wall"] < 5:
            failures.append(f"{r['count']:,}: less than 5x faster than the baseline")
    if len(results) > 1:
        first, last = results[0], results[-1]
        ratio = (last["wall"] / last["count"]) / (first["wall"] / first["count"])
        print(f"time per issuer at {last['count']:,} over {first['count']:,}: {ratio:.2f}")
        if ratio > 1.3:
            failures.append(f"time per issuer grows {ratio:.2f}x")
    for f in failures:
        print(f"TARGET MISSED: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
