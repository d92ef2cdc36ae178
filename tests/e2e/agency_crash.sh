#!/usr/bin/env bash
# Issue 4's proof: an agency service under steady load is killed with SIGKILL
# again and again, and the Kafka broker is stopped mid-load; afterwards every
# event the service acknowledged is in Kafka, the agency's chain is intact
# (gapless from 1, every prev_hash right, no fork), and the only repeats are
# identical re-sends. Runs its own stack (it stops the broker).
#   agency_crash.sh AGENCY_BINARY LIENTHONG_BINARY LOADGEN_BINARY
set -euo pipefail
svc=$1 cli=$2 gen=$3
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../harness/own-stack.sh"
. "$here/../../deploy/lib/common.sh"
LT_LOG_TAG=crash-test
kills=${LT_CRASH_KILLS:-6}
events=${LT_CRASH_EVENTS:-6000}
w=$(mktemp -d "${TMPDIR:-/tmp}/lt-crash-XXXXXX")
svc_pid= gen_pid=
cleanup() {
  [ -n "$gen_pid" ] && kill "$gen_pid" 2>/dev/null || true
  [ -n "$svc_pid" ] && kill -KILL "$svc_pid" 2>/dev/null || true
  "$stack" destroy --dir "$w/stack" >/dev/null 2>&1 || true
  rm -rf "$w"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; tail -30 "$w/service.log" >&2 || true; exit 1; }

# Its own stack (it stops the broker).
own_stack_up "$w/stack"
"$cli" keygen --agency bdinh.police --key-id bdinh.police:crash --out "$w/police.key" > "$w/police.pub" 2>/dev/null
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$w/subject.key")
port=$(lt_free_port)
topic=lt-test-crash-$$

start_service() {
  "$svc" --agency-code bdinh.police --key-file "$w/police.key" --subject-key-file "$w/subject.key" \
    --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --topic "$topic" --journal-dir "$w/journal" \
    --http-port "$port" --shutdown-timeout-ms 2000 >>"$w/service.log" 2>&1 &
  svc_pid=$!
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    kill -0 "$svc_pid" 2>/dev/null || fail "service exited at start"
    sleep 0.1
  done
  fail "service did not listen on $port"
}
health() { exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'GET /healthz HTTP/1.0\r\n\r\n' >&3 && cat <&3; }

start_service
"$gen" --port "$port" --count "$events" --rate 200 --acked "$w/acked.txt" --prefix crash > "$w/gen.out" 2>&1 &
gen_pid=$!

for k in $(seq "$kills"); do
  sleep "0.$((RANDOM % 9 + 1))"; sleep $((RANDOM % 2 + 1))
  kill -KILL "$svc_pid"; wait "$svc_pid" 2>/dev/null || true
  lt_log "kill -9 number $k at $(wc -l < "$w/acked.txt") acknowledged"
  if [ "$k" -eq $((kills / 2)) ]; then
    lt_log "stopping the Kafka broker while the service keeps accepting"
    "$stack" kafka-stop 1 --dir "$w/stack" 2>/dev/null
    start_service
    sleep 3
    h=$(health || true)
    echo "$h" | grep -Eq '"kafka": ?"unreachable"|"status": ?"degraded"' || lt_log "health while Kafka is down: $h"
    "$stack" kafka-start 1 --dir "$w/stack" 2>/dev/null
    lt_log "Kafka back"
  else
    start_service
  fi
done
wait "$gen_pid" || fail "load generator failed: $(cat "$w/gen.out")"
gen_pid=
cat "$w/gen.out"

# Let the service publish everything journaled, then stop it cleanly.
for _ in $(seq 120); do
  health 2>/dev/null | grep -Eq '"pending_events": ?0' && break
  sleep 0.5
done
kill -TERM "$svc_pid"; wait "$svc_pid" || fail "service did not stop cleanly"
svc_pid=

acked=$(sort -u "$w/acked.txt" | wc -l)
out=$("$cli" topic-check --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --agency bdinh.police --topic "$topic" \
       --public-key "$w/police.pub" --subject-key-file "$w/subject.key" --expect-ids "$w/acked.txt") \
  || fail "topic-check: $out"
echo "$out" | head -14
events_in=$(echo "$out" | sed -n 's/.*"events": \([0-9]*\).*/\1/p')
resends=$(echo "$out" | sed -n 's/.*"identical_resends": \([0-9]*\).*/\1/p')
missing=$(echo "$out" | sed -n 's/.*"missing_ids": \([0-9]*\).*/\1/p')
[ "$missing" = 0 ] || fail "$missing acknowledged events missing"
[ "$events_in" -ge "$acked" ] || fail "fewer events in Kafka ($events_in) than acknowledged ($acked)"
echo "crash test: $kills x SIGKILL + broker stop; events sent $events, acknowledged $acked, in Kafka $events_in, lost 0, chain breaks 0, identical re-sends $resends"
echo "1 passed, 0 failed"
