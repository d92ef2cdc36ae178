/* fuzz_event — everything that reads untrusted event bytes: the envelope
 * decoder and shape checks, signature verification, the Event decoder, the
 * validator, the JSON mapping in both directions, the record conventions and
 * the chain check. The input is tried both as a SignedEvent and as bare
 * Event bytes. Nothing may crash, leak or trip a sanitizer; invariants that
 * must hold for any decodable event are asserted. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/err.h"
#include "crypto/chain.h"
#include "event/envelope.h"
#include "event/pbjson.h"
#include "event/record.h"
#include "event/validate.h"

/* The invariants hold in every build, -DNDEBUG included (unlike assert). */
#define check(cond) ((cond) ? (void)0 : abort())

static uint8_t pk[LT_SIGN_PUBLICKEYBYTES];
static const uint8_t secret[LT_SUBJECT_KEY_SECRET_BYTES];

static void exercise_event(const Lienthong__V1__Event *ev, const uint8_t *bytes, size_t len)
{
    static struct lt_validate_result vr;
    lt_validate_result_init(&vr);
    int rc = lt_validate_event(ev, &vr);
    check(rc == LT_OK || rc == LT_ERR_INVALID);
    char text[2048];
    lt_validate_render(&vr, text, sizeof text);
    json_decref(lt_validate_result_json(&vr));

    /* JSON out and back in: whatever decodes must survive the mapping. */
    json_t *j = lt_pbjson_from_message(&ev->base, 0);
    if (j) {
        static struct lt_pbjson_errors errs;
        ProtobufCMessage *m = NULL;
        if (lt_pbjson_to_message(&lienthong__v1__event__descriptor, j, &m, &errs) == LT_OK) {
            /* Same content (unknown fields aside, which JSON cannot carry). */
            json_t *j2 = lt_pbjson_from_message(m, 0);
            check(j2 && json_equal(j, j2));
            json_decref(j2);
            protobuf_c_message_free_unpacked(m, NULL);
        }
        json_decref(j);
    }

    struct lt_record_meta meta;
    char err[256];
    int mr = lt_record_meta_of(ev, secret, &meta, err, sizeof err);
    check(mr == LT_OK || mr == LT_ERR_INVALID);

    if (ev->header && ev->header->prev_hash.len == LT_HASH_BYTES) {
        struct lt_chain_link l = { .seq = ev->header->sequence };
        memcpy(l.prev_hash, ev->header->prev_hash.data, LT_HASH_BYTES);
        lt_hash_event(l.hash, bytes, len);
        struct lt_chain_report r;
        int cr = lt_chain_verify(&l, 1, 0, NULL, &r);
        check((cr == LT_OK) == (r.kind == LT_CHAIN_OK));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        uint8_t seed[LT_SIGN_SEEDBYTES] = { 0 }, sk[LT_SIGN_SECRETKEYBYTES];
        if (lt_sign_init() != LT_OK)
            abort();
        for (int i = 0; i < 32; i++)
            seed[i] = (uint8_t)i;
        lt_sign_seed_keypair(pk, sk, seed);
        ready = 1;
    }
    Lienthong__V1__SignedEvent *se = NULL;
    if (lt_envelope_open(data, size, &se) == LT_ENVELOPE_OK) {
        enum lt_envelope_result vr = lt_envelope_verify(se, pk);
        check(vr == LT_ENVELOPE_OK || vr == LT_ENVELOPE_BAD_SIGNATURE);
        Lienthong__V1__Event *ev = NULL;
        if (lt_envelope_event(se, &ev) == LT_ENVELOPE_OK) {
            exercise_event(ev, se->event.data, se->event.len);
            lienthong__v1__event__free_unpacked(ev, NULL);
        }
        lienthong__v1__signed_event__free_unpacked(se, NULL);
    }
    Lienthong__V1__Event *ev = lienthong__v1__event__unpack(NULL, size, data);
    if (ev) {
        exercise_event(ev, data, size);
        lienthong__v1__event__free_unpacked(ev, NULL);
    }
    return 0;
}
