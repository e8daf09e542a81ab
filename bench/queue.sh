#!/usr/bin/env bash
# Job queue figures (bench/queue.md): Personae's queue against pg-boss doing the same work on the
# same throwaway PostgreSQL cluster, in one run.
#   bench/queue.sh [JOBS]        default 100000 jobs per throughput measurement
# Needs the release build of personae_queue_bench:
#   cmake -S . -B build/h-queue-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DPERSONAE_BUILD_TESTS=ON
#   cmake --build build/h-queue-release --target personae_queue_bench
# (or set QUEUE_BENCH to the binary), PostgreSQL 15 (initdb, pg_ctl, psql) and pg-boss
# (npm ci --prefix tests/tools, as scripts/bootstrap does).
# Environment:
#   QUEUE_BENCH_FSYNC=off|on   off (default): fsync, full_page_writes and synchronous_commit off,
#                              as in the test suites; on: PostgreSQL's durable defaults. Both
#                              systems always share the one setting.
#   QUEUE_BENCH_FINISHED=N     finished jobs kept for the "throughput that holds" round (1000000)
#   QUEUE_BENCH_PGBOSS_BATCHES="2000 5000 10000"   pg-boss batch sizes tried; its best is reported
#   QUEUE_BENCH_BATCH=500      Personae's claim batch
#   QUEUE_BENCH_KEEP=DIR       keep the raw output and the auto_explain plans there
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=${1:-100000}
fsync=${QUEUE_BENCH_FSYNC:-off}
finished=${QUEUE_BENCH_FINISHED:-1000000}
pgboss_batches=${QUEUE_BENCH_PGBOSS_BATCHES:-2000 5000 10000}
batch=${QUEUE_BENCH_BATCH:-500}
bench=${QUEUE_BENCH:-build/h-queue-release/src/adapters/queue/personae_queue_bench}
[ -x "$bench" ] || { echo "queue.sh: build $bench first (see the header of this script)" >&2; exit 1; }
[ -d tests/tools/node_modules/pg-boss ] || { echo "queue.sh: npm ci --prefix tests/tools first" >&2; exit 1; }
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
[ -x "$pgbin/initdb" ] || { echo "queue.sh: PostgreSQL is not installed" >&2; exit 1; }

work=$(mktemp -d)
as_server() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  # PostgreSQL refuses to run as root.
  chown postgres "$work"
  as_server() { runuser -u postgres -- "$@"; }
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() {
  as_server "$pgbin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  if [ -n "${QUEUE_BENCH_KEEP:-}" ]; then
    mkdir -p "$QUEUE_BENCH_KEEP"
    cp "$work"/*.txt "$work/server.log" "$QUEUE_BENCH_KEEP/" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

as_server "$pgbin/initdb" -D "$work/data" --auth=trust -U postgres -E UTF8 --locale=C >/dev/null
options="-p $port -k $work -c listen_addresses=127.0.0.1 -c max_connections=100 -c shared_buffers=256MB"
[ "$fsync" = off ] && options="$options -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
as_server "$pgbin/pg_ctl" -w -D "$work/data" -l "$work/server.log" -o "$options" start >/dev/null
psql_admin() { "$pgbin/psql" -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "${2:-postgres}" -c "$1"; }
# An ordinary role, as in production: row-level security applies to Personae's queue.
psql_admin "CREATE ROLE bench LOGIN NOSUPERUSER NOBYPASSRLS"
psql_admin "CREATE DATABASE bench OWNER bench"
url="postgresql://bench@127.0.0.1:$port/bench"
vacuum() { psql_admin "VACUUM ANALYZE" bench; }

out=$work/results.txt
: >"$out"
run() { echo "+ $*" >&2; "$@" 2>>"$work/stderr.txt" | tee -a "$out"; }
ours() { run "$bench" "$url" "$@"; }
theirs() { run node bench/pgboss_bench.mjs "$url" "$@"; }
fresh_ours() { "$bench" "$url" reset >/dev/null 2>>"$work/stderr.txt"; vacuum; }

echo "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}'), fsync $fsync, $jobs jobs per measurement" >&2

fresh_ours
ours enqueue 2000 1
theirs enqueue 2000 1
fresh_ours
ours enqueue "$jobs" 1000
theirs enqueue "$jobs" 1000
for workers in 1 2 4; do
  fresh_ours
  ours work "$jobs" "$workers" "$batch"
  for b in $pgboss_batches; do theirs work "$jobs" "$workers" "$b"; done
done
fresh_ours
ours latency 200 20
theirs latency 200 20

# Throughput that holds: the same claims and completions with a million finished jobs kept (each
# round adds its own finished jobs to them).
fresh_ours
ours fill "$finished"
vacuum
retained() { "$bench" "$url" "$@" 2>>"$work/stderr.txt" | sed 's/^\([a-z]*\) /\1-retained /' | tee -a "$out"; }
for workers in 1 2 4; do
  retained work "$jobs" "$workers" "$batch"
  vacuum
done
retained latency 200 20

# The plans of the real statements on the retained table (auto_explain logs them).
# (In the configuration file: PostgreSQL 15 refuses ALTER SYSTEM for auto_explain's settings
# before the module is loaded. The cluster is thrown away afterwards.)
as_server sh -c "cat >>'$work/data/postgresql.conf'" <<'CONF'
session_preload_libraries = 'auto_explain'
auto_explain.log_min_duration = 0
auto_explain.log_analyze = on
auto_explain.log_buffers = on
CONF
psql_admin "SELECT pg_reload_conf()" >/dev/null
"$bench" "$url" work 2000 1 "$batch" >/dev/null 2>>"$work/stderr.txt"
ours ops
# Each logged plan of a statement on the jobs table, once.
python3 - "$work/server.log" >"$work/plans.txt" <<'PY'
import re, sys
entries, current = [], []
for line in open(sys.argv[1], errors="replace"):
    if re.match(r"^\d{4}-\d\d-\d\d ", line) and current:
        entries.append("".join(current)); current = []
    current.append(line)
entries.append("".join(current))
seen = set()
for entry in entries:
    if "plan:" not in entry or "Query Text:" not in entry: continue
    text = entry.split("Query Text:", 1)[1]
    if " jobs" not in text and " job_schedules" not in text: continue
    key = re.sub(r"\s+", " ", text.splitlines()[0])[:120]
    if key in seen: continue
    seen.add(key)
    print(entry)
PY

# One table; rates in jobs/s, latencies in ms.
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }
best() { sort -n | tail -1; }
row() { printf '| %-46s | %12s | %12s |\n' "$1" "$2" "$3"; }
echo
row "measurement" "Personae" "pg-boss"
row "---" "---:" "---:"
row "enqueue, one job per transaction (jobs/s)" "$(grep '^enqueue batch=1 ' "$out" | field rate)" \
  "$(grep '^pgboss-enqueue batch=1 ' "$out" | field rate)"
row "enqueue, 1000 per transaction (jobs/s)" "$(grep '^enqueue batch=1000 ' "$out" | field rate)" \
  "$(grep '^pgboss-enqueue batch=1000 ' "$out" | field rate)"
for workers in 1 2 4; do
  theirs_best=$(grep "^pgboss-work workers=$workers " "$out" | field rate | best)
  theirs_batch=$(grep "^pgboss-work workers=$workers " "$out" | grep "rate=$theirs_best$" | field batch | head -1)
  row "complete, $workers worker(s) (jobs/s)" "$(grep "^work workers=$workers " "$out" | field rate)" \
    "$theirs_best (batch $theirs_batch)"
done
for workers in 1 2 4; do
  row "complete, $workers worker(s), $finished finished kept" \
    "$(grep "^work-retained workers=$workers " "$out" | field rate)" "-"
done
row "pickup latency p50 / p99, 20 jobs/s (ms)" \
  "$(grep '^latency ' "$out" | field p50_ms) / $(grep '^latency ' "$out" | field p99_ms)" \
  "$(grep '^pgboss-latency ' "$out" | field p50_ms) / $(grep '^pgboss-latency ' "$out" | field p99_ms)"
row "pickup latency p50 / p99, $finished finished kept" \
  "$(grep '^latency-retained ' "$out" | field p50_ms) / $(grep '^latency-retained ' "$out" | field p99_ms)" "-"
echo
grep '^ops ' "$out" | sed 's/^/    /'
