#!/usr/bin/env python3
"""Writes seeds for mysql8_fuzz (see the layout in mysql8_fuzz.cpp) from the recorded MySQL 8/9
fixtures in tests/data/mysql8: their binary JSON vectors, every event of every fixture binlog (CRC
stripped) as an event sequence, their GTID / PREVIOUS_GTIDS bodies, and payload bodies."""
import json, os, sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "mysql8")
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
n = 0

def put(data):
    global n
    with open(os.path.join(out, "seed-%04d" % n), "wb") as f:
        f.write(data)
    n += 1

for c in json.load(open(os.path.join(root, "cases", "json_binary_cases.json")))["cases"]:
    b = bytes.fromhex(c["hex"])
    put(b"\x00" + b)
    put(b"\x01" + len(b).to_bytes(2, "little") + b + bytes.fromhex("0005242e616765") + b"\x03" + bytes.fromhex("051a00"))

binlogs = os.path.join(root, "binlogs")
for name in sorted(os.listdir(binlogs)):
    if not name.endswith(".binlog") or "bulk" in name:
        continue
    data = open(os.path.join(binlogs, name), "rb").read()
    at, events = 4, []
    while at + 19 <= len(data):
        size = int.from_bytes(data[at + 9:at + 13], "little")
        ev = data[at:at + size]
        typ = ev[4]
        body = ev[19:-4]
        # Every event without its CRC32 (the size field shortened to match), as inner events are.
        events.append(ev[:9] + (size - 4).to_bytes(4, "little") + ev[13:19] + body)
        if typ in (33, 42):
            put(b"\x03" + bytes([typ & 1]) + body)
        if typ == 35:
            put(b"\x03\x00" + body)
        if typ == 40:
            put(b"\x02" + body)
        at += size
    put(b"\x04" + b"".join(events))
print("mysql8_fuzz: %d seeds in %s" % (n, out))
