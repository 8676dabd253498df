#!/usr/bin/env bash
# Fault runs (docs/benchmarks.md, "Faults"): keyed clients keep paying (create, confirm, capture; every POST retried
# with its Idempotency-Key until answered) while
#   1. the service is killed with kill -9 at random moments and started again, ROUNDS times;
#   2. PostgreSQL is stopped with "pg_ctlcluster ... stop -m immediate" (a crash) and started again, PG_ROUNDS times;
#   3. event-store transactions are held open across the processor's gap timeout (Bench hold-gap).
# Then, with the service caught up: every acknowledged write is in the event store exactly once, no intent was paid
# twice, and the read model equals the fold of the event store (Bench check). Exit status 0 when all of that holds.
# Writes bench/out/<time>/faults.md (copied to bench/results/faults-latest.md).
#
# Settings (environment): ROUNDS (10), PG_ROUNDS (3), CLIENTS (8), GAP (1: run step 3), GAP_BEYOND (70s),
# GAP_ALLOWED (12s), and those of bench/lib.sh (SKIP_BUILD, MVN_FLAGS, PG_CLUSTER, PG_PORT, SERVICE_PORT, ...).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${OUT:-$ROOT/bench/out/faults-$STAMP}
mkdir -p "$OUT"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

ROUNDS=${ROUNDS:-10}
PG_ROUNDS=${PG_ROUNDS:-3}
CLIENTS=${CLIENTS:-8}
GAP=${GAP:-1}
GAP_BEYOND=${GAP_BEYOND:-70s}
GAP_ALLOWED=${GAP_ALLOWED:-12s}
# A claim of a killed process is taken over after this (default 60 s); longer than any request may run.
SERVICE_ARGS=${SERVICE_ARGS:---payments.idempotency.stale-after=15s}
LOAD_PID=

cleanup() {
  touch "$OUT/ledger.txt.stop"
  if [ -n "$LOAD_PID" ]; then
    kill "$LOAD_PID" 2>/dev/null || true
    wait "$LOAD_PID" 2>/dev/null || true
  fi
  stop_service
  stop_cluster_if_started
}
trap cleanup EXIT

random_between() { echo $(( $1 + RANDOM % ($2 - $1 + 1) )); }
events() { psql_bench -d "$PG_DB" -Atc "SELECT count(*) FROM domain_event_entry" 2>/dev/null || echo '?'; }

ensure_tools
build
start_cluster
fresh_database
{
  echo "command=bench/run-faults.sh (ROUNDS=$ROUNDS PG_ROUNDS=$PG_ROUNDS CLIENTS=$CLIENTS GAP=$GAP GAP_BEYOND=$GAP_BEYOND GAP_ALLOWED=$GAP_ALLOWED)"
  echo "commit=$(cd "$ROOT" && git rev-parse --short HEAD)"
  machine_env
  echo "load average before=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/env.txt"
: >"$OUT/rounds.txt"

start_service
bench fault-load --url="http://127.0.0.1:$SERVICE_PORT" --key="$SECRET_KEY" --ledger="$OUT/ledger.txt" \
  --clients="$CLIENTS" >"$OUT/fault-load.txt" 2>&1 &
LOAD_PID=$!
sleep 5

for round in $(seq 1 "$ROUNDS"); do
  sleep "$(random_between 2 12).$(random_between 0 9)"
  log "round $round/$ROUNDS: kill -9 the service (pid $SERVICE_PID), $(events) events stored"
  kill9_service
  echo "kill -9 service round $round at $(date -u +%H:%M:%S), events before restart: $(events)" >>"$OUT/rounds.txt"
  sleep "$(random_between 0 3)"
  start_service
done

for round in $(seq 1 "$PG_ROUNDS"); do
  sleep "$(random_between 3 10).$(random_between 0 9)"
  log "PostgreSQL round $round/$PG_ROUNDS: stop -m immediate, $(events) events stored"
  pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" stop -m immediate
  echo "pg stop -m immediate round $round at $(date -u +%H:%M:%S)" >>"$OUT/rounds.txt"
  sleep "$(random_between 1 5)"
  pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" start
  log "PostgreSQL started again"
done

gap_status=0
if [ "$GAP" = 1 ]; then
  sleep 5
  log "holding event-store transactions across the gap timeout (beyond $GAP_BEYOND, allowed $GAP_ALLOWED)"
  bench hold-gap --jdbc="$JDBC_URL" --db-user="$PG_USER" --db-password="$PG_PASSWORD" \
    --url="http://127.0.0.1:$SERVICE_PORT" --key="$SECRET_KEY" \
    --application-yml="$ROOT/standalone/src/main/resources/application.yml" \
    --beyond="$GAP_BEYOND" --allowed="$GAP_ALLOWED" | tee "$OUT/gap.txt" || gap_status=$?
fi

log "stopping the clients (they finish their journeys first)"
touch "$OUT/ledger.txt.stop"
wait "$LOAD_PID" || true
LOAD_PID=
tail -1 "$OUT/fault-load.txt"

log "checking: ledger vs event store vs read model"
check_status=0
bench check --jdbc="$JDBC_URL" --db-user="$PG_USER" --db-password="$PG_PASSWORD" --ledger="$OUT/ledger.txt" \
  | tee "$OUT/check.txt" || check_status=$?
echo "load average at the end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/env.txt"
stop_service

{
  echo "# Fault run $STAMP"
  echo
  echo '| | |'
  echo '|---|---|'
  sed 's/|/\\|/g; s/^\([^=]*\)=\(.*\)$/| \1 | \2 |/' "$OUT/env.txt"
  echo
  echo '## Rounds'
  echo
  sed 's/^/- /' "$OUT/rounds.txt"
  echo
  echo '## Clients'
  echo
  echo "$(tail -1 "$OUT/fault-load.txt")"
  echo
  if [ "$GAP" = 1 ]; then
    echo '## Transactions held across the gap timeout'
    echo
    sed 's/^/- /' "$OUT/gap.txt"
    echo
  fi
  echo '## Check'
  echo
  echo '```'
  cat "$OUT/check.txt"
  echo '```'
  echo
  echo "Result: $([ $check_status = 0 ] && [ $gap_status = 0 ] && echo PASSED || echo FAILED)"
} >"$OUT/faults.md"
mkdir -p "$ROOT/bench/results"
cp "$OUT/faults.md" "$ROOT/bench/results/faults-latest.md"
log "report: $OUT/faults.md (copied to bench/results/faults-latest.md)"
[ $check_status = 0 ] && [ $gap_status = 0 ]
