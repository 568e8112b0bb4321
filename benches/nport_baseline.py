#!/usr/bin/env python3
"""The Python baseline for `benches/nport_scale.py`: a Form N-PORT data set screened the way a
competent analyst would do it with pandas and rapidfuzz.

Read the ISINs of IDENTIFIERS.tsv, then FUND_REPORTED_HOLDING.tsv in chunks of two million
rows (the whole table does not fit in memory at a few times a quarter), join each chunk to the
ISINs by HOLDING_ID, flag a holding when its ISIN, CUSIP or LEI is one the reference data
records (mappings/identifiers.csv) or when its issuer name, normalised (upper case,
punctuation and legal forms removed), matches one of the reference names (entities and
aliases in mappings/) with rapidfuzz's token-set ratio; each *distinct* name is matched once.
Then sum flagged long value per filing. Writes the flagged distinct names to --flagged-out
(one per line) so the caller can count false flags, and prints `rows_flagged N`.

    python3 benches/nport_baseline.py DATASET_DIR --mappings mappings --flagged-out flagged.txt
"""
import argparse
import csv
import re
import sys
import time

import pandas as pd
from rapidfuzz import fuzz, process

LEGAL = re.compile(
    r"\b(CO|CORP|CORPORATION|INC|INCORPORATED|LTD|LIMITED|PLC|LLC|LP|SA|AG|NV|N V|"
    r"HLDGS|HOLDINGS|HOLDING|GROUP|GRP|CL [A-Z]|SPONSORED|SPON|ADR|ADS|REP|THE)\b"
)
PUNCT = re.compile(r"[^A-Z0-9 ]+")
COLUMNS = ["ACCESSION_NUMBER", "HOLDING_ID", "ISSUER_NAME", "ISSUER_LEI", "ISSUER_CUSIP",
           "CURRENCY_VALUE", "PAYOFF_PROFILE", "ASSET_CAT"]


def normalise(name: str) -> str:
    text = PUNCT.sub(" ", str(name).upper())
    text = LEGAL.sub(" ", text)
    return " ".join(text.split())


def reference(mappings: str):
    names = set()
    with open(f"{mappings}/entities.csv", newline="", encoding="utf-8") as f:
        names.update(row["name"] for row in csv.DictReader(f))
    with open(f"{mappings}/aliases.csv", newline="", encoding="utf-8") as f:
        names.update(row["alias"] for row in csv.DictReader(f))
    ids = set()
    with open(f"{mappings}/identifiers.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["scheme"] in ("isin", "cusip", "lei"):
                ids.add(row["value"].strip().upper())
    # Latin-script names only: the data sets are in English.
    normalised = {normalise(n) for n in names if n.isascii()}
    return sorted(n for n in normalised if n), ids


def read(path, usecols, **kw):
    return pd.read_csv(path, sep="\t", dtype=str, usecols=usecols, keep_default_na=False,
                       quoting=csv.QUOTE_NONE, **kw)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("dataset")
    parser.add_argument("--mappings", default="mappings")
    parser.add_argument("--cutoff", type=float, default=90.0)
    parser.add_argument("--flagged-out", required=True)
    args = parser.parse_args()

    start = time.monotonic()
    names, ids = reference(args.mappings)
    isins = read(f"{args.dataset}/IDENTIFIERS.tsv", ["HOLDING_ID", "IDENTIFIER_ISIN"])
    isins = isins[isins["IDENTIFIER_ISIN"] != ""].drop_duplicates("HOLDING_ID").set_index("HOLDING_ID")

    verdict = {}  # distinct name -> matched by name
    flagged_names = set()
    rows = rows_flagged = 0
    per_filing = {}
    for chunk in read(f"{args.dataset}/FUND_REPORTED_HOLDING.tsv", COLUMNS, chunksize=2_000_000):
        chunk = chunk.join(isins, on="HOLDING_ID")
        for name in chunk["ISSUER_NAME"].unique():
            if name not in verdict:
                key = normalise(name)
                verdict[name] = bool(key) and process.extractOne(
                    key, names, scorer=fuzz.token_set_ratio, score_cutoff=args.cutoff) is not None
        by_name = chunk["ISSUER_NAME"].map(verdict)
        by_id = (chunk["IDENTIFIER_ISIN"].fillna("").isin(ids) | chunk["ISSUER_CUSIP"].isin(ids)
                 | chunk["ISSUER_LEI"].isin(ids))
        flagged = by_name | by_id
        flagged_names.update(chunk.loc[flagged, "ISSUER_NAME"].unique())
        long = flagged & (chunk["PAYOFF_PROFILE"] == "Long") & ~chunk["ASSET_CAT"].str.startswith("D")
        value = pd.to_numeric(chunk.loc[long, "CURRENCY_VALUE"], errors="coerce")
        for filing, total in value.groupby(chunk.loc[long, "ACCESSION_NUMBER"]).sum().items():
            per_filing[filing] = per_filing.get(filing, 0.0) + total
        rows += len(chunk)
        rows_flagged += int(flagged.sum())
    elapsed = time.monotonic() - start

    with open(args.flagged_out, "w", encoding="utf-8") as f:
        for name in sorted(flagged_names):
            f.write(name + "\n")
    print(f"rows {rows}")
    print(f"rows_flagged {rows_flagged}")
    print(f"distinct_flagged {len(flagged_names)}")
    print(f"filings_flagged {len(per_filing)}")
    print(f"seconds {elapsed:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
