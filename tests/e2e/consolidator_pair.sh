#!/usr/bin/env bash
# Two consolidator instances in one consumer group (sharing the partitions of
# a 6-partition agency topic, rebalancing as the second joins) build exactly
# the same event store, chain head, rows and open alerts as one instance
# alone. (Closed alert rows are a log of what the hub showed when, so an alert
# raised and cleared between two batches appears there in one run and not in
# another; the open alerts are the fold's and must match.) Each run writes its
# own scratch database on the stack's PostgreSQL.
#   consolidator_pair.sh CONSOLIDATOR AGENCY_BINARY LIENTHONG MIGRATE
set -euo pipefail
cons=$1 svc=$2 cli=$3 migrate=$4
: "${LT_KAFKA_BOOTSTRAP:?run under tests/harness/with-stack.sh}"
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/deploy/lib/common.sh"
w=$(mktemp -d "${TMPDIR:-/tmp}/lt-pair-XXXXXX")
pids=()
one=lt_pair_one_$$ two=lt_pair_two_$$
base=${LT_PG_URL%/*}
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  psql -X -q -d "$LT_PG_URL" -c "DROP DATABASE IF EXISTS $one" -c "DROP DATABASE IF EXISTS $two" >/dev/null 2>&1 || true
  rm -rf "$w"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; tail -5 "$w"/c*.log >&2 2>/dev/null || true; exit 1; }
psql -X -q -d "$LT_PG_URL" -c "CREATE DATABASE $one" -c "CREATE DATABASE $two" >/dev/null
for db in $one $two; do
  "$migrate" --pg-url "$base/$db" --migrations-dir "$root/deploy/sql/hub" >/dev/null 2>&1 || fail "migrate $db"
done

agency=bdinh.police
"$cli" keygen --agency $agency --key-id $agency:pair --out "$w/a.key" > "$w/a.pub" 2>/dev/null
(umask 077; head -c 32 /dev/urandom | base64 > "$w/subject.key")
pk=$(sed -n 's/.*"public_key": "\(.*\)".*/\1/p' "$w/a.pub")
cat > "$w/registry.json" <<JSON
{ "format": "lienthong.registry/1",
  "agencies": [ { "code": "$agency", "kind": "police", "name": { "vi": "Công an" },
                  "allowed_event_types": ["entry", "exit"] } ],
  "keys": [ { "key_id": "$agency:pair", "agency": "$agency", "public_key": "$pk",
              "valid_from": "2020-01-01T00:00:00Z" } ] }
JSON
topic=lt-test-pair-$$
port=$(lt_free_port)
"$svc" --agency-code $agency --key-file "$w/a.key" --subject-key-file "$w/subject.key" \
  --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --topic "$topic" --topic-partitions 6 \
  --journal-dir "$w/journal" --http-port "$port" > "$w/svc.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -s "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
run_cons() { # run_cons DB GROUP LOG
  "$cons" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --pg-url "$base/$1" --registry "$w/registry.json" \
    --subject-key-file "$w/subject.key" --group "$2" --topic-pattern "^$topic\$" --batch 7 \
    --dead-letter-topic '' >> "$w/$3" 2>&1 &
  pids+=($!)
}
run_cons $one g1-$$ c1.log
run_cons $two g2-$$ c2a.log
run_cons $two g2-$$ c2b.log
# Both instances of the second group must hold partitions before events flow
# (a join may wait for the broker's rebalance rounds: allow a minute).
for _ in $(seq 600); do
  a=$(grep -o 'assigned [0-9]* partition' "$w/c2a.log" | tail -1 | grep -o '[0-9]*' || true)
  b=$(grep -o 'assigned [0-9]* partition' "$w/c2b.log" | tail -1 | grep -o '[0-9]*' || true)
  [ "${a:-0}" -gt 0 ] && [ "${b:-0}" -gt 0 ] && [ $((a + b)) = 6 ] && break
  sleep 0.1
done
[ "${a:-0}" -gt 0 ] && [ "${b:-0}" -gt 0 ] || fail "the two instances did not share the partitions ($a, $b)"
# 40 people: each enters 30 days ago; every third also leaves.
batch="["
for i in $(seq 1 40); do
  p=$(printf 'PR%07d' "$i")
  batch+="{\"header\":{\"occurredAtMs\":\"$(( ($(date +%s) - 30 * 86400) * 1000 ))\",\"subject\":{\"foreigner\":{\"nationality\":\"VNM\",\"passportNumber\":\"X\"}}},\"entry\":{\"borderGateCode\":\"BD-PHUCAT-AIRPORT\",\"visaPurpose\":\"VISA_PURPOSE_LD2\",\"permittedStayUntil\":\"2030-12-31\"}},"
  batch=${batch//VNM\",\"passportNumber\":\"X/THA\",\"passportNumber\":\"$p}
  if [ $((i % 3)) = 0 ]; then
    batch+="{\"header\":{\"occurredAtMs\":\"$(( ($(date +%s) - 86400) * 1000 ))\",\"subject\":{\"foreigner\":{\"nationality\":\"THA\",\"passportNumber\":\"$p\"}}},\"exit\":{\"borderGateCode\":\"BD-PHUCAT-AIRPORT\"}},"
  fi
done
batch="${batch%,}]"
code=$(curl -s -o "$w/resp" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "$batch" "http://127.0.0.1:$port/v1/events")
[ "$code" = 202 ] || fail "post: $(cat "$w/resp")"
n=$(grep -o '"sequence"' "$w/resp" | wc -l)

count() { psql -X -q -At -d "$base/$1" -c "SELECT count(*) FROM lienthong.event_store"; }
for _ in $(seq 600); do
  [ "$(count $one)" -ge "$n" ] && [ "$(count $two)" -ge "$n" ] && break
  sleep 0.1
done
[ "$(count $one)" = "$n" ] && [ "$(count $two)" = "$n" ] || fail "stored $(count $one) and $(count $two) of $n"
sleep 1
digest() {
  psql -X -q -At -d "$base/$1" -c "SELECT md5(
    (SELECT string_agg(event_id::text || encode(event_hash, 'hex'), ',' ORDER BY event_id) FROM lienthong.event_store) ||
    (SELECT string_agg(agency_code || last_sequence || encode(last_hash, 'hex'), ',') FROM lienthong.chain_heads) ||
    (SELECT string_agg(subject || kind || row::text || events, ',' ORDER BY subject) FROM lienthong.subject_rows) ||
    coalesce((SELECT string_agg(subject || code || opened_on, ',' ORDER BY subject, code) FROM lienthong.alerts WHERE cleared_at IS NULL), ''))"
}
d1=$(digest $one) d2=$(digest $two)
if [ "$d1" != "$d2" ]; then
  for part in "event_id::text || encode(event_hash, 'hex') FROM lienthong.event_store" \
              "agency_code || last_sequence || encode(last_hash, 'hex') FROM lienthong.chain_heads" \
              "subject || kind || row::text || events FROM lienthong.subject_rows" \
              "subject || code || opened_on FROM lienthong.alerts WHERE cleared_at IS NULL"; do
    a=$(psql -X -q -At -d "$base/$one" -c "SELECT $part ORDER BY 1" | md5sum)
    b=$(psql -X -q -At -d "$base/$two" -c "SELECT $part ORDER BY 1" | md5sum)
    [ "$a" = "$b" ] || { echo "differs: ${part#* FROM }" >&2; diff <(psql -X -q -At -d "$base/$one" -c "SELECT $part ORDER BY 1") <(psql -X -q -At -d "$base/$two" -c "SELECT $part ORDER BY 1") | head -6 >&2; }
  done
  fail "one instance and two instances differ ($d1 vs $d2)"
fi
rows=$(psql -X -q -At -d "$base/$one" -c "SELECT count(*) FROM lienthong.subject_rows")
open=$(psql -X -q -At -d "$base/$one" -c "SELECT count(*) FROM lienthong.alerts WHERE cleared_at IS NULL")
echo "instances of the pair held $a and $b of 6 partitions"
echo "one instance and two instances: identical ($n events, $rows rows, $open open alerts; digest $d1)"
echo "1 passed, 0 failed"
