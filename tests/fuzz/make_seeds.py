#!/usr/bin/env python3
"""Writes the libFuzzer seed corpora of config_fuzz and value_fuzz.

usage: make_seeds.py OUT_DIR   -> OUT_DIR/config/ and OUT_DIR/value/
config: conf/weft.toml and tests/fuzz/seeds/config/*.toml (valid and broken configs).
value:  mode byte (see value_fuzz.cpp) + change::EncodeValue bytes of every kind, nested, and
        JSON documents in the shape weft's sinks write. The encoder below mirrors
        src/change/value_codec.cpp (kind byte, varint lengths, little-endian fixed 64-bit numbers).
"""
import glob
import os
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))

(NULL, BOOL, INT, UINT, FLOAT, DOUBLE, DECIMAL, STRING, BYTES, DATE, DATETIME, TIME, JSON, ARRAY,
 OBJECT) = range(15)


def varint(n):
    out = b""
    while n >= 0x80:
        out += bytes([(n & 0x7F) | 0x80])
        n >>= 7
    return out + bytes([n])


def text(kind, s):
    b = s.encode() if isinstance(s, str) else s
    return bytes([kind]) + varint(len(b)) + b


def array(*items):
    return bytes([ARRAY]) + varint(len(items)) + b"".join(items)


def obj(**fields):
    out = bytes([OBJECT]) + varint(len(fields))
    for name, item in fields.items():
        out += varint(len(name)) + name.encode() + item
    return out


def values():
    i64 = lambda n: bytes([INT]) + struct.pack("<q", n)
    u64 = lambda n: bytes([UINT]) + struct.pack("<Q", n)
    f64 = lambda kind, d: bytes([kind]) + struct.pack("<d", d)
    scalars = [
        bytes([NULL]), bytes([BOOL, 1]), i64(-2**63), i64(42), u64(2**64 - 1),
        f64(FLOAT, 0.1), f64(DOUBLE, -1.5e300), text(DECIMAL, "-12345678901234567890.123456789"),
        text(STRING, "caf\u00e9 \U0001F600"), text(BYTES, b"\x00\xff\x10"), text(DATE, "2024-11-10"),
        text(DATETIME, "2024-11-02 10:20:00.123456"), text(TIME, "-838:59:59.000000"),
        text(JSON, '{"a":[1,2,{"b":null}]}'),
    ]
    doc = obj(_id=text(STRING, "ORD789654"), order_status=text(STRING, "shipped"),
              customer_info=obj(customer_id=i64(7), city=text(STRING, "Lyon")),
              order_items=array(obj(price=text(DECIMAL, "199.99"), product=obj(weight=f64(DOUBLE, 2.5))),
                                array(bytes([NULL]), u64(1))))
    return scalars + [array(*scalars), doc]


JSON_SEEDS = [
    b'{"_id":"ORD789654","order_status":"shipped","order_items":[{"price":199.99,"qty":2}],"customer_info":{"customer_id":7}}',
    b'[1,-1,18446744073709551615,-9223372036854775808,1e+21,0.1,"\\u00e9\\ud83d\\ude00",true,false,null,{}]',
    b'{"a":{"a":{"a":[[[]]]}},"a":1}',
    b'"\\"\\\\\\/\\b\\f\\n\\r\\t"',
]


def main():
    out = sys.argv[1]
    config_dir = os.path.join(out, "config")
    value_dir = os.path.join(out, "value")
    os.makedirs(config_dir, exist_ok=True)
    os.makedirs(value_dir, exist_ok=True)
    configs = [os.path.join(ROOT, "conf", "weft.toml")] + sorted(glob.glob(os.path.join(HERE, "seeds", "config", "*.toml")))
    for path in configs:
        shutil.copyfile(path, os.path.join(config_dir, os.path.basename(path)))
    n = 0
    for v in values():
        n += 1
        open(os.path.join(value_dir, "codec-%02d" % n), "wb").write(b"\x00" + v)
    for j in JSON_SEEDS:
        n += 1
        open(os.path.join(value_dir, "json-%02d" % n), "wb").write(b"\x01" + j)
    print("wrote %d config seeds and %d value seeds under %s" % (len(configs), n, out))


if __name__ == "__main__":
    main()
