/* test_record — the Kafka record conventions through the real broker: a
 * golden envelope published with lt_record_meta_of's key and CloudEvents
 * headers comes back with a key and headers that lt_record_check accepts;
 * records whose key or any one header disagrees with the signed event (or
 * lacks it) are refused, naming what is wrong. The key never contains the
 * personal number. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/clock.h"
#include "core/err.h"
#include "event/envelope.h"
#include "event/record.h"
#include "kafka/kafka.h"

static const char *bootstrap;
static char topic[128];
static uint8_t env[4096];
static size_t env_len;

enum variant { GOOD, BAD_KEY, BAD_TYPE, BAD_SUBJECT, NO_ID, N_VARIANTS };

static void load_golden_envelope(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", __FILE__);
    strcpy(strrchr(path, '/'), "/../golden/kat/departure.envelope.hex");
    FILE *f = fopen(path, "r");
    char hex[16384];
    size_t n = f ? fread(hex, 1, sizeof hex - 1, f) : 0;
    if (f)
        fclose(f);
    hex[n] = '\0';
    if (sodium_hex2bin(env, sizeof env, hex, n, "\n", &env_len, NULL) != 0 || env_len == 0)
        fail_msg("cannot read %s", path);
}

static void roundtrip_and_mismatches(void **s)
{
    (void)s;
    char err[512];
    uint8_t secret[32];
    for (int i = 0; i < 32; i++) secret[i] = (uint8_t)(32 + i);
    Lienthong__V1__SignedEvent *se;
    Lienthong__V1__Event *ev;
    assert_int_equal(lt_envelope_open(env, env_len, &se), LT_ENVELOPE_OK);
    assert_int_equal(lt_envelope_event(se, &ev), LT_ENVELOPE_OK);
    struct lt_record_meta m;
    assert_int_equal(lt_record_meta_of(ev, secret, &m, err, sizeof err), LT_OK);
    /* No personal number in the key or the subject header. */
    assert_null(memmem(m.key, sizeof m.key, "049098001234", 12));
    assert_null(strstr(m.ce_subject, "049098001234"));

    rd_kafka_t *p = lt_kafka_producer_new(bootstrap, "t-record", NULL, NULL, NULL, err, sizeof err);
    assert_non_null(p);
    assert_int_equal(lt_kafka_create_topic(p, topic, 1, 1, NULL, 30000, err, sizeof err), LT_OK);
    for (int v = 0; v < N_VARIANTS; v++) {
        struct lt_record_meta bad = m;
        if (v == BAD_KEY) bad.key[0] ^= 1;
        if (v == BAD_TYPE) snprintf(bad.ce_type, sizeof bad.ce_type, "lienthong.v1.Return");
        if (v == BAD_SUBJECT) bad.ce_subject[0] = bad.ce_subject[0] == 'a' ? 'b' : 'a';
        rd_kafka_headers_t *hs = lt_record_headers_new(&bad);
        if (v == NO_ID) assert_int_equal(rd_kafka_header_remove(hs, "ce_id"), 0);
        char vs[8];
        snprintf(vs, sizeof vs, "%d", v);
        rd_kafka_header_add(hs, "variant", -1, vs, -1);
        assert_int_equal(rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic),
                                           RD_KAFKA_V_KEY(bad.key, sizeof bad.key),
                                           RD_KAFKA_V_VALUE(env, env_len),
                                           RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                           RD_KAFKA_V_HEADERS(hs), RD_KAFKA_V_END), 0);
    }
    assert_int_equal(rd_kafka_flush(p, 30000), 0);
    rd_kafka_destroy(p);

    char group[160];
    snprintf(group, sizeof group, "%s-g", topic);
    rd_kafka_t *c = lt_kafka_consumer_new(bootstrap, group, "t-record", NULL, err, sizeof err);
    assert_non_null(c);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, topic, RD_KAFKA_PARTITION_UA);
    assert_int_equal(rd_kafka_subscribe(c, sub), 0);
    rd_kafka_topic_partition_list_destroy(sub);
    int seen = 0;
    int64_t deadline = lt_mono_ms() + 60000;
    while (seen < N_VARIANTS && lt_mono_ms() < deadline) {
        rd_kafka_message_t *msg = rd_kafka_consumer_poll(c, 200);
        if (!msg) continue;
        if (!msg->err) {
            char vs[8];
            assert_int_equal(lt_kafka_header(msg, "variant", vs, sizeof vs), LT_OK);
            int v = atoi(vs);
            /* The reader recomputes the meta from the signed bytes it received. */
            Lienthong__V1__SignedEvent *se2;
            Lienthong__V1__Event *ev2;
            struct lt_record_meta want;
            assert_int_equal(lt_envelope_open(msg->payload, msg->len, &se2), LT_ENVELOPE_OK);
            assert_int_equal(lt_envelope_event(se2, &ev2), LT_ENVELOPE_OK);
            assert_int_equal(lt_record_meta_of(ev2, secret, &want, err, sizeof err), LT_OK);
            int rc = lt_record_check(msg, &want, err, sizeof err);
            switch (v) {
            case GOOD: assert_int_equal(rc, LT_OK); break;
            case BAD_KEY: assert_int_equal(rc, LT_ERR_INVALID); assert_non_null(strstr(err, "record key")); break;
            case BAD_TYPE: assert_int_equal(rc, LT_ERR_INVALID); assert_non_null(strstr(err, "ce_type")); break;
            case BAD_SUBJECT: assert_int_equal(rc, LT_ERR_INVALID); assert_non_null(strstr(err, "ce_subject")); break;
            case NO_ID: assert_int_equal(rc, LT_ERR_INVALID); assert_non_null(strstr(err, "ce_id is missing")); break;
            }
            lienthong__v1__event__free_unpacked(ev2, NULL);
            lienthong__v1__signed_event__free_unpacked(se2, NULL);
            seen++;
        }
        rd_kafka_message_destroy(msg);
    }
    assert_int_equal(seen, N_VARIANTS);
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
    lienthong__v1__event__free_unpacked(ev, NULL);
    lienthong__v1__signed_event__free_unpacked(se, NULL);
}

int main(void)
{
    bootstrap = getenv("LT_KAFKA_BOOTSTRAP");
    if (!bootstrap) {
        fprintf(stderr, "LT_KAFKA_BOOTSTRAP is not set: run under tests/harness/with-stack.sh\n");
        return 1;
    }
    if (lt_sign_init() != LT_OK)
        return 1;
    load_golden_envelope();
    snprintf(topic, sizeof topic, "lt-test-record-%" PRId64, lt_now_ms());
    const struct CMUnitTest tests[] = { cmocka_unit_test(roundtrip_and_mismatches) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
