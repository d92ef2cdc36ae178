#!/usr/bin/env bash
# Benchmark (not a test) of one agency service's engine: accepted-and-journaled
# and published events/s next to the bare Ed25519 sign rate, all measured in
# this one run on this machine with the real broker. Starts its own stack.
#   tests/bench/agency.sh [bench_agency options, e.g. --events 200000 --threads 16]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
deploy/install-deps.sh >/dev/null
deploy/kafka/kafka.sh fetch >/dev/null
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release -j "$(nproc)" --target bench_agency >/dev/null
dir=$(mktemp -d "${TMPDIR:-/tmp}/lt-bench-stack-XXXXXX")
trap 'deploy/stack.sh destroy --dir "$dir" >/dev/null 2>&1 || true' EXIT
deploy/stack.sh up --dir "$dir" >/dev/null 2>&1
eval "$(deploy/stack.sh env --dir "$dir")"
for b in 1 16; do
  build/release/tests/bench_agency --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --batch "$b" "$@"
done
