#!/usr/bin/env bash
# Cross-language check (issue 3's "done when"): a verifier in another
# language, tests/interop/verify.mjs (Node.js, protobufjs, node:crypto), given
# only proto/ and the agencies' public keys,
#   - decodes and verifies envelopes freshly signed by `lienthong sign` with
#     new keys, and the committed known answers (tests/golden/kat, signed with
#     the fixed test seed 00 01 … 1f, whose public key Node derives itself);
#   - rejects every copy with a single flipped bit;
#   - decodes every event to exactly what our own `lienthong inspect` prints.
#   interop.sh LIENTHONG_BINARY WORK_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cli=$1 work=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v node >/dev/null || fail "node is not installed (deploy/install-deps.sh installs it)"
mkdir -p "$work"
# protobufjs, pinned, installed once into the build tree (never into git).
if [ ! -f "$work/node_modules/protobufjs/package.json" ]; then
  echo "installing protobufjs 8.8.1 for the interop verifier into $work"
  (cd "$work" && npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
     protobufjs@8.8.1 >/dev/null)
fi
cp "$here/verify.mjs" "$work/verify.mjs"
rm -rf "$work/keys" "$work/env"
mkdir -p "$work/keys" "$work/env"

envs=()
for j in "$root"/tests/golden/events/*.json; do
  n=$(basename "$j" .json)
  agency=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).header.agencyCode)' "$j")
  # A fresh key per agency, and the fixed golden key, whose public half Node
  # computes from the seed (PKCS#8 prefix + seed) without our help.
  [ -f "$work/keys/$agency.key" ] || \
    "$cli" keygen --agency "$agency" --key-id "$agency:interop" --out "$work/keys/$agency.key" \
      > "$work/keys/$agency.pub" 2>/dev/null
  node -e '
    const c = require("crypto");
    const seed = Buffer.from([...Array(32).keys()]);
    const sk = c.createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]), format: "der", type: "pkcs8" });
    const pk = c.createPublicKey(sk).export({ format: "der", type: "spki" }).subarray(12);
    console.log(JSON.stringify({ key_id: process.argv[1] + ":golden", public_key: pk.toString("base64") }));
  ' "$agency" > "$work/keys/$agency.golden.pub"
  "$cli" sign --key "$work/keys/$agency.key" --out "$work/env/$n.fresh.env" "$j" 2>/dev/null
  node -e 'require("fs").writeFileSync(process.argv[2], Buffer.from(require("fs").readFileSync(process.argv[1], "utf8").trim(), "hex"))' \
    "$root/tests/golden/kat/$n.envelope.hex" "$work/env/$n.golden.env"
  envs+=("$work/env/$n.fresh.env" "$work/env/$n.golden.env")
done
node "$work/verify.mjs" "$root/proto" "$work/keys" "${envs[@]}" > "$work/node.jsonl"
# The Node decoding must equal ours, field for field.
"$cli" inspect "${envs[@]}" > "$work/ours.json"
node -e '
  const fs = require("fs");
  const theirs = fs.readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
  const ours = JSON.parse("[" + fs.readFileSync(process.argv[2], "utf8").replace(/\n}\n{/g, "\n},{") + "]");
  const canon = v => JSON.stringify(v, (k, x) => x && typeof x === "object" && !Array.isArray(x)
      ? Object.keys(x).sort().reduce((o, key) => (o[key] = x[key], o), {}) : x);
  if (theirs.length !== ours.length) { console.error("FAIL: " + theirs.length + " vs " + ours.length + " envelopes"); process.exit(1); }
  let bad = 0;
  theirs.forEach((t, i) => { if (!t.event || !ours[i].event || canon(t.event) !== canon(ours[i].event)) { bad++;
      console.error("FAIL: decodings differ for " + t.file + "\n node: " + canon(t.event) + "\n C:    " + canon(ours[i].event)); } });
  process.exit(bad ? 1 : 0);
' "$work/node.jsonl" "$work/ours.json"
echo "Node verified ${#envs[@]} envelopes (fresh and known-answer), rejected every single-bit flip, decoded them as we do"
echo "1 passed, 0 failed"
