#!/usr/bin/env bash
# The load benchmark, in one command (docs/benchmarks.md, "Load: the service under fixed arrival rates"):
#   bench/run-load.sh
# builds the jar, starts PostgreSQL 15 (cluster "bench" on port 5433, created if needed) with a fresh database,
# starts the service on it as README.md does, drives it at fixed arrival rates (warm-up, fixed-rate steps, then a
# ramp per scenario until it breaks), stops it, runs pgbench with scripts of the same shape as a create and a
# create+confirm against the same server, and writes bench/out/<time>/report.md (also copied to
# bench/results/latest.md).
#
# Settings (environment):
#   QUICK=1              a short run to try the tooling (about 3 minutes)
#   PROFILE=1            record the service with JFR (service.jfr in the run directory)
#   LABEL=text           a title for the report
#   FIXED, RAMPS, WARMUP, RAMP_STEP, RAMP_FACTOR: the plan (see LoadRun); PGBENCH_CLIENTS, PGBENCH_SECONDS
#   SHAPES="transactional batched-bound"   the pgbench scripts' transactions (autocommit: as before fix 1)
#   AGGREGATE_READS=true  the confirm in pgbench's scripts loads the aggregate (builds before the aggregate cache)
#   SKIP_PGBENCH=1 (the service only; the report is not copied to bench/results), JAR=path (another build),
#   SKIP_BUILD=1, MVN_FLAGS=-o, PG_CLUSTER/PG_PORT, SERVICE_PORT, KEEP_CLUSTER=1, SERVICE_JAVA_OPTS, SERVICE_ARGS
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${OUT:-$ROOT/bench/out/$STAMP}
mkdir -p "$OUT"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

if [ "${QUICK:-0}" = 1 ]; then
  WARMUP=${WARMUP:-pair:50:10s}
  FIXED=${FIXED:-create:200:15s,pair:100:10s,retrieve:500:10s,list:200:10s}
  RAMPS=${RAMPS:-pair:100,create:200}
  RAMP_STEP=${RAMP_STEP:-8s}
  RAMP_FACTOR=${RAMP_FACTOR:-1.5}
  PGBENCH_CLIENTS=${PGBENCH_CLIENTS:-1 8}
  PGBENCH_SECONDS=${PGBENCH_SECONDS:-5}
fi
WARMUP=${WARMUP:-pair:50:30s,create:100:30s}
FIXED=${FIXED:-create:200:60s,pair:100:30s,retrieve:500:30s,list:200:30s}
RAMPS=${RAMPS:-pair:100,create:150,retrieve:400,list:200}
RAMP_STEP=${RAMP_STEP:-20s}
RAMP_FACTOR=${RAMP_FACTOR:-1.25}
PGBENCH_CLIENTS=${PGBENCH_CLIENTS:-1 2 4 8 16 32}
PGBENCH_SECONDS=${PGBENCH_SECONDS:-15}
# the pgbench scripts' transactions (PgbenchScripts): the service's for one request, and the upper bound with the
# projection's own commit and token update gone (what its batching could save at most)
SHAPES=${SHAPES:-transactional batched-bound}

cleanup() {
  stop_service
  stop_cluster_if_started
}
trap cleanup EXIT

ensure_tools
build
start_cluster
fresh_database

{
  echo "label=${LABEL:-$STAMP}"
  echo "command=bench/run-load.sh (QUICK=${QUICK:-0} PROFILE=${PROFILE:-0} SHAPES=$SHAPES${JAR_LABEL:+ JAR=$JAR_LABEL})"
  echo "commit=$(cd "$ROOT" && git rev-parse --short HEAD)$(cd "$ROOT" && git diff --quiet HEAD -- . ':!bench/results' || echo ' (with uncommitted changes)')"
  machine_env
  echo "load average before=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/env.txt"

if [ "${PROFILE:-0}" = 1 ]; then
  # JFR's "profile" settings, with Java and native threads sampled every 2 ms instead of 10 and 20 ms
  java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  sed -e '/name="jdk.ExecutionSample"/,/<\/event>/ s/[0-9]* ms</2 ms</' \
      -e '/name="jdk.NativeMethodSample"/,/<\/event>/ s/[0-9]* ms</2 ms</' \
      "$java_home/lib/jfr/profile.jfc" >"$OUT/profile.jfc"
  SERVICE_JAVA_OPTS="${SERVICE_JAVA_OPTS:-} -XX:StartFlightRecording=filename=$OUT/service.jfr,settings=$OUT/profile.jfc,dumponexit=true"
fi
echo "service=java ${SERVICE_JAVA_OPTS:-} -jar standalone/target/payment-intents.jar ${SERVICE_ARGS:-} (SPRING_DATASOURCE_URL=$JDBC_URL)" >>"$OUT/env.txt"
start_service
capture_statements

log "load: warm-up $WARMUP; fixed $FIXED; ramps $RAMPS (x$RAMP_FACTOR, $RAMP_STEP a step)"
bench load --url="http://127.0.0.1:$SERVICE_PORT" --key="$SECRET_KEY" --jdbc="$JDBC_URL" \
  --db-user="$PG_USER" --db-password="$PG_PASSWORD" --service-pid="$SERVICE_PID" \
  --pg-pid-file="$PG_DATA_DIR/postmaster.pid" --out="$OUT" --warmup="$WARMUP" --fixed="$FIXED" \
  --ramps="$RAMPS" --ramp-step="$RAMP_STEP" --ramp-factor="$RAMP_FACTOR" | tee "$OUT/load.txt"
echo "load average after the load=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/env.txt"
stop_service

if [ "${SKIP_PGBENCH:-0}" = 1 ]; then
  : >"$OUT/pgbench.tsv"
  bench report --load="$OUT/load.json" --pgbench="$OUT/pgbench.tsv" --env="$OUT/env.txt" --out="$OUT/report.md" >/dev/null
  log "report (no pgbench): $OUT/report.md"
  exit 0
fi

# The ceiling: the same statements, sent by pgbench, against copies of the service's tables (same rows, same
# indexes) in a schema of their own in the same database.
log "pgbench ceiling (shapes $SHAPES; clients $PGBENCH_CLIENTS; $PGBENCH_SECONDS s each)"
for shape in $SHAPES; do
  mkdir -p "$OUT/pgbench/$shape"
  bench pgbench-scripts --jdbc="$JDBC_URL" --db-user="$PG_USER" --db-password="$PG_PASSWORD" \
    --out="$OUT/pgbench/$shape" --shape="$shape" --aggregate-reads="${AGGREGATE_READS:-false}" \
    | tee "$OUT/pgbench/sizes.txt"
done
{
  echo "DROP SCHEMA IF EXISTS ceiling CASCADE; CREATE SCHEMA ceiling; SET search_path = ceiling;"
  cat "$ROOT"/command-side/src/main/resources/db/eventstore/V*.sql
  ls "$ROOT"/query-side/src/main/resources/db/query/V*.sql | sort -V | xargs cat
  ls "$ROOT"/api-gateway/src/main/resources/db/gateway/V*.sql | sort -V | xargs cat
  cat <<'SQL'
INSERT INTO ceiling.domain_event_entry SELECT * FROM public.domain_event_entry;
SELECT setval('ceiling.domain_event_entry_global_index_seq', (SELECT coalesce(max(global_index), 1) FROM ceiling.domain_event_entry));
INSERT INTO ceiling.snapshot_event_entry SELECT * FROM public.snapshot_event_entry;
INSERT INTO ceiling.payment_intents (id, account_id, version, status, amount, currency, amount_capturable,
    amount_received, customer, description, payment_method, payment_method_types, capture_method, confirmation_method,
    return_url, metadata, charges, last_payment_error, cancellation_reason, canceled_at, created, created_at, updated_at)
  SELECT id, account_id, version, status, amount, currency, amount_capturable, amount_received, customer, description,
    payment_method, payment_method_types, capture_method, confirmation_method, return_url, metadata, charges,
    last_payment_error, cancellation_reason, canceled_at, created, created_at, updated_at FROM public.payment_intents;
INSERT INTO ceiling.payment_intent_charges SELECT * FROM public.payment_intent_charges;
INSERT INTO ceiling.idempotency_keys SELECT * FROM public.idempotency_keys;
INSERT INTO ceiling.stripe_events SELECT * FROM public.stripe_events;
INSERT INTO ceiling.stripe_event_intents SELECT * FROM public.stripe_event_intents;
-- the service's three processors that handle every event, 4 token rows each (PgbenchScripts.PROCESSORS, SEGMENTS)
INSERT INTO ceiling.token_entry (processor_name, segment, token, token_type, time_stamp, owner)
  SELECT 'pgbench-' || p, s, NULL, NULL, '2026-11-22T08:31:03.660Z', 'pgbench@ceiling'
  FROM unnest(ARRAY['payment-intents', 'stripe-events', 'webhooks']) AS p, generate_series(0, 3) AS s;
ANALYZE ceiling.domain_event_entry, ceiling.payment_intents, ceiling.idempotency_keys, ceiling.payment_intent_charges,
  ceiling.token_entry, ceiling.stripe_events, ceiling.stripe_event_intents;
SQL
} | psql_bench -d "$PG_DB" >/dev/null
: >"$OUT/pgbench.tsv"
for shape in $SHAPES; do
  for script in create pair; do
    for clients in $PGBENCH_CLIENTS; do
      threads=$(( clients < 2 ? 1 : 2 ))
      result="$OUT/pgbench/$shape/$script-c$clients.txt"
      PGPASSWORD=$PG_PASSWORD PGOPTIONS="-c search_path=ceiling" pgbench -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" \
        -n -M prepared -c "$clients" -j "$threads" -T "$PGBENCH_SECONDS" -f "$OUT/pgbench/$shape/$script.sql" \
        "$PG_DB" >"$result" 2>&1 || true
      tps=$(awk '/^tps = / {print $3; exit}' "$result")
      latency=$(awk '/^latency average = / {print $4; exit}' "$result")
      failed=$(awk '/number of failed transactions:/ {print $5; exit}' "$result")
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$shape" "$script" "$clients" "${tps:-0}" "${latency:-?}" "${failed:-?}" \
        >>"$OUT/pgbench.tsv"
      log "pgbench $shape $script -c $clients: ${tps:-FAILED (see $result)} tps"
    done
  done
done
echo "pgbench=pgbench -n -M prepared -c N -j min(N,2) -T $PGBENCH_SECONDS -f {create,pair}.sql (PGOPTIONS=-c search_path=ceiling)" >>"$OUT/env.txt"
echo "load average at the end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/env.txt"

bench report --load="$OUT/load.json" --pgbench="$OUT/pgbench.tsv" --env="$OUT/env.txt" --out="$OUT/report.md" \
  --same-shape="${SHAPES%% *}" >/dev/null
mkdir -p "$ROOT/bench/results"
cp "$OUT/report.md" "$ROOT/bench/results/latest.md"
log "report: $OUT/report.md (copied to bench/results/latest.md)"
