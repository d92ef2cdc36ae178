/* admit.h — the reader's check of one signed event, in the order
 * envelope.proto prescribes, shared by every reader: the `lienthong` tool
 * (verify, topic-check), the consolidator and the audit tool.
 *
 *   envelope   decode the SignedEvent, check its shape
 *   key        the registry (or one given public key) knows the key id
 *   signature  Ed25519 over the bytes exactly as received
 *   decode     only now parse the Event
 *   headers    (Kafka records, when the subject-key secret is given) the record
 *              key and CloudEvents headers equal what the signed event says
 *   authorize  the key belongs to the event's agency, is valid and not revoked
 *              at recordedAt, and the agency may publish this event type
 *   validate   the contract and the legal rules of the event's date
 *
 * The first failure decides: its stage, a stable code and a sentence. Chain
 * checks (sequence, prev_hash) need the agency's history and are the
 * caller's (crypto/chain.h). */
#ifndef LT_EVENT_ADMIT_H
#define LT_EVENT_ADMIT_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/hash.h"
#include "crypto/sign.h"
#include "event/envelope.h"
#include "event/validate.h"
#include "registry/registry.h"

/* What to check against: a registry, or (tools only) one public key, in
 * which case key validity, revocation and permissions are not checked. */
struct lt_admit_keys {
    const struct lt_registry *registry;           /* or NULL */
    const char *key_id;                           /* with pk, when registry is NULL */
    const char *agency_code;
    uint8_t pk[LT_SIGN_PUBLICKEYBYTES];
    const uint8_t *subject_secret;                /* 32 bytes, or NULL: headers not checked */
    int skip_signature;                           /* 1: look without trusting (inspect) */
};

struct lt_admission {
    int ok;
    const char *stage;   /* where it failed ("envelope", "key", …), or "admitted" */
    const char *code;    /* stable snake_case code, "ok" when admitted */
    char reason[512];    /* one sentence */
    Lienthong__V1__SignedEvent *se; /* decoded envelope (owned), when it decoded */
    Lienthong__V1__Event *ev;       /* decoded event (owned), when it decoded */
    const char *type;               /* body field name, when known */
    uint8_t event_hash[LT_HASH_BYTES]; /* of the event bytes, when decoded */
    struct lt_validate_result vr;   /* the findings, when stage is "validate" */
};

/* Checks buf (a SignedEvent; msg is the Kafka record it came in, or NULL) and
 * fills *a (which lt_admission_clear releases). Returns 1 when admitted. */
int lt_admit(const struct lt_admit_keys *k, const uint8_t *buf, size_t len,
             const rd_kafka_message_t *msg, struct lt_admission *a);

/* Releases what lt_admit decoded; a can be reused. */
void lt_admission_clear(struct lt_admission *a);

#endif
