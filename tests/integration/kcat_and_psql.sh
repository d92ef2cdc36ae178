#!/usr/bin/env bash
# The stack is reachable by independent, off-the-shelf clients: Debian's kcat
# lists the project's broker and round-trips a record with a header through it,
# and psql reaches the project's database with the stack's password file.
set -euo pipefail
: "${LT_KAFKA_BOOTSTRAP:?run under tests/harness/with-stack.sh}"
fail() { echo "FAIL: $*" >&2; exit 1; }

meta=$(kcat -L -b "$LT_KAFKA_BOOTSTRAP" -m 10)
echo "$meta" | head -5
nb=$(echo "$LT_KAFKA_BOOTSTRAP" | tr ',' '\n' | wc -l)
grep -q <<<"$meta" "^ $nb brokers:" || fail "kcat -L did not list $nb broker(s)"
for hp in $(echo "$LT_KAFKA_BOOTSTRAP" | tr ',' ' '); do
  grep -q <<<"$meta" "at $hp" || fail "kcat -L did not list broker $hp"
done

topic=lt-test-kcat-$$-$RANDOM
echo "hello-from-kcat" | kcat -P -b "$LT_KAFKA_BOOTSTRAP" -t "$topic" -H "ce_id=kcat-1" -k key1 -X topic.request.required.acks=-1
out=$(kcat -C -b "$LT_KAFKA_BOOTSTRAP" -t "$topic" -o beginning -c 1 -e -q -f '%k|%h|%s\n' -m 30)
[ "$out" = "key1|ce_id=kcat-1|hello-from-kcat" ] || fail "kcat read back '$out'"

v=$(psql -X -q -At -d "$LT_PG_URL" -c "SHOW server_version")
case "$v" in 15.*) ;; *) fail "psql reached server version '$v', expected 15.x" ;; esac
db=$(psql -X -q -At -d "$LT_PG_URL" -c "SELECT current_database()")
[ "$db" = lienthong ] || fail "psql connected to '$db'"
echo "kcat and psql reach the stack (PostgreSQL $v)"
echo "1 passed, 0 failed"
