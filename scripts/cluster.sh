#!/usr/bin/env bash
# A real Temporal cluster on this machine: a private PostgreSQL (Debian's package) and Temporal's four services
# (frontend, history, matching, worker) as separate processes, with SQL visibility and zke's search attributes.
#   scripts/cluster.sh up       start what is not running (first time: initdb, schema, namespace); idempotent
#   scripts/cluster.sh status   each process with its PID and state; exits 1 unless all run
#   scripts/cluster.sh down     kill every recorded PID and remove the state directory
#   scripts/cluster.sh address  the frontend's host:port (TEMPORAL_ADDRESS for zke)
#   scripts/cluster.sh env      export lines for zke: TEMPORAL_ADDRESS, the ZKE_TEMPORAL_TLS_* files, ZKE_TEMPORAL_UI_URL
# mTLS to the frontend unless ZKE_TEMPORAL_CLUSTER_TLS=0 at the first `up` (a CA of its own, in the state dir).
# The Web UI listens on loopback only, read-only; the zke API serves it to token holders (api/temporalUi.ts).
# State: $ZKE_TEMPORAL_CLUSTER_DIR (default .zke/temporal-cluster). Binaries: scripts/temporal-build.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
state=${ZKE_TEMPORAL_CLUSTER_DIR:-$here/../.zke/temporal-cluster}
cli=${TEMPORAL_CLI:-$here/../.zke/tools/py/bin/temporal}
pg_bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
services=(history matching frontend worker)
tls=${ZKE_TEMPORAL_CLUSTER_TLS:-1} # 0: the frontend in plain gRPC, open to anyone who reaches its port
# Offsets from the base port: each service's gRPC port, membership port 10 above it.
declare -A offset=([frontend]=0 [history]=1 [matching]=2 [worker]=3)

log() { echo "cluster: $*" >&2; }
die() {
  log "$*"
  exit 1
}
# A service is gone: say so with the end of its log (the state directory may be removed before anyone looks).
died() {
  tail -n 15 "$state/logs/$1.log" | cut -c1-600 >&2 || true
  die "$1 exited: see $state/logs/$1.log"
}

# --- processes -----------------------------------------------------------------------------------------------
pid_of() { cat "$state/pids/$1.pid" 2>/dev/null || true; }
# Alive, not a zombie, and still our program (a recorded PID may have been reused by now).
running() {
  local pid comm=temporal-server
  pid=$(pid_of "$1")
  [[ $1 == postgres ]] && comm=postgres
  [[ $1 == ui ]] && comm=temporal-ui-ser # comm keeps 15 characters
  [[ -n $pid && $(cat "/proc/$pid/comm" 2>/dev/null) == "$comm" ]] &&
    ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null
}

# Signals $1 (TERM, INT, ...) to the other arguments, PIDs, at once; SIGKILL to those still alive after 15 s.
stop_pids() {
  local sig=$1 pid i left
  shift
  kill -"$sig" "$@" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do
    left=()
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && left+=("$pid"); done
    ((${#left[@]})) || return 0
    sleep 0.1
  done
  kill -KILL "${left[@]}" 2>/dev/null || true
}

# Runs as the postgres user when we are root (initdb refuses root), else as ourselves.
as_pg() {
  if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi
}

# --- ports ---------------------------------------------------------------------------------------------------
port_taken() { [ -n "$(ss -Htln "sport = :$1")" ]; }

# A base port whose block (gRPC, membership, HTTP, PostgreSQL) is free on 127.0.0.1.
pick_base() {
  local base p free
  for _ in $(seq 50); do
    base=$((20000 + RANDOM % 12000)) # below the kernel's ephemeral range (32768-): no outgoing socket takes them
    free=1
    for p in $(seq "$base" $((base + 3))) $(seq $((base + 10)) $((base + 13))) $((base + 20)) $((base + 30)) $((base + 40)); do
      port_taken "$p" && free=0 && break
    done
    ((free)) && echo "$base" && return
  done
  die "no free block of ports"
}

# --- first-time setup ----------------------------------------------------------------------------------------
init_state() {
  mkdir -p "$state"/{pids,logs}
  chmod 700 "$state"
  local base=${TEMPORAL_CLUSTER_PORT:-$(pick_base)}
  umask 077
  cat >"$state/env" <<EOF
base=$base
pg_port=$((base + 30))
tls=$tls
db_password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
EOF
}

init_postgres() {
  mkdir -p "$state/pg/data" "$state/pg/run"
  if ((EUID == 0)); then
    chmod 711 "$state" # postgres only traverses it; everything else in it stays root's
    chown -R postgres: "$state/pg"
  fi
  local pwfile="$state/pg/pwfile"
  (umask 077 && echo "$db_password" >"$pwfile")
  ((EUID == 0)) && chown postgres: "$pwfile"
  as_pg "$pg_bin/initdb" -D "$state/pg/data" -U temporal --auth=scram-sha-256 --pwfile="$pwfile" \
    -E UTF8 --locale=C.UTF-8 >"$state/logs/initdb.log" 2>&1 || die "initdb failed: see $state/logs/initdb.log"
  rm -f "$pwfile"
}

start_postgres() {
  running postgres && return
  [[ -f $state/pg/data/PG_VERSION ]] || init_postgres
  rm -f "$state/pg/data/postmaster.pid" # a stale one from a killed server (its PID is not ours any more)
  as_pg "$pg_bin/pg_ctl" -D "$state/pg/data" -l "$state/pg/postgres.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $state/pg/run" >/dev/null ||
    die "PostgreSQL did not start: see $state/pg/postgres.log"
  head -n 1 "$state/pg/data/postmaster.pid" >"$state/pids/postgres.pid"
}

sql_tool() {
  SQL_PASSWORD=$db_password "$bin/temporal-sql-tool" --plugin postgres12 --ep 127.0.0.1 -p "$pg_port" \
    -u temporal "$@"
}

# Both databases at the server's schema version; update-schema is a no-op when they are current.
setup_schema() {
  local db
  for db in temporal temporal_visibility; do
    local name=temporal
    [[ $db == temporal_visibility ]] && name=visibility
    if [[ ! -f $state/schema-$db ]]; then
      sql_tool --db "$db" create-database >>"$state/logs/schema.log" 2>&1 || true
      sql_tool --db "$db" setup-schema -v 0.0 >>"$state/logs/schema.log" 2>&1 ||
        die "schema setup of $db failed: see $state/logs/schema.log"
      touch "$state/schema-$db"
    fi
    sql_tool --db "$db" update-schema --schema-name "postgresql/v12/$name" >>"$state/logs/schema.log" 2>&1 ||
      die "schema update of $db failed: see $state/logs/schema.log"
  done
}

# --- mTLS: a CA of this topology, the frontend's certificate, and a client certificate for zke --------------
# The frontend serves TLS and accepts only clients with a certificate from this CA (zke, the temporal CLI, the
# system worker). The other services talk to each other in plain gRPC on 127.0.0.1.
issue_cert() {
  local name=$1 ext=$2 dir=$state/tls
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 825 \
    -extfile <(printf '%s\n' "$ext") -out "$dir/$name.pem" 2>/dev/null
  rm -f "$dir/$name.csr"
}

make_certs() {
  [[ -f $state/tls/client.pem ]] && return
  mkdir -p "$state/tls"
  (
    umask 077
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 -subj /CN=zke-temporal-ca \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
      -keyout "$state/tls/ca.key" -out "$state/tls/ca.pem" 2>/dev/null
    issue_cert frontend $'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth'
    issue_cert client 'extendedKeyUsage=clientAuth'
  )
}

tls_config() {
  local t=$state/tls
  cat <<EOF
  tls:
    frontend:
      server:
        certFile: $t/frontend.pem
        keyFile: $t/frontend.key
        requireClientAuth: true
        clientCaFiles: [$t/ca.pem]
      client:
        serverName: 127.0.0.1
        rootCaFiles: [$t/ca.pem]
    systemWorker:
      certFile: $t/client.pem
      keyFile: $t/client.key
      client:
        serverName: 127.0.0.1
        rootCaFiles: [$t/ca.pem]
EOF
}

# --- Temporal's configuration --------------------------------------------------------------------------------
sql_store() {
  cat <<EOF
      sql:
        pluginName: postgres12
        databaseName: $1
        connectAddr: "127.0.0.1:$pg_port"
        connectProtocol: tcp
        user: temporal
        password: "$db_password"
        maxConns: $2
        maxIdleConns: $2
        maxConnLifetime: 1h
EOF
}

service_config() {
  local s=$1 grpc=$((base + offset[$1]))
  echo "  $s:"
  echo "    rpc:"
  echo "      grpcPort: $grpc"
  echo "      membershipPort: $((grpc + 10))"
  echo "      bindOnIP: 127.0.0.1"
  [[ $s == frontend ]] && echo "      httpPort: $((base + 20))"
  return 0
}

write_config() {
  (
    umask 077
    {
      cat <<EOF
log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: 4
  datastores:
    default:
$(sql_store temporal 20)
    visibility:
$(sql_store temporal_visibility 4)
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
EOF
      ((tls)) && tls_config
      echo "services:"
      for s in "${services[@]}"; do service_config "$s"; done
      cat <<EOF
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "127.0.0.1:$base"
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: "$state/dynamicconfig.yaml"
  pollInterval: 10s
EOF
    } >"$state/temporal.yaml"
    # A search attribute registered a moment ago is visible at once (as on the dev server).
    cat >"$state/dynamicconfig.yaml" <<EOF
system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
EOF
  )
}

# Starts a service that is not running and waits until its membership port listens: started one at a time,
# each joins the ring the ones before it formed (started together, two may each form a ring of their own).
start_service() {
  local s=$1 port=$((base + offset[$1] + 10))
  running "$s" && return
  setsid "$bin/temporal-server" --config-file "$state/temporal.yaml" --allow-no-auth start --service "$s" \
    </dev/null >>"$state/logs/$s.log" 2>&1 &
  echo $! >"$state/pids/$s.pid"
  for _ in $(seq 600); do
    port_taken "$port" && return
    kill -0 "$(pid_of "$s")" 2>/dev/null || died "$s"
    sleep 0.1
  done
  die "$s did not listen on $port within 60 s: see $state/logs/$s.log"
}

# --- the Web UI: loopback only, under /temporal-ui (the zke API's path for it), every write action off ---------
ui_config() {
  local t=$state/tls
  mkdir -p "$state/ui/config"
  (
    umask 077
    cat >"$state/ui/config/production.yaml" <<EOF
temporalGrpcAddress: 127.0.0.1:$base
host: 127.0.0.1
port: $((base + 40))
publicPath: /temporal-ui
enableUi: true
defaultNamespace: default
notifyOnNewVersion: false
refreshInterval: 1m
disableWriteActions: true
workflowTerminateDisabled: true
workflowCancelDisabled: true
workflowSignalDisabled: true
workflowUpdateDisabled: true
workflowResetDisabled: true
batchActionsDisabled: true
startWorkflowDisabled: true
auth:
  enabled: false
EOF
    if ((tls)); then
      cat >>"$state/ui/config/production.yaml" <<EOF
tls:
  caFile: $t/ca.pem
  certFile: $t/client.pem
  keyFile: $t/client.key
  serverName: 127.0.0.1
EOF
    fi
  )
}

start_ui() {
  local port=$((base + 40))
  running ui && return
  ui_config
  setsid "$bin/temporal-ui-server" --root "$state/ui" --config config --env production start \
    </dev/null >>"$state/logs/ui.log" 2>&1 &
  echo $! >"$state/pids/ui.pid"
  for _ in $(seq 300); do
    port_taken "$port" && return
    kill -0 "$(pid_of ui)" 2>/dev/null || died ui
    sleep 0.1
  done
  die "the UI did not listen on $port within 30 s: see $state/logs/ui.log"
}

# --- zke's namespace and search attributes -------------------------------------------------------------------
tctl() {
  local t=$state/tls flags=()
  ((tls)) && flags=(--tls-ca-path "$t/ca.pem" --tls-cert-path "$t/client.pem" --tls-key-path "$t/client.key")
  "$cli" --address "127.0.0.1:$base" "${flags[@]}" "$@"
}

# Ready when the frontend answers and reaches history (a workflow that does not exist is "not found", not
# "Not enough hosts") and matching (a task queue can be described).
answers() { tctl operator cluster health >/dev/null 2>&1; }
ready() {
  answers && [[ $(tctl workflow describe -n default -w zke-ready-probe 2>&1) == *"not found"* ]] &&
    tctl task-queue describe -n default --task-queue zke-ready-probe >/dev/null 2>&1
}

# Waits up to 120 s for the check $1 (answers, ready) to pass.
wait_for() {
  for _ in $(seq 120); do
    "$1" && return
    for s in "${services[@]}"; do running "$s" || died "$s"; done
    sleep 1
  done
  die "the cluster was not ready within 120 s: see the logs in $state/logs"
}

register_zke() {
  [[ -f $state/registered ]] && return
  tctl operator namespace describe -n default >/dev/null 2>&1 ||
    tctl operator namespace create -n default --retention 72h >/dev/null
  # The names the workflows set (common/searchAttributes.ts), all Keyword. A new namespace reaches every
  # frontend's cache within seconds: until then the call says it does not exist.
  local sa names
  names=$(sed -n "s/^ *'\([A-Za-z]*\)=Keyword',*$/\1/p" "$here/../common/searchAttributes.ts")
  for sa in $names; do
    for _ in $(seq 60); do
      [[ $(tctl operator search-attribute list -n default 2>/dev/null) == *" $sa "* ]] && continue 2
      tctl operator search-attribute create -n default --name "$sa" --type Keyword >/dev/null 2>&1 || sleep 1
    done
    die "could not register the search attribute $sa"
  done
  touch "$state/registered"
}

# --- verbs ---------------------------------------------------------------------------------------------------
load_env() {
  [[ -f $state/env ]] || return 1
  # shellcheck disable=SC1091
  source "$state/env"
}

# Debian's PostgreSQL, installed when missing (as root; else say how).
ensure_postgres() {
  [[ -x $pg_bin/initdb ]] && return
  ((EUID == 0)) || die "PostgreSQL not found: apt-get install postgresql (or set PG_BIN)"
  local apt=(apt-get -o DPkg::Lock::Timeout=300 -qq)
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends postgresql >/dev/null ||
    { "${apt[@]}" update && DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends postgresql >/dev/null; }
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
}

up() {
  ensure_postgres
  [[ -x $cli ]] || die "temporal CLI not found at $cli (run scripts/ensure-tools.sh, or set TEMPORAL_CLI)"
  bin=$(bash "$here/temporal-build.sh")
  load_env || init_state
  load_env
  start_postgres
  setup_schema
  if ((tls)); then make_certs; fi
  write_config
  for s in "${services[@]}"; do start_service "$s"; done
  wait_for answers
  register_zke
  wait_for ready
  start_ui
  echo "127.0.0.1:$base"
}

status() {
  local all=0 p
  for p in postgres "${services[@]}" ui; do
    if running "$p"; then echo "$p running $(pid_of "$p")"; else
      echo "$p stopped"
      all=1
    fi
  done
  return $all
}

# What a zke worker, API or CLI needs to reach this frontend, for `eval "$(scripts/cluster.sh env)"`.
zke_env() {
  echo "export TEMPORAL_ADDRESS=127.0.0.1:$base"
  if ((tls)); then
    echo "export ZKE_TEMPORAL_TLS_CA=$state/tls/ca.pem"
    echo "export ZKE_TEMPORAL_TLS_CERT=$state/tls/client.pem ZKE_TEMPORAL_TLS_KEY=$state/tls/client.key"
  fi
  echo "export ZKE_TEMPORAL_UI_URL=http://127.0.0.1:$((base + 40))"
}

down() {
  [[ -d $state ]] || return 0
  local s pids=()
  for s in ui "${services[@]}"; do running "$s" && pids+=("$(pid_of "$s")"); done
  ((${#pids[@]})) && stop_pids TERM "${pids[@]}"
  # SIGINT: PostgreSQL's fast shutdown (SIGTERM would wait for every client to leave).
  if running postgres; then stop_pids INT "$(pid_of postgres)"; fi
  rm -rf "$state"
}

case ${1:-} in
up) up ;;
down) down ;;
status) status ;;
address) load_env && echo "127.0.0.1:$base" ;;
env) load_env && zke_env ;;
*) die "usage: $0 up|down|status|address|env" ;;
esac
