#!/usr/bin/env bash
# Issue 12's "decode vs fetch" figure for weft's own reader, with a baseline binary in the same sitting:
#   tests/bench/decode-bench.sh BUILD_DIR [BASELINE_OLIST_READ]
# Starts a throwaway MariaDB (tests/mariadb-throwaway.sh), loads the Olist-shaped data at DECODE_SCALE,
# commits DECODE_CHANGES generated changes (as run-bench.sh's catch-up does) and reads that binlog
# range with olist_read --mode fetch and --mode decode, DECODE_RUNS times each, the binaries and modes
# alternating run by run. Prints each run, then per binary the median seconds and CPU seconds of each
# mode and decode's rate as a share of fetch's (fetch seconds / decode seconds), with the load average.
# DECODE_DIR keeps the server's directory (and reuses a server already loaded there) for repeated runs;
# `tests/mariadb-throwaway.sh stop DIR` ends it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?BUILD_DIR (with olist_gen and olist_read built)}
base=${2:-}
scale=${DECODE_SCALE:-0.25}
changes=${DECODE_CHANGES:-100000}
runs=${DECODE_RUNS:-5}
dir=${DECODE_DIR:-}
keep=1
if [ -z "$dir" ]; then dir=$(mktemp -d /tmp/weft-decode-bench.XXXXXX); keep=0; fi
cleanup() { [ "$keep" = 1 ] || { "$root/tests/mariadb-throwaway.sh" stop "$dir" || true; rm -rf "$dir"; }; }
trap cleanup EXIT

sql() { mariadb --protocol=TCP -h127.0.0.1 -P"$port" -uroot --local-infile=1 "$@"; }
port=""
if [ -f "$dir/port" ]; then
  port=$(cat "$dir/port")
  sql -e "SELECT 1" >/dev/null 2>&1 || port=""
fi
[ -n "$port" ] || { rm -f "$dir/range"; port=$("$root/tests/mariadb-throwaway.sh" start "$dir"); }
if [ ! -f "$dir/range" ]; then
  mkdir -p "$dir/tsv"
  "$build/tests/bench/olist_gen" tsv --scale "$scale" --out "$dir/tsv" >/dev/null
  sql -e "DROP DATABASE IF EXISTS shop; CREATE DATABASE shop"
  sql shop <"$root/tests/data/seeds/schema.sql"
  for t in customers orders order_items order_payments products sellers; do
    sql shop -e "LOAD DATA LOCAL INFILE '$dir/tsv/ecom_$t.tsv' INTO TABLE ecom_$t"
  done
  "$build/tests/bench/olist_gen" changes --scale "$scale" --count "$changes" --change-seed 1 --marker m1 \
    --out "$dir/changes.sql" >/dev/null
  sql -N -e "SHOW MASTER STATUS" | cut -f1,2 >"$dir/range"
  sql shop <"$dir/changes.sql"
fi
read -r file pos <"$dir/range"
echo "== binlog range $file:$pos to the end ($(sql -N -e 'SHOW MASTER STATUS' | cut -f2)), scale $scale, $changes changes"

# One run: "seconds cpu_seconds" of olist_read BINARY MODE.
one() {
  local out cpu
  out=$(/usr/bin/time -f '%U %S' -o "$dir/time.txt" "$1" --port "$port" --user root --file "$file" --start "$pos" --mode "$2")
  cpu=$(awk '{printf "%.3f", $1 + $2}' "$dir/time.txt")
  echo "$(/usr/bin/python3 -c 'import json,sys; print(json.loads(sys.argv[1])["seconds"])' "$out") $cpu"
}
declare -A secs cpus
names=(new)
[ -n "$base" ] && names=(base new)
bin_of() { if [ "$1" = base ]; then echo "$base"; else echo "$build/tests/bench/olist_read"; fi; }
for r in $(seq 1 "$runs"); do
  for name in "${names[@]}"; do
    for mode in fetch decode; do
      res=$(one "$(bin_of "$name")" "$mode")
      secs[$name.$mode]+="${res% *} "; cpus[$name.$mode]+="${res#* } "
      echo "  run $r $name $mode: ${res% *} s (cpu ${res#* } s), load $(cut -d' ' -f1-3 /proc/loadavg)"
    done
  done
done
median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for name in "${names[@]}"; do
  f=$(median <<<"${secs[$name.fetch]}"); d=$(median <<<"${secs[$name.decode]}")
  fc=$(median <<<"${cpus[$name.fetch]}"); dc=$(median <<<"${cpus[$name.decode]}")
  echo "== $name ($(bin_of "$name")): fetch $f s (cpu $fc), decode $d s (cpu $dc): decode at" \
    "$(awk -v f="$f" -v d="$d" 'BEGIN {printf "%.0f", 100 * f / d}')% of fetch"
done
echo "== load: $(cut -d' ' -f1-3 /proc/loadavg)"
