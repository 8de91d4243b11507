#!/usr/bin/env bash
# The unit and integration tests under AddressSanitizer + UndefinedBehaviorSanitizer: builds the whole
# project with -DWEFT_SANITIZE=ON into build-asan/ (the weft binary the integration tests run is the
# sanitized one too) and runs ctest without the benchmarks. Any sanitizer report fails the run.
#   tests/run-sanitized.sh                 # everything but bench
#   tests/run-sanitized.sh -L unit         # extra arguments go to ctest
# Used by .ci/run after the plain test run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-asan"
"$root/tests/install-deps.sh"

cmake -S "$root" -B "$build" -G Ninja -DWEFT_SANITIZE=ON
ninja -C "$build"

# LeakSanitizer stops the process with ptrace-like thread suspension at exit; that needs no special
# capability inside a Docker/Podman container (it works under the default seccomp profile), but it
# fails under a tracer (gdb, strace). If a CI runner cannot run it, every process exits with
# "LeakSanitizer has encountered a fatal error": set WEFT_ASAN_LEAKS=0 there rather than silencing
# the other checks.
leaks=${WEFT_ASAN_LEAKS:-1}
# abort_on_error=0 keeps the exit code non-zero without core files; strict_string_checks and
# detect_stack_use_after_return catch more; the suppressions file is for third-party libraries only.
export ASAN_OPTIONS="detect_leaks=$leaks:halt_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1:strict_init_order=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
if [ -f "$root/tests/sanitizer/lsan.supp" ]; then
  export LSAN_OPTIONS="suppressions=$root/tests/sanitizer/lsan.supp:print_suppressions=0"
fi

cd "$build"
# The sanitizers slow the integration tests down 2-3x; the per-test TIMEOUTs (900 s) leave room.
ctest --output-on-failure -LE bench "$@"
