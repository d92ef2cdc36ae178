#!/usr/bin/env bash
# Benchmark (not a test) of the consolidator, one run on this machine with the
# real broker and database, printed side by side:
#   (a) the consolidator's events/s over a backlog of N signed events;
#   (b) a naive consumer doing one transaction per event (the consolidator
#       with --batch 1), over the first M events of the same stream;
#   (c) the bare verify+decode(+checks) rate on the same cores: the ceiling;
#   (d) end-to-end latency p50/p99, recorded by the agency service (the
#       signed recordedAt) → committed in the shared database (measured by the
#       consolidator after each commit), at a steady rate through a real agency
#       service.
#   tests/bench/consolidator.sh [N (default 1000000)] [M (default 5000)] [RATE (default 1000)]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
. deploy/lib/common.sh
LT_LOG_TAG=bench
N=${1:-1000000} M=${2:-5000} RATE=${3:-1000}
deploy/install-deps.sh >/dev/null
deploy/kafka/kafka.sh fetch >/dev/null
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release -j "$(nproc)" --target lt-consolidator lt-migrate lienthong bench_feed \
  lt-agency-police lt-loadgen >/dev/null
b=$root/build/release
dir=$(mktemp -d "${TMPDIR:-/tmp}/lt-bench-cons-XXXXXX")
pids=()
trap 'for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; deploy/stack.sh destroy --dir "$dir/stack" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
deploy/stack.sh up --dir "$dir/stack" >/dev/null 2>&1
eval "$(deploy/stack.sh env --dir "$dir/stack")"
export PGPASSFILE
base=${LT_PG_URL%/*}
sql() { psql -X -q -At -d "$1" -c "$2"; }
for db in fast naive lat; do sql "$LT_PG_URL" "CREATE DATABASE bench_$db" >/dev/null
  "$b/services/migrate/lt-migrate" --pg-url "$base/bench_$db" --migrations-dir deploy/sql/hub >/dev/null 2>&1; done
cli=$b/services/cli/lienthong
"$cli" keygen --agency bench.police --key-id bench.police:k --out "$dir/k.key" > "$dir/k.pub" 2>/dev/null
(umask 077; head -c 32 /dev/urandom | base64 > "$dir/s.key")
pk=$(sed -n 's/.*"public_key": "\(.*\)".*/\1/p' "$dir/k.pub")
cat > "$dir/reg.json" <<JSON
{ "format": "lienthong.registry/1",
  "agencies": [ { "code": "bench.police", "kind": "police", "name": { "vi": "Công an" },
                  "allowed_event_types": ["entry", "exit"] } ],
  "keys": [ { "key_id": "bench.police:k", "agency": "bench.police", "public_key": "$pk",
              "valid_from": "2020-01-01T00:00:00Z" } ] }
JSON

lt_log "publishing a backlog of $N signed events"
out=$("$b/tests/bench_feed" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --key "$dir/k.key" \
      --subject-key-file "$dir/s.key" --registry "$dir/reg.json" --events "$N" --verify-threads "$(nproc)")
verify_rate=$(echo "$out" | sed -n 's/^verify_rate //p')

run() { # run DB GROUP COUNT EXTRA...: seconds until COUNT records are consumed and committed
  local db=$1 group=$2 count=$3; shift 3
  local t0 t1
  t0=$(date +%s.%N)
  "$b/services/consolidator/lt-consolidator" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --pg-url "$base/$db" \
    --registry "$dir/reg.json" --subject-key-file "$dir/s.key" --group "$group" --dead-letter-topic '' "$@" \
    > "$dir/$group.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  # Progress from the committed offsets (a cheap query: counting the event
  # store would cost the database as much as a slice of the work measured).
  while [ "$(sql "$base/$db" "SELECT coalesce(sum(next_offset), 0) FROM lienthong.consumer_offsets WHERE group_id = '$group'")" -lt "$count" ]; do
    kill -0 "$pid" 2>/dev/null || { tail -5 "$dir/$group.log" >&2; lt_die "consolidator died"; }
    sleep 1
  done
  t1=$(date +%s.%N)
  kill -TERM "$pid"; wait "$pid" || true
  grep '"stopping:' "$dir/$group.log" | sed 's/.*"msg":"stopping: /    /; s/"}$//' >&2
  echo "$t0 $t1" | awk '{printf "%.2f", $2 - $1}'
}
lt_log "consolidator over the backlog"
t_fast=$(run bench_fast g-fast "$N")
lt_log "naive consumer (one transaction per event) over the first $M events"
t_naive=$(run bench_naive g-naive "$M" --batch 1)
fast=$(echo "$N $t_fast" | awk '{printf "%.0f", $1 / $2}')
naive=$(echo "$M $t_naive" | awk '{printf "%.0f", $1 / $2}')

lt_log "latency at $RATE events/s through a real agency service"
port=$(lt_free_port)
"$b/services/lt-agency-police" --agency-code bench.police --key-file "$dir/k.key" --subject-key-file "$dir/s.key" \
  --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --topic lienthong.agency.bench.latency --journal-dir "$dir/j" \
  --http-port "$port" > "$dir/svc.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -s "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
"$b/services/consolidator/lt-consolidator" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --pg-url "$base/bench_lat" \
  --registry "$dir/reg.json" --subject-key-file "$dir/s.key" --group g-lat --dead-letter-topic '' \
  --topic-pattern '^lienthong\.agency\.bench\.latency$' > "$dir/lat.log" 2>&1 &
pids+=($!)
# Measure the steady state: wait until the consolidator holds the topic's partitions.
for _ in $(seq 300); do grep -q 'assigned [1-9]' "$dir/lat.log" && break; sleep 0.1; done
"$b/tests/lt-loadgen" --port "$port" --count $((RATE * 20)) --rate "$RATE" --acked "$dir/acked" --prefix lat >/dev/null
sleep 3
kill -TERM "${pids[-1]}" "${pids[-2]}"; wait "${pids[-1]}" "${pids[-2]}" 2>/dev/null || true
# recorded by the agency service → committed by the consolidator, as the
# consolidator measured it at each commit
read -r p50 p99 <<< "$(grep '"stopping:' "$dir/lat.log" | sed -n 's/.*p50 \([0-9-]*\) ms, p99 \([0-9-]*\) ms.*/\1 \2/p')"
nlat=$(sql "$base/bench_lat" "SELECT count(*) FROM lienthong.event_store")

printf '\nconsolidator benchmark, one run on this machine (%s cores), real Kafka and PostgreSQL\n' "$(nproc)"
printf '  %-58s %10s events/s\n' "(a) consolidator over a backlog of $N signed events" "$fast"
printf '  %-58s %10s events/s  (a) = %sx (b)\n' "(b) naive consumer, one transaction per event ($M events)" "$naive" \
  "$(echo "$fast $naive" | awk '{printf "%.1f", $1 / $2}')"
printf '  %-58s %10s events/s  (a) = %s%% of (c)\n' "(c) bare verify+decode+checks on $(nproc) threads (the ceiling)" "$verify_rate" \
  "$(echo "$fast $verify_rate" | awk '{printf "%.0f", 100 * $1 / $2}')"
printf '  %-58s p50 %s ms, p99 %s ms over %s events\n' "(d) recorded → committed at $RATE events/s" "$p50" "$p99" "$nlat"
