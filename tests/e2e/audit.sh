#!/usr/bin/env bash
# lt-audit against the real broker and database. A backlog of signed, chained
# events (bench_feed: one agency, six partitions, two events per person) is
# folded by the consolidator into a scratch database; then:
#   * a clean audit exits 0, its signed report verifies (and a changed report
#     or another auditor's key does not), and the as-of answer for today
#     equals the live tables' counts, the one for 2020 is empty;
#   * the same from the agency topic (--from-kafka, record keys and headers
#     checked, the store matched to the log event for event), from the
#     beginning and from a date (offsets for times);
#   * each tampering an insider could do, undone after each, is detected and
#     located (exit 1, the agency and sequence or the subject named):
#     a flipped byte of a stored event, a deleted event, two events' bytes
#     swapped, a forged event (signed with a key not in the registry)
#     inserted, a wrong event_hash column, a projection row altered, an alert
#     planted; the deleted and the forged event are also caught against the
#     log (in the topic, not in the store; in the store, not in the topic).
# The event store's immutability trigger is disabled as the database
# superuser for the tampering, as an insider with that power could.
#   audit.sh AUDIT CONSOLIDATOR LIENTHONG MIGRATE BENCH_FEED
set -euo pipefail
audit=$1 cons=$2 cli=$3 migrate=$4 feed=$5
: "${LT_KAFKA_BOOTSTRAP:?run under tests/harness/with-stack.sh}"
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
N=${LT_AUDIT_EVENTS:-3000}
w=$(mktemp -d "${TMPDIR:-/tmp}/lt-audit-XXXXXX")
cons_pid=
db=lt_audit_$$
psql -X -q -d "$LT_PG_URL" -c "CREATE DATABASE $db" >/dev/null
LT_PG_URL=${LT_PG_URL%/*}/$db
login=lt_audit_login_$$
trap '[ -n "$cons_pid" ] && kill -KILL $cons_pid 2>/dev/null; psql -X -q -d "${LT_PG_URL%/*}/lienthong" -c "DROP DATABASE IF EXISTS $db" -c "DROP ROLE IF EXISTS $login" >/dev/null 2>&1; rm -rf "$w"' EXIT
# LT_AUDIT_KEEP=1: leave the scratch database and files for a look.
[ -n "${LT_AUDIT_KEEP:-}" ] && trap "echo kept $w $db" EXIT
fail() { echo "FAIL: $*" >&2; tail -20 "$w/audit.out" >&2 2>/dev/null || true; exit 1; }
sql() { psql -X -q -At -d "$LT_PG_URL" -c "$1"; }

"$migrate" --pg-url "$LT_PG_URL" --migrations-dir "$root/deploy/sql/hub" \
  >/dev/null 2>&1 || fail "lt-migrate"
agency=test.audit$$
"$cli" keygen --agency $agency --key-id $agency:k1 --out "$w/k.key" > "$w/k.pub" 2>/dev/null
"$cli" keygen --agency $agency --key-id $agency:k9 --out "$w/rogue.key" > /dev/null 2>&1
"$cli" keygen --agency auditor --key-id auditor:k1 --out "$w/auditor.key" > "$w/auditor.pub" 2>/dev/null
"$cli" keygen --agency auditor --key-id auditor:k2 --out "$w/other.key" > "$w/other.pub" 2>/dev/null
(umask 077; head -c 32 /dev/urandom | base64 > "$w/subject.key")
pk=$(sed -n 's/.*"public_key": "\(.*\)".*/\1/p' "$w/k.pub")
auditor_pk=$(sed -n 's/.*"public_key": "\(.*\)".*/\1/p' "$w/auditor.pub")
cat > "$w/registry.json" <<JSON
{ "format": "lienthong.registry/1",
  "agencies": [ { "code": "$agency", "kind": "police", "name": { "vi": "Công an" },
                  "allowed_event_types": ["entry", "exit"] } ],
  "keys": [ { "key_id": "$agency:k1", "agency": "$agency", "public_key": "$pk",
              "valid_from": "2020-01-01T00:00:00Z" } ] }
JSON
"$feed" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --key "$w/k.key" --subject-key-file "$w/subject.key" \
  --registry "$w/registry.json" --events "$N" --verify-threads 1 > "$w/feed.out" 2>&1 \
  || fail "feed: $(tail -3 "$w/feed.out")"
"$cons" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --pg-url "$LT_PG_URL" --registry "$w/registry.json" \
  --subject-key-file "$w/subject.key" --group lt-test-audit-$$ --dead-letter-topic '' \
  --topic-pattern "^lienthong\\.agency\\.test\\.audit$$\$" > "$w/cons.log" 2>&1 &
cons_pid=$!
for _ in $(seq 1200); do
  [ "$(sql "SELECT coalesce(sum(next_offset), 0) FROM lienthong.consumer_offsets")" -ge "$N" ] && break
  sleep 0.1
done
kill -TERM $cons_pid; wait $cons_pid || fail "consolidator did not stop cleanly"; cons_pid=
[ "$(sql "SELECT count(*) FROM lienthong.event_store")" = "$N" ] || fail "not every event stored"
echo "published and folded $N signed events of $agency"

run_audit() { # run_audit [ARGS...]: the exit status in $st, the output in $w/audit.out
  st=0
  "$audit" --pg-url "$LT_PG_URL" --registry "$w/registry.json" --threads 2 "$@" \
    > "$w/audit.out" 2> "$w/audit.err" || st=$?
}
expect() { # expect WHAT PATTERN: the audit failed and its output names the place
  [ "$st" = 1 ] || fail "$1: exit $st, expected 1"
  grep -q -- "$2" "$w/audit.out" || fail "$1: no '$2' in the audit output"
  echo "detected: $1 — $(grep -m1 -- "$2" "$w/audit.out")"
}

# ---- clean ----------------------------------------------------------------
# First as a login holding only the auditor role (read-only, least privilege).
pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
psql -X -q -d "$LT_PG_URL" -c "CREATE ROLE $login LOGIN PASSWORD '$pw' IN ROLE lienthong_auditor" >/dev/null
hostport=${LT_PG_URL#*@}; hostport=${hostport%%/*}
(umask 077; cat "$PGPASSFILE" > "$w/pgpass"; echo "${hostport%:*}:${hostport#*:}:*:$login:$pw" >> "$w/pgpass")
st=0
PGPASSFILE=$w/pgpass "$audit" --pg-url "postgresql://$login@$hostport/$db" --registry "$w/registry.json" \
  > "$w/audit.out" 2> "$w/audit.err" || st=$?
[ "$st" = 0 ] || fail "clean audit as the auditor role exited $st: $(cat "$w/audit.err")"
run_audit --key "$w/auditor.key" --report "$w/report.json"
[ "$st" = 0 ] || fail "clean audit exited $st"
grep -q "VERIFIED" "$w/audit.out" || fail "no VERIFIED line"
grep -q "events checked" "$w/audit.err" || fail "no progress on stderr"
"$audit" verify-report --expect-key "$auditor_pk" "$w/report.json" > /dev/null \
  || fail "the signed report does not verify"
[ "$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1])).report;
  console.log(r.verified, r.diffCount, r.eventStore.count, r.checked.events, r.firstBreak)' "$w/report.json")" \
  = "true 0 $N $N null" ] || fail "report content: $(head -c 600 "$w/report.json")"
sed 's/"diffCount": 0/"diffCount": 1/' "$w/report.json" > "$w/changed.json"
! "$audit" verify-report "$w/changed.json" > /dev/null 2>&1 || fail "a changed report verified"
other_pk=$(sed -n 's/.*"public_key": "\(.*\)".*/\1/p' "$w/other.pub")
! "$audit" verify-report --expect-key "$other_pk" "$w/report.json" > /dev/null 2>&1 \
  || fail "a report verified against another auditor's key"
echo "clean: exit 0 (also as a login with only lienthong_auditor), $N events and $(( (N + 1) / 2 )) rows verified; signed report verifies, a changed one does not"

# ---- from the log ----------------------------------------------------------
kafka=(--from-kafka --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --subject-key-file "$w/subject.key"
       --topic-pattern "^lienthong\\.agency\\.test\\.audit$$\$")
run_audit "${kafka[@]}" --key "$w/auditor.key" --report "$w/klog.json"
[ "$st" = 0 ] || fail "clean audit from the log exited $st"
[ "$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1])).report;
  console.log(r.source, r.log.records, r.log.admitted, r.verified)' "$w/klog.json")" \
  = "kafka+event_store $N $N true" ] || fail "log report: $(head -c 600 "$w/klog.json")"
run_audit "${kafka[@]}" --since "$(TZ=Asia/Ho_Chi_Minh date +%F)"
[ "$st" = 0 ] || fail "audit from the log since today exited $st"
echo "from the topic: $N records verified (signatures, keys, headers, chain), the store matches the log; also --since today"

# ---- as of a date ---------------------------------------------------------
today=$(TZ=Asia/Ho_Chi_Minh date +%F)
run_audit --as-of "$today"
[ "$st" = 0 ] || fail "as-of audit exited $st"
live=$(sql "SELECT count(*) FROM lienthong.foreign_workers WHERE present")
grep -A3 '"foreignWorkers"' "$w/audit.out" | grep -q "\"present\": $live\b" \
  || fail "as of $today: not $live present: $(cat "$w/audit.out")"
run_audit --as-of 2020-01-01
grep -A3 '"foreignWorkers"' "$w/audit.out" | grep -q '"present": 0' || fail "as of 2020: someone present"
echo "as of $today: $live foreign workers present, as the live tables say; as of 2020-01-01: none"

# ---- tampering, each undone ---------------------------------------------------
sql "CREATE TABLE lienthong.audit_backup AS SELECT * FROM lienthong.event_store"
insider() { sql "ALTER TABLE lienthong.event_store DISABLE TRIGGER event_store_immutable; $1; ALTER TABLE lienthong.event_store ENABLE TRIGGER event_store_immutable"; }
restore() {
  insider "DELETE FROM lienthong.event_store; INSERT INTO lienthong.event_store SELECT * FROM lienthong.audit_backup"
  run_audit; [ "$st" = 0 ] || fail "after undoing: exit $st"
}
K=$(( N / 2 ))

insider "UPDATE lienthong.event_store SET signed_bytes = overlay(signed_bytes placing decode(lpad(to_hex(get_byte(signed_bytes, 60) # 1), 2, '0'), 'hex') from 61 for 1) WHERE agency_code = '$agency' AND sequence = $K"
run_audit; expect "flipped byte" "agency $agency sequence $K:"
restore

insider "DELETE FROM lienthong.event_store WHERE agency_code = '$agency' AND sequence = $K"
run_audit; expect "deleted row" "FINDING gap: agency $agency sequence $K:"
run_audit "${kafka[@]}"; expect "deleted row, against the log" "FINDING not_in_store: agency $agency sequence $K:"
restore

insider "UPDATE lienthong.event_store e SET signed_bytes = b.signed_bytes FROM lienthong.audit_backup b WHERE e.agency_code = '$agency' AND b.agency_code = e.agency_code AND ((e.sequence = $K AND b.sequence = $((K + 1))) OR (e.sequence = $((K + 1)) AND b.sequence = $K))"
run_audit; expect "swapped bytes (reordered)" "agency $agency sequence $K:"
restore

insider "UPDATE lienthong.event_store SET event_hash = decode(repeat('ab', 32), 'hex') WHERE agency_code = '$agency' AND sequence = $K"
run_audit; expect "event_hash column" "FINDING hash_column: agency $agency sequence $K:"
restore

# A forged event: the agency's next sequence, linked correctly, signed with a
# key the registry does not know.
last=$(sql "SELECT encode(event_hash, 'hex') FROM lienthong.event_store WHERE agency_code = '$agency' AND sequence = $N")
node -e '
  const [f, agency, seq, prev] = process.argv.slice(1);
  const e = JSON.parse(require("fs").readFileSync(f));
  e.header.agencyCode = agency; e.header.sequence = seq;
  e.header.prevHash = Buffer.from(prev, "hex").toString("base64");
  e.header.occurredAtMs = String(Date.now() - 120000);
  e.header.recordedAtMs = String(Date.now() - 60000);
  e.header.subject.foreigner.passportNumber = "FORGED01";
  console.log(JSON.stringify(e));' "$root/tests/golden/events/entry.json" $agency $((N + 1)) "$last" > "$w/forged.json"
"$cli" sign --new-id --key "$w/rogue.key" --out "$w/forged.env" "$w/forged.json" 2>/dev/null || fail "sign forged"
fh=$("$cli" inspect "$w/forged.env" | sed -n 's/.*"event_hash": "\(.*\)".*/\1/p')
sql "INSERT INTO lienthong.event_store (event_id, agency_code, sequence, event_type, subject_key, subject, occurred_at, recorded_at, rule_set, signed_bytes, event_hash, kafka_topic, kafka_partition, kafka_offset, prev_hash) VALUES (gen_random_uuid(), '$agency', $((N + 1)), 'entry', decode(repeat('00', 32), 'hex'), 'JPN:FORGED01', now(), now(), 'RULE_SET_DECREE_219_2025', decode('$(xxd -p "$w/forged.env" | tr -d '\n')', 'hex'), decode('$fh', 'hex'), 'lienthong.agency.$agency', 0, 999999999, decode('$last', 'hex'))"
run_audit; expect "forged row" "FINDING forged: agency $agency sequence $((N + 1)):"
run_audit "${kafka[@]}"; expect "forged row, against the log" "FINDING not_in_log: agency $agency sequence $((N + 1)):"
restore

subj=$(sql "SELECT subject FROM lienthong.subject_rows ORDER BY subject LIMIT 1 OFFSET 7")
sql "UPDATE lienthong.subject_rows SET row = jsonb_set(row, '{present}', 'false') WHERE subject = '$subj'"
run_audit; expect "altered projection row" "DIFF row: $subj differs"
sql "UPDATE lienthong.subject_rows SET row = jsonb_set(row, '{present}', 'true') WHERE subject = '$subj'"
run_audit; [ "$st" = 0 ] || fail "after undoing the row: exit $st"

sql "INSERT INTO lienthong.alerts (subject, code, opened_on, event_ids, message) VALUES ('$subj', 'present_revoked_permit', current_date, '{}', 'planted')"
run_audit; expect "planted alert" "DIFF alert: $subj present_revoked_permit"
sql "DELETE FROM lienthong.alerts WHERE message = 'planted'"

echo "1 passed, 0 failed"
