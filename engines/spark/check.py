"""CI proof that the Spark job writes the single-machine scan's bytes.

Generates a Form 13F data set with the repository's generator (examples/gen_13f_dataset.rs),
spreads its filings over four quarters and appends hand-written filings that reach every
rule the job ports (whitespace and signs around values, values that are not whole numbers,
PRN and option rows, filings missing from SUBMISSION.tsv, each branch of the unit rule,
declared totals that agree, disagree or do not parse, formula-like and quoted text, CRLF and
blank lines, negative and midpoint percentages). Then:

1. `xjscan scan DIR --format csv` on the tab-separated data set (the single run);
2. the same data set written as hive-style Parquet partitions
   (`INFOTABLE/quarter=YYYYQn/filer=CIK/` and `.../filer_bucket=N/`, every column as text
   plus `LINE`, several row groups per file and small input splits, so that some filings
   are read by two Spark tasks and their partial sums merged);
3. engines/spark/xjscan_13f.py on the partitions in Spark local mode;
4. filers.csv, flagged.csv and rejected.csv compared byte for byte: a short diff and exit 1
   when they differ; the job's Parquet tables checked against its CSV files.

A second, small data set holds what only Parquet can (rows sharing a LINE, a null or
negative LINE, nulls, an int32 LINE): the job must equal `xjscan scan` on those partitions.

It also proves it can fail: the comparison must catch planted changes (a digit, a line
break); something must have been flagged, set aside, read in thousands and read by two
tasks; and a data set whose filing is split between two partitions must be refused by the
job (exit 2) as by xjscan. The local timings are printed for engines/spark/README.md.

    python engines/spark/check.py [--xjscan target/debug/xjscan]
        [--generator target/debug/examples/gen_13f_dataset] [--rows 100000]
"""

import argparse
import csv
import difflib
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from xjscan_13f import dd_mon_yyyy  # noqa: E402  (the job's own port, for partition names)

COMPARED = ["filers.csv", "flagged.csv", "rejected.csv"]
# The generated filings are spread over these quarters (period, filing date) in turn: two
# before the January 2023 switch to dollars, two after.
QUARTERS = [
    ("30-SEP-2022", "14-NOV-2022"),
    ("31-DEC-2022", "14-FEB-2023"),
    ("30-JUN-2025", "14-AUG-2025"),
    ("30-SEP-2025", "14-NOV-2025"),
]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--xjscan", default=os.path.join(ROOT, "target/debug/xjscan"))
    p.add_argument("--generator", default=os.path.join(ROOT, "target/debug/examples/gen_13f_dataset"))
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--work", default=os.path.join(ROOT, "target/spark-check"))
    p.add_argument("--master", default="local[2]")
    p.add_argument("--split-bytes", type=int, default=256 * 1024,
                   help="Spark's largest input split, small so files are read by several tasks")
    return p.parse_args()


def run(command, **kwargs):
    """Runs a command; its wall time and the completed process."""
    start = time.monotonic()
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)
    return time.monotonic() - start, done


def must(done, what):
    if done.returncode != 0:
        sys.stderr.write(done.stdout.decode("utf-8", "replace"))
        sys.stderr.write(done.stderr.decode("utf-8", "replace"))
        sys.exit(f"FAIL: {what} exited with status {done.returncode}")


# ----------------------------------------------------------------------------------------
# The data set.
# ----------------------------------------------------------------------------------------


def spread_over_quarters(folder):
    """Gives the generated filings periods and filing dates in four quarters, in turn."""
    path = os.path.join(folder, "SUBMISSION.tsv")
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    header = lines[0].split("\t")
    acc_i, filed_i, period_i = (header.index(c) for c in ("ACCESSION_NUMBER", "FILING_DATE", "PERIODOFREPORT"))
    out = [lines[0]]
    for n, line in enumerate(l for l in lines[1:] if l):
        fields = line.split("\t")
        fields[period_i], fields[filed_i] = QUARTERS[n % len(QUARTERS)]
        out.append("\t".join(fields))
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def linked_issuers(folder):
    """The generator's linked (name, CUSIP) pairs, from its truth.tsv."""
    with open(os.path.join(folder, "truth.tsv"), encoding="utf-8") as f:
        rows = [l.rstrip("\n").split("\t") for l in f][1:]
    return [(name, cusip) for name, cusip, linked in rows if linked == "true"]


def edge_filings(linked):
    """Hand-written filings for every rule the job ports: (SUBMISSION, COVERPAGE,
    SUMMARYPAGE, INFOTABLE) lines, each ending as it should be appended (CRLF or LF)."""
    (l0, c0), (l1, c1), (l2, c2), (l3, c3) = linked[0], linked[1], linked[2], linked[3]
    sub, cover, summary, info = [], [], [], []

    def row(acc, name, title, cusip, value, shares, kind="SH", put_call="", end="\n"):
        info.append("\t".join([acc, "0", name, title, cusip, "", value, shares, kind, put_call,
                               "SOLE", "", shares, "0", "0"]) + end)

    # E1, 2021: thousands from prices; values with whitespace, signs, leading zeros, and
    # values that are not whole numbers; formula-like and quoted text; a declared total
    # that disagrees.
    a = "0009999901-21-000001"
    sub.append(f"{a}\t12-NOV-2021\t13F-HR\t0009999901\t30-SEP-2021\n")
    cover.append(f'{a}\t30-SEP-2021\t=HYPERLINK("x"), Edge "One" LLC\n')
    summary.append(f"{a}\t0\t20\t123\n")
    row(a, l0, "+ADR", c0, " 1000 ", "40000")
    row(a, l1, "COM", c1, "+5", "10")
    row(a, 'ACME, INC "NEW"', "COM", "000000AA0", "0012", "1", "PRN")
    row(a, "-DASH CORP", "COM", "=1+1", "-7", "100")
    row(a, "@AT CORP", "COM", "", "", "10")
    row(a, l0, "+ADR", c0, "N/A", "10")
    row(a, "COMMA CORP", "COM", "", "1,000", "10")
    row(a, "DOT CORP", "COM", "", "12.5", "10")
    row(a, "BIG CORP", "COM", "", "99999999999999999999", "10")
    row(a, "MAX CORP", "COM", "", "9223372036854775807", "1")
    row(a, "VT CORP", "COM", "", "\x0b5", "100")
    row(a, "FF CORP", "COM", "", "\x0c5\x0c", "100", end="\r\n")
    row(a, "NBSP CORP", "COM", "", "\u00a05", "100")
    row(a, "ARABIC CORP", "COM", "", "\u0663", "100")
    row(a, "CR\rCORP", "COM", "", "N/A", "100")
    row(a, "SPACE PUT CORP", "COM", "", "100", "100", put_call=" ")
    row(a, "SH SPACE CORP", "COM", "", "10", "100", kind="SH ")
    row(a, l2, "COM", c2, "300", "1000", put_call="Call")
    row(a, l0 + " ", "COM", c0, "50", "100")
    row(a, "", "COM", "", "10", "100")
    row(a, l3, "COM", c3, "-2000", "100")
    info.append("\n")  # a blank line: no row, but it counts as a line

    # E2: not in SUBMISSION.tsv (its cover page and summary are then not read).
    a = "0009999902-25-000002"
    cover.append(f"{a}\t30-SEP-2025\tUNLISTED LLC\n")
    summary.append(f"{a}\t0\t3\t250\n")
    row(a, l0, "COM", c0, "100", "100000")
    row(a, l1, "COM", c1, "-50", "100", put_call="Put")
    row(a, "OTHER CORP", "COM", "", "200", "100")

    # E3: no filing date, no share rows: the period decides (thousands); a CRLF cover line;
    # a declared total with spaces around it that agrees.
    a = "0009999903-21-000003"
    sub.append(f"{a}\t\t13F-HR\t0009999903\t31-DEC-2021\n")
    cover.append(f"{a}\t31-DEC-2021\tCRLF FILER LLC\r\n")
    summary.append(f"{a}\t0\t2\t 1050 \n")
    row(a, "BOND CORP", "NOTE", "", "1000", "1000", "PRN")
    row(a, l0, "COM", c0, "50", "10", put_call="Put")

    # E4: principal rows only, filed on the day of the switch (dollars); no summary.
    a = "0009999904-23-000004"
    sub.append(f"{a}\t03-JAN-2023\t13F-HR\t0009999904\t31-DEC-2022\n")
    row(a, l1, "NOTE", c1, "5000", "5000", "PRN")

    # E5: no date or period that reads: unverified dollars; a CIK of zeros.
    a = "0009999905-25-000005"
    sub.append(f"{a}\tbad-date\t13F-HR\t0000000000\t\n")
    row(a, l2, "COM", c2, "70", "10", put_call="Call")

    # E6: a lower-case month; 1 share row of 3 under a dollar (dollars); a total that does
    # not parse.
    a = "0009999906-25-000006"
    sub.append(f"{a}\t14-nov-2025\t13F-HR\t0009999906\t30-sep-2025\n")
    summary.append(f"{a}\t0\t3\tgarbage\n")
    row(a, l0, "COM", c0, "10", "100")
    row(a, "SIX A CORP", "COM", "", "1000", "10")
    row(a, "SIX B CORP", "COM", "", "2000", "10")

    # E7: listed twice in SUBMISSION.tsv (the later row counts); a long value of zero.
    a = "0009999907-25-000007"
    sub.append(f"{a}\t14-NOV-2019\t13F-HR\t0009999907\t30-SEP-2019\n")
    sub.append(f"{a}\t14-NOV-2025\t13F-HR\t0009999907\t30-SEP-2025\n")
    row(a, l0, "COM", c0, "0", "100")
    row(a, "ZERO CORP", "COM", "", "0", "100")

    # E8: a negative flagged value too small to show (-0.00001 %), and E9 one of -50 %.
    a = "0009999908-25-000008"
    sub.append(f"{a}\t14-NOV-2025\t13F-HR\t0009999908\t30-SEP-2025\n")
    row(a, l1, "COM", c1, "-1", "100")
    row(a, "EIGHT CORP", "COM", "", "10000000", "100")
    a = "0009999909-25-000009"
    sub.append(f"{a}\t14-NOV-2025\t13F-HR\t0009999909\t30-SEP-2025\n")
    row(a, l1, "COM", c1, "-1", "100")
    row(a, "NINE CORP", "COM", "", "3", "100")

    # E10: a flagged share of exactly 0.00005 %: rounded away from zero to 0.0001.
    a = "0009999910-25-000010"
    sub.append(f"{a}\t14-NOV-2025\t13F-HR\t0009999910\t30-SEP-2025\n")
    row(a, l2, "COM", c2, "1", "1")
    row(a, "TEN CORP", "COM", "", "1999999", "10")
    return sub, cover, summary, info


def append_edges(folder):
    """Appends the hand-written filings to the generated tables."""
    tables = zip(["SUBMISSION.tsv", "COVERPAGE.tsv", "SUMMARYPAGE.tsv", "INFOTABLE.tsv"],
                 edge_filings(linked_issuers(folder)))
    for name, lines in tables:
        with open(os.path.join(folder, name), "ab") as f:
            f.write("".join(lines).encode("utf-8"))


def read_infotable(path):
    """INFOTABLE.tsv as xjscan reads it (src/ingest/tsv_chunks.rs): the header on line 1, a
    trailing CR dropped, blank lines counted but carrying no row. Short lines are refused:
    xjscan sets them aside with a reason a Parquet row cannot carry (docs/scaling.md)."""
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    header = lines[0].rstrip(b"\r").decode("utf-8").split("\t")
    width = max(header.index(c) for c in ("ACCESSION_NUMBER", "NAMEOFISSUER", "TITLEOFCLASS", "CUSIP",
                                          "VALUE", "SSHPRNAMT", "SSHPRNAMTTYPE", "PUTCALL")) + 1
    rows = []
    for number, raw in enumerate(lines[1:], start=2):
        line = raw[:-1] if raw.endswith(b"\r") else raw
        if not line:
            continue
        fields = line.decode("utf-8").split("\t")
        if len(fields) < width:
            sys.exit(f"FAIL: {path}:{number}: a short line, which Parquet cannot carry")
        rows.append((number, fields))
    return header, rows


def submission_facts(folder):
    """accession -> (CIK, period) as xjscan reads them (later rows win)."""
    facts = {}
    with open(os.path.join(folder, "SUBMISSION.tsv"), encoding="utf-8") as f:
        header = f.readline().rstrip("\r\n").split("\t")
        acc_i, cik_i, period_i = (header.index(c) for c in ("ACCESSION_NUMBER", "CIK", "PERIODOFREPORT"))
        for line in f:
            fields = line.rstrip("\r\n").split("\t")
            period = dd_mon_yyyy(fields[period_i]) if fields[period_i].strip() else None
            facts[fields[acc_i]] = (fields[cik_i].lstrip("0") or "0", period)
    return facts


def partition(tsv, parted, row_group):
    """Writes the data set as Parquet partitions holding whole filings, rows in table order;
    empty fields become nulls (as polars reads them); copies the small tables. Quarters
    before 2025 get a folder per filer (`quarter=2022Q3/filer=CIK`, many small files); later
    ones put filers in eight buckets (`quarter=2025Q3/filer_bucket=N`, as docs/scaling.md
    allows), so some files are large enough to be split between Spark tasks.
    Returns (partitions, rows)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    header, rows = read_infotable(os.path.join(tsv, "INFOTABLE.tsv"))
    facts = submission_facts(tsv)
    acc_i = header.index("ACCESSION_NUMBER")
    groups = {}
    for number, fields in rows:
        cik, period = facts.get(fields[acc_i], ("unlisted", None))
        quarter = f"{period[:4]}Q{(int(period[5:7]) + 2) // 3}" if period else "unknown"
        if quarter >= "2025" and cik.isdigit():
            folder = f"filer_bucket={int(cik) % 8}"
        else:
            folder = f"filer={cik}"
        groups.setdefault((quarter, folder), []).append((number, fields))
    os.makedirs(os.path.join(parted, "INFOTABLE"))
    for (quarter, folder), part in groups.items():
        columns = {
            name: pa.array([(f[i] if i < len(f) else "") or None for _, f in part], type=pa.string())
            for i, name in enumerate(header)
        }
        columns["LINE"] = pa.array([n for n, _ in part], type=pa.int64())
        path = os.path.join(parted, "INFOTABLE", f"quarter={quarter}", folder)
        os.makedirs(path)
        pq.write_table(pa.table(columns), os.path.join(path, "part-0.parquet"), row_group_size=row_group)
    for name in ("SUBMISSION.tsv", "COVERPAGE.tsv", "SUMMARYPAGE.tsv"):
        shutil.copy(os.path.join(tsv, name), os.path.join(parted, name))
    return len(groups), len(rows)


# ----------------------------------------------------------------------------------------
# The comparison.
# ----------------------------------------------------------------------------------------


def difference(name, expected, found, limit=12):
    """None when the bytes are equal; else a short report with a unified diff (line breaks
    shown, so a CRLF is visible)."""
    if expected == found:
        return None
    a = expected.decode("utf-8", "replace").splitlines(keepends=True)
    b = found.decode("utf-8", "replace").splitlines(keepends=True)
    diff = list(difflib.unified_diff([repr(l) + "\n" for l in a], [repr(l) + "\n" for l in b],
                                     f"single/{name}", f"spark/{name}", n=0))
    shown = "".join(diff[: limit + 2])
    more = f"... {len(diff) - limit - 2} more diff lines\n" if len(diff) > limit + 2 else ""
    return f"{name}: {len(expected)} bytes from xjscan scan, {len(found)} from the Spark job\n{shown}{more}"


def parquet_tables_agree(spark_out):
    """The job's Parquet tables hold what its CSV files say (row counts, exact flagged value
    total) and carry the reference data's SHA-256. Returns the failures."""
    import pyarrow.parquet as pq

    failures = []
    for name in ("filers", "flagged", "rejected"):
        table = pq.read_table(os.path.join(spark_out, name))
        with open(os.path.join(spark_out, f"{name}.csv"), encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        if table.num_rows != len(rows):
            failures.append(f"{name}/: {table.num_rows} rows, {name}.csv {len(rows)}")
        if b"xjscan.reference_sha256" not in (table.schema.metadata or {}):
            failures.append(f"{name}/: no xjscan.reference_sha256 in its metadata")
        if name == "flagged" and sum(table.column("value").to_pylist()) != sum(int(r["value"]) for r in rows):
            failures.append("flagged/: its values do not add up to flagged.csv's")
    return failures


def self_test(single):
    """The comparison must see a planted change: one digit, and one LF turned into CRLF."""
    flagged = open(os.path.join(single, "flagged.csv"), "rb").read()
    lines = flagged.split(b"\n")
    first = lines[1]
    i = max(i for i, c in enumerate(first) if 48 <= c <= 57)  # its last digit
    changed = first[:i] + (b"1" if first[i:i + 1] != b"1" else b"2") + first[i + 1:]
    planted = b"\n".join([lines[0], changed] + lines[2:])
    filers = open(os.path.join(single, "filers.csv"), "rb").read()
    crlf = filers.replace(b"\n", b"\r\n", 1)
    for name, good, bad in (("flagged.csv", flagged, planted), ("filers.csv", filers, crlf)):
        if good == bad or difference(name, good, bad) is None:
            sys.exit(f"FAIL: the comparison did not see a change planted in {name}")
    return 2


def parquet_quirks(args, work, job, linked):
    """What only a Parquet partition can hold, compared with `xjscan scan` on the same
    partitions (xjscan's own tests prove its Parquet and TSV reads agree): rows sharing a
    LINE (kept in file order), a null or negative LINE (read as 0), nulls in every column,
    a LINE stored as int32, and files at different depths. Returns the job's wall time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    quirks = os.path.join(work, "quirks")
    (l0, c0), (l1, c1) = linked[0], linked[1]
    columns = ["ACCESSION_NUMBER", "NAMEOFISSUER", "TITLEOFCLASS", "CUSIP", "VALUE", "SSHPRNAMT",
               "SSHPRNAMTTYPE", "PUTCALL"]

    def write(relative, rows, line_type=pa.int64()):
        table = {c: pa.array([r[i] for r in rows], pa.string()) for i, c in enumerate(columns)}
        table["LINE"] = pa.array([r[8] for r in rows], line_type)
        path = os.path.join(quirks, "INFOTABLE", relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        pq.write_table(pa.table(table), path)

    write("quarter=2025Q3/filer=1/part-0.parquet", [
        ("Q1", l0, "SECOND", c0, "100", "10", "SH", None, 5),
        ("Q1", l0, "FIRST", c0, "200", "10", "SH", None, 5),
        ("Q1", l0, None, c0, None, "10", "SH", "Call", 5),
        ("Q1", l0, "NULL LINE", c0, "300", "10", "SH", None, None),
        ("Q1", l0, "NEGATIVE LINE", c0, "400", "10", "SH", None, -9),
        ("Q1", None, None, None, "x", None, None, None, 3),
    ])
    write("quarter=2025Q3/filer=2/part-0.parquet", [
        ("Q0", l1, "INT32 LINE", c1, "7", "1", "SH", "", 1),
        (None, l1, "NULL ACCESSION", c1, "8", "1", "SH", "", 2),
    ], pa.int32())
    write("unsorted.parquet", [("Q2", l1, "SHALLOW", c1, " 9 ", "100", "SH", "", 4)])
    with open(os.path.join(quirks, "SUBMISSION.tsv"), "w", encoding="utf-8") as f:
        f.write("ACCESSION_NUMBER\tFILING_DATE\tSUBMISSIONTYPE\tCIK\tPERIODOFREPORT\n"
                "Q1\t14-NOV-2025\t13F-HR\t01\t30-SEP-2025\n"
                "Q2\t14-NOV-2021\t13F-HR\t02\t30-SEP-2021\n")
    single, spark_out = os.path.join(work, "quirks-single"), os.path.join(work, "quirks-spark")
    _, done = run([args.xjscan, "scan", quirks, "--out", single, "--format", "csv", "--shipped-data"])
    must(done, "xjscan scan of the Parquet quirks")
    seconds, done = run([sys.executable, job, "--data", quirks, "--xjscan", args.xjscan, "--out", spark_out,
                         "--work", os.path.join(work, "quirks-job"), "--shipped-data", "--master", args.master])
    must(done, "the Spark job on the Parquet quirks")
    failures = []
    for name in COMPARED:
        expected = open(os.path.join(single, name), "rb").read()
        diff = difference(name, expected, open(os.path.join(spark_out, name), "rb").read())
        if diff:
            failures.append("Parquet quirks: " + diff)
    if open(os.path.join(single, "flagged.csv"), "rb").read().count(b"\n") < 7:
        failures.append("Parquet quirks: fewer flagged rows than planted")
    return seconds, failures


def split_refusal(args, parted, work, job):
    """A filing split between two partitions is refused by the job (exit 2), as by xjscan."""
    import pyarrow.parquet as pq

    split = os.path.join(work, "split")
    source = next(
        os.path.join(d, f) for d, _, files in sorted(os.walk(os.path.join(parted, "INFOTABLE")))
        for f in files if f.endswith(".parquet")
    )
    table = pq.read_table(source)
    half = table.num_rows // 2
    for n, piece in enumerate((table.slice(0, half), table.slice(half))):
        folder = os.path.join(split, "INFOTABLE", "quarter=2025Q3", f"filer=split{n}")
        os.makedirs(folder)
        pq.write_table(piece, os.path.join(folder, "part-0.parquet"))
    shutil.copy(os.path.join(parted, "SUBMISSION.tsv"), os.path.join(split, "SUBMISSION.tsv"))
    seconds, done = run([sys.executable, job, "--data", split, "--xjscan", args.xjscan,
                         "--out", os.path.join(work, "split-out"), "--work", os.path.join(work, "split-work"),
                         "--shipped-data", "--master", args.master])
    stderr = done.stderr.decode("utf-8", "replace")
    if done.returncode != 2 or "each partition must hold whole filings" not in stderr:
        sys.stderr.write(stderr[-3000:])
        sys.exit(f"FAIL: a filing split between partitions was not refused (exit {done.returncode})")
    if os.path.exists(os.path.join(work, "split-out")):
        sys.exit("FAIL: the refused job wrote outputs")
    _, scanned = run([args.xjscan, "scan", split, "--out", os.path.join(work, "split-single"),
                      "--format", "csv", "--shipped-data"])
    if scanned.returncode == 0 or b"each partition must hold whole filings" not in scanned.stderr:
        sys.exit(f"FAIL: xjscan scan did not refuse the split filing (exit {scanned.returncode})")
    line = next(l for l in stderr.splitlines() if l.startswith("error:"))
    return seconds, line


def built_example(path):
    """An example as cargo left it: `name`, else the newest `name-HASH` beside it."""
    if os.access(path, os.X_OK):
        return path
    folder, name = os.path.split(path)
    found = [os.path.join(folder, f) for f in os.listdir(folder)
             if f.startswith(name + "-") and "." not in f] if os.path.isdir(folder) else []
    found = [f for f in found if os.access(f, os.X_OK)]
    return max(found, key=os.path.getmtime) if found else path


def main():
    args = parse_args()
    args.generator = built_example(args.generator)
    for binary in (args.xjscan, args.generator):
        if not os.access(binary, os.X_OK):
            sys.exit(f"FAIL: {binary} is not built (cargo test builds it)")
    job = os.path.join(HERE, "xjscan_13f.py")
    work = os.path.abspath(args.work)
    if os.path.exists(work):
        shutil.rmtree(work)
    os.makedirs(work)
    tsv, parted = os.path.join(work, "tsv"), os.path.join(work, "parted")
    times = {}

    times["generate"], done = run([args.generator, "--rows", str(args.rows), "--seed", str(args.seed), "--out", tsv])
    must(done, "the generator")
    start = time.monotonic()
    spread_over_quarters(tsv)
    append_edges(tsv)
    partitions, rows = partition(tsv, parted, row_group=256)
    times["partition"] = time.monotonic() - start

    single = os.path.join(work, "single")
    times["xjscan scan"], done = run([args.xjscan, "scan", tsv, "--out", single, "--format", "csv", "--shipped-data"])
    must(done, "xjscan scan")

    spark_out = os.path.join(work, "spark")
    times["Spark job"], done = run([
        sys.executable, job, "--data", parted, "--xjscan", args.xjscan, "--out", spark_out,
        "--work", os.path.join(work, "job"), "--shipped-data", "--master", args.master,
        "--conf", f"spark.sql.files.maxPartitionBytes={args.split_bytes}",
        "--conf", "spark.sql.files.openCostInBytes=0",
        "--conf", "spark.sql.shuffle.partitions=4",
    ])
    must(done, "the Spark job")
    job_line = done.stdout.decode("utf-8", "replace").splitlines()[0]
    straddling = int(job_line.split(" filings read by several tasks")[0].rsplit(" ", 1)[-1])

    failures = []
    for name in COMPARED:
        expected = open(os.path.join(single, name), "rb").read()
        found = open(os.path.join(spark_out, name), "rb").read()
        diff = difference(name, expected, found)
        if diff:
            failures.append(diff)
    failures += parquet_tables_agree(spark_out)
    planted = self_test(single)

    flagged = open(os.path.join(single, "flagged.csv"), "rb").read().count(b"\n") - 1
    rejected = open(os.path.join(single, "rejected.csv"), "rb").read().count(b"\n") - 1
    with open(os.path.join(single, "filers.csv"), encoding="utf-8", newline="") as f:
        thousands = sum(1 for r in csv.DictReader(f) if r["unit_multiplier"] == "1000")
    if flagged < 10 or rejected < 5 or thousands < 2 or straddling < 1:
        failures.append(f"too little to compare: {flagged} flagged rows, {rejected} set aside, "
                        f"{thousands} filings in thousands, {straddling} filings read by several tasks")

    times["Parquet quirks job"], quirk_failures = parquet_quirks(args, work, job, linked_issuers(tsv))
    failures += quirk_failures
    times["refusal job"], refusal = split_refusal(args, parted, work, job)

    print(f"data set: {rows} rows in {partitions} partitions; {flagged} flagged rows, {rejected} set aside, "
          f"{thousands} filings read in thousands")
    print(f"job: {job_line}")
    print("timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in times.items()))
    print(f"split filing refused: {refusal}")
    print(f"self-test: {planted} planted changes seen by the comparison")
    if failures:
        print("FAIL: the Spark job's tables differ from xjscan scan's:\n")
        print("\n".join(failures))
        return 1
    print(f"OK: {', '.join(COMPARED)} byte-identical to xjscan scan (generated data set and Parquet quirks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
