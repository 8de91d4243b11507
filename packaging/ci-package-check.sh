#!/usr/bin/env bash
# CI check of the packages (.ci/run calls it after the tests). As root, on a throwaway Debian 12:
#   packaging/ci-package-check.sh [BUILD_DIR]        (default: build/, configured here if missing)
# 1. builds the binary and man page, then `cpack -G DEB` and `cpack -G RPM` in BUILD_DIR;
# 2. installs the .deb with dpkg -i (apt-get -f install if dependencies are missing);
# 3. checks the installed package: `weft --version` is the package's version, the weft user and
#    group exist, the config is 0640 root:weft and /etc/default/weft 0600 root:root, both are
#    conffiles, the unit passes `systemd-analyze verify`, the man page formats without warnings;
# 4. runs the packaged `weft check`, as the weft user, on the shipped config pointed at a throwaway
#    MariaDB (ready: exit 0; then with binlog_row_metadata = MINIMAL: exit 1 naming the problem);
# 5. checks that `rpm -qlp` on the .rpm lists the same files, with the same modes, as `dpkg -c`;
# 6. purges the package (and the MariaDB, and its temp dir) whatever happened, and checks that the
#    purge removed the files and the user.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}

fail() { echo "ci-package-check: FAIL: $*" >&2; exit 1; }
step() { echo "==> $*"; }

[ "$(id -u)" = 0 ] || fail "run as root (it installs the .deb into this machine)"
for tool in cpack rpmbuild rpm dpkg-shlibdeps systemd-analyze groff mariadb mariadbd runuser; do
  command -v "$tool" >/dev/null || fail "$tool is missing: run tests/install-deps.sh"
done
if dpkg -s weft >/dev/null 2>&1; then
  fail "a weft package is installed (or its config files are) already; this check installs and purges its own (dpkg --purge weft)"
fi
if getent passwd weft >/dev/null; then
  fail "a weft user exists already; the check needs to see the package create it"
fi

work=$(mktemp -d /tmp/weft-pkg.XXXXXX)
chmod 755 "$work"   # the weft user reads the check config in here
cleanup() {
  "$root/tests/mariadb-throwaway.sh" stop "$work/db" || true
  if dpkg -s weft >/dev/null 2>&1; then
    dpkg --purge weft >/dev/null || echo "ci-package-check: dpkg --purge weft failed" >&2
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# --- 1. build -------------------------------------------------------------------------------------
step "building weft and its man page in $build"
[ -f "$build/CMakeCache.txt" ] || cmake -S "$root" -B "$build" -G Ninja
ninja -C "$build" weft weft_man
cd "$build"
rm -f weft_*.deb weft-*.rpm
step "cpack -G DEB"
cpack -G DEB >"$work/cpack-deb.log" 2>&1 || { cat "$work/cpack-deb.log"; fail "cpack -G DEB"; }
step "cpack -G RPM"
cpack -G RPM >"$work/cpack-rpm.log" 2>&1 || { cat "$work/cpack-rpm.log"; fail "cpack -G RPM"; }
debs=(weft_*.deb) rpms=(weft-*.rpm)
[ ${#debs[@]} = 1 ] && [ -f "${debs[0]}" ] || fail "expected one .deb in $build, got: ${debs[*]}"
[ ${#rpms[@]} = 1 ] && [ -f "${rpms[0]}" ] || fail "expected one .rpm in $build, got: ${rpms[*]}"
deb=$build/${debs[0]} rpm=$build/${rpms[0]}
version=$(dpkg-deb -f "$deb" Version)
echo "    $deb"
echo "    $rpm"
echo "    Depends: $(dpkg-deb -f "$deb" Depends)"
dpkg-deb -f "$deb" Depends | grep -q 'libmariadb3' || fail "the .deb does not depend on libmariadb3 (dpkg-shlibdeps)"
rpm -qp --requires "$rpm" | grep -q '^libmariadb.so.3' || fail "the .rpm does not require libmariadb.so.3 (rpmbuild's automatic requires)"

# --- 2. install -----------------------------------------------------------------------------------
step "dpkg -i $(basename "$deb")"
if ! dpkg -i "$deb"; then
  echo "    dependencies missing: apt-get -f install"
  DEBIAN_FRONTEND=noninteractive apt-get -f install -y --no-install-recommends
fi
[ "$(dpkg-query -W -f='${db:Status-Status}' weft)" = installed ] || fail "weft is not installed after dpkg -i"

# --- 3. the installed files -----------------------------------------------------------------------
step "packaged weft --version"
got=$(/usr/bin/weft --version)
[ "$got" = "weft $version" ] || fail "/usr/bin/weft --version says '$got', the package is $version"
echo "    $got"

step "the weft user, and the modes and owners of the files in /etc"
getent passwd weft >/dev/null || fail "postinst did not create the weft user"
getent group weft >/dev/null || fail "postinst did not create the weft group"
[ "$(id -gn weft)" = weft ] || fail "the weft user's group is $(id -gn weft), not weft"
expect_stat() {
  local got
  got=$(stat -c '%a %U:%G' "$1")
  [ "$got" = "$2" ] || fail "$1 is $got, expected $2"
  echo "    $1: $got"
}
expect_stat /etc/weft/weft.toml "640 root:weft"
expect_stat /etc/default/weft "600 root:root"
expect_stat /lib/systemd/system/weft.service "644 root:root"
expect_stat /usr/bin/weft "755 root:root"
conffiles=$(dpkg-query -W -f='${Conffiles}' weft)
for f in /etc/weft/weft.toml /etc/default/weft; do
  grep -q " $f " <<<"$conffiles " || fail "$f is not a conffile (dpkg-query: $conffiles)"
done
cmp -s /etc/weft/weft.toml "$root/conf/weft.toml" || fail "/etc/weft/weft.toml differs from conf/weft.toml"

# systemd-analyze verify needs no running systemd (CI containers have none): it parses the unit and
# its dependencies and checks ExecStart. But it exits 0 on unknown keys and bad values (it only
# prints them), so any line it prints about a weft unit fails the check. A deliberately broken copy
# proves that this systemd-analyze reports such lines here, so a silent run means a clean unit.
step "systemd-analyze verify /lib/systemd/system/weft.service"
verify_unit() {  # prints what systemd-analyze says about weft units; returns its exit status
  local out rc=0
  out=$(SYSTEMD_LOG_COLOR=0 systemd-analyze verify "$1" 2>&1) || rc=$?
  # Lines about other units (say, a target this machine lacks) are the environment's, not ours.
  grep -iv 'weft' <<<"$out" | sed '/^$/d; s/^/    note: /' >&2 || true
  grep -i 'weft' <<<"$out" || true
  return $rc
}
mkdir -p "$work/units"
sed 's/^\[Service\]$/[Service]\nNoSuchDirective=1/' /lib/systemd/system/weft.service >"$work/units/weft-broken.service"
broken=$(verify_unit "$work/units/weft-broken.service" || true)
grep -q 'NoSuchDirective' <<<"$broken" \
  || fail "systemd-analyze verify did not report an unknown key in a broken copy of the unit; it cannot vouch for the real one here"
said=$(verify_unit /lib/systemd/system/weft.service) || fail "systemd-analyze verify failed: $said"
[ -z "$said" ] || fail "systemd-analyze verify reports: $said"
echo "    clean (and it does report an unknown key in a broken copy)"

step "the man page formats without warnings"
man_warnings=$(zcat /usr/share/man/man1/weft.1.gz | groff -man -ww -z -Tutf8 2>&1)
[ -z "$man_warnings" ] || fail "groff warns about weft.1: $man_warnings"
for command in $(/usr/bin/weft --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p'); do
  zcat /usr/share/man/man1/weft.1.gz | grep -q "^\.SS weft $command\$" || fail "the man page has no section for 'weft $command'"
done

# --- 4. weft check against a throwaway MariaDB ------------------------------------------------------
step "packaged weft check, as the weft user, against a throwaway MariaDB"
port=$("$root/tests/mariadb-throwaway.sh" start "$work/db")
sql() { mariadb --protocol=TCP -h127.0.0.1 -P"$port" -uroot "$@"; }
sql -e "CREATE DATABASE shop"
sql shop <"$root/tests/data/seeds/schema.sql"
sql -e "CREATE USER weft@'127.0.0.1' IDENTIFIED BY 'ci-package-check';
        GRANT SELECT, RELOAD, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO weft@'127.0.0.1';"
# The shipped config with only the port changed, readable the way the service reads its own.
sed "s/^port = 3306\b/port = $port/" /etc/weft/weft.toml >"$work/check.toml"
grep -q "^port = $port\b" "$work/check.toml" || fail "could not point the shipped config at port $port"
chown root:weft "$work/check.toml"
chmod 0640 "$work/check.toml"
run_check() { runuser -u weft -- env WEFT_MYSQL_PASSWORD=ci-package-check /usr/bin/weft check -c "$work/check.toml"; }
rc=0
out=$(run_check 2>&1) || rc=$?
echo "$out" | sed 's/^/    /'
[ $rc = 0 ] || fail "weft check exited $rc on a ready server"
grep -q "^source shop (127.0.0.1:$port, .*): OK$" <<<"$out" || fail "weft check did not report source shop OK"
sql -e "SET GLOBAL binlog_row_metadata = MINIMAL"
rc=0
out=$(run_check 2>&1) || rc=$?
echo "$out" | sed 's/^/    /'
[ $rc = 1 ] || fail "weft check exited $rc with binlog_row_metadata = MINIMAL, expected 1"
grep -q 'binlog_row_metadata' <<<"$out" || fail "weft check did not name binlog_row_metadata"
"$root/tests/mariadb-throwaway.sh" stop "$work/db"

# --- 5. the .rpm holds the same files as the .deb ---------------------------------------------------
# Compared: every non-directory path with its permission bits. Owners differ by design (the .deb
# ships root:root and postinst sets the group; the .rpm's %pre creates the group first), and so does
# the unit's directory (Debian /lib/systemd/system, RPM /usr/lib/systemd/system), which is mapped.
step "rpm -qlp lists the same files as dpkg -c"
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print substr($1, 2), $6 }' \
  | sed 's| /lib/systemd/| /usr/lib/systemd/|' | sort >"$work/deb.files"
rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$rpm" | awk '$1 !~ /^d/ { print substr($1, 2), $2 }' \
  | sort >"$work/rpm.files"
[ -s "$work/deb.files" ] || fail "dpkg -c listed no files"
diff -u "$work/deb.files" "$work/rpm.files" || fail "the .deb and the .rpm hold different files (diff above: - deb, + rpm)"
sed 's/^/    /' "$work/rpm.files"
rpm -qp --configfiles "$rpm" | sort | diff -u - <(printf '/etc/default/weft\n/etc/weft/weft.toml\n') \
  || fail "the .rpm's %config files are not /etc/default/weft and /etc/weft/weft.toml"

# --- 6. purge -------------------------------------------------------------------------------------
step "dpkg --purge weft"
dpkg --purge weft
for f in /usr/bin/weft /etc/weft /etc/default/weft /lib/systemd/system/weft.service /usr/share/man/man1/weft.1.gz; do
  [ ! -e "$f" ] || fail "$f is still there after dpkg --purge weft"
done
! getent passwd weft >/dev/null || fail "the weft user is still there after dpkg --purge weft"
! getent group weft >/dev/null || fail "the weft group is still there after dpkg --purge weft"

echo "ci-package-check: OK ($(basename "$deb"), $(basename "$rpm"))"
