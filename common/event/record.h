/* record.h — how a signed event travels as a Kafka record.
 *
 *   topic    one per agency: "lienthong.agency.<agency_code>" unless the
 *            registry names another
 *   key      32 bytes: BLAKE2b-256 keyed with the province's subject-key
 *            secret over the canonical subject id (no personal number in keys)
 *   value    the SignedEvent bytes
 *   headers  CloudEvents 1.0 binary mode, repeated from the signed event:
 *            ce_specversion "1.0", ce_id (event id, UUID text), ce_source
 *            ("urn:lienthong:agency:<code>"), ce_type ("lienthong.v1.<Body>"),
 *            ce_time (occurred_at, RFC 3339 UTC with ms), ce_subject (hex of
 *            the record key), content-type.
 * Headers are a convenience for routing and tools; the signed bytes are the
 * truth, so a reader recomputes them from the verified event and refuses a
 * record whose key or headers disagree (lt_record_check). */
#ifndef LT_EVENT_RECORD_H
#define LT_EVENT_RECORD_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/hash.h"
#include "lienthong/v1/event.pb-c.h"

#define LT_RECORD_CONTENT_TYPE "application/x-protobuf; messageType=lienthong.v1.SignedEvent"
#define LT_RECORD_TOPIC_PREFIX "lienthong.agency."

/* What a record's key and headers must be for one event. */
struct lt_record_meta {
    uint8_t key[LT_HASH_BYTES];
    char ce_id[40];
    char ce_source[96];
    char ce_type[96];
    char ce_time[32];
    char ce_subject[2 * LT_HASH_BYTES + 1];
};

/* The default topic of an agency into buf. Returns LT_OK or LT_ERR_INVALID
 * when it does not fit. */
int lt_record_topic(const char *agency_code, char *buf, size_t bufsize)
    __attribute__((warn_unused_result));

/* Fills *m for ev. Returns LT_OK, or LT_ERR_INVALID when ev lacks what the
 * headers need (event id, agency, subject, body). */
int lt_record_meta_of(const Lienthong__V1__Event *ev,
                      const uint8_t secret[LT_SUBJECT_KEY_SECRET_BYTES],
                      struct lt_record_meta *m, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* New headers carrying m (caller owns them; rd_kafka_producev's
 * RD_KAFKA_V_HEADERS takes ownership on success). */
rd_kafka_headers_t *lt_record_headers_new(const struct lt_record_meta *m);

/* Checks a consumed record's key and headers against m. Returns LT_OK or
 * LT_ERR_INVALID naming the first header (or the key) that is missing or
 * differs. */
int lt_record_check(const rd_kafka_message_t *msg, const struct lt_record_meta *m,
                    char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
