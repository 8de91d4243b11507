#!/usr/bin/env bash
# Builds build/weft for the demos, showing progress: the compile of a fresh clone takes a few
# minutes on a 2-core machine (~3-4 min; seconds when nothing changed), so print the build's own
# step counter as it goes ("[  87/212]  41%  1:05") instead of staying silent. On a terminal the
# counter updates in place; in a log it prints a line every 10% (and the last line on failure).
# Usage: build-weft.sh ROOT   (prints nothing on stdout; progress goes to stderr)
set -euo pipefail
root=$1
build="$root/build"
start=$SECONDS
elapsed() { local s=$((SECONDS - start)); printf '%d:%02d' $((s / 60)) $((s % 60)); }

if [ ! -f "$build/build.ninja" ]; then
  echo "    configuring (cmake, a few seconds)" >&2
fi
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

echo "    compiling on $(nproc) cores: a fresh build takes ~3-4 min on a quiet 2-core machine, a rebuild seconds" >&2

log=$(mktemp /tmp/weft-build.XXXXXX)
trap 'rm -f "$log"' EXIT
tty=0
[ -t 2 ] && tty=1
last_decile=-1
set +e
NINJA_STATUS='@@%f/%t@@ ' ninja -C "$build" weft 2>&1 | tee "$log" | while IFS= read -r line; do
  [[ $line =~ ^@@([0-9]+)/([0-9]+)@@ ]] || continue
  done_=${BASH_REMATCH[1]} total=${BASH_REMATCH[2]}
  [ "$done_" -gt 0 ] || continue  # ninja's first total is a guess (the configure check)
  pct=$((100 * done_ / total))
  if [ "$tty" = 1 ]; then
    printf '\r    [%4d/%d] %3d%%  %s ' "$done_" "$total" "$pct" "$(elapsed)" >&2
  elif [ $((pct / 10)) -gt "$last_decile" ]; then
    last_decile=$((pct / 10))
    printf '    [%4d/%d] %3d%%  %s\n' "$done_" "$total" "$pct" "$(elapsed)" >&2
  fi
done
rc=${PIPESTATUS[0]}
set -e
[ "$tty" = 1 ] && echo >&2
if [ "$rc" -ne 0 ]; then
  echo "==> the build failed (ninja exit $rc); its output:" >&2
  sed 's/^@@[0-9]*\/[0-9]*@@ //' "$log" | tail -40 >&2
  exit "$rc"
fi
echo "    built $build/weft in $(elapsed)" >&2
