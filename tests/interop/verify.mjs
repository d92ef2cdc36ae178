// verify.mjs — an independent verifier in another language (Node.js), using
// only off-the-shelf libraries: protobufjs reads proto/ at run time, and
// Node's own crypto checks Ed25519. It knows nothing of the C code.
//
//   node verify.mjs PROTO_DIR KEYS_DIR ENVELOPE...
//
// KEYS_DIR holds public key entries as `lienthong keygen` prints them
// (*.pub: {"key_id", "public_key" (base64)}); an envelope must name one.
//
// For each envelope: decode the SignedEvent, check the version, signature
// size and key id, verify the signature over "lienthong.v1.SignedEvent\n" ||
// event bytes as received, decode the Event, and print it as JSON (one line
// per envelope, proto3 JSON style). Then flip every single bit of the envelope
// and check that each altered copy is rejected. Exit 0 only if all holds.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import protobuf from 'protobufjs';

const [protoDir, keysDir, ...envelopes] = process.argv.slice(2);
if (!protoDir || !keysDir || envelopes.length === 0) {
  console.error('usage: node verify.mjs PROTO_DIR KEYS_DIR ENVELOPE...');
  process.exit(2);
}

const root = new protobuf.Root();
root.resolvePath = (origin, target) => path.join(protoDir, target);
root.loadSync(['lienthong/v1/envelope.proto', 'lienthong/v1/event.proto']);
const SignedEvent = root.lookupType('lienthong.v1.SignedEvent');
const Event = root.lookupType('lienthong.v1.Event');

// An Ed25519 public key as SubjectPublicKeyInfo (RFC 8410): fixed prefix + 32 bytes.
const keys = new Map();
for (const f of fs.readdirSync(keysDir).filter(n => n.endsWith('.pub'))) {
  const k = JSON.parse(fs.readFileSync(path.join(keysDir, f), 'utf8'));
  keys.set(k.key_id, crypto.createPublicKey({
    key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(k.public_key, 'base64')]),
    format: 'der', type: 'spki',
  }));
}
const CONTEXT = Buffer.from('lienthong.v1.SignedEvent\n', 'ascii');

function check(buf) {
  let se;
  try { se = SignedEvent.decode(buf); } catch (e) { return { ok: false, why: 'undecodable' }; }
  if (se.envelopeVersion !== 1) return { ok: false, why: 'version' };
  if (se.signature.length !== 64) return { ok: false, why: 'signature_size' };
  const publicKey = keys.get(se.keyId);
  if (!publicKey) return { ok: false, why: 'key_id' };
  const msg = Buffer.concat([CONTEXT, Buffer.from(se.event)]);
  if (!crypto.verify(null, msg, publicKey, Buffer.from(se.signature))) return { ok: false, why: 'bad_signature' };
  let ev;
  try { ev = Event.decode(se.event); } catch (e) { return { ok: false, why: 'event_undecodable' }; }
  return { ok: true, event: ev };
}

let failed = 0;
for (const file of envelopes) {
  const buf = fs.readFileSync(file);
  const r = check(buf);
  if (!r.ok) {
    console.error(`FAIL ${file}: genuine envelope rejected (${r.why})`);
    failed++;
    continue;
  }
  const obj = Event.toObject(r.event, { longs: String, enums: String, bytes: String });
  console.log(JSON.stringify({ file, event: obj }));
  let caught = 0;
  for (let bit = 0; bit < buf.length * 8; bit++) {
    const copy = Buffer.from(buf);
    copy[bit >> 3] ^= 1 << (bit & 7);
    if (!check(copy).ok) caught++;
    else console.error(`FAIL ${file}: bit ${bit} flipped and still accepted`);
  }
  if (caught !== buf.length * 8) failed++;
  console.error(`${file}: verified; ${caught} of ${buf.length * 8} single-bit flips rejected`);
}
process.exit(failed ? 1 : 0);
