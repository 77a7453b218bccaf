#!/usr/bin/env bash
# The one test command (README, .ci/run): on a fresh Debian 12 machine with only the .NET 10 SDK,
# it installs what the tests need, builds the solution once in Release, runs every test project
# and ends with one line "N passed, N failed, N skipped" (totals over all projects, from TRX).
# Extra arguments go to `dotnet test`, e.g. scripts/test.sh --filter "FullyQualifiedName~EndToEnd".
# Exits non-zero if a test failed, if the test run itself failed, or if no test ran.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# ---------------------------------------------------------------------------------------------
# 1. Provisioning: collect the Debian packages that are missing, then install them in one go
#    (apt-get update only then, and only once). Already provisioned machines skip this in
#    milliseconds.
# ---------------------------------------------------------------------------------------------
missing_packages=()

# need COMMAND PACKAGE: PACKAGE is needed when COMMAND (an executable on PATH, not a shell
# builtin, or an absolute path) is absent.
need() {
  if [[ "$1" == /* ]]; then [[ -x "$1" ]] && return 0; else type -P "$1" >/dev/null 2>&1 && return 0; fi
  missing_packages+=("$2")
}

# Git: repositories for the end-to-end tests and the workspace checkout.
need git git
# Process tools the tests and steps use (kill, setsid, ps).
need setsid util-linux
need kill procps

# PostgreSQL: the second database of the persistence suite (MACHINE-NOTES.md). Not needed when
# the caller brings its own server in KILN_TEST_POSTGRES.
if [[ -z "${KILN_TEST_POSTGRES:-}" ]] && ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  missing_packages+=(postgresql)
fi
# Chromium (UI tests through Playwright with ExecutablePath=/usr/bin/chromium), when they land:
#   need chromium chromium

install_packages() {
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || { echo "test.sh: need root or sudo to install: $*" >&2; exit 1; }
    sudo=(sudo)
  fi
  echo "test.sh: installing $*"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if ((${#missing_packages[@]} > 0)); then
  install_packages "${missing_packages[@]}"
fi

# ---------------------------------------------------------------------------------------------
# 2. Services the tests need: a private PostgreSQL server (its own data folder under a temp dir,
#    a free port, Unix socket in that folder, no fsync: it only ever holds test data), stopped
#    and deleted in the EXIT trap. The tests make and drop one database each in it, and read its
#    address from KILN_TEST_POSTGRES; a caller that already set KILN_TEST_POSTGRES keeps its own.
# ---------------------------------------------------------------------------------------------
pg_bin="" pg_dir=""

# as_postgres COMMAND...: PostgreSQL refuses to run as root, so root runs it as user postgres.
as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; else "$@"; fi
}

start_postgres() {
  pg_bin=$(compgen -G '/usr/lib/postgresql/*/bin' | sort -V | tail -n 1)
  pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/kiln-test-pg.XXXXXX")
  [[ $(id -u) -eq 0 ]] && chown postgres "$pg_dir"
  as_postgres "$pg_bin/initdb" -D "$pg_dir/db" -A trust -U kiln --no-sync -E UTF8 >"$pg_dir/initdb.log" 2>&1 \
    || { cat "$pg_dir/initdb.log" >&2; exit 1; }
  local port attempt
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue # taken
    if as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/db" -l "$pg_dir/log" -w -t 30 \
      -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null; then
      export KILN_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=kiln;Database=postgres"
      echo "test.sh: PostgreSQL for tests on port $port ($pg_dir)"
      return 0
    fi
  done
  echo "test.sh: could not start PostgreSQL; its log:" >&2
  cat "$pg_dir/log" >&2 || true
  exit 1
}

cleanup() {
  if [[ -n "$pg_dir" ]]; then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/db" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}
trap cleanup EXIT

if [[ -z "${KILN_TEST_POSTGRES:-}" ]]; then
  start_postgres
fi

# ---------------------------------------------------------------------------------------------
# 3. Build once, then test without building again.
# ---------------------------------------------------------------------------------------------
results="$PWD/TestResults/test-sh"
rm -rf "$results"
mkdir -p "$results"

dotnet build Kiln.slnx -c Release

test_status=0
dotnet test Kiln.slnx -c Release --no-build \
  --logger trx --results-directory "$results" \
  --blame-hang-timeout 15m --blame-hang-dump-type none \
  "$@" || test_status=$?

# ---------------------------------------------------------------------------------------------
# 4. Totals over every project's TRX: <Counters total= executed= passed= failed= error= ...>.
# ---------------------------------------------------------------------------------------------
counter() { # counter FILE NAME -> the attribute's number (0 when absent)
  local value
  value=$(grep -o '<Counters [^>]*>' "$1" | grep -o " $2=\"[0-9]*\"" | grep -o '[0-9][0-9]*' | head -n 1 || true)
  echo "${value:-0}"
}

passed=0 failed=0 skipped=0
shopt -s nullglob globstar
for trx in "$results"/**/*.trx; do
  total=$(counter "$trx" total)
  p=$(counter "$trx" passed)
  f=$(( $(counter "$trx" failed) + $(counter "$trx" error) + $(counter "$trx" timeout) + $(counter "$trx" aborted) ))
  passed=$((passed + p))
  failed=$((failed + f))
  skipped=$((skipped + total - p - f))
done

echo "$passed passed, $failed failed, $skipped skipped"

if ((failed > 0)); then exit 1; fi
if ((passed == 0)); then echo "test.sh: no test passed (zero tests ran?)" >&2; exit 1; fi
if ((test_status != 0)); then echo "test.sh: dotnet test exited with $test_status" >&2; exit "$test_status"; fi
