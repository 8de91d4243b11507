#!/usr/bin/env bash
# Where a catch-up's time goes (issue 12): the run-bench.sh catch-up workload (the seeds'
# orderSingleView, Olist-shaped data at PROF_SCALE, PROF_CHANGES mixed changes committed while weft
# is stopped), with the restarted weft under `perf record`. Prints the catch-up rate and the top of
# `perf report` (self time per symbol, and per shared object), and leaves perf.data in PROF_OUT.
#   tests/bench/profile-catchup.sh BUILD_DIR [sqlite|null]
# Environment: PROF_SCALE [1]  PROF_CHANGES [100000]  PROF_OUT [/tmp/weft-profile]  PROF_PERF [1]
#   PROF_PHASE [catchup] (snapshot: profile `weft run --oneshot` of the loaded data instead)
#   (PROF_PERF=0: no perf, just the rate)  PROF_LOG [""] (e.g. "debug": the group sizes, in catchup.err)  PROF_CALLGRAPH [""] (e.g. "dwarf": call graphs, heavier)
# Not a test; the figures are as noisy as the machine (the load average is printed).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath "${1:?build dir with weft and the bench tools}")
sink=${2:-sqlite}
scale=${PROF_SCALE:-1}
changes=${PROF_CHANGES:-100000}
out=${PROF_OUT:-/tmp/weft-profile}
weft=${PROF_WEFT:-$build/weft}
gen="$build/tests/bench/olist_gen" probe="$build/tests/bench/olist_probe"
mkdir -p "$out"
work=$(mktemp -d /tmp/weft-prof.XXXXXX)
cleanup() {
  [ -z "${wpid:-}" ] || kill -TERM "$wpid" 2>/dev/null || true
  wait 2>/dev/null || true
  "$root/tests/mariadb-throwaway.sh" stop "$work/mariadb" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
port=$("$root/tests/mariadb-throwaway.sh" start "$work/mariadb")
sql() { mariadb --protocol=TCP -h127.0.0.1 -P"$port" -uroot --local-infile=1 "$@"; }
sql -e "CREATE USER weft@'127.0.0.1' IDENTIFIED BY 'bench';
        GRANT SELECT, RELOAD, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO weft@'127.0.0.1';"
export WEFT_MYSQL_PASSWORD=bench
mkdir -p "$work/tsv" && "$gen" tsv --scale "$scale" --out "$work/tsv" >/dev/null
sql -e "CREATE DATABASE shop"
sql shop <"$root/tests/data/seeds/schema.sql"
for t in customers orders order_items order_payments products sellers; do
  sql shop -e "LOAD DATA LOCAL INFILE '$work/tsv/ecom_$t.tsv' INTO TABLE ecom_$t"
done
gtid_seq() { sql -N -e "SELECT @@gtid_binlog_pos" | tr ',' '\n' | sed -n 's/^0-[0-9]*-//p'; }

dir="$work/w"; mkdir -p "$dir"
"$root/tests/bench/order_view_config.sh" "$dir" "$port" "$sink"
[ -z "${PROF_LOG:-}" ] || printf '\n[log]\nlevel = "%s"\n' "$PROF_LOG" >>"$dir/weft.toml"

perf=()
if [ "${PROF_PERF:-1}" = 1 ]; then
  perf=(perf record -q -F 499 -o "$out/perf.data")
  [ -z "${PROF_CALLGRAPH:-}" ] || perf+=(--call-graph "$PROF_CALLGRAPH")
  perf+=(--)
else
  # No perf: CPU time and peak RSS of the profiled process, steadier than wall time on a busy machine.
  perf=(/usr/bin/time -o "$dir/time.txt" -f "%U %S %M" --)
fi
report() {  # $1: how many units of work, $2: their name
  if [ -f "$dir/time.txt" ]; then
    read -r user sys rss_kb <"$dir/time.txt"
    echo "  cpu ${user}s user + ${sys}s sys, $(/usr/bin/python3 -c "print(round($1/($user+$sys)))") $2 per cpu-second; peak RSS $((rss_kb / 1024)) MB"
  fi
  if [ "${PROF_PERF:-1}" = 1 ]; then
    perf report -i "$out/perf.data" --no-children --sort dso --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -12
    perf report -i "$out/perf.data" --no-children --sort sym --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -45
  fi
}
if [ "${PROF_PHASE:-catchup}" = snapshot ]; then
  load0=$(cut -d' ' -f1-3 /proc/loadavg)
  t0=$(date +%s.%N)
  (cd "$dir" && "${perf[@]}" "$weft" run -c weft.toml --oneshot 2>oneshot.err) || { tail -5 "$dir/oneshot.err" >&2; exit 1; }
  t1=$(date +%s.%N)
  cp "$dir/oneshot.err" "$out/oneshot.err"
  docs=$(sql -N shop -e "SELECT COUNT(*) FROM ecom_orders")
  /usr/bin/python3 -c "import sys; print(f'oneshot snapshot of {sys.argv[3]} orders: {float(sys.argv[2]) - float(sys.argv[1]):.2f} s (load at start {sys.argv[4]})')" "$t0" "$t1" "$docs" "$load0"
  report "$docs" documents
  exit 0
fi

seq=$(gtid_seq)
(cd "$dir" && exec "$weft" run -c weft.toml 2>snap.err) & wpid=$!
"$probe" wait-offset --state "$dir/state.db" --gtid-seq "$seq" --timeout 3600 >/dev/null || { tail -5 "$dir/snap.err" >&2; exit 1; }
kill -TERM "$wpid"; wait "$wpid" || true; wpid=""
summary=$("$gen" changes --scale "$scale" --count "$changes" --change-seed 1 --marker prof-marker --out "$work/changes.sql")
sql shop <"$work/changes.sql"
seq=$(gtid_seq)
order=$(/usr/bin/python3 -c "import json,sys; print(json.loads(sys.argv[1])['marker_order'])" "$summary")

load0=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(date +%s.%N)
(cd "$dir" && exec "${perf[@]}" "$weft" run -c weft.toml 2>catchup.err) & wpid=$!
if [ "$sink" = sqlite ]; then
  "$probe" wait-doc --sink "$dir/docs.db" --collection orderSingleView --id "$order" --field order_status \
    --value prof-marker --timeout 3600 >/dev/null
else
  "$probe" wait-offset --state "$dir/state.db" --gtid-seq "$seq" --timeout 3600 >/dev/null
fi
t1=$(date +%s.%N)
pkill -TERM -f "^$weft run -c weft.toml" || true
wait "$wpid" || true; wpid=""
/usr/bin/python3 - "$t0" "$t1" "$changes" "$load0" "$sink" <<'PY'
import sys
t0, t1, n = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
print(f"catch-up of {n} changes into {sys.argv[5]}: {t1 - t0:.2f} s, {n / (t1 - t0):.0f} changes/s (load at start {sys.argv[4]})")
PY
cp "$dir/catchup.err" "$out/catchup.err"
report "$changes" changes
