#!/usr/bin/env bash
# Signed checkpoints of the event store against the real broker and database:
# the consolidator appends every stored event to the Merkle tree and signs
# tree heads (table and topic); --verify-checkpoints, holding only the hub's
# public key, accepts the history; then an insider's edits are each caught
# and located: a byte of a stored event flipped, a forged checkpoint signed by
# another key, a leaf removed (history rewritten after a checkpoint). An
# agency witness (`lienthong witness`) co-signs every head that extends the
# last it saw, and refuses the heads of a history rewritten by someone who
# holds the hub key itself.
# lt-audit checks the same checkpoints within its audit, and proves any event's
# inclusion in the latest signed head (refused once the event is altered).
#   consolidator_checkpoints.sh CONSOLIDATOR LIENTHONG MIGRATE BENCH_FEED AUDIT
set -euo pipefail
cons=$1 cli=$2 migrate=$3 feed=$4 audit=$5
: "${LT_KAFKA_BOOTSTRAP:?run under tests/harness/with-stack.sh}"
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
N=5000
w=$(mktemp -d "${TMPDIR:-/tmp}/lt-ckpt-XXXXXX")
cons_pid=
db=lt_ckpt_$$
psql -X -q -d "$LT_PG_URL" -c "CREATE DATABASE $db" >/dev/null
LT_PG_URL=${LT_PG_URL%/*}/$db
trap '[ -n "$cons_pid" ] && kill -KILL $cons_pid 2>/dev/null; psql -X -q -d "${LT_PG_URL%/*}/lienthong" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1; rm -rf "$w"' EXIT
fail() { echo "FAIL: $*" >&2; tail -20 "$w/cons.log" >&2 2>/dev/null || true; exit 1; }
sql() { psql -X -q -At -d "$LT_PG_URL" -c "$1"; }

"$migrate" --pg-url "$LT_PG_URL" --migrations-dir "$root/deploy/sql/hub" >/dev/null 2>&1 || fail "lt-migrate"
agency=test.ckpt$$
"$cli" keygen --agency $agency --key-id $agency:k1 --out "$w/k.key" > "$w/k.pub" 2>/dev/null
"$cli" keygen --agency hub --key-id hub:test$$ --out "$w/hub.key" > "$w/hub.pub" 2>/dev/null
"$cli" keygen --agency hub --key-id hub:test$$ --out "$w/rogue.key" > /dev/null 2>&1
"$cli" keygen --agency $agency --key-id $agency:witness --out "$w/witness.key" > /dev/null 2>&1
(umask 077; head -c 32 /dev/urandom | base64 > "$w/subject.key")
pub() { sed -n 's/.*"public_key": "\(.*\)".*/\1/p' "$1"; }
hub_pk=$(pub "$w/hub.pub")
cat > "$w/registry.json" <<JSON
{ "format": "lienthong.registry/1",
  "agencies": [ { "code": "$agency", "kind": "police", "name": { "vi": "Công an" },
                  "allowed_event_types": ["entry", "exit"] } ],
  "keys": [ { "key_id": "$agency:k1", "agency": "$agency", "public_key": "$(pub "$w/k.pub")",
              "valid_from": "2020-01-01T00:00:00Z" } ] }
JSON
"$feed" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --key "$w/k.key" --subject-key-file "$w/subject.key" \
  --registry "$w/registry.json" --events $N --verify-threads 1 > "$w/feed.out" 2>&1 || fail "feed"
topic=lienthong.checkpoints.test$$
"$cons" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --pg-url "$LT_PG_URL" --registry "$w/registry.json" \
  --subject-key-file "$w/subject.key" --group lt-test-ckpt-$$ --dead-letter-topic '' --batch 700 \
  --checkpoint-key "$w/hub.key" --checkpoint-interval 1 --checkpoint-max 1500 --checkpoint-topic $topic \
  --topic-pattern "^lienthong\\.agency\\.test\\.ckpt$$\$" > "$w/cons.log" 2>&1 &
cons_pid=$!
for _ in $(seq 900); do
  [ "$(sql "SELECT coalesce(max(tree_size), 0) FROM lienthong.checkpoints")" = $N ] && break
  sleep 0.1
done
[ "$(sql "SELECT coalesce(max(tree_size), 0) FROM lienthong.checkpoints")" = $N ] \
  || fail "no checkpoint covers the $N events: $(sql "SELECT string_agg(tree_size::text, ',') FROM lienthong.checkpoints")"
kill -TERM $cons_pid; wait $cons_pid || fail "consolidator did not stop cleanly"; cons_pid=
heads=$(sql "SELECT count(*) FROM lienthong.checkpoints")
[ "$heads" -ge 4 ] || fail "$heads checkpoints for $N events at most 1500 each"
published=$(kcat -C -b "$LT_KAFKA_BOOTSTRAP" -t $topic -e -q -f '%s\n' 2>/dev/null | grep -c '"tree_size"' || true)
[ "$published" = "$heads" ] || fail "$published heads on $topic, $heads in the table"
echo "$heads signed checkpoints up to tree size $N, each also on $topic"

verify() { "$cons" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --pg-url "$LT_PG_URL" --registry "$w/registry.json" \
  --subject-key-file "$w/subject.key" --verify-checkpoints --checkpoint-public-key "$1" > "$w/verify.out" 2>&1; }
verify "$hub_pk" || fail "a clean history refused: $(tail -3 "$w/verify.out")"
tail -1 "$w/verify.out"
verify "$(pub "$w/k.pub")" && fail "checkpoints accepted with another key"
echo "the same checkpoints under another public key: refused"

"$audit" --pg-url "$LT_PG_URL" --registry "$w/registry.json" --checkpoint-public-key "$hub_pk" \
  > "$w/audit.out" 2>&1 || fail "lt-audit refused the clean store: $(tail -5 "$w/audit.out")"
grep -q "verify-checkpoints: $heads checkpoint(s), $N leaves, 0 problem(s)" "$w/audit.out" \
  || fail "lt-audit did not check the checkpoints: $(tail -5 "$w/audit.out")"
some=$(sql "SELECT event_id FROM lienthong.merkle_leaves WHERE leaf_index = 4321")
"$audit" prove --pg-url "$LT_PG_URL" --checkpoint-public-key "$hub_pk" "$some" > "$w/proven.out" \
  || fail "inclusion not proven: $(cat "$w/proven.out")"
grep -q '"verified": true' "$w/proven.out" || fail "prove output: $(cat "$w/proven.out")"
"$audit" prove --pg-url "$LT_PG_URL" --checkpoint-public-key "$hub_pk" 00000000-0000-7000-8000-000000000000 \
  > "$w/prove.out" && fail "an unknown event was proven"
echo "lt-audit: checkpoints verified within the audit; event $some proven in the head of $N (a proof of $(( $(grep -o '"[0-9a-f]\{64\}"' "$w/proven.out" | wc -l) - 1 )) hashes); an unknown event refused"
witness() { "$cli" witness --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --checkpoint-topic $topic \
  --witness-topic $topic.witness --hub-public-key "$hub_pk" --key "$w/witness.key" \
  --state "$w/witness.state" > "$w/witness.out" 2> "$w/witness.err"; }
witness || fail "the witness refused a clean history: $(cat "$w/witness.err")"
[ "$(grep -c '"signature"' "$w/witness.out")" = "$heads" ] || fail "witness co-signed $(grep -c '"signature"' "$w/witness.out") of $heads heads"
witness || fail "second witness run failed: $(cat "$w/witness.err")"
[ -s "$w/witness.out" ] && fail "the witness co-signed heads twice"
echo "witness: $heads heads checked (each extends the last) and co-signed; a second run adds none"

# An insider flips a byte of a stored event (the trigger disabled first).
victim=$(sql "SELECT event_id FROM lienthong.merkle_leaves WHERE leaf_index = 1234")
orig=$(sql "SELECT encode(signed_bytes, 'hex') FROM lienthong.event_store WHERE event_id = '$victim'")
sql "ALTER TABLE lienthong.event_store DISABLE TRIGGER event_store_immutable;
     UPDATE lienthong.event_store SET signed_bytes = overlay(signed_bytes placing '\x41'::bytea from 40 for 1) WHERE event_id = '$victim'"
verify "$hub_pk" && fail "an altered event was not detected"
grep -q "^leaf 1234: the stored bytes of event $victim" "$w/verify.out" || fail "altered event not located: $(head -3 "$w/verify.out")"
echo "altered bytes: caught, $(head -1 "$w/verify.out" | cut -c1-90)…"
"$audit" prove --pg-url "$LT_PG_URL" --checkpoint-public-key "$hub_pk" "$victim" > "$w/prove.out" \
  && fail "the altered event was still proven"
grep -q '"verified": false' "$w/prove.out" || fail "prove output: $(cat "$w/prove.out")"
echo "the altered event's inclusion proof fails against the signed head"
# Put the bytes back as they were: the checkpoints verify again.
sql "UPDATE lienthong.event_store SET signed_bytes = decode('$orig', 'hex') WHERE event_id = '$victim'"
verify "$hub_pk" || fail "restored history refused: $(head -3 "$w/verify.out")"
echo "byte restored: verified again"

# A forged checkpoint: same key id, another key.
sql "ALTER TABLE lienthong.checkpoints DISABLE TRIGGER checkpoints_immutable;
     UPDATE lienthong.checkpoints SET signature = decode(repeat('ab', 64), 'hex') WHERE tree_size = (SELECT min(tree_size) FROM lienthong.checkpoints)"
verify "$hub_pk" && fail "a forged checkpoint signature was accepted"
grep -q "the signature does not verify" "$w/verify.out" || fail "forged signature not located"
echo "forged checkpoint signature: caught"

# History rewritten after a checkpoint: a leaf removed.
sql "ALTER TABLE lienthong.merkle_leaves DISABLE TRIGGER merkle_leaves_immutable;
     DELETE FROM lienthong.merkle_leaves WHERE leaf_index = 77"
verify "$hub_pk" && fail "a removed leaf was not detected"
grep -q "^leaf 77: missing" "$w/verify.out" || fail "removed leaf not located: $(head -3 "$w/verify.out")"
echo "leaf removed after the checkpoint: caught"

# The hub's operator rewrites history and re-signs it with the real hub key:
# leaves and checkpoints emptied, one event's bytes altered, the tree rebuilt.
sql "ALTER TABLE lienthong.merkle_leaves DISABLE TRIGGER merkle_leaves_no_truncate;
     ALTER TABLE lienthong.checkpoints DISABLE TRIGGER checkpoints_no_truncate;
     TRUNCATE lienthong.checkpoints, lienthong.merkle_leaves;
     UPDATE lienthong.event_store SET signed_bytes = overlay(signed_bytes placing '\x42'::bytea from 40 for 1) WHERE event_id = '$victim'"
"$cons" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --pg-url "$LT_PG_URL" --registry "$w/registry.json" \
  --subject-key-file "$w/subject.key" --group lt-test-ckpt-$$ --dead-letter-topic '' \
  --checkpoint-key "$w/hub.key" --checkpoint-interval 1 --checkpoint-max 1500 --checkpoint-topic $topic \
  --topic-pattern "^lienthong\\.agency\\.test\\.ckpt$$\$" >> "$w/cons.log" 2>&1 &
cons_pid=$!
for _ in $(seq 300); do
  [ "$(sql "SELECT coalesce(max(tree_size), 0) FROM lienthong.checkpoints")" = $N ] && break
  sleep 0.1
done
sleep 1
kill -TERM $cons_pid; wait $cons_pid || fail "consolidator did not stop cleanly"; cons_pid=
witness && fail "the witness co-signed a rewritten history"
grep -q "HISTORY REWRITTEN" "$w/witness.err" || fail "no alarm from the witness: $(cat "$w/witness.err")"
echo "history rewritten and re-signed with the hub key: the witness refuses: $(grep -m1 'HISTORY REWRITTEN' "$w/witness.err" | cut -c1-110)…"
echo "1 passed, 0 failed"
