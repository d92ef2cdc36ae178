#!/usr/bin/env bash
# The README's main command: install what is missing, build, bring the local
# stack (a real Kafka broker + a private PostgreSQL 15) up, and run the demo
# through it. The stack stays up afterwards so you can look around; the
# closing lines say how to reach it and how to stop it.
#
#   deploy/demo.sh [--kafka-nodes 3]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. deploy/lib/common.sh
LT_LOG_TAG=demo

nodes=1
case "${1:-}" in
  -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  --kafka-nodes) nodes=${2:?--kafka-nodes needs 1 or 3} ;;
  "") ;;
  *) lt_die "unknown option '$1' (try --help)" ;;
esac

deploy/install-deps.sh
deploy/kafka/kafka.sh fetch >/dev/null
lt_log "building (release) in build/release"
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release -j "$(nproc)"

deploy/stack.sh up --kafka-nodes "$nodes" >/dev/null
set -a
eval "$(deploy/stack.sh env)"
set +a

echo
echo "== smoke demo: signed messages through the real broker and database =="
build/release/services/smoke/lt-smoke --messages 5

cat <<TXT

The stack is up (state in $LT_STACK_DIR):
  Kafka bootstrap   $LT_KAFKA_BOOTSTRAP      e.g.  kcat -L -b $LT_KAFKA_BOOTSTRAP
  PostgreSQL        $LT_PG_URL   e.g.  deploy/stack.sh psql
  settings for your shell:   eval "\$(deploy/stack.sh env)"
Stop it with 'deploy/stack.sh down' (state kept) or 'deploy/stack.sh destroy'.
TXT
