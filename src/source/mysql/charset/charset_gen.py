#!/usr/bin/env python3
"""Generates charset_sbcs.cpp and charset_mbcs_tables.cpp from a live MariaDB 10.11 (dev time only).

  python3 src/source/mysql/charset/charset_gen.py HOST PORT   (root, no password; e.g. tests/mariadb-throwaway.sh)

What the server answers is the truth weft must reproduce: for every input it asks
  SELECT HEX(CONVERT(CAST(UNHEX('<bytes>') AS CHAR CHARACTER SET <cs>) USING utf8mb4))
- single-byte character sets: all 256 bytes -> charset_sbcs.cpp holds the code point of each byte
  (an unmapped byte becomes '?', U+003F, as the server prints it);
- multi-byte sets: every 2-byte input 80xx..FFxx, and 8Fxxxx for ujis/eucjpms. weft builds these
  tables at run time from glibc iconv (the base named in charset_mbcs.cpp) over the well-formed
  sequences; charset_mbcs_tables.cpp holds, as runs, where the server differs from that base.
The script then decodes every dumped input with the same algorithm as charset_mbcs.cpp and stops
if a single result differs from the server's.
"""
import ctypes, ctypes.util, os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
SINGLE = ('armscii8 ascii cp1250 cp1251 cp1256 cp1257 cp850 cp852 cp866 dec8 geostd8 greek hebrew hp8 '
          'keybcs2 koi8r koi8u latin1 latin2 latin5 latin7 macce macroman swe7 tis620').split()


def rng(*pairs):
    return {x for a, b in pairs for x in range(a, b + 1)}


# Same lead/trail ranges and iconv bases as charset_mbcs.cpp.
MULTI = {
    'big5': dict(iconv='BIG5', lead=rng((0xA1, 0xF9)), trail=rng((0x40, 0x7E), (0xA1, 0xFE))),
    'cp932': dict(iconv='CP932', lead=rng((0x81, 0x9F), (0xE0, 0xFC)), trail=rng((0x40, 0x7E), (0x80, 0xFC)), kana=True),
    'eucjpms': dict(iconv='EUC-JP-MS', lead=rng((0xA1, 0xFE)), trail=rng((0xA1, 0xFE)), euc3=True),
    'euckr': dict(iconv='CP949', lead=rng((0x81, 0xFE)), trail=rng((0x41, 0x5A), (0x61, 0x7A), (0x81, 0xFE))),
    'gb2312': dict(iconv='EUC-CN', lead=rng((0xA1, 0xF7)), trail=rng((0xA1, 0xFE))),
    'gbk': dict(iconv='GBK', lead=rng((0x81, 0xFE)), trail=rng((0x40, 0x7E), (0x80, 0xFE))),
    'sjis': dict(iconv='SHIFT_JIS', lead=rng((0x81, 0x9F), (0xE0, 0xFC)), trail=rng((0x40, 0x7E), (0x80, 0xFC)), kana=True),
    'ujis': dict(iconv='EUC-JP', lead=rng((0xA1, 0xFE)), trail=rng((0xA1, 0xFE)), euc3=True, pua=True),
}

libc = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)
libc.iconv_open.restype = ctypes.c_void_p
libc.iconv_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
libc.iconv.argtypes = [ctypes.c_void_p] + [ctypes.c_void_p] * 4
libc.iconv.restype = ctypes.c_size_t


def iconv_one(cd, bs):
    """The single code point iconv makes of `bs`, or 0 (as charset_mbcs.cpp's IconvOne)."""
    libc.iconv(cd, None, None, None, None)
    inb = ctypes.create_string_buffer(bs, len(bs))
    inp, inl = ctypes.c_char_p(ctypes.addressof(inb)), ctypes.c_size_t(len(bs))
    outb = ctypes.create_string_buffer(16)
    outp, outl = ctypes.c_char_p(ctypes.addressof(outb)), ctypes.c_size_t(16)
    r = libc.iconv(cd, ctypes.byref(inp), ctypes.byref(inl), ctypes.byref(outp), ctypes.byref(outl))
    if r == ctypes.c_size_t(-1).value or inl.value != 0 or outl.value != 12:
        return 0
    return int.from_bytes(outb.raw[:4], 'little')


def query(host, port, sql):
    out = subprocess.run(['mariadb', '-h', host, '-P', str(port), '-uroot', '-N', '-B', '-D', 'mysql', '-e', sql],
                         check=True, capture_output=True, text=True).stdout
    return {bytes.fromhex(k): bytes.fromhex(v).decode('utf-8') for k, v in (l.split('\t') for l in out.splitlines())}


def convert_sql(cs, width, first, last):
    hexed = f"LPAD(HEX(seq),{width},'0')"
    return (f"SELECT {hexed}, HEX(CONVERT(CAST(UNHEX({hexed}) AS CHAR CHARACTER SET {cs}) USING utf8mb4)) "
            f"FROM seq_{first}_to_{last}")


def wf2(c, b, t):
    if c.get('euc3') and b == 0x8E:
        return 0xA1 <= t <= 0xDF
    return b in c['lead'] and t in c['trail']


def decode(c, bs, m2, m3):
    out, i, n = [], 0, len(bs)
    while i < n:
        b = bs[i]
        if b < 0x80:
            out.append(b); i += 1; continue
        if c.get('kana') and 0xA1 <= b <= 0xDF:
            out.append(0xFEC0 + b); i += 1; continue
        if c.get('euc3') and b == 0x8F:
            if i + 3 > n:
                out.append(0x3F); i += 1; continue
            x, y = bs[i + 1], bs[i + 2]
            cp = m3.get((x, y), 0)
            out.append(cp or 0x3F)
            i += 3 if cp or (0xA1 <= x <= 0xFE and 0xA1 <= y <= 0xFE) else 1
            continue
        if i + 2 > n:
            out.append(0x3F); i += 1; continue
        t = bs[i + 1]
        cp = m2.get((b, t), 0)
        out.append(cp or 0x3F)
        i += 2 if cp or wf2(c, b, t) else 1
    return ''.join(map(chr, out))


def runs(overrides):
    out = []
    for code, cp in sorted(overrides.items()):
        if out:
            first, count, c0 = out[-1]
            if code == first + count and ((c0 == 0 and cp == 0) or (c0 and cp == c0 + count)):
                out[-1][1] += 1
                continue
        out.append([code, 1, cp])
    return out


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    lines = ['// GENERATED by charset_gen.py from MariaDB 10.11: do not edit. For every byte b of each',
             "// single-byte character set, the code point of SELECT CONVERT(CAST(UNHEX('b') AS CHAR",
             "// CHARACTER SET cs) USING utf8mb4). 0x00-0x7F are ASCII in all of them except swe7 (its own",
             "// table below); an unmapped byte is 0x003F, the '?' the server prints for it.",
             '#include "source/mysql/charset/charset_tables.h"', '', 'namespace weft::source::mysql {', '',
             'const SingleByteTable kSingleByteTables[] = {']
    swe7_low = None
    for cs in SINGLE:
        got = query(host, port, convert_sql(cs, 2, 0, 255))
        cps = [ord(got[bytes([b])]) for b in range(256)]
        low = [(b, cp) for b, cp in enumerate(cps[:128]) if cp != b]
        if cs == 'swe7':
            swe7_low = low
        elif low:
            sys.exit(f'{cs}: 0x00-0x7F is not ASCII: {low}')
        lines.append(f'    {{"{cs}", {{')
        for row in range(0, 128, 16):
            lines.append('        ' + ' '.join(f'0x{cp:04X},' for cp in cps[128 + row:128 + row + 16]))
        lines.append('    }},')
    lines += ['};', f'const size_t kSingleByteTableCount = {len(SINGLE)};', '',
              '// swe7 is 7-bit Swedish: these ASCII positions hold letters (0x7F is unmapped).',
              'const uint16_t kSwe7Low[][2] = {']
    lines += ['    ' + ' '.join(f'{{0x{b:02X}, 0x{cp:04X}}},' for b, cp in swe7_low)]
    lines += ['};', f'const size_t kSwe7LowCount = {len(swe7_low)};', '', '}  // namespace weft::source::mysql', '']
    open(os.path.join(HERE, 'charset_sbcs.cpp'), 'w').write('\n'.join(lines))

    out = ['// GENERATED by charset_gen.py from MariaDB 10.11: do not edit. Where the server\'s conversion of',
           '// a well-formed multi-byte character differs from the glibc iconv base charset_mbcs.cpp builds its',
           '// tables from: runs of {first code, count, first code point}; code point 0 = the server has no',
           "// mapping (prints '?'). Codes are lead << 8 | trail (for 0x8F-led 3-byte ones: byte 2 << 8 | byte 3).",
           '#include "source/mysql/charset/charset_tables.h"', '', 'namespace weft::source::mysql {', '']
    entries = []
    for cs, c in MULTI.items():
        cd = libc.iconv_open(b'UTF-32LE', c['iconv'].encode())
        m2 = {(b, t): iconv_one(cd, bytes([b, t])) for b in range(0x80, 0x100) for t in range(256) if wf2(c, b, t)}
        m3 = {}
        if c.get('euc3'):
            m3 = {(x, y): iconv_one(cd, bytes([0x8F, x, y])) for x in range(0xA1, 0xFF) for y in range(0xA1, 0xFF)}
        if c.get('pua'):  # ujis user-defined rows, computed in charset_mbcs.cpp
            for b in range(0xF5, 0xFF):
                for t in range(0xA1, 0xFF):
                    m2[(b, t)] = 0xE000 + (b - 0xF5) * 94 + (t - 0xA1)
                    m3[(b, t)] = 0xE3AC + (b - 0xF5) * 94 + (t - 0xA1)
        dumps = [query(host, port, convert_sql(cs, 2, 0, 255)), query(host, port, convert_sql(cs, 4, 0x8000, 0xFFFF))]
        if c.get('euc3'):
            dumps.append(query(host, port, convert_sql(cs, 6, 0x8F0000, 0x8FFFFF)))
        ov2, ov3 = {}, {}
        for (b, t), cp in m2.items():
            v = dumps[1][bytes([b, t])]
            want = ord(v) if len(v) == 1 and v != '?' else 0
            if want != cp:
                ov2[(b << 8) | t] = m2[(b, t)] = want
        for (x, y), cp in m3.items():
            v = dumps[2][bytes([0x8F, x, y])]
            want = ord(v) if len(v) == 1 and v != '?' else 0
            if want != cp:
                ov3[(x << 8) | y] = m3[(x, y)] = want
        bad = [(k.hex(), v, decode(c, k, m2, m3)) for d in dumps for k, v in d.items() if decode(c, k, m2, m3) != v]
        if bad:
            sys.exit(f'{cs}: {len(bad)} inputs decode differently from the server, e.g. {bad[:5]}')
        refs = []
        for suffix, ov in (('2', ov2), ('3', ov3)):
            r = runs(ov)
            if not r:
                refs.append('nullptr, 0')
                continue
            name = f'k{cs.capitalize()}Runs{suffix}'
            out.append(f'const CodeRun {name}[] = {{')
            for i in range(0, len(r), 4):
                out.append('    ' + ' '.join(f'{{0x{a:04X}, {n}, 0x{cp:04X}}},' for a, n, cp in r[i:i + 4]))
            out.append('};')
            refs.append(f'{name}, {len(r)}')
        entries.append(f'    {{"{cs}", {refs[0]}, {refs[1]}}},')
        print(f'{cs}: {sum(len(d) for d in dumps)} inputs checked, {len(ov2)}+{len(ov3)} overrides')
    out += ['', 'const MultiByteOverrides kMultiByteOverrides[] = {'] + entries + [
        '};', f'const size_t kMultiByteOverridesCount = {len(entries)};', '', '}  // namespace weft::source::mysql', '']
    open(os.path.join(HERE, 'charset_mbcs_tables.cpp'), 'w').write('\n'.join(out))


if __name__ == '__main__':
    main()
