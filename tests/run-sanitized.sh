#!/usr/bin/env bash
# The unit and integration tests under AddressSanitizer + UndefinedBehaviorSanitizer. That is what
# tests/run.sh does by default now (build-asan/, every test but the benchmarks; `tests/run.sh --plain`
# is the unsanitized run); this name stays for those used to it.
#   tests/run-sanitized.sh                 # everything but bench
#   tests/run-sanitized.sh -L unit         # extra arguments go to ctest
exec "$(dirname "$0")/run.sh" "$@"
