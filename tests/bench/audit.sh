#!/usr/bin/env bash
# Benchmark (not a test) of lt-audit, one run on this machine with the real
# broker and database, printed side by side:
#   (a) replay-and-verify of the agency topic: N records read from Kafka,
#       each signature (key valid at recordedAt), record key and headers
#       checked, the chain verified (lt-audit --from-kafka, its log phase);
#   (b) the event store audit: every stored event verified again, columns
#       against bytes, the chain, every subject re-folded and diffed against
#       the live rows and alerts;
#   (c) the bare verify+decode(+checks) rate on the same cores (bench_feed):
#       the ceiling of any reader, measured before the audit and again right
#       after it (the machine's load may change meanwhile); the ratios are
#       against the mean of the two.
# The backlog comes from bench_feed (N Entry events, N/2 people), the store
# from the consolidator.
#   tests/bench/audit.sh [N (default 1000000)]
#   LT_BENCH_BUILD=build/arel tests/bench/audit.sh 200000   (another build dir)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
. deploy/lib/common.sh
LT_LOG_TAG=bench
N=${1:-1000000}
bdir=${LT_BENCH_BUILD:-build/release}
deploy/install-deps.sh >/dev/null
deploy/kafka/kafka.sh fetch >/dev/null
cmake -S . -B "$bdir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$bdir" -j "$(nproc)" --target lt-audit lt-consolidator lt-migrate lienthong bench_feed >/dev/null
b=$root/$bdir
dir=$(mktemp -d "${TMPDIR:-/tmp}/lt-bench-audit-XXXXXX")
pids=()
trap 'for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; deploy/stack.sh destroy --dir "$dir/stack" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
deploy/stack.sh up --dir "$dir/stack" >/dev/null 2>&1
eval "$(deploy/stack.sh env --dir "$dir/stack")"
export PGPASSFILE
db=${LT_PG_URL%/*}/bench_audit
sql() { psql -X -q -At -d "$1" -c "$2"; }
sql "$LT_PG_URL" "CREATE DATABASE bench_audit" >/dev/null
"$b/services/migrate/lt-migrate" --pg-url "$db" --migrations-dir deploy/sql/hub >/dev/null 2>&1
cli=$b/services/cli/lienthong
"$cli" keygen --agency bench.police --key-id bench.police:k --out "$dir/k.key" > "$dir/k.pub" 2>/dev/null
"$cli" keygen --agency bench.police2 --key-id bench.police2:k --out "$dir/k2.key" > "$dir/k2.pub" 2>/dev/null
"$cli" keygen --agency auditor --key-id auditor:k --out "$dir/auditor.key" > /dev/null 2>&1
(umask 077; head -c 32 /dev/urandom | base64 > "$dir/s.key")
pk=$(sed -n 's/.*"public_key": "\(.*\)".*/\1/p' "$dir/k.pub")
pk2=$(sed -n 's/.*"public_key": "\(.*\)".*/\1/p' "$dir/k2.pub")
# bench.police2 only measures the bare verify rate again after the audit.
cat > "$dir/reg.json" <<JSON
{ "format": "lienthong.registry/1",
  "agencies": [ { "code": "bench.police", "kind": "police", "name": { "vi": "Công an" },
                  "allowed_event_types": ["entry", "exit"] },
                { "code": "bench.police2", "kind": "police", "name": { "vi": "Công an" },
                  "allowed_event_types": ["entry", "exit"] } ],
  "keys": [ { "key_id": "bench.police:k", "agency": "bench.police", "public_key": "$pk",
              "valid_from": "2020-01-01T00:00:00Z" },
            { "key_id": "bench.police2:k", "agency": "bench.police2", "public_key": "$pk2",
              "valid_from": "2020-01-01T00:00:00Z" } ] }
JSON

lt_log "publishing a backlog of $N signed events"
out=$("$b/tests/bench_feed" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --key "$dir/k.key" \
      --subject-key-file "$dir/s.key" --registry "$dir/reg.json" --events "$N" --verify-threads "$(nproc)")
verify_rate=$(echo "$out" | sed -n 's/^verify_rate //p')

lt_log "the consolidator fills the event store"
"$b/services/consolidator/lt-consolidator" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --pg-url "$db" \
  --registry "$dir/reg.json" --subject-key-file "$dir/s.key" --group g-audit --dead-letter-topic '' \
  > "$dir/cons.log" 2>&1 &
pid=$!
pids+=("$pid")
while [ "$(sql "$db" "SELECT coalesce(sum(next_offset), 0) FROM lienthong.consumer_offsets")" -lt "$N" ]; do
  kill -0 "$pid" 2>/dev/null || { tail -5 "$dir/cons.log" >&2; lt_die "consolidator died"; }
  sleep 1
done
kill -TERM "$pid"; wait "$pid" || true
sql "$db" "VACUUM ANALYZE" >/dev/null

lt_log "lt-audit --from-kafka over $N records, then the event store"
# The audit's own CPU time next to its wall time: on a small machine the
# broker and the database serve it from the same cores.
TIMEFORMAT='%R %U %S'
{ time "$b/services/audit/lt-audit" --pg-url "$db" --registry "$dir/reg.json" --from-kafka \
  --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --subject-key-file "$dir/s.key" --progress 10 \
  --key "$dir/auditor.key" --report "$dir/report.json" > "$dir/audit.out" 2> "$dir/audit.err" \
  || { tail -20 "$dir/audit.out" "$dir/audit.err" >&2; lt_die "the audit did not verify"; }; } 2> "$dir/time.out"
read -r wall cpu_user cpu_sys < "$dir/time.out"
sed 's/^/    /' "$dir/audit.err" >&2
read -r log_ms store_ms records events diffs <<< "$(node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1])).report;
  console.log(r.elapsedMs.log, r.elapsedMs.store, r.log.records, r.checked.events, r.diffCount)' "$dir/report.json")"
lt_log "the bare verify rate again, right after the audit"
out2=$("$b/tests/bench_feed" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --key "$dir/k2.key" \
       --subject-key-file "$dir/s.key" --registry "$dir/reg.json" --events 50000 --verify-threads "$(nproc)")
verify_after=$(echo "$out2" | sed -n 's/^verify_rate //p')
verify_before=$verify_rate
verify_rate=$(echo "$verify_before $verify_after" | awk '{printf "%.0f", ($1 + $2) / 2}')
rate_log=$(echo "$records $log_ms" | awk '{printf "%.0f", 1000 * $1 / $2}')
rate_store=$(echo "$events $store_ms" | awk '{printf "%.0f", 1000 * $1 / $2}')

printf '\nlt-audit benchmark, one run on this machine (%s cores), real Kafka and PostgreSQL\n' "$(nproc)"
printf '  %-62s %10s events/s  (a) = %s%% of (c)\n' "(a) replay-and-verify from Kafka ($records records, chain, headers)" "$rate_log" \
  "$(echo "$rate_log $verify_rate" | awk '{printf "%.0f", 100 * $1 / $2}')"
printf '  %-62s %10s events/s  (b) = %s%% of (c)\n' "(b) event store audit ($events events, re-fold and diff, $diffs diffs)" "$rate_store" \
  "$(echo "$rate_store $verify_rate" | awk '{printf "%.0f", 100 * $1 / $2}')"
printf '  %-62s %10s events/s  (before %s, after %s)\n' "(c) bare verify+decode+checks on $(nproc) threads (the ceiling)" \
  "$verify_rate" "$verify_before" "$verify_after"
printf '  lt-audit used %s s of CPU (user %s, sys %s) in %s s of wall time on %s cores; load average at the end: %s\n' \
  "$(echo "$cpu_user $cpu_sys" | awk '{printf "%.1f", $1 + $2}')" "$cpu_user" "$cpu_sys" "$wall" "$(nproc)" \
  "$(cut -d' ' -f1-3 /proc/loadavg)"
