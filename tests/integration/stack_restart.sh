#!/usr/bin/env bash
# deploy/stack.sh keeps state across `down` and `up`: a Kafka record and a
# PostgreSQL row written before the stop are there after the start, on the same
# ports; `status` tells stopped from running; `destroy` removes everything.
# Runs its own single-node stack in a scratch directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../harness/own-stack.sh"
dir=$(mktemp -d "${TMPDIR:-/tmp}/lt-restart-XXXXXX")
fail() { echo "FAIL: $*" >&2; exit 1; }
trap '"$stack" destroy --dir "$dir" >/dev/null 2>&1 || true; rm -f "$dir.log"' EXIT

own_stack_up "$dir"
before=$LT_KAFKA_BOOTSTRAP
echo "kept-across-restart" | kcat -P -b "$LT_KAFKA_BOOTSTRAP" -t lt-restart -X topic.request.required.acks=-1
psql -X -q -d "$LT_PG_URL" -c "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('row-1')"

"$stack" down --dir "$dir" >/dev/null 2>&1
st=$("$stack" status --dir "$dir")
grep -q <<<"$st" 'postgres: stopped' || fail "status does not say postgres stopped: $st"
grep -q <<<"$st" 'node 1: stopped' || fail "status does not say kafka stopped: $st"
if psql -X -q -d "$LT_PG_URL" -c 'SELECT 1' >/dev/null 2>&1; then fail "postgres still answers after down"; fi

"$stack" up --dir "$dir" > "$dir.up.log" 2>&1 || { cat "$dir.up.log" >&2; fail "stack did not restart"; }
set -a; eval "$("$stack" env --dir "$dir")"; set +a
[ "$LT_KAFKA_BOOTSTRAP" = "$before" ] || fail "bootstrap changed across restart"
v=$(kcat -C -b "$LT_KAFKA_BOOTSTRAP" -t lt-restart -o beginning -c 1 -e -q -m 30)
[ "$v" = kept-across-restart ] || fail "Kafka record lost across restart: '$v'"
r=$(psql -X -q -At -d "$LT_PG_URL" -c 'SELECT v FROM kept')
[ "$r" = row-1 ] || fail "PostgreSQL row lost across restart: '$r'"

"$stack" destroy --dir "$dir" >/dev/null 2>&1
[ ! -e "$dir" ] || fail "destroy left $dir behind"
echo "state kept across down/up; destroy cleans up"
echo "1 passed, 0 failed"
