#!/usr/bin/env bash
# The consolidator's admission rules and chain gaps against the real broker and
# database, with events crafted and signed by the `lienthong` tool:
#   * a chain arriving out of order (3, 2, then 1 much later): the gap at the
#     head is held open in chain_gaps, reported once it is older than
#     --gap-report-after, and closed when sequence 1 arrives;
#   * every kind of bad record refused with its own code, into dead_letter
#     (and nothing of it in the event store or the rows): tampered bytes, a
#     forged signature, a revoked key, an expired key, an unknown agency's key,
#     a type the agency may not emit, headers that do not match the signed
#     event; none of them takes the sequence number it claimed;
#   * the registry re-read while running: a key added to the file is honoured
#     without a restart;
#   * least privilege: the consolidator runs as a login that holds only the
#     lienthong_consolidator role;
#   * the cross-subject alert: a worker present on a Decree 152 permit citing a
#     demand approval its employer does not have is alerted, and the alert
#     clears when the employer's approval arrives (the employer's event
#     re-checks its workers).
#   consolidator_admission.sh CONSOLIDATOR LIENTHONG MIGRATE
set -euo pipefail
cons=$1 cli=$2 migrate=$3
: "${LT_KAFKA_BOOTSTRAP:?run under tests/harness/with-stack.sh}"
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
w=$(mktemp -d "${TMPDIR:-/tmp}/lt-adm-XXXXXX")
cons_pid=
db=lt_adm_$$
psql -X -q -d "$LT_PG_URL" -c "CREATE DATABASE $db" >/dev/null
LT_PG_URL=${LT_PG_URL%/*}/$db
login=lt_adm_cons_$$
trap '[ -n "$cons_pid" ] && kill -KILL $cons_pid 2>/dev/null; psql -X -q -d "${LT_PG_URL%/*}/lienthong" -c "DROP DATABASE IF EXISTS $db" -c "DROP ROLE IF EXISTS $login" >/dev/null 2>&1; rm -rf "$w"' EXIT
fail() { echo "FAIL: $*" >&2; tail -20 "$w/cons.log" >&2 2>/dev/null || true; exit 1; }
sql() { psql -X -q -At -d "$LT_PG_URL" -c "$1"; }
wait_for() { # wait_for SECONDS SQL: until the query prints t
  for _ in $(seq $(( $1 * 10 ))); do [ "$(sql "$2")" = t ] && return 0; sleep 0.1; done
  return 1
}

"$migrate" --pg-url "$LT_PG_URL" --migrations-dir "$root/deploy/sql/hub" \
  >/dev/null 2>&1 || fail "lt-migrate"
# The consolidator logs in with the consolidator role only (least privilege).
pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
psql -X -q -d "$LT_PG_URL" -c "CREATE ROLE $login LOGIN PASSWORD '$pw' IN ROLE lienthong_consolidator" >/dev/null
hostport=${LT_PG_URL#*@}; hostport=${hostport%%/*}
(umask 077; cat "$PGPASSFILE" > "$w/pgpass"; echo "${hostport%:*}:${hostport#*:}:*:$login:$pw" >> "$w/pgpass")
cons_url=postgresql://$login@$hostport/$db
agency=test.adm$$ ghost=test.ghost$$ lab=test.lab$$
(umask 077; head -c 32 /dev/urandom | base64 > "$w/subject.key")
key() { # key NAME AGENCY KEY_ID → $w/NAME.key, prints the public key
  "$cli" keygen --agency "$2" --key-id "$3" --out "$w/$1.key" > "$w/$1.pub" 2>/dev/null
  sed -n 's/.*"public_key": "\(.*\)".*/\1/p' "$w/$1.pub"
}
pk1=$(key k1 $agency $agency:k1)
pk2=$(key k2 $agency $agency:k2)
pk3=$(key k3 $agency $agency:k3)
pk4=$(key k4 $agency $agency:k4)
pkl=$(key lab $lab $lab:k1)
key rogue $agency $agency:k1 >/dev/null
key ghost $ghost $ghost:k1 >/dev/null
registry() { # registry [EXTRA_KEY_JSON]
  cat > "$w/registry.tmp" <<JSON
{ "format": "lienthong.registry/1",
  "agencies": [ { "code": "$agency", "kind": "border_guard", "name": { "vi": "Biên phòng" },
                  "allowed_event_types": ["entry", "departure", "return_home"] },
                { "code": "$lab", "kind": "labour", "name": { "vi": "Sở Lao động" },
                  "allowed_event_types": ["work_permit_issued", "labour_demand_approved"] } ],
  "keys": [ { "key_id": "$agency:k1", "agency": "$agency", "public_key": "$pk1",
              "valid_from": "2020-01-01T00:00:00Z" },
            { "key_id": "$lab:k1", "agency": "$lab", "public_key": "$pkl",
              "valid_from": "2020-01-01T00:00:00Z" },
            { "key_id": "$agency:k2", "agency": "$agency", "public_key": "$pk2",
              "valid_from": "2020-01-01T00:00:00Z", "revoked_at": "2025-01-01T00:00:00Z",
              "revocation_reason": "laptop stolen" },
            { "key_id": "$agency:k3", "agency": "$agency", "public_key": "$pk3",
              "valid_from": "2020-01-01T00:00:00Z", "valid_until": "2025-06-01T00:00:00Z" }${1:-} ] }
JSON
  mv "$w/registry.tmp" "$w/registry.json"
}
registry

# make_event SEQ PREV_HASH_HEX PASSPORT [BODY]: an Event JSON of the agency.
make_event() {
  node -e '
    const [f, agency, seq, prev, passport, body] = process.argv.slice(1);
    const e = JSON.parse(require("fs").readFileSync(f));
    e.header.agencyCode = agency; e.header.sequence = seq;
    e.header.prevHash = Buffer.from(prev, "hex").toString("base64");
    e.header.occurredAtMs = String(Date.now() - 120000);
    e.header.subject.foreigner.passportNumber = passport;
    if (process.env.NAT) e.header.subject.foreigner.nationality = process.env.NAT;
    if (body === "exit") { delete e.entry; e.exit = { borderGateCode: "BD-QUYNHON-PORT" }; }
    console.log(JSON.stringify(e));' "$root/tests/golden/events/entry.json" "${AGENCY:-$agency}" "$1" "$2" "$3" "${4:-entry}"
}
zero=0000000000000000000000000000000000000000000000000000000000000000
sign() { # sign NAME KEY SEQ PREV PASSPORT [BODY] → $w/NAME.env, prints its event hash
  make_event "$3" "$4" "$5" "${6:-}" > "$w/$1.json"
  "$cli" sign --new-id --key "$w/$2.key" --out "$w/$1.env" "$w/$1.json" 2>/dev/null || fail "sign $1"
  "$cli" inspect "$w/$1.env" | sed -n 's/.*"event_hash": "\(.*\)".*/\1/p'
}
publish() { "$cli" publish --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --subject-key-file "$w/subject.key" "$@" \
  >/dev/null 2>&1 || fail "publish $*"; }

h1=$(sign e1 k1 1 $zero TK0000001)
h2=$(sign e2 k1 2 "$h1" TK0000002)
h3=$(sign e3 k1 3 "$h2" TK0000003)
publish "$w/e3.env" "$w/e2.env"
PGPASSFILE=$w/pgpass "$cons" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --pg-url "$cons_url" \
  --registry "$w/registry.json" --subject-key-file "$w/subject.key" --group lt-test-adm-$$ \
  --dead-letter-topic '' \
  --topic-pattern "^lienthong\\.agency\\.test\\.(adm|ghost|lab)$$\$" --gap-report-after 2 \
  > "$w/cons.log" 2>&1 &
cons_pid=$!

# Out of order: 3 and 2 stored, the head waits for 1, the gap is reported.
wait_for 60 "SELECT count(*) = 2 FROM lienthong.event_store WHERE agency_code = '$agency'" \
  || fail "sequences 3 and 2 not stored"
wait_for 10 "SELECT count(*) = 1 FROM lienthong.chain_gaps WHERE agency_code = '$agency' AND from_sequence = 1 AND to_sequence = 1 AND filled_at IS NULL" \
  || fail "no open gap 1..1: $(sql "SELECT * FROM lienthong.chain_gaps")"
[ -z "$(sql "SELECT last_sequence FROM lienthong.chain_heads WHERE agency_code = '$agency'")" ] \
  || fail "the chain head moved over a gap"
wait_for 20 "SELECT reported_at IS NOT NULL FROM lienthong.chain_gaps WHERE agency_code = '$agency'" \
  || fail "the open gap was not reported"
grep -q "CHAIN GAP NOT FILLED: agency $agency is missing sequence(s) 1..1" "$w/cons.log" \
  || fail "no gap report in the log"
echo "out of order: 3 and 2 stored, head waits, gap 1..1 open and reported after 2 s (consolidator logged in as $login: lienthong_consolidator only)"
publish "$w/e1.env"
wait_for 30 "SELECT last_sequence = 3 FROM lienthong.chain_heads WHERE agency_code = '$agency'" \
  || fail "head not at 3 after sequence 1 arrived"
wait_for 5 "SELECT filled_at IS NOT NULL FROM lienthong.chain_gaps WHERE agency_code = '$agency'" \
  || fail "gap not closed"
[ "$(sql "SELECT count(*) FROM lienthong.foreign_workers WHERE subject LIKE 'JPN:TK000000_'")" = 3 ] \
  || fail "rows of the three people missing"
echo "sequence 1 arrived: head at 3, gap closed, three rows"

# Bad records, each claiming sequence 4 (or another agency's), each refused.
sign e4 k1 4 "$h3" TK0000004 >/dev/null
perl -pi -e 's/TK0000004/TK0000009/' "$w/e4.env"               # tampered bytes
sign forged rogue 4 "$h3" TK0000005 >/dev/null                  # right key id, wrong key
sign revoked k2 4 "$h3" TK0000006 >/dev/null
sign expired k3 4 "$h3" TK0000007 >/dev/null
sign notallowed k1 4 "$h3" TK0000008 exit >/dev/null
AGENCY=$ghost sign ghost ghost 1 $zero TK0000010 >/dev/null
sign hdr k1 4 "$h3" TK0000011 >/dev/null
publish "$w/e4.env" "$w/forged.env" "$w/revoked.env" "$w/expired.env" "$w/notallowed.env" "$w/ghost.env"
# Headers that do not match: the signed bytes under another record key, no CloudEvents headers.
kcat -P -b "$LT_KAFKA_BOOTSTRAP" -t "lienthong.agency.$agency" -k not-the-subject-key "$w/hdr.env"
want="bad_signature bad_signature header_mismatch key_expired key_revoked key_unknown type_not_allowed"
got=
for _ in $(seq 600); do
  got=$(sql "SELECT string_agg(code, ' ' ORDER BY code) FROM lienthong.dead_letter")
  [ "$got" = "$want" ] && break
  sleep 0.1
done
[ "$got" = "$want" ] || fail "dead letters: '$got', expected '$want'"
[ "$(sql "SELECT count(*) FROM lienthong.event_store")" = 3 ] || fail "a refused record reached the event store"
[ "$(sql "SELECT count(*) FROM lienthong.subject_rows")" = 3 ] || fail "a refused record reached the rows"
sql "SELECT code || ': ' || reason FROM lienthong.dead_letter ORDER BY code" | sed 's/^/  refused  /'
echo "7 bad records refused with their codes; nothing of them stored"

# The real sequence 4 still fits: no refused record took it.
h4=$(sign e4b k1 4 "$h3" TK0000004)
publish "$w/e4b.env"
wait_for 30 "SELECT last_sequence = 4 FROM lienthong.chain_heads WHERE agency_code = '$agency'" \
  || fail "sequence 4 not admitted after the refusals"
echo "sequence 4 admitted after the refusals: head at 4"

# A key added to the registry file while the consolidator runs is honoured.
registry ", { \"key_id\": \"$agency:k4\", \"agency\": \"$agency\", \"public_key\": \"$pk4\", \"valid_from\": \"2020-01-01T00:00:00Z\" }"
for _ in $(seq 100); do grep -q "registry .* reloaded" "$w/cons.log" && break; sleep 0.1; done
grep -q "registry .* reloaded" "$w/cons.log" || fail "registry not reloaded"
sign e5 k4 5 "$h4" TK0000012 >/dev/null
publish "$w/e5.env"
wait_for 30 "SELECT last_sequence = 5 FROM lienthong.chain_heads WHERE agency_code = '$agency'" \
  || fail "an event signed with the newly registered key was not admitted: $(sql "SELECT code FROM lienthong.dead_letter WHERE event_id IS NOT NULL ORDER BY id DESC LIMIT 1")"
echo "registry re-read while running: a new key's event admitted"

# Cross-subject: a worker on a Decree 152 permit citing approval QD-7/TEST of
# employer 4100000777, present (entered); the employer has no such approval.
lab_event() { # lab_event SEQ PREV SUBJECT_JSON OCCURRED_DAY BODY_JSON → Event JSON
  node -e '
    const [agency, seq, prev, subject, day, body] = process.argv.slice(1);
    const e = { header: { agencyCode: agency, sequence: seq,
                          prevHash: Buffer.from(prev, "hex").toString("base64"),
                          occurredAtMs: String(Date.parse(day + "T03:00:00Z")),
                          subject: JSON.parse(subject), ruleSet: "RULE_SET_DECREE_152_2020",
                          schemaVersion: 1 } };
    Object.assign(e, JSON.parse(body));
    console.log(JSON.stringify(e));' $lab "$@"
}
area='{"provinceCode":"52","districtCode":"550"}'
lab_event 1 $zero '{"foreigner":{"nationality":"KOR","passportNumber":"M00000777"}}' 2025-06-20 \
  "{\"workPermitIssued\":{\"permitNo\":\"52/2025/GPLĐ-0000777\",\"terms\":{\"employerEnterpriseCode\":\"4100000777\",\"person\":{\"fullName\":\"Kim Min\",\"birthDate\":\"1980-01-02\",\"sex\":\"SEX_MALE\"},\"jobTitle\":\"Kỹ sư\",\"category\":\"WORK_CATEGORY_EXPERT\",\"workForm\":\"WORK_FORM_LABOUR_CONTRACT\",\"occupationCode\":\"2142\",\"workArea\":$area,\"workplaces\":[{\"line\":\"Lô D6\",\"area\":$area}],\"validFrom\":\"2025-06-25\",\"validUntil\":\"2027-06-24\"},\"demandId\":\"NC-TEST-777\",\"demandDecisionNo\":\"QD-7/TEST\"}}" \
  > "$w/l1.json"
"$cli" sign --new-id --key "$w/lab.key" --out "$w/l1.env" "$w/l1.json" 2>"$w/sign.err" || fail "sign permit: $(cat "$w/sign.err")"
hl1=$("$cli" inspect "$w/l1.env" | sed -n 's/.*"event_hash": "\(.*\)".*/\1/p')
NAT=KOR sign e6 k4 6 "$(sql "SELECT encode(last_hash, 'hex') FROM lienthong.chain_heads WHERE agency_code = '$agency'")" M00000777 >/dev/null
publish "$w/l1.env" "$w/e6.env"
wait_for 60 "SELECT count(*) = 1 FROM lienthong.alerts WHERE subject = 'KOR:M00000777' AND code = 'employer_no_approved_demand' AND cleared_at IS NULL" \
  || fail "no employer_no_approved_demand alert: $(sql "SELECT code FROM lienthong.alerts WHERE subject = 'KOR:M00000777'") $(sql "SELECT code, reason FROM lienthong.dead_letter WHERE kafka_topic LIKE '%lab%' OR id > 7")"
echo "cross-subject: present on a permit citing QD-7/TEST, employer without it: alert open"
lab_event 2 "$hl1" '{"enterpriseCode":"4100000777"}' 2025-06-10 \
  "{\"labourDemandApproved\":{\"demandId\":\"NC-TEST-777\",\"decisionNo\":\"QD-7/TEST\",\"positions\":[{\"jobTitle\":\"Kỹ sư\",\"category\":\"WORK_CATEGORY_EXPERT\",\"workForm\":\"WORK_FORM_LABOUR_CONTRACT\",\"occupationCode\":\"2142\",\"count\":2,\"startDate\":\"2025-06-25\",\"endDate\":\"2027-06-24\",\"workArea\":$area,\"justification\":\"Chưa tuyển được lao động trong nước\"}]}}" \
  > "$w/l2.json"
"$cli" sign --new-id --key "$w/lab.key" --out "$w/l2.env" "$w/l2.json" 2>"$w/sign.err" || fail "sign approval: $(cat "$w/sign.err")"
publish "$w/l2.env"
wait_for 60 "SELECT count(*) = 1 FROM lienthong.alerts WHERE subject = 'KOR:M00000777' AND code = 'employer_no_approved_demand' AND cleared_at IS NOT NULL" \
  || fail "alert not cleared by the employer's approval"
[ "$(sql "SELECT workers_with_permit FROM lienthong.employers WHERE enterprise_code = '4100000777'")" = 1 ] \
  || fail "employers view does not count the worker"
echo "the employer's approval QD-7/TEST arrived: the worker re-checked, alert cleared"

kill -TERM $cons_pid; wait $cons_pid || fail "consolidator did not stop cleanly"; cons_pid=
vr=$("$cons" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --pg-url "$LT_PG_URL" --registry "$w/registry.json" \
      --subject-key-file "$w/subject.key" --verify-rows 2>/dev/null) || fail "rows differ from a fresh fold: $vr"
echo "$vr" | tail -1
echo "1 passed, 0 failed"
