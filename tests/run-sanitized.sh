#!/usr/bin/env bash
# The unit and integration tests under AddressSanitizer + UndefinedBehaviorSanitizer: builds the whole
# project with -DWEFT_SANITIZE=ON into build-asan/ (the weft binary the integration tests run is the
# sanitized one too) and runs ctest without the benchmarks. Any sanitizer report fails the run.
#   tests/run-sanitized.sh                 # everything but bench
#   tests/run-sanitized.sh -L unit         # extra arguments go to ctest (this one builds only the
#                                          # unit tests)
# Used by .ci/run after the plain test run (unit tests only there, for time: the whole suite under
# the sanitizers takes about 12 min of ctest on 2 cores).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-asan"
"$root/tests/install-deps.sh"

cmake -S "$root" -B "$build" -G Ninja -DWEFT_SANITIZE=ON
# With `-L unit` only the unit test executables are built: the integration tests, the weft binary
# and the benchmarks would double an already slow ASan build for nothing.
targets=()
if [[ " $* " == *" -L unit "* ]]; then
  mapfile -t targets < <(ninja -C "$build" -t targets all | sed -n 's/^\(unit_[a-z_]*\): phony$/\1/p')
fi
ninja -C "$build" "${targets[@]}"

# LeakSanitizer suspends the process's threads with ptrace at exit. That works in this project's
# CI container (checked: a deliberate leak is reported), but some sandboxes forbid ptrace, and then
# every process dies with "LeakSanitizer has encountered a fatal error": run with WEFT_ASAN_LEAKS=0
# there, which turns off only the leak check.
leaks=${WEFT_ASAN_LEAKS:-1}
# detect_stack_use_after_return, strict_string_checks and the init-order checks catch more than the
# defaults; halt_on_error makes the first report fail the test.
export ASAN_OPTIONS="detect_leaks=$leaks:halt_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1:strict_init_order=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

cd "$build"
# The sanitizers slow the integration tests down 2-3x; the per-test TIMEOUTs (900 s) leave room.
ctest --output-on-failure -LE bench "$@"
