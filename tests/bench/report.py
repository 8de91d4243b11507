#!/usr/bin/python3
"""Turns run-bench.sh's measurements (one JSON object a line) into report.md and PNG charts (gnuplot).

usage: report.py --results results.jsonl --meta meta.json [--latencies FILE] --out DIR
Medians are reported with the spread (min-max) of the repeats; every goal of issue 6 is set next to
the figure measured for it. Copies results.jsonl (a few KB) next to the report as the raw numbers.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile

GOALS = {
    "snapshot_s": 5.0,         # scale-1 snapshot, and faster than MariaDB's full-refresh query
    "catchup_null": 100000.0,  # changes/s
    "catchup_sqlite": 50000.0,
    "p99_ms": 50.0,            # at 1,000 changes/s
    "rss_mb": 64.0,            # and flat from scale 0.25 to 4
    "decode_ratio": 0.70,      # decoding at 70% or more of the fetch-only rate
}


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def spread(values, fmt="{:.2f}"):
    values = [v for v in values if v is not None]
    if not values:
        return "n/a"
    m = fmt.format(statistics.median(values))
    if len(values) == 1:
        return m + " (1 run)"
    return f"{m} ({fmt.format(min(values))}-{fmt.format(max(values))}, {len(values)} runs)"


def num(v, fmt="{:,.0f}"):
    return "n/a" if v is None else fmt.format(v)


def verdict(ok):
    return "n/a" if ok is None else ("met" if ok else "**missed**")


def gnuplot(script, workdir):
    path = os.path.join(workdir, "chart.gp")
    with open(path, "w") as f:
        f.write(script)
    subprocess.run(["gnuplot", path], check=True, cwd=workdir)


def write_dat(workdir, name, rows):
    with open(os.path.join(workdir, name), "w") as f:
        for row in rows:
            f.write("\t".join(str(x) for x in row) + "\n")


HEAD = 'set terminal pngcairo noenhanced size 760,420 font "DejaVu Sans,10"\nset grid ytics\nset key top left\n'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--meta", required=True)
    ap.add_argument("--latencies")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rows = [json.loads(line) for line in open(args.results) if line.strip()]
    meta = json.load(open(args.meta))
    os.makedirs(args.out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="weft-report.")
    out = os.path.abspath(args.out)
    failures = [r for r in rows
                if r.get("rc", 0) != 0 or (isinstance(r.get("result"), dict) and "error" in r["result"])]

    # --- snapshot -------------------------------------------------------------------------------
    snap = [r for r in rows if r["bench"] == "snapshot" and r.get("rc", 0) == 0]
    # weft's own log splits a --oneshot run: "snapshot done: N rows in X s" (read + state + build)
    # and "oneshot done in Y s" (the rest is writing the sink and reconciling).
    phases = {}
    workdir = os.path.dirname(os.path.abspath(args.results))
    for r in snap:
        path = os.path.join(workdir, f"weft-oneshot-{r['scale']}-{r['rep']}.log")
        if r["engine"] != "weft" or not os.path.exists(path):
            continue
        text = open(path, errors="replace").read()
        m1 = re.search(r"snapshot done: \d+ rows in ([0-9.]+) s", text)
        m2 = re.search(r"oneshot done in ([0-9.]+) s", text)
        if m1 and m2:
            phases.setdefault(r["scale"], []).append((float(m1.group(1)), float(m2.group(1))))
    scales = sorted({r["scale"] for r in snap})
    snap_lines, snap_dat, foot_dat = [], [], []
    for s in scales:
        w = [r for r in snap if r["scale"] == s and r["engine"] == "weft"]
        m = [r for r in snap if r["scale"] == s and r["engine"] == "mariadb"]
        ws, ms = [r["seconds"] for r in w], [r["seconds"] for r in m]
        rows_n = w[0]["rows"] if w else None
        docs_n = w[0]["docs"] if w else (m[0]["docs"] if m else None)
        wm, mm = med(ws), med(ms)
        snap_lines.append(
            f"| {s:g} | {num(docs_n)} | {spread(ws)} | {num(rows_n / wm if wm and rows_n else None)} | "
            f"{num(docs_n / wm if wm and docs_n else None)} | {spread(ms)} | "
            f"{num(mm / wm if wm and mm else None, '{:.2f}x')} | "
            f"{num(med([a for a, b in phases.get(s, [])]), '{:.1f}')} + {num(med([b - a for a, b in phases.get(s, [])]), '{:.1f}')} |")
        snap_dat.append((s, wm or "NaN", min(ws, default="NaN"), max(ws, default="NaN"),
                         mm or "NaN", min(ms, default="NaN"), max(ms, default="NaN")))
        foot_dat.append((s, (med([r["rss_kb"] for r in w]) or 0) / 1024,
                         (med([r["state_bytes"] for r in w]) or 0) / 1e6, (med([r["sink_bytes"] for r in w]) or 0) / 1e6))
    if snap_dat:
        write_dat(tmp, "snap.dat", snap_dat)
        gnuplot(HEAD + f'set output "{out}/snapshot.png"\nset title "Snapshot: weft run --oneshot (SQLite) vs MariaDB JSON_ARRAYAGG full refresh"\n'
                'set logscale xy\nset xlabel "scale (1 = Olist: 99,441 orders)"\nset ylabel "seconds (median, min-max)"\n'
                'set xtics (0.25,0.5,1,2,4)\nset xrange [0.2:5]\n'
                'plot "snap.dat" u 1:2:3:4 w yerrorlines lw 2 t "weft --oneshot", '
                '"snap.dat" u 1:5:6:7 w yerrorlines lw 2 t "MariaDB one query", '
                f'{GOALS["snapshot_s"]}*x w l dt 2 t "goal: 5 s per scale unit"\n', tmp)
        write_dat(tmp, "foot.dat", foot_dat)
        gnuplot(HEAD + f'set output "{out}/footprint.png"\nset title "Footprint of weft run --oneshot by scale"\n'
                'set logscale x\nset xtics (0.25,0.5,1,2,4)\nset xlabel "scale"\nset ylabel "MB"\n'
                'plot "foot.dat" u 1:2 w lp lw 2 t "peak RSS", "foot.dat" u 1:3 w lp lw 2 t "state file (db+wal)", '
                '"foot.dat" u 1:4 w lp lw 2 t "SQLite sink file", 64 w l dt 2 t "RSS goal 64 MB"\n', tmp)

    # --- catch-up -------------------------------------------------------------------------------
    cu = [r for r in rows if r["bench"] == "catchup" and r.get("rc", 0) == 0]
    cu_lines, cu_dat, cu_rate = [], [], {}
    for i, sink in enumerate(["sqlite", "null"]):
        rs = [r for r in cu if r["sink"] == sink]
        rates = [r["changes"] / r["seconds"] for r in rs]
        cu_rate[sink] = med(rates)
        if rs:
            cu_lines.append(f"| {sink} | {num(rs[0]['changes'])} | {spread([r['seconds'] for r in rs])} | "
                            f"{spread(rates, '{:,.0f}')} | {num(med([r['rss_kb'] for r in rs]) / 1024, '{:.1f}')} MB | "
                            f"{spread([r['apply_seconds'] for r in rs])} |")
            cu_dat.append((i, f'"{sink}"', med(rates), min(rates), max(rates)))
    if cu_dat:
        write_dat(tmp, "cu.dat", cu_dat)
        gnuplot(HEAD + f'set output "{out}/catchup.png"\nset title "Catch-up after a restart: changes/s until the last change is visible"\n'
                'set style fill solid 0.6\nset boxwidth 0.5\nset xrange [-0.6:1.6]\n'
                f'set yrange [0:{1.15 * max([GOALS["catchup_null"]] + [d[4] for d in cu_dat]):.0f}]\n'
                'set ylabel "changes/s (median, min-max)"\n'
                'plot "cu.dat" u 1:3:xtic(2) w boxes t "weft", "" u 1:3:4:5 w yerrorbars lc black t "", '
                f'{GOALS["catchup_sqlite"]} w l dt 2 t "goal SQLite 50,000/s", {GOALS["catchup_null"]} w l dt 3 t "goal null 100,000/s"\n', tmp)

    # --- latency --------------------------------------------------------------------------------
    lat = [r for r in rows if r["bench"] == "latency"]
    lat_res = lat[0]["result"] if lat and isinstance(lat[0].get("result"), dict) else None
    if args.latencies and os.path.exists(args.latencies) and os.path.getsize(args.latencies) > 0:
        values = sorted(float(x) for x in open(args.latencies) if x.strip())
        step = max(1, len(values) // 2000)
        write_dat(tmp, "lat.dat", [(v, (i + 1) / len(values)) for i, v in enumerate(values) if i % step == 0 or i == len(values) - 1])
        gnuplot(HEAD + f'set output "{out}/latency.png"\nset title "Commit (NOW(6)) to visible in the SQLite sink at {meta["lat_rate"]} changes/s"\n'
                'set logscale x\nset xlabel "latency, ms"\nset ylabel "fraction of changes"\nset key bottom right\nset yrange [0:1]\n'
                f'plot "lat.dat" u 1:2 w l lw 2 t "weft", "+" u ({GOALS["p99_ms"]}):(0.99) w p pt 7 ps 1.5 t "goal: p99 <= 50 ms"\n', tmp)

    # --- reading --------------------------------------------------------------------------------
    rd = [r for r in rows if r["bench"] == "reading"]
    fetch = [r["result"] for r in rd if r["reader"] == "fetch" and "seconds" in r.get("result", {})]
    tail = [r for r in rd if r["reader"] == "weft tail" and r.get("records", 0) > 0]
    zj = [r["result"] for r in rd if r["reader"] == "zongji" and "seconds" in r.get("result", {})]
    wf = [r["result"] for r in rd if r["reader"] == "weft fetch" and "seconds" in r.get("result", {})]
    wd = [r["result"] for r in rd if r["reader"] == "weft decode" and "seconds" in r.get("result", {})]
    wf_rate = med([f["events_per_s"] for f in wf]) if wf else None
    wd_rate = med([d["events_per_s"] for d in wd]) if wd else None
    changes = meta.get("changes")
    fetch_rate = med([changes / f["seconds"] for f in fetch]) if fetch else None
    tail_rate = med([r["changes"] / r["seconds"] for r in tail]) if tail else None
    zj_rate = med([changes / z["seconds"] for z in zj]) if zj else None
    rd_lines = []
    if fetch:
        rd_lines.append(f"| fetch only (libmariadb replication API, no row decoding) | {spread([f['seconds'] for f in fetch], '{:.3f}')} | "
                        f"{num(fetch_rate)} | {num(med([f['events_per_s'] for f in fetch]))} events/s, {num(med([f['mb_per_s'] for f in fetch]), '{:.0f}')} MB/s |")
    if wf:
        rd_lines.append(f"| weft fetch (weft's BinlogStream: CRC32 checked, events split; tests/bench/olist_read) | "
                        f"{spread([f['seconds'] for f in wf], '{:.3f}')} | {num(changes / med([f['seconds'] for f in wf]))} | "
                        f"{num(wf_rate)} events/s |")
    if wd:
        rd_lines.append(f"| weft fetch + decode (every TABLE_MAP and rows event into row images) | "
                        f"{spread([d['seconds'] for d in wd], '{:.3f}')} | {num(changes / med([d['seconds'] for d in wd]))} | "
                        f"{num(wd_rate)} events/s, {num(med([d['rows_per_s'] for d in wd]))} rows/s; "
                        f"{num(wd_rate / wf_rate * 100 if wd_rate and wf_rate else None, '{:.0f}')}% of weft fetch |")
    if tail:
        rd_lines.append(f"| weft tail (fetch + decode + change records as JSON lines, through a pipe) | {spread([r['seconds'] for r in tail], '{:.3f}')} | "
                        f"{num(tail_rate)} | {num(tail_rate / fetch_rate * 100 if tail_rate and fetch_rate else None, '{:.0f}')}% of fetch |")
    if zj:
        rd_lines.append(f"| @vlasky/zongji {zj[0].get('version', '?')} (Node {meta.get('node', '?')}; decodes rows into JS values) | "
                        f"{spread([z['seconds'] for z in zj], '{:.3f}')} | {num(zj_rate)} | {num(med([z['events_per_s'] for z in zj]))} events/s |")
    if rd_lines:
        bars = [("libmariadb fetch", fetch_rate),
                ("weft fetch", changes / med([f["seconds"] for f in wf]) if wf else None),
                ("weft fetch+decode", changes / med([d["seconds"] for d in wd]) if wd else None),
                ("weft tail (JSON)", tail_rate), ("zongji", zj_rate)]
        rd_dat = [(i, f'"{n}"', v) for i, (n, v) in enumerate((n, v) for n, v in bars if v)]
        write_dat(tmp, "rd.dat", rd_dat)
        gnuplot(HEAD + f'set output "{out}/reading.png"\nset title "Reading the catch-up binlog range ({changes:,} row changes)"\n'
                'set style fill solid 0.6\nset boxwidth 0.5\nset logscale y\nset yrange [1000:*]\nset ylabel "row changes/s (median, log scale)"\n'
                'plot "rd.dat" u 1:3:xtic(2) w boxes t ""\n', tmp)

    # --- goals ----------------------------------------------------------------------------------
    w1 = med([r["seconds"] for r in snap if r["engine"] == "weft" and r["scale"] == 1])
    m1 = med([r["seconds"] for r in snap if r["engine"] == "mariadb" and r["scale"] == 1])
    rss = {s: med([r["rss_kb"] for r in snap if r["engine"] == "weft" and r["scale"] == s]) for s in scales}
    rss_all = [v for v in rss.values() if v]
    max_rss = max(rss_all) / 1024 if rss_all else None
    growth = (rss[max(scales)] / rss[min(scales)]) if len(rss_all) >= 2 and rss[min(scales)] else None
    p99 = lat_res.get("p99_ms") if lat_res else None
    # The goal's ratio: weft's decoding against weft's own fetch of the same events; without
    # olist_read figures, weft tail (which also renders JSON) against libmariadb's fetch.
    decode_ratio = wd_rate / wf_rate if wd_rate and wf_rate else (tail_rate / fetch_rate if tail_rate and fetch_rate else None)
    decode_how = "weft fetch + decode vs weft fetch, events/s" if wd_rate and wf_rate else "weft tail, which also renders JSON, vs libmariadb fetch"
    goal_lines = [
        f"| scale-1 snapshot | <= 5 s and faster than MariaDB's query | {num(w1, '{:.2f} s')} vs MariaDB {num(m1, '{:.2f} s')} | "
        f"{verdict(None if w1 is None or m1 is None else (w1 <= GOALS['snapshot_s'] and w1 < m1))} |",
        f"| catch-up into the null sink | >= 100,000 changes/s | {num(cu_rate.get('null'))} changes/s | "
        f"{verdict(None if cu_rate.get('null') is None else cu_rate['null'] >= GOALS['catchup_null'])} |",
        f"| catch-up into SQLite | >= 50,000 changes/s | {num(cu_rate.get('sqlite'))} changes/s | "
        f"{verdict(None if cu_rate.get('sqlite') is None else cu_rate['sqlite'] >= GOALS['catchup_sqlite'])} |",
        f"| latency at {meta['lat_rate']:,} changes/s | p99 <= 50 ms | " + (
            f"p50 {lat_res['p50_ms']:.1f} / p95 {lat_res['p95_ms']:.1f} / p99 {lat_res['p99_ms']:.1f} ms "
            f"({lat_res['achieved_rate']:.0f}/s achieved, {lat_res['lost']} lost)" if lat_res else "n/a") +
        f" | {verdict(None if p99 is None else p99 <= GOALS['p99_ms'] and lat_res.get('lost', 1) == 0)} |",
        f"| peak RSS | <= 64 MB, flat from 0.25 to 4 | {num(max_rss, '{:.1f} MB')} max; x{num(growth, '{:.2f}')} from scale {min(scales) if scales else '?'} to {max(scales) if scales else '?'} | "
        f"{verdict(None if max_rss is None else max_rss <= GOALS['rss_mb'] and (growth or 9) < 1.25)} |",
        f"| decoding vs fetch-only | >= 70% | {num(decode_ratio * 100 if decode_ratio else None, '{:.0f}%')} ({decode_how}) | "
        f"{verdict(None if decode_ratio is None else decode_ratio >= GOALS['decode_ratio'])} |",
    ]

    loads = [r.get("load1") for r in rows if r.get("load1") is not None]
    wl = next((r["workload"] for r in cu if "workload" in r), None)
    md = [f"# weft benchmarks, {meta['date'][:10]}", "",
          f"Machine: {meta['cpu']}, {meta['host_cpus']} CPUs, {meta['mem_mb']:,} MB RAM; MariaDB {meta['mariadb']} "
          f"(throwaway, innodb_buffer_pool_size {meta['innodb_pool']}); weft: {meta['weft_commit']} "
          f"(RelWithDebInfo); Node {meta.get('node', '?')}.",
          f"Load average (1 min) when each measurement started: median {num(med(loads), '{:.2f}')}, "
          f"range {num(min(loads, default=None), '{:.2f}')}-{num(max(loads, default=None), '{:.2f}')} "
          f"(at start: {meta['load_at_start']}). On a 2-CPU machine a load above 2 means other work (here: other "
          "engineers compiling in parallel) competed for the CPUs, so the figures are noisy; the spreads below show how noisy.",
          *([f"This report merges two invocations on the same machine with the same weft binary: the measurements "
             f"of an earlier run ({meta['merged']}) and of this one (phases: {meta.get('phases')}); the load "
             "figures above cover both.", ""] if meta.get("merged") else []),
          "", "## Goals (issue 6)", "", "| figure | goal | measured | |", "|---|---|---|---|", *goal_lines, ""]
    if snap_lines:
        md += ["## Snapshot", "",
               "`weft run --oneshot` into the SQLite sink (state and sink files fresh each run), next to MariaDB building "
               "the same documents with one JSON_OBJECT/JSON_ARRAYAGG query (tests/bench/order_docs.sql, "
               "`SUM(LENGTH(doc))` so the server builds every document) in the same run. Seconds are medians "
               "(min-max); the largest scale runs once.", "",
               "| scale | documents | weft s | source rows/s | documents/s | MariaDB query s | MariaDB / weft | weft phases s |",
               "|---|---|---|---|---|---|---|---|", *snap_lines, "",
               "weft phases (from its log, medians): snapshot read + state + document build, then + sink writes "
               "and reconciliation until exit.", "",
               *[f"- Same documents (tests/bench/compare_docs.py, scale {e['scale']:g}): {e['summary']}" +
                 ("" if e["rc"] == 0 else " **(they differ: the comparison is not like with like)**") + "."
                 for e in rows if e["bench"] == "equivalence"], "", "![snapshot](snapshot.png)", ""]
    if cu_lines:
        md += ["## Streaming catch-up", "",
               f"weft snapshots with `weft run`, is stopped (SIGTERM), {num(changes)} mixed row changes are committed "
               "(tests/bench/olist_gen changes), weft is restarted: seconds from the restart until the last change "
               "(a marker order_status) is visible in the SQLite sink, or, for the null sink (JSONL to /dev/null), "
               "until weft's committed offset covers it and its outbox is empty.", "",
               "| sink | changes | seconds | changes/s | peak RSS | MariaDB client applying them, s |",
               "|---|---|---|---|---|---|", *cu_lines, ""]
        if wl:
            md += [f"Workload ({wl['transactions']:,} transactions of 1-19 rows; the changes touch "
                   f"{wl['touched_documents']:,} order documents before coalescing): " +
                   ", ".join(f"{k} {v:,}" for k, v in sorted(wl["by_kind"].items())) + ".", ""]
        md += ["![catch-up](catchup.png)", ""]
    if lat:
        md += ["## Latency", "",
               f"A driver updates `bench_ts = NOW(6)` (a DATETIME(6) column added for this run) on distinct orders at "
               f"{meta['lat_rate']:,}/s for {meta['lat_seconds']} s, one autocommit transaction each; a watcher polls the "
               "SQLite sink and records the time each new value became visible minus bench_ts.", ""]
        md += ([f"p50 {lat_res['p50_ms']:.1f} ms, p95 {lat_res['p95_ms']:.1f} ms, p99 {lat_res['p99_ms']:.1f} ms, max "
                f"{lat_res['max_ms']:.1f} ms over {lat_res['seen']:,} changes ({lat_res['achieved_rate']:.0f}/s achieved; "
                f"{lat_res['lost']} never seen within 30 s).", "", "![latency](latency.png)", ""]
               if lat_res else ["The latency run failed; see the failures below.", ""])
    if rd_lines:
        md += ["## Reading", "", f"The binlog range of one catch-up workload ({num(changes)} row changes) read by each reader in turn; "
               "fetch and zongji timed from connect to the last change, weft tail from its process start (config, "
               "connect) to the last change's JSON line.", "",
               "| reader | seconds | row changes/s | |", "|---|---|---|---|", *rd_lines, "",
               "Row changes/s divides the workload's row changes by each reader's seconds over the same range. "
               "`weft tail` adds building change records, rendering each as JSON and writing it to a pipe; "
               "`olist_read` is weft's reading path alone (no pipeline, no state).", "", "![reading](reading.png)", ""]
    if foot_dat:
        md += ["## Footprint", "", "| scale | weft peak RSS | state file | SQLite sink file |", "|---|---|---|---|"]
        md += [f"| {s:g} | {r:.1f} MB | {st:.1f} MB | {sk:.1f} MB |" for s, r, st, sk in foot_dat]
        md += ["", "![footprint](footprint.png)", ""]
    if failures:
        md += ["## Failures", ""]
        md += [f"- {json.dumps(r)}" for r in failures]
        md += [""]
    md += ["Raw measurements: [results.jsonl](results.jsonl). Reproduce with `tests/bench/run-bench.sh`."]
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    shutil.copy(args.results, os.path.join(out, "results.jsonl"))
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
