#!/usr/bin/env python3
"""The Python peers of scripts/bench, each doing the same work as Roster's script for its job.

usage: peers.py JOB IN [OUT]
  csv-identity | csv-upper | csv-transform        Python's csv module (reader + writer, CRLF)
  polars-pass | polars-upper | polars-transform   polars read_csv/write_csv, every column text
  duckdb-identity | duckdb-upper | duckdb-transform   DuckDB COPY (SELECT ...) TO OUT
  xlsx-calamine | xlsx-openpyxl | xls-calamine | xls-xlrd   print the number of data rows
  compare A B                                     exit 0 when the two CSV files hold the same rows

upper: City upper-cased. transform: Email trimmed and lower-cased, Phone reduced to its digits
with "+" in front ("+1" for 10 digits), City upper-cased (Unicode, as roster.text.upper).
"""
import csv
import re
import sys

# the transform's SQL, for DuckDB: the same columns in the same order
UPPER_SQL = 'SELECT "First Name", "Last Name", Email, Phone, upper(City) AS City, Note'
TRANSFORM_SQL = """SELECT "First Name", "Last Name", lower(trim(Email)) AS Email,
  '+' || CASE WHEN length(regexp_replace(Phone, '[^0-9]', '', 'g')) = 10 THEN '1' ELSE '' END
      || regexp_replace(Phone, '[^0-9]', '', 'g') AS Phone,
  upper(City) AS City, Note"""


def csv_job(kind, src, dst):
    nd = re.compile(r"\D")
    with open(src, newline="", encoding="utf-8") as f, open(dst, "w", newline="", encoding="utf-8") as o:
        r = csv.reader(f)
        w = csv.writer(o, lineterminator="\r\n")
        header = next(r)
        w.writerow(header)
        email, phone, city = header.index("Email"), header.index("Phone"), header.index("City")
        if kind == "identity":
            w.writerows(r)
            return
        for row in r:
            if kind == "transform":
                row[email] = row[email].strip().lower()
                d = nd.sub("", row[phone])
                row[phone] = "+" + ("1" + d if len(d) == 10 else d)
            row[city] = row[city].upper()
            w.writerow(row)


def polars_job(kind, src, dst):
    import polars as pl
    df = pl.read_csv(src, infer_schema=False)
    if kind in ("upper", "transform"):
        df = df.with_columns(pl.col("City").str.to_uppercase())
    if kind == "transform":
        digits = pl.col("Phone").str.replace_all(r"\D", "")
        df = df.with_columns(
            pl.col("Email").str.strip_chars().str.to_lowercase(),
            pl.when(digits.str.len_chars() == 10).then(pl.lit("+1") + digits).otherwise(pl.lit("+") + digits).alias("Phone"),
        )
    df.write_csv(dst)


def duckdb_job(kind, src, dst):
    import duckdb
    select = {"identity": "SELECT *", "upper": UPPER_SQL, "transform": TRANSFORM_SQL}[kind]
    con = duckdb.connect()
    con.execute(f"COPY ({select} FROM read_csv(?, header = true, all_varchar = true, quote = '\"', escape = '\"')) "
                "TO '" + dst.replace("'", "''") + "' (FORMAT csv, HEADER)", [src])


def count_rows(kind, path):
    if kind in ("xlsx-calamine", "xls-calamine"):
        from python_calamine import CalamineWorkbook
        rows = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python(skip_empty_area=True)
        return sum(1 for r in rows if any(v not in ("", None) for v in r)) - 1
    if kind == "xlsx-openpyxl":
        from openpyxl import load_workbook
        wb = load_workbook(path, read_only=True)
        return sum(1 for r in wb.worksheets[0].iter_rows(values_only=True) if any(v not in ("", None) for v in r)) - 1
    import xlrd
    s = xlrd.open_workbook(path, on_demand=True).sheet_by_index(0)
    return sum(1 for i in range(s.nrows) if any(c.value not in ("", None) for c in s.row(i))) - 1


def compare(a, b):
    """Parsed CSV content, row by row (line endings and quoting may differ); says where they part."""
    with open(a, newline="", encoding="utf-8") as fa, open(b, newline="", encoding="utf-8") as fb:
        ra, rb = csv.reader(fa), csv.reader(fb)
        n = 0
        for n, (x, y) in enumerate(zip(ra, rb), 1):
            if x != y:
                print(f"row {n}: {x} != {y}")
                return 1
        extra_a, extra_b = next(ra, None), next(rb, None)
        if extra_a is not None or extra_b is not None:
            print(f"row counts differ after row {n}")
            return 1
    return 0


def main():
    job, args = sys.argv[1], sys.argv[2:]
    family, _, kind = job.partition("-")
    if job == "compare":
        return compare(*args)
    if family == "csv":
        csv_job(kind, *args)
    elif family == "polars":
        polars_job(kind, *args)
    elif family == "duckdb":
        duckdb_job(kind, *args)
    elif family in ("xlsx", "xls"):
        print(count_rows(job, args[0]))
    else:
        sys.exit(f"unknown job {job}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
