#!/usr/bin/env bash
# Builds the libFuzzer targets with clang into build-fuzz/ and runs each for a bounded time, starting
# from the seed corpora (recorded binlog events, conf/weft.toml and broken configs, encoded values
# and JSON documents). Fails on the first crash, sanitizer report, leak, timeout or OOM; the input
# that triggered it is kept under build-fuzz/artifacts/ (never in git: /build*/ is ignored).
#   tests/fuzz/run-fuzzers.sh            # 60 s per target
#   tests/fuzz/run-fuzzers.sh 30         # 30 s per target (CI)
#   WEFT_FUZZ_TARGETS="config_fuzz" tests/fuzz/run-fuzzers.sh 600
# Reproduce a crash: build-fuzz/tests/fuzz/<target> build-fuzz/artifacts/<target>/crash-...
set -euo pipefail
seconds=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
build="$root/build-fuzz"
targets=(${WEFT_FUZZ_TARGETS:-row_decoder_fuzz config_fuzz value_fuzz mysql8_fuzz})
"$root/tests/install-deps.sh"

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DWEFT_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
ninja -C "$build" "${targets[@]}"

# Seeds are regenerated every run (they come from files in the repo); the working corpora under
# build-fuzz/corpus/ persist between local runs, so a longer local session keeps what it learnt.
seeds="$build/seeds"
rm -rf "$seeds"
mkdir -p "$seeds/row_decoder_fuzz"
python3 "$root/tests/fuzz/make_corpus.py" "$seeds/row_decoder_fuzz" >/dev/null
python3 "$root/tests/fuzz/make_seeds.py" "$seeds" >/dev/null
mv "$seeds/config" "$seeds/config_fuzz"
mv "$seeds/value" "$seeds/value_fuzz"
python3 "$root/tests/fuzz/make_mysql8_seeds.py" "$seeds/mysql8_fuzz" >/dev/null

export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
failed=()
for target in "${targets[@]}"; do
  corpus="$build/corpus/$target"
  artifacts="$build/artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  extra=()
  [ "$target" = config_fuzz ] && extra+=(-dict="$root/tests/fuzz/toml.dict")
  log="$build/artifacts/$target.log"
  echo "==> $target for ${seconds}s (log: $log)"
  # -timeout: one input taking over 10 s is a hang worth reporting; -rss_limit_mb: an input that
  # makes a decoder allocate without bound is a bug too. -max_len 64 KiB lets whole rows events in.
  if "$build/tests/fuzz/$target" "$corpus" "$seeds/$target" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/" "${extra[@]}" \
      >"$log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^#[0-9]+ *DONE' "$log" | tail -2 | sed 's/^/    /' || true
  else
    echo "!!! $target failed; the last lines of $log:" >&2
    tail -40 "$log" >&2
    ls -1 "$artifacts" | sed 's/^/    artifact: /' >&2
    failed+=("$target")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found problems in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzzing: ${targets[*]} ran ${seconds}s each without a crash"
