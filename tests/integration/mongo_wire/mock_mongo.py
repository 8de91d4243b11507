#!/usr/bin/python3
"""A scripted MongoDB for weft's wire tests, on Debian's python3-mockupdb (run with /usr/bin/python3).

Usage: mock_mongo.py SCENARIO RECORD_FILE [ARG]

Listens on a free loopback port and prints "PORT <n>" on stdout once ready; runs until its stdin
closes. Lines on stdin change its behaviour while it runs (outages for the resilience tests); each
is answered with "OK" on stdout once in effect:
  down hangup          close the connection on every request, the handshake included (as a
                       server that went away)
  down error           answer write commands with InterruptedAtShutdown (11600, RetryableWriteError)
  down silent          never answer write commands (the client times out)
  up                   back to the SCENARIO's behaviour
  reject ID CODE       every replacement of the document with string _id ID gets writeError CODE
                       (as a server-side validator or a too-large document would), the rest of the
                       bulk is applied
  accept ID            stop rejecting ID It answers hello/isMaster as the primary of replica set "rs0" (wire version 17, sessions on),
so libmongoc uses retryable writes as it would against a real replica set. Every command it receives
is appended to RECORD_FILE as one line of canonical extended JSON (types kept: $numberInt,
$numberLong, $numberDecimal, $date, $binary), in arrival order.

Write commands (update/delete/insert) are answered per SCENARIO:
  ok                   apply them to an in-memory store and acknowledge (find reads the store); a
                       replacement with a top-level "$" field gets writeError 52, as from a server
  close_n ARG          close the connection on the first ARG write commands, then as ok
  not_primary_n ARG    answer the first ARG write commands with NotWritablePrimary (10107, labelled
                       RetryableWriteError as a 4.4+ server does), then as ok
  write_errors ARG     ARG = "update:1:2,delete:0:91": writeErrors {index, code} per command name;
                       the other operations are applied
  write_concern_error ARG   apply, then report writeConcernError with code ARG (default 64)
  hang                 never answer a write command (the client must time out)
"""
import datetime
import sys
import threading
from collections import OrderedDict

from bson import json_util
from bson.int64 import Int64
from bson.json_util import CANONICAL_JSON_OPTIONS
from mockupdb import OP_MSG_FLAGS, MockupDB, OpMsg

SCENARIO = sys.argv[1]
RECORD = open(sys.argv[2], "a", buffering=1)
ARG = sys.argv[3] if len(sys.argv) > 3 else ""

lock = threading.Lock()
writes_seen = 0
store = {}  # collection -> OrderedDict(canonical _id text -> document)
port = 0
outage = ""      # "", "hangup", "error", "silent": set by "down ..." on stdin
rejected = {}    # string _id -> writeError code: set by "reject ..." on stdin


def canonical(value):
    return json_util.dumps(value, json_options=CANONICAL_JSON_OPTIONS)


def hello():
    return {
        "ismaster": True, "isWritablePrimary": True, "helloOk": True,
        "setName": "rs0", "setVersion": 1, "hosts": ["localhost:%d" % port], "me": "localhost:%d" % port,
        "primary": "localhost:%d" % port,
        "minWireVersion": 0, "maxWireVersion": 17, "logicalSessionTimeoutMinutes": 30,
        "maxBsonObjectSize": 16 * 1024 * 1024, "maxMessageSizeBytes": 48000000, "maxWriteBatchSize": 100000,
        "localTime": datetime.datetime.utcnow(), "connectionId": 1, "ok": 1,
    }


def parse_write_errors():
    spec = {}
    for item in filter(None, ARG.split(",")):
        command, index, code = item.split(":")
        spec.setdefault(command, []).append((int(index), int(code)))
    return spec


def apply(command, doc, skip=()):
    """Applies the command's operations except the indexes in `skip`; returns n."""
    coll = store.setdefault(doc[command], OrderedDict())
    n = 0
    upserted = []
    refused = []
    if command == "update":
        for i, op in enumerate(doc.get("updates", [])):
            if i in skip:
                continue
            if isinstance(op["q"]["_id"], str) and op["q"]["_id"] in rejected:
                code = rejected[op["q"]["_id"]]
                refused.append({"index": i, "code": code, "errmsg": "Document failed validation (scripted: _id %s)"
                                % op["q"]["_id"]})
                continue
            bad = [k for k in op["u"] if k.startswith("$")]
            if bad:  # as a real server refuses it
                refused.append({"index": i, "code": 52, "errmsg": "The dollar ($) prefixed field '%s' in '%s' "
                                "is not allowed in the context of an update's replacement document." % (bad[0], bad[0])})
                continue
            key = canonical(op["q"]["_id"])
            if key not in coll:
                upserted.append({"index": i, "_id": op["q"]["_id"]})
            coll[key] = op["u"]
            n += 1
    elif command == "delete":
        for i, op in enumerate(doc.get("deletes", [])):
            if i not in skip and coll.pop(canonical(op["q"]["_id"]), None) is not None:
                n += 1
    elif command == "insert":
        for i, d in enumerate(doc.get("documents", [])):
            if i not in skip:
                coll[canonical(d["_id"])] = d
                n += 1
    reply = {"n": n}
    if refused:
        reply["writeErrors"] = refused
    if command == "update":
        reply["nModified"] = n - len(upserted)
        if upserted:
            reply["upserted"] = upserted
    return reply


def write_reply(request, command, doc):
    global writes_seen
    writes_seen += 1
    unacknowledged = isinstance(request, OpMsg) and request.flags & OP_MSG_FLAGS["moreToCome"]
    if outage == "silent":
        return True
    if outage == "error":
        return request.command_err(11600, "interrupted at shutdown", errorLabels=["RetryableWriteError"])
    if SCENARIO == "hang":
        return True  # swallowed: no reply ever
    if SCENARIO == "close_n" and writes_seen <= int(ARG):
        return request.hangup()
    if SCENARIO == "not_primary_n" and writes_seen <= int(ARG):
        return request.command_err(10107, "not primary", errorLabels=["RetryableWriteError"])
    if SCENARIO == "write_errors":
        errors = parse_write_errors().get(command, [])
        reply = apply(command, doc, skip={i for i, _ in errors})
        if errors:
            reply["writeErrors"] = reply.get("writeErrors", []) + [{"index": i, "code": c, "errmsg": "scripted error %d" % c} for i, c in errors]
        return request.ok(reply)
    reply = apply(command, doc)
    if unacknowledged:
        return True
    if SCENARIO == "write_concern_error":
        reply["writeConcernError"] = {"code": int(ARG or 64), "codeName": "WriteConcernFailed",
                                      "errmsg": "waiting for replication timed out", "errInfo": {"wtimeout": True}}
    return request.ok(reply)


def handler(request):
    name = request.command_name or ""
    doc = request.doc if len(request.docs) == 1 else {}
    with lock:
        RECORD.write(canonical(doc) + "\n")
        if outage == "hangup":
            return request.hangup()
        lowered = name.lower()
        if lowered in ("ismaster", "hello"):
            return request.ok(hello())
        if name in ("update", "delete", "insert"):
            return write_reply(request, name, doc)
        if name == "find":
            docs = list(store.get(doc["find"], OrderedDict()).values())
            return request.ok(cursor={"id": Int64(0), "ns": "%s.%s" % (doc["$db"], doc["find"]), "firstBatch": docs})
        return request.ok()  # ping, endSessions, ...


def main():
    global port
    server = MockupDB(port=None, request_timeout=3600)
    server.autoresponds(handler)
    port = server.run()
    print("PORT %d" % port, flush=True)
    for line in sys.stdin:  # until the test closes our stdin
        control(line.split())
        print("OK", flush=True)
    server.stop()


def control(words):
    global outage
    with lock:
        if words[:1] == ["down"]:
            outage = words[1]
        elif words[:1] == ["up"]:
            outage = ""
        elif words[:1] == ["reject"]:
            rejected[words[1]] = int(words[2])
        elif words[:1] == ["accept"]:
            rejected.pop(words[1], None)


if __name__ == "__main__":
    main()
