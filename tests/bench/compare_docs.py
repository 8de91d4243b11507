#!/usr/bin/python3
"""Checks that the benchmark compares like with like: MariaDB's full-refresh query (order_docs.sql)
builds exactly the documents weft wrote to an SQLite sink.

usage: compare_docs.py --port PORT --sink docs.db [--database shop]
Runs order_docs.sql returning each document instead of summing their lengths, reads the sink's
orderSingleView table, compares every document as parsed JSON (decimals exact), prints the counts
and the first differences; exit status 1 on any difference.
"""
import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
from decimal import Decimal


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", required=True)
    ap.add_argument("--sink", required=True)
    ap.add_argument("--database", default="shop")
    args = ap.parse_args()
    sql = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "order_docs.sql")).read()
    sql = re.sub(r"SELECT COUNT\(\*\) AS documents, SUM\(LENGTH\(\n", "SELECT o.order_id, (\n", sql)
    sql = sql.replace(")) AS bytes\nFROM ecom_orders o;", ") AS doc\nFROM ecom_orders o;")
    out = subprocess.run(["mariadb", "--protocol=TCP", "-h127.0.0.1", f"-P{args.port}", "-uroot", "-N", "--raw",
                          args.database], input=sql, capture_output=True, text=True, check=True).stdout
    expected = {}
    for line in out.splitlines():
        key, doc = line.split("\t", 1)
        expected[key] = json.loads(doc, parse_float=Decimal)
    db = sqlite3.connect(f"file:{args.sink}?mode=ro", uri=True)
    actual = {k: json.loads(d, parse_float=Decimal) for k, d in db.execute("SELECT id, doc FROM orderSingleView")}
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    different = [k for k in expected if k in actual and expected[k] != actual[k]]
    print(f"MariaDB {len(expected)} documents, sink {len(actual)}: {len(missing)} missing, {len(extra)} extra, "
          f"{len(different)} different")
    for k in different[:3]:
        fields = [f for f in set(expected[k]) | set(actual[k]) if expected[k].get(f) != actual[k].get(f)]
        print(f"  {k}: fields {sorted(fields)}")
    sys.exit(1 if missing or extra or different else 0)


if __name__ == "__main__":
    main()
