#!/usr/bin/env bash
# Repeated kill -9 of the consolidator in the middle of its batches, against
# the real broker and database. A backlog of signed, chained events (one
# agency, six partitions, two events per person) is consumed while the
# consolidator is killed every 1-3 seconds and restarted; then:
#   * every event is in the event store exactly once (count = published,
#     distinct ids, no fork, no dead letter), the chain head is at the last
#     sequence with no break and no open gap;
#   * the stored offsets say every record was consumed;
#   * the rows and open alerts equal a fresh fold of the event store
#     (--verify-rows).
# Prints the counts: published, kills, stored, duplicates, lost.
#   consolidator_crash.sh CONSOLIDATOR LIENTHONG MIGRATE BENCH_FEED
set -euo pipefail
cons=$1 cli=$2 migrate=$3 feed=$4
: "${LT_KAFKA_BOOTSTRAP:?run under tests/harness/with-stack.sh}"
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
N=${LT_CRASH_EVENTS:-60000}
w=$(mktemp -d "${TMPDIR:-/tmp}/lt-crash-XXXXXX")
cons_pid=
db=lt_crash_$$
psql -X -q -d "$LT_PG_URL" -c "CREATE DATABASE $db" >/dev/null
LT_PG_URL=${LT_PG_URL%/*}/$db
trap '[ -n "$cons_pid" ] && kill -KILL $cons_pid 2>/dev/null; psql -X -q -d "${LT_PG_URL%/*}/lienthong" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1; rm -rf "$w"' EXIT
fail() { echo "FAIL: $*" >&2; tail -20 "$w/cons.log" >&2 2>/dev/null || true; exit 1; }
sql() { psql -X -q -At -d "$LT_PG_URL" -c "$1"; }

"$migrate" --pg-url "$LT_PG_URL" --migrations-dir "$root/deploy/sql/hub" \
  >/dev/null 2>&1 || fail "lt-migrate"
agency=test.crash$$
"$cli" keygen --agency $agency --key-id $agency:k1 --out "$w/k.key" > "$w/k.pub" 2>/dev/null
(umask 077; head -c 32 /dev/urandom | base64 > "$w/subject.key")
pk=$(sed -n 's/.*"public_key": "\(.*\)".*/\1/p' "$w/k.pub")
cat > "$w/registry.json" <<JSON
{ "format": "lienthong.registry/1",
  "agencies": [ { "code": "$agency", "kind": "police", "name": { "vi": "Công an" },
                  "allowed_event_types": ["entry", "exit"] } ],
  "keys": [ { "key_id": "$agency:k1", "agency": "$agency", "public_key": "$pk",
              "valid_from": "2020-01-01T00:00:00Z" } ] }
JSON
"$feed" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --key "$w/k.key" --subject-key-file "$w/subject.key" \
  --registry "$w/registry.json" --events "$N" --verify-threads 1 > "$w/feed.out" 2>&1 || fail "feed: $(tail -3 "$w/feed.out")"
echo "published $N signed events on lienthong.agency.$agency (6 partitions)"

start_cons() { # small batches, so that a kill lands in the middle of many of them
  "$cons" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --pg-url "$LT_PG_URL" --registry "$w/registry.json" \
    --subject-key-file "$w/subject.key" --group lt-test-crash-$$ --dead-letter-topic '' --batch 500 \
    --topic-pattern "^lienthong\\.agency\\.test\\.crash$$\$" >> "$w/cons.log" 2>&1 &
  cons_pid=$!
}
consumed() { sql "SELECT coalesce(sum(next_offset), 0) FROM lienthong.consumer_offsets WHERE group_id = 'lt-test-crash-$$'"; }
kills=0
start_cons
deadline=$(( $(date +%s) + 300 ))
while [ $kills -lt 6 ]; do
  [ "$(date +%s)" -lt $deadline ] || fail "no progress: $(consumed) of $N consumed after $kills kills"
  # Kill only while records flow and some are left: in the middle of batches.
  before=$(consumed)
  sleep "0.$(( RANDOM % 9 + 1 ))"
  now=$(consumed)
  [ "$now" -ge "$N" ] && break
  [ "$now" -gt "$before" ] || continue
  kill -KILL $cons_pid; wait $cons_pid 2>/dev/null || true
  kills=$((kills + 1))
  echo "  kill -9 #$kills after $now of $N records committed"
  start_cons
done
for _ in $(seq 1200); do [ "$(consumed)" -ge "$N" ] && break; sleep 0.1; done
[ "$(consumed)" -ge "$N" ] || fail "only $(consumed) of $N records consumed"
sleep 1
kill -TERM $cons_pid; wait $cons_pid || fail "consolidator did not stop cleanly"; cons_pid=
[ $kills -ge 3 ] || fail "only $kills kills landed while records flowed"

stored=$(sql "SELECT count(*) FROM lienthong.event_store WHERE agency_code = '$agency'")
distinct=$(sql "SELECT count(DISTINCT sequence) FROM lienthong.event_store WHERE agency_code = '$agency'")
head=$(sql "SELECT last_sequence FROM lienthong.chain_heads WHERE agency_code = '$agency'")
echo "published $N, kills $kills, stored $stored, duplicates $((stored - distinct)), lost $((N - distinct))"
[ "$stored" = "$N" ] && [ "$distinct" = "$N" ] || fail "stored $stored ($distinct distinct) of $N"
[ "$head" = "$N" ] || fail "chain head at $head, expected $N"
for t in forks dead_letter chain_breaks; do
  [ "$(sql "SELECT count(*) FROM lienthong.$t")" = 0 ] || fail "rows in $t"
done
[ "$(sql "SELECT count(*) FROM lienthong.chain_gaps WHERE filled_at IS NULL")" = 0 ] || fail "a gap is still open"
[ "$(sql "SELECT count(*) FROM lienthong.subject_rows")" = "$(( (N + 1) / 2 ))" ] \
  || fail "$(sql "SELECT count(*) FROM lienthong.subject_rows") rows, expected $(( (N + 1) / 2 )) people"
vr=$("$cons" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --pg-url "$LT_PG_URL" --registry "$w/registry.json" \
      --subject-key-file "$w/subject.key" --verify-rows 2>/dev/null) || fail "tables differ from a fresh fold: $vr"
echo "$vr" | tail -1
echo "1 passed, 0 failed"
