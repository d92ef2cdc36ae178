#!/usr/bin/env bash
# PostgreSQL restarted under the consolidator while it works through a
# backlog (its own stack: it stops the database). The consolidator must ride
# it out without a hand: the batch in flight is not committed (or committed;
# the offsets in the database say which), partitions are held unread while
# the database is away, and reading resumes from the stored offsets when it
# is back. Then every event is stored once, the chain head is at the end, and
# the tables equal a fresh fold. Prints the counts.
# Its /healthz says "down" while the database is away, and /metrics counts
# what was committed.
#   consolidator_pg_restart.sh CONSOLIDATOR LIENTHONG MIGRATE BENCH_FEED
set -euo pipefail
cons=$1 cli=$2 migrate=$3 feed=$4
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/../harness/own-stack.sh"
N=${LT_PG_RESTART_EVENTS:-40000}
w=$(mktemp -d "${TMPDIR:-/tmp}/lt-pgr-XXXXXX")
cons_pid=
cleanup() {
  [ -n "$cons_pid" ] && kill -KILL "$cons_pid" 2>/dev/null || true
  "$stack" destroy --dir "$w/stack" >/dev/null 2>&1 || true
  rm -rf "$w"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; tail -20 "$w/cons.log" >&2 2>/dev/null || true; exit 1; }
own_stack_up "$w/stack"
sql() { psql -X -q -At -d "$LT_PG_URL" -c "$1" 2>/dev/null; }

"$migrate" --pg-url "$LT_PG_URL" --migrations-dir "$root/deploy/sql/hub" >/dev/null 2>&1 || fail "lt-migrate"
agency=test.pgr$$
"$cli" keygen --agency $agency --key-id $agency:k1 --out "$w/k.key" > "$w/k.pub" 2>/dev/null
(umask 077; head -c 32 /dev/urandom | base64 > "$w/subject.key")
cat > "$w/registry.json" <<JSON
{ "format": "lienthong.registry/1",
  "agencies": [ { "code": "$agency", "kind": "police", "name": { "vi": "Công an" },
                  "allowed_event_types": ["entry", "exit"] } ],
  "keys": [ { "key_id": "$agency:k1", "agency": "$agency",
              "public_key": "$(sed -n 's/.*"public_key": "\(.*\)".*/\1/p' "$w/k.pub")",
              "valid_from": "2020-01-01T00:00:00Z" } ] }
JSON
"$feed" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --key "$w/k.key" --subject-key-file "$w/subject.key" \
  --registry "$w/registry.json" --events "$N" --verify-threads 1 > "$w/feed.out" 2>&1 || fail "feed"
"$cons" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --pg-url "$LT_PG_URL" --registry "$w/registry.json" \
  --subject-key-file "$w/subject.key" --group lt-test-pgr --dead-letter-topic '' --batch 500 \
  --http-port 0 > "$w/cons.log" 2>&1 &
cons_pid=$!
for _ in $(seq 100); do grep -q '/healthz and /metrics on' "$w/cons.log" && break; sleep 0.1; done
hport=$(sed -n 's/.*\/healthz and \/metrics on 127.0.0.1 port \([0-9]*\).*/\1/p' "$w/cons.log" | head -1)
[ -n "$hport" ] || fail "no /healthz port in the log"
health() { curl -s "http://127.0.0.1:$hport/healthz"; }
consumed() { local v; v=$(sql "SELECT coalesce(sum(next_offset), 0) FROM lienthong.consumer_offsets") || v=; echo "${v:-0}"; }
for _ in $(seq 600); do [ "$(consumed)" -ge 3000 ] && break; sleep 0.1; done
before=$(consumed)
[ "$before" -lt "$N" ] || fail "the backlog was consumed before the restart ($before)"
"$stack" pg-stop --dir "$w/stack" 2>/dev/null
echo "PostgreSQL stopped after $before of $N records committed"
for _ in $(seq 100); do health | grep -q '"status":"down"' && break; sleep 0.1; done
health | grep -q '"database":"unreachable"' || fail "/healthz did not report the database away: $(health)"
echo "/healthz while it is away: $(health)"
sleep 2
kill -0 $cons_pid 2>/dev/null || fail "the consolidator died while the database was away"
"$stack" pg-start --dir "$w/stack" 2>/dev/null
echo "PostgreSQL started again"
for _ in $(seq 1800); do [ "$(consumed)" -ge "$N" ] && break; sleep 0.1; done
[ "$(consumed)" -ge "$N" ] || fail "only $(consumed) of $N records consumed after the restart"
kill -0 $cons_pid 2>/dev/null || fail "the consolidator did not survive"
grep -q '"reconnected to the database"' "$w/cons.log" || fail "no reconnection in the log"
health | grep -q '"status":"ok"' || fail "/healthz not ok after the restart: $(health)"
admitted=$(curl -s "http://127.0.0.1:$hport/metrics" | sed -n 's/^lienthong_consolidator_events_admitted_total //p')
[ "$admitted" = "$N" ] || fail "/metrics counts $admitted admitted events, expected $N"
echo "/healthz ok again; /metrics: $admitted events admitted"
sleep 1
kill -TERM $cons_pid; wait $cons_pid || fail "consolidator did not stop cleanly"; cons_pid=
stored=$(sql "SELECT count(*) FROM lienthong.event_store")
distinct=$(sql "SELECT count(DISTINCT sequence) FROM lienthong.event_store")
echo "published $N, stored $stored, duplicates $((stored - distinct)), lost $((N - distinct))"
[ "$stored" = "$N" ] && [ "$distinct" = "$N" ] || fail "stored $stored ($distinct distinct) of $N"
[ "$(sql "SELECT last_sequence FROM lienthong.chain_heads WHERE agency_code = '$agency'")" = "$N" ] \
  || fail "chain head not at $N"
vr=$("$cons" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --pg-url "$LT_PG_URL" --registry "$w/registry.json" \
      --subject-key-file "$w/subject.key" --verify-rows 2>/dev/null) || fail "tables differ from a fresh fold: $vr"
echo "$vr" | tail -1
echo "1 passed, 0 failed"
