#!/usr/bin/env bash
# The local stack: a real Apache Kafka broker (KRaft; one node, or a 3-node
# cluster) and a private PostgreSQL 15 cluster, both in a project-local
# directory on free ports. This is the embedded default every Lienthong program
# connects to unless given other Kafka bootstrap servers or another PostgreSQL
# connection string.
#
# Usage: deploy/stack.sh COMMAND [--dir DIR] [--kafka-nodes 1|3]
#   up        create (first time) and start everything; print the settings
#   down      stop everything; state is kept for the next `up`
#   status    say what runs where
#   env       print the settings as shell assignments (eval "$(deploy/stack.sh env)")
#   psql      open psql on the stack's database (extra arguments go to psql)
#   destroy   stop everything and delete the stack's directory
#   kafka-stop N / kafka-start N   stop or start one broker node (fault tests)
#   pg-stop / pg-start             stop (fast shutdown) or start PostgreSQL alone (fault tests)
#
# DIR defaults to $LT_STACK_DIR or <project>/.lienthong/stack. --kafka-nodes is
# read on first `up` only (3 gives replication factor 3, min.insync.replicas 2).
# Passwords live in files inside DIR (mode 0600), never on command lines.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=lib/common.sh
. "$here/lib/common.sh"
LT_LOG_TAG=stack

PG_BIN=${LT_PG_BIN:-/usr/lib/postgresql/15/bin}
KAFKA_SH="$here/kafka/kafka.sh"

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; }

cmd=${1:-}
[ -n "$cmd" ] || { usage; exit 2; }
shift
dir=${LT_STACK_DIR:-$root/.lienthong/stack}
nodes=1
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir=$2; shift 2 ;;
    --dir=*) dir=${1#*=}; shift ;;
    --kafka-nodes) nodes=$2; shift 2 ;;
    --kafka-nodes=*) nodes=${1#*=}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) extra+=("$1"); shift ;;
  esac
done
case "$nodes" in 1|3) ;; *) lt_die "--kafka-nodes must be 1 or 3, got '$nodes'" ;; esac
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pgdir=$dir/postgres
kdir=$dir/kafka

# --- PostgreSQL -----------------------------------------------------------
# The server refuses to run as root, so as root it runs as the `postgres`
# system user (created by Debian's package), which must be able to reach DIR.
pg_as() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# As root: make sure the postgres user can traverse every directory above
# DIR (search permission only, o+x), saying so for each one it changes.
pg_grant_path() {
  [ "$(id -u)" -eq 0 ] || return 0
  id postgres >/dev/null 2>&1 || lt_die "no 'postgres' system user; run deploy/install-deps.sh"
  local d=$dir
  while [ "$d" != "/" ]; do
    if ! runuser -u postgres -- test -x "$d" 2>/dev/null; then
      lt_log "granting search permission (o+x) on $d so the postgres user can reach its data"
      chmod o+x "$d"
    fi
    d=$(dirname "$d")
  done
}

pg_init() {
  [ -f "$pgdir/data/PG_VERSION" ] && return 0
  [ -x "$PG_BIN/initdb" ] || lt_die "PostgreSQL 15 not found in $PG_BIN; run deploy/install-deps.sh"
  lt_log "creating a private PostgreSQL cluster in $pgdir"
  pg_grant_path
  rm -rf "$pgdir"
  mkdir -p "$pgdir"
  local port pw
  port=$(lt_free_port)
  pw=$(head -c 24 /dev/urandom | base64 | tr -d '/+=' | head -c 32)
  umask 077
  printf '%s\n' "$pw" > "$pgdir/superuser.pw"
  printf '127.0.0.1:%s:*:lienthong:%s\n' "$port" "$pw" > "$pgdir/pgpass"
  printf 'PG_PORT=%s\n' "$port" > "$pgdir/ports.env"
  umask 022
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$pgdir"
    chown postgres "$pgdir/superuser.pw"
  fi
  pg_as "$PG_BIN/initdb" -D "$pgdir/data" -U lienthong --pwfile="$pgdir/superuser.pw" \
    --auth-host=scram-sha-256 --auth-local=reject --encoding=UTF8 --no-locale >"$pgdir/initdb.log" 2>&1 \
    || { cat "$pgdir/initdb.log" >&2; lt_die "initdb failed (log above)"; }
  rm -f "$pgdir/superuser.pw"
  cat >> "$pgdir/data/postgresql.conf" <<CONF

# --- Lienthong local stack ---
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = ''
max_connections = 200
shared_buffers = 256MB
wal_level = replica
logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
CONF
  # Local (socket) logins are refused; TCP on loopback needs the password.
  sed -i 's/^local .*$//' "$pgdir/data/pg_hba.conf"
}

pg_port() { ( . "$pgdir/ports.env"; echo "$PG_PORT" ); }

pg_running() { pg_as "$PG_BIN/pg_ctl" -D "$pgdir/data" status >/dev/null 2>&1; }

pg_start() {
  if pg_running; then lt_log "PostgreSQL already running on port $(pg_port)"; return 0; fi
  local port; port=$(pg_port)
  lt_port_free "$port" || lt_die "PostgreSQL's port $port is taken by another program; free it or 'destroy' this stack"
  pg_grant_path
  lt_log "starting PostgreSQL on 127.0.0.1:$port"
  pg_as "$PG_BIN/pg_ctl" -D "$pgdir/data" -l "$pgdir/postgres.log" -w -t 60 start >/dev/null \
    || { tail -20 "$pgdir/postgres.log" >&2; lt_die "PostgreSQL did not start (log above)"; }
  # The project's database, created once.
  if ! PGPASSFILE=$pgdir/pgpass psql -X -q -h 127.0.0.1 -p "$port" -U lienthong -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = 'lienthong'" | grep -q 1; then
    PGPASSFILE=$pgdir/pgpass psql -X -q -h 127.0.0.1 -p "$port" -U lienthong -d postgres \
      -c "CREATE DATABASE lienthong" >/dev/null
    lt_log "created database lienthong"
  fi
}

pg_stop() {
  [ -f "$pgdir/data/PG_VERSION" ] || return 0
  if pg_running; then
    lt_log "stopping PostgreSQL"
    pg_as "$PG_BIN/pg_ctl" -D "$pgdir/data" -m fast -w -t 60 stop >/dev/null
  fi
}

# --- Kafka ----------------------------------------------------------------
kafka_init() {
  local n=$nodes
  [ -f "$kdir/nodes" ] && n=$(cat "$kdir/nodes")
  "$KAFKA_SH" init --dir "$kdir" --nodes "$n" >&2
  echo "$n" > "$kdir/nodes"
}

print_env() {
  local port; port=$(pg_port)
  cat <<ENV
LT_KAFKA_BOOTSTRAP=$("$KAFKA_SH" bootstrap --dir "$kdir")
LT_PG_URL=postgresql://lienthong@127.0.0.1:$port/lienthong
PGPASSFILE=$pgdir/pgpass
LT_STACK_DIR=$dir
ENV
}

case "$cmd" in
  up)
    kafka_init
    pg_init
    "$KAFKA_SH" start --dir "$kdir" >&2
    pg_start
    print_env > "$dir/stack.env"
    lt_log "stack is up ($(cat "$kdir/nodes") Kafka node(s), PostgreSQL 15); settings in $dir/stack.env:"
    cat "$dir/stack.env"
    ;;
  down)
    [ -d "$kdir" ] && "$KAFKA_SH" stop --dir "$kdir" >&2
    pg_stop
    lt_log "stack is down; state kept in $dir"
    ;;
  status)
    if [ -d "$kdir" ]; then "$KAFKA_SH" status --dir "$kdir" || true; else echo "kafka: not created"; fi
    if [ -f "$pgdir/data/PG_VERSION" ]; then
      if pg_running; then echo "postgres: running on 127.0.0.1:$(pg_port)"; else echo "postgres: stopped (port $(pg_port))"; fi
    else echo "postgres: not created"; fi
    ;;
  env)
    [ -f "$pgdir/ports.env" ] || lt_die "no stack in $dir yet: run '$0 up' first"
    print_env
    ;;
  psql)
    [ -f "$pgdir/ports.env" ] || lt_die "no stack in $dir yet: run '$0 up' first"
    PGPASSFILE=$pgdir/pgpass exec psql -X -h 127.0.0.1 -p "$(pg_port)" -U lienthong -d lienthong "${extra[@]}"
    ;;
  destroy)
    [ -d "$kdir" ] && "$KAFKA_SH" destroy --dir "$kdir" >&2
    pg_stop
    rm -rf "$dir"
    lt_log "stack destroyed ($dir removed)"
    ;;
  kafka-stop|kafka-start)
    [ ${#extra[@]} -eq 1 ] || lt_die "$cmd needs a node number"
    "$KAFKA_SH" "${cmd#kafka-}" --dir "$kdir" --node "${extra[0]}" >&2
    ;;
  pg-stop) pg_stop >&2 ;;
  pg-start) pg_start >&2 ;;
  *) usage; exit 2 ;;
esac
