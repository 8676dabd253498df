# Shared by bench/run-load.sh and bench/run-faults.sh: the PostgreSQL 15 cluster, the service process, the tools.
# Source it; it expects ROOT (the repository) and OUT (the run's directory) to be set.

PG_VERSION=${PG_VERSION:-15}
# A cluster of its own by default (port 5433), so that the fault runs can stop PostgreSQL without disturbing anyone
# else's use of the machine's default cluster; PG_CLUSTER=main PG_PORT=5432 runs on that one instead.
PG_CLUSTER=${PG_CLUSTER:-bench}
PG_PORT=${PG_PORT:-5433}
PG_USER=${PG_USER:-bench}
PG_PASSWORD=${PG_PASSWORD:-bench}
PG_DB=${PG_DB:-payments_bench}
SERVICE_PORT=${SERVICE_PORT:-18080}
SECRET_KEY=${SECRET_KEY:-sk_test_benchbenchbench0001}
JAR=${JAR:-$ROOT/standalone/target/payment-intents.jar}
JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/$PG_DB"
PG_DATA_DIR="/var/lib/postgresql/$PG_VERSION/$PG_CLUSTER"
STARTED_CLUSTER=0
SERVICE_PID=

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

need_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "this script manages a PostgreSQL cluster and installs packages: run it as root" >&2
    exit 1
  fi
}

# apt-get install the given packages if the given command is missing.
ensure() {
  local command=$1; shift
  if ! command -v "$command" >/dev/null 2>&1 && [ ! -x "$command" ]; then
    log "installing $* (for $command)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  fi
}

ensure_tools() {
  need_root
  ensure pg_createcluster postgresql-common
  ensure /usr/lib/postgresql/$PG_VERSION/bin/postgres postgresql-$PG_VERSION
  ensure pgbench postgresql-client-$PG_VERSION
  ensure psql postgresql-client-$PG_VERSION
  ensure curl curl
}

psql_admin() { su postgres -c "psql -X -q -v ON_ERROR_STOP=1 -p $PG_PORT $*"; }
psql_bench() { PGPASSWORD=$PG_PASSWORD psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$@"; }

cluster_status() { pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c {print $4}'; }

# Creates the cluster if needed (default settings of Debian's PostgreSQL 15) and starts it.
start_cluster() {
  if [ -z "$(cluster_status)" ]; then
    log "creating PostgreSQL $PG_VERSION cluster $PG_CLUSTER on port $PG_PORT"
    pg_createcluster "$PG_VERSION" "$PG_CLUSTER" -p "$PG_PORT" >/dev/null
  fi
  if [ "$(cluster_status)" != online ]; then
    log "starting PostgreSQL $PG_VERSION/$PG_CLUSTER"
    pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" start
    STARTED_CLUSTER=1
  fi
}

stop_cluster_if_started() {
  if [ "$STARTED_CLUSTER" = 1 ] && [ "${KEEP_CLUSTER:-0}" != 1 ]; then
    log "stopping PostgreSQL $PG_VERSION/$PG_CLUSTER (this script started it)"
    pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" stop || true
  fi
}

# A fresh, empty database for the service, owned by the benchmark's role.
fresh_database() {
  psql_admin -d postgres <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN
    CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD';
  END IF;
END \$\$;
DROP DATABASE IF EXISTS $PG_DB WITH (FORCE);
CREATE DATABASE $PG_DB OWNER $PG_USER;
SQL
}

build() {
  if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "building: ./mvnw -B -q -DskipTests ${MVN_FLAGS:-} package"
    (cd "$ROOT" && ./mvnw -B -q -DskipTests ${MVN_FLAGS:-} package)
  fi
  BENCH_JAR=$(ls "$ROOT"/benchmark/target/benchmark-*-exec.jar | head -1)
}

bench() { java ${BENCH_JAVA_OPTS:-} -jar "$BENCH_JAR" "$@"; }

# Starts the service as README.md does, on the cluster's database; extra JVM options in SERVICE_JAVA_OPTS.
start_service() {
  local logfile=${1:-$OUT/service.log}
  log "starting the service (log $logfile)"
  SPRING_DATASOURCE_URL=$JDBC_URL SPRING_DATASOURCE_USERNAME=$PG_USER SPRING_DATASOURCE_PASSWORD=$PG_PASSWORD \
    PAYMENTS_DATA_DIR="$OUT/data" PAYMENTS_SECRET_KEY=$SECRET_KEY SERVER_PORT=$SERVICE_PORT \
    java ${SERVICE_JAVA_OPTS:-} -jar "$JAR" ${SERVICE_ARGS:-} >>"$logfile" 2>&1 &
  SERVICE_PID=$!
  local i
  for i in $(seq 1 240); do
    if curl -sf "http://127.0.0.1:$SERVICE_PORT/actuator/health/readiness" >/dev/null 2>&1; then
      log "service up (pid $SERVICE_PID) after $((i / 4)) s"
      return 0
    fi
    if ! kill -0 "$SERVICE_PID" 2>/dev/null; then
      log "the service exited during startup; its log:"; tail -50 "$logfile" >&2; return 1
    fi
    sleep 0.25
  done
  log "the service did not become ready in 60 s"; return 1
}

# SIGTERM and wait (graceful shutdown writes a JFR recording, if one runs).
stop_service() {
  if [ -n "$SERVICE_PID" ] && kill -0 "$SERVICE_PID" 2>/dev/null; then
    kill "$SERVICE_PID"
    local i
    for i in $(seq 1 120); do
      kill -0 "$SERVICE_PID" 2>/dev/null || break
      sleep 0.25
    done
    kill -9 "$SERVICE_PID" 2>/dev/null || true
    wait "$SERVICE_PID" 2>/dev/null || true
  fi
  SERVICE_PID=
}

kill9_service() {
  if [ -n "$SERVICE_PID" ]; then
    kill -9 "$SERVICE_PID" 2>/dev/null || true
    wait "$SERVICE_PID" 2>/dev/null || true
  fi
  SERVICE_PID=
}

# name=value lines describing the machine, for the report
machine_env() {
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host=$(hostname)"
  echo "nproc=$(nproc)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  echo "memory=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "kernel=$(uname -sr)"
  echo "java=$(java -version 2>&1 | head -1)"
  echo "postgresql=$(psql_bench -d "$PG_DB" -Atc 'SELECT version()' 2>/dev/null)"
  echo "postgresql settings=$(psql_bench -d "$PG_DB" -Atc "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings WHERE name IN ('shared_buffers','synchronous_commit','fsync','wal_sync_method','max_connections','commit_delay','full_page_writes')" 2>/dev/null)"
}

# Writes $OUT/statements.txt: every statement PostgreSQL ran while one keyed create and one keyed confirm were
# served (the service idle otherwise), with its backend and transaction (virtual xid): the shape the pgbench scripts
# copy. Turns statement logging on for the cluster for those seconds only (ALTER SYSTEM, reverted at once).
capture_statements() {
  local pglog=/var/log/postgresql/postgresql-$PG_VERSION-$PG_CLUSTER.log
  [ -f "$pglog" ] || { log "no $pglog: statements not captured"; return 0; }
  psql_admin -d postgres -c "\"ALTER SYSTEM SET log_min_duration_statement = 0\"" \
    -c "\"ALTER SYSTEM SET log_line_prefix = '%m [%p] vxid=%v '\"" -c "\"SELECT pg_reload_conf()\"" >/dev/null
  sleep 1.5
  local before id auth=(-H "Authorization: Bearer $SECRET_KEY")
  before=$(wc -l <"$pglog")
  echo "--- one keyed create" >"$OUT/statements.raw"
  id=$(curl -sf "${auth[@]}" -H "Idempotency-Key: capture-$RANDOM$RANDOM" "http://127.0.0.1:$SERVICE_PORT/v1/payment_intents" \
    -d amount=2000 -d currency=usd -d customer=cus_capture -d payment_method=pm_card_visa \
    -d "metadata[order_id]=capture" | sed -n 's/^{"id":"\([^"]*\)".*/\1/p')
  sleep 0.7
  sed -n "$((before + 1)),\$p" "$pglog" >>"$OUT/statements.raw"
  before=$(wc -l <"$pglog")
  echo "--- one keyed confirm of $id" >>"$OUT/statements.raw"
  curl -sf "${auth[@]}" -X POST -H "Idempotency-Key: capture-$RANDOM$RANDOM" \
    "http://127.0.0.1:$SERVICE_PORT/v1/payment_intents/$id/confirm" >/dev/null
  sleep 0.7
  sed -n "$((before + 1)),\$p" "$pglog" >>"$OUT/statements.raw"
  psql_admin -d postgres -c "\"ALTER SYSTEM RESET log_min_duration_statement\"" \
    -c "\"ALTER SYSTEM RESET log_line_prefix\"" -c "\"SELECT pg_reload_conf()\"" >/dev/null
  # one line per executed statement: time, backend, transaction, text (parse/bind steps and parameters left out)
  awk '/^---/ {print; next}
       / (execute [^:]*|statement): / && !/scheduled_tasks/ {
         match($0, /\[[0-9]+\]/); pid = substr($0, RSTART, RLENGTH);
         match($0, /vxid=[^ ]*/); vx = substr($0, RSTART + 5, RLENGTH - 5);
         sub(/.*(execute [^:]*|statement): /, ""); if ($0 == "") next;
         printf "%s %-8s %-10s %s\n", substr(FILENAME, 1, 0), pid, vx, substr($0, 1, 150) }' \
    "$OUT/statements.raw" >"$OUT/statements.txt"
  log "statements of one create and one confirm: $OUT/statements.txt"
}
