#!/usr/bin/env bash
# The consolidator's first stage against the real broker and database: events
# published by an agency service land in the event store exactly once, with the
# agency's chain head at the last sequence (events of one agency arrive out of
# order across partitions, so gaps are held and filled); re-delivery of every
# record is absorbed; garbage and a forged event become dead letters with their
# codes; a second signed event at an existing sequence is a fork alarm; and two
# SIGKILLs of the consolidator in the middle of a stream lose and double nothing.
#   consolidator.sh CONSOLIDATOR AGENCY_BINARY LIENTHONG MIGRATE
set -euo pipefail
cons=$1 svc=$2 cli=$3 migrate=$4
: "${LT_KAFKA_BOOTSTRAP:?run under tests/harness/with-stack.sh}"
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/deploy/lib/common.sh"
w=$(mktemp -d "${TMPDIR:-/tmp}/lt-cons-XXXXXX")
svc_pid= cons_pid=
# A scratch database and an agency code of this run only, so nothing earlier
# on the same stack (other runs' topics and rows) can blur the counts.
db=lt_cons_$$
psql -X -q -d "$LT_PG_URL" -c "CREATE DATABASE $db" >/dev/null
LT_PG_URL=${LT_PG_URL%/*}/$db
trap '[ -n "$svc_pid" ] && kill -KILL $svc_pid 2>/dev/null; [ -n "$cons_pid" ] && kill -KILL $cons_pid 2>/dev/null; psql -X -q -d "${LT_PG_URL%/*}/lienthong" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1; rm -rf "$w"' EXIT
fail() { echo "FAIL: $*" >&2; tail -20 "$w/cons.log" >&2 2>/dev/null || true; exit 1; }
sql() { psql -X -q -At -d "$LT_PG_URL" -c "$1"; }

"$migrate" --pg-url "$LT_PG_URL" --migrations-dir "$root/deploy/sql/hub" >/dev/null 2>&1 || fail "lt-migrate"
agency=test.bg$$
"$cli" keygen --agency $agency --key-id $agency:cons --out "$w/a.key" > "$w/a.pub" 2>/dev/null
"$cli" keygen --agency $agency --key-id $agency:rogue --out "$w/rogue.key" > /dev/null 2>&1
(umask 077; head -c 32 /dev/urandom | base64 > "$w/subject.key")
pk=$(sed -n 's/.*"public_key": "\(.*\)".*/\1/p' "$w/a.pub")
cat > "$w/registry.json" <<JSON
{ "format": "lienthong.registry/1",
  "agencies": [ { "code": "$agency", "kind": "border_guard", "name": { "vi": "Biên phòng" },
                  "allowed_event_types": ["entry", "exit", "departure", "return_home"] } ],
  "keys": [ { "key_id": "$agency:cons", "agency": "$agency", "public_key": "$pk",
              "valid_from": "2020-01-01T00:00:00Z" } ] }
JSON
port=$(lt_free_port)
"$svc" --agency-code $agency --key-file "$w/a.key" --subject-key-file "$w/subject.key" \
  --registry "$w/registry.json" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --journal-dir "$w/journal" \
  --http-port "$port" > "$w/svc.log" 2>&1 &
svc_pid=$!
for _ in $(seq 100); do curl -s "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
post_events() { # post_events FROM TO: one event each, distinct people
  for i in $(seq "$1" "$2"); do
    curl -s -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/json' --data-binary \
      "{\"header\":{\"occurredAtMs\":\"$(( $(date +%s) * 1000 - 60000 ))\",\"subject\":{\"foreigner\":{\"nationality\":\"KOR\",\"passportNumber\":\"CN$(printf %07d "$i")\"}}},\"entry\":{\"borderGateCode\":\"BD-QUYNHON-PORT\",\"visaPurpose\":\"VISA_PURPOSE_LD2\",\"permittedStayUntil\":\"2030-12-31\"}}" \
      "http://127.0.0.1:$port/v1/events"
  done | sort | uniq -c | grep -q "^ *$(( $2 - $1 + 1 )) 202$" || fail "posting events $1..$2"
}
wait_count() { # wait_count N: event_store rows of the agency reach N
  for _ in $(seq 1200); do
    [ "$(sql "SELECT count(*) FROM lienthong.event_store WHERE agency_code = '$agency'")" -ge "$1" ] && return 0
    sleep 0.1
  done
  fail "event store has $(sql "SELECT count(*) FROM lienthong.event_store WHERE agency_code = '$agency'") of $1"
}
group=lt-test-cons-$$
start_cons() {
  "$cons" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --pg-url "$LT_PG_URL" --registry "$w/registry.json" \
    --subject-key-file "$w/subject.key" --group "$group" \
    --topic-pattern "^lienthong\\.agency\\.test\\.bg$$\$" >> "$w/cons.log" 2>&1 &
  cons_pid=$!
}

post_events 1 60
start_cons
wait_count 60
[ "$(sql "SELECT last_sequence FROM lienthong.chain_heads WHERE agency_code = '$agency'")" = 60 ] \
  || fail "chain head not at 60"
echo "60 events admitted, chain head at 60"

# Every record delivered again (offsets reset): absorbed, nothing doubled.
kill -TERM $cons_pid; wait $cons_pid || fail "consolidator did not stop cleanly"
sql "UPDATE lienthong.consumer_offsets SET next_offset = 0 WHERE group_id = '$group'"
start_cons
sleep 4
[ "$(sql "SELECT count(*) FROM lienthong.event_store WHERE agency_code = '$agency'")" = 60 ] || fail "re-delivery doubled events"
echo "re-delivery of all 60 records absorbed"

# Garbage, a forged event (unknown key) and a fork (a second signed event at sequence 3).
printf 'not an envelope' > "$w/garbage.bin"
kcat -P -b "$LT_KAFKA_BOOTSTRAP" -t "lienthong.agency.$agency" "$w/garbage.bin"
node -e '
  const e = JSON.parse(require("fs").readFileSync(process.argv[1]));
  e.header.agencyCode = process.argv[2]; e.header.sequence = "3";
  e.header.prevHash = Buffer.alloc(32, 7).toString("base64");
  e.header.eventId = Buffer.from("019ba6c7b6e870038000000000000099", "hex").toString("base64");
  console.log(JSON.stringify(e))' "$root/tests/golden/events/entry.json" $agency > "$w/fork.json"
"$cli" sign --key "$w/a.key" --out "$w/fork.env" "$w/fork.json" 2>/dev/null || fail "sign fork"
"$cli" sign --key "$w/rogue.key" --out "$w/rogue.env" "$w/fork.json" 2>/dev/null || fail "sign rogue"
"$cli" publish --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --subject-key-file "$w/subject.key" \
  "$w/fork.env" "$w/rogue.env" || fail "publish"
for _ in $(seq 100); do
  [ "$(sql "SELECT count(*) FROM lienthong.forks WHERE agency_code = '$agency'")" -ge 1 ] && \
  [ "$(sql "SELECT count(*) FROM lienthong.dead_letter WHERE kafka_topic = 'lienthong.agency.$agency'")" -ge 2 ] && break
  sleep 0.1
done
codes=$(sql "SELECT string_agg(code, ',' ORDER BY id) FROM lienthong.dead_letter WHERE kafka_topic = 'lienthong.agency.$agency'")
[ "$codes" = "envelope_undecodable,key_unknown" ] || fail "dead letters: '$codes'"
[ "$(sql "SELECT count(*) FROM lienthong.forks WHERE agency_code = '$agency' AND sequence = 3")" = 1 ] || fail "no fork alarm"
echo "dead letters: $codes; fork at sequence 3 recorded"

# SIGKILL twice while 120 more events stream in: nothing lost, nothing doubled.
post_events 61 100 &
gen=$!
sleep 1; kill -KILL $cons_pid; wait $cons_pid 2>/dev/null || true; start_cons
sleep 1.5; kill -KILL $cons_pid; wait $cons_pid 2>/dev/null || true; start_cons
wait $gen
post_events 101 180
wait_count 180
sleep 2
n=$(sql "SELECT count(*) FROM lienthong.event_store WHERE agency_code = '$agency'")
head=$(sql "SELECT last_sequence FROM lienthong.chain_heads WHERE agency_code = '$agency'")
[ "$n" = 180 ] || fail "$n events stored, expected 180"
[ "$head" = 180 ] || fail "chain head at $head, expected 180"
[ "$(sql "SELECT count(*) FROM lienthong.chain_breaks")" = 0 ] || fail "chain break recorded"
echo "after 2 x SIGKILL: 180 events stored once each, chain head 180, no chain break"
vr=$("$cons" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --pg-url "$LT_PG_URL" --registry "$w/registry.json" \
      --subject-key-file "$w/subject.key" --verify-rows 2>/dev/null) || fail "rows differ from a fresh fold: $vr"
echo "$vr" | tail -1

# Projections: one row per person, folded from their events; an alert raised
# by a late labour-visa entry with no permit, and cleared by the exit.
rows=$(sql "SELECT count(*) FROM lienthong.foreign_workers WHERE present")
[ "$rows" = 180 ] || fail "$rows present foreign workers in the projection, expected 180"
old_ms=$(( ($(date +%s) - 40 * 86400) * 1000 ))
post_one() {
  curl -s -o "$w/resp" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "$1"     "http://127.0.0.1:$port/v1/events" | grep -q 202 || fail "post: $(cat "$w/resp")"
}
post_one "{\"header\":{\"occurredAtMs\":\"$old_ms\",\"subject\":{\"foreigner\":{\"nationality\":\"CHN\",\"passportNumber\":\"EG1234567\"}}},\"entry\":{\"borderGateCode\":\"BD-QUYNHON-PORT\",\"visaPurpose\":\"VISA_PURPOSE_LD2\",\"permittedStayUntil\":\"2030-12-31\"}}"
for _ in $(seq 300); do
  [ "$(sql "SELECT count(*) FROM lienthong.alerts WHERE subject = 'CHN:EG1234567' AND code = 'labour_visa_no_permit' AND cleared_at IS NULL")" = 1 ] && break
  sleep 0.1
done
[ "$(sql "SELECT count(*) FROM lienthong.alerts WHERE subject = 'CHN:EG1234567' AND cleared_at IS NULL")" = 1 ] \
  || fail "no open labour_visa_no_permit alert: $(sql "SELECT code, cleared_at FROM lienthong.alerts WHERE subject = 'CHN:EG1234567'")"
post_one "{\"header\":{\"occurredAtMs\":\"$(( $(date +%s) * 1000 - 60000 ))\",\"subject\":{\"foreigner\":{\"nationality\":\"CHN\",\"passportNumber\":\"EG1234567\"}}},\"exit\":{\"borderGateCode\":\"BD-QUYNHON-PORT\"}}"
for _ in $(seq 300); do
  [ "$(sql "SELECT count(*) FROM lienthong.alerts WHERE subject = 'CHN:EG1234567' AND cleared_at IS NOT NULL")" = 1 ] && break
  sleep 0.1
done
[ "$(sql "SELECT count(*) FROM lienthong.alerts WHERE subject = 'CHN:EG1234567' AND cleared_at IS NOT NULL")" = 1 ] || fail "alert not cleared by the exit"
[ "$(sql "SELECT present FROM lienthong.foreign_workers WHERE subject = 'CHN:EG1234567'")" = f ] || fail "exit not folded"
echo "projection: 180 present workers; labour_visa_no_permit raised by a 40-day-old LD2 entry, cleared by the exit"
kill -TERM $cons_pid; wait $cons_pid; cons_pid=
echo "1 passed, 0 failed"
