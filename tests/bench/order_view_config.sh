#!/usr/bin/env bash
# Writes DIR/weft.toml: the benchmarks' config (order_view.toml.in, the seeds' orderSingleView) for
# the throwaway MariaDB on PORT, into SINK (sqlite: DIR/docs.db; null: JSON lines to /dev/null).
#   tests/bench/order_view_config.sh DIR PORT sqlite|null
# Used by run-bench.sh and profile-catchup.sh, so both time the same view.
set -euo pipefail
dir=$1 port=$2 sink=$3
if [ "$sink" = sqlite ]; then sink_conf=$'kind = "sqlite"\npath = "docs.db"'; else sink_conf=$'kind = "jsonl"\npath = "/dev/null"'; fi
mkdir -p "$dir"
awk -v port="$port" -v sink="$sink_conf" '$0 == "@SINK@" { print sink; next } { gsub(/@PORT@/, port); print }' \
  "$(dirname "$0")/order_view.toml.in" >"$dir/weft.toml"
