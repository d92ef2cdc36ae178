#!/usr/bin/env bash
# An agency service's HTTP input against the real broker: good events (one,
# a batch, a retry with the same Idempotency-Key) are acknowledged with their
# event ids and sequence numbers and reach Kafka signed and chained; every kind
# of bad input gets a precise problem+json answer naming the field, and
# nothing of it reaches Kafka; /healthz and /metrics tell the truth; SIGTERM
# stops it cleanly.
#   agency_http.sh AGENCY_BINARY LIENTHONG_BINARY
set -euo pipefail
svc=$1 cli=$2
: "${LT_KAFKA_BOOTSTRAP:?run under tests/harness/with-stack.sh}"
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../deploy/lib/common.sh"
gold=$here/../golden/events
w=$(mktemp -d "${TMPDIR:-/tmp}/lt-agency-http-XXXXXX")
pid=
trap '[ -n "$pid" ] && kill -KILL $pid 2>/dev/null; rm -rf "$w"' EXIT
pass=0 failn=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*" >&2; failn=$((failn + 1)); }

"$cli" keygen --agency bdinh.border_guard --key-id bdinh.border_guard:http --out "$w/bg.key" > "$w/bg.pub" 2>/dev/null
(umask 077; head -c 32 /dev/urandom | base64 > "$w/subject.key")
port=$(lt_free_port)
topic=lt-test-agency-http-$$

# Start-up refuses what is unsafe, with a clear reason.
common=(--subject-key-file "$w/subject.key" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --journal-dir "$w/j0")
if out=$("$svc" --agency-code bdinh.police --key-file "$w/bg.key" "${common[@]}" 2>&1); then bad "key of another agency accepted"
else grep -q <<<"$out" 'belongs to agency bdinh.border_guard' && ok || bad "wrong-agency message: $out"; fi
printf 'linger.ms=1\n' > "$w/kafka.conf"; chmod 644 "$w/kafka.conf"
if out=$("$svc" --agency-code bdinh.border_guard --key-file "$w/bg.key" "${common[@]}" --kafka-config "$w/kafka.conf" 2>&1); then bad "readable kafka config accepted"
else grep -q <<<"$out" 'only its owner may read it' && ok || bad "kafka-config message: $out"; fi
chmod 600 "$w/kafka.conf"
if out=$("$svc" --agency-code bdinh.border_guard --key-file "$w/bg.key" "${common[@]}" --bogus 2>&1); then bad "unknown option accepted"
else grep -q <<<"$out" "unknown option '--bogus'" && ok || bad "unknown option message: $out"; fi
"$svc" --agency-code bdinh.border_guard --key-file "$w/bg.key" --subject-key-file "$w/subject.key" \
  --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --topic "$topic" --journal-dir "$w/journal" \
  --http-port "$port" --kafka-config "$w/kafka.conf" > "$w/svc.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -s "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
base=http://127.0.0.1:$port

# post BODY [curl args...]: prints "STATUS BODY" (the body goes through a file:
# a single command-line argument is limited to 128 KiB)
post() {
  printf '%s' "$1" > "$w/req"; shift
  local ct=(-H 'Content-Type: application/json')
  case " $* " in *"Content-Type"*) ct=() ;; esac
  curl -s -o "$w/resp" -w '%{http_code}' "${ct[@]}" "$@" --data-binary @"$w/req" "$base/v1/events"
  echo " $(cat "$w/resp")"
}
expect() { # expect STATUS ERE-PATTERN RESPONSE description
  case "$3" in "$1 "*) ;; *) bad "$4: wanted HTTP $1, got: ${3:0:300}"; return ;; esac
  echo "$3" | grep -Eq -- "$2" && ok || bad "$4: '$2' not in: ${3:0:400}"
}

# The golden entry without the service-owned header fields, as agency software sends it.
entry=$(node -e 'const e=JSON.parse(require("fs").readFileSync(process.argv[1]));
  for (const k of ["eventId","sequence","prevHash","recordedAtMs","agencyCode","ruleSet","schemaVersion"]) delete e.header[k];
  console.log(JSON.stringify(e))' "$gold/entry.json")

r=$(post "$entry"); expect 202 '"sequence": ?"1"' "$r" "one event"
r=$(post "[$entry, $entry, $entry]"); expect 202 '"sequence": ?"4"' "$r" "a batch of three"
r=$(post "$entry" -H 'Idempotency-Key: retry-1'); expect 202 '"sequence": ?"5"' "$r" "keyed event"
first_id=$(echo "$r" | sed -n 's/.*"eventId": "\([0-9a-f-]*\)".*/\1/p')
r=$(post "$entry" -H 'Idempotency-Key: retry-1'); expect 202 '"duplicate": ?true' "$r" "retry with the same key"
grep -q <<<"$r" "$first_id" && ok || bad "retry did not answer the first event id"

# Bad input of every kind: precise answers, nothing journaled.
r=$(post '{"header": '); expect 400 'invalid-json' "$r" "broken JSON"
r=$(post "${entry/borderGateCode/borderGate}"); expect 400 '"field": ?"entry.borderGate"' "$r" "unknown field"
r=$(post "${entry/\"JPN\"/\"XYZ\"}"); expect 422 'nationality_unknown' "$r" "unknown nationality"
r=$(post "${entry/VISA_PURPOSE_LD1/VISA_PURPOSE_LD9}"); expect 400 'unknown_enum' "$r" "unknown enum"
r=$(post "$(node -e 'const e=JSON.parse(process.argv[1]); e.header.sequence="7"; console.log(JSON.stringify(e))' "$entry")")
expect 422 'set by the agency service' "$r" "service-owned field"
permit=$(node -e 'const e=JSON.parse(require("fs").readFileSync(process.argv[1]));
  for (const k of ["eventId","sequence","prevHash","recordedAtMs","agencyCode"]) delete e.header[k];
  console.log(JSON.stringify(e))' "$gold/permit_issued.json")
r=$(post "$permit"); expect 422 'may not publish work_permit_issued' "$r" "type not allowed"
r=$(post "[$entry, ${entry/\"JPN\"/\"XYZ\"}]"); expect 422 '"index": ?1' "$r" "batch with one bad event"
r=$(post "$entry" -H 'Content-Type: text/plain'); expect 415 'application/json' "$r" "wrong content type"
big=$(node -e 'const e=process.argv[1]; console.log("[" + Array(1001).fill(e).join(",") + "]")' "$entry")
r=$(post "$big"); expect 413 'batch|1001' "$r" "batch too large"
r=$(post "$entry" -H 'Idempotency-Key: bad key!'); expect 400 'Idempotency-Key' "$r" "bad idempotency key"

h=$(curl -s "$base/healthz"); echo "$h" | grep -Eq '"status": ?"ok"' && ok || bad "healthz: $h"
m=$(curl -s "$base/metrics")
grep -q <<<"$m" '^lienthong_events_journaled_total 5$' && ok || bad "metrics journaled: $(echo "$m" | grep journaled)"

for _ in $(seq 100); do curl -s "$base/healthz" | grep -Eq '"pending_events": ?0' && break; sleep 0.1; done
kill -TERM $pid; wait $pid && ok || bad "service did not exit 0 on SIGTERM"; pid=
grep -q 'SIGTERM' "$w/svc.log" && ok || bad "no shutdown log line"

# LT_KAFKA_CONFIG gives every program shared client settings (e.g. SASL), under the same rule.
chmod 644 "$w/kafka.conf"
if out=$(LT_KAFKA_CONFIG=$w/kafka.conf "$cli" topic-check --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" \
      --agency bdinh.border_guard --topic "$topic" --public-key "$w/bg.pub" 2>&1); then
  bad "topic-check used a kafka config others may read"
else grep -q <<<"$out" 'only its owner may read it' && ok || bad "LT_KAFKA_CONFIG message: $out"; fi
chmod 600 "$w/kafka.conf"
out=$(LT_KAFKA_CONFIG=$w/kafka.conf "$cli" topic-check --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" \
      --agency bdinh.border_guard \
      --topic "$topic" --public-key "$w/bg.pub" --subject-key-file "$w/subject.key") || bad "topic-check: $out"
grep -q <<<"$out" '"events": 5,' && ok || bad "expected exactly the 5 accepted events in Kafka: $out"
grep -q <<<"$out" '"chain_intact": true' && ok || bad "chain: $out"

echo "$pass passed, $failn failed"
[ "$failn" -eq 0 ]
