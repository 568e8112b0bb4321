#!/usr/bin/env python3
"""13F XML benchmark: `xjscan scan` of one generated Form 13F information table (XML) at
growing row counts, side by side with the roxmltree read floor and a Python ElementTree baseline.

For each size it generates a seeded information table under target/xml-rows/ (never committed:
a few thousand distinct issuers with 13F-style names and valid 9-character CUSIPs, a handful of
them linked to Xinjiang by the reference data, values in dollars, shares and a few principal
and put/call rows, the `ns1:` prefix real filings use), then measures:
  floor     roxmltree parsing the file and walking its infoTable elements, nothing else
            (examples/xml_floor.rs)
  xjscan    the whole `xjscan scan FILE --out DIR`: wall time, microseconds per row, peak RSS
  baseline  xml.etree.ElementTree.iterparse reading each row's name, CUSIP and value and
            summing the values per issuer (stdlib only; this script with --baseline FILE)
and prints one table. Each is run --repeat times (default 3) and the fastest run counts (a
shared machine is noisy; the minimum is the least disturbed); peak RSS is the largest seen.
The scan's row count and total, and the baseline's, are checked against the generator's.
Target (exit 1 when missed): time per row at the largest size within 1.5x of the smallest
(linear in rows).

    python3 benches/xml_rows.py --rows 4000,40000,400000
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
NS = "http://www.sec.gov/edgar/document/thirteenf/informationtable"

from probe import measured  # noqa: E402 (benches/ is on the path when a script runs)

WORDS = ("AMERICAN GLOBAL FIRST UNITED PACIFIC ATLANTIC NORTHERN SOUTHERN EAST WEST GREEN BLUE "
         "RIVER MOUNTAIN VALLEY GOLDEN SILVER DIGITAL ENERGY POWER SOLAR HEALTH MEDICAL BIO "
         "PHARMA CAPITAL FINANCIAL TRUST BANK INSURANCE REALTY PROPERTIES RETAIL FOODS BEVERAGE "
         "MOTORS AEROSPACE DEFENSE SYSTEMS SOFTWARE NETWORKS SEMICONDUCTOR DEVICES MATERIALS "
         "CHEMICAL STEEL MINING RESOURCES OIL GAS PIPELINE UTILITIES WATER TELECOM MEDIA GAMING "
         "HOTELS AIRLINES LOGISTICS RAIL MARINE PACKAGING APPAREL BRANDS HOME LABS ROBOTICS "
         "DYNAMICS SOLUTIONS PARTNERS INDUSTRIES").split()
SUFFIXES = ["INC", "CORP", "CO", "LTD", "HLDGS INC", "GROUP INC", "INTL INC", "TECH INC", "PLC",
            "CORP CL A", "INC CL B", "HOLDINGS LTD", "LP", "TR", "N V", "SA"]
TITLES = ["COM", "COM", "COM", "CL A", "SHS", "SPONSORED ADR", "ORD SHS"]
# Issuers the reference data links to listed entities, spelled as 13F tables spell them.
LINKED = ["DAQO NEW ENERGY CORP SPONSORED ADR", "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO LTD",
          "ZHEJIANG DAHUA TECHNOLOGY CO LTD", "JINKOSOLAR HLDG CO LTD SPONSORED ADR",
          "ZIJIN MINING GROUP CO LTD", "LONGI GREEN ENERGY TECHNOLOGY CO LTD-A"]


def cusip(issuer, issue):
    """A CUSIP with a valid check digit: 6-character issuer number, 2-character issue."""
    base = f"{issuer % 1_000_000:06d}{issue}"
    total = 0
    for i, c in enumerate(base):
        n = int(c, 36) * (2 if i % 2 else 1)
        total += n // 10 + n % 10
    return base + str((10 - total % 10) % 10)


def issuers(rng, count):
    """Distinct (name, title, CUSIP, price in cents) with 13F-style names."""
    seen, out = set(), []
    for name in LINKED:
        seen.add(name)
        out.append((name, "SPONSORED ADR" if "ADR" in name else "SHS", cusip(rng.randrange(10**6), "10"),
                    rng.randrange(100, 5000)))
    while len(out) < count:
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(SUFFIXES)}"
        if name in seen:
            continue
        seen.add(name)
        issue = rng.choice(["10", "20", "30", "1A", "AB"])
        out.append((name, rng.choice(TITLES), cusip(rng.randrange(10**6), issue), rng.randrange(100, 50000)))
    # Linked issuers anywhere in the order of size, not at the top.
    rng.shuffle(out)
    return out


def generate(path, rows, seed):
    """Writes the information table; returns the rows written and their values summed."""
    rng = random.Random(seed)
    pool = issuers(rng, 3000)
    # Large holdings are few and small ones many, as in real tables: issuer k weighs 1/(k+10).
    weights = [1 / (k + 10) for k in range(len(pool))]
    total = 0
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<ns1:informationTable xmlns:ns1="{NS}">\n')
        for name, title, code, cents in rng.choices(pool, weights, k=rows):
            kind, put_call = "SH", ""
            r = rng.random()
            if r < 0.01:
                kind, title = "PRN", "NOTE 2.750% 1/30"
            elif r < 0.03:
                put_call = f"        <ns1:putCall>{rng.choice(['Put', 'Call'])}</ns1:putCall>\n"
            amount = int(10 ** rng.uniform(1, 6))
            value = amount * cents // 100 if kind == "SH" else amount
            total += value
            f.write(f"    <ns1:infoTable>\n"
                    f"        <ns1:nameOfIssuer>{name.replace('&', '&amp;')}</ns1:nameOfIssuer>\n"
                    f"        <ns1:titleOfClass>{title}</ns1:titleOfClass>\n"
                    f"        <ns1:cusip>{code}</ns1:cusip>\n"
                    f"        <ns1:value>{value}</ns1:value>\n"
                    f"        <ns1:shrsOrPrnAmt>\n"
                    f"            <ns1:sshPrnamt>{amount}</ns1:sshPrnamt>\n"
                    f"            <ns1:sshPrnamtType>{kind}</ns1:sshPrnamtType>\n"
                    f"        </ns1:shrsOrPrnAmt>\n"
                    f"{put_call}"
                    f"        <ns1:investmentDiscretion>SOLE</ns1:investmentDiscretion>\n"
                    f"        <ns1:votingAuthority>\n"
                    f"            <ns1:Sole>{amount}</ns1:Sole>\n"
                    f"            <ns1:Shared>0</ns1:Shared>\n"
                    f"            <ns1:None>0</ns1:None>\n"
                    f"        </ns1:votingAuthority>\n"
                    f"    </ns1:infoTable>\n")
        f.write("</ns1:informationTable>\n")
    os.replace(tmp, path)
    return rows, total


def baseline(path):
    """The competent stdlib reader: iterparse, one row at a time, memory freed as it goes."""
    from xml.etree.ElementTree import iterparse
    row_tag, name_tag, cusip_tag, value_tag = (f"{{{NS}}}{t}" for t in ("infoTable", "nameOfIssuer", "cusip", "value"))
    start = time.monotonic()
    per_issuer, rows, root = {}, 0, None
    for event, elem in iterparse(path, events=("start", "end")):
        if root is None:
            root = elem
        if event == "end" and elem.tag == row_tag:
            key = (elem.findtext(name_tag, "").strip(), elem.findtext(cusip_tag, "").strip())
            per_issuer[key] = per_issuer.get(key, 0) + int(elem.findtext(value_tag, "0"))
            rows += 1
            root.clear()
    print(f"rows {rows} issuers {len(per_issuer)} total {sum(per_issuer.values())} "
          f"seconds {time.monotonic() - start:.3f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="4000,40000,400000")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--baseline", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline:
        return baseline(args.baseline)
    sizes = [int(r) for r in args.rows.split(",")]

    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "xjscan", "--example", "xml_floor"],
                   cwd=ROOT, check=True)
    binary = os.path.join(TARGET, "release", "xjscan")
    floor_bin = os.path.join(TARGET, "release", "examples", "xml_floor")
    folder = os.path.join(TARGET, "xml-rows")
    os.makedirs(folder, exist_ok=True)
    results = []
    for rows in sizes:
        path = os.path.join(folder, f"infotable-{rows}-{args.seed}.xml")
        # Seeded, so a file already there is the same bytes; its expected total is kept beside it.
        if not (os.path.exists(path) and os.path.exists(path + ".total")):
            _, total = generate(path, rows, args.seed)
            with open(path + ".total", "w", encoding="utf-8") as f:
                f.write(f"{total}\n")
        with open(path + ".total", encoding="utf-8") as f:
            total = int(f.read())
        # The floor, the scan and the baseline read the file from the page cache alike.
        with open(path, "rb") as f:
            while f.read(1 << 24):
                pass
        floors, walls, bases, rss = [], [], [], 0.0
        report = os.path.join(folder, f"report-{rows}-{args.seed}")
        for _ in range(args.repeat):
            out, _, _ = measured([floor_bin, path])
            floors.append(float(next(l.split()[-1] for l in out if l.startswith("rows "))))
            _, w, r = measured([binary, "scan", path, "--out", report])
            walls.append(w)
            rss = max(rss, r)
            if not args.no_baseline:
                out, bw, _ = measured([sys.executable, os.path.abspath(__file__), "--baseline", path])
                stats = out[-1].split()
                if int(stats[1]) != rows or int(stats[5]) != total:
                    raise SystemExit(f"baseline read {stats[1]} rows totalling {stats[5]}; expected {rows}, {total}")
                bases.append(bw)
        with open(os.path.join(report, "report.json"), encoding="utf-8") as f:
            read = json.load(f)["reconciliation"]["input"]
        if read["rows"] != rows or read["value"] != str(total):
            raise SystemExit(f"xjscan read {read['rows']} rows totalling {read['value']}; expected {rows}, {total}")
        results.append(dict(rows=rows, mb=os.path.getsize(path) / 1e6, floor=min(floors), wall=min(walls),
                            rss=rss, base=min(bases) if bases else None))

    print(f"machine: {os.cpu_count()} cores; {sys.platform}; seed {args.seed}; best of {args.repeat}")
    print(f"{'rows':>9} {'file MB':>8} {'floor s':>8} {'xjscan s':>9} {'µs/row':>7} {'x floor':>8} "
          f"{'baseline s':>10} {'RSS MB':>7}")
    for r in results:
        base = f"{r['base']:>10.2f}" if r["base"] is not None else f"{'-':>10}"
        print(f"{r['rows']:>9,} {r['mb']:>8.1f} {r['floor']:>8.3f} {r['wall']:>9.3f} "
              f"{r['wall'] / r['rows'] * 1e6:>7.2f} {r['wall'] / r['floor']:>8.2f} {base} {r['rss']:>7,.0f}")

    failures = []
    if len(results) > 1:
        small, large = results[0], results[-1]
        ratio = (large["wall"] / large["rows"]) / (small["wall"] / small["rows"])
        print(f"time per row, {large['rows']:,} vs {small['rows']:,}: {ratio:.2f}x")
        if ratio > 1.5:
            failures.append(f"not linear: {ratio:.2f}x time per row")
    for f in failures:
        print(f"TARGET MISSED: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
