#!/usr/bin/env python3
"""Memory benchmark: peak RSS of `xjscan scan FILE --out DIR` on every input format, against the
size of the input.

For each format it writes one seeded file of about --mb megabytes under target/memory-bench/
(never committed; a file already there for the same size and seed is reused), scans it --repeat
times (default 1; the fastest wall time and the largest peak RSS count), checks the scan exits
0 and prints one table: format, file size, input size, holdings rows, wall time, peak RSS and
peak RSS over the input size. MB means 2^20 bytes throughout.

  csv        a real ETF export (etf_csv/ishares_ACWI_2025_aijinnah.csv from the corpus) with its
             data rows repeated; a preamble, the header and any trailing total or disclaimer
             are kept once
  utf16-csv  the same text as UTF-16LE with a byte-order mark
  xlsx       a minimal workbook written directly (inline strings and numbers; Name, ISIN,
             Market Value); the input size is the unpacked size of its parts, since the scan
             unpacks them (the file column shows the packed size)
  13f-xml    a real 13F information table (13f_xml/sec_sample_information_table_ns1.xml) with
             its infoTable elements repeated
  nport-xml  a real N-PORT filing (nport_xml/GoldmanSachs_BondFund_2023-03_NPORT-P.xml) with its
             invstOrSec elements repeated; netAssets is left as is, so the scan warns about
             totals
  parquet    Name, ISIN, Market Value (decimal128(20, 2)) written with pyarrow; skipped when
             pyarrow is missing; the input size is the table decoded (pyarrow's in-memory size,
             names as plain text), since the scan must decode it, as for XLSX: its columns
             compress to about 11 bytes a row, which no reader holding rows can approach (the
             RSS/file column shows that ratio too)
  dataset    a Form 13F data set folder (SUBMISSION, COVERPAGE, SUMMARYPAGE and INFOTABLE.tsv,
             laid out as examples/gen_13f_dataset.rs writes them); the input size is INFOTABLE.tsv

Names repeat throughout (a few thousand distinct issuers at most, some of them linked), as in
real holdings. The binary is built with `cargo build --release` unless --bin is given; the
corpus is read from ../shared/corpus next to the crate unless --corpus is given.

    python3 -m venv .venv && .venv/bin/pip install pandas pyarrow   # for the Parquet file
    .venv/bin/python benches/memory.py --mb 100 --parquet-mb 20
"""
import argparse
import csv
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import zipfile
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
MB = 1 << 20
# The scan's default limit on what a workbook may unpack to (--max-unpacked raises it).
MAX_UNPACKED = 256 * MB
FORMATS = ["csv", "utf16-csv", "xlsx", "13f-xml", "nport-xml", "parquet", "dataset"]
PYARROW_HINT = "python3 -m venv .venv && .venv/bin/pip install pandas pyarrow"

from probe import measured  # noqa: E402 (benches/ is on the path when a script runs)


# Issuer names for the files written directly: generated names in the style of the data set
# generator, plus issuers linked to Xinjiang by the reference data and clean Chinese issuers.
WORDS = ["AMERICAN", "GLOBAL", "FIRST", "UNITED", "PACIFIC", "NORTHERN", "GREEN", "RIVER", "GOLDEN",
         "DIGITAL", "ENERGY", "SOLAR", "HEALTH", "PHARMA", "CAPITAL", "FINANCIAL", "REALTY", "RETAIL",
         "FOODS", "MOTORS", "SYSTEMS", "SOFTWARE", "NETWORKS", "MATERIALS", "CHEMICAL", "STEEL",
         "MINING", "OIL", "UTILITIES", "TELECOM", "MEDIA", "LOGISTICS", "APPAREL", "BRANDS", "LABS"]
SUFFIXES = ["INC", "CORP", "CO", "LTD", "HLDGS INC", "GROUP INC", "PLC", "CORP CL A", "HOLDINGS LTD", "SA"]
LINKED = ["DAQO NEW ENERGY CORP", "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO LTD", "ZHEJIANG DAHUA TECHNOLOGY CO LTD",
          "IFLYTEK CO LTD", "XINJIANG GOLDWIND SCIENCE & TECHNOLOGY CO LTD", "ZIJIN MINING GROUP CO LTD",
          "HOSHINE SILICON INDUSTRY CO LTD-A", "LONGI GREEN ENERGY TECHNOLOGY CO LTD-A"]
CHINESE_CLEAN = ["ALIBABA GROUP HLDG LTD SPONSORED ADS", "BAIDU INC SPON ADR REP A", "TENCENT HLDGS LTD ADR",
                 "NETEASE INC SPONSORED ADS", "YUM CHINA HLDGS INC", "CHINA GREEN AGRICULTURE INC"]


def cusip(issuer, issue="10"):
    """A CUSIP with a valid check digit (the data set generator's rule)."""
    base = f"{issuer % 1_000_000:06}{issue}"
    total = 0
    for i, c in enumerate(base):
        n = int(c, 36)
        if i % 2 == 1:
            n *= 2
        total += n // 10 + n % 10
    return base + str((10 - total % 10) % 10)


def isin(body):
    """An ISIN with a valid check digit: the body's letters as numbers, then Luhn."""
    digits = "".join(str(int(c, 36)) for c in body)
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n // 10 + n % 10
    return body + str((10 - total % 10) % 10)


def issuers(rng, generated=2000):
    """(name, CUSIP) pairs: `generated` made-up issuers, the clean Chinese and the linked ones."""
    out = []
    for i in range(generated):
        a, b = rng.sample(WORDS, 2)
        out.append((f"{a} {b} {rng.choice(SUFFIXES)}", cusip(100_000 + i)))
    out += [(n, cusip(900_000 + i)) for i, n in enumerate(CHINESE_CLEAN)]
    out += [(n, cusip(950_000 + i)) for i, n in enumerate(LINKED)]
    return out


def pick(rng, pool):
    """Linked issuers in about 1 row in 400 and clean Chinese ones in 1 in 100, as in 13F tables."""
    r = rng.randrange(400)
    if r == 0:
        return pool[len(pool) - len(LINKED) + rng.randrange(len(LINKED))]
    if r < 4:
        return pool[len(pool) - len(LINKED) - len(CHINESE_CLEAN) + rng.randrange(len(CHINESE_CLEAN))]
    return pool[rng.randrange(len(pool) - len(LINKED) - len(CHINESE_CLEAN))]


def finished(path, write):
    """Writes `path` through `write(tmp)` unless it is there already (a file, or a folder for a
    data set); returns what `write` returned (rows written, input bytes), kept beside it."""
    info = path + ".json"
    if not os.path.exists(info):
        tmp = path + ".tmp"
        extra = write(tmp)
        if os.path.isdir(path):
            shutil.rmtree(path)
        os.replace(tmp, path)
        with open(info, "w", encoding="utf-8") as f:
            json.dump(extra, f)
    with open(info, encoding="utf-8") as f:
        return json.load(f)


def split_table(text):
    """A CSV export as (preamble + header, data rows, trailer): the header is the first row with
    a Name column; data rows are the run of rows after it with the header's field count."""
    lines = text.splitlines(keepends=True)
    rows = [next(csv.reader([l])) if l.strip() else [] for l in lines]
    head = next(i for i, r in enumerate(rows) if any(c.strip().lower() in ("name", "security name") for c in r))
    end = head + 1
    while end < len(rows) and len(rows[end]) == len(rows[head]):
        end += 1
    data = "".join(lines[head + 1:end])
    if not data.endswith("\n"):
        # The last row has no line break (iShares files end so): repeats need one.
        data += "\r\n" if lines[head].endswith("\r\n") else "\n"
    return "".join(lines[:head + 1]), data, "".join(lines[end:]), end - head - 1


def repeated(path, head, block, tail, target, encode):
    """Writes head + block * n + tail, n chosen so that the encoded file is about `target`
    bytes; returns n."""
    size = lambda s: len(encode(s))
    n = max(1, round((target - size(head) - size(tail)) / size(block)))
    data = encode(block)
    with open(path, "wb") as f:
        f.write(encode(head))
        for _ in range(n):
            f.write(data)
        f.write(encode(tail))
    return n


def utf8(s):
    return s.encode("utf-8")


def utf16(s):
    return s.encode("utf-16-le")


def gen_csv(corpus, out, target, wide):
    src = os.path.join(corpus, "etf_csv", "ishares_ACWI_2025_aijinnah.csv")
    with open(src, encoding="utf-8-sig", newline="") as f:
        head, data, tail, rows = split_table(f.read())
    if wide:
        # UTF-16LE with a byte-order mark: the BOM goes before the first line.
        n = repeated(out, "\ufeff" + head, data, tail, target, utf16)
    else:
        n = repeated(out, head, data, tail, target, utf8)
    return dict(rows=n * rows)


def gen_xml(src, element, out, target):
    """Repeats the run of `element` elements (with any namespace prefix) of a real filing."""
    with open(src, encoding="utf-8") as f:
        text = f.read()
    first = re.search(rf"<(\w+:)?{element}>", text)
    closes = list(re.finditer(rf"</(\w+:)?{element}>", text))
    start, end = first.start(), closes[-1].end()
    # Each repeat starts with the line break and indentation before the first element.
    start = max(text.rfind("\n", 0, start), 0)
    count = len(closes)
    n = repeated(out, text[:start], text[start:end], text[end:], target, utf8)
    return dict(rows=n * count)


XLSX_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>",
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Holdings" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>',
}


def gen_xlsx(out, target, seed):
    rng = random.Random(seed)
    pool = [(n.replace("&", "&amp;"), isin("US" + c)) for n, c in issuers(rng)]
    path = out
    rows = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        # A fixed timestamp: the same arguments give the same bytes.
        for name, text in XLSX_PARTS.items():
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), text, zipfile.ZIP_DEFLATED)
        fixed = sum(len(t.encode()) for t in XLSX_PARTS.values())
        sheet = zipfile.ZipInfo("xl/worksheets/sheet1.xml", (1980, 1, 1, 0, 0, 0))
        sheet.compress_type = zipfile.ZIP_DEFLATED
        with z.open(sheet, "w", force_zip64=True) as f:
            def cell(ref, text):
                return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'
            head = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                    f'<row r="1">{cell("A1", "Name")}{cell("B1", "ISIN")}{cell("C1", "Market Value")}</row>')
            foot = "</sheetData></worksheet>"
            written = fixed + len(head) + len(foot)
            f.write(head.encode())
            while written < target:
                buf = io.StringIO()
                for _ in range(10_000):
                    rows += 1
                    r = rows + 1
                    name, code = pick(rng, pool)
                    value = Decimal(rng.randrange(100, 500_000_000)).scaleb(-2)
                    buf.write(f'<row r="{r}">{cell(f"A{r}", name)}{cell(f"B{r}", code)}'
                              f'<c r="C{r}"><v>{value}</v></c></row>')
                chunk = buf.getvalue().encode()
                f.write(chunk)
                written += len(chunk)
            f.write(foot.encode())
    with zipfile.ZipFile(path) as z:
        unpacked = sum(i.file_size for i in z.infolist())
    return dict(rows=rows, input=unpacked)


def gen_parquet(out, target, seed):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(seed)
    pool = [(n, isin("US" + c)) for n, c in issuers(rng)]
    schema = pa.schema([("Name", pa.string()), ("ISIN", pa.string()), ("Market Value", pa.decimal128(20, 2))])
    path = out
    rows = 0
    with pq.ParquetWriter(path, schema) as w:
        # Each write_table call is flushed as its own row group, so the file's size is known.
        while os.path.getsize(path) < target:
            names, codes, values = [], [], []
            for _ in range(100_000):
                name, code = pick(rng, pool)
                names.append(name)
                codes.append(code)
                values.append(Decimal(rng.randrange(100, 500_000_000)).scaleb(-2))
            w.write_table(pa.table([names, codes, pa.array(values, pa.decimal128(20, 2))], schema=schema))
            rows += len(names)
    return dict(rows=rows, input=pq.read_table(path).nbytes)


def gen_dataset(out, target, seed):
    """A Form 13F data set in the layout examples/gen_13f_dataset.rs writes: about 300 rows per
    filing, values in dollars, each filing's entry and value totals in SUMMARYPAGE.tsv."""
    rng = random.Random(seed)
    pool = issuers(rng)
    os.makedirs(out, exist_ok=True)
    files = {n: open(os.path.join(out, f"{n}.tsv"), "w", encoding="utf-8", newline="")
             for n in ("SUBMISSION", "COVERPAGE", "SUMMARYPAGE", "INFOTABLE")}
    files["SUBMISSION"].write("ACCESSION_NUMBER\tFILING_DATE\tSUBMISSIONTYPE\tCIK\tPERIODOFREPORT\n")
    files["COVERPAGE"].write("ACCESSION_NUMBER\tREPORTCALENDARORQUARTER\tFILINGMANAGER_NAME\n")
    files["SUMMARYPAGE"].write("ACCESSION_NUMBER\tOTHERINCLUDEDMANAGERSCOUNT\tTABLEENTRYTOTAL\tTABLEVALUETOTAL\n")
    info = files["INFOTABLE"]
    info.write("ACCESSION_NUMBER\tINFOTABLE_SK\tNAMEOFISSUER\tTITLEOFCLASS\tCUSIP\tFIGI\tVALUE\tSSHPRNAMT\t"
               "SSHPRNAMTTYPE\tPUTCALL\tINVESTMENTDISCRETION\tOTHERMANAGER\tVOTING_AUTH_SOLE\t"
               "VOTING_AUTH_SHARED\tVOTING_AUTH_NONE\n")
    sk, filing = 0, 0
    while info.tell() < target:
        accession = f"0000{1_000_000 + filing:06}-25-{filing:06}"
        buf, total = io.StringIO(), 0
        for _ in range(300):
            sk += 1
            name, code = pick(rng, pool)
            shares = rng.randrange(100, 2_000_000)
            value = shares * rng.randrange(100, 50_000) // 100
            total += value
            title = rng.choice(["COM", "COM", "CL A", "SHS", "SPONSORED ADR"])
            buf.write(f"{accession}\t{sk}\t{name}\t{title}\t{code}\t\t{value}\t{shares}\tSH\t\tSOLE\t\t{shares}\t0\t0\n")
        info.write(buf.getvalue())
        files["SUBMISSION"].write(f"{accession}\t14-NOV-2025\t13F-HR\t{1_000_000 + filing:010}\t30-SEP-2025\n")
        files["COVERPAGE"].write(f"{accession}\t30-SEP-2025\tGENERATED MANAGER {filing} LLC\n")
        files["SUMMARYPAGE"].write(f"{accession}\t0\t300\t{total}\n")
        filing += 1
    for f in files.values():
        f.close()
    return dict(rows=sk, input=os.path.getsize(os.path.join(out, "INFOTABLE.tsv")))


def generate(fmt, corpus, dirname, target, seed):
    """Writes the file for `fmt` (unless there already) and returns (path, rows written,
    input bytes, file bytes)."""
    ext = {"csv": "csv", "utf16-csv": "csv", "xlsx": "xlsx", "13f-xml": "xml", "nport-xml": "xml",
           "parquet": "parquet", "dataset": ""}[fmt]
    path = os.path.join(dirname, fmt + ("." + ext if ext else ""))
    if fmt in ("csv", "utf16-csv"):
        extra = finished(path, lambda tmp: gen_csv(corpus, tmp, target, fmt == "utf16-csv"))
    elif fmt == "13f-xml":
        src = os.path.join(corpus, "13f_xml", "sec_sample_information_table_ns1.xml")
        extra = finished(path, lambda tmp: gen_xml(src, "infoTable", tmp, target))
    elif fmt == "nport-xml":
        src = os.path.join(corpus, "nport_xml", "GoldmanSachs_BondFund_2023-03_NPORT-P.xml")
        extra = finished(path, lambda tmp: gen_xml(src, "invstOrSec", tmp, target))
    elif fmt == "xlsx":
        extra = finished(path, lambda tmp: gen_xlsx(tmp, target, seed))
    elif fmt == "parquet":
        extra = finished(path, lambda tmp: gen_parquet(tmp, target, seed))
    else:
        extra = finished(path, lambda tmp: gen_dataset(tmp, target, seed))
    if os.path.isdir(path):
        size = sum(os.path.getsize(os.path.join(path, n)) for n in os.listdir(path))
    else:
        size = os.path.getsize(path)
    return path, extra["rows"], extra.get("input", size), size


def rows_read(out):
    """Holdings rows as the scan's summary counts them."""
    for l in out:
        m = re.search(r"Reconciliation: ([\d,]+) rows", l) or re.search(r"filings, ([\d,]+) rows", l)
        if m:
            return int(m.group(1).replace(",", ""))
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=100, help="size of each generated input (MB = 2^20 bytes)")
    parser.add_argument("--parquet-mb", type=float,
                        help="size of the Parquet file (default --mb; its scan takes far more memory per MB)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--formats", default=",".join(FORMATS), help=f"comma-separated, from {','.join(FORMATS)}")
    parser.add_argument("--bin", help="an xjscan binary to measure (default: build the release binary)")
    parser.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus"),
                        help="folder of real holdings files (default: ../shared/corpus next to the crate)")
    args = parser.parse_args()
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        parser.error(f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    if not os.path.isdir(args.corpus):
        parser.error(f"no corpus folder at {args.corpus}; pass --corpus DIR")

    if args.bin:
        binary = os.path.abspath(args.bin)
    else:
        subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "xjscan"], cwd=ROOT, check=True)
        binary = os.path.join(TARGET, "release", "xjscan")
    if "parquet" in formats:
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            print(f"Parquet skipped: pyarrow is not installed here ({PYARROW_HINT}, "
                  f"then run this script with .venv/bin/python)")
            formats.remove("parquet")

    base_dir = os.path.join(TARGET, "memory-bench")
    os.makedirs(base_dir, exist_ok=True)

    # What any scan costs: the binary, the reference data, the report, on a small real file.
    small = os.path.join(args.corpus, "etf_csv", "ishares_ACWI_2025_aijinnah.csv")
    _, _, base_rss = measured([binary, "scan", small, "--out", os.path.join(base_dir, "small-report")])

    results, notes = [], []
    for fmt in formats:
        mb = args.parquet_mb if fmt == "parquet" and args.parquet_mb else args.mb
        dirname = os.path.join(base_dir, f"{mb:g}mb-{args.seed}")
        os.makedirs(dirname, exist_ok=True)
        path, rows, inp, size = generate(fmt, args.corpus, dirname, int(mb * MB), args.seed)
        # Every scan reads the file from the page cache: read it once first.
        for p in [os.path.join(path, n) for n in sorted(os.listdir(path))] if os.path.isdir(path) else [path]:
            with open(p, "rb") as f:
                while f.read(1 << 24):
                    pass
        cmd = [binary, "scan", path, "--out", path + "-report"]
        if fmt == "xlsx" and inp > MAX_UNPACKED:
            cmd += ["--max-unpacked", str(inp + MB)]
        walls, rss, read = [], 0.0, None
        for _ in range(args.repeat):
            out, w, r = measured(cmd)
            walls.append(w)
            rss = max(rss, r)
            read = rows_read(out)
        if read != rows:
            notes.append(f"{fmt}: {rows:,} rows written, the scan counted {read if read is None else f'{read:,}'}")
        results.append(dict(fmt=fmt, size=size, input=inp, rows=read if read is not None else rows,
                            wall=min(walls), rss=rss))

    print(f"machine: {os.cpu_count()} cores; {sys.platform}; seed {args.seed}; --mb {args.mb:g}; "
          + (f"--parquet-mb {args.parquet_mb:g}; " if args.parquet_mb else "") +
          f"--repeat {args.repeat}; a scan of the {os.path.getsize(small) / MB:.2f} MB ETF file: "
          f"{base_rss:,.0f} MB peak RSS")
    print(f"{'format':<10} {'file MB':>8} {'input MB':>9} {'rows':>11} {'wall s':>7} {'RSS MB':>7} {'RSS/input':>9} {'RSS/file':>9}")
    for r in results:
        print(f"{r['fmt']:<10} {r['size'] / MB:>8.1f} {r['input'] / MB:>9.1f} {r['rows']:>11,} {r['wall']:>7.2f} "
              f"{r['rss']:>7,.0f} {r['rss'] / (r['input'] / MB):>9.2f} {r['rss'] / (r['size'] / MB):>9.2f}")
    for n in notes:
        print(f"note: {n}")
    if results:
        worst = max(results, key=lambda r: r["rss"] / (r["input"] / MB))
        print(f"largest peak RSS / input size: {worst['rss'] / (worst['input'] / MB):.2f}x ({worst['fmt']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
