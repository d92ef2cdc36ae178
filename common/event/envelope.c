/* envelope.c — seal, open, verify and decode SignedEvent envelopes.
 *
 * The order of checks follows envelope.proto: shape first (cheap, needs no
 * key), then the signature over the received bytes, and only then parsing of
 * the event. protobuf-c's unpack is the only decoder of untrusted bytes here;
 * it is fuzzed (tests/fuzz). */
#include <assert.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "event/envelope.h"

const char *lt_envelope_result_name(enum lt_envelope_result r)
{
    switch (r) {
    case LT_ENVELOPE_OK: return "ok";
    case LT_ENVELOPE_UNDECODABLE: return "envelope_undecodable";
    case LT_ENVELOPE_VERSION_UNKNOWN: return "envelope_version_unknown";
    case LT_ENVELOPE_SIGNATURE_SIZE: return "signature_size";
    case LT_ENVELOPE_KEY_ID_INVALID: return "key_id_invalid";
    case LT_ENVELOPE_EVENT_EMPTY: return "event_empty";
    case LT_ENVELOPE_BAD_SIGNATURE: return "bad_signature";
    case LT_ENVELOPE_EVENT_UNDECODABLE: return "event_undecodable";
    }
    return "unknown";
}

int lt_envelope_key_id_ok(const char *key_id)
{
    size_t n = key_id ? strlen(key_id) : 0;
    if (n == 0 || n > LT_KEY_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = key_id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-'))
            return 0;
    }
    return 1;
}

int lt_envelope_seal(const uint8_t *event, size_t len, const char *key_id,
                     const uint8_t sk[LT_SIGN_SECRETKEYBYTES], uint8_t **out, size_t *outlen,
                     char *err, size_t errlen)
{
    *out = NULL;
    *outlen = 0;
    if (!event || len == 0)
        return lt_err_set(err, errlen, LT_ERR_INVALID, "no event bytes to seal");
    if (!lt_envelope_key_id_ok(key_id))
        return lt_err_set(err, errlen, LT_ERR_INVALID,
                          "key id must be 1-128 characters of A-Z a-z 0-9 . _ : -");
    uint8_t sig[LT_SIGN_BYTES];
    lt_sign_detached(sig, LT_ENVELOPE_CONTEXT, event, len, sk);

    Lienthong__V1__SignedEvent se = LIENTHONG__V1__SIGNED_EVENT__INIT;
    se.event.data = (uint8_t *)event;
    se.event.len = len;
    se.signature.data = sig;
    se.signature.len = sizeof sig;
    se.key_id = (char *)key_id;
    se.envelope_version = LT_ENVELOPE_VERSION;
    size_t n = lienthong__v1__signed_event__get_packed_size(&se);
    uint8_t *buf = lt_malloc(n);
    size_t packed = lienthong__v1__signed_event__pack(&se, buf);
    assert(packed == n);
    *out = buf;
    *outlen = packed;
    return LT_OK;
}

enum lt_envelope_result lt_envelope_open(const uint8_t *buf, size_t len,
                                         Lienthong__V1__SignedEvent **out)
{
    *out = NULL;
    Lienthong__V1__SignedEvent *se = lienthong__v1__signed_event__unpack(NULL, len, buf);
    if (!se)
        return LT_ENVELOPE_UNDECODABLE;
    enum lt_envelope_result r = LT_ENVELOPE_OK;
    if (se->envelope_version != LT_ENVELOPE_VERSION)
        r = LT_ENVELOPE_VERSION_UNKNOWN;
    else if (se->signature.len != LT_SIGN_BYTES)
        r = LT_ENVELOPE_SIGNATURE_SIZE;
    else if (!lt_envelope_key_id_ok(se->key_id))
        r = LT_ENVELOPE_KEY_ID_INVALID;
    else if (se->event.len == 0)
        r = LT_ENVELOPE_EVENT_EMPTY;
    if (r != LT_ENVELOPE_OK) {
        lienthong__v1__signed_event__free_unpacked(se, NULL);
        return r;
    }
    *out = se;
    return LT_ENVELOPE_OK;
}

enum lt_envelope_result lt_envelope_verify(const Lienthong__V1__SignedEvent *se,
                                           const uint8_t pk[LT_SIGN_PUBLICKEYBYTES])
{
    if (se->signature.len != LT_SIGN_BYTES)
        return LT_ENVELOPE_SIGNATURE_SIZE;
    if (lt_sign_verify(se->signature.data, LT_ENVELOPE_CONTEXT, se->event.data, se->event.len,
                       pk) != LT_OK)
        return LT_ENVELOPE_BAD_SIGNATURE;
    return LT_ENVELOPE_OK;
}

enum lt_envelope_result lt_envelope_event(const Lienthong__V1__SignedEvent *se,
                                          Lienthong__V1__Event **out)
{
    *out = lienthong__v1__event__unpack(NULL, se->event.len, se->event.data);
    return *out ? LT_ENVELOPE_OK : LT_ENVELOPE_EVENT_UNDECODABLE;
}
