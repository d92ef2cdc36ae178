/* lt-smoke — proves the local stack's parts are real and talk to each other.
 *
 * One run: make a fresh Ed25519 key; sign N small messages; publish them with
 * an idempotent producer (acks=all) to a Kafka topic with CloudEvents-style
 * headers; read them back through a new consumer group and verify every
 * signature and header; store them in PostgreSQL in one transaction; read
 * them back from the database and verify the signatures again. Any step that
 * does not hold is an error with a clear message and exit status 1.
 *
 * It is the first thing the README's main command runs and the integration
 * test of the foundation. */
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "crypto/sign.h"
#include "db/db.h"
#include "kafka/kafka.h"

#define SMOKE_CONTEXT "lienthong.smoke.v1\n"
#define MAX_MESSAGES 1000

struct smoke_config {
    char *kafka_bootstrap;
    char *pg_url;
    char *topic;
    long long messages;
    long long timeout_ms;
};

static const struct lt_opt smoke_opts[] = {
    { "kafka-bootstrap", LT_OPT_STRING, NULL, 0, 0, "LT_KAFKA_BOOTSTRAP",
      offsetof(struct smoke_config, kafka_bootstrap), 1,
      "Kafka bootstrap servers, host:port[,host:port…]" },
    { "pg-url", LT_OPT_STRING, NULL, 0, 0, "LT_PG_URL",
      offsetof(struct smoke_config, pg_url), 1,
      "PostgreSQL connection string or URI (password from PGPASSFILE)" },
    { "topic", LT_OPT_STRING, "lienthong.smoke", 0, 0, "LT_SMOKE_TOPIC",
      offsetof(struct smoke_config, topic), 0, "Kafka topic to round-trip through" },
    { "messages", LT_OPT_INT, "3", 1, MAX_MESSAGES, NULL,
      offsetof(struct smoke_config, messages), 0, "how many signed messages to send" },
    { "timeout-ms", LT_OPT_INT, "60000", 1000, 600000, NULL,
      offsetof(struct smoke_config, timeout_ms), 0,
      "give up on any one step after this many milliseconds" },
};

static const struct lt_config_spec smoke_spec = {
    "lt-smoke", "[options]",
    "Round-trips signed messages through the real Kafka broker and PostgreSQL and\n"
    "checks every byte and signature on the way. Exit status 0 only if all held.",
    smoke_opts, sizeof smoke_opts / sizeof smoke_opts[0],
};

struct sent {
    char id[64];
    char payload[256];
    uint8_t sig[LT_SIGN_BYTES];
    int delivered;           /* 1 ok, -1 failed, 0 pending */
    int32_t partition;
    int64_t offset;
    int consumed;
};

struct run {
    struct sent msgs[MAX_MESSAGES];
    int n;
};

static volatile sig_atomic_t run_flag = 1;
static void on_signal(int sig) { (void)sig; run_flag = 0; }

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    struct run *r = opaque;
    struct sent *s = m->_private; /* per-message opaque set at produce time */
    if (m->err) {
        s->delivered = -1;
        lt_error("smoke", "delivery of %s failed: %s", s->id, rd_kafka_err2str(m->err));
    } else {
        s->delivered = 1;
        s->partition = m->partition;
        s->offset = m->offset;
    }
    (void)r;
}

static int produce_all(const struct smoke_config *cfg, struct run *r,
                       const uint8_t sk[LT_SIGN_SECRETKEYBYTES], const char *run_id,
                       char *err, size_t errlen)
{
    rd_kafka_t *p = lt_kafka_producer_new(cfg->kafka_bootstrap, "lt-smoke", NULL, dr_cb, r,
                                          err, errlen);
    if (!p)
        return LT_ERR_KAFKA;
    /* Replication -1: the cluster's default (1 on one node, 3 on the cluster). */
    int rc = lt_kafka_create_topic(p, cfg->topic, 3, -1, NULL, (int)cfg->timeout_ms, err, errlen);
    if (rc != LT_OK)
        goto out;
    printf("  topic %s ready\n", cfg->topic);

    for (int i = 0; i < r->n; i++) {
        struct sent *s = &r->msgs[i];
        snprintf(s->id, sizeof s->id, "%s-%d", run_id, i + 1);
        snprintf(s->payload, sizeof s->payload, "lienthong smoke run=%s n=%d at_ms=%" PRId64,
                 run_id, i + 1, lt_now_ms());
        lt_sign_detached(s->sig, SMOKE_CONTEXT, (const uint8_t *)s->payload,
                         strlen(s->payload), sk);
        rd_kafka_resp_err_t e = rd_kafka_producev(
            p, RD_KAFKA_V_TOPIC(cfg->topic),
            RD_KAFKA_V_KEY(run_id, strlen(run_id)),
            RD_KAFKA_V_VALUE(s->payload, strlen(s->payload)),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_HEADER("ce_specversion", "1.0", -1),
            RD_KAFKA_V_HEADER("ce_id", s->id, -1),
            RD_KAFKA_V_HEADER("ce_type", "lienthong.smoke", -1),
            RD_KAFKA_V_HEADER("ce_source", "lt-smoke", -1),
            RD_KAFKA_V_HEADER("lt_signature", s->sig, LT_SIGN_BYTES),
            RD_KAFKA_V_OPAQUE(s), RD_KAFKA_V_END);
        if (e) {
            rc = lt_err_set(err, errlen, LT_ERR_KAFKA, "produce %s: %s", s->id, rd_kafka_err2str(e));
            goto out;
        }
    }
    rd_kafka_resp_err_t fe = rd_kafka_flush(p, (int)cfg->timeout_ms);
    if (fe) {
        rc = lt_err_set(err, errlen, LT_ERR_TIMEOUT, "flush: %s (broker unreachable?)",
                        rd_kafka_err2str(fe));
        goto out;
    }
    for (int i = 0; i < r->n; i++)
        if (r->msgs[i].delivered != 1) {
            rc = lt_err_set(err, errlen, LT_ERR_KAFKA, "message %s was not acknowledged",
                            r->msgs[i].id);
            goto out;
        }
    printf("  produced %d signed messages, each acknowledged by the broker (acks=all, idempotent)\n",
           r->n);
out:
    rd_kafka_destroy(p);
    return rc;
}

/* Checks one consumed record against what was sent; returns the index or -1. */
static int match_record(struct run *r, const rd_kafka_message_t *m,
                        const uint8_t pk[LT_SIGN_PUBLICKEYBYTES], char *err, size_t errlen)
{
    char id[64], type[64];
    if (lt_kafka_header(m, "ce_id", id, sizeof id) != LT_OK)
        return -1; /* another run's or another tool's record: not ours */
    for (int i = 0; i < r->n; i++) {
        struct sent *s = &r->msgs[i];
        if (strcmp(s->id, id) != 0)
            continue;
        const void *sig;
        size_t siglen;
        rd_kafka_headers_t *h;
        if (lt_kafka_header(m, "ce_type", type, sizeof type) != LT_OK ||
            strcmp(type, "lienthong.smoke") != 0 ||
            rd_kafka_message_headers(m, &h) ||
            rd_kafka_header_get_last(h, "lt_signature", &sig, &siglen) || siglen != LT_SIGN_BYTES) {
            lt_err_set(err, errlen, LT_ERR_INVALID, "record %s: headers missing or wrong", id);
            return -2;
        }
        if (lt_sign_verify(sig, SMOKE_CONTEXT, m->payload, m->len, pk) != LT_OK ||
            m->len != strlen(s->payload) || memcmp(m->payload, s->payload, m->len) != 0) {
            lt_err_set(err, errlen, LT_ERR_CRYPTO, "record %s: signature or bytes do not match", id);
            return -2;
        }
        if (m->partition != s->partition || m->offset != s->offset) {
            lt_err_set(err, errlen, LT_ERR_INVALID, "record %s: read at %d/%" PRId64
                       " but delivered at %d/%" PRId64, id, m->partition, m->offset,
                       s->partition, s->offset);
            return -2;
        }
        return i;
    }
    return -1;
}

static int consume_all(const struct smoke_config *cfg, struct run *r,
                       const uint8_t pk[LT_SIGN_PUBLICKEYBYTES], const char *run_id,
                       char *err, size_t errlen)
{
    char group[96];
    snprintf(group, sizeof group, "lt-smoke-%s", run_id);
    rd_kafka_t *c = lt_kafka_consumer_new(cfg->kafka_bootstrap, group, "lt-smoke", NULL,
                                          err, errlen);
    if (!c)
        return LT_ERR_KAFKA;
    int rc = LT_OK, got = 0;
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, cfg->topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(c, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (e) {
        rc = lt_err_set(err, errlen, LT_ERR_KAFKA, "subscribe: %s", rd_kafka_err2str(e));
        goto out;
    }
    int64_t deadline = lt_mono_ms() + cfg->timeout_ms;
    while (run_flag && got < r->n && lt_mono_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 200);
        if (!m)
            continue;
        if (m->err) {
            lt_warn("smoke", "consumer: %s", rd_kafka_message_errstr(m));
        } else {
            int i = match_record(r, m, pk, err, errlen);
            if (i == -2) {
                rc = LT_ERR_CRYPTO;
                rd_kafka_message_destroy(m);
                goto out;
            }
            if (i >= 0 && !r->msgs[i].consumed) {
                r->msgs[i].consumed = 1;
                got++;
            }
        }
        rd_kafka_message_destroy(m);
    }
    if (got < r->n) {
        rc = lt_err_set(err, errlen, LT_ERR_TIMEOUT,
                        "consumer group %s read %d of %d messages before the deadline",
                        group, got, r->n);
        goto out;
    }
    printf("  consumer group %s read all %d back; headers and signatures verified\n", group, got);
out:
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
    return rc;
}

static int db_roundtrip(const struct smoke_config *cfg, const struct run *r,
                        const uint8_t pk[LT_SIGN_PUBLICKEYBYTES], const char *run_id,
                        char *err, size_t errlen)
{
    PGconn *db = lt_db_connect(cfg->pg_url, "lt-smoke", "public", err, errlen);
    if (!db)
        return LT_ERR_DB;
    int rc;
    PGresult *res = NULL;
    if ((rc = lt_db_exec(db,
            "CREATE TABLE IF NOT EXISTS smoke_roundtrip ("
            " run_id text NOT NULL, n integer NOT NULL, payload bytea NOT NULL,"
            " signature bytea NOT NULL, kafka_partition integer NOT NULL,"
            " kafka_offset bigint NOT NULL, stored_at timestamptz NOT NULL DEFAULT now(),"
            " PRIMARY KEY (run_id, n))", err, errlen)) ||
        (rc = lt_db_exec(db, "BEGIN", err, errlen)))
        goto out;
    for (int i = 0; i < r->n; i++) {
        const struct sent *s = &r->msgs[i];
        char n[16], part[16], off[32];
        snprintf(n, sizeof n, "%d", i + 1);
        snprintf(part, sizeof part, "%d", s->partition);
        snprintf(off, sizeof off, "%" PRId64, s->offset);
        const char *vals[] = { run_id, n, s->payload, (const char *)s->sig, part, off };
        int lens[] = { 0, 0, (int)strlen(s->payload), LT_SIGN_BYTES, 0, 0 };
        int fmts[] = { 0, 0, 1, 1, 0, 0 };
        res = PQexecParams(db, "INSERT INTO smoke_roundtrip (run_id, n, payload, signature,"
                           " kafka_partition, kafka_offset) VALUES ($1, $2, $3, $4, $5, $6)",
                           6, NULL, vals, lens, fmts, 0);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            rc = lt_err_set(err, errlen, LT_ERR_DB, "insert: %s", PQresultErrorMessage(res));
            goto out;
        }
        PQclear(res);
        res = NULL;
    }
    if ((rc = lt_db_exec(db, "COMMIT", err, errlen)))
        goto out;

    const char *p[] = { run_id };
    res = PQexecParams(db, "SELECT payload, signature FROM smoke_roundtrip WHERE run_id = $1"
                       " ORDER BY n", 1, NULL, p, NULL, NULL, 1 /* binary results */);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != r->n) {
        rc = lt_err_set(err, errlen, LT_ERR_DB, "read back: expected %d rows: %s", r->n,
                        PQresultErrorMessage(res));
        goto out;
    }
    for (int i = 0; i < r->n; i++) {
        if (PQgetlength(res, i, 1) != LT_SIGN_BYTES ||
            lt_sign_verify((const uint8_t *)PQgetvalue(res, i, 1), SMOKE_CONTEXT,
                           (const uint8_t *)PQgetvalue(res, i, 0),
                           (size_t)PQgetlength(res, i, 0), pk) != LT_OK) {
            rc = lt_err_set(err, errlen, LT_ERR_CRYPTO, "row %d read back from PostgreSQL does "
                            "not verify", i + 1);
            goto out;
        }
    }
    printf("  stored %d rows in PostgreSQL %d.%d in one transaction, read back, signatures verified\n",
           r->n, PQserverVersion(db) / 10000, PQserverVersion(db) % 10000);
out:
    PQclear(res);
    PQfinish(db);
    return rc;
}

int main(int argc, char **argv)
{
    struct smoke_config cfg = { 0 };
    char err[1024] = "";
    int rc = lt_config_load(&smoke_spec, &cfg, argc, argv, NULL, err, sizeof err);
    if (rc == 1)
        return 0;
    if (rc != LT_OK) {
        fprintf(stderr, "lt-smoke: %s\n", err);
        lt_config_free(&smoke_spec, &cfg);
        return 2;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    setvbuf(stdout, NULL, _IOLBF, 0);

    static struct run r;
    r.n = (int)cfg.messages;
    uint8_t pk[LT_SIGN_PUBLICKEYBYTES], sk[LT_SIGN_SECRETKEYBYTES], rnd[8];
    char run_id[2 * sizeof rnd + 1];
    if (lt_sign_init() != LT_OK) {
        fprintf(stderr, "lt-smoke: libsodium failed to initialise\n");
        return 1;
    }
    lt_sign_keypair(pk, sk);
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(run_id, sizeof run_id, rnd, sizeof rnd);

    printf("lt-smoke run %s: Kafka %s, PostgreSQL %s\n", run_id, cfg.kafka_bootstrap,
           cfg.pg_url);
    int64_t t0 = lt_mono_ms();
    if ((rc = produce_all(&cfg, &r, sk, run_id, err, sizeof err)) == LT_OK &&
        (rc = consume_all(&cfg, &r, pk, run_id, err, sizeof err)) == LT_OK)
        rc = db_roundtrip(&cfg, &r, pk, run_id, err, sizeof err);
    sodium_memzero(sk, sizeof sk);
    if (rc != LT_OK) {
        fprintf(stderr, "lt-smoke: FAILED (%s): %s\n", lt_err_name(rc), err);
        lt_config_free(&smoke_spec, &cfg);
        return 1;
    }
    printf("lt-smoke: OK in %" PRId64 " ms; event ids %s-1..%s-%d on topic %s\n",
           lt_mono_ms() - t0, run_id, run_id, r.n, cfg.topic);
    lt_config_free(&smoke_spec, &cfg);
    return 0;
}
