#!/usr/bin/env bash
# End to end: lt-smoke round-trips signed messages through the real broker and
# database; then independent clients (kcat, psql) see exactly what it reported;
# and pointed at a dead broker it fails fast with a clear message.
set -euo pipefail
smoke=$1
: "${LT_KAFKA_BOOTSTRAP:?run under tests/harness/with-stack.sh}"
fail() { echo "FAIL: $*" >&2; exit 1; }

out=$("$smoke" --messages 5 --topic lt-test-smoke)
echo "$out"
run=$(echo "$out" | sed -n 's/^lt-smoke run \([0-9a-f]*\):.*/\1/p')
[ -n "$run" ] || fail "no run id in lt-smoke output"
grep -q <<<"$out" '^lt-smoke: OK' || fail "lt-smoke did not report OK"

ids=$(kcat -C -b "$LT_KAFKA_BOOTSTRAP" -t lt-test-smoke -o beginning -e -q -f '%h\n' -m 30 \
      | tr ',' '\n' | sed -n "s/^ce_id=\($run-[0-9]*\)$/\1/p" | sort -u | wc -l)
[ "$ids" -eq 5 ] || fail "kcat sees $ids of this run's 5 records"
rows=$(psql -X -q -At -d "$LT_PG_URL" -c "SELECT count(*) FROM smoke_roundtrip WHERE run_id = '$run'")
[ "$rows" -eq 5 ] || fail "psql sees $rows of this run's 5 rows"

if err=$(LT_LOG_LEVEL=error "$smoke" --kafka-bootstrap 127.0.0.1:1 --timeout-ms 3000 2>&1); then
  fail "lt-smoke succeeded against a dead broker"
fi
grep -q <<<"$err" 'lt-smoke: FAILED' || fail "no clear failure message: $err"
if "$smoke" --messages 0 >/dev/null 2>&1; then fail "--messages 0 accepted"; fi
echo "3 passed, 0 failed"
