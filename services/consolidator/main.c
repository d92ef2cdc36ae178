/* lt-consolidator — reads every agency topic and folds each signed event
 * into the shared database, exactly once.
 *
 * One consumer group over every topic matching --topic-pattern (new agency
 * topics are picked up without a restart). Records are taken in batches; a
 * batch is admitted on every core and written in ONE transaction together
 * with its Kafka offsets (batch.c): the event store, dead letters, forks,
 * chain heads and gaps (chain.c), the touched subjects' rows and alerts
 * (project.c). Offsets are read back from the database on every partition
 * assignment, so a kill -9 at any instant loses and doubles nothing.
 *
 * Between batches: the registry file is re-read when it changes (or on
 * SIGHUP), rows computed for an earlier day are refreshed a chunk at a time
 * (time-dependent fields and alerts move with the date), and chain gaps open
 * too long are reported. Memory stays bounded: at most --batch records are
 * held, and librdkafka's prefetch queue is capped by --queue-max-kb. */
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "cons.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/parallel.h"
#include "crypto/keyfile.h"
#include "db/checkpoints.h"
#include "db/db.h"
#include "http/server.h"
#include "kafka/kafka.h"

#define O(f) offsetof(struct cons_config, f)
static const struct lt_opt opts[] = {
    { "kafka-bootstrap", LT_OPT_STRING, NULL, 0, 0, "LT_KAFKA_BOOTSTRAP", O(kafka_bootstrap), 1,
      "Kafka bootstrap servers" },
    { "pg-url", LT_OPT_STRING, NULL, 0, 0, "LT_PG_URL", O(pg_url), 1,
      "the shared database (migrated with lt-migrate; password from PGPASSFILE)" },
    { "registry", LT_OPT_STRING, NULL, 0, 0, "LT_REGISTRY", O(registry), 1,
      "the agency registry: keys, their validity and revocation, permissions (re-read when the "
      "file changes, or on SIGHUP)" },
    { "subject-key-file", LT_OPT_STRING, NULL, 0, 0, "LT_SUBJECT_KEY_FILE", O(subject_key_file), 1,
      "the province's subject-key secret (checks record keys and headers)" },
    { "units", LT_OPT_STRING, "", 0, 0, "LT_UNITS", O(units), 0,
      "administrative units file (deploy/registry/units.json format): rows then carry each "
      "area resolved on their date (after the 2025 mergers: the new province and commune); "
      "'' to keep the codes only. Read at start; the audit must use the same file" },
    { "group", LT_OPT_STRING, "lienthong-consolidator", 0, 0, "LT_CONSUMER_GROUP", O(group), 0,
      "consumer group; instances in one group share the partitions" },
    { "topic-pattern", LT_OPT_STRING, "^lienthong\\.agency\\..*", 0, 0, NULL, O(topic_pattern), 0,
      "regular expression of the agency topics" },
    { "dead-letter-topic", LT_OPT_STRING, "lienthong.dead-letter", 0, 0, NULL,
      O(dead_letter_topic), 0, "where refused records are also published ('' for none)" },
    { "batch", LT_OPT_INT, "2000", 1, 100000, NULL, O(batch), 0,
      "records per database transaction at most" },
    { "batch-wait-ms", LT_OPT_INT, "20", 1, 10000, NULL, O(batch_wait_ms), 0,
      "how long to gather a batch at most (a full batch goes at once)" },
    { "threads", LT_OPT_INT, "0", 0, 64, NULL, O(threads), 0,
      "threads that verify and fold (0: one per core)" },
    { "queue-max-kb", LT_OPT_INT, "16384", 1024, 2097151, NULL, O(queue_max_kb), 0,
      "most kilobytes of records fetched ahead from Kafka (bounds memory whatever the backlog)" },
    { "refresh-interval", LT_OPT_INT, "60", 1, 86400, NULL, O(refresh_interval_s), 0,
      "seconds between refreshes of rows computed for an earlier day" },
    { "refresh-chunk", LT_OPT_INT, "1000", 1, 100000, NULL, O(refresh_chunk), 0,
      "rows refreshed per transaction" },
    { "gap-report-after", LT_OPT_INT, "600", 0, 31536000, NULL, O(gap_report_after_s), 0,
      "seconds a chain gap may stay open before it is reported as an error" },
    { "checkpoint-key", LT_OPT_STRING, "", 0, 0, "LT_CHECKPOINT_KEY_FILE", O(checkpoint_key), 0,
      "the hub's Ed25519 key file (from 'lienthong keygen'): when given, the events stored are "
      "appended to the event-store Merkle tree and each new tree head is signed ('' for none)" },
    { "checkpoint-interval", LT_OPT_INT, "60", 1, 86400, NULL, O(checkpoint_interval_s), 0,
      "seconds between checkpoints" },
    { "checkpoint-max", LT_OPT_INT, "20000", 1, 10000000, NULL, O(checkpoint_max), 0,
      "most events one checkpoint adds (it holds off batches while it reads them); a backlog "
      "gets several checkpoints in a row" },
    { "checkpoint-topic", LT_OPT_STRING, "lienthong.checkpoints", 0, 0, NULL, O(checkpoint_topic),
      0, "where signed tree heads are also published ('' for none)" },
    { "verify-checkpoints", LT_OPT_BOOL, "false", 0, 0, NULL, O(verify_checkpoints), 0,
      "do not consume: check every checkpoint's signature (--checkpoint-public-key), every leaf "
      "against the stored event, every head, and each checkpoint's consistency with the one "
      "before; exit 0 only if all hold" },
    { "checkpoint-public-key", LT_OPT_STRING, "", 0, 0, NULL, O(checkpoint_public_key), 0,
      "the hub key's public half (base64, as 'lienthong keygen' prints it), for "
      "--verify-checkpoints" },
    { "http-address", LT_OPT_STRING, "127.0.0.1", 0, 0, "LT_HTTP_ADDRESS", O(http_address), 0,
      "address of the /healthz and /metrics endpoints" },
    { "http-port", LT_OPT_INT, "-1", -1, 65535, "LT_HTTP_PORT", O(http_port), 0,
      "port of /healthz and /metrics (-1: none, 0: any free port, logged)" },
    { "verify-rows", LT_OPT_BOOL, "false", 0, 0, NULL, O(verify_rows), 0,
      "do not consume: re-fold every subject of the event store (as of each row's date) and "
      "report any row or open alert that differs from the stored one; exit 0 only if none does" },
};
#undef O
static const struct lt_config_spec spec = {
    "lt-consolidator", "[options]",
    "Folds every agency's signed events into the shared database exactly once\n"
    "(offsets commit with the data): the event store, dead letters for refused\n"
    "records, fork and chain-break alarms, chain heads and gaps, and every\n"
    "person's and employer's row and alerts.",
    opts, sizeof opts / sizeof opts[0],
};

static volatile sig_atomic_t run = 1, reload = 0;
static void on_stop(int s) { (void)s; run = 0; }
static void on_hup(int s) { (void)s; reload = 1; }

/* ---- the store thread: batch K is stored while batch K+1 is admitted ------ */

/* The main thread polls Kafka and admits a batch on every core; the store
 * thread owns the database connection while it writes the previous one. One
 * batch at most waits: memory stays at two batches whatever the backlog.
 * Anything else that uses the connection (rebalances, refreshes, gap reports)
 * first waits until the store thread is idle. */
struct pipe {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct cons *c;
    rd_kafka_message_t **msgs; /* the handed-over batch, owned by the thread */
    struct lt_admission *adm;
    size_t n;
    int has_work, busy, failed, stop;
};

static void *store_thread(void *arg)
{
    struct pipe *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->has_work && !p->stop)
            pthread_cond_wait(&p->cv, &p->mu);
        if (!p->has_work)
            break;
        rd_kafka_message_t **msgs = p->msgs;
        struct lt_admission *adm = p->adm;
        size_t n = p->n;
        p->has_work = 0;
        p->busy = 1;
        pthread_mutex_unlock(&p->mu);
        int rc = cons_store_batch(p->c, msgs, n, adm);
        for (size_t i = 0; i < n; i++)
            rd_kafka_message_destroy(msgs[i]);
        pthread_mutex_lock(&p->mu);
        p->busy = 0;
        if (rc != 0)
            p->failed = 1;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Waits until the store thread holds no batch. Returns 1 if a batch failed
 * since the last call (the flag is cleared). */
static int pipe_drain(struct pipe *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->has_work || p->busy)
        pthread_cond_wait(&p->cv, &p->mu);
    int failed = p->failed;
    p->failed = 0;
    pthread_mutex_unlock(&p->mu);
    return failed;
}

/* Hands an admitted batch to the store thread once it is free. Returns 0, or
 * -1 (the batch is not taken) when the previous one failed. */
static int pipe_hand(struct pipe *p, rd_kafka_message_t **msgs, struct lt_admission *adm, size_t n)
{
    pthread_mutex_lock(&p->mu);
    while (p->has_work || p->busy)
        pthread_cond_wait(&p->cv, &p->mu);
    int rc = p->failed ? -1 : 0;
    if (!rc) {
        p->msgs = msgs;
        p->adm = adm;
        p->n = n;
        p->has_work = 1;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

static struct pipe pipe_ = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL,
                             NULL, 0, 0, 0, 0, 0 };
/* Bumped by every rebalance: records gathered before it are dropped (the
 * partitions are re-read from the offsets in the database). */
static unsigned generation;

/* ---- rebalance: offsets come from the database -------------------------- */

/* Partitions the group gave this instance whose offsets could not be read
 * (the database did not answer): held, unread, until it does. */
static rd_kafka_topic_partition_list_t *pending;
/* Its size, for the HTTP threads (/healthz, /metrics). */
static atomic_int held;

/* Reconnects when the connection is gone. Returns 0 when it is usable. */
static int ensure_db(struct cons *c)
{
    if (PQstatus(c->db) == CONNECTION_OK)
        return 0;
    PQreset(c->db);
    if (PQstatus(c->db) != CONNECTION_OK)
        return -1;
    char err[512];
    if (cons_prepare_session(c, err, sizeof err) != LT_OK) {
        lt_error("consolidator", "after reconnecting: %s", err);
        return -1;
    }
    lt_info("consolidator", "reconnected to the database");
    return 0;
}

/* Sets each partition's offset to the one stored with the data (0 when never
 * stored: from the start — 0 rather than the logical BEGINNING, which costs a
 * ListOffsets round and ~0.5 s; a topic whose log start moved on is reset to
 * its earliest record by auto.offset.reset). Returns 0, -1 if the database
 * fails (then no offset may be trusted). */
static int read_offsets(struct cons *c, rd_kafka_topic_partition_list_t *parts)
{
    for (int i = 0; i < parts->cnt; i++) {
        rd_kafka_topic_partition_t *p = &parts->elems[i];
        char part[16];
        snprintf(part, sizeof part, "%d", p->partition);
        const char *v[] = { c->cfg.group, p->topic, part };
        PGresult *r = cons_q(c->db, "SELECT next_offset FROM consumer_offsets WHERE "
                             "group_id = $1 AND topic = $2 AND partition = $3", 3, v, NULL, NULL);
        int ok = cons_ok(r, PGRES_TUPLES_OK, "read offsets");
        if (ok)
            p->offset = PQntuples(r) == 1 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
        PQclear(r);
        if (!ok)
            return -1;
    }
    return 0;
}

/* Starts reading parts from their stored offsets, or, when the database
 * does not answer, holds them (assigned to nobody here) in `pending`. */
static void assign_from_db(struct cons *c, rd_kafka_topic_partition_list_t *parts)
{
    if (ensure_db(c) == 0 && read_offsets(c, parts) == 0) {
        lt_info("consolidator", "assigned %d partition(s); offsets from the database", parts->cnt);
        rd_kafka_assign(c->consumer, parts);
        if (pending && pending != parts)
            rd_kafka_topic_partition_list_destroy(pending);
        if (pending == parts)
            rd_kafka_topic_partition_list_destroy(parts);
        pending = NULL;
        atomic_store(&held, 0);
        return;
    }
    if (!pending)
        lt_error("consolidator", "the database does not answer: %d partition(s) held unread until "
                 "it does (retrying every second)", parts->cnt);
    rd_kafka_assign(c->consumer, NULL);
    if (pending != parts) {
        if (pending)
            rd_kafka_topic_partition_list_destroy(pending);
        pending = rd_kafka_topic_partition_list_copy(parts);
    }
    atomic_store(&held, pending->cnt);
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    struct cons *c = opaque;
    /* The batch being stored commits (or fails) before partitions move, and
     * the offsets read below include it. */
    pipe_drain(&pipe_);
    generation++;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        assign_from_db(c, parts);
    } else {
        if (pending)
            rd_kafka_topic_partition_list_destroy(pending);
        pending = NULL;
        atomic_store(&held, 0);
        rd_kafka_assign(rk, NULL);
    }
}

/* ---- the registry, re-read when it changes ------------------------------- */

static int64_t file_mtime_ns(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    return (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

/* Between batches only: no admission uses the old registry meanwhile. A
 * registry that does not load is refused and the old one kept. */
static void maybe_reload(struct cons *c, int64_t *mtime)
{
    int64_t m = file_mtime_ns(c->cfg.registry);
    if (!reload && (m < 0 || m == *mtime))
        return;
    reload = 0;
    char err[512];
    struct lt_registry *fresh = NULL;
    if (lt_registry_new(c->cfg.registry, &fresh, err, sizeof err) != LT_OK) {
        lt_error("consolidator", "registry %s not reloaded, the previous one stays in force: %s",
                 c->cfg.registry, err);
        *mtime = m;
        return;
    }
    lt_registry_free(c->reg);
    c->reg = fresh;
    c->keys.registry = fresh;
    *mtime = m;
    lt_info("consolidator", "registry %s reloaded", c->cfg.registry);
}

/* /healthz: down while the database does not answer (partitions held). */
static enum lt_http_health health(json_t *details, void *arg)
{
    (void)arg;
    int h = atomic_load(&held);
    json_object_set_new(details, "database", json_string(h ? "unreachable" : "ok"));
    return h ? LT_HTTP_HEALTH_DOWN : LT_HTTP_HEALTH_OK;
}

static double held_partitions(void *arg)
{
    (void)arg;
    return atomic_load(&held);
}

/* The metrics registry and the HTTP server, when --http-port is given. */
static int start_http(struct cons *c, struct lt_metrics **reg, struct lt_http_server **srv,
                      char *err, size_t errlen)
{
    if (c->cfg.http_port < 0)
        return 0;
    struct lt_metrics *m = *reg = lt_metrics_new();
    c->m.admitted = lt_metrics_counter(m, "lienthong_consolidator_events_admitted_total",
                                       "Events stored in the event store (committed).");
    c->m.duplicates = lt_metrics_counter(m, "lienthong_consolidator_duplicates_total",
                                         "Records absorbed as repeats of a stored event.");
    c->m.refused = lt_metrics_counter(m, "lienthong_consolidator_refused_total",
                                      "Records refused into dead_letter.");
    c->m.forks = lt_metrics_counter(m, "lienthong_consolidator_forks_total",
                                    "Different events claiming a stored agency + sequence (alarm).");
    c->m.chain_breaks = lt_metrics_counter(m, "lienthong_consolidator_chain_breaks_total",
                                           "Events whose prev_hash does not link (alarm).");
    c->m.batches = lt_metrics_counter(m, "lienthong_consolidator_batches_total",
                                      "Batches committed.");
    c->m.failed_batches = lt_metrics_counter(m, "lienthong_consolidator_batches_failed_total",
                                             "Batches rolled back and read again.");
    c->m.rows = lt_metrics_counter(m, "lienthong_consolidator_rows_written_total",
                                   "Subject rows re-folded and written.");
    static const double bounds[] = { 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60 };
    c->m.latency = lt_metrics_histogram(m, "lienthong_consolidator_latency_seconds",
                                        "Recorded by the agency service to committed here.",
                                        bounds, sizeof bounds / sizeof bounds[0]);
    lt_metrics_gauge_fn(m, "lienthong_consolidator_partitions_held",
                        "Partitions assigned but held unread while the database does not answer.",
                        held_partitions, NULL);
    struct lt_http_config hc = { .bind_address = c->cfg.http_address,
                                 .port = (unsigned)c->cfg.http_port, .name = "consolidator.http" };
    if (lt_http_server_new(&hc, srv, err, errlen) != LT_OK ||
        lt_http_add_standard_routes(*srv, m, health, NULL) != LT_OK ||
        lt_http_server_start(*srv, err, errlen) != LT_OK)
        return -1;
    lt_info("consolidator", "/healthz and /metrics on %s port %u", c->cfg.http_address,
            lt_http_server_port(*srv));
    return 0;
}

static void report(const struct cons *c, const char *what)
{
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    getrusage(RUSAGE_SELF, &ru);
    lt_info("consolidator", "%s: admitted %" PRIu64 ", duplicates %" PRIu64 ", refused %" PRIu64
            ", forks %" PRIu64 ", chain breaks %" PRIu64 ", rows written %" PRIu64 ", refreshed %"
            PRIu64 ", batches %" PRIu64 " (%" PRIu64 " retried); ms in admission %" PRId64
            ", store %" PRId64 ", chain %" PRId64 ", rows %" PRId64 ", commit %" PRId64
            "; latency recorded→committed p50 %ld ms, p99 %ld ms; peak memory %ld MiB", what,
            c->n.admitted, c->n.duplicates, c->n.refused, c->n.forks, c->n.chain_breaks,
            c->n.projected, c->n.refreshed, c->n.batches, c->n.failed_batches, c->n.ms_admit,
            c->n.ms_store, c->n.ms_chain, c->n.ms_project, c->n.ms_commit,
            cons_latency_quantile(&c->n, 0.5), cons_latency_quantile(&c->n, 0.99),
            ru.ru_maxrss / 1024);
}

static int connect_db(struct cons *c, char *err, size_t errlen)
{
    if (!(c->db = lt_db_connect(c->cfg.pg_url, "lt-consolidator", "lienthong, pg_catalog", err,
                                errlen)))
        return -1;
    PGresult *r = PQexec(c->db, "SELECT max(version) FROM schema_migrations");
    int version = PQresultStatus(r) == PGRES_TUPLES_OK && !PQgetisnull(r, 0, 0)
                      ? atoi(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    if (version < 4) {
        snprintf(err, errlen, "the shared database is at schema version %d, this consolidator "
                 "needs 4 (run lt-migrate --migrations-dir deploy/sql/hub)", version);
        return -1;
    }
    return cons_prepare_session(c, err, errlen) == LT_OK ? 0 : -1;
}

static rd_kafka_t *make_consumer(struct cons *c, char *err, size_t errlen)
{
    /* Built here rather than with lt_kafka_consumer_new: the rebalance
     * callback, which seeks to the offsets stored in the database, must be
     * on the configuration before the consumer exists. */
    rd_kafka_conf_t *conf = lt_kafka_conf_new(c->cfg.kafka_bootstrap, "lt-consolidator", err, errlen);
    if (!conf)
        return NULL;
    char qkb[24];
    snprintf(qkb, sizeof qkb, "%lld", c->cfg.queue_max_kb);
    const char *base[] = { "group.id", c->cfg.group, "enable.auto.commit", "false",
                           "enable.auto.offset.store", "false", "auto.offset.reset", "earliest",
                           "topic.metadata.refresh.interval.ms", "5000",
                           "partition.assignment.strategy", "range",
                           "queued.max.messages.kbytes", qkb,
                           /* A fetch that finds nothing waits at most this
                            * long for new records: bounds latency at low rates. */
                           "fetch.wait.max.ms", "100", "fetch.error.backoff.ms", "100",
                           /* A crashed instance's partitions move on after 10 s
                            * (heartbeats come from librdkafka's own thread, so
                            * a long batch does not look like a crash). */
                           "session.timeout.ms", "10000", NULL };
    if (lt_kafka_conf_apply(conf, base, err, errlen) != LT_OK) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
    rd_kafka_conf_set_opaque(conf, c);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, errlen);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_poll_set_consumer(rk);
    return rk;
}

/* After a batch that did not commit: rewind to the stored offsets and pause
 * (the database may be restarting). */
static void rewind_after_failure(struct cons *c)
{
    lt_error("consolidator", "a batch was not committed; reading again from the stored offsets");
    pipe_drain(&pipe_);
    generation++;
    if (pending) {
        assign_from_db(c, pending);
    } else {
        rd_kafka_topic_partition_list_t *asg = NULL;
        if (rd_kafka_assignment(c->consumer, &asg) == 0) {
            assign_from_db(c, asg);
            rd_kafka_topic_partition_list_destroy(asg);
        }
    }
    struct timespec ts = { 1, 0 };
    nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
    static struct cons c; /* large: the latency histogram */
    struct lt_metrics *metrics = NULL;
    struct lt_http_server *http = NULL;
    memset(&c, 0, sizeof c);
    char err[1024];
    int status = 1;
    int rc = lt_config_load(&spec, &c.cfg, argc, argv, NULL, err, sizeof err);
    if (rc == 1)
        return 0;
    if (rc != LT_OK) {
        fprintf(stderr, "lt-consolidator: %s\n", err);
        return 2;
    }
    if (c.cfg.threads == 0)
        c.cfg.threads = lt_parallel_cpus();
    signal(SIGTERM, on_stop);
    signal(SIGINT, on_stop);
    signal(SIGHUP, on_hup);
    lt_fold_params_default(&c.params);
    int64_t reg_mtime = file_mtime_ns(c.cfg.registry);
    if (lt_sign_init() != LT_OK ||
        lt_registry_new(c.cfg.registry, &c.reg, err, sizeof err) != LT_OK ||
        lt_keyfile_read_secret32(c.cfg.subject_key_file, c.secret, err, sizeof err) != LT_OK ||
        (c.cfg.units && *c.cfg.units &&
         lt_units_new(c.cfg.units, &c.units, err, sizeof err) != LT_OK) ||
        connect_db(&c, err, sizeof err) != 0)
        goto fail;
    c.keys.registry = c.reg;
    c.keys.subject_secret = c.secret;
    c.params.units = c.units;
    c.copy = lt_copy_new();
    if (c.cfg.verify_rows) {
        status = cons_verify_rows(&c) == 0 ? 0 : 1;
        goto out;
    }
    if (c.cfg.verify_checkpoints) {
        uint8_t pk[LT_SIGN_PUBLICKEYBYTES];
        size_t pl = 0;
        if (sodium_base642bin(pk, sizeof pk, c.cfg.checkpoint_public_key,
                              strlen(c.cfg.checkpoint_public_key), NULL, &pl, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0 || pl != sizeof pk) {
            snprintf(err, sizeof err, "--verify-checkpoints needs --checkpoint-public-key: the "
                     "hub key's 32-byte public key in base64");
            goto fail;
        }
        status = lt_checkpoints_verify(c.db, pk, stdout) == 0 ? 0 : 1;
        goto out;
    }
    if (*c.cfg.checkpoint_key &&
        lt_keyfile_read(c.cfg.checkpoint_key, &c.ckey, err, sizeof err) != LT_OK)
        goto fail;
    if (start_http(&c, &metrics, &http, err, sizeof err) != 0)
        goto fail;
    if (!(c.consumer = make_consumer(&c, err, sizeof err)))
        goto fail;
    if ((*c.cfg.dead_letter_topic || (c.ckey.key_id[0] && *c.cfg.checkpoint_topic)) &&
        !(c.producer = lt_kafka_producer_new(c.cfg.kafka_bootstrap, "lt-consolidator-dlq", NULL, NULL,
                                        NULL, err, sizeof err)))
        goto fail;
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, c.cfg.topic_pattern, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t se = rd_kafka_subscribe(c.consumer, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (se) {
        snprintf(err, sizeof err, "subscribe to %s: %s", c.cfg.topic_pattern, rd_kafka_err2str(se));
        goto fail;
    }
    lt_info("consolidator", "consuming %s in group %s, batches of up to %lld on %lld thread(s)",
            c.cfg.topic_pattern, c.cfg.group, c.cfg.batch, c.cfg.threads);

    rd_kafka_message_t **bufs[2];
    struct lt_admission *adms[2];
    for (int k = 0; k < 2; k++) {
        bufs[k] = lt_calloc((size_t)c.cfg.batch, sizeof *bufs[k]);
        adms[k] = lt_calloc((size_t)c.cfg.batch, sizeof *adms[k]);
    }
    pipe_.c = &c;
    pthread_t store_tid;
    if (pthread_create(&store_tid, NULL, store_thread, &pipe_) != 0) {
        snprintf(err, sizeof err, "cannot start the store thread");
        goto fail;
    }
    int cur = 0;
    int64_t last_report = lt_mono_ms(), last_refresh = 0, last_gaps = 0, last_checkpoint = 0;
    int64_t last_retry = 0;
    while (run) {
        if (pending) {
            /* Waiting for the database: keep serving the group, retry each second. */
            rd_kafka_message_t *m = rd_kafka_consumer_poll(c.consumer, 100);
            if (m)
                rd_kafka_message_destroy(m); /* cannot be ours: nothing is assigned */
            if (pending && lt_mono_ms() - last_retry >= 1000) {
                last_retry = lt_mono_ms();
                assign_from_db(&c, pending);
            }
            continue;
        }
        rd_kafka_message_t **batch = bufs[cur];
        size_t n = 0;
        unsigned gen = generation;
        int64_t until = lt_mono_ms() + c.cfg.batch_wait_ms;
        while (run && n < (size_t)c.cfg.batch && lt_mono_ms() < until) {
            rd_kafka_message_t *m = rd_kafka_consumer_poll(c.consumer, n ? 5 : 20);
            if (gen != generation) {
                /* A rebalance: what was gathered is read again from the stored offsets. */
                for (size_t i = 0; i < n; i++)
                    rd_kafka_message_destroy(batch[i]);
                n = 0;
                gen = generation;
            }
            if (!m)
                continue;
            if (m->err) {
                if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                    lt_warn("consolidator", "consumer: %s", rd_kafka_message_errstr(m));
                rd_kafka_message_destroy(m);
                continue;
            }
            batch[n++] = m;
        }
        maybe_reload(&c, &reg_mtime);
        if (n) {
            cons_admit_batch(&c, batch, n, adms[cur]);
            if (pipe_hand(&pipe_, batch, adms[cur], n) == 0) {
                cur ^= 1;
            } else {
                for (size_t i = 0; i < n; i++) {
                    lt_admission_clear(&adms[cur][i]);
                    rd_kafka_message_destroy(batch[i]);
                }
                rewind_after_failure(&c);
            }
        }
        int64_t now = lt_mono_ms();
        int checkpoint_due = c.ckey.key_id[0] &&
                             now - last_checkpoint >= c.cfg.checkpoint_interval_s * 1000;
        int periodic = now - last_refresh >= c.cfg.refresh_interval_s * 1000 ||
                       now - last_gaps >= 5000 || now - last_report >= 10000 || checkpoint_due;
        if (periodic && pipe_drain(&pipe_)) {
            rewind_after_failure(&c);
            continue;
        }
        /* Rows of an earlier day: a chunk per loop once the interval is due,
         * until none is left. */
        if (now - last_refresh >= c.cfg.refresh_interval_s * 1000) {
            long k = cons_refresh(&c, lt_date_vn_from_unix_ms(lt_now_ms()));
            if (k < c.cfg.refresh_chunk)
                last_refresh = now;
        }
        if (checkpoint_due) {
            /* A chunk per loop until the tree has caught up with the store. */
            if (cons_checkpoint(&c) < c.cfg.checkpoint_max)
                last_checkpoint = now;
        }
        if (now - last_gaps >= 5000) {
            cons_report_gaps(&c);
            last_gaps = now;
        }
        if (now - last_report >= 10000) {
            report(&c, "progress");
            last_report = now;
        }
    }
    if (pipe_drain(&pipe_))
        lt_error("consolidator", "the last batch was not committed; it is read again at the next "
                 "start");
    pthread_mutex_lock(&pipe_.mu);
    pipe_.stop = 1;
    pthread_cond_broadcast(&pipe_.cv);
    pthread_mutex_unlock(&pipe_.mu);
    pthread_join(store_tid, NULL);
    for (int k = 0; k < 2; k++) {
        free(bufs[k]);
        free(adms[k]);
    }
    if (pending)
        rd_kafka_topic_partition_list_destroy(pending);
    pending = NULL;
    report(&c, "stopping");
    status = 0;
    goto out;
fail:
    fprintf(stderr, "lt-consolidator: %s\n", err);
    lt_error("consolidator", "%s", err);
out:
    lt_http_server_free(http);
    if (c.consumer) {
        rd_kafka_consumer_close(c.consumer);
        rd_kafka_destroy(c.consumer);
    }
    if (c.producer) {
        rd_kafka_flush(c.producer, 5000);
        rd_kafka_destroy(c.producer);
    }
    lt_copy_free(c.copy);
    lt_metrics_free(metrics);
    PQfinish(c.db);
    lt_registry_free(c.reg);
    lt_units_free(c.units);
    lt_key_wipe(&c.ckey);
    sodium_memzero(c.secret, sizeof c.secret);
    lt_config_free(&spec, &c.cfg);
    return status;
}
