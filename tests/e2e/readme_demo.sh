#!/usr/bin/env bash
# The README's main command, run as a test in a scratch stack so it keeps
# working: smoke round trip, then the simulated province through every agency
# service, then every agency topic verified (deploy/demo.sh exits non-zero
# if any check fails).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export LT_STACK_DIR
LT_STACK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/lt-demo-XXXXXX")
trap '"$root/deploy/stack.sh" destroy --dir "$LT_STACK_DIR" >/dev/null 2>&1 || true' EXIT
out=$("$root/deploy/demo.sh" 2>&1) || { echo "$out" | tail -40; echo "FAIL: deploy/demo.sh failed" >&2; exit 1; }
echo "$out" | grep -E '^lt-smoke: OK|^simulator:|events in Kafka'
grep -q <<<"$out" 'every chain checked' || { echo "FAIL: no verification summary" >&2; exit 1; }
echo "1 passed, 0 failed"
