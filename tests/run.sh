#!/usr/bin/env bash
# Runs every Lienthong test — the README's test command and what CI runs.
#
#   tests/run.sh                 everything: unit, integration, e2e
#   tests/run.sh -L unit         only one label (any ctest arguments pass through)
#
# Installs missing Debian packages (deploy/install-deps.sh), fetches the Kafka
# broker jars once (cached outside git), builds with clang, AddressSanitizer
# and UndefinedBehaviorSanitizer and the libFuzzer targets into build/test, and
# runs ctest (the fuzz targets run LT_FUZZ_SECONDS each, default 30). Integration and
# end-to-end tests start their own real Kafka broker and PostgreSQL on free
# ports (the `stack` fixture) and destroy them afterwards.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. deploy/lib/common.sh
LT_LOG_TAG=tests

case "${1:-}" in -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac

deploy/install-deps.sh
deploy/kafka/kafka.sh fetch >/dev/null
build=${LT_TEST_BUILD_DIR:-$root/build/test}
lt_log "building with clang, ASan+UBSan and libFuzzer in $build"
cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DLT_SANITIZE=ON -DLT_FUZZ=ON \
  -DLT_FUZZ_SECONDS="${LT_FUZZ_SECONDS:-30}" -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" -j "$(nproc)"

# The README's main command builds the release configuration (gcc,
# -DNDEBUG): make sure it compiles too, so assert-only code cannot break it.
lt_log "building the release configuration in $root/build/release"
cmake -S "$root" -B "$root/build/release" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/build/release" -j "$(nproc)" >/dev/null

# Sanitizers: any report fails the test that triggered it.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
lt_log "running ctest"
ctest --test-dir "$build" --output-on-failure -j 2 "$@"
