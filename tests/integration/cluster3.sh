#!/usr/bin/env bash
# The 3-node cluster of the local stack is really replicated: three brokers,
# a topic with replication factor 3 and min.insync.replicas 2 has a full ISR;
# with one node stopped acks=all writes still succeed and nothing is lost; the
# node rejoins and catches up. Runs its own cluster in a scratch directory.
#   cluster3.sh SMOKE_BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../harness/own-stack.sh"
smoke=$1
dir=$(mktemp -d "${TMPDIR:-/tmp}/lt-cluster3-XXXXXX")
fail() { echo "FAIL: $*" >&2; exit 1; }
cleanup() { "$stack" destroy --dir "$dir" >/dev/null 2>&1 || true; rm -f "$dir.log"; }
trap cleanup EXIT

own_stack_up "$dir" --kafka-nodes 3
meta=$(kcat -L -b "$LT_KAFKA_BOOTSTRAP" -m 10)
grep -q <<<"$meta" '^ 3 brokers:' || fail "expected 3 brokers: $meta"

# lt-smoke creates its topic with the cluster's default replication (3).
"$smoke" --messages 3 --topic lt-c3 >/dev/null || fail "smoke on the full cluster"
isr=$(kcat -L -b "$LT_KAFKA_BOOTSTRAP" -t lt-c3 | grep -c 'isrs: [0-9],[0-9],[0-9]' || true)
[ "$isr" -eq 3 ] || fail "expected 3 partitions with a 3-replica ISR, got $isr"

# Stop the leader of partition 0, then write with acks=all: must succeed.
leader=$(kcat -L -b "$LT_KAFKA_BOOTSTRAP" -t lt-c3 | sed -n 's/.*partition 0, leader \([0-9]*\),.*/\1/p')
[ -n "$leader" ] || fail "no leader for partition 0"
"$stack" kafka-stop "$leader" --dir "$dir" 2>/dev/null
alive=$(echo "$LT_KAFKA_BOOTSTRAP" | tr ',' '\n' | sed -n "$((leader == 1 ? 2 : 1))p")
"$smoke" --kafka-bootstrap "$alive" --messages 5 --topic lt-c3 >/dev/null \
  || fail "acks=all writes failed with one of three nodes down"
"$stack" kafka-start "$leader" --dir "$dir" 2>/dev/null
total=$(kcat -C -b "$LT_KAFKA_BOOTSTRAP" -t lt-c3 -o beginning -e -q | wc -l)
[ "$total" -eq 8 ] || fail "expected 8 records after the node rejoined, got $total"
echo "3-node cluster: replicated, survived losing leader $leader, 8/8 records kept"
echo "1 passed, 0 failed"
