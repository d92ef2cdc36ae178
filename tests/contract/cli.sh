#!/usr/bin/env bash
# The contract tools end to end: keygen → sign → verify against a registry,
# and every way an input is refused, each with its stable code:
# malformed JSON, invalid fields (all named, with paths), a legal-rule
# violation, the wrong agency for the key, a tampered envelope, an unknown,
# revoked or not-yet-valid key, an event type the agency may not publish, and
# a key file others can read.
#   cli.sh LIENTHONG_BINARY
set -euo pipefail
cli=$1
here=$(cd "$(dirname "$0")" && pwd)
gold=$here/../golden/events
w=$(mktemp -d "${TMPDIR:-/tmp}/lt-cli-XXXXXX")
trap 'rm -rf "$w"' EXIT
pass=0 failn=0
ok()   { pass=$((pass + 1)); }
fail() { echo "FAIL: $*" >&2; failn=$((failn + 1)); }
# expect_code CODE FILE...: verify exits 1 and reports CODE for the file
expect_code() {
  local code=$1; shift
  local out rc=0
  out=$("$cli" verify --registry "$w/registry.json" "$@" 2>&1) || rc=$?
  if [ $rc -eq 1 ] && grep -q <<<"$out" "\"code\": \"$code\""; then ok
  else fail "expected code $code (exit 1), got exit $rc: $out"; fi
}

for a in bdinh.labour bdinh.border_guard qnam.police; do
  "$cli" keygen --agency $a --key-id $a:k1 --out "$w/$a.key" > "$w/$a.pub" 2>/dev/null
done
pk() { sed -n 's/.*"public_key": "\(.*\)".*/\1/p' "$w/$1.pub"; }
"$cli" keygen --agency qnam.police --key-id qnam.police:k2 --out "$w/qnam.police.k2.key" > "$w/k2.pub" 2>/dev/null
pk2=$(sed -n 's/.*"public_key": "\(.*\)".*/\1/p' "$w/k2.pub")
cat > "$w/registry.json" <<JSON
{ "format": "lienthong.registry/1",
  "agencies": [
    { "code": "bdinh.labour", "kind": "labour", "name": { "vi": "Sở Lao động" },
      "allowed_event_types": ["work_permit_issued"] },
    { "code": "bdinh.border_guard", "kind": "border_guard", "name": { "vi": "Biên phòng" },
      "allowed_event_types": ["entry", "exit"] },
    { "code": "qnam.police", "kind": "police", "name": { "vi": "Công an" },
      "allowed_event_types": ["departure", "return_home"] } ],
  "keys": [
    { "key_id": "bdinh.labour:k1", "agency": "bdinh.labour", "public_key": "$(pk bdinh.labour)",
      "valid_from": "2020-01-01T00:00:00Z" },
    { "key_id": "bdinh.border_guard:k1", "agency": "bdinh.border_guard",
      "public_key": "$(pk bdinh.border_guard)", "valid_from": "2020-01-01T00:00:00Z",
      "revoked_at": "2026-01-01T00:00:00Z", "revocation_reason": "test: key exposed" },
    { "key_id": "qnam.police:k1", "agency": "qnam.police", "public_key": "$(pk qnam.police)",
      "valid_from": "2020-01-01T00:00:00Z" },
    { "key_id": "qnam.police:k2", "agency": "qnam.police", "public_key": "$pk2",
      "valid_from": "2030-01-01T00:00:00Z" } ] }
JSON

# 1. The good path: sign and verify; inspect shows the event.
"$cli" sign --key "$w/bdinh.labour.key" --out "$w/permit.env" "$gold/permit_issued.json" 2>/dev/null
"$cli" sign --key "$w/qnam.police.key" --out "$w/departure.env" "$gold/departure.json" 2>/dev/null
out=$("$cli" verify --registry "$w/registry.json" "$w/permit.env" "$w/departure.env")
[ "$(echo "$out" | grep -c '"verdict": "valid"')" -eq 2 ] && ok || fail "good envelopes not valid: $out"
"$cli" inspect "$w/permit.env" | grep -q '"permitNo": "52/2026/GPLĐ-0001"' && ok || fail "inspect"
"$cli" verify --public-key "$w/bdinh.labour.pub" "$w/permit.env" | grep -q '"verdict": "valid"' && ok || fail "--public-key"

# 2. Refused at signing, nothing written.
echo '{"header": ' > "$w/broken.json"
if "$cli" sign --key "$w/bdinh.labour.key" --out "$w/x.env" "$w/broken.json" 2>"$w/err"; then fail "broken JSON signed"; fi
grep -q 'is not JSON' "$w/err" && [ ! -e "$w/x.env" ] && ok || fail "broken JSON message: $(cat "$w/err")"

sed -e 's/"sequence": "1"/"sequence": "one"/' -e 's/"permitNo"/"permitNumber"/' \
    -e 's/"SEX_MALE"/"SEX_ROBOT"/' "$gold/permit_issued.json" > "$w/fields.json"
if "$cli" sign --key "$w/bdinh.labour.key" --out "$w/x.env" "$w/fields.json" 2>"$w/err"; then fail "bad fields signed"; fi
for p in 'header.sequence: .*bad_number' 'workPermitIssued.permitNumber: .*unknown_field' \
         'workPermitIssued.terms.person.sex: .*unknown_enum' '(3 errors)'; do
  grep -qE "$p" "$w/err" && ok || fail "sign did not report '$p': $(cat "$w/err")"
done

sed 's/"validUntil": "2028-01-04"/"validUntil": "2028-01-05"/' "$gold/permit_issued.json" > "$w/long.json"
if "$cli" sign --key "$w/bdinh.labour.key" --out "$w/x.env" "$w/long.json" 2>"$w/err"; then fail "3-year permit signed"; fi
grep -q 'permit_too_long' "$w/err" && ok || fail "no permit_too_long: $(cat "$w/err")"

if "$cli" sign --key "$w/bdinh.labour.key" --out "$w/x.env" "$gold/entry.json" 2>"$w/err"; then fail "signed for another agency"; fi
grep -q "is not the key's agency" "$w/err" && ok || fail "agency mismatch message: $(cat "$w/err")"

chmod 644 "$w/bdinh.labour.key"
if "$cli" sign --key "$w/bdinh.labour.key" --out "$w/x.env" "$gold/permit_issued.json" 2>"$w/err"; then fail "world-readable key used"; fi
grep -q 'refusing to use it' "$w/err" && ok || fail "key permission message: $(cat "$w/err")"
chmod 600 "$w/bdinh.labour.key"

# 3. Refused at verification, each with its code.
cp "$w/permit.env" "$w/tampered.env"
printf '\x00' | dd of="$w/tampered.env" bs=1 seek=120 conv=notrunc 2>/dev/null
expect_code bad_signature "$w/tampered.env"
head -c 50 "$w/permit.env" > "$w/truncated.env"
expect_code envelope_undecodable "$w/truncated.env"
"$cli" sign --key "$w/bdinh.border_guard.key" --out "$w/entry.env" "$gold/entry.json" 2>/dev/null
expect_code key_revoked "$w/entry.env"            # recorded 2026-01-10, revoked 2026-01-01
sed 's/"agencyCode": "bdinh.labour"/"agencyCode": "qnam.police"/' "$gold/permit_issued.json" > "$w/type.json"
"$cli" sign --key "$w/qnam.police.key" --out "$w/type.env" "$w/type.json" 2>/dev/null
expect_code type_not_allowed "$w/type.env"
"$cli" sign --key "$w/qnam.police.k2.key" --out "$w/early.env" "$gold/departure.json" 2>/dev/null
expect_code key_not_yet_valid "$w/early.env"
"$cli" keygen --agency bdinh.labour --key-id bdinh.labour:rogue --out "$w/rogue.key" >/dev/null 2>&1
"$cli" sign --key "$w/rogue.key" --out "$w/rogue.env" "$gold/permit_issued.json" 2>/dev/null
expect_code key_unknown "$w/rogue.env"
"$cli" sign --key "$w/bdinh.labour.key" --no-validate --out "$w/invalid.env" "$w/long.json" 2>/dev/null
expect_code invalid_event "$w/invalid.env"
out=$("$cli" verify --registry "$w/registry.json" "$w/invalid.env" || true)
grep -q <<<"$out" '"code": "permit_too_long"' && ok || fail "violations not listed: $out"

# 4. Usage errors exit 2 with a message.
rc=0; "$cli" verify "$w/permit.env" 2>"$w/err" || rc=$?
[ $rc -eq 2 ] && grep -q 'exactly one of --registry or --public-key' "$w/err" && ok || fail "verify without keys: rc=$rc"
rc=0; "$cli" frobnicate 2>/dev/null || rc=$?
[ $rc -eq 2 ] && ok || fail "unknown command exit $rc"
"$cli" --help | grep -q keygen && "$cli" sign --help | grep -q -- '--key' && ok || fail "--help"

echo "$pass passed, $failn failed"
[ $failn -eq 0 ]
