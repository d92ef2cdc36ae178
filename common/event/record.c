/* record.c — Kafka record key, topic and CloudEvents headers of an event. */
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/uuid.h"
#include "event/record.h"
#include "event/subject.h"
#include "kafka/kafka.h"

static const ProtobufCFieldDescriptor *body_field(const Lienthong__V1__Event *ev)
{
    if (ev->body_case == LIENTHONG__V1__EVENT__BODY__NOT_SET)
        return NULL;
    return protobuf_c_message_descriptor_get_field(&lienthong__v1__event__descriptor,
                                                   (unsigned)ev->body_case);
}

int lt_record_topic(const char *agency_code, char *buf, size_t bufsize)
{
    int n = snprintf(buf, bufsize, "%s%s", LT_RECORD_TOPIC_PREFIX, agency_code);
    return n > 0 && (size_t)n < bufsize ? LT_OK : LT_ERR_INVALID;
}

static void rfc3339_ms(char out[32], int64_t ms)
{
    int64_t s = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    time_t t = (time_t)s;
    struct tm tm;
    gmtime_r(&t, &tm);
    char base[24];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%s.%03dZ", base, (int)(ms - s * 1000));
}

int lt_record_meta_of(const Lienthong__V1__Event *ev,
                      const uint8_t secret[LT_SUBJECT_KEY_SECRET_BYTES],
                      struct lt_record_meta *m, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    const Lienthong__V1__Header *h = ev->header;
    const ProtobufCFieldDescriptor *f = body_field(ev);
    if (!h || !f)
        return lt_err_set(err, errlen, LT_ERR_INVALID, "event has no header or no known body");
    if (h->event_id.len != LT_UUID_BYTES)
        return lt_err_set(err, errlen, LT_ERR_INVALID, "event id is not 16 bytes");
    if (!h->agency_code || !*h->agency_code)
        return lt_err_set(err, errlen, LT_ERR_INVALID, "event has no agency code");
    char subject[LT_SUBJECT_ID_MAX];
    enum lt_subject_fault fault;
    if (!h->subject || lt_subject_canonical_id(h->subject, subject, &fault, err, errlen) != LT_OK)
        return LT_ERR_INVALID;
    lt_hash_subject(m->key, secret, subject);
    lt_hex(m->ce_subject, m->key, sizeof m->key);
    lt_uuid_format(h->event_id.data, m->ce_id);
    if ((size_t)snprintf(m->ce_source, sizeof m->ce_source, "urn:lienthong:agency:%s",
                         h->agency_code) >= sizeof m->ce_source)
        return lt_err_set(err, errlen, LT_ERR_INVALID, "agency code too long");
    const ProtobufCMessageDescriptor *body = f->descriptor;
    snprintf(m->ce_type, sizeof m->ce_type, "%s", body->name);
    rfc3339_ms(m->ce_time, h->occurred_at_ms);
    return LT_OK;
}

rd_kafka_headers_t *lt_record_headers_new(const struct lt_record_meta *m)
{
    rd_kafka_headers_t *hs = rd_kafka_headers_new(7);
    rd_kafka_header_add(hs, "ce_specversion", -1, "1.0", -1);
    rd_kafka_header_add(hs, "ce_id", -1, m->ce_id, -1);
    rd_kafka_header_add(hs, "ce_source", -1, m->ce_source, -1);
    rd_kafka_header_add(hs, "ce_type", -1, m->ce_type, -1);
    rd_kafka_header_add(hs, "ce_time", -1, m->ce_time, -1);
    rd_kafka_header_add(hs, "ce_subject", -1, m->ce_subject, -1);
    rd_kafka_header_add(hs, "content-type", -1, LT_RECORD_CONTENT_TYPE, -1);
    return hs;
}

int lt_record_check(const rd_kafka_message_t *msg, const struct lt_record_meta *m,
                    char *err, size_t errlen)
{
    if (msg->key_len != LT_HASH_BYTES || memcmp(msg->key, m->key, LT_HASH_BYTES) != 0)
        return lt_err_set(err, errlen, LT_ERR_INVALID,
                          "record key is not the keyed hash of the signed subject");
    const struct { const char *name, *want; } want[] = {
        { "ce_specversion", "1.0" }, { "ce_id", m->ce_id }, { "ce_source", m->ce_source },
        { "ce_type", m->ce_type }, { "ce_time", m->ce_time }, { "ce_subject", m->ce_subject },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char got[128];
        if (lt_kafka_header(msg, want[i].name, got, sizeof got) != LT_OK)
            return lt_err_set(err, errlen, LT_ERR_INVALID, "header %s is missing", want[i].name);
        if (strcmp(got, want[i].want) != 0)
            return lt_err_set(err, errlen, LT_ERR_INVALID,
                              "header %s is '%s' but the signed event says '%s'", want[i].name,
                              got, want[i].want);
    }
    return LT_OK;
}
