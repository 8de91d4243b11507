#!/usr/bin/env bash
# The README's test command, and what CI runs: installs missing Debian packages, builds everything
# into build/ with CMake + Ninja, and runs every test except benchmarks (unit and integration; the
# integration tests start their own throwaway MariaDB servers on free ports).
#   tests/run.sh                  # everything
#   tests/run.sh -L unit          # extra arguments go to ctest
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tests/install-deps.sh"
cmake -S "$root" -B "$root/build" -G Ninja
ninja -C "$root/build"
cd "$root/build"
# Two at a time: each integration suite starts its own servers on free ports.
ctest --output-on-failure -j2 -LE bench "$@"
