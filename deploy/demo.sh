#!/usr/bin/env bash
# The README's main command: install what is missing, build, bring the local
# stack (a real Kafka broker + a private PostgreSQL 15) up, and run the demo
# through it:
#   1. the smoke round trip (signed messages through Kafka and PostgreSQL);
#   2. the province: a key for every demo agency of deploy/registry (Bình Định
#      and Quảng Nam), a registry with their public keys, one agency service
#      per agency, and the simulator feeding a seeded synthetic province through
#      their HTTP inputs; then every agency topic is read back from Kafka and
#      checked record by record and chain by chain;
#   3. the shared database: lt-migrate, then the consolidator admits every
#      event into the event store and folds each person and employer into
#      rows and alerts; the rows are checked against a fresh fold.
# The stack stays up afterwards so you can look around; the closing lines say
# how to reach it and how to stop it. The agency services are stopped.
#
#   deploy/demo.sh [--kafka-nodes 3] [--seed N] [--scale demo|small]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. deploy/lib/common.sh
LT_LOG_TAG=demo

nodes=1 seed=2026 scale=demo
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --kafka-nodes) nodes=${2:?--kafka-nodes needs 1 or 3}; shift 2 ;;
    --seed) seed=${2:?--seed needs a number}; shift 2 ;;
    --scale) scale=${2:?--scale needs demo or small}; shift 2 ;;
    *) lt_die "unknown option '$1' (try --help)" ;;
  esac
done

deploy/install-deps.sh
deploy/kafka/kafka.sh fetch >/dev/null
lt_log "building (release) in build/release"
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release -j "$(nproc)"
bin=$root/build/release

deploy/stack.sh up --kafka-nodes "$nodes" >/dev/null
set -a
eval "$(deploy/stack.sh env)"
set +a

echo
echo "== 1. smoke: signed messages through the real broker and database =="
"$bin/services/smoke/lt-smoke" --messages 5

echo
echo "== 2. the province: agency services fed by the simulator =="
demo=$LT_STACK_DIR/demo
mkdir -p "$demo/keys" "$demo/journal" "$demo/logs"
chmod 700 "$demo/keys"
cli=$bin/services/cli/lienthong
# The province's subject-key secret (keys Kafka records), made once.
[ -f "$demo/keys/subject.key" ] || (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$demo/keys/subject.key")
# Every demo agency gets its own signing key, made once; the registry is the
# example registry with those public keys filled in.
# Only agencies active today run a service (the district level ended on
# 2025-07-01; the simulator then registers workers through labour).
codes=$(node -e '
  const now = Date.now();
  for (const a of JSON.parse(require("fs").readFileSync(process.argv[1])).agencies)
    if ((!a.valid_from || Date.parse(a.valid_from) <= now) && (!a.valid_until || Date.parse(a.valid_until) > now))
      console.log(a.code + " " + a.kind)' deploy/registry/agencies.example.json)
while read -r code kind; do
  [ -f "$demo/keys/$code.key" ] || "$cli" keygen --agency "$code" --key-id "$code:demo" \
    --out "$demo/keys/$code.key" > "$demo/keys/$code.pub" 2>/dev/null
done <<< "$codes"
node -e '
  const fs = require("fs"), [src, dir, out] = process.argv.slice(1);
  const reg = JSON.parse(fs.readFileSync(src));
  reg.description = "demo registry made by deploy/demo.sh: the example agencies with generated keys";
  reg.keys = reg.agencies.filter(a => fs.existsSync(dir + "/" + a.code + ".pub")).map(a => { const p = JSON.parse(fs.readFileSync(dir + "/" + a.code + ".pub"));
    return { key_id: p.key_id, agency: a.code, public_key: p.public_key, valid_from: "2020-01-01T00:00:00Z" }; });
  fs.writeFileSync(out, JSON.stringify(reg, null, 2));
' deploy/registry/agencies.example.json "$demo/keys" "$demo/registry.json"

# One service per agency; the kind picks the program.
program_of() {
  case "$1" in
    police|border_guard|labour|foreign_affairs|planning_investment|social_policy_bank|ethnic_affairs|vocational_school|service_enterprise|district)
      echo "lt-agency-${1//_/-}" ;;
    people_committee) echo lt-agency-labour ;;  # decides permits under Decree 219
    commune) echo lt-agency-district ;;
    *) return 1 ;;
  esac
}
pids=()
stop_services() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
trap stop_services EXIT
: > "$demo/send-map.txt"
while read -r code kind; do
  prog=$(program_of "$kind") || { lt_log "no agency program for kind $kind ($code): skipped"; continue; }
  "$bin/services/$prog" --agency-code "$code" --key-file "$demo/keys/$code.key" \
    --subject-key-file "$demo/keys/subject.key" --registry "$demo/registry.json" \
    --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --journal-dir "$demo/journal/$code" \
    --http-port-file "$demo/logs/$code.port" > "$demo/logs/$code.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do [ -s "$demo/logs/$code.port" ] && break; sleep 0.1; done
  [ -s "$demo/logs/$code.port" ] || { tail -5 "$demo/logs/$code.log"; lt_die "$prog for $code did not start"; }
  echo "$code http://127.0.0.1:$(cat "$demo/logs/$code.port")" >> "$demo/send-map.txt"
  rm -f "$demo/logs/$code.port"
done <<< "$codes"
lt_log "${#pids[@]} agency services running (logs in $demo/logs)"

# The simulated period runs from 2023 to yesterday, so the alerts, computed
# as of today, describe a province whose records are up to date.
days=$(( ( $(date +%s) - $(date -d 2023-01-01 +%s) ) / 86400 - 1 ))
"$bin/services/simulator/lt-simulator" --seed "$seed" --scale "$scale" --registrar labour \
  --from 2023-01-01 --days "$days" \
  --send-map "$demo/send-map.txt" > "$demo/simulator-summary.json"
node -e '
  const s = JSON.parse(require("fs").readFileSync(process.argv[1]));
  const sent = Object.values(s.send || s.sent || {}).reduce((a, x) => a + (x.accepted || 0), 0);
  console.log("simulator: seed " + s.seed + ", " + (s.events ?? "?") + " events generated, " + sent +
              " accepted by the agency services (summary: " + process.argv[1] + ")");' "$demo/simulator-summary.json" || true

# Wait until every service has published all it journaled, then check Kafka.
while read -r code url; do
  for _ in $(seq 300); do
    curl -s "$url/healthz" | grep -Eq '"pending_events": ?0' && break
    sleep 0.1
  done
done < "$demo/send-map.txt"
stop_services

echo
printf '%-24s %8s %8s  %s\n' agency events resends chain
total=0 broken=0
while read -r code url; do
  out=$("$cli" topic-check --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --agency "$code" \
        --registry "$demo/registry.json" --subject-key-file "$demo/keys/subject.key" --timeout-ms 20000 2>/dev/null) || true
  ev=$(echo "$out" | sed -n 's/.*"events": \([0-9]*\).*/\1/p')
  rs=$(echo "$out" | sed -n 's/.*"identical_resends": \([0-9]*\).*/\1/p')
  verdict=$(echo "$out" | sed -n 's/.*"verdict": "\([a-z]*\)".*/\1/p')
  [ -n "$ev" ] || { ev=0; rs=0; verdict="no topic (no events)"; }
  case "$verdict" in ok|"no topic (no events)") ;; *) broken=$((broken + 1)) ;; esac
  total=$((total + ev))
  printf '%-24s %8s %8s  %s\n' "$code" "$ev" "$rs" "$verdict"
done < "$demo/send-map.txt"
echo "$total events in Kafka, every record verified (signature, key, headers) and every chain checked"
[ "$broken" -eq 0 ] || lt_die "$broken agency topic(s) failed the check"

echo
echo "== 3. the shared database: the consolidator admits and folds every event =="
"$bin/services/migrate/lt-migrate" --pg-url "$LT_PG_URL" --migrations-dir deploy/sql/hub
sql() { psql -X -q -At -d "$LT_PG_URL" -c "$1"; }
"$bin/services/consolidator/lt-consolidator" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" \
  --pg-url "$LT_PG_URL" --registry "$demo/registry.json" --subject-key-file "$demo/keys/subject.key" \
  --units deploy/registry/units.json > "$demo/logs/consolidator.log" 2>&1 &
cons=$!
pids+=("$cons")
stored=0
for _ in $(seq 600); do
  stored=$(sql "SELECT count(*) FROM lienthong.event_store WHERE agency_code IN (SELECT code FROM (VALUES $(sed 's/ .*//; s/.*/('"'"'&'"'"')/' "$demo/send-map.txt" | paste -sd,)) a(code))")
  [ "$stored" -ge "$total" ] && break
  sleep 0.2
done
sleep 1
stop_services
[ "$stored" -ge "$total" ] || lt_die "the consolidator stored $stored of $total events (log: $demo/logs/consolidator.log)"
echo "event store: $stored events admitted (each signature, key, header and rule checked again)"
sql "SELECT kind, count(*) FROM lienthong.subject_rows GROUP BY kind ORDER BY kind" | sed 's/|/: /; s/^/  rows  /'
sql "SELECT code, count(*) FROM lienthong.alerts WHERE cleared_at IS NULL GROUP BY code ORDER BY code" \
  | sed 's/|/: /; s/^/  open alert  /'
echo "  dead letters: $(sql "SELECT count(*) FROM lienthong.dead_letter"), forks: $(sql "SELECT count(*) FROM lienthong.forks"), chain breaks: $(sql "SELECT count(*) FROM lienthong.chain_breaks")"
"$bin/services/consolidator/lt-consolidator" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --pg-url "$LT_PG_URL" \
  --registry "$demo/registry.json" --subject-key-file "$demo/keys/subject.key" \
  --units deploy/registry/units.json --verify-rows 2>/dev/null | tail -1
echo "  workers by province today (areas resolved through the 2025 mergers):"
sql "SELECT coalesce(row->'residenceArea'->'province'->>'name', '(no residence declared)'), count(*) FROM lienthong.foreign_workers WHERE present GROUP BY 1 ORDER BY 2 DESC" \
  | sed 's/|/: /; s/^/    /'

cat <<TXT

The stack is up (state in $LT_STACK_DIR):
  Kafka bootstrap   $LT_KAFKA_BOOTSTRAP      e.g.  kcat -L -b $LT_KAFKA_BOOTSTRAP
  PostgreSQL        $LT_PG_URL   e.g.  deploy/stack.sh psql -c 'SELECT * FROM lienthong.alerts'
                    (the shared database is schema lienthong: event_store, subject_rows, alerts, …)
  settings for your shell:   eval "\$(deploy/stack.sh env)"
  the demo's keys, registry and agency journals: $demo
Stop it with 'deploy/stack.sh down' (state kept) or 'deploy/stack.sh destroy'.
TXT
