#!/usr/bin/env bash
# Log ingest benchmark: how much does Kiln add to a step that prints a million short lines?
#
#   bench/log-ingest.sh [--no-build]
#
# Starts its own `kiln server` (Release build) on a temporary data folder and a free loopback
# port, creates the task-only project `log-ingest` whose one step is `seq $BENCH_LINES`, and
# measures:
#   raw    `seq N > file` on this machine (median of BENCH_RAW_RUNS runs)
#   step   the step's startedAt -> finishedAt from the API (median of BENCH_RUNS builds)
#   wall   POST .../builds?wait=true until the response (trigger to build finished)
#   RSS    the server process's peak VmRSS (and its whole process tree's) during the builds
# It checks that every stored log (GET .../log) holds exactly the lines of `seq N`, and that
# the target holds: wall <= 1.25 x raw + 0.5 s.
# Exit status: 0 target met and logs intact, 1 target missed or log wrong, 2 setup failed.
# Settings (environment): BENCH_LINES (1000000), BENCH_RUNS (3), BENCH_RAW_RUNS (5),
# KILN_BIN (a kiln executable to use instead of the Release build), BENCH_KEEP=1 keeps the
# temporary folder (server output, logs) for a look afterwards.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

lines=${BENCH_LINES:-1000000}
runs=${BENCH_RUNS:-3}
raw_runs=${BENCH_RAW_RUNS:-5}
project=log-ingest
build=1
[[ ${1:-} == --no-build ]] && build=0

fail() { echo "log-ingest: $*" >&2; exit 2; }

# --- tools: curl and jq (installed with apt-get when missing) --------------------------------
missing=()
for tool in curl jq; do type -P "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]} > 0)); then
  sudo=(); [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  echo "log-ingest: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- the kiln executable ------------------------------------------------------------------------
if [[ -n ${KILN_BIN:-} ]]; then
  kiln=("$KILN_BIN")
else
  if ((build)); then
    dotnet build src/Kiln.Cli -c Release -nologo -v quiet || fail "dotnet build src/Kiln.Cli -c Release failed"
  fi
  out=src/Kiln.Cli/bin/Release/net10.0
  if [[ -x $out/kiln ]]; then kiln=("$PWD/$out/kiln")
  elif [[ -f $out/kiln.dll ]]; then kiln=(dotnet "$PWD/$out/kiln.dll")
  else fail "no kiln executable in $out (build it, or set KILN_BIN)"; fi
fi

# --- helpers ----------------------------------------------------------------------------------
now() { date +%s.%N; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
epoch() { date -d "$1" +%s.%N; }

work=$(mktemp -d /tmp/kiln-bench-XXXXXX)
server_pid=
sampler_pid=
cleanup() {
  [[ -n $sampler_pid ]] && kill "$sampler_pid" 2>/dev/null || true
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -INT "$server_pid" 2>/dev/null || true
    for _ in $(seq 150); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  if [[ ${BENCH_KEEP:-} == 1 ]]; then echo "log-ingest: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

port=
for candidate in $(shuf -i 20000-60000 -n 50); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
done
[[ -n $port ]] || fail "no free port found"
url="http://127.0.0.1:$port"
token="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"

api() { curl -sS --fail-with-body -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }

# --- raw baseline -------------------------------------------------------------------------------
for _ in $(seq "$raw_runs"); do
  t0=$(now); seq "$lines" >"$work/raw.txt"; t1=$(now)
  minus "$t1" "$t0"; echo
done >"$work/raw-times"
raw=$(median <"$work/raw-times")

# --- the server ---------------------------------------------------------------------------------
unset_kiln=()
while read -r name; do unset_kiln+=(-u "$name"); done < <(env | grep -o '^KILN[A-Z0-9_]*' || true)
env "${unset_kiln[@]}" KILN_BOOTSTRAP_ADMIN_TOKEN="$token" \
  "${kiln[@]}" server --data "$work/data" --urls "$url" --agents 1 >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do
  curl -fsS -o /dev/null "$url/readyz" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; fail "kiln server exited during start-up"; }
  sleep 0.1
done
curl -fsS -o /dev/null "$url/readyz" || { cat "$work/server.log" >&2; fail "kiln server not ready after 30 s"; }

# Peak RSS (kB) of the server and of its process tree, sampled every 0.1 s without forking much.
rss_of() { local key value _; while read -r key value _; do [[ $key == VmRSS: ]] && { echo "$value"; return; }; done 2>/dev/null <"/proc/$1/status"; echo 0; }
tree_of() { local child; echo "$1"; for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do tree_of "$child"; done; }
sample_rss() {
  local peak=0 tree_peak=0 own sum pid
  while kill -0 "$server_pid" 2>/dev/null; do
    own=$(rss_of "$server_pid"); sum=0
    for pid in $(tree_of "$server_pid"); do sum=$((sum + $(rss_of "$pid"))); done
    if ((own > peak || sum > tree_peak)); then
      ((own > peak)) && peak=$own; ((sum > tree_peak)) && tree_peak=$sum
      echo "$peak $tree_peak" >"$work/rss"
    fi
    sleep 0.1
  done
}
echo "0 0" >"$work/rss"
sample_rss &
sampler_pid=$!

# --- the project and the builds -----------------------------------------------------------------
pipeline=$(printf 'jobs:\n  ingest:\n    steps:\n      - name: seq\n        run: seq %s\n' "$lines")
jq -n --arg name "$project" --arg pipeline "$pipeline" '{name: $name, pipeline: $pipeline}' >"$work/project.json"
api -X POST "$url/api/v1/projects" --data-binary @"$work/project.json" >/dev/null || fail "creating the project failed"

log_ok=1
: >"$work/step-times"; : >"$work/wall-times"
for run in $(seq "$runs"); do
  t0=$(now)
  api -X POST "$url/api/v1/projects/$project/builds?wait=true" -d '{}' >"$work/build-$run.json" || fail "build request failed: $(cat "$work/build-$run.json")"
  t1=$(now)
  status=$(jq -r .status "$work/build-$run.json")
  number=$(jq -r .number "$work/build-$run.json")
  [[ $status == succeeded ]] || fail "build $project#$number ended $status: $(jq -c . "$work/build-$run.json")"
  minus "$t1" "$t0" >>"$work/wall-times"; echo >>"$work/wall-times"
  started=$(jq -r '.jobs[0].steps[0].startedAt' "$work/build-$run.json")
  finished=$(jq -r '.jobs[0].steps[0].finishedAt' "$work/build-$run.json")
  minus "$(epoch "$finished")" "$(epoch "$started")" >>"$work/step-times"; echo >>"$work/step-times"

  api "$url/api/v1/projects/$project/builds/$number/jobs/ingest/log" >"$work/log-$run.txt" || fail "GET log failed"
  sed -i -e '$a\' "$work/log-$run.txt"          # "lines joined by \n": add the final newline
  stored=$(wc -l <"$work/log-$run.txt")
  other=$(grep -cvxE '[0-9]+' "$work/log-$run.txt" || true)
  if ! grep -xE '[0-9]+' "$work/log-$run.txt" | cmp -s - "$work/raw.txt"; then
    log_ok=0; echo "log-ingest: build #$number: the stored log's numbers differ from seq $lines" >&2
  fi
done
wall=$(median <"$work/wall-times")
step=$(median <"$work/step-times")
read -r rss_peak tree_peak <"$work/rss"

# --- report -------------------------------------------------------------------------------------
limit=$(awk -v r="$raw" 'BEGIN { printf "%.3f", 1.25 * r + 0.5 }')
met=$(awk -v w="$wall" -v l="$limit" 'BEGIN { print (w <= l) ? 1 : 0 }')
printf '\nLog ingest: seq %s (raw runs %s, Kiln builds %s; medians)\n' "$lines" "$raw_runs" "$runs"
printf '  %-40s %10s s\n' "raw: seq > file" "$raw"
printf '  %-40s %10s s\n' "kiln: step startedAt -> finishedAt" "$step"
printf '  %-40s %10s s\n' "kiln: trigger -> finished (?wait=true)" "$wall"
printf '  %-40s %10s MiB (process tree %s MiB)\n' "server peak RSS" "$((rss_peak / 1024))" "$((tree_peak / 1024))"
printf '  %-40s %10s lines, %s not from seq: %s\n' "stored log (last build)" "$stored" "$other" \
  "$( ((log_ok)) && echo "numbers identical to seq" || echo "DIFFERENT from seq")"
printf '  target: trigger->finished <= 1.25 x raw + 0.5 s = %s s: %s\n' "$limit" "$( ((met)) && echo MET || echo MISSED)"

((log_ok && met))
