# query_stack.sh — sourced by the query service's end-to-end tests
# (tests/e2e/query*.sh, tests/browser/dashboard.sh): builds the real stack they
# all check against, then leaves helpers behind.
#   - a scratch database migrated by lt-migrate and a least-privilege
#     lienthong_reader login for lt-query;
#   - the simulator (seed 6, demo scale, 2023-01-01 to yesterday) sending through
#     every active agency service into this run's own Kafka topics, and the
#     consolidator (with deploy/registry/units.json, so rows carry resolved
#     areas) folding them;
#   - tokens $staff $leader $auditor $agency (of $agency_code) $revoked $expired;
#   - lt-query listening on $base; helpers req, expect, js, walk, sql, rsql, ok, fail.
# The caller passes its own arguments through:
#   QUERY CONSOLIDATOR MIGRATE LIENTHONG SIMULATOR AGENCY_BINARIES_DIR
# LT_TEST_KEEP_QUERY=1 keeps the work directory.
set -euo pipefail
qbin=$1 cons=$2 migrate=$3 cli=$4 sim=$5 svcdir=$6
: "${LT_KAFKA_BOOTSTRAP:?run under tests/harness/with-stack.sh}"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/deploy/lib/common.sh"
w=$(mktemp -d "${TMPDIR:-/tmp}/lt-query-XXXXXX")
pids=() q_pid= cons_pid=
db=lt_query_$$
reader=lq_reader_$$
admin_url=${LT_PG_URL%/*}/$db
hostport=${LT_PG_URL#*@}; hostport=${hostport%%/*}
cleanup() {
  for p in "${pids[@]}" $q_pid $cons_pid; do kill -KILL "$p" 2>/dev/null || true; done
  psql -X -q -d "$LT_PG_URL" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  psql -X -q -d "$LT_PG_URL" -c "DROP ROLE IF EXISTS $reader" >/dev/null 2>&1 || true
  if [ -n "${LT_TEST_KEEP_QUERY:-}" ]; then echo "kept $w"; else rm -rf "$w"; fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; tail -5 "$w/query.log" >&2 2>/dev/null || true; exit 1; }
sql() { psql -X -q -At -d "$admin_url" -c "$1"; }
passed=0
ok() { passed=$((passed + 1)); echo "ok $passed - $*"; }

# ---- the scratch database, migrated, and a reader login for lt-query ------
psql -X -q -d "$LT_PG_URL" -c "CREATE DATABASE $db" >/dev/null
"$migrate" --pg-url "$admin_url" --migrations-dir "$root/deploy/sql/hub" > "$w/migrate.log" 2>&1 \
  || { cat "$w/migrate.log" >&2; fail "lt-migrate"; }
pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
psql -X -q -d "$LT_PG_URL" -c "CREATE ROLE $reader LOGIN PASSWORD '$pw' IN ROLE lienthong_reader" >/dev/null
(umask 077; cat "$PGPASSFILE" > "$w/pgpass"; echo "${hostport%:*}:${hostport#*:}:*:$reader:$pw" >> "$w/pgpass")
reader_url=postgresql://$reader@$hostport/$db
rsql() { PGPASSFILE=$w/pgpass psql -X -q -At -d "$reader_url" -c "$1" 2>&1 || true; }

# ---- the province: agency services fed by the simulator -------------------
(umask 077; head -c 32 /dev/urandom | base64 > "$w/subject.key")
mkdir -p "$w/keys" "$w/logs" "$w/journal"
codes=$(node -e '
  const now = Date.now();
  for (const a of JSON.parse(require("fs").readFileSync(process.argv[1])).agencies)
    if ((!a.valid_from || Date.parse(a.valid_from) <= now) && (!a.valid_until || Date.parse(a.valid_until) > now))
      console.log(a.code + " " + a.kind)' "$root/deploy/registry/agencies.example.json")
while read -r code kind; do
  "$cli" keygen --agency "$code" --key-id "$code:q" --out "$w/keys/$code.key" > "$w/keys/$code.pub" 2>/dev/null
done <<< "$codes"
node -e '
  const fs = require("fs"), [src, dir, out] = process.argv.slice(1);
  const reg = JSON.parse(fs.readFileSync(src));
  reg.keys = reg.agencies.filter(a => fs.existsSync(dir + "/" + a.code + ".pub")).map(a => {
    const p = JSON.parse(fs.readFileSync(dir + "/" + a.code + ".pub"));
    return { key_id: p.key_id, agency: a.code, public_key: p.public_key, valid_from: "2020-01-01T00:00:00Z" }; });
  fs.writeFileSync(out, JSON.stringify(reg, null, 2));' \
  "$root/deploy/registry/agencies.example.json" "$w/keys" "$w/registry.json"
program_of() {
  case "$1" in
    police|border_guard|labour|foreign_affairs|planning_investment|social_policy_bank|ethnic_affairs|vocational_school|service_enterprise|district)
      echo "lt-agency-${1//_/-}" ;;
    people_committee) echo lt-agency-labour ;;
    commune) echo lt-agency-district ;;
    *) return 1 ;;
  esac
}
# Topics of this run only, so other runs on the same stack cannot blur counts.
topic_prefix=lq$$
: > "$w/send-map.txt"
while read -r code kind; do
  prog=$(program_of "$kind") || continue
  "$svcdir/$prog" --agency-code "$code" --key-file "$w/keys/$code.key" \
    --subject-key-file "$w/subject.key" --registry "$w/registry.json" \
    --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --journal-dir "$w/journal/$code" \
    --topic "$topic_prefix.$code" --http-port 0 --http-port-file "$w/logs/$code.port" \
    > "$w/logs/$code.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do [ -s "$w/logs/$code.port" ] && break; sleep 0.1; done
  [ -s "$w/logs/$code.port" ] || { tail -5 "$w/logs/$code.log" >&2; fail "agency service $code did not start"; }
  echo "$code http://127.0.0.1:$(cat "$w/logs/$code.port")" >> "$w/send-map.txt"
done <<< "$codes"
days=$(( ( $(date +%s) - $(date -d 2023-01-01 +%s) ) / 86400 - 1 ))
"$sim" --seed 6 --scale demo --registrar labour --from 2023-01-01 --days "$days" \
  --units "$root/deploy/registry/units.json" --send-map "$w/send-map.txt" \
  > "$w/sim-summary.json" 2> "$w/sim.log" || { tail -5 "$w/sim.log" >&2; fail "simulator"; }
total=$(node -e 'const s = JSON.parse(require("fs").readFileSync(process.argv[1]));
  console.log(Object.values(s.send).reduce((a, x) => a + (x.accepted || 0), 0))' "$w/sim-summary.json")
[ "$total" -gt 500 ] || fail "the simulator sent only $total events"
while read -r code url; do
  for _ in $(seq 300); do
    curl -s "$url/healthz" | grep -Eq '"pending_events": ?0' && break
    sleep 0.1
  done
done < "$w/send-map.txt"
for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
pids=()

"$cons" --kafka-bootstrap "$LT_KAFKA_BOOTSTRAP" --pg-url "$admin_url" --registry "$w/registry.json" \
  --units "$root/deploy/registry/units.json" --subject-key-file "$w/subject.key" --group "lt-test-query-$$" \
  --topic-pattern "^$topic_prefix\\..*" > "$w/cons.log" 2>&1 &
cons_pid=$!
stored=0
for _ in $(seq 1500); do
  stored=$(sql "SELECT count(*) FROM lienthong.event_store")
  [ "$stored" -ge "$total" ] && break
  sleep 0.2
done
[ "$stored" -ge "$total" ] || { tail -5 "$w/cons.log" >&2; fail "the consolidator stored $stored of $total events"; }
sleep 2
kill -TERM $cons_pid; wait $cons_pid || true; cons_pid=
ok "province fed: $total events from the simulator stored and folded ($(sql "SELECT count(*) FROM lienthong.subject_rows") rows, $(sql "SELECT count(*) FROM lienthong.alerts") alerts)"

# ---- tokens and the service ---------------------------------------------------
tok() { "$qbin" token-add --pg-url "$admin_url" "$@" 2>> "$w/tokens.log"; }
staff=$(tok --role staff --name staff.e2e)
leader=$(tok --role leader --name leader.e2e)
auditor=$(tok --role auditor --name auditor.e2e)
# The agency with events about the most persons, and one with none about
# the person of the timeline checks (chosen below).
agency_code=$(sql "SELECT agency_code FROM lienthong.event_store WHERE subject NOT LIKE 'enterprise:%' GROUP BY 1 ORDER BY count(DISTINCT subject) DESC, 1 LIMIT 1")
agency=$(tok --role agency --name agency.e2e --agency "$agency_code")
revoked=$(tok --role staff --name revoked.e2e)
"$qbin" token-revoke --pg-url "$admin_url" --name revoked.e2e 2>> "$w/tokens.log"
expired=$(tok --role staff --name expired.e2e --expires-days 1)
sql "UPDATE lienthong.api_tokens SET expires_at = now() - interval '1 minute' WHERE name = 'expired.e2e'"
[ "$(sql "SELECT count(*) FROM lienthong.api_tokens")" = 6 ] || fail "tokens not stored"
sql "SELECT token_hash FROM lienthong.api_tokens" | grep -q "${staff:4:10}" && fail "a token is stored in clear"
"$qbin" token-add --pg-url "$admin_url" --role agency --name bad.e2e >/dev/null 2>&1 && fail "agency token without --agency"
"$qbin" token-list --pg-url "$admin_url" 2>/dev/null | grep -q '"staff.e2e"' || fail "token-list"
ok "tokens: added (printed once, stored as hashes), revoked, listed; a bad token-add refused"

PGPASSFILE=$w/pgpass "$qbin" --pg-url "$reader_url" --http-port 0 --http-port-file "$w/port" \
  --pool-size 3 > "$w/query.log" 2>&1 &
q_pid=$!
for _ in $(seq 100); do [ -s "$w/port" ] && break; sleep 0.1; done
[ -s "$w/port" ] || fail "lt-query did not start"
base=http://127.0.0.1:$(cat "$w/port")

# req TOKEN PATH [curl args…]: the status in $code, the body in $w/body, headers in $w/headers.
req() {
  local t=$1 path=$2; shift 2
  local auth=()
  [ -n "$t" ] && auth=(-H "Authorization: Bearer $t")
  code=$(curl -s -g -o "$w/body" -D "$w/headers" -w '%{http_code}' "${auth[@]}" "$@" "$base$path")
}
# expect STATUS TOKEN PATH [curl args…]
expect() {
  local want=$1; shift
  req "$@"
  [ "$code" = "$want" ] || fail "GET $2: $code, expected $want: $(head -c 300 "$w/body")"
  if [ "${want:0:1}" = 4 ] || [ "${want:0:1}" = 5 ]; then
    grep -qi '^content-type: application/problem+json' "$w/headers" || fail "$2: $want without problem+json"
    js "j.status === $want && !('items' in j) && !('events' in j)" >/dev/null || fail "$2: problem body"
  fi
}
# js EXPR: evaluates EXPR with j = the last body; prints it; fails the test when falsy.
js() {
  node -e '
    const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const r = eval(process.argv[2]);
    process.stdout.write(typeof r === "object" ? JSON.stringify(r) : String(r));
    process.exit(r === false || r === undefined || r === null ? 1 : 0)' "$w/body" "$1"
}
P=(-H "X-Purpose: e2e contract test")
# walk PATH?QUERY FIELD: FIELD of every item over all pages (staff, following
# nextCursor), comma-separated.
walk() {
  local out= cur=
  for _ in $(seq 500); do
    expect 200 "$staff" "$1${cur:+&cursor=$cur}" "${P[@]}"
    out=$out$(js "j.items.map(x => x.$2).join(',')"),
    cur=$(js 'j.nextCursor || ""' || true)
    [ -n "$cur" ] || break
  done
  echo "$out" | tr -s ',' | sed 's/^,//; s/,$//'
}
log_rows() { sql "SELECT count(*) FROM lienthong.access_log"; }
