#!/usr/bin/env python3
"""Builds weft.1.gz from the hand-written roff template weft.1.in and the help texts of the weft
binary it is given, so the man page cannot drift from the code.

  gen_man.py --weft build/weft --template packaging/man/weft.1.in --version 0.1.0 --output weft.1.gz

`weft --help` gives NAME (its first line), the command list and the options every command takes;
`weft <command> --help` gives each command's section. A command whose --help fails (not built yet)
gets its one-line summary from `weft --help` and what it printed on stderr, and a warning here.

The help texts are plain text: a "Usage:" line, paragraphs of prose, and "Label:" lines followed by
an indented block. An indented block whose first line has a gap of two or more spaces is a
definition list ("  -c, --config FILE    the TOML config"; deeper-indented lines continue the
description) and becomes .TP entries; any other indented block is kept verbatim (.nf).
"""
import argparse
import gzip
import re
import subprocess
import sys

GAP = re.compile(r"\s{2,}")


def esc(text):
    """Escapes plain text for roff: backslashes, minus signs, non-ASCII characters."""
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\e")
        elif ch == "-":
            out.append("\\-")
        elif ord(ch) > 127:
            out.append("\\[u%04X]" % ord(ch))
        else:
            out.append(ch)
    return "".join(out)


def line(text):
    """One output line of text: a leading '.' or "'" would be read as a request."""
    return "\\&" + text if text[:1] in (".", "'") else text


def tag(text):
    """A definition list's term: options in bold, ALL-CAPS placeholders in italics."""
    def word(m):
        w = m.group(0)
        core = w.rstrip(",")
        rest = w[len(core):]
        if core.startswith("-"):
            return "\\fB" + esc(core) + "\\fR" + rest
        if re.fullmatch(r"[A-Z][A-Z_]*", core):
            return "\\fI" + esc(core) + "\\fR" + rest
        return esc(w)
    return line(re.sub(r"\S+", word, text))


def indent_of(s):
    return len(s) - len(s.lstrip(" "))


SUBITEM = re.compile(r"(\S+:)\s+(\S.*)")


def definition_list(block):
    """Indented lines with "term  description" and continuation lines -> .TP entries.

    A continuation line indented deeper than the description column continues its line. One that
    starts at the description column continues it too, unless it has the shape "word:  text" like
    the description's first line: then the description is a list of its own ("--from WHERE
    snapshot: ... / now: ... / OFFSET: ..."), rendered as a nested list."""
    out = []
    entries = []  # (term, description lines)
    desc_col = 0
    for raw in block:
        body = raw.strip()
        if entries and indent_of(raw) > indent_of(block[0]):
            lines = entries[-1][1]
            if (indent_of(raw) == desc_col and lines and SUBITEM.fullmatch(lines[0])
                    and SUBITEM.fullmatch(body)):
                lines.append(body)
            elif lines:
                lines[-1] += " " + body
            else:
                lines.append(body)
            continue
        parts = GAP.split(body, maxsplit=1)
        desc_col = raw.find(parts[1], indent_of(raw) + len(parts[0])) if len(parts) > 1 else 0
        entries.append((parts[0], parts[1:]))
    for term, desc in entries:
        out.append(".TP")
        out.append(tag(term))
        if len(desc) > 1:
            out.append(".RS 7")  # the body column of the .TP (its default indent)
            for item in desc:
                sub_tag, text = SUBITEM.fullmatch(item).groups()
                out += [".TP 10", "\\fI" + esc(sub_tag) + "\\fR", line(esc(text))]
            out.append(".RE")
        else:
            out.extend(line(esc(d)) for d in desc)
    return out


def verbatim(block):
    base = min(indent_of(s) for s in block)
    return [".RS 4", ".nf"] + [line(esc(s[base:])) for s in block] + [".fi", ".RE"]


def indented(block):
    if GAP.search(block[0].strip()):
        return [".RS 2"] + definition_list(block) + [".RE"]
    return verbatim(block)


def format_help(text, command_prefix):
    """A --help text as (its Usage line in roff or None, roff body lines). command_prefix
    ("weft run") is bolded in the Usage line."""
    lines = text.rstrip("\n").split("\n")
    out = []
    usage_roff = None
    i = 0
    in_paragraph = False
    while i < len(lines):
        s = lines[i]
        if not s.strip():
            in_paragraph = False
            i += 1
            continue
        if s.startswith(" "):
            block = []
            while i < len(lines) and (lines[i].startswith(" ") or not lines[i].strip()):
                if lines[i].strip():
                    block.append(lines[i])
                elif i + 1 < len(lines) and not lines[i + 1].startswith(" "):
                    break
                i += 1
            out.extend(indented(block))
            in_paragraph = False
            continue
        if s.startswith("Usage:"):
            usage = s[len("Usage:"):].strip()
            if usage.startswith(command_prefix):
                usage = "\\fB" + esc(command_prefix) + "\\fR" + esc(usage[len(command_prefix):])
            else:
                usage = esc(usage)
            usage_roff = line(usage)
            out += [".PP", usage_roff]
            in_paragraph = False
            i += 1
            continue
        if s.endswith(":") and len(s) < 40 and not in_paragraph:
            out += [".PP", "\\fB" + esc(s) + "\\fR"]
            in_paragraph = False
            i += 1
            continue
        if not in_paragraph:
            out.append(".PP")
            in_paragraph = True
        out.append(line(esc(s)))
        i += 1
    return usage_roff, out


def run(args):
    p = subprocess.run(args, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def split_top_help(text):
    """weft --help -> (tagline, usage line, [(command, args, summary)], the other sections' text)."""
    lines = text.rstrip("\n").split("\n")
    tagline = lines[0].split("\u2014", 1)[-1].strip()
    usage = ""
    commands = []
    rest = []
    i = 1
    while i < len(lines):
        s = lines[i]
        if s.startswith("Usage:"):
            usage = s[len("Usage:"):].strip()
        elif s == "Commands:":
            i += 1
            while i < len(lines) and lines[i].startswith(" "):
                entry = lines[i]
                if indent_of(entry) > 2 and commands:  # a continuation of the summary
                    name, cmd_args, summary = commands[-1]
                    commands[-1] = (name, cmd_args, (summary + " " + entry.strip()).strip())
                else:
                    name, _, tail = entry.strip().partition(" ")
                    parts = GAP.split(tail.strip())
                    cmd_args = parts[0]
                    summary = parts[-1] if len(parts) > 1 else ""
                    commands.append((name, cmd_args, summary))
                i += 1
            continue
        else:
            rest.append(s)
        i += 1
    return tagline, usage, commands, "\n".join(rest).strip("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weft", required=True)
    ap.add_argument("--template", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--output", required=True)
    a = ap.parse_args()

    rc, top, err = run([a.weft, "--help"])
    if rc != 0 or not top.strip():
        sys.exit("gen_man: '%s --help' failed (exit %d): %s" % (a.weft, rc, err.strip()))
    tagline, usage, commands, rest = split_top_help(top)
    if not commands:
        sys.exit("gen_man: found no 'Commands:' list in '%s --help'" % a.weft)

    synopsis = [".PP", "\\fBweft\\fR " + esc(usage[len("weft"):].strip())]
    sections = []
    for name, cmd_args, summary in commands:
        prefix = "weft " + name
        sections += [".SS " + prefix, line(esc(summary[:1].upper() + summary[1:] + "."))]
        rc, out, err = run([a.weft, name, "--help"])
        if rc == 0 and out.strip():
            usage_roff, body = format_help(out, prefix)
            synopsis += [".br", usage_roff or "\\fB" + esc(prefix) + "\\fR " + esc(cmd_args)]
            sections += body
        else:
            print("gen_man: warning: '%s %s --help' failed (exit %d): the man page shows only its "
                  "summary" % (a.weft, name, rc), file=sys.stderr)
            synopsis += [".br", "\\fB" + esc(prefix) + "\\fR " + esc(cmd_args)]
            sections += [".PP", "\\fB" + esc(prefix) + "\\fR " + esc(cmd_args)]
            if err.strip():
                sections += [".PP", "In this build, \\fB" + esc(prefix) + " \\-\\-help\\fR says: "
                             + esc(" ".join(err.split()))]

    template = open(a.template, encoding="utf-8").read()
    fields = {
        "@VERSION@": a.version,
        "@TAGLINE@": esc(tagline),
        "@SYNOPSIS@": "\n".join(synopsis),
        "@COMMANDS@": "\n".join(sections),
        "@COMMON@": "\n".join(format_help(rest, "weft")[1]),
    }
    for key, value in fields.items():
        if key not in template:
            sys.exit("gen_man: %s is missing from %s" % (key, a.template))
        template = template.replace(key, value)
    with open(a.output, "wb") as f:
        # mtime=0 and no file name: the same inputs give the same bytes (reproducible packages).
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as gz:
            gz.write(template.encode("utf-8"))


if __name__ == "__main__":
    main()
