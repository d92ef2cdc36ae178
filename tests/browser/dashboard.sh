#!/usr/bin/env bash
# The dashboard in a real browser: Debian's chromium, headless, driven by
# playwright-core (installed once into the build tree, never into git), over
# lt-query on the real stack fed by the simulator (tests/e2e/query_stack.sh).
# dashboard.mjs pastes a staff token, checks the headline figures, charts and
# alerts against the database, switches the language, searches a person and
# clicks through to the timeline, comparing it with the event store.
# Screenshots go to BUILD_DIR/test/screenshots/.
#   dashboard.sh QUERY CONSOLIDATOR MIGRATE LIENTHONG SIMULATOR AGENCY_BINARIES_DIR BUILD_DIR
set -euo pipefail
build=$7
browser_dir=$(cd "$(dirname "$0")" && pwd)
chromium=${LT_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "FAIL: $chromium is missing (deploy/install-deps.sh installs chromium)" >&2; exit 1; }
mods=$build/browser
if [ ! -f "$mods/node_modules/playwright-core/package.json" ]; then
  echo "installing playwright-core 1.65.1 for the browser test into $mods"
  mkdir -p "$mods"
  (cd "$mods" && npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
     playwright-core@1.65.1 >/dev/null)
fi
. "$browser_dir/../e2e/query_stack.sh"

# The person: an outbound worker with events of several agencies and a name
# with diacritics, searched by the name folded to plain upper case.
IFS='|' read -r S S_name < <(sql "SELECT s.subject, s.row->>'fullName' FROM lienthong.subject_rows s
  WHERE s.kind = 'outbound_worker' AND s.row->>'fullName' ~ '[^ -~]' AND (SELECT count(DISTINCT agency_code)
  FROM lienthong.event_store e WHERE e.subject = s.subject) > 2 ORDER BY s.subject LIMIT 1")
[ -n "$S" ] || fail "no outbound worker with events of three agencies"
folded=$(node -e 'console.log(process.argv[1].normalize("NFD").replace(/\p{M}/gu, "").replace(/đ/g, "d").replace(/Đ/g, "D").toUpperCase())' "$S_name")
year=$(date -u -d '+7 hours' +%Y)
in_year() { echo "$1 >= DATE '$year-01-01' AND $1 < DATE '$((year + 1))-01-01'"; }
node -e 'const [f, ...a] = process.argv.slice(1); const o = JSON.parse(a[0]);
  require("fs").writeFileSync(f, JSON.stringify(o));' "$w/expected.json" "$(cat <<JSON
{"base": "$base", "token": "$staff", "name": "$folded", "subject": "$S", "fullName": "$S_name", "year": $year,
 "events": $(sql "SELECT json_agg(event_type ORDER BY occurred_at, event_id) FROM lienthong.event_store WHERE subject = '$S'"),
 "headline": {
   "h-registered": $(sql "SELECT count(*) FROM lienthong.outbound_workers WHERE $(in_year registered_on)"),
   "h-departed": $(sql "SELECT count(*) FROM lienthong.outbound_workers WHERE $(in_year departed_on)"),
   "h-abroad": $(sql "SELECT count(*) FROM lienthong.outbound_workers WHERE abroad"),
   "h-returned": $(sql "SELECT count(*) FROM lienthong.outbound_workers WHERE $(in_year returned_on)"),
   "h-fw": $(sql "SELECT count(*) FROM lienthong.foreign_workers"),
   "h-fw-present": $(sql "SELECT count(*) FROM lienthong.foreign_workers WHERE present"),
   "h-fw-valid": $(sql "SELECT count(*) FROM lienthong.foreign_workers WHERE permit_state = 'valid'")},
 "markets": $(sql "SELECT count(*) FROM (SELECT coalesce(row->>'departedCountry', contract_country, 'unknown') m
   FROM lienthong.outbound_workers GROUP BY 1 HAVING count(*) FILTER (WHERE $(in_year departed_on) OR abroad
   OR $(in_year returned_on)) > 0) s"),
 "nationalities": $(sql "SELECT count(DISTINCT coalesce(nationality, '')) FROM lienthong.foreign_workers"),
 "openAlerts": $(sql "SELECT count(*) FROM lienthong.alerts WHERE cleared_at IS NULL")}
JSON
)"
shots=$build/test/screenshots
mkdir -p "$shots"
rm -f "$shots"/*.png
cp "$browser_dir/dashboard.mjs" "$mods/dashboard.mjs"
node "$mods/dashboard.mjs" "$w/expected.json" "$shots" > "$w/browser.out" 2>&1 || {
  cat "$w/browser.out" >&2; fail "the dashboard in chromium"; }
while read -r line; do ok "${line#ok [0-9]* - }"; done < <(grep '^ok ' "$w/browser.out")
[ "$(sql "SELECT count(*) FROM lienthong.access_log WHERE token_name = 'staff.e2e' AND '$S' = ANY(subjects)
  AND endpoint = '/v1/persons/{subject}/timeline' AND purpose = 'dashboard'")" = 1 ] || fail "the timeline read from the page was not access-logged"
ok "the timeline opened in the page is in the access log with the page's purpose"
ls "$shots"/*.png >/dev/null || fail "no screenshot"
echo "screenshots: $shots/ ($(cd "$shots" && ls *.png | tr '\n' ' '))"
kill -TERM $q_pid; wait $q_pid || fail "lt-query did not stop cleanly"; q_pid=
echo "$passed passed, 0 failed"
