/* kafka.c — producer and consumer construction shared by every program. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "kafka/kafka.h"

/* librdkafka log levels are syslog levels: 0 emerg … 7 debug. */
static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    enum lt_log_level l = level <= 3 ? LT_LOG_ERROR : level == 4 ? LT_LOG_WARN
                        : level <= 6 ? LT_LOG_INFO : LT_LOG_DEBUG;
    lt_log(l, "rdkafka", "%s %s: %s", rk ? rd_kafka_name(rk) : "-", fac, buf);
}

int lt_kafka_conf_apply(rd_kafka_conf_t *conf, const char *const *kv, char *err, size_t errlen)
{
    char e[512];
    for (size_t i = 0; kv && kv[i]; i += 2) {
        if (!kv[i + 1])
            return lt_err_set(err, errlen, LT_ERR_CONFIG, "kafka setting %s has no value", kv[i]);
        if (rd_kafka_conf_set(conf, kv[i], kv[i + 1], e, sizeof e) != RD_KAFKA_CONF_OK)
            return lt_err_set(err, errlen, LT_ERR_CONFIG, "kafka setting %s: %s", kv[i], e);
    }
    return LT_OK;
}

int lt_kafka_config_read(const char *path, char ***out, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return lt_err_set(err, errlen, LT_ERR_CONFIG, "cannot read %s: %s", path, strerror(errno));
    if (st.st_mode & 077)
        return lt_err_set(err, errlen, LT_ERR_CONFIG, "%s has mode %03o: it may hold credentials, "
                          "so only its owner may read it (chmod 600)", path,
                          (unsigned)(st.st_mode & 0777));
    FILE *f = fopen(path, "r");
    if (!f)
        return lt_err_set(err, errlen, LT_ERR_CONFIG, "cannot read %s: %s", path, strerror(errno));
    size_t n = 0, cap = 16;
    char **kv = lt_calloc(cap, sizeof *kv), line[2048];
    int lineno = 0, rc = LT_OK;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *l = line + strspn(line, " \t");
        l[strcspn(l, "\r\n")] = '\0';
        if (!*l || *l == '#')
            continue;
        char *eq = strchr(l, '=');
        if (!eq || eq == l) {
            rc = lt_err_set(err, errlen, LT_ERR_CONFIG, "%s line %d: expected key=value", path, lineno);
            break;
        }
        *eq = '\0';
        if (n + 3 > cap)
            kv = lt_realloc(kv, (cap *= 2) * sizeof *kv);
        kv[n++] = lt_strdup(l);
        kv[n++] = lt_strdup(eq + 1);
        kv[n] = NULL;
    }
    fclose(f);
    sodium_memzero(line, sizeof line);
    *out = kv;
    return rc;
}

void lt_kafka_config_free(char **kv)
{
    for (size_t i = 0; kv && kv[i]; i++) {
        sodium_memzero(kv[i], strlen(kv[i]));
        free(kv[i]);
    }
    free(kv);
}

rd_kafka_conf_t *lt_kafka_conf_new(const char *bootstrap, const char *client_id, char *err,
                                   size_t errlen)
{
    if (!bootstrap || !*bootstrap) {
        lt_err_set(err, errlen, LT_ERR_CONFIG, "no Kafka bootstrap servers given");
        return NULL;
    }
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const char *kv[] = { "bootstrap.servers", bootstrap,
                         "client.id", client_id ? client_id : "lienthong",
                         "log.connection.close", "false", NULL };
    if (lt_kafka_conf_apply(conf, kv, err, errlen) != LT_OK) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_conf_set_log_cb(conf, log_cb);
    /* LT_KAFKA_CONFIG: settings every client of this process shares (e.g. SASL
     * credentials), from a file only its owner may read. */
    const char *file = getenv("LT_KAFKA_CONFIG");
    if (file && *file) {
        char **shared = NULL;
        int rc = lt_kafka_config_read(file, &shared, err, errlen);
        if (rc == LT_OK)
            rc = lt_kafka_conf_apply(conf, (const char *const *)shared, err, errlen);
        lt_kafka_config_free(shared);
        if (rc != LT_OK) {
            rd_kafka_conf_destroy(conf);
            return NULL;
        }
    }
    /* LT_KAFKA_DEBUG=fetch,cgrp,… turns on librdkafka's debug contexts (into
     * the log at debug level: run with LT_LOG_LEVEL=debug). */
    const char *dbg = getenv("LT_KAFKA_DEBUG");
    char e[256];
    if (dbg && *dbg && rd_kafka_conf_set(conf, "debug", dbg, e, sizeof e) != RD_KAFKA_CONF_OK) {
        lt_err_set(err, errlen, LT_ERR_CONFIG, "LT_KAFKA_DEBUG: %s", e);
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    return conf;
}

rd_kafka_t *lt_kafka_producer_new(const char *bootstrap, const char *client_id,
                                  const char *const *extra,
                                  void (*dr_cb)(rd_kafka_t *, const rd_kafka_message_t *, void *),
                                  void *opaque, char *err, size_t errlen)
{
    rd_kafka_conf_t *conf = lt_kafka_conf_new(bootstrap, client_id, err, errlen);
    if (!conf)
        return NULL;
    /* Idempotence implies acks=all and bounded in-flight requests; stated
     * explicitly so a reader of the config sees the guarantee. Extra settings
     * come last and may tune, but a test checks idempotence stays on. */
    /* murmur2_random is the Java client's partitioner: every publisher, in any
     * language, then puts one subject's records (same keyed-hash key) in the
     * same partition number of every agency topic (DESIGN.md co-partitioning). */
    const char *kv[] = { "enable.idempotence", "true", "acks", "all",
                         "partitioner", "murmur2_random", NULL };
    if (lt_kafka_conf_apply(conf, kv, err, errlen) != LT_OK ||
        lt_kafka_conf_apply(conf, extra, err, errlen) != LT_OK) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    if (dr_cb)
        rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    if (opaque)
        rd_kafka_conf_set_opaque(conf, opaque);
    char e[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, e, sizeof e); /* takes conf */
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        lt_err_set(err, errlen, LT_ERR_KAFKA, "cannot create Kafka producer: %s", e);
    }
    return rk;
}

rd_kafka_t *lt_kafka_consumer_new(const char *bootstrap, const char *group_id,
                                  const char *client_id, const char *const *extra,
                                  char *err, size_t errlen)
{
    if (!group_id || !*group_id) {
        lt_err_set(err, errlen, LT_ERR_CONFIG, "no consumer group id given");
        return NULL;
    }
    rd_kafka_conf_t *conf = lt_kafka_conf_new(bootstrap, client_id, err, errlen);
    if (!conf)
        return NULL;
    const char *kv[] = { "group.id", group_id,
                         "enable.auto.commit", "false",
                         "enable.auto.offset.store", "false",
                         "auto.offset.reset", "earliest",
                         "enable.partition.eof", "false", NULL };
    if (lt_kafka_conf_apply(conf, kv, err, errlen) != LT_OK ||
        lt_kafka_conf_apply(conf, extra, err, errlen) != LT_OK) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    char e[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, e, sizeof e); /* takes conf */
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        lt_err_set(err, errlen, LT_ERR_KAFKA, "cannot create Kafka consumer: %s", e);
        return NULL;
    }
    rd_kafka_poll_set_consumer(rk);
    return rk;
}

int lt_kafka_header(const rd_kafka_message_t *msg, const char *name, char *buf, size_t bufsize)
{
    rd_kafka_headers_t *hdrs = NULL;
    const void *val;
    size_t size;
    if (rd_kafka_message_headers(msg, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        rd_kafka_header_get_last(hdrs, name, &val, &size) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return LT_ERR_NOTFOUND;
    if (bufsize == 0)
        return LT_ERR_INVALID;
    size_t n = size < bufsize - 1 ? size : bufsize - 1;
    if (n)
        memcpy(buf, val, n);
    buf[n] = '\0';
    return LT_OK;
}

int lt_kafka_create_topic(rd_kafka_t *rk, const char *name, int partitions, int replication,
                          const char *const *configs, int timeout_ms, char *err, size_t errlen)
{
    char e[512];
    int rc = LT_OK;
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(name, partitions, replication, e, sizeof e);
    if (!nt)
        return lt_err_set(err, errlen, LT_ERR_INVALID, "topic %s: %s", name, e);
    for (size_t i = 0; configs && configs[i] && configs[i + 1]; i += 2)
        rd_kafka_NewTopic_set_config(nt, configs[i], configs[i + 1]);

    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(opts, timeout_ms, e, sizeof e);
    rd_kafka_AdminOptions_set_request_timeout(opts, timeout_ms, e, sizeof e);
    rd_kafka_CreateTopics(rk, &nt, 1, opts, q);

    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, timeout_ms + 2000);
    if (!ev) {
        rc = lt_err_set(err, errlen, LT_ERR_TIMEOUT, "creating topic %s: no answer in %d ms",
                        name, timeout_ms);
        goto out;
    }
    if (rd_kafka_event_error(ev)) {
        rc = lt_err_set(err, errlen, LT_ERR_KAFKA, "creating topic %s: %s", name,
                        rd_kafka_event_error_string(ev));
        goto out;
    }
    const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
    size_t n;
    const rd_kafka_topic_result_t **tr = rd_kafka_CreateTopics_result_topics(res, &n);
    for (size_t i = 0; i < n; i++) {
        rd_kafka_resp_err_t te = rd_kafka_topic_result_error(tr[i]);
        if (te && te != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
            const char *m = rd_kafka_topic_result_error_string(tr[i]);
            rc = lt_err_set(err, errlen, LT_ERR_KAFKA, "creating topic %s: %s", name,
                            m ? m : rd_kafka_err2str(te));
        }
    }
out:
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
    return rc;
}
