/* bench_agency — how fast one agency service's engine accepts and publishes,
 * next to the bare signing rate measured in the same run (a benchmark, not a
 * test: it asserts nothing; the machine is shared and noisy, so only figures
 * from one run are compared with each other).
 *
 *   bench_agency --kafka-bootstrap B [--events N] [--threads T] [--batch K]
 *
 * Prints, for the same event (the golden Entry, ~215 bytes):
 *   sign        Ed25519-sign the serialized event, one core      (the ceiling)
 *   prepare     validate + fill the header, as every input does
 *   accepted    events/s acknowledged as durable (journal fdatasync, group
 *               commit) by T submitting threads with batches of K
 *   published   events/s until Kafka acknowledged every one (acks=all)
 * The journal lives in a fresh directory under $TMPDIR. */
#include <inttypes.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "event/envelope.h"
#include "event/pbjson.h"
#include "publish/publisher.h"

struct bench_cfg {
    char *kafka_bootstrap;
    long long events, threads, batch;
};
static const struct lt_opt opts[] = {
    { "kafka-bootstrap", LT_OPT_STRING, NULL, 0, 0, "LT_KAFKA_BOOTSTRAP",
      offsetof(struct bench_cfg, kafka_bootstrap), 1, "Kafka bootstrap servers" },
    { "events", LT_OPT_INT, "100000", 1000, 100000000, NULL, offsetof(struct bench_cfg, events), 0,
      "events to submit" },
    { "threads", LT_OPT_INT, "8", 1, 256, NULL, offsetof(struct bench_cfg, threads), 0,
      "submitting threads (like concurrent HTTP clients)" },
    { "batch", LT_OPT_INT, "1", 1, 1000, NULL, offsetof(struct bench_cfg, batch), 0,
      "events per submission" },
};
static const struct lt_config_spec spec = { "bench_agency", "--kafka-bootstrap B [options]",
                                            "Agency engine throughput next to the bare sign rate.",
                                            opts, sizeof opts / sizeof opts[0] };

static json_t *template; /* the golden Entry without service-owned fields */
static struct lt_publisher *pub;
static long long per_thread, batch;

static Lienthong__V1__Event *make_event(long long i)
{
    json_t *j = json_deep_copy(template);
    char passport[32];
    snprintf(passport, sizeof passport, "BX%010lld", i);
    json_object_set_new(json_object_get(json_object_get(json_object_get(j, "header"), "subject"),
                                        "foreigner"), "passportNumber", json_string(passport));
    static __thread struct lt_pbjson_errors errs;
    ProtobufCMessage *m = NULL;
    if (lt_pbjson_to_message(&lienthong__v1__event__descriptor, j, &m, &errs) != LT_OK)
        abort();
    json_decref(j);
    return (Lienthong__V1__Event *)m;
}

static void *submitter(void *arg)
{
    long long id = (long long)(intptr_t)arg;
    Lienthong__V1__Event **evs = lt_calloc((size_t)batch, sizeof *evs);
    struct lt_pub_result *res = lt_calloc((size_t)batch, sizeof *res);
    static __thread struct lt_validate_result vr;
    char err[256];
    for (long long done = 0; done < per_thread; done += batch) {
        for (long long k = 0; k < batch; k++) {
            evs[k] = make_event(id * per_thread + done + k);
            if (lt_publisher_prepare(pub, evs[k], &vr) != LT_OK)
                abort();
        }
        while (lt_publisher_submit(pub, evs, NULL, (size_t)batch, res, err, sizeof err) != LT_OK) {
            if (res[0].status != LT_PUB_FULL) {
                fprintf(stderr, "bench: submit failed: %s\n", err);
                abort();
            }
            usleep(10000);
        }
        for (long long k = 0; k < batch; k++)
            lienthong__v1__event__free_unpacked(evs[k], NULL);
    }
    free(evs);
    free(res);
    return NULL;
}

int main(int argc, char **argv)
{
    struct bench_cfg c = { 0 };
    char err[1024];
    int rc = lt_config_load(&spec, &c, argc, argv, NULL, err, sizeof err);
    if (rc == 1)
        return 0;
    if (rc != LT_OK || lt_sign_init() != LT_OK) {
        fprintf(stderr, "bench_agency: %s\n", err);
        return 2;
    }
    lt_log_set_level(LT_LOG_WARN);
    char path[1024];
    snprintf(path, sizeof path, "%s", __FILE__);
    strcpy(strrchr(path, '/'), "/../golden/events/entry.json");
    json_error_t je;
    template = json_load_file(path, 0, &je);
    if (!template) {
        fprintf(stderr, "bench_agency: %s: %s\n", path, je.text);
        return 2;
    }
    json_t *h = json_object_get(template, "header");
    const char *owned[] = { "eventId", "sequence", "prevHash", "recordedAtMs", "agencyCode",
                            "ruleSet", "schemaVersion" };
    for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++)
        json_object_del(h, owned[i]);

    /* 1. The ceiling: bare signing of the serialized event, one core. */
    Lienthong__V1__Event *ev = make_event(0);
    size_t n = lienthong__v1__event__get_packed_size(ev);
    uint8_t *bytes = lt_malloc(n + 64);
    lienthong__v1__event__pack(ev, bytes);
    uint8_t pk[32], sk[64], sig[64];
    lt_sign_keypair(pk, sk);
    long long sign_n = 20000;
    int64_t t0 = lt_mono_ms();
    for (long long i = 0; i < sign_n; i++) {
        bytes[0] ^= (uint8_t)i;
        lt_sign_detached(sig, LT_ENVELOPE_CONTEXT, bytes, n, sk);
    }
    double sign_rate = sign_n * 1000.0 / (double)(lt_mono_ms() - t0 + 1);
    lienthong__v1__event__free_unpacked(ev, NULL);
    free(bytes);

    /* 2. The engine: prepare + submit from T threads, then publish. */
    char dir[] = "/tmp/lt-bench-journal-XXXXXX";
    if (!mkdtemp(dir))
        return 2;
    struct lt_key key;
    char kpath[256];
    snprintf(kpath, sizeof kpath, "%s/bench.key", dir);
    if (lt_keyfile_create(kpath, "bench:k1", "bench", NULL, &key, err, sizeof err) != LT_OK)
        return 2;
    uint8_t secret[32] = { 1 };
    const char *types[] = { "entry" };
    char jdir[300], topic[96];
    snprintf(jdir, sizeof jdir, "%s/journal", dir);
    snprintf(topic, sizeof topic, "lt-bench-%lld", (long long)lt_now_ms());
    struct lt_publisher_config pc = {
        .agency_code = "bench", .key = &key, .subject_secret = secret, .allowed_types = types,
        .n_allowed = 1, .journal_dir = jdir, .journal_max_bytes = 4ull << 30,
        .kafka_bootstrap = c.kafka_bootstrap, .topic = topic, .topic_partitions = 6,
    };
    if (lt_publisher_new(&pc, &pub, err, sizeof err) != LT_OK) {
        fprintf(stderr, "bench_agency: %s\n", err);
        return 2;
    }
    batch = c.batch;
    per_thread = c.events / c.threads / batch * batch;
    long long total = per_thread * c.threads;
    pthread_t *th = lt_calloc((size_t)c.threads, sizeof *th);
    t0 = lt_mono_ms();
    for (long long i = 0; i < c.threads; i++)
        pthread_create(&th[i], NULL, submitter, (void *)(intptr_t)i);
    for (long long i = 0; i < c.threads; i++)
        pthread_join(th[i], NULL);
    int64_t t_acc = lt_mono_ms() - t0;
    struct lt_publisher_health hl;
    for (;;) {
        lt_publisher_health(pub, &hl);
        if (hl.pending == 0)
            break;
        usleep(5000);
    }
    int64_t t_pub = lt_mono_ms() - t0;
    lt_publisher_free(pub, 10000);

    double acc_rate = total * 1000.0 / (double)(t_acc + 1);
    double pub_rate = total * 1000.0 / (double)(t_pub + 1);
    printf("bench_agency: %lld events of %zu bytes, %lld threads, batch %lld, this machine, one run\n",
           total, n, c.threads, batch);
    printf("  %-46s %12.0f events/s\n", "sign (Ed25519, one core; the ceiling)", sign_rate);
    printf("  %-46s %12.0f events/s  (%.0f%% of sign)\n",
           "accepted + journaled (fdatasync, group commit)", acc_rate, 100.0 * acc_rate / sign_rate);
    printf("  %-46s %12.0f events/s  (%.0f%% of sign)\n", "published (Kafka acks=all, all acked)",
           pub_rate, 100.0 * pub_rate / sign_rate);
    lt_key_wipe(&key);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_agency: could not remove %s\n", dir);
    json_decref(template);
    free(th);
    lt_config_free(&spec, &c);
    return 0;
}
