/* test_kafka_roundtrip — the Kafka wrappers against the real broker the
 * harness started: the producer is idempotent with acks=all and cannot be
 * weakened; keyed records with headers go through a consumer group intact and
 * in per-key order; committed offsets resume a group; an unreachable broker
 * gives a clear error instead of a hang. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/clock.h"
#include "core/err.h"
#include "kafka/kafka.h"

#define N_MSG 200
#define N_KEYS 7

static const char *bootstrap;
static char topic[128];

struct dr_state { int ok, failed; };

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    struct dr_state *st = opaque;
    if (m->err) st->failed++; else st->ok++;
}

static void producer_is_idempotent_and_cannot_be_weakened(void **s)
{
    (void)s;
    char err[512], val[64];
    size_t n = sizeof val;
    rd_kafka_t *p = lt_kafka_producer_new(bootstrap, "t", NULL, NULL, NULL, err, sizeof err);
    assert_non_null(p);
    const rd_kafka_conf_t *conf = rd_kafka_conf(p);
    assert_int_equal(rd_kafka_conf_get(conf, "enable.idempotence", val, &n), RD_KAFKA_CONF_OK);
    assert_string_equal(val, "true");
    n = sizeof val;
    assert_int_equal(rd_kafka_conf_get(conf, "acks", val, &n), RD_KAFKA_CONF_OK);
    assert_true(!strcmp(val, "-1") || !strcmp(val, "all"));
    rd_kafka_destroy(p);

    const char *weaker[] = { "acks", "1", NULL };
    p = lt_kafka_producer_new(bootstrap, "t", weaker, NULL, NULL, err, sizeof err);
    assert_null(p); /* librdkafka refuses acks=1 with idempotence */
    assert_true(strlen(err) > 0);

    const char *bad[] = { "no.such.setting", "x", NULL };
    p = lt_kafka_producer_new(bootstrap, "t", bad, NULL, NULL, err, sizeof err);
    assert_null(p);
    assert_non_null(strstr(err, "no.such.setting"));
}

static void keyed_records_with_headers_roundtrip_in_order(void **s)
{
    (void)s;
    char err[512];
    struct dr_state st = { 0, 0 };
    rd_kafka_t *p = lt_kafka_producer_new(bootstrap, "t-prod", NULL, dr_cb, &st, err, sizeof err);
    assert_non_null(p);
    assert_int_equal(lt_kafka_create_topic(p, topic, 6, 1, NULL, 30000, err, sizeof err), LT_OK);
    /* Creating it again is not an error. */
    assert_int_equal(lt_kafka_create_topic(p, topic, 6, 1, NULL, 30000, err, sizeof err), LT_OK);

    for (int i = 0; i < N_MSG; i++) {
        char key[16], seq[16], val[64];
        snprintf(key, sizeof key, "subject-%d", i % N_KEYS);
        snprintf(seq, sizeof seq, "%d", i);
        snprintf(val, sizeof val, "value %d of %s", i, key);
        assert_int_equal(rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic),
                             RD_KAFKA_V_KEY(key, strlen(key)),
                             RD_KAFKA_V_VALUE(val, strlen(val)),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_HEADER("ce_id", seq, -1),
                             RD_KAFKA_V_HEADER("bin", "\0\1\2", 3),
                             RD_KAFKA_V_END), RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    assert_int_equal(rd_kafka_flush(p, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_int_equal(st.ok, N_MSG);
    assert_int_equal(st.failed, 0);
    rd_kafka_destroy(p);

    char group[160];
    snprintf(group, sizeof group, "%s-g", topic);
    rd_kafka_t *c = lt_kafka_consumer_new(bootstrap, group, "t-cons", NULL, err, sizeof err);
    assert_non_null(c);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, topic, RD_KAFKA_PARTITION_UA);
    assert_int_equal(rd_kafka_subscribe(c, sub), 0);
    rd_kafka_topic_partition_list_destroy(sub);

    int last_seq[N_KEYS], got = 0, seen[N_MSG] = { 0 };
    for (int k = 0; k < N_KEYS; k++) last_seq[k] = -1;
    int64_t deadline = lt_mono_ms() + 60000;
    while (got < N_MSG && lt_mono_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 200);
        if (!m) continue;
        if (!m->err) {
            char id[16], bin[8];
            assert_int_equal(lt_kafka_header(m, "ce_id", id, sizeof id), LT_OK);
            assert_int_equal(lt_kafka_header(m, "bin", bin, sizeof bin), LT_OK);
            assert_memory_equal(bin, "\0\1\2", 3);
            assert_int_equal(lt_kafka_header(m, "absent", id, sizeof id), LT_ERR_NOTFOUND);
            int seq = atoi(id), k = seq % N_KEYS;
            char want[64];
            snprintf(want, sizeof want, "value %d of subject-%d", seq, k);
            assert_int_equal(m->len, strlen(want));
            assert_memory_equal(m->payload, want, m->len);
            assert_true(seq > last_seq[k]); /* per-key order kept */
            last_seq[k] = seq;
            assert_int_equal(seen[seq], 0); /* no duplicates */
            seen[seq] = 1;
            got++;
        }
        rd_kafka_message_destroy(m);
    }
    assert_int_equal(got, N_MSG);
    /* Commit what was read, close, and a new member of the group sees nothing old. */
    rd_kafka_topic_partition_list_t *asg = NULL, *pos = rd_kafka_topic_partition_list_new(6);
    assert_int_equal(rd_kafka_assignment(c, &asg), 0);
    assert_int_equal(rd_kafka_position(c, asg), 0);
    for (int i = 0; i < asg->cnt; i++)
        if (asg->elems[i].offset >= 0)
            rd_kafka_topic_partition_list_add(pos, topic, asg->elems[i].partition)->offset =
                asg->elems[i].offset;
    assert_true(pos->cnt > 0);
    assert_int_equal(rd_kafka_commit(c, pos, 0), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(pos);
    rd_kafka_topic_partition_list_destroy(asg);
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);

    c = lt_kafka_consumer_new(bootstrap, group, "t-cons2", NULL, err, sizeof err);
    assert_non_null(c);
    sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, topic, RD_KAFKA_PARTITION_UA);
    assert_int_equal(rd_kafka_subscribe(c, sub), 0);
    rd_kafka_topic_partition_list_destroy(sub);
    int old = 0;
    deadline = lt_mono_ms() + 8000;
    while (lt_mono_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 200);
        if (!m) continue;
        if (!m->err) old++;
        rd_kafka_message_destroy(m);
    }
    assert_int_equal(old, 0);
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
}

static void unreachable_broker_is_a_clear_error(void **s)
{
    (void)s;
    char err[512];
    struct dr_state st = { 0, 0 };
    const char *fast[] = { "message.timeout.ms", "3000", NULL };
    /* Port 1 on loopback: nothing listens there. */
    rd_kafka_t *p = lt_kafka_producer_new("127.0.0.1:1", "t-dead", fast, dr_cb, &st, err, sizeof err);
    assert_non_null(p);
    assert_int_equal(rd_kafka_producev(p, RD_KAFKA_V_TOPIC("nowhere"),
                                       RD_KAFKA_V_VALUE("x", 1), RD_KAFKA_V_END), 0);
    rd_kafka_flush(p, 10000);
    assert_int_equal(st.ok, 0);
    assert_int_equal(st.failed, 1); /* reported as failed, not lost silently */
    assert_int_equal(lt_kafka_create_topic(p, "nowhere", 1, 1, NULL, 2000, err, sizeof err) < 0, 1);
    rd_kafka_destroy(p);

    assert_null(lt_kafka_producer_new("", "t", NULL, NULL, NULL, err, sizeof err));
    assert_non_null(strstr(err, "bootstrap"));
    assert_null(lt_kafka_consumer_new(bootstrap, "", "t", NULL, err, sizeof err));
    assert_non_null(strstr(err, "group"));
}

int main(void)
{
    bootstrap = getenv("LT_KAFKA_BOOTSTRAP");
    if (!bootstrap) {
        fprintf(stderr, "LT_KAFKA_BOOTSTRAP is not set: run under tests/harness/with-stack.sh\n");
        return 1;
    }
    snprintf(topic, sizeof topic, "lt-test-roundtrip-%" PRId64, lt_now_ms());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(producer_is_idempotent_and_cannot_be_weakened),
        cmocka_unit_test(keyed_records_with_headers_roundtrip_in_order),
        cmocka_unit_test(unreachable_broker_is_a_clear_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
