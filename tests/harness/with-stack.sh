#!/usr/bin/env bash
# Runs a test command with the test stack's settings in its environment:
#   with-stack.sh STACK_DIR COMMAND [ARGS...]
# Fails clearly when the stack is not up (the `stack` ctest fixture starts it).
set -euo pipefail
dir=$1; shift
[ -f "$dir/stack.env" ] || { echo "with-stack: no running test stack in $dir (run the tests through ctest, which starts it)" >&2; exit 1; }
set -a
# shellcheck disable=SC1091
. "$dir/stack.env"
set +a
exec "$@"
