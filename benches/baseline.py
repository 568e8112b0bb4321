#!/usr/bin/env python3
"""The Python baseline for `benches/scale.py`: a 13F data set screened the way a competent
analyst would do it with pandas and rapidfuzz.

Read INFOTABLE.tsv, normalise issuer names (upper case, punctuation and legal forms removed),
match each *distinct* name once against the same reference names xjscan ships (entities and
aliases in mappings/) with rapidfuzz's token-set ratio, then sum flagged value per filer.
Writes the flagged distinct names to --flagged-out (one per line) so the caller can count
false flags, and prints `rows_flagged N` and `distinct_flagged N`.

    python3 benches/baseline.py DATASET_DIR --mappings mappings --flagged-out flagged.txt
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


def normalise(name: str) -> str:
    text = PUNCT.sub(" ", str(name).upper())
    text = LEGAL.sub(" ", text)
    return " ".join(text.split())


def reference_names(mappings: str) -> list:
    names = set()
    with open(f"{mappings}/entities.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            names.add(row["name"])
    with open(f"{mappings}/aliases.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            names.add(row["alias"])
    # Latin-script names only: 13F tables are in English.
    normalised = {normalise(n) for n in names if n.isascii()}
    return sorted(n for n in normalised if n)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("dataset")
    parser.add_argument("--mappings", default="mappings")
    parser.add_argument("--cutoff", type=float, default=90.0)
    parser.add_argument("--flagged-out", required=True)
    args = parser.parse_args()

    start = time.monotonic()
    rows = pd.read_csv(
        f"{args.dataset}/INFOTABLE.tsv",
        sep="\t",
        dtype=str,
        usecols=["ACCESSION_NUMBER", "NAMEOFISSUER", "VALUE", "PUTCALL"],
        keep_default_na=False,
        quoting=csv.QUOTE_NONE,
    )
    rows["VALUE_NUM"] = pd.to_numeric(rows["VALUE"], errors="coerce")
    reference = reference_names(args.mappings)

    distinct = pd.Series(rows["NAMEOFISSUER"].unique())
    flagged_names = set()
    for name in distinct:
        key = normalise(name)
        if not key:
            continue
        hit = process.extractOne(key, reference, scorer=fuzz.token_set_ratio, score_cutoff=args.cutoff)
        if hit is not None:
            flagged_names.add(name)

    flagged = rows["NAMEOFISSUER"].isin(flagged_names) & (rows["PUTCALL"] == "")
    per_filer = rows[flagged].groupby("ACCESSION_NUMBER")["VALUE_NUM"].sum()
    elapsed = time.monotonic() - start

    with open(args.flagged_out, "w", encoding="utf-8") as f:
        for name in sorted(flagged_names):
            f.write(name + "\n")
    print(f"rows {len(rows)}")
    print(f"rows_flagged {int(flagged.sum())}")
    print(f"distinct_flagged {len(flagged_names)}")
    print(f"filers_flagged {len(per_filer)}")
    print(f"seconds {elapsed:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
