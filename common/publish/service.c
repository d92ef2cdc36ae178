/* service.c — lt_agency_main: one agency service, from configuration to a
 * clean shutdown. Every agency program is this plus its profile (agency.h).
 *
 * Start-up refuses to run with anything unsafe: a key file others can read, a
 * key of another agency, a key or agency the registry (when given) does not
 * know or no longer accepts. Inputs start last and stop first, so nothing is
 * accepted that the publisher cannot journal. SIGTERM or SIGINT: stop the
 * inputs, publish what is journaled for up to --shutdown-timeout-ms, close the
 * journal (what is left stays for the next start), exit 0. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sys/stat.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/signals.h"
#include "crypto/keyfile.h"
#include "event/record.h"
#include "http/metrics.h"
#include "http/server.h"
#include "kafka/kafka.h"
#include "publish/agency.h"
#include "publish/dropdir.h"
#include "publish/http_input.h"
#include "publish/outbox.h"
#include "publish/publisher.h"
#include "registry/registry.h"

struct agency_config {
    char *agency_code, *key_file, *subject_key_file, *registry, *kafka_bootstrap, *kafka_config, *topic;
    char *journal_dir, *http_address, *http_port_file, *drop_dir, *outbox_pg_url, *outbox_table;
    long long topic_partitions, journal_max_mb, http_port, drop_poll_ms, outbox_poll_ms;
    long long shutdown_timeout_ms;
};

#define O(f) offsetof(struct agency_config, f)
static const struct lt_opt agency_opts[] = {
    { "agency-code", LT_OPT_STRING, NULL, 0, 0, "LT_AGENCY_CODE", O(agency_code), 1,
      "this agency's code in the registry (e.g. bdinh.police)" },
    { "key-file", LT_OPT_STRING, NULL, 0, 0, "LT_SIGNING_KEY_FILE", O(key_file), 1,
      "the agency's secret signing key (from 'lienthong keygen'; mode 0600)" },
    { "subject-key-file", LT_OPT_STRING, NULL, 0, 0, "LT_SUBJECT_KEY_FILE", O(subject_key_file), 1,
      "the province's 32-byte subject-key secret (hex or base64; mode 0600), which keys records" },
    { "registry", LT_OPT_STRING, NULL, 0, 0, "LT_REGISTRY", O(registry), 0,
      "the agency registry file: when given, the agency, its allowed types and the key are "
      "checked against it at start" },
    { "kafka-bootstrap", LT_OPT_STRING, NULL, 0, 0, "LT_KAFKA_BOOTSTRAP", O(kafka_bootstrap), 1,
      "Kafka bootstrap servers, host:port[,host:port…]" },
    { "kafka-config", LT_OPT_STRING, NULL, 0, 0, "LT_KAFKA_CONFIG", O(kafka_config), 0,
      "librdkafka settings for this agency's own credentials (key=value lines, e.g. "
      "security.protocol, sasl.username, sasl.password); mode 0600" },
    { "topic", LT_OPT_STRING, "", 0, 0, "LT_AGENCY_TOPIC", O(topic), 0,
      "the agency's topic (default lienthong.agency.<agency-code>)" },
    { "topic-partitions", LT_OPT_INT, "6", 1, 1000, NULL, O(topic_partitions), 0,
      "partitions when the topic has to be created (all agency topics alike)" },
    { "journal-dir", LT_OPT_STRING, NULL, 0, 0, "LT_JOURNAL_DIR", O(journal_dir), 1,
      "the durable local journal (the agency's chain state: back it up)" },
    { "journal-max-mb", LT_OPT_INT, "1024", 1, 1048576, "LT_JOURNAL_MAX_MB", O(journal_max_mb), 0,
      "unpublished events kept while Kafka is away before input is refused (MiB)" },
    { "http-address", LT_OPT_STRING, "127.0.0.1", 0, 0, "LT_HTTP_ADDRESS", O(http_address), 0,
      "address of the HTTP input, /healthz and /metrics" },
    { "http-port", LT_OPT_INT, "0", 0, 65535, "LT_HTTP_PORT", O(http_port), 0,
      "port of the HTTP input (0: any free port, logged and written to --http-port-file)" },
    { "http-port-file", LT_OPT_STRING, NULL, 0, 0, NULL, O(http_port_file), 0,
      "write the HTTP port to this file once listening" },
    { "drop-dir", LT_OPT_STRING, NULL, 0, 0, "LT_DROP_DIR", O(drop_dir), 0,
      "enable the drop folder input here (inbox/, done/, failed/)" },
    { "drop-poll-ms", LT_OPT_INT, "1000", 50, 600000, NULL, O(drop_poll_ms), 0,
      "how often the drop folder is scanned" },
    { "outbox-pg-url", LT_OPT_STRING, NULL, 0, 0, "LT_OUTBOX_PG_URL", O(outbox_pg_url), 0,
      "enable the outbox input: the agency's own PostgreSQL (password from PGPASSFILE)" },
    { "outbox-table", LT_OPT_STRING, "lienthong_outbox", 0, 0, NULL, O(outbox_table), 0,
      "the outbox table (deploy/sql/agency-outbox.sql)" },
    { "outbox-poll-ms", LT_OPT_INT, "2000", 50, 600000, NULL, O(outbox_poll_ms), 0,
      "how often the outbox is read when no notification arrives" },
    { "shutdown-timeout-ms", LT_OPT_INT, "10000", 0, 600000, NULL, O(shutdown_timeout_ms), 0,
      "on SIGTERM, how long to keep publishing journaled events before exiting" },
};
#undef O

struct health_ctx {
    struct lt_publisher *pub;
};

static enum lt_http_health health(json_t *details, void *arg)
{
    struct health_ctx *h = arg;
    struct lt_publisher_health ph;
    lt_publisher_health(h->pub, &ph);
    json_object_set_new(details, "kafka", json_string(ph.kafka_up ? "up" : "unreachable"));
    json_object_set_new(details, "last_sequence", json_integer((json_int_t)ph.last_sequence));
    json_object_set_new(details, "pending_events", json_integer((json_int_t)ph.pending));
    json_object_set_new(details, "pending_bytes", json_integer((json_int_t)ph.pending_bytes));
    json_object_set_new(details, "journal_max_bytes", json_integer((json_int_t)ph.journal_max_bytes));
    if (ph.journal_max_bytes && ph.pending_bytes >= ph.journal_max_bytes)
        return LT_HTTP_HEALTH_DOWN; /* refusing input */
    if (!ph.kafka_up || (ph.journal_max_bytes && ph.pending_bytes * 5 >= ph.journal_max_bytes * 4))
        return LT_HTTP_HEALTH_DEGRADED; /* accepting, but Kafka is away or the journal fills */
    return LT_HTTP_HEALTH_OK;
}

/* The types this service may publish: its kind's, narrowed by the registry. */
static int allowed_types(const struct lt_agency_profile *prof, const struct lt_registry *reg,
                         const char *agency, const char ***out, size_t *n, char *err,
                         size_t errlen)
{
    size_t k = 0;
    for (; prof->event_types[k]; k++)
        ;
    const char **types = lt_calloc(k + 1, sizeof *types);
    *n = 0;
    for (size_t i = 0; i < k; i++)
        if (!reg || lt_registry_may_emit(reg, agency, prof->event_types[i]))
            types[(*n)++] = prof->event_types[i];
    *out = types;
    if (*n == 0)
        return lt_err_set(err, errlen, LT_ERR_CONFIG,
                          "the registry allows agency %s none of the event types a %s service "
                          "publishes", agency, prof->kind);
    return LT_OK;
}

static int check_registry(const struct lt_registry *reg, const struct lt_key *key,
                          const char *agency, char *err, size_t errlen)
{
    uint8_t pk[LT_SIGN_PUBLICKEYBYTES];
    char why[512];
    enum lt_registry_verdict v = lt_registry_key_check(reg, key->key_id, agency, lt_now_ms(), pk,
                                                       why, sizeof why);
    if (v != LT_REGISTRY_OK)
        return lt_err_set(err, errlen, LT_ERR_CONFIG, "registry refuses key %s: %s (%s)",
                          key->key_id, lt_registry_verdict_name(v), why);
    if (memcmp(pk, key->pk, sizeof pk) != 0)
        return lt_err_set(err, errlen, LT_ERR_CONFIG, "the registry's public key for %s is not "
                          "this key file's: wrong key file?", key->key_id);
    return LT_OK;
}

int lt_agency_main(int argc, char **argv, const struct lt_agency_profile *prof)
{
    char summary[1024];
    snprintf(summary, sizeof summary,
             "%s.\nSigns this agency's events and publishes them to its Kafka topic. Inputs:\n"
             "POST /v1/events (protobuf JSON), a drop folder of JSON-lines and CSV exports\n"
             "(--drop-dir; layouts in services/agency-*/README.md) and a transactional outbox\n"
             "table (--outbox-pg-url). An event is acknowledged once it is signed and durable in\n"
             "the local journal; it is then published with an idempotent producer.\n"
             "GET /healthz and /metrics on the same HTTP address.", prof->title);
    const struct lt_config_spec spec = { prof->program, "[options]", summary, agency_opts,
                                         sizeof agency_opts / sizeof agency_opts[0] };
    struct agency_config cfg = { 0 };
    char err[1024] = "";
    int status = 1;
    struct lt_key key;
    int have_key = 0;
    uint8_t secret[32];
    struct lt_registry *reg = NULL;
    const char **types = NULL;
    size_t n_types = 0;
    struct lt_metrics *metrics = NULL;
    struct lt_publisher *pub = NULL;
    struct lt_http_server *http = NULL;
    struct lt_dropdir *drop = NULL;
    struct lt_outbox *outbox = NULL;
    char **kafka_kv = NULL;
    char topic[300] = "";

    int rc = lt_config_load(&spec, &cfg, argc, argv, NULL, err, sizeof err);
    if (rc == 1) {
        status = 0;
        goto out;
    }
    if (rc != LT_OK) {
        fprintf(stderr, "%s: %s\n", prof->program, err);
        status = 2;
        goto out;
    }
    /* Only sigwait below sees the stop signals; set before any thread starts. */
    sigset_t stop;
    lt_signals_block_stop(&stop);

    if (lt_sign_init() != LT_OK) {
        snprintf(err, sizeof err, "libsodium failed to initialise");
        goto fail;
    }
    if (lt_keyfile_read(cfg.key_file, &key, err, sizeof err) != LT_OK)
        goto fail;
    have_key = 1;
    if (strcmp(key.agency_code, cfg.agency_code) != 0) {
        snprintf(err, sizeof err, "key file %s belongs to agency %s, not %s", cfg.key_file,
                 key.agency_code, cfg.agency_code);
        goto fail;
    }
    if (lt_keyfile_read_secret32(cfg.subject_key_file, secret, err, sizeof err) != LT_OK)
        goto fail;
    if (cfg.registry) {
        if (lt_registry_new(cfg.registry, &reg, err, sizeof err) != LT_OK ||
            check_registry(reg, &key, cfg.agency_code, err, sizeof err) != LT_OK)
            goto fail;
        const struct lt_registry_agency *a = lt_registry_agency(reg, cfg.agency_code);
        if (!*cfg.topic && a && a->topic && *a->topic)
            snprintf(topic, sizeof topic, "%s", a->topic);
    }
    if (*cfg.topic)
        snprintf(topic, sizeof topic, "%s", cfg.topic);
    else if (!cfg.registry || !*topic) {
        if (lt_record_topic(cfg.agency_code, topic, sizeof topic) != LT_OK) {
            snprintf(err, sizeof err, "agency code too long for a topic name");
            goto fail;
        }
    }
    if (allowed_types(prof, reg, cfg.agency_code, &types, &n_types, err, sizeof err) != LT_OK)
        goto fail;
    if (cfg.kafka_config && lt_kafka_config_read(cfg.kafka_config, &kafka_kv, err, sizeof err) != LT_OK)
        goto fail;

    metrics = lt_metrics_new();
    struct lt_publisher_config pc = {
        .agency_code = cfg.agency_code, .key = &key, .subject_secret = secret,
        .allowed_types = types, .n_allowed = n_types, .journal_dir = cfg.journal_dir,
        .journal_max_bytes = (uint64_t)cfg.journal_max_mb << 20,
        .kafka_bootstrap = cfg.kafka_bootstrap, .kafka_extra = (const char *const *)kafka_kv, .topic = topic,
        .topic_partitions = (int)cfg.topic_partitions, .metrics = metrics,
    };
    if (lt_publisher_new(&pc, &pub, err, sizeof err) != LT_OK)
        goto fail;

    struct lt_http_config hc = { .bind_address = cfg.http_address, .port = (unsigned)cfg.http_port,
                                 .name = "http" };
    static struct health_ctx hctx;
    hctx.pub = pub;
    if (lt_http_server_new(&hc, &http, err, sizeof err) != LT_OK ||
        lt_http_input_mount(http, pub) != LT_OK ||
        lt_http_add_standard_routes(http, metrics, health, &hctx) != LT_OK ||
        lt_http_server_start(http, err, sizeof err) != LT_OK) {
        if (!*err)
            snprintf(err, sizeof err, "cannot set up the HTTP server");
        goto fail;
    }
    unsigned port = lt_http_server_port(http);
    if (cfg.http_port_file) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", cfg.http_port_file);
        FILE *f = fopen(tmp, "w");
        if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0 || rename(tmp, cfg.http_port_file)) {
            snprintf(err, sizeof err, "cannot write %s: %s", cfg.http_port_file, strerror(errno));
            goto fail;
        }
    }
    if (cfg.drop_dir && lt_dropdir_start(pub, cfg.drop_dir, prof->csv_layouts, (int)cfg.drop_poll_ms,
                                         &drop, err, sizeof err) != LT_OK)
        goto fail;
    if (cfg.outbox_pg_url && lt_outbox_start(pub, cfg.outbox_pg_url, cfg.outbox_table,
                                             (int)cfg.outbox_poll_ms, &outbox, err, sizeof err) != LT_OK)
        goto fail;
    lt_info("agency", "%s for agency %s ready: key %s, topic %s, %zu event type(s), HTTP on "
            "%s:%u%s%s%s", prof->program, cfg.agency_code, key.key_id, topic, n_types,
            cfg.http_address, port, drop ? ", drop folder " : "", drop ? cfg.drop_dir : "",
            outbox ? ", outbox" : "");

    int sig = 0;
    sigwait(&stop, &sig);
    lt_info("agency", "%s received: stopping inputs, then publishing for up to %lld ms",
            sig == SIGTERM ? "SIGTERM" : "SIGINT", cfg.shutdown_timeout_ms);
    status = 0;
    goto out;
fail:
    lt_error("agency", "%s: %s", prof->program, err);
    fprintf(stderr, "%s: %s\n", prof->program, err);
out:
    lt_dropdir_stop(drop);
    lt_outbox_stop(outbox);
    lt_http_server_free(http);
    lt_publisher_free(pub, (int)cfg.shutdown_timeout_ms);
    lt_metrics_free(metrics);
    lt_registry_free(reg);
    free(types);
    lt_kafka_config_free(kafka_kv);
    if (have_key)
        lt_key_wipe(&key);
    sodium_memzero(secret, sizeof secret);
    lt_config_free(&spec, &cfg);
    return status;
}
