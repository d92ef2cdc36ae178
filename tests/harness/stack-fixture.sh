#!/usr/bin/env bash
# ctest fixture: `up DIR` starts a fresh local stack (real Kafka + PostgreSQL)
# for the test run in DIR; `down DIR` destroys it. A stack left over from an
# interrupted run is destroyed first, so every run starts clean.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
stack=$here/../../deploy/stack.sh
action=$1 dir=$2
nodes=${LT_TEST_KAFKA_NODES:-1}
case "$action" in
  up)
    if [ -d "$dir" ]; then "$stack" destroy --dir "$dir" || true; fi
    "$stack" up --dir "$dir" --kafka-nodes "$nodes"
    ;;
  down)
    if [ -n "${LT_TEST_KEEP_STACK:-}" ]; then
      echo "LT_TEST_KEEP_STACK set: leaving the test stack up in $dir"
      exit 0
    fi
    "$stack" destroy --dir "$dir"
    ;;
  *) echo "usage: $0 up|down DIR" >&2; exit 2 ;;
esac
