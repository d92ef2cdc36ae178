/* envelope.h — sealing and opening the signed envelope (envelope.proto).
 *
 * Sealing: the publisher's exact serialized Event bytes are signed with
 * Ed25519 over "lienthong.v1.SignedEvent\n" || event and packed with the key
 * id into a SignedEvent. Opening: the SignedEvent is decoded and its shape
 * checked; verifying: the signature is checked over the event bytes exactly as
 * received, and only then may the event be parsed. Nothing is re-serialized.
 *
 * Every way an envelope can be refused has a stable code (enum
 * lt_envelope_result) and a name used in dead-letter records and logs. */
#ifndef LT_EVENT_ENVELOPE_H
#define LT_EVENT_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/sign.h"
#include "lienthong/v1/envelope.pb-c.h"
#include "lienthong/v1/event.pb-c.h"

#define LT_ENVELOPE_CONTEXT "lienthong.v1.SignedEvent\n"
#define LT_ENVELOPE_VERSION 1
#define LT_KEY_ID_MAX 128

enum lt_envelope_result {
    LT_ENVELOPE_OK = 0,
    LT_ENVELOPE_UNDECODABLE,     /* not a SignedEvent at all */
    LT_ENVELOPE_VERSION_UNKNOWN, /* envelope_version is not 1 */
    LT_ENVELOPE_SIGNATURE_SIZE,  /* signature is not 64 bytes */
    LT_ENVELOPE_KEY_ID_INVALID,  /* key_id empty, too long or bad characters */
    LT_ENVELOPE_EVENT_EMPTY,     /* no event bytes */
    LT_ENVELOPE_BAD_SIGNATURE,   /* the signature does not verify */
    LT_ENVELOPE_EVENT_UNDECODABLE, /* signed bytes are not an Event */
};

/* Stable snake_case name of a result ("bad_signature", …). */
const char *lt_envelope_result_name(enum lt_envelope_result r);

/* Signs event[0..len) with sk and packs a SignedEvent carrying key_id into a
 * new buffer *out (caller frees with free()). Returns LT_OK or LT_ERR_INVALID
 * (bad key id, empty event). */
int lt_envelope_seal(const uint8_t *event, size_t len, const char *key_id,
                     const uint8_t sk[LT_SIGN_SECRETKEYBYTES], uint8_t **out, size_t *outlen,
                     char *err, size_t errlen) __attribute__((warn_unused_result));

/* Decodes buf as a SignedEvent and checks its shape (version, signature size,
 * key id, non-empty event). On LT_ENVELOPE_OK *out is the decoded envelope
 * (caller frees with lienthong__v1__signed_event__free_unpacked(*out, NULL));
 * otherwise *out is NULL. The signature is NOT checked here: call
 * lt_envelope_verify with the key the registry gives for key_id. */
enum lt_envelope_result lt_envelope_open(const uint8_t *buf, size_t len,
                                         Lienthong__V1__SignedEvent **out)
    __attribute__((warn_unused_result));

/* LT_ENVELOPE_OK when se->signature is pk's signature of context || se->event
 * (the bytes exactly as received), else LT_ENVELOPE_BAD_SIGNATURE. */
enum lt_envelope_result lt_envelope_verify(const Lienthong__V1__SignedEvent *se,
                                           const uint8_t pk[LT_SIGN_PUBLICKEYBYTES])
    __attribute__((warn_unused_result));

/* Decodes the (verified) event bytes of se. On LT_ENVELOPE_OK *out is the
 * event (caller frees with lienthong__v1__event__free_unpacked(*out, NULL)). */
enum lt_envelope_result lt_envelope_event(const Lienthong__V1__SignedEvent *se,
                                          Lienthong__V1__Event **out)
    __attribute__((warn_unused_result));

/* 1 when key_id is 1–128 characters of [A-Za-z0-9._:-]. */
int lt_envelope_key_id_ok(const char *key_id);

#endif
