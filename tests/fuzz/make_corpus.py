#!/usr/bin/env python3
"""Writes a libFuzzer seed corpus for row_decoder_fuzz from the recorded fixtures.

usage: make_corpus.py OUT_DIR   (reads tests/data/binlog/*.json next to this script's repo)
One file per TABLE_MAP (mode 0) and per rows event with its table map (mode 2); see
row_decoder_fuzz.cpp for the input layout.
"""
import glob
import json
import os
import sys

ROWS_TYPES = [23, 24, 25, 30, 31, 32, 166, 167, 168, 169, 170, 171]


def body(raw):
    return raw[19:-4]  # common header off, CRC32 off


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "binlog")
    n = 0
    for path in sorted(glob.glob(os.path.join(root, "*.json"))):
        doc = json.load(open(path))
        maps = {}
        for step in doc["steps"]:
            for ev in step["events"]:
                if "hex" not in ev:
                    continue  # the large events would only slow the fuzzer down
                raw = bytes.fromhex(ev["hex"])
                b = body(raw)
                table_id = int.from_bytes(b[:6], "little")
                if ev["type"] == 19:
                    maps[table_id] = b
                    data = b"\x00" + b
                elif ev["type"] in ROWS_TYPES and table_id in maps:
                    m = maps[table_id]
                    data = b"\x02" + len(m).to_bytes(2, "little") + m + bytes([ROWS_TYPES.index(ev["type"])]) + b
                else:
                    continue
                n += 1
                with open(os.path.join(out, "seed-%04d" % n), "wb") as f:
                    f.write(data)
    print("wrote %d seeds to %s" % (n, out))


if __name__ == "__main__":
    main()
