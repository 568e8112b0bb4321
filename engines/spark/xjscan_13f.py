"""The Form 13F data-set scan of `xjscan scan DIR`, as an Apache Spark job.

Reads a 13F data set laid out as in docs/scaling.md — `INFOTABLE/**/*.parquet` partitions
holding whole filings, every SEC column as text plus `LINE` (the row's line in the original
INFOTABLE.tsv), and SUBMISSION.tsv with the optional COVERPAGE.tsv and SUMMARYPAGE.tsv beside
them — and writes `filers.csv`, `flagged.csv` and `rejected.csv` in exactly the bytes
`xjscan scan DIR --format csv` writes for the same data, plus the same tables as Parquet
(`filers/`, `flagged/`, `rejected/`) for lakehouse users.

What runs where (docs/scaling.md, "What runs where"):

1. engine: the distinct (NAMEOFISSUER, CUSIP) pairs, nulls read as "" — the only shuffle of
   anything the size of the issuers; rows are never shuffled;
2. driver: those pairs, written as one Parquet file, resolved once by `xjscan resolve` — the
   same binary, reference data, thresholds and overrides as a single run, so no part of name
   resolution is re-implemented here;
3. engine: the match table's flagged issuers broadcast-joined on the exact pair, and each
   filing's counts and sums taken in exact integers (`LongType` per row, `DECIMAL(38,0)`
   sums; never a float), with the flagged and set-aside rows and their `LINE`;
4. driver: the unit rule per filing, the figures in dollars, sorted, rendered as CSV.

Every rule below is a port of named Rust code in this repository (src/ingest/sec_dataset.rs,
src/exposure/dataset/, src/ingest/sec13f.rs, src/exposure/mod.rs, src/report/); a change
there must be made here too, and engines/spark/check.py proves the two still agree.

    spark-submit engines/spark/xjscan_13f.py --data DIR --xjscan target/release/xjscan \\
        --out OUT --work WORK [--shipped-data | --mappings DIR] [--overrides FILE]

Exit status: 0 when the tables were written; 2 when the input is refused (a filing split
between partitions, a missing table or column), nothing written; 1 when `xjscan resolve` or
Spark fails.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

# The columns `xjscan scan` reads from the information table (sec_dataset::INFOTABLE_COLUMNS).
INFOTABLE_COLUMNS = [
    "ACCESSION_NUMBER",
    "NAMEOFISSUER",
    "TITLEOFCLASS",
    "CUSIP",
    "VALUE",
    "SSHPRNAMT",
    "SSHPRNAMTTYPE",
    "PUTCALL",
]
# SUBMISSION.tsv must have these in its header (sec_dataset::SUBMISSION_COLUMNS).
SUBMISSION_COLUMNS = ["ACCESSION_NUMBER", "FILING_DATE", "CIK", "PERIODOFREPORT"]

# Rust's `u8::is_ascii_whitespace`, what `trim_ascii` removes (sec_dataset::whole_number).
ASCII_WHITESPACE = " \t\n\x0c\r"
# Rust's `char::is_whitespace` (Unicode White_Space), what `str::trim` removes. Python's own
# `str.strip()` also removes U+001C..U+001F, which Rust keeps, so the set is spelled out.
RUST_WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000"
)
# rust_decimal's largest magnitude (a 96-bit mantissa): a figure past it stops the scan.
DECIMAL_MAX = 2**96 - 1
I64_MIN, I64_MAX = -(2**63), 2**63 - 1
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


class Refused(Exception):
    """Input the single-machine scan refuses too: exit 2, nothing written."""


class Failed(Exception):
    """A step that could not run (xjscan resolve, a limit of exact arithmetic): exit 1."""


# ----------------------------------------------------------------------------------------
# Exact ports of xjscan's rules for what the driver decides (strings and integers only).
# ----------------------------------------------------------------------------------------


def parse_i64(text):
    """Rust's `str::parse::<i64>()`: an optional sign and ASCII digits, within i64; else None."""
    body = text[1:] if text[:1] in ("+", "-") else text
    if not body or not all("0" <= c <= "9" for c in body):
        return None
    value = int(text)
    return value if I64_MIN <= value <= I64_MAX else None


def dd_mon_yyyy(raw):
    """sec_dataset::dd_mon_yyyy: `30-JUN-2025` -> `2025-06-30`; None for anything else.

    Only the lengths of day and year are checked (in bytes, as Rust's `len()`), not that they
    are digits, exactly as the Rust does.
    """
    parts = raw.strip(RUST_WHITESPACE).split("-")
    if len(parts) != 3:
        return None
    d, m, y = parts
    upper = m.upper() if m.isascii() else None  # eq_ignore_ascii_case: ASCII letters only
    if upper not in MONTHS:
        return None
    if len(d.encode()) == 2 and len(y.encode()) == 4:
        return f"{y}-{MONTHS.index(upper) + 1:02}-{d}"
    return None


def decide_unit(sub_dollar, priced, filed, period):
    """sec13f::decide_unit with a cover of period and filing date only (no schema version, as
    measure_piece builds it): (multiplier, note), the note byte for byte."""

    def dollars(why):
        return 1, f"values read as dollars: {why}"

    def thousands(why):
        return 1000, f"values read as thousands of dollars (×1,000): {why}"

    if priced > 0:
        pct = (sub_dollar * 100) // priced  # integer division, as usize in Rust
        if sub_dollar * 2 >= priced:
            late = filed is not None and filed >= "2023-01-03"
            suffix = ", although the filing is from after the January 2023 switch to dollars"
            return thousands(
                f"{pct}% of {priced} share rows imply a price under $1{suffix if late else ''}"
            )
        if pct > 0 or priced >= 5:
            return dollars(f"only {pct}% of {priced} share rows imply a price under $1")
    if filed is not None:
        if filed >= "2023-01-03":
            return dollars(f"filed {filed}, after the 3 January 2023 switch")
        return thousands(f"filed {filed}, before the 3 January 2023 switch")
    if period is not None:
        if period > "2022-09-30":
            return dollars(f"period {period}")
        return thousands(f"period {period} predates the dollar rule")
    return (
        1,
        "values read as dollars; the unit could not be verified (no share rows, schema, date or period)",
    )


# What measure_piece says of a filing that SUBMISSION.tsv does not list.
UNKNOWN_FILING = (1, "not in SUBMISSION.tsv; values read as dollars, unverified")


def percent(value, denominator):
    """exposure::percent: value/denominator in percent, 4 places, midpoint away from zero,
    always written with 4 places ("0.0000" for a zero denominator).

    Exact rational rounding. rust_decimal divides to 28 significant digits first; the two
    round alike whenever the denominator is below 10^22 (then no quotient lies closer to a
    rounding midpoint than that division's error), far beyond any filing's value.
    """
    if denominator == 0:
        return "0.0000"
    num = value * 100 * 10_000
    q, r = divmod(abs(num), abs(denominator))
    if 2 * r >= abs(denominator):
        q += 1
    sign = "-" if q and ((num < 0) != (denominator < 0)) else ""
    return f"{sign}{q // 10_000}.{q % 10_000:04}"


def dollars(raw, multiplier, where):
    """measure_piece's `dollars`: raw × multiplier, refused past rust_decimal's range."""
    value = raw * multiplier
    if abs(value) > DECIMAL_MAX:
        raise Failed(
            f"{where}: values add up to {raw} × {multiplier}, more than can be counted exactly"
        )
    return value


def defuse_formula(cell):
    """report::render::defuse_formula: a cell a spreadsheet would run gets a leading quote."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def csv_record(fields):
    """One record as the csv crate writes it (report::dataset::writer): quoted only when a
    field holds a comma, a quote, CR or LF; quotes doubled; `\\n` after the record."""
    out = []
    for field in fields:
        if any(c in field for c in ',"\r\n'):
            field = '"' + field.replace('"', '""') + '"'
        out.append(field)
    return ",".join(out) + "\n"


# ----------------------------------------------------------------------------------------
# SUBMISSION.tsv, COVERPAGE.tsv, SUMMARYPAGE.tsv: small, read on the driver as xjscan reads
# them (sec_dataset::scan_tsv through polars, then sec_dataset::filings).
# ----------------------------------------------------------------------------------------


def header_of(data):
    """sec_dataset::header: the first line, trailing CR/LF removed, split on tabs."""
    first = data.split(b"\n", 1)[0].decode("utf-8", "replace")
    return first.rstrip("\r\n").split("\t")


def tsv_columns(data, wanted):
    """The rows of a table as polars reads it for xjscan (tab-separated, no quoting, every
    column text, ragged lines padded or cut, empty fields null), projected to `wanted`.

    Returns a list of tuples (None for null), or None when a wanted column is missing or a
    value is not UTF-8 (polars fails the read then). Polars drops one trailing CR from each
    field it reads; a blank line becomes a row of nulls, which no caller keeps.
    """
    lines = data.split(b"\n")
    head = lines[0][:-1] if lines[0].endswith(b"\r") else lines[0]
    names = head.split(b"\t")
    try:
        # The first column of a name, as polars renames later duplicates.
        index = [names.index(w.encode()) for w in wanted]
    except ValueError:
        return None
    if lines and lines[-1] == b"":
        lines.pop()  # the file's final line break ends the last row
    rows = []
    for line in lines[1:]:
        fields = line.split(b"\t")
        row = []
        for i in index:
            field = fields[i] if i < len(fields) else b""
            if field.endswith(b"\r"):
                field = field[:-1]
            if field == b"":
                row.append(None)
                continue
            try:
                row.append(field.decode("utf-8"))
            except UnicodeDecodeError:
                return None
        rows.append(tuple(row))
    return rows


def read_filings(submission, coverpage, summarypage, shown):
    """sec_dataset::filings: accession -> filing facts, later rows winning as in the Rust's
    HashMap inserts. COVERPAGE and SUMMARYPAGE are skipped, silently, when unreadable."""
    found = header_of(submission)
    missing = [c for c in SUBMISSION_COLUMNS if c not in found]
    if missing:
        raise Refused(
            f"{shown}/SUBMISSION.tsv:1: header lacks column(s) {', '.join(missing)}; expected a "
            f"Form 13F data set table with {', '.join(SUBMISSION_COLUMNS)}"
        )
    rows = tsv_columns(submission, ["ACCESSION_NUMBER", "FILING_DATE", "CIK", "PERIODOFREPORT"])
    if rows is None:
        raise Refused(f"{shown}/SUBMISSION.tsv: cannot read the table (not UTF-8)")
    filings = {}
    for acc, filed, cik, period in rows:
        if acc is None:
            continue
        filings[acc] = {
            "cik": (cik or "").lstrip("0"),
            "filer": None,
            "period": dd_mon_yyyy(period) if period is not None else None,
            "filed": dd_mon_yyyy(filed) if filed is not None else None,
            "value_total": None,
        }
    if coverpage is not None:
        for acc, name in tsv_columns(coverpage, ["ACCESSION_NUMBER", "FILINGMANAGER_NAME"]) or []:
            if acc is not None and name is not None and acc in filings:
                filings[acc]["filer"] = name
    if summarypage is not None:
        rows = tsv_columns(summarypage, ["ACCESSION_NUMBER", "TABLEENTRYTOTAL", "TABLEVALUETOTAL"])
        for acc, _entries, value in rows or []:
            if acc is not None and acc in filings:
                filings[acc]["value_total"] = (
                    parse_i64(value.strip(RUST_WHITESPACE)) if value is not None else None
                )
    return filings


# ----------------------------------------------------------------------------------------
# The engine's part.
# ----------------------------------------------------------------------------------------


def whole_number(F, raw):
    """sec_dataset::whole_number as a Spark expression: ASCII whitespace trimmed, then Rust's
    i64 parse (optional sign, ASCII digits, within i64) -> LongType, else null.

    Java's `$` also matches before a final line terminator (and U+2028), so the patterns
    anchor with \\A and \\z. The cast only ever sees a string already proven to fit, so it
    cannot fail in ANSI mode.
    """
    trimmed = F.regexp_replace(raw, r"\A[ \t\n\f\r]+|[ \t\n\f\r]+\z", "")
    magnitude = F.regexp_replace(trimmed, r"\A[+-]?0*", "")
    negative = trimmed.startswith("-")
    limit = F.when(negative, F.lit("9223372036854775808")).otherwise(F.lit("9223372036854775807"))
    fits = (F.length(magnitude) < 19) | (
        (F.length(magnitude) == 19) & (magnitude <= limit)
    )
    ok = trimmed.rlike(r"\A[+-]?[0-9]+\z") & fits
    digits = F.concat(
        F.when(negative, F.lit("-")).otherwise(F.lit("")),
        F.when(magnitude == "", F.lit("0")).otherwise(magnitude),
    )
    return F.when(ok, F.when(ok, digits).otherwise(F.lit("0")).cast("long"))


def hadoop_fs(spark, uri):
    """The Hadoop file system of a path or URI, and the path (local, HDFS, S3, ...)."""
    jvm = spark._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    return path.getFileSystem(spark._jsc.hadoopConfiguration()), path


def exists(spark, uri, kind):
    fs, path = hadoop_fs(spark, uri)
    if not fs.exists(path):
        return False
    status = fs.getFileStatus(path)
    return status.isDirectory() if kind == "dir" else status.isFile()


def read_small_files(spark, uris):
    """Small files' exact bytes, wherever they are, in one Spark job: {uri: bytes}."""
    if not uris:
        return {}
    rows = spark.read.format("binaryFile").load(uris).select("path", "content").collect()
    found = {urllib.parse.unquote(r["path"]): bytes(r["content"]) for r in rows}
    out = {}
    for uri in uris:
        fs, path = hadoop_fs(spark, uri)
        out[uri] = found.get(urllib.parse.unquote(fs.makeQualified(path).toString()), b"")
    return out


def path_key(relative):
    """Rust's PathBuf order (component by component), which sets the order of pieces."""
    return tuple(relative.split("/"))


def list_partitions(spark, infotable):
    """sec_dataset::locate/collect_parquet: every file named *.parquet under INFOTABLE/, as
    (relative path, full URI), in the order xjscan measures them."""
    fs, path = hadoop_fs(spark, infotable)
    base = fs.makeQualified(path).toString().rstrip("/") + "/"
    found = []
    files = fs.listFiles(path, True)  # files only, recursively
    # Few calls per file: each is a round trip to the JVM.
    while files.hasNext():
        full = files.next().getPath().toString()
        name = full.rsplit("/", 1)[-1]
        # Path::extension: ".parquet" alone is a hidden name without an extension.
        if name.endswith(".parquet") and name != ".parquet":
            relative = full[len(base):] if full.startswith(base) else full
            found.append((relative, full))
    found.sort(key=lambda f: path_key(f[0]))
    return found, base


def read_rows(spark, F, files):
    """The information table's rows: the columns xjscan reads as text (null -> "", as
    read_piece does), `LINE` as xjscan finds it (null or negative -> 0), and where each row
    is: its file and its index in that file (for the single run's order of equal lines)."""
    # The schema comes from the files' footers as Spark samples them: every partition is
    # expected to have the same columns (docs/scaling.md); a type conflict fails the read.
    if spark.sparkContext.master.startswith("local"):
        # With many paths Spark checks them in a job of its own; on one machine the driver
        # is quicker. On a cluster (object stores) the parallel check is kept.
        spark.conf.set("spark.sql.sources.parallelPartitionDiscovery.threshold", str(len(files) + 1))
    frame = spark.read.parquet(*files)
    missing = [c for c in INFOTABLE_COLUMNS + ["LINE"] if c not in frame.columns]
    if missing:
        raise Refused(
            f"the INFOTABLE partitions lack column(s) {', '.join(missing)}; each needs "
            f"{', '.join(INFOTABLE_COLUMNS)} and LINE"
        )
    text = {c: F.coalesce(F.col(c).cast("string"), F.lit("")) for c in INFOTABLE_COLUMNS}
    line = F.coalesce(F.col("LINE").cast("long"), F.lit(0))
    return frame.select(
        text["ACCESSION_NUMBER"].alias("accession"),
        text["NAMEOFISSUER"].alias("name"),
        text["TITLEOFCLASS"].alias("title"),
        text["CUSIP"].alias("cusip"),
        text["VALUE"].alias("value_raw"),
        text["SSHPRNAMT"].alias("amount_raw"),
        text["SSHPRNAMTTYPE"].alias("amount_type"),
        text["PUTCALL"].alias("put_call"),
        F.greatest(line, F.lit(0)).alias("line"),
        F.col("_metadata.file_path").alias("file"),
        F.col("_metadata.row_index").alias("row_index"),
    )


def measured(F, rows):
    """Per row, what measure_piece derives (TableRow for InfoRow, InfoRow::rejection)."""
    value = whole_number(F, F.col("value_raw"))
    amount = whole_number(F, F.col("amount_raw"))
    trimmed = F.regexp_replace(F.col("value_raw"), r"\A[ \t\n\f\r]+|[ \t\n\f\r]+\z", "")
    counted = value.isNotNull()
    share_row = counted & (F.col("put_call") == "") & (F.col("amount_type") == "SH")
    priced = share_row & amount.isNotNull() & (amount > 0)
    return rows.select(
        "*",
        value.alias("value"),
        F.when(trimmed == "", F.lit("VALUE is empty"))
        .when(~counted, F.concat(F.lit('VALUE is not a whole number: "'), F.col("value_raw"), F.lit('"')))
        .alias("reason"),
        priced.alias("priced"),
        (priced & (value < amount)).alias("sub_dollar"),
    )


def per_filing(F, rows):
    """Each filing's counts and raw sums (engine::Sums), exact: counts as LongType, sums of
    whole numbers as DECIMAL(38,0). Partial sums per task, merged per filing."""
    counted = F.col("value").isNotNull()
    option = F.col("put_call") != ""
    flagged = F.col("entity_ids").isNotNull()

    def count(cond):
        return F.sum(F.when(cond, F.lit(1)).otherwise(F.lit(0))).cast("long")

    def total(cond):
        summed = F.sum(F.when(cond, F.col("value").cast("decimal(38,0)")))
        return F.coalesce(summed, F.lit(0).cast("decimal(38,0)"))

    # The task that read each row, to report filings whose partial sums were merged.
    rows = rows.withColumn("task", F.spark_partition_id())
    return rows.groupBy("accession").agg(
        F.count(F.lit(1)).alias("rows"),
        count(~counted).alias("rejected_rows"),
        count(counted & ~option).alias("long_rows"),
        total(counted & ~option).alias("long_raw"),
        count(counted & option).alias("option_rows"),
        total(counted & option).alias("option_raw"),
        total(counted).alias("raw_sum"),
        count(F.col("priced")).alias("priced"),
        count(F.col("sub_dollar")).alias("sub_dollar"),
        count(counted & ~option & flagged).alias("flagged_rows"),
        total(counted & ~option & flagged).alias("flagged_raw"),
        total(counted & option & flagged).alias("flagged_option_raw"),
        # One file or several, one task or several: min and max tell, without the row
        # expansion Spark plans for distinct counts.
        F.min("file").alias("first_file"),
        F.max("file").alias("last_file"),
        F.min("task").alias("first_task"),
        F.max("task").alias("last_task"),
    )


def distinct_issuers(F, rows, work):
    """Step 1: the distinct (NAMEOFISSUER, CUSIP) pairs, as one Parquet file on the driver,
    sorted (the bytes, not the answers, depend on the order)."""
    import pyarrow.parquet as pq

    table = rows.select(F.col("name").alias("NAMEOFISSUER"), F.col("cusip").alias("CUSIP"))
    table = table.distinct().toArrow()
    table = table.sort_by([("NAMEOFISSUER", "ascending"), ("CUSIP", "ascending")])
    path = os.path.join(work, "issuers.parquet")
    pq.write_table(table, path)
    return path, table


def resolve(xjscan, issuers_path, work, passthrough):
    """Step 2: `xjscan resolve` once, on the driver. Its failure is the job's."""
    out = os.path.join(work, "match")
    command = [
        xjscan, "resolve", issuers_path, "--out", out,
        "--columns", "name=NAMEOFISSUER,cusip=CUSIP",
    ] + passthrough
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as e:
        raise Failed(f"cannot run {xjscan}: {e}") from e
    if done.returncode != 0:
        raise Failed(
            f"xjscan resolve exited with status {done.returncode}:\n"
            + done.stderr.decode("utf-8", "replace").rstrip()
        )
    return os.path.join(out, "matches.parquet")


def flagged_issuers(matches_path, issuers):
    """The match table's flagged issuers, keyed by the pair exactly as it was sent (row
    `input_row` of the issuers file), with the entity ids and tier flagged.csv shows; and
    the table's metadata (reference SHA-256, xjscan version)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(matches_path, columns=["input_row", "name", "cusip", "status", "entity_ids", "tier"])
    if table.num_rows != issuers.num_rows:
        raise Failed(
            f"{matches_path}: {table.num_rows} rows for {issuers.num_rows} issuers; expected one per issuer"
        )
    metadata = {
        k.decode(): v.decode()
        for k, v in (pq.ParquetFile(matches_path).metadata.metadata or {}).items()
        if k.startswith(b"xjscan.")
    }
    names = issuers.column("NAMEOFISSUER").to_pylist()
    cusips = issuers.column("CUSIP").to_pylist()
    flags = []
    # Only the flagged rows (a fraction of a percent) are turned into Python values.
    # xjscan writes text as Arrow string views, which not every PyArrow kernel takes yet.
    import pyarrow as pa

    table = table.cast(pa.schema([
        pa.field(f.name, pa.string() if f.type == pa.string_view() else f.type) for f in table.schema
    ]))
    for row in table.filter(pc.equal(table["status"], "flagged")).to_pylist():
        i = int(row["input_row"]) - 1
        key = (names[i], cusips[i])
        if (row["name"] or "", row["cusip"] or "") != key:
            raise Failed(f"{matches_path}: input_row {i + 1} names {row['name']!r}, not {key[0]!r}")
        flags.append((key[0], key[1], row["entity_ids"] or "", row["tier"] or ""))
    return flags, metadata


# ----------------------------------------------------------------------------------------
# The driver's part: units, figures, order, bytes.
# ----------------------------------------------------------------------------------------


def shown_file(uri, base):
    """A partition as messages name it: relative to the data set's INFOTABLE/ folder."""
    text = urllib.parse.unquote(uri)
    return "INFOTABLE/" + text[len(base):] if text.startswith(base) else text


def figures(sums, filings, where):
    """measure_piece step 5: each filing's row of filers.csv (as text, and typed for Parquet),
    and each filing's multiplier for its flags."""
    units, filers = {}, []
    for s in sums:
        acc = s["accession"]
        filing = filings.get(acc)
        if filing is None:
            multiplier, note = UNKNOWN_FILING
        else:
            multiplier, note = decide_unit(s["sub_dollar"], s["priced"], filing["filed"], filing["period"])
        units[acc] = multiplier
        raw_sum = int(s["raw_sum"])
        declared = filing["value_total"] if filing else None
        if declared is None:
            check = None
        elif raw_sum == declared:
            check = f"values add up to tableValueTotal {declared}"
        else:
            check = f"values add up to {raw_sum} as filed, but tableValueTotal says {declared}"
        long_value = dollars(int(s["long_raw"]), multiplier, where)
        flagged_value = dollars(int(s["flagged_raw"]), multiplier, where)
        filers.append({
            "accession": acc,
            "cik": filing["cik"] if filing else "",
            "filer": filing["filer"] if filing else None,
            "period": filing["period"] if filing else None,
            "filed": filing["filed"] if filing else None,
            "unit_multiplier": multiplier,
            "unit_decision": note,
            "rows": s["rows"],
            "rejected_rows": s["rejected_rows"],
            "long_rows": s["long_rows"],
            "long_value": long_value,
            "option_rows": s["option_rows"],
            "option_value": dollars(int(s["option_raw"]), multiplier, where),
            "flagged_rows": s["flagged_rows"],
            "flagged_value": flagged_value,
            "flagged_pct": percent(flagged_value, long_value),
            "flagged_option_value": dollars(int(s["flagged_option_raw"]), multiplier, where),
            "declared_total": declared,
            "total_check": check,
            "balanced": s["long_rows"] + s["option_rows"] + s["rejected_rows"] == s["rows"],
        })
    filers.sort(key=lambda f: f["accession"])
    # measure: the data set's totals must stay within rust_decimal's range, or the scan stops.
    for figure in ("long_value", "flagged_value", "option_value"):
        if abs(sum(f[figure] for f in filers)) > DECIMAL_MAX:
            raise Failed(f"{where}: the filings' values add up to more than can be counted exactly (28 digits)")
    return filers, units


FILERS_HEADER = [
    "accession", "cik", "filer", "period", "filed", "unit_multiplier", "unit_decision", "rows",
    "rejected_rows", "long_rows", "long_value", "option_rows", "option_value", "flagged_rows",
    "flagged_value", "flagged_pct", "flagged_option_value", "declared_total", "total_check",
    "balanced",
]
FLAGS_HEADER = ["accession", "line", "name", "cusip", "title", "value", "put_call", "entity_ids", "tier"]
REJECTED_HEADER = ["accession", "line", "name", "cusip", "reason"]


def filers_csv(filers):
    """report::dataset::filers_csv."""
    out = [csv_record(FILERS_HEADER)]
    for f in filers:
        out.append(csv_record([
            defuse_formula(f["accession"]),
            defuse_formula(f["cik"]),
            defuse_formula(f["filer"] or ""),
            f["period"] or "",
            f["filed"] or "",
            str(f["unit_multiplier"]),
            f["unit_decision"],
            str(f["rows"]),
            str(f["rejected_rows"]),
            str(f["long_rows"]),
            str(f["long_value"]),
            str(f["option_rows"]),
            str(f["option_value"]),
            str(f["flagged_rows"]),
            str(f["flagged_value"]),
            f["flagged_pct"],
            str(f["flagged_option_value"]),
            "" if f["declared_total"] is None else str(f["declared_total"]),
            f["total_check"] or "",
            "true" if f["balanced"] else "false",
        ]))
    return "".join(out)


def flags_csv(flags):
    """report::dataset::flags_csv."""
    out = [csv_record(FLAGS_HEADER)]
    for f in flags:
        out.append(csv_record([
            defuse_formula(f["accession"]),
            str(f["line"]),
            defuse_formula(f["name"]),
            defuse_formula(f["cusip"]),
            defuse_formula(f["title"]),
            str(f["value"]),
            f["put_call"] or "",
            f["entity_ids"],
            f["tier"],
        ]))
    return "".join(out)


def rejected_csv(rejected):
    """report::dataset::rejected_csv."""
    out = [csv_record(REJECTED_HEADER)]
    for r in rejected:
        out.append(csv_record([
            defuse_formula(r["accession"]),
            str(r["line"]),
            defuse_formula(r["name"]),
            defuse_formula(r["cusip"]),
            defuse_formula(r["reason"]),
        ]))
    return "".join(out)


def in_single_run_order(rows, file_rank):
    """measure's sort by (accession, line), stable over the order rows were met in: pieces
    in path order, rows in file order."""
    rows.sort(key=lambda r: (r["accession"], r["line"], file_rank(r["file"]), r["row_index"]))
    return rows


def parquet_tables(filers, flags, rejected, metadata):
    """The same tables for a lakehouse: typed (exact decimals, no float), not defused."""
    import pyarrow as pa

    money = pa.decimal128(38, 0)
    schema_meta = {k.encode(): v.encode() for k, v in metadata.items()}
    filers_schema = pa.schema([
        ("accession", pa.string()), ("cik", pa.string()), ("filer", pa.string()),
        ("period", pa.string()), ("filed", pa.string()), ("unit_multiplier", pa.int64()),
        ("unit_decision", pa.string()), ("rows", pa.int64()), ("rejected_rows", pa.int64()),
        ("long_rows", pa.int64()), ("long_value", money), ("option_rows", pa.int64()),
        ("option_value", money), ("flagged_rows", pa.int64()), ("flagged_value", money),
        ("flagged_pct", pa.decimal128(38, 4)), ("flagged_option_value", money),
        ("declared_total", pa.int64()), ("total_check", pa.string()), ("balanced", pa.bool_()),
    ], metadata=schema_meta)
    flags_schema = pa.schema([
        ("accession", pa.string()), ("line", pa.int64()), ("name", pa.string()),
        ("cusip", pa.string()), ("title", pa.string()), ("value", money),
        ("put_call", pa.string()), ("entity_ids", pa.string()), ("tier", pa.string()),
    ], metadata=schema_meta)
    rejected_schema = pa.schema([
        ("accession", pa.string()), ("line", pa.int64()), ("name", pa.string()),
        ("cusip", pa.string()), ("reason", pa.string()),
    ], metadata=schema_meta)
    import decimal

    def typed(rows, schema):
        columns = {}
        for field in schema:
            values = [r[field.name] for r in rows]
            if pa.types.is_decimal(field.type):
                values = [decimal.Decimal(v) for v in values]
            columns[field.name] = pa.array(values, type=field.type)
        return pa.table(columns, schema=schema)

    return {
        "filers": typed(filers, filers_schema),
        "flagged": typed(flags, flags_schema),
        "rejected": typed(rejected, rejected_schema),
    }


def write_outputs(out, texts, tables):
    """Writes every output at the end, each through a temporary name, so a failed run leaves
    no partial table."""
    import pyarrow.parquet as pq

    os.makedirs(out, exist_ok=True)
    for name, text in texts.items():
        tmp = os.path.join(out, f".{name}.tmp")
        with open(tmp, "wb") as f:
            f.write(text.encode("utf-8"))
        os.replace(tmp, os.path.join(out, name))
    for name, table in tables.items():
        folder = os.path.join(out, name)
        staging = tempfile.mkdtemp(prefix=f".{name}-", dir=out)
        pq.write_table(table, os.path.join(staging, "part-00000.parquet"))
        if os.path.isdir(folder):
            shutil.rmtree(folder)
        os.replace(staging, folder)


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="The Form 13F data-set scan of `xjscan scan DIR` on Apache Spark: "
        "filers.csv, flagged.csv and rejected.csv byte-identical to the single run.",
    )
    p.add_argument("--data", required=True, help="the data set: INFOTABLE/**/*.parquet, SUBMISSION.tsv, ...")
    p.add_argument("--xjscan", required=True, help="the xjscan binary, on the driver")
    p.add_argument("--out", required=True, help="output folder on the driver")
    p.add_argument("--work", required=True, help="folder on the driver for the issuers and the match table")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--mappings", metavar="DIR", help="passed to xjscan resolve")
    source.add_argument("--shipped-data", action="store_true", help="passed to xjscan resolve")
    p.add_argument("--overrides", metavar="FILE", help="passed to xjscan resolve")
    p.add_argument("--master", help="Spark master when not run by spark-submit (e.g. local[2])")
    p.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE", help="Spark setting (repeatable)")
    return p.parse_args(argv)


def run(args):
    """The job, step by step; returns the timings and counts it prints."""
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    timings = {}
    clock = time.monotonic()

    def lap(name):
        nonlocal clock
        now = time.monotonic()
        timings[name] = now - clock
        clock = now

    builder = SparkSession.builder.appName("xjscan-13f")
    if args.master:
        builder = builder.master(args.master)
    # ANSI mode: an overflowing sum or bad cast fails the job instead of becoming null.
    builder = builder.config("spark.sql.ansi.enabled", "true")
    builder = builder.config("spark.ui.showConsoleProgress", "false")
    for setting in args.conf:
        key, _, value = setting.partition("=")
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    lap("start")

    data = args.data.rstrip("/")
    if exists(spark, data + "/INFOTABLE.tsv", "file"):
        raise Refused(f"{data} has INFOTABLE.tsv, which xjscan scan reads instead of INFOTABLE/; move one away")
    if not exists(spark, data + "/INFOTABLE", "dir"):
        raise Refused(f"{data}: no INFOTABLE/ folder of Parquet partitions")
    if not exists(spark, data + "/SUBMISSION.tsv", "file"):
        raise Refused(f"data set {data} is incomplete: SUBMISSION.tsv is missing")
    partitions, base = list_partitions(spark, data + "/INFOTABLE")
    if not partitions:
        raise Refused(f"data set {data} is incomplete: INFOTABLE.tsv (INFOTABLE/ holds no .parquet partitions)")
    rank = {urllib.parse.unquote(full): i for i, (_, full) in enumerate(partitions)}

    def file_rank(uri):
        return rank.get(urllib.parse.unquote(uri), len(rank))

    tables = [f"{data}/{t}" for t in ("SUBMISSION.tsv", "COVERPAGE.tsv", "SUMMARYPAGE.tsv")]
    small = read_small_files(spark, [t for t in tables if exists(spark, t, "file")])
    filings = read_filings(*(small.get(t) for t in tables), data)
    # Not cached: each pass reads only the columns it needs, and the distinct issuers need two.
    rows = measured(F, read_rows(spark, F, [full for _, full in partitions]))
    lap("read")

    os.makedirs(args.work, exist_ok=True)
    issuers_path, issuers = distinct_issuers(F, rows, args.work)
    lap("distinct issuers")

    passthrough = []
    if args.mappings:
        passthrough += ["--mappings", args.mappings]
    if args.shipped_data:
        passthrough.append("--shipped-data")
    if args.overrides:
        passthrough += ["--overrides", args.overrides]
    matches_path = resolve(args.xjscan, issuers_path, args.work, passthrough)
    flags, metadata = flagged_issuers(matches_path, issuers)
    lap("resolve")

    from pyspark.sql.types import StringType, StructField, StructType

    schema = StructType([StructField(n, StringType(), False) for n in ("f_name", "f_cusip", "entity_ids", "tier")])
    matched = spark.createDataFrame(flags, schema)
    joined = rows.join(
        F.broadcast(matched),
        (rows["name"] == matched["f_name"]) & (rows["cusip"] == matched["f_cusip"]),
        "left",
    ).drop("f_name", "f_cusip")
    sums = [r.asDict() for r in per_filing(F, joined).collect()]
    split = [s["accession"] for s in sums if s["first_file"] != s["last_file"]]
    if split:
        acc = sorted(split)[0]
        pieces = sorted(
            {r["file"] for r in rows.where(F.col("accession") == acc).select("file").distinct().collect()},
            key=file_rank,
        )
        raise Refused(
            f"{shown_file(pieces[-1], base)}: filing {acc} is also in {shown_file(pieces[0], base)}; "
            f"each partition must hold whole filings ({len(split)} filing(s) split)"
        )
    # The rows whose details the tables show, in one more pass: flagged rows with a value, and
    # rows set aside (a flagged row without a value is only set aside, as in measure_piece).
    counted = F.col("value").isNotNull()
    details = (
        joined.where((F.col("entity_ids").isNotNull() & counted) | ~counted)
        .select("accession", "line", "name", "cusip", "title", "value", "put_call", "entity_ids",
                "tier", "reason", "file", "row_index")
        .collect()
    )
    flagged_rows = [r.asDict() for r in details if r["value"] is not None]
    rejected_rows = [r.asDict() for r in details if r["value"] is None]
    partitions_read = rows.rdd.getNumPartitions()
    lap("aggregate")

    filers, units = figures(sums, filings, data)
    for f in flagged_rows:
        f["value"] = dollars(int(f["value"]), units.get(f["accession"], 1), data)
        f["put_call"] = f["put_call"] or None
    flagged_rows = in_single_run_order(flagged_rows, file_rank)
    rejected_rows = in_single_run_order(rejected_rows, file_rank)
    texts = {
        "filers.csv": filers_csv(filers),
        "flagged.csv": flags_csv(flagged_rows),
        "rejected.csv": rejected_csv(rejected_rows),
    }
    tables = parquet_tables(filers, flagged_rows, rejected_rows, metadata)
    write_outputs(args.out, texts, tables)
    lap("write")
    spark.stop()
    return {
        "partitions": len(partitions),
        "tasks": partitions_read,
        "rows": sum(f["rows"] for f in filers),
        "filings": len(filers),
        "distinct_issuers": issuers.num_rows,
        "flagged_issuers": len(flags),
        "flagged_rows": len(flagged_rows),
        "rejected_rows": len(rejected_rows),
        "straddling": sum(1 for s in sums if s["first_task"] != s["last_task"]),
    }, timings


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = time.monotonic()
    try:
        counts, timings = run(args)
    except Refused as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except Failed as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
    print(
        f"{counts['rows']} rows in {counts['partitions']} partitions ({counts['tasks']} tasks), "
        f"{counts['filings']} filings, {counts['distinct_issuers']} distinct issuers "
        f"({counts['flagged_issuers']} flagged), {counts['flagged_rows']} flagged rows, "
        f"{counts['rejected_rows']} set aside, {counts['straddling']} filings read by several tasks; "
        f"{time.monotonic() - started:.1f} s ({steps})"
    )
    print(f"wrote filers.csv, flagged.csv, rejected.csv and filers/, flagged/, rejected/ to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
