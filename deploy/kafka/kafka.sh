#!/usr/bin/env bash
# Lienthong: run a real Apache Kafka broker (KRaft, no ZooKeeper) on this machine,
# from the jars published in the Maven repository (pom.xml next to this script),
# without the release tarball, Docker or Gradle.
#
#   kafka.sh fetch                      download the jars once into the cache
#   kafka.sh init  --dir DIR [--nodes 1|3]   lay out DIR, pick ports, format storage
#   kafka.sh start --dir DIR [--node N] [--timeout S]
#   kafka.sh stop  --dir DIR [--node N]
#   kafka.sh status|bootstrap|destroy --dir DIR
#
# Every node is a combined broker+controller with a static quorum
# (controller.quorum.voters) on 127.0.0.1 ports chosen free at init time and kept
# in DIR/ports.env. State lives in DIR and survives stop/start. Processes are
# tracked by their PID files only (DIR/nodeN/broker.pid): nothing is ever killed
# by name. Run `kafka.sh --help` for details.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LT_LOG_TAG=kafka
# shellcheck source=../lib/common.sh
. "$HERE/../lib/common.sh"

POM=$HERE/pom.xml
LOG4J_CONF=$HERE/log4j2.properties
# The Kafka version lives in one place: the kafka.version property of pom.xml.
KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM" | head -n1)
[ -n "$KAFKA_VERSION" ] || lt_die "cannot read <kafka.version> from $POM"

usage() {
  cat <<EOF
Usage: kafka.sh COMMAND [OPTIONS]

Run a real Apache Kafka $KAFKA_VERSION broker (KRaft mode) from Maven jars.

Commands:
  fetch                       Download the broker jars once (mvn) into
                              \$(cache)/kafka-$KAFKA_VERSION/libs and print that directory.
                              Later calls reuse it. Cache: \$LT_CACHE_DIR, else
                              \$XDG_CACHE_HOME/lienthong, else ~/.cache/lienthong.
  init --dir DIR [--nodes N]  Create DIR for a cluster of N nodes (1 or 3, default 1):
                              free ports (DIR/ports.env), DIR/nodeK/server.properties,
                              a cluster id, formatted storage. A DIR already
                              initialised is left as it is.
  start --dir DIR [--node K] [--timeout SECONDS]
                              Start every node (or node K) in the background and wait
                              (default 90 s) until each started broker answers a
                              metadata request listing every running node, and every
                              partition whose replicas all run has its full ISR.
                              Refuses if a port of DIR is taken by another process.
                              Log: DIR/nodeK/broker.log, pid: DIR/nodeK/broker.pid.
  stop --dir DIR [--node K]   Stop every node (or node K), one at a time, by its PID
                              file (SIGTERM: controlled shutdown). The last running
                              node of a 3-node cluster has no quorum left to finish
                              that and gets SIGKILL after 10 s.
  status --dir DIR            One line per node: running/stopped, pid, ports, RSS.
                              Exit status 0 when every node runs, 3 otherwise.
  bootstrap --dir DIR         Print the bootstrap servers: 127.0.0.1:P1[,127.0.0.1:P2,...]
  destroy --dir DIR           Stop every node, then delete DIR.
  -h, --help                  This help.

Environment:
  LT_KAFKA_JAVA_OPTS          Extra JVM options for the broker (appended).
  LT_CACHE_DIR                Cache directory for the jars (see fetch).

Needs: java 17+, mvn (first fetch only), kcat (readiness check), ss.
Example:
  kafka.sh init --dir /tmp/k1 && kafka.sh start --dir /tmp/k1
  kcat -L -b "\$(kafka.sh bootstrap --dir /tmp/k1)"
  kafka.sh destroy --dir /tmp/k1
EOF
}

# --------------------------------------------------------------------- fetch

# cache_root: where the jars of this Kafka version are kept.
cache_root() { printf '%s/kafka-%s\n' "$(lt_cache_dir)" "$KAFKA_VERSION"; }

# The stamp holds the checksum of pom.xml: editing the pom (another version, an
# extra jar) makes the next fetch download again.
pom_sum() { sha256sum "$POM" | cut -d' ' -f1; }

# ensure_libs: downloads the jars unless a complete copy is cached; prints the
# libs directory. A download goes to a temporary directory that replaces libs/
# only when mvn succeeded; the stamp is written last, so an interrupted
# download is simply redone. A lock serialises concurrent fetches.
ensure_libs() {
  local root libs stamp tmp t0 n
  root=$(cache_root); libs=$root/libs; stamp=$root/fetched.ok
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(pom_sum)" ] && [ -d "$libs" ]; then
    printf '%s\n' "$libs"; return 0
  fi
  command -v mvn >/dev/null || lt_die "mvn not found (needed once to download the Kafka jars)"
  mkdir -p "$root"
  exec 9>"$root/.lock"
  flock 9
  # Another fetch may have finished while we waited for the lock.
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(pom_sum)" ] && [ -d "$libs" ]; then
    exec 9>&-; printf '%s\n' "$libs"; return 0
  fi
  rm -f "$stamp"
  tmp=$root/libs.partial
  rm -rf "$tmp"
  lt_log "downloading Kafka $KAFKA_VERSION jars with mvn into $libs (first time only)"
  t0=$(date +%s)
  # -B: batch mode, no prompts; stdin closed; no target/ is written because the
  # output directory is given explicitly. mvn's output is shown only on failure.
  if ! mvn -q -B -f "$POM" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$tmp" </dev/null >"$root/mvn.log" 2>&1; then
    sed 's/\x1b\[[0-9;]*m//g' "$root/mvn.log" >&2
    rm -rf "$tmp"
    lt_die "mvn could not download the Kafka $KAFKA_VERSION jars (mvn output above, also in $root/mvn.log)"
  fi
  n=$(find "$tmp" -name '*.jar' | wc -l)
  [ -f "$tmp/kafka_2.13-$KAFKA_VERSION.jar" ] || lt_die "download incomplete: kafka_2.13-$KAFKA_VERSION.jar missing in $tmp"
  rm -rf "$libs"
  mv "$tmp" "$libs"
  pom_sum >"$stamp"
  lt_log "downloaded $n jars in $(( $(date +%s) - t0 )) s"
  exec 9>&-
  printf '%s\n' "$libs"
}

need_java() {
  command -v java >/dev/null || lt_die "java not found (Kafka $KAFKA_VERSION needs Java 17+)"
  local v
  v=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  [ "${v%%.*}" -ge 17 ] 2>/dev/null || lt_die "java $v found, Kafka $KAFKA_VERSION needs Java 17+"
}

# kafka_tool CLASS ARGS...: runs a Kafka main class (e.g. the StorageTool) with
# our jars and logging; its logs go to stderr.
kafka_tool() {
  local libs=$1; shift
  java -Xmx256m -Dlog4j2.configurationFile="$LOG4J_CONF" -cp "$libs/*" "$@"
}

# --------------------------------------------------------------------- helpers

# abs_dir PATH: absolute path without requiring it to exist.
abs_dir() { realpath -m -- "$1"; }

# load_env DIR [any]: reads DIR/ports.env (written by init) or dies. Without
# "any", DIR must also be completely initialised.
load_env() {
  [ -f "$1/ports.env" ] && { [ "${2:-}" = any ] || [ -f "$1/initialised" ]; } \
    || lt_die "$1 is not an initialised Kafka directory (run: kafka.sh init --dir $1)"
  # shellcheck disable=SC1091
  . "$1/ports.env"
  if [ -n "${OPT_NODE:-}" ]; then
    [[ "$OPT_NODE" =~ ^[0-9]+$ ]] && [ "$OPT_NODE" -ge 1 ] && [ "$OPT_NODE" -le "$KAFKA_NODES" ] \
      || lt_die "--node must be between 1 and $KAFKA_NODES for $1"
  fi
  # Forget PID files that do not name one of our brokers any more (the process
  # ended, or the PID was reused after a reboot): nothing else is ever signalled.
  local n pf
  for n in $(seq 1 "$KAFKA_NODES"); do
    pf=$(pidfile "$n")
    [ -f "$pf" ] || continue
    if ! lt_pid_alive "$pf" || ! tr '\0' ' ' <"/proc/$(cat "$pf")/cmdline" 2>/dev/null \
         | grep -qF "kafka.Kafka $DIR/node$n/server.properties"; then
      rm -f "$pf"
    fi
  done
}

# nodes_selected: the node numbers a command acts on (all, or --node K; K is
# checked by load_env, as this runs in a subshell where lt_die cannot stop us).
nodes_selected() {
  if [ -n "$OPT_NODE" ]; then echo "$OPT_NODE"; else seq 1 "$KAFKA_NODES"; fi
}

broker_port()     { local v="KAFKA_BROKER_PORT_$1";     printf '%s\n' "${!v}"; }
controller_port() { local v="KAFKA_CONTROLLER_PORT_$1"; printf '%s\n' "${!v}"; }
pidfile()         { printf '%s/node%s/broker.pid\n' "$DIR" "$1"; }
logfile()         { printf '%s/node%s/broker.log\n' "$DIR" "$1"; }

# elapsed T0: seconds (one decimal) since T0, a `date +%s%N` value.
elapsed() { local ms=$(( ($(date +%s%N) - $1) / 1000000 )); printf '%d.%d\n' $((ms / 1000)) $((ms % 1000 / 100)); }

# port_user PORT: a short description of who listens on PORT, for errors.
port_user() { ss -Htlnp "sport = :$1" 2>/dev/null | head -n1 | tr -s ' ' || true; }

# --------------------------------------------------------------------- init

# write_server_properties N: DIR/nodeN/server.properties for node N.
write_server_properties() {
  local n=$1 voters="" k rf minisr
  for k in $(seq 1 "$KAFKA_NODES"); do
    voters+="${voters:+,}$k@127.0.0.1:$(controller_port "$k")"
  done
  if [ "$KAFKA_NODES" -eq 1 ]; then rf=1; minisr=1; else rf=3; minisr=2; fi
  cat >"$DIR/node$n/server.properties" <<EOF
# Written by deploy/kafka/kafka.sh init: node $n of a $KAFKA_NODES-node KRaft cluster.
process.roles=broker,controller
node.id=$n
# static quorum: storage is formatted without --standalone
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$(broker_port "$n"),CONTROLLER://127.0.0.1:$(controller_port "$n")
advertised.listeners=PLAINTEXT://127.0.0.1:$(broker_port "$n")
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DIR/node$n/data

# topics (agency topics are co-partitioned; tests create their own topics)
num.partitions=6
auto.create.topics.enable=true
default.replication.factor=$rf
min.insync.replicas=$minisr
unclean.leader.election.enable=false

# internal topics
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=5
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$minisr
transaction.state.log.num.partitions=5
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$minisr
share.coordinator.state.topic.num.partitions=5
group.initial.rebalance.delay.ms=0

# small footprint (values of Kafka's own test brokers)
log.cleaner.dedupe.buffer.size=2097152
num.network.threads=2
background.threads=2
EOF
}

cmd_init() {
  local nodes=${OPT_NODES:-1} n used=() b c libs cid
  [ "$nodes" = 1 ] || [ "$nodes" = 3 ] || lt_die "--nodes must be 1 or 3 (got '$nodes')"
  if [ -f "$DIR/initialised" ]; then
    load_env "$DIR"
    [ "$KAFKA_NODES" = "$nodes" ] \
      || lt_die "$DIR is already initialised with $KAFKA_NODES node(s), not $nodes; use another --dir or destroy it"
    lt_log "$DIR is already initialised ($KAFKA_NODES node(s)); left as it is"
    return 0
  fi
  if [ -d "$DIR" ] && [ -n "$(ls -A "$DIR")" ]; then
    # A half-finished init of ours (no 'initialised' stamp) is redone; anything
    # else is not ours to overwrite.
    [ -f "$DIR/ports.env" ] || [ -f "$DIR/ports.env.tmp" ] \
      || lt_die "$DIR exists, is not empty and is not a Kafka directory made by kafka.sh"
    lt_log "$DIR: previous init did not finish; starting it again"
    for n in 1 2 3; do
      if lt_pid_alive "$DIR/node$n/broker.pid"; then lt_die "$DIR/node$n has a running broker; stop it first"; fi
      rm -rf "$DIR/node$n"
    done
    rm -f "$DIR/ports.env" "$DIR/ports.env.tmp"
  fi
  need_java
  libs=$(ensure_libs)
  mkdir -p "$DIR"

  KAFKA_NODES=$nodes
  {
    echo "# Written by deploy/kafka/kafka.sh init; sourced by kafka.sh and usable by tests."
    echo "KAFKA_FORMAT_VERSION=$KAFKA_VERSION"
    echo "KAFKA_NODES=$nodes"
  } >"$DIR/ports.env.tmp"
  local bootstrap=""
  for n in $(seq 1 "$nodes"); do
    b=$(lt_free_port "${used[@]}"); used+=("$b")
    c=$(lt_free_port "${used[@]}"); used+=("$c")
    printf -v "KAFKA_BROKER_PORT_$n" '%s' "$b"
    printf -v "KAFKA_CONTROLLER_PORT_$n" '%s' "$c"
    echo "KAFKA_BROKER_PORT_$n=$b" >>"$DIR/ports.env.tmp"
    echo "KAFKA_CONTROLLER_PORT_$n=$c" >>"$DIR/ports.env.tmp"
    bootstrap+="${bootstrap:+,}127.0.0.1:$b"
  done
  cid=$(kafka_tool "$libs" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)
  [[ "$cid" =~ ^[A-Za-z0-9_-]{22}$ ]] || lt_die "StorageTool random-uuid gave no cluster id (got '$cid')"
  echo "KAFKA_CLUSTER_ID=$cid" >>"$DIR/ports.env.tmp"
  echo "KAFKA_BOOTSTRAP=$bootstrap" >>"$DIR/ports.env.tmp"
  mv "$DIR/ports.env.tmp" "$DIR/ports.env"

  # Format every node with the same cluster id (in parallel: one JVM each).
  local pids=() rc=0
  for n in $(seq 1 "$nodes"); do
    mkdir -p "$DIR/node$n/data" "$DIR/node$n/tmp"
    write_server_properties "$n"
    kafka_tool "$libs" kafka.tools.StorageTool format -t "$cid" \
      -c "$DIR/node$n/server.properties" >"$DIR/node$n/format.log" 2>&1 &
    pids+=($!)
  done
  for n in $(seq 1 "$nodes"); do
    if ! wait "${pids[$((n - 1))]}"; then
      rc=1; lt_log "formatting node $n failed:"; tail -n 20 "$DIR/node$n/format.log" >&2
    fi
  done
  [ "$rc" = 0 ] || lt_die "storage format failed in $DIR"
  date -u +%FT%TZ >"$DIR/initialised"
  lt_log "initialised $DIR: $nodes node(s), cluster id $cid, bootstrap $bootstrap"
}

# --------------------------------------------------------------------- start

# metadata_ok N: node N's broker answers a metadata request that lists every
# node whose process is alive (the expected set)...
metadata_ok() {
  local n=$1 out k
  # Ask only once the port listens: kcat would otherwise back off between retries.
  ! lt_port_free "$(broker_port "$n")" || return 1
  out=$(kcat -L -b "127.0.0.1:$(broker_port "$n")" -m 5 2>/dev/null) || return 1
  local alive=""
  for k in $(seq 1 "$KAFKA_NODES"); do
    if lt_pid_alive "$(pidfile "$k")"; then
      grep -q "^ *broker $k at 127.0.0.1:$(broker_port "$k")" <<<"$out" || return 1
      alive+=" $k"
    fi
  done
  # ...and every partition whose replicas all run has a leader and a full ISR
  # (a restarted node has caught up), so tests begin on a healthy cluster.
  awk -v alive="$alive" '
    BEGIN { n = split(alive, a, " "); for (i = 1; i <= n; i++) up[a[i]] = 1 }
    /^ *partition [0-9]+, leader / {
      line = $0
      leader = line; sub(/.*leader /, "", leader); sub(/,.*/, "", leader)
      reps = line;   sub(/.*replicas: /, "", reps); sub(/, isrs:.*/, "", reps)
      isrs = line;   sub(/.*isrs: /, "", isrs);     sub(/[^0-9,].*/, "", isrs)
      nr = split(reps, r, ","); ni = split(isrs, s, ",")
      all = 1; for (i = 1; i <= nr; i++) if (!(r[i] in up)) all = 0
      if (all && (leader < 0 || ni < nr)) bad = 1
    }
    END { exit bad }' <<<"$out"
}

# check_ports N: dies unless node N's two ports are free.
check_ports() {
  local n=$1 p
  for p in "$(broker_port "$n")" "$(controller_port "$n")"; do
    lt_port_free "$p" || lt_die "node $n: port $p is taken by another process ($(port_user "$p")); \
it cannot start. Stop that process, or use a fresh --dir (init picks new ports)"
  done
}

start_node() {
  local n=$1 heap=$2 libs=$3 b c
  b=$(broker_port "$n"); c=$(controller_port "$n")
  mkdir -p "$DIR/node$n/tmp"
  printf '\n===== kafka.sh start node %s at %s =====\n' "$n" "$(date -u +%FT%TZ)" >>"$(logfile "$n")"
  # setsid: the broker does not die with the caller's terminal or process group.
  # In a non-interactive shell setsid execs java directly, so $! is java's pid.
  # shellcheck disable=SC2086
  setsid java -Xms128m -Xmx"$heap" -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
    -Djava.io.tmpdir="$DIR/node$n/tmp" \
    -Dlog4j2.configurationFile="$LOG4J_CONF" \
    ${LT_KAFKA_JAVA_OPTS:-} \
    -cp "$libs/*" kafka.Kafka "$DIR/node$n/server.properties" \
    </dev/null >>"$(logfile "$n")" 2>&1 &
  echo $! >"$(pidfile "$n")"
  lt_log "node $n starting (pid $!, broker 127.0.0.1:$b, controller 127.0.0.1:$c, log $(logfile "$n"))"
}

cmd_start() {
  local timeout=${OPT_TIMEOUT:-90} heap libs n started=() t0 deadline pending
  [[ "$timeout" =~ ^[0-9]+$ ]] || lt_die "--timeout must be a number of seconds"
  load_env "$DIR"
  [ "$KAFKA_FORMAT_VERSION" = "$KAFKA_VERSION" ] \
    || lt_log "warning: $DIR was formatted by Kafka $KAFKA_FORMAT_VERSION, starting it with $KAFKA_VERSION"
  command -v kcat >/dev/null || lt_die "kcat not found (used to check that the broker is ready)"
  need_java
  libs=$(ensure_libs)
  if [ "$KAFKA_NODES" -eq 1 ]; then heap=512m; else heap=384m; fi
  # Check every port before starting anything.
  for n in $(nodes_selected); do
    lt_pid_alive "$(pidfile "$n")" || check_ports "$n"
  done
  for n in $(nodes_selected); do
    if lt_pid_alive "$(pidfile "$n")"; then
      lt_log "node $n already running (pid $(cat "$(pidfile "$n")"))"
    else
      start_node "$n" "$heap" "$libs"
    fi
    started+=("$n")
  done

  t0=$(date +%s%N); deadline=$(( $(date +%s) + timeout ))
  pending=("${started[@]}")
  while [ ${#pending[@]} -gt 0 ]; do
    local still=()
    for n in "${pending[@]}"; do
      if ! lt_pid_alive "$(pidfile "$n")"; then
        lt_log "node $n exited during startup; its first errors, then the last lines of $(logfile "$n"):"
        grep -m 8 -E 'ERROR|FATAL|Exception|Address already in use' "$(logfile "$n")" >&2 || true
        echo "…" >&2
        tail -n 15 "$(logfile "$n")" >&2
        rm -f "$(pidfile "$n")"
        lt_die "node $n failed to start"
      fi
      if metadata_ok "$n"; then
        lt_log "node $n ready on 127.0.0.1:$(broker_port "$n") after $(elapsed "$t0") s"
      else
        still+=("$n")
      fi
    done
    pending=("${still[@]+"${still[@]}"}")
    [ ${#pending[@]} -eq 0 ] && break
    if [ "$(date +%s)" -ge "$deadline" ]; then
      for n in "${pending[@]}"; do
        lt_log "node $n not ready after ${timeout}s; last lines of $(logfile "$n"):"
        tail -n 30 "$(logfile "$n")" >&2
      done
      lt_die "timeout waiting for node(s) ${pending[*]} (they are left running; kafka.sh stop --dir $DIR)"
    fi
    sleep 0.2
  done
  lt_log "bootstrap servers: $KAFKA_BOOTSTRAP"
}

# --------------------------------------------------------------------- stop etc.

# alive_count: how many nodes of DIR run now.
alive_count() {
  local k c=0
  for k in $(seq 1 "$KAFKA_NODES"); do
    if lt_pid_alive "$(pidfile "$k")"; then c=$((c + 1)); fi
  done
  echo "$c"
}

# Nodes stop one at a time, with SIGTERM (Kafka then moves partition leadership
# away: a "controlled shutdown", which the controller quorum must acknowledge).
# A node whose stop would start with fewer than a majority of the nodes alive
# (the last one of a 3-node cluster) cannot get that acknowledgement and would
# wait 5 minutes (a fixed timeout in Kafka); like Kafka's own system tests, we
# give it ${LAST_NODE_GRACE}s and then SIGKILL it. Its logs are recovered at the
# next start. Nodes in a majority stop cleanly in a few seconds.
LAST_NODE_GRACE=10
cmd_stop() {
  local n alive majority
  load_env "$DIR" "${1:-}"
  majority=$(( KAFKA_NODES / 2 + 1 ))
  for n in $(nodes_selected); do
    lt_pid_alive "$(pidfile "$n")" || continue
    alive=$(alive_count)
    if [ "$alive" -ge "$majority" ]; then
      lt_stop_pidfile "$(pidfile "$n")" "kafka node $n" 120
    else
      lt_log "node $n: only $alive of $KAFKA_NODES nodes run, no controller quorum to acknowledge its shutdown; SIGKILL after ${LAST_NODE_GRACE}s"
      lt_stop_pidfile "$(pidfile "$n")" "kafka node $n" "$LAST_NODE_GRACE"
    fi
  done
}

cmd_status() {
  local n pf state pid rss all=0
  load_env "$DIR"
  echo "dir $DIR: Kafka $KAFKA_VERSION, $KAFKA_NODES node(s), cluster id $KAFKA_CLUSTER_ID, bootstrap $KAFKA_BOOTSTRAP"
  for n in $(seq 1 "$KAFKA_NODES"); do
    pf=$(pidfile "$n")
    if lt_pid_alive "$pf"; then
      pid=$(cat "$pf"); rss=$(ps -o rss= -p "$pid" | tr -d ' ')
      state="running pid $pid rss $((rss / 1024)) MiB"
    else
      state="stopped"; all=3
    fi
    echo "node $n: $state, broker 127.0.0.1:$(broker_port "$n"), controller 127.0.0.1:$(controller_port "$n")"
  done
  return $all
}

cmd_bootstrap() { load_env "$DIR"; printf '%s\n' "$KAFKA_BOOTSTRAP"; }

cmd_destroy() {
  if [ ! -e "$DIR" ]; then lt_log "$DIR does not exist; nothing to destroy"; return 0; fi
  [ -f "$DIR/ports.env" ] || lt_die "$DIR was not made by kafka.sh (no ports.env); not deleting it"
  OPT_NODE=""
  cmd_stop any
  rm -rf -- "$DIR"
  lt_log "removed $DIR"
}

# --------------------------------------------------------------------- main

main() {
  local cmd=${1:-}
  [ -n "$cmd" ] || { usage >&2; exit 2; }
  shift
  case "$cmd" in -h|--help|help) usage; exit 0 ;; esac
  OPT_DIR="" OPT_NODES="" OPT_NODE="" OPT_TIMEOUT=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --dir)     [ $# -ge 2 ] || lt_die "--dir needs a value"; OPT_DIR=$2; shift 2 ;;
      --nodes)   [ $# -ge 2 ] || lt_die "--nodes needs a value"; OPT_NODES=$2; shift 2 ;;
      --node)    [ $# -ge 2 ] || lt_die "--node needs a value"; OPT_NODE=$2; shift 2 ;;
      --timeout) [ $# -ge 2 ] || lt_die "--timeout needs a value"; OPT_TIMEOUT=$2; shift 2 ;;
      -h|--help) usage; exit 0 ;;
      *) lt_die "unknown argument '$1' (see kafka.sh --help)" ;;
    esac
  done
  if [ "$cmd" != fetch ]; then
    [ -n "$OPT_DIR" ] || lt_die "$cmd needs --dir DIR (see kafka.sh --help)"
    DIR=$(abs_dir "$OPT_DIR")
  fi
  case "$cmd" in
    fetch)     ensure_libs ;;
    init)      cmd_init ;;
    start)     cmd_start ;;
    stop)      cmd_stop ;;
    status)    cmd_status ;;
    bootstrap) cmd_bootstrap ;;
    destroy)   cmd_destroy ;;
    *) lt_die "unknown command '$cmd' (see kafka.sh --help)" ;;
  esac
}

main "$@"
