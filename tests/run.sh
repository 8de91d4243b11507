#!/usr/bin/env bash
# The README's test command, and what CI runs: installs missing Debian packages, builds the project
# under AddressSanitizer + UndefinedBehaviorSanitizer (-DWEFT_SANITIZE=ON) into build-asan/ and runs
# every test except benchmarks under them (unit and integration; the integration tests start their
# own throwaway MariaDB servers on free ports, and run the sanitized weft binary). Any sanitizer
# report fails the test it happens in. --plain builds into build/ without the sanitizers instead
# (faster, and the same build/ as the README's "Build by hand").
#   tests/run.sh                  # everything, sanitized
#   tests/run.sh -L unit          # extra arguments go to ctest (with -L unit only the unit tests are
#                                 # built)
#   tests/run.sh --plain          # everything, plain build in build/
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sanitize=ON build="$root/build-asan"
if [ "${1:-}" = --plain ]; then
  sanitize=OFF build="$root/build"
  shift
fi
"$root/tests/install-deps.sh"

cmake -S "$root" -B "$build" -G Ninja -DWEFT_SANITIZE=$sanitize
# What ctest runs and nothing else: the unit and integration test executables (and the weft binary
# they depend on), not the benchmark tools; with `-L unit` only the unit tests.
pattern='\(unit\|integration\)_[a-z_]*'
[[ " $* " == *" -L unit "* ]] && pattern='unit_[a-z_]*'
mapfile -t targets < <(ninja -C "$build" -t targets all | sed -n "s/^\($pattern\): phony\$/\1/p")
ninja -C "$build" "${targets[@]}"

if [ $sanitize = ON ]; then
  # LeakSanitizer suspends the process's threads with ptrace at exit. That works in this project's
  # CI container (checked: a deliberate leak is reported), but some sandboxes forbid ptrace, and
  # then every process dies with "LeakSanitizer has encountered a fatal error": run with
  # WEFT_ASAN_LEAKS=0 there, which turns off only the leak check.
  leaks=${WEFT_ASAN_LEAKS:-1}
  # detect_stack_use_after_return, strict_string_checks and the init-order checks catch more than
  # the defaults; halt_on_error makes the first report fail the test. The weft processes the
  # integration tests start inherit these.
  export ASAN_OPTIONS="detect_leaks=$leaks:halt_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1:strict_init_order=1"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
fi

cd "$build"
# Two at a time: each integration suite starts its own servers on free ports.
ctest --output-on-failure -j2 -LE bench "$@"
