/* admit.c — the reader's check of one signed event (see admit.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "event/admit.h"
#include "event/record.h"

static int refuse(struct lt_admission *a, const char *stage, const char *code, const char *fmt,
                  ...) __attribute__((format(printf, 4, 5)));

static int refuse(struct lt_admission *a, const char *stage, const char *code, const char *fmt, ...)
{
    a->ok = 0;
    a->stage = stage;
    a->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->reason, sizeof a->reason, fmt, ap);
    va_end(ap);
    return 0;
}

int lt_admit(const struct lt_admit_keys *k, const uint8_t *buf, size_t len,
             const rd_kafka_message_t *msg, struct lt_admission *a)
{
    memset(a, 0, sizeof *a);
    lt_validate_result_init(&a->vr);
    enum lt_envelope_result er = lt_envelope_open(buf, len, &a->se);
    if (er != LT_ENVELOPE_OK)
        return refuse(a, "envelope", lt_envelope_result_name(er), "not a well-formed SignedEvent");

    uint8_t pk[LT_SIGN_PUBLICKEYBYTES];
    if (!k->skip_signature) {
        if (k->registry) {
            const struct lt_registry_key *rk = lt_registry_key(k->registry, a->se->key_id);
            if (!rk)
                return refuse(a, "key", lt_registry_verdict_name(LT_REGISTRY_KEY_UNKNOWN),
                              "key %s is not in the registry", a->se->key_id);
            if (rk->pending)
                return refuse(a, "key", lt_registry_verdict_name(LT_REGISTRY_KEY_PENDING),
                              "key %s is reserved but has no public key yet", a->se->key_id);
            memcpy(pk, rk->public_key, sizeof pk);
        } else {
            if (!k->key_id || strcmp(a->se->key_id, k->key_id) != 0)
                return refuse(a, "key", "key_unknown", "signed with key %s, not the given key %s",
                              a->se->key_id, k->key_id ? k->key_id : "(none)");
            memcpy(pk, k->pk, sizeof pk);
        }
        if ((er = lt_envelope_verify(a->se, pk)) != LT_ENVELOPE_OK)
            return refuse(a, "signature", lt_envelope_result_name(er),
                          "the signature does not verify with key %s", a->se->key_id);
    }
    if ((er = lt_envelope_event(a->se, &a->ev)) != LT_ENVELOPE_OK)
        return refuse(a, "decode", lt_envelope_result_name(er), "the signed bytes are not an Event");
    lt_hash_event(a->event_hash, a->se->event.data, a->se->event.len);
    a->type = lt_registry_event_type_name((uint32_t)a->ev->body_case);
    if (k->skip_signature) {
        a->ok = 1;
        a->stage = "inspected";
        a->code = "ok";
        return 1;
    }

    if (msg && k->subject_secret) {
        struct lt_record_meta meta;
        char why[400];
        if (lt_record_meta_of(a->ev, k->subject_secret, &meta, why, sizeof why) != LT_OK ||
            lt_record_check(msg, &meta, why, sizeof why) != LT_OK)
            return refuse(a, "headers", "header_mismatch", "%s", why);
    }

    const char *agency = a->ev->header && a->ev->header->agency_code ? a->ev->header->agency_code : "";
    int64_t at = a->ev->header ? a->ev->header->recorded_at_ms : 0;
    if (k->registry) {
        char why[400];
        enum lt_registry_verdict rv = lt_registry_authorize(k->registry, a->se->key_id, agency,
                                                            a->type ? a->type : "", at, pk, why,
                                                            sizeof why);
        if (rv != LT_REGISTRY_OK)
            return refuse(a, "authorize", lt_registry_verdict_name(rv), "%s", why);
    } else if (!k->agency_code || strcmp(agency, k->agency_code) != 0) {
        return refuse(a, "authorize", "key_wrong_agency", "key %s belongs to %s, the event says "
                      "agency %s", a->se->key_id, k->agency_code ? k->agency_code : "(none)", agency);
    }

    if (lt_validate_event(a->ev, &a->vr) != LT_OK)
        return refuse(a, "validate", "invalid_event",
                      "the event breaks the contract or the law of its date");
    a->ok = 1;
    a->stage = "admitted";
    a->code = "ok";
    return 1;
}

void lt_admission_clear(struct lt_admission *a)
{
    if (a->ev)
        lienthong__v1__event__free_unpacked(a->ev, NULL);
    if (a->se)
        lienthong__v1__signed_event__free_unpacked(a->se, NULL);
    a->ev = NULL;
    a->se = NULL;
}
