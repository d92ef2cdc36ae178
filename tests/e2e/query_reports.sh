#!/usr/bin/env bash
# lt-query's reports and forecast end to end on the real stack fed by the
# simulator (tests/e2e/query_stack.sh). Every number is checked against the
# database by an independent statement, or — for facts only the signed events
# hold (a permit's category, a demand's positions) — against `lienthong
# inspect` decoding the stored bytes:
#   - the annual report: its event-store position; departures against the
#     targets; outbound by unit (per unit, per province, in all), market,
#     priority group and month; foreign workers by unit, nationality,
#     category and permit state; the year's events; employers by unit;
#   - its CSV and HTML forms carry the same numbers (and escape text);
#   - the half-year foreign-worker report for a half;
#   - the forecast: history per sector and period, and the forecast
#     recomputed from it by the stated method (linear trend, moving average);
#   - any role may read them (a leader too), nothing is access-logged; bad
#     parameters are 400, no token 401.
#   query_reports.sh QUERY CONSOLIDATOR MIGRATE LIENTHONG SIMULATOR AGENCY_BINARIES_DIR
set -euo pipefail
. "$(dirname "$0")/query_stack.sh"

# same WHAT GOT WANT: fails when the two multi-line texts differ.
same() {
  [ "$2" = "$3" ] || { diff <(echo "$3") <(echo "$2") >&2 || true; fail "$1 differs from the database (diff: database, report)"; }
}
# rows SECTION FIELDS: the section's rows of the last body, one line each, fields joined by '|'.
rows() { js "j.sections.find(s => s.id === '$1').rows.map(r => [$2].map(v => v === null ? '' : v).join('|')).join('\n') || ' '"; }
vn="(occurred_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"
unit_of() { # AREA RAW_PROVINCE RAW_DISTRICT: the unit columns, as the report defines them
  echo "coalesce($1->'province'->>'code', $2, '') pc, coalesce($1->'province'->>'name', '') pn,
        coalesce($1->'district'->>'code', $1->'commune'->>'code', $3, '') uc,
        coalesce($1->'district'->>'name', $1->'commune'->>'name', '') un"
}

# ---- the annual report --------------------------------------------------------
Y=$(sql "SELECT extract(year FROM departed_on)::int FROM lienthong.outbound_workers WHERE departed_on IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 DESC LIMIT 1")
F="DATE '$Y-01-01'" T="DATE '$((Y + 1))-01-01'"
in_y() { echo "($1 >= $F AND $1 < $T)"; }
before=$(sql "SELECT count(*) FROM lienthong.access_log")
expect 200 "$leader" "/v1/reports/annual?year=$Y"
cp "$w/body" "$w/annual.json"
js "j.about.year === $Y && j.about.periodFrom === '$Y-01-01' && j.about.periodTo === '$Y-12-31' && j.about.due === '$Y-12-15'
    && j.about.eventStoreMaxIngestSeq === $(sql "SELECT max(ingest_seq) FROM lienthong.event_store")
    && j.about.eventStoreEvents === $(sql "SELECT count(*) FROM lienthong.event_store")
    && j.about.rowsAsOf === '$(sql "SELECT max(as_of) FROM lienthong.subject_rows")'" >/dev/null \
  || fail "annual report header: $(js 'j.about')"
ok "annual report $Y for a leader: period, due date, event-store position (max ingest_seq, count) and rows' date as in the database"

same "targets" "$(rows outboundTargets 'r.target, r.fromYear, r.toYear, r.goal, r.departed, r.percent')" \
  "$(sql "SELECT 'year|$Y|$Y|1500|' || count(*) || '|' || round(count(*) * 100.0 / 1500, 1)::float8 FROM lienthong.outbound_workers WHERE $(in_y departed_on)
          UNION ALL SELECT 'period|2023|2030|12000|' || count(*) || '|' || round(count(*) * 100.0 / 12000, 1)::float8 FROM lienthong.outbound_workers
          WHERE departed_on BETWEEN DATE '2023-01-01' AND DATE '2030-12-31'")"
ob_counts="count(*) FILTER (WHERE $(in_y registered_on)) || '|' || count(*) FILTER (WHERE $(in_y "(row->>'lastTrainingOn')::date")) || '|' ||
  count(*) FILTER (WHERE $(in_y departed_on)) || '|' || count(*) FILTER (WHERE abroad) || '|' || count(*) FILTER (WHERE $(in_y returned_on))"
ob_units="(SELECT $(unit_of "row->'area'" province district), * FROM lienthong.outbound_workers) u"
same "outbound by unit" "$(rows outboundByUnit 'r.level, r.provinceCode, r.unitCode, r.unitName, r.registered, r.trained, r.departed, r.abroadNow, r.returned' | sort)" \
  "$({ sql "SELECT 'total||||' || $ob_counts FROM lienthong.outbound_workers"
     sql "SELECT 'province|' || pc || '|||' || $ob_counts FROM $ob_units GROUP BY pc"
     sql "SELECT 'unit|' || pc || '|' || uc || '|' || un || '|' || $ob_counts FROM $ob_units GROUP BY pc, uc, un"; } | sort)"
js "j.sections.find(s => s.id === 'outboundByUnit').rows.some(r => r.level === 'unit' && r.unitName)" >/dev/null \
  || fail "no outbound unit carries a resolved name (the consolidator runs with --units)"
same "outbound by market" "$(rows outboundByMarket 'r.market, r.departed, r.abroadNow, r.returned')" \
  "$(sql "SELECT m || '|' || d || '|' || a || '|' || r FROM (SELECT coalesce(row->>'departedCountry', contract_country, 'unknown') m,
          count(*) FILTER (WHERE $(in_y departed_on)) d, count(*) FILTER (WHERE abroad) a, count(*) FILTER (WHERE $(in_y returned_on)) r
          FROM lienthong.outbound_workers GROUP BY 1) s WHERE d + a + r > 0 ORDER BY d DESC, m")"
same "outbound by priority group" "$(rows outboundByPriorityGroup 'r.priorityGroup, r.registered, r.trained, r.departed, r.abroadNow, r.returned')" \
  "$(sql "SELECT g || '|' || $ob_counts FROM lienthong.outbound_workers o, jsonb_array_elements_text(o.row->'priorityGroups') g GROUP BY g ORDER BY g")"
same "departures by month" "$(rows departuresByMonth 'r.month, r.departed, r.departedToDate, r.targetToDate')" \
  "$(for m in $(seq 1 12); do
       mm=$(printf %02d "$m")
       echo "$Y-$mm|$(sql "SELECT count(*) FILTER (WHERE to_char(departed_on, 'YYYY-MM') = '$Y-$mm') || '|' ||
         count(*) FILTER (WHERE departed_on >= $F AND to_char(departed_on, 'YYYY-MM') <= '$Y-$mm') FROM lienthong.outbound_workers")|$(( (1500 * m + 6) / 12 ))"
     done)"
ok "annual report $Y, abroad: targets, by unit (per unit, per province, in all, resolved names), market, priority group and month equal the database"

fw_counts() { # PERIOD_FROM PERIOD_TO
  local ev="FROM lienthong.event_store e WHERE e.subject = w.subject AND (e.occurred_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date >= $1
            AND (e.occurred_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date < $2"
  echo "count(*) || '|' || count(*) FILTER (WHERE present) || '|' || count(*) FILTER (WHERE permit_state = 'valid') || '|' ||
    count(*) FILTER (WHERE permit_state = 'exempt') || '|' ||
    coalesce(sum((SELECT count(*) $ev AND e.event_type = 'work_permit_issued')), 0) || '|' ||
    coalesce(sum((SELECT count(*) $ev AND e.event_type = 'entry')), 0) || '|' ||
    coalesce(sum((SELECT count(*) $ev AND e.event_type = 'exit')), 0)"
}
fw_units="(SELECT $(unit_of "row->'residenceArea'" residence_province residence_district), * FROM lienthong.foreign_workers) w"
FWF='r.workers, r.present, r.permitValid, r.permitExempt, r.permitsIssued, r.entries, r.exits'
check_foreign() { # WHAT FROM TO: the foreign-worker sections of the last body
  local c; c=$(fw_counts "$2" "$3")
  same "$1: foreign workers by unit" "$(rows foreignWorkersByUnit "r.level, r.provinceCode, r.unitCode, $FWF" | sort)" \
    "$({ sql "SELECT 'total|||' || $c FROM lienthong.foreign_workers w"
         sql "SELECT 'province|' || pc || '||' || $c FROM $fw_units GROUP BY pc"
         sql "SELECT 'unit|' || pc || '|' || uc || '|' || $c FROM $fw_units GROUP BY pc, uc"; } | sort)"
  same "$1: foreign workers by nationality" "$(rows foreignWorkersByNationality "r.nationality, $FWF")" \
    "$(sql "SELECT coalesce(nationality, '') || '|' || $c FROM lienthong.foreign_workers w GROUP BY nationality ORDER BY count(*) DESC, 1")"
  same "$1: foreign workers by permit state" "$(rows foreignWorkersByPermitState 'r.permitState, r.workers, r.present')" \
    "$(sql "SELECT coalesce(permit_state, 'none') || '|' || count(*) || '|' || count(*) FILTER (WHERE present) FROM lienthong.foreign_workers GROUP BY permit_state ORDER BY coalesce(permit_state, 'none')")"
  same "$1: events of the period" "$(rows foreignWorkerEvents 'r.eventType, r.events')" \
    "$(sql "SELECT event_type || '|' || count(*) FROM lienthong.event_store WHERE event_type IN ('employer_registered', 'labour_demand_declared',
      'labour_demand_approved', 'labour_demand_rejected', 'work_permit_issued', 'work_permit_reissued', 'work_permit_extended',
      'work_permit_revoked', 'work_permit_exemption_certified', 'work_permit_exemption_reported', 'entry', 'exit',
      'residence_registered', 'residence_card_issued', 'violation_recorded') AND $vn >= $2 AND $vn < $3 GROUP BY event_type ORDER BY event_type")"
  same "$1: employers by unit (in all)" "$(js "j.sections.find(s => s.id === 'employersByUnit').rows.filter(r => r.level === 'total').map(r => [r.employers, r.demandsApproved, r.approvedPositions, r.workers, r.present].join('|')).join()")" \
    "$(sql "SELECT count(*) || '|' || coalesce(sum((row->>'demandsApproved')::int), 0) || '|' || coalesce(sum((row->>'approvedPositions')::int), 0) || '|' ||
      (SELECT count(*) FROM lienthong.foreign_workers w WHERE w.employer IN (SELECT enterprise_code FROM lienthong.employers)) || '|' ||
      (SELECT count(*) FROM lienthong.foreign_workers w WHERE w.present AND w.employer IN (SELECT enterprise_code FROM lienthong.employers))
      FROM lienthong.employers")"
  same "$1: foreign workers by category" "$(rows foreignWorkersByCategory 'r.category, r.workers, r.present, r.permitValid' | sort)" "$categories"
}

# Categories, decoded by `lienthong inspect` from each worker's latest event
# carrying permit terms (none: no permit or exemption).
mkdir -p "$w/terms"
sql "SELECT DISTINCT ON (w.subject) md5(w.subject) || '|' || w.present || '|' || coalesce(w.permit_state, '') || '|' ||
       coalesce(encode(e.signed_bytes, 'hex'), '') FROM lienthong.foreign_workers w LEFT JOIN lienthong.event_store e ON e.subject = w.subject
       AND e.event_type IN ('work_permit_issued', 'work_permit_reissued', 'work_permit_exemption_certified', 'work_permit_exemption_reported')
       ORDER BY w.subject, e.occurred_at DESC NULLS LAST, e.event_id DESC" > "$w/terms.txt"
node -e 'const fs = require("fs"), [f, d] = process.argv.slice(1);
  for (const l of fs.readFileSync(f, "utf8").trim().split("\n")) { const [id, , , hex] = l.split("|");
    if (hex) fs.writeFileSync(d + "/" + id + ".bin", Buffer.from(hex, "hex")); }' "$w/terms.txt" "$w/terms"
(cd "$w/terms" && "$cli" inspect *.bin) > "$w/terms.json" || fail "lienthong inspect"
categories=$(node -e 'const fs = require("fs"), [f, j] = process.argv.slice(1);
  const cat = {};
  for (const o of JSON.parse("[" + fs.readFileSync(j, "utf8").replace(/}\s*{/g, "},{") + "]")) {
    const b = Object.values(o.event).find(v => v && v.terms); cat[o.file.replace(/^.*\/|\.bin$/g, "")] = b.terms.category; }
  const n = {};
  for (const l of fs.readFileSync(f, "utf8").trim().split("\n")) { const [id, present, state] = l.split("|");
    const c = cat[id] || "NONE"; n[c] = n[c] || [0, 0, 0]; n[c][0]++; n[c][1] += present === "true"; n[c][2] += state === "valid"; }
  console.log(Object.entries(n).map(([c, v]) => [c, ...v].join("|")).sort().join("\n"))' "$w/terms.txt" "$w/terms.json")
[ -n "$categories" ] || fail "no categories decoded"
expect 200 "$leader" "/v1/reports/annual?year=$Y"
check_foreign "annual $Y" "$F" "$T"
ok "annual report $Y, foreign workers: by unit (per unit, per province, in all), nationality, permit state, the year's events and employers equal the database; categories equal lienthong inspect's decoding ($(echo "$categories" | tr '\n' ' '))"

# ---- the same numbers as CSV and HTML ---------------------------------------------
expect 200 "$staff" "/v1/reports/annual?year=$Y&format=csv"
grep -qi '^content-type: text/csv' "$w/headers" && grep -qi "^content-disposition: inline; filename=\"lienthong-annual-$Y.csv\"" "$w/headers" \
  || fail "csv headers: $(cat "$w/headers")"
node -e '
  const fs = require("fs"), [csvf, jf] = process.argv.slice(1);
  const rep = JSON.parse(fs.readFileSync(jf, "utf8")), text = fs.readFileSync(csvf, "utf8");
  // RFC 4180 parser: quoted fields with doubled quotes, CRLF records.
  const recs = []; let f = "", rec = [], q = false;
  for (let i = 0; i < text.length; i++) { const c = text[i];
    if (q) { if (c === "\"" && text[i + 1] === "\"") { f += c; i++; } else if (c === "\"") q = false; else f += c; }
    else if (c === "\"") q = true; else if (c === ",") { rec.push(f); f = ""; }
    else if (c === "\r" && text[i + 1] === "\n") { rec.push(f); recs.push(rec); rec = []; f = ""; i++; } else f += c; }
  if (!text.endsWith("\r\n")) throw "no CRLF at the end";
  const about = recs.filter(r => r[0] === "about");
  if (about.find(r => r[1] === "eventStoreMaxIngestSeq")[2] !== String(rep.about.eventStoreMaxIngestSeq)) throw "csv position";
  for (const s of rep.sections) {
    const hdr = recs.find(r => r[0] === "section" && r.length === s.columns.length + 1 && r.slice(1).join() === s.columns.map(c => c.key).join());
    if (!hdr) throw "csv header of " + s.id;
    const got = recs.filter(r => r[0] === s.id).map(r => r.slice(1).join("|")).join("\n");
    const want = s.rows.map(r => s.columns.map(c => r[c.key] === null ? "" : String(r[c.key])).join("|")).join("\n");
    if (got !== want) throw "csv section " + s.id + ":\n" + got + "\nvs\n" + want; }' "$w/body" "$w/annual.json" || fail "csv differs from the JSON report"
expect 200 "$staff" "/v1/reports/annual?year=$Y&format=html&lang=en"
grep -qi '^content-type: text/html' "$w/headers" || fail "html content type"
node -e '
  const fs = require("fs"), [hf, jf] = process.argv.slice(1);
  const rep = JSON.parse(fs.readFileSync(jf, "utf8")), h = fs.readFileSync(hf, "utf8");
  if (!h.includes("<html lang=\"en\">") || !h.includes("<title>" + rep.title.en + "</title>")) throw "html title";
  if (/<script|https?:\/\//i.test(h)) throw "html loads or runs something";
  const esc = s => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/\x27/g, "&#39;");
  for (const s of rep.sections) {
    const i = h.indexOf("<h2 id=\"" + s.id + "\">" + esc(s.title.en) + "</h2>");
    if (i < 0) throw "html section " + s.id;
    const table = h.slice(i, h.indexOf("</table>", i));
    if ((table.match(/<tr>/g) || []).length !== s.rows.length + 1) throw "html rows of " + s.id;
    for (const r of s.rows) for (const c of s.columns) if (r[c.key] !== null && !table.includes(">" + esc(r[c.key]) + "<")) throw "html value " + c.key + " " + r[c.key]; }' \
  "$w/body" "$w/annual.json" || fail "html differs from the JSON report"
expect 200 "$staff" "/v1/reports/annual?year=$Y&format=html"
grep -q '<html lang="vi">' "$w/body" && grep -q 'Báo cáo năm' "$w/body" || fail "html in Vietnamese"
ok "the annual report as CSV (RFC 4180, same numbers, section by section) and as printable HTML in English and Vietnamese (same numbers, escaped, no script)"

# ---- the half-year foreign-worker report ------------------------------------------------
H="${Y}H1"
expect 200 "$agency" "/v1/reports/foreign-workers?half=$H"
js "j.about.half === '$H' && j.about.periodFrom === '$Y-01-01' && j.about.periodTo === '$Y-06-30' && !j.sections.some(s => s.id.startsWith('outbound'))" >/dev/null \
  || fail "half-year report header: $(js 'j.about')"
check_foreign "$H" "DATE '$Y-01-01'" "DATE '$Y-07-01'"
expect 200 "$auditor" "/v1/reports/foreign-workers?half=${Y}H2&format=csv"
grep -q "^about,half,${Y}H2" "$w/body" || fail "half-year csv"
ok "half-year foreign-worker report $H (an agency token): every section equals the database; H2 as CSV"

# ---- reproducible, aggregates only, not logged; refusals ----------------------------------
expect 200 "$staff" "/v1/reports/annual?year=$Y"
node -e 'const fs = require("fs"), [a, b] = process.argv.slice(1).map(f => JSON.parse(fs.readFileSync(f, "utf8")));
  delete a.about.readAt; delete b.about.readAt; process.exit(JSON.stringify(a) === JSON.stringify(b) ? 0 : 1)' "$w/annual.json" "$w/body" \
  || fail "the same report read twice differs"
! grep -Eq 'VNM:[0-9]|"fullName"|"passportNumber"' "$w/annual.json" || fail "personal data in the report"
[ "$(sql "SELECT count(*) FROM lienthong.access_log")" = "$before" ] || fail "a report was access-logged"
expect 401 "" "/v1/reports/annual?year=$Y"
expect 401 "" "/v1/forecast/foreign-workers"
while read -r path; do expect 400 "$leader" "$path"; done <<PATHS
/v1/reports/annual
/v1/reports/annual?year=1999
/v1/reports/annual?year=$Y&format=pdf
/v1/reports/annual?year=$Y&lang=fr
/v1/reports/annual?year=$Y'%20OR%201=1
/v1/reports/annual?year=$Y&half=${Y}H1
/v1/reports/foreign-workers
/v1/reports/foreign-workers?half=${Y}H3
/v1/reports/foreign-workers?half=$Y
/v1/reports/foreign-workers?half=${Y}h1
/v1/forecast/foreign-workers?period=week
/v1/forecast/foreign-workers?history=1
/v1/forecast/foreign-workers?history=41
/v1/forecast/foreign-workers?horizon=0
/v1/forecast/foreign-workers?method=magic
/v1/forecast/foreign-workers?sector=1
PATHS
ok "reports are reproducible (the same report twice, same position), hold no personal data, are not access-logged; no token 401; bad parameters 400"

# ---- the forecast -------------------------------------------------------------------------
# Approvals' positions and permits' employers, decoded by lienthong inspect.
mkdir -p "$w/fc"
sql "SELECT event_id || '|' || to_char($vn, 'YYYY-MM-DD') || '|' || encode(signed_bytes, 'hex') FROM lienthong.event_store
     WHERE event_type IN ('labour_demand_approved', 'work_permit_issued')" > "$w/fc.txt"
node -e 'const fs = require("fs"), [f, d] = process.argv.slice(1);
  for (const l of fs.readFileSync(f, "utf8").trim().split("\n")) { const [id, , hex] = l.split("|"); fs.writeFileSync(d + "/" + id + ".bin", Buffer.from(hex, "hex")); }' \
  "$w/fc.txt" "$w/fc"
(cd "$w/fc" && "$cli" inspect *.bin) > "$w/fc.json" || fail "lienthong inspect (forecast)"
sql "SELECT enterprise_code || '|' || coalesce(sector_code, 'unknown') FROM lienthong.employers" > "$w/sectors.txt"
for q in "period=quarter&history=16&horizon=4" "period=year&history=5&horizon=2&method=moving-average" "period=month&history=24&horizon=3"; do
  expect 200 "$leader" "/v1/forecast/foreign-workers?$q"
  node -e '
    const fs = require("fs"), [bf, fcf, ff, sf] = process.argv.slice(1);
    const j = JSON.parse(fs.readFileSync(bf, "utf8"));
    const date = {}; for (const l of fs.readFileSync(fcf, "utf8").trim().split("\n")) { const [id, d] = l.split("|"); date[id] = d; }
    const sector = {}; for (const l of fs.readFileSync(sf, "utf8").trim().split("\n")) { const [c, s] = l.split("|"); sector[c] = s; }
    const label = d => { const y = d.slice(0, 4), m = +d.slice(5, 7);
      return j.period === "year" ? y : j.period === "half" ? y + "H" + (m < 7 ? 1 : 2)
           : j.period === "quarter" ? y + "Q" + Math.ceil(m / 3) : d.slice(0, 7); };
    const want = {}; // sector -> period -> [positions, permits]
    const add = (s, p, k, n) => { for (const x of [s, "all"]) {
      want[x] = want[x] || {}; want[x][p] = want[x][p] || [0, 0]; want[x][p][k] += n; } };
    for (const o of JSON.parse("[" + fs.readFileSync(ff, "utf8").replace(/}\s*{/g, "},{") + "]")) {
      const p = label(date[o.file.replace(/^.*\/|\.bin$/g, "")]), e = o.event;
      if (e.labourDemandApproved)
        add(sector[e.header.subject.enterpriseCode] || "unknown", p, 0,
            e.labourDemandApproved.positions.reduce((a, x) => a + (x.count || 0), 0));
      else add(sector[e.workPermitIssued.terms.employerEnterpriseCode] || "unknown", p, 1, 1); }
    const periods = j.total.history.map(h => h.period);
    if (periods.length !== j.method.periodsUsed || periods[0] !== j.method.firstPeriod || periods.at(-1) !== j.method.lastPeriod)
      throw "periods used";
    if (!j.method.description.includes(j.method.firstPeriod) || !j.about.eventStoreMaxIngestSeq) throw "method not stated";
    for (const s of [...j.sectors, j.total]) {
      for (const h of s.history) { const x = (want[s.sector] || {})[h.period] || [0, 0];
        if (h.positionsApproved !== x[0] || h.permitsIssued !== x[1]) throw s.sector + " " + h.period + ": " + JSON.stringify(h) + " vs " + x; }
      for (const k of ["positionsApproved", "permitsIssued"]) {
        const y = s.history.map(h => h[k]), n = y.length, mx = (n - 1) / 2, my = y.reduce((a, b) => a + b, 0) / n;
        const sxy = y.reduce((a, v, i) => a + (i - mx) * (v - my), 0), sxx = y.reduce((a, v, i) => a + (i - mx) ** 2, 0);
        const b = sxy / sxx, a = my - b * mx;
        s.forecast.forEach((f, h) => { const v = j.method.name === "linear-trend" ? Math.max(0, a + b * (n + h)) : my;
          if (Math.abs(f[k] - Math.round(v * 10) / 10) > 0.051) throw s.sector + " forecast " + f.period + " " + k + ": " + f[k] + " vs " + v; }); } }
    const counted = j.total.history.reduce((a, h) => a + h.positionsApproved + h.permitsIssued, 0);
    console.log(j.method.name + " by " + j.period + ", " + j.method.firstPeriod + " to " + j.method.lastPeriod + ", " +
                j.sectors.length + " sectors, " + counted + " positions and permits");' \
    "$w/body" "$w/fc.txt" "$w/fc.json" "$w/sectors.txt" > "$w/fc.out" 2>&1 || { cat "$w/fc.out" >&2; fail "forecast $q"; }
  echo "  forecast $q: $(cat "$w/fc.out")"
done
ok "forecast: positions approved and permits issued per sector and period equal lienthong inspect's decoding; linear trend and moving average recomputed from the history; method and periods stated"

kill -TERM $q_pid; wait $q_pid || fail "lt-query did not stop cleanly"; q_pid=
grep -q '"level":"error"' "$w/query.log" && fail "errors logged: $(grep '"level":"error"' "$w/query.log" | head -3)"
echo "$passed passed, 0 failed"
