/* bench_feed — fills an agency topic with a backlog of signed, chained events
 * for the consolidator benchmark (tests/bench/consolidator.sh), and measures
 * the bare verify+decode rate on the same events: the physical ceiling of any
 * reader on this machine.
 *
 *   bench_feed --kafka-bootstrap B --key FILE --subject-key-file FILE
 *              --registry FILE [--events N] [--verify-threads T]
 *
 * Events: Entry events of the key's agency, sequence 1..N with prev_hash links,
 * each about one of N/2 foreigners (so the fold sees people with two events),
 * published with the contract's record key and headers (idempotent, acks=all).
 * Prints "feed_rate", "verify_rate" lines for the script to read. */
#include <inttypes.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/uuid.h"
#include "crypto/keyfile.h"
#include "event/admit.h"
#include "event/record.h"
#include "kafka/kafka.h"

struct feed_cfg {
    char *kafka_bootstrap, *key, *subject_key_file, *registry;
    long long events, verify_threads;
};
static const struct lt_opt opts[] = {
    { "kafka-bootstrap", LT_OPT_STRING, NULL, 0, 0, "LT_KAFKA_BOOTSTRAP",
      offsetof(struct feed_cfg, kafka_bootstrap), 1, "Kafka bootstrap servers" },
    { "key", LT_OPT_STRING, NULL, 0, 0, NULL, offsetof(struct feed_cfg, key), 1,
      "the agency's secret key file" },
    { "subject-key-file", LT_OPT_STRING, NULL, 0, 0, NULL, offsetof(struct feed_cfg, subject_key_file),
      1, "the subject-key secret" },
    { "registry", LT_OPT_STRING, NULL, 0, 0, NULL, offsetof(struct feed_cfg, registry), 1,
      "the registry (for the verify measurement)" },
    { "events", LT_OPT_INT, "1000000", 1, 100000000, NULL, offsetof(struct feed_cfg, events), 0,
      "events to publish" },
    { "verify-threads", LT_OPT_INT, "2", 1, 64, NULL, offsetof(struct feed_cfg, verify_threads), 0,
      "threads for the bare verify+decode measurement" },
};
static const struct lt_config_spec spec = { "bench_feed", "[options]",
                                            "Publishes a signed, chained backlog; measures bare verify.",
                                            opts, sizeof opts / sizeof opts[0] };

/* A sample of envelopes (and their records' metadata) kept for the verify run. */
#define SAMPLE 50000
static uint8_t *sample_env[SAMPLE];
static size_t sample_len[SAMPLE], n_sample;
static struct lt_registry *reg;

static void *verifier(void *arg)
{
    long long rounds = (long long)(intptr_t)arg;
    struct lt_admit_keys k = { .registry = reg };
    static __thread struct lt_admission a;
    for (long long r = 0; r < rounds; r++)
        for (size_t i = 0; i < n_sample; i++) {
            if (!lt_admit(&k, sample_env[i], sample_len[i], NULL, &a))
                abort();
            lt_admission_clear(&a);
        }
    return NULL;
}

static void dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    if (m->err)
        (*(long long *)opaque)++;
}

int main(int argc, char **argv)
{
    struct feed_cfg c = { 0 };
    char err[1024];
    int rc = lt_config_load(&spec, &c, argc, argv, NULL, err, sizeof err);
    if (rc == 1)
        return 0;
    struct lt_key key;
    uint8_t secret[32];
    if (rc != LT_OK || lt_sign_init() != LT_OK ||
        lt_keyfile_read(c.key, &key, err, sizeof err) != LT_OK ||
        lt_keyfile_read_secret32(c.subject_key_file, secret, err, sizeof err) != LT_OK ||
        lt_registry_new(c.registry, &reg, err, sizeof err) != LT_OK) {
        fprintf(stderr, "bench_feed: %s\n", err);
        return 2;
    }
    lt_log_set_level(LT_LOG_WARN);
    long long failed = 0;
    rd_kafka_t *p = lt_kafka_producer_new(c.kafka_bootstrap, "bench-feed", NULL, dr, &failed, err,
                                          sizeof err);
    char topic[300];
    if (!p || lt_record_topic(key.agency_code, topic, sizeof topic) != LT_OK ||
        lt_kafka_create_topic(p, topic, 6, -1, NULL, 30000, err, sizeof err) != LT_OK) {
        fprintf(stderr, "bench_feed: %s\n", err);
        return 2;
    }

    uint8_t prev[LT_HASH_BYTES] = { 0 };
    int64_t now = lt_now_ms(), t0 = lt_mono_ms();
    int32_t today = lt_date_vn_from_unix_ms(now);
    char until[LT_DATE_STRLEN + 1];
    lt_date_format(today + 365, until);
    for (long long i = 0; i < c.events; i++) {
        Lienthong__V1__Event ev = LIENTHONG__V1__EVENT__INIT;
        Lienthong__V1__Header h = LIENTHONG__V1__HEADER__INIT;
        Lienthong__V1__Subject sub = LIENTHONG__V1__SUBJECT__INIT;
        Lienthong__V1__Foreigner fo = LIENTHONG__V1__FOREIGNER__INIT;
        Lienthong__V1__Entry en = LIENTHONG__V1__ENTRY__INIT;
        uint8_t id[16];
        char passport[24];
        snprintf(passport, sizeof passport, "BF%010lld", i / 2);
        fo.nationality = "KOR";
        fo.passport_number = passport;
        sub.kind_case = LIENTHONG__V1__SUBJECT__KIND_FOREIGNER;
        sub.foreigner = &fo;
        lt_uuid7(id);
        h.event_id.data = id;
        h.event_id.len = 16;
        h.agency_code = key.agency_code;
        h.sequence = (uint64_t)i + 1;
        h.prev_hash.data = prev;
        h.prev_hash.len = LT_HASH_BYTES;
        h.occurred_at_ms = now - 3600000 + i % 1000;
        h.recorded_at_ms = now;
        h.subject = &sub;
        h.rule_set = LIENTHONG__V1__RULE_SET__RULE_SET_DECREE_219_2025;
        h.schema_version = 1;
        en.border_gate_code = "BD-QUYNHON-PORT";
        en.visa_purpose = LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_LD2;
        en.permitted_stay_until = until;
        ev.header = &h;
        ev.body_case = LIENTHONG__V1__EVENT__BODY_ENTRY;
        ev.entry = &en;
        size_t n = lienthong__v1__event__get_packed_size(&ev);
        uint8_t *bytes = lt_malloc(n), *env;
        size_t env_len;
        lienthong__v1__event__pack(&ev, bytes);
        if (lt_envelope_seal(bytes, n, key.key_id, key.sk, &env, &env_len, err, sizeof err) != LT_OK)
            abort();
        struct lt_record_meta meta;
        if (lt_record_meta_of(&ev, secret, &meta, err, sizeof err) != LT_OK)
            abort();
        rd_kafka_resp_err_t e;
        while ((e = rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic),
                                      RD_KAFKA_V_KEY(meta.key, sizeof meta.key),
                                      RD_KAFKA_V_VALUE(env, env_len),
                                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                      RD_KAFKA_V_HEADERS(lt_record_headers_new(&meta)),
                                      RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(p, 50);
        if (e)
            abort();
        rd_kafka_poll(p, 0);
        lt_hash_event(prev, bytes, n);
        if (n_sample < SAMPLE) {
            sample_env[n_sample] = env;
            sample_len[n_sample++] = env_len;
        } else {
            free(env);
        }
        free(bytes);
        if ((i + 1) % 100000 == 0)
            fprintf(stderr, "bench_feed: %lld of %lld published\n", i + 1, c.events);
    }
    if (rd_kafka_flush(p, 120000) != RD_KAFKA_RESP_ERR_NO_ERROR || failed) {
        fprintf(stderr, "bench_feed: %lld not delivered\n", failed);
        return 1;
    }
    printf("feed_rate %.0f\n", c.events * 1000.0 / (double)(lt_mono_ms() - t0 + 1));
    rd_kafka_destroy(p);

    /* Bare verify + decode + checks, T threads over the sample, ~2 s. */
    long long rounds = 1;
    pthread_t th[64];
    t0 = lt_mono_ms();
    for (long long t = 0; t < c.verify_threads; t++)
        pthread_create(&th[t], NULL, verifier, (void *)(intptr_t)rounds);
    for (long long t = 0; t < c.verify_threads; t++)
        pthread_join(th[t], NULL);
    double vrate = (double)(n_sample * (size_t)c.verify_threads) * 1000.0 /
                   (double)(lt_mono_ms() - t0 + 1);
    printf("verify_rate %.0f\n", vrate);
    for (size_t i = 0; i < n_sample; i++)
        free(sample_env[i]);
    lt_registry_free(reg);
    lt_key_wipe(&key);
    lt_config_free(&spec, &c);
    return 0;
}
