#!/usr/bin/env bash
# The one list of Debian 12 packages weft needs to build, test and run its demo. Installs the ones
# that are missing (apt-get update + install) and does nothing when all are present, so the README's
# commands can call it every time. Used by tests/run.sh, tests/demo/demo.sh and .ci/run.
# Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config ccache git ca-certificates
  # libraries (headers and CMake/pkg-config files)
  libmariadb-dev libmongoc-dev libbson-dev libuv1-dev libsqlite3-dev nlohmann-json3-dev
  libtomlplusplus-dev doctest-dev libhttp-parser-dev zlib1g-dev libzstd-dev libpq-dev
  # the Kafka sink; its tests run librdkafka's in-process mock cluster (rdkafka_mock.h), no broker
  librdkafka-dev
  # test servers and tools: the integration tests start their own MariaDB from these binaries;
  # mockupdb plays MongoDB at the wire level
  mariadb-server mariadb-client sqlite3 python3 python3-mockupdb
  # the PostgreSQL source's integration tests start their own PostgreSQL 15 (initdb + pg_ctl)
  postgresql-15 postgresql-client-15
  # TLS tests (tests/integration/security): a CA and certificates made with the openssl CLI
  openssl
  # the dashboard's browser test (tests/integration/dashboard): headless Chromium, driven over
  # --remote-debugging-pipe by the test itself
  chromium
  # benchmarks (tests/bench/run-bench.sh): charts and peak RSS
  gnuplot-nox time
  # fuzzing and sanitizer builds
  clang libclang-rt-14-dev
  # packages (packaging/ci-package-check.sh): rpmbuild, file (CPack's dpkg-shlibdeps step), systemd-analyze, groff
  rpm file systemd groff-base
)

missing=()
for p in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" != "installed" ]; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "==> installing Debian packages (on a fresh machine ~3 min): ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root (or install sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi

# Installing mariadb-server would start (and enable) a system MariaDB on port 3306. weft's tests and
# demo start their own throwaway servers on free ports, so keep apt from starting any service while
# we install, unless the machine already has a policy of its own.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  $sudo sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"
  trap '$sudo rm -f "$policy"' EXIT
fi

$sudo apt-get update
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
