/* lt-audit — proves that the shared database equals the fold of the signed
 * history, trusting nothing but the registry's public keys.
 *
 *   lt-audit [options]                 replay the event store: every
 *                                      signature, every agency's chain,
 *                                      every row and open alert re-folded
 *                                      and diffed; a signed report
 *   lt-audit --from-kafka [--since D]  first the agency topics themselves:
 *                                      every record, every chain, and the
 *                                      event store matched to them event for
 *                                      event; then the store as above
 *   lt-audit --as-of YYYY-MM-DD        the same checks, and the state as of
 *                                      that date: the query service's counts
 *   lt-audit verify-report FILE        checks a signed report
 *
 * Exit 0 only when everything verified (no finding, no difference); 1 when
 * something did not; 2 on a usage or environment error. The report (JSON,
 * --report) is for machines, the summary on stdout for people; progress goes
 * to stderr. */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>


#include "audit.h"
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

#define O(f) offsetof(struct au_config, f)
static const struct lt_opt opts[] = {
    { "pg-url", LT_OPT_STRING, NULL, 0, 0, "LT_PG_URL", O(pg_url), 0,
      "the shared database (read with the lienthong_auditor role)" },
    { "registry", LT_OPT_STRING, NULL, 0, 0, "LT_REGISTRY", O(registry), 0,
      "the agency registry the consolidator uses: keys, their validity and revocation" },
    { "units", LT_OPT_STRING, "", 0, 0, "LT_UNITS", O(units), 0,
      "administrative units file: the same as the consolidator's --units ('' for none)" },
    { "key", LT_OPT_STRING, "", 0, 0, "LT_AUDIT_KEY", O(key), 0,
      "the auditor's secret key file (lienthong keygen): signs the report" },
    { "report", LT_OPT_STRING, "", 0, 0, NULL, O(report), 0,
      "where to write the signed JSON report ('' for none; needs --key)" },
    { "as-of", LT_OPT_STRING, "", 0, 0, NULL, O(as_of), 0,
      "YYYY-MM-DD: rebuild the state as of that date (events that occurred on or before it) and "
      "answer the query service's counts for it, instead of diffing the live tables" },
    { "checkpoint-public-key", LT_OPT_STRING, "", 0, 0, "LT_HUB_PUBLIC_KEY",
      O(checkpoint_public_key), 0,
      "the hub key's public half (base64): also check every signed checkpoint of the store "
      "(signature, leaves against the stored events, heads, consistency); with 'prove "
      "EVENT_ID', prove that event is in the latest signed head" },
    { "expect-key", LT_OPT_STRING, "", 0, 0, NULL, O(expect_key), 0,
      "verify-report: the auditor's public key (base64) the report must be signed with" },
    { "from-kafka", LT_OPT_BOOL, "false", 0, 0, NULL, O(from_kafka), 0,
      "replay the agency topics first (every record's signature, key and headers, every chain), "
      "and match the event store to them event for event" },
    { "kafka-bootstrap", LT_OPT_STRING, "", 0, 0, "LT_KAFKA_BOOTSTRAP", O(kafka_bootstrap), 0,
      "Kafka bootstrap servers (--from-kafka)" },
    { "topic-pattern", LT_OPT_STRING, "^lienthong\\.agency\\..*", 0, 0, NULL, O(topic_pattern),
      0, "regular expression (POSIX extended) of the agency topics (--from-kafka)" },
    { "subject-key-file", LT_OPT_STRING, "", 0, 0, "LT_SUBJECT_KEY_FILE", O(subject_key_file), 0,
      "the province's subject-key secret: with --from-kafka, record keys and headers are "
      "checked too ('' to skip)" },
    { "since", LT_OPT_STRING, "", 0, 0, NULL, O(since), 0,
      "YYYY-MM-DD: with --from-kafka, read the topics from that date (Vietnam midnight, by the "
      "records' timestamps) instead of their beginning; chains are checked from there" },
    { "threads", LT_OPT_INT, "0", 0, 64, NULL, O(threads), 0,
      "threads that verify and fold (0: one per core)" },
    { "chunk", LT_OPT_INT, "5000", 100, 1000000, NULL, O(chunk), 0,
      "events fetched at a time" },
    { "progress", LT_OPT_INT, "3", 1, 3600, NULL, O(progress_s), 0,
      "seconds between progress lines on stderr" },
    { "max-print", LT_OPT_INT, "100", 0, 1000000, NULL, O(max_print), 0,
      "findings and differences printed at most (all are counted)" },
};
#undef O
static const struct lt_config_spec spec = {
    "lt-audit", "[options] | verify-report FILE",
    "Replays the event store and verifies every signature (with the key valid at the\n"
    "event's recordedAt) and every agency's chain end to end, naming the first break\n"
    "of each (agency, sequence, what); re-folds every subject with the consolidator's\n"
    "fold and diffs the live rows and open alerts row by row; or rebuilds the state as\n"
    "of a date. Writes a signed report. Exit 0 only when everything verified.",
    opts, sizeof opts / sizeof opts[0],
};

uint32_t au_intern(char ***table, size_t *n, const char *s)
{
    /* Few names (agencies, partitions): the last one used is checked first. */
    for (size_t i = *n; i > 0; i--)
        if (!strcmp((*table)[i - 1], s))
            return (uint32_t)(i - 1);
    *table = lt_realloc(*table, (*n + 1) * sizeof **table);
    (*table)[*n] = lt_strdup(s);
    return (uint32_t)(*n)++;
}

void au_find(struct au *a, const char *agency, uint64_t seq, const char *kind, const char *fmt, ...)
{
    if (a->n_findings == a->cap_findings) {
        a->cap_findings = a->cap_findings ? 2 * a->cap_findings : 64;
        a->findings = lt_realloc(a->findings, a->cap_findings * sizeof *a->findings);
    }
    struct au_finding *f = &a->findings[a->n_findings++];
    snprintf(f->agency, sizeof f->agency, "%s", agency);
    f->seq = seq;
    f->kind = kind;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
    if (a->n_findings <= (size_t)a->cfg.max_print)
        printf("FINDING %s: agency %s sequence %" PRIu64 ": %s\n", kind, agency, seq, f->message);
}

void au_diff(struct au *a, const char *fmt, ...)
{
    if (++a->n.diffs > (uint64_t)a->cfg.max_print)
        return;
    printf("DIFF ");
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

void au_progress(struct au *a, int64_t total, int last)
{
    int64_t now = lt_mono_ms();
    if (!last && now - a->last_progress_ms < a->cfg.progress_s * 1000)
        return;
    a->last_progress_ms = now;
    double secs = (double)(now - a->started_ms) / 1000.0;
    double rate = secs > 0 ? (double)a->n.events / secs : 0;
    double eta = rate > 0 ? (double)(total - (int64_t)a->n.events) / rate : 0;
    fprintf(stderr, "lt-audit: %" PRIu64 " of %" PRId64 " %s checked, %.0f events/s, %" PRIu64
            " subjects rebuilt, %zu finding(s), %" PRIu64 " difference(s)", a->n.events, total,
            a->store_count ? "stored events" : "records", rate, a->n.subjects, a->n_findings,
            a->n.diffs);
    if (last)
        fprintf(stderr, " in %.1f s\n", secs);
    else
        fprintf(stderr, ", ETA %.0f s\n", eta < 0 ? 0 : eta);
}

/* BLAKE2b-256 of the registry file as hex, so the report says which keys it
 * trusted; "" when it cannot be read. */
static void file_digest(const char *path, char hex[2 * LT_HASH_BYTES + 1])
{
    crypto_generichash_state st;
    uint8_t buf[8192], out[LT_HASH_BYTES];
    size_t k;
    hex[0] = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    crypto_generichash_init(&st, NULL, 0, sizeof out);
    while ((k = fread(buf, 1, sizeof buf, f)) > 0)
        crypto_generichash_update(&st, buf, k);
    int bad = ferror(f);
    fclose(f);
    crypto_generichash_final(&st, out, sizeof out);
    if (!bad)
        lt_hex(hex, out, sizeof out);
}

static json_t *build_report(struct au *a, const struct au_finding **first)
{
    char now[40], day[LT_DATE_STRLEN + 1];
    int64_t ms = lt_now_ms();
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_t *breaks = au_first_breaks(a, first);
    int verified = a->n_findings == 0 && a->n.diffs == 0 && a->checkpoint_problems <= 0;
    json_t *r = json_pack(
        "{s:s, s:s, s:s, s:{s:I, s:I}, s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:I, s:o, s:I, s:b}",
        "format", "lienthong.audit-report/1", "generatedAt", now, "source",
        a->cfg.from_kafka ? "kafka+event_store" : "event_store",
        "eventStore", "count", (json_int_t)a->store_count, "maxIngestSeq",
        (json_int_t)a->store_max_ingest, "checked", "events", (json_int_t)a->n.events,
        "eventsVerified", (json_int_t)a->n.events_ok, "agencies", (json_int_t)a->n_agencies,
        "subjects", (json_int_t)a->n.subjects, "rowsCompared", (json_int_t)a->n.rows_compared,
        "alertsCompared", (json_int_t)a->n.alerts_compared, "findings",
        (json_int_t)a->n_findings, "firstBreaks", breaks, "diffCount", (json_int_t)a->n.diffs,
        "verified", verified);
    json_object_set_new(r, "checkpoints", a->checkpoint_problems < 0 ? json_null()
                        : json_pack("{s:I}", "problems", (json_int_t)a->checkpoint_problems));
    json_object_set_new(r, "firstBreak", *first ? json_incref(json_array_get(breaks, 0))
                                                : json_null());
    char digest[2 * LT_HASH_BYTES + 1];
    file_digest(a->cfg.registry, digest);
    json_object_set_new(r, "registry", json_pack("{s:s, s:s}", "path", a->cfg.registry,
                                                 "blake2b256", digest));
    json_object_set_new(r, "elapsedMs", json_pack("{s:I, s:I}", "log", (json_int_t)a->log_ms,
                                                  "store", (json_int_t)a->store_ms));
    if (a->cfg.from_kafka) {
        json_t *log = json_pack("{s:I, s:I, s:I}", "records", (json_int_t)a->n.log_records,
                                "admitted", (json_int_t)a->n.log_admitted,
                                "refusedByConsolidator", (json_int_t)a->n.log_refused);
        if (a->since != LT_DATE_NONE) {
            lt_date_format(a->since, day);
            json_object_set_new(log, "since", json_string(day));
        }
        json_object_set_new(r, "log", log);
    }
    if (a->as_of != LT_DATE_NONE) {
        lt_date_format(a->as_of, day);
        json_object_set_new(r, "asOf", json_string(day));
        json_object_set_new(r, "answers", json_incref(a->aggregates));
    }
    return r;
}

static void summary(const struct au *a, const struct au_finding *first, FILE *f)
{
    fprintf(f, "audit of the event store: %" PRId64 " events (ingest_seq up to %" PRId64 "), %zu "
            "agencies\n", a->store_count, a->store_max_ingest, a->n_agencies);
    if (a->cfg.from_kafka)
        fprintf(f, "  agency topics: %" PRIu64 " records, %" PRIu64 " verified, %" PRIu64
                " refused by the consolidator too; the store matched to them event for event\n",
                a->n.log_records, a->n.log_admitted, a->n.log_refused);
    fprintf(f, "  signatures and columns: %" PRIu64 " of %" PRIu64 " events verified\n",
            a->n.events_ok, a->n.events);
    if (first)
        fprintf(f, "  chains: BROKEN — first break: agency %s sequence %" PRIu64 ": %s (%s)\n",
                first->agency, first->seq, first->kind, first->message);
    else
        fprintf(f, "  chains: every agency's chain is intact from sequence 1\n");
    if (a->as_of == LT_DATE_NONE)
        fprintf(f, "  projections: %" PRIu64 " rows and %" PRIu64 " alerts rebuilt, %" PRIu64
                " difference(s) from the live tables\n", a->n.rows_compared,
                a->n.alerts_compared, a->n.diffs);
    fprintf(f, "  %s\n", a->n_findings == 0 && a->n.diffs == 0 ? "VERIFIED: the database equals "
            "the fold of the signed history" : "NOT VERIFIED");
}

static int verify_report(struct au_config *cfg, const char *path)
{
    char err[512];
    json_t *rep = NULL;
    if (lt_sign_init() != LT_OK || au_report_verify(path, cfg->expect_key, &rep, err,
                                                    sizeof err) != LT_OK) {
        fprintf(stderr, "lt-audit verify-report: %s\n", err);
        return 1;
    }
    int ok = json_is_true(json_object_get(rep, "verified"));
    printf("%s: signature valid; the audit of %s %s\n", path,
           json_string_value(json_object_get(rep, "generatedAt")),
           ok ? "verified everything" : "found problems (see firstBreak, diffCount)");
    json_decref(rep);
    return 0;
}

/* The hub's public key from base64. */
static int hub_key(const char *b64, uint8_t pk[LT_SIGN_PUBLICKEYBYTES], char *err, size_t errlen)
{
    size_t n = 0;
    if (sodium_base642bin(pk, LT_SIGN_PUBLICKEYBYTES, b64, strlen(b64), NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 || n != LT_SIGN_PUBLICKEYBYTES) {
        snprintf(err, errlen, "--checkpoint-public-key: not a 32-byte key in base64");
        return -1;
    }
    return 0;
}

/* lt-audit prove EVENT_ID: the event's inclusion proof in the latest signed
 * head, checked. Exit 0 proven, 1 not, 2 setup error. */
static int prove_event(const struct au_config *cfg, const char *event_id)
{
    char err[512];
    uint8_t pk[LT_SIGN_PUBLICKEYBYTES];
    if (!cfg->pg_url || hub_key(cfg->checkpoint_public_key, pk, err, sizeof err) != 0) {
        fprintf(stderr, "lt-audit prove: %s\n", cfg->pg_url ? err : "--pg-url is required");
        return 2;
    }
    PGconn *db = lt_db_connect(cfg->pg_url, "lt-audit", "lienthong, pg_catalog", err, sizeof err);
    if (!db) {
        fprintf(stderr, "lt-audit prove: %s\n", err);
        return 2;
    }
    int rc = lt_checkpoints_prove(db, event_id, pk, stdout);
    PQfinish(db);
    return rc < 0 ? 2 : rc;
}

int main(int argc, char **argv)
{
    static struct au a;
    char err[1024];
    int first_arg = argc, status = 2;
    struct lt_key key;
    memset(&key, 0, sizeof key);
    /* "verify-report [options] FILE" / "prove [options] EVENT_ID": the options
     * after the command count. */
    int prove = argc > 1 && !strcmp(argv[1], "prove");
    int cmd = (argc > 1 && !strcmp(argv[1], "verify-report")) || prove;
    int rc = lt_config_load(&spec, &a.cfg, argc - cmd, argv + cmd, &first_arg, err, sizeof err);
    if (rc == 1)
        return 0;
    if (rc != LT_OK) {
        fprintf(stderr, "lt-audit: %s\n", err);
        return 2;
    }
    first_arg += cmd;
    if (cmd || first_arg < argc) {
        if (prove && first_arg + 1 == argc)
            status = prove_event(&a.cfg, argv[first_arg]);
        else if (cmd && first_arg + 1 == argc)
            status = verify_report(&a.cfg, argv[first_arg]);
        else
            fprintf(stderr, "lt-audit: usage: lt-audit [options] | lt-audit verify-report "
                    "[--expect-key BASE64] FILE | lt-audit prove --pg-url URL "
                    "--checkpoint-public-key BASE64 EVENT_ID\n");
        lt_config_free(&spec, &a.cfg);
        return status;
    }
    if (!a.cfg.pg_url || !a.cfg.registry) {
        fprintf(stderr, "lt-audit: --pg-url and --registry are required\n");
        goto out;
    }
    if (a.cfg.threads == 0)
        a.cfg.threads = lt_parallel_cpus();
    lt_fold_params_default(&a.params);
    a.today = lt_date_vn_from_unix_ms(lt_now_ms());
    a.as_of = a.since = LT_DATE_NONE;
    if (*a.cfg.since && lt_date_parse(a.cfg.since, &a.since, err, sizeof err) != LT_OK)
        goto fail;
    if (a.cfg.from_kafka && !*a.cfg.kafka_bootstrap) {
        snprintf(err, sizeof err, "--from-kafka needs --kafka-bootstrap");
        goto fail;
    }
    if (*a.cfg.as_of && lt_date_parse(a.cfg.as_of, &a.as_of, err, sizeof err) != LT_OK)
        goto fail;
    if (*a.cfg.report && !*a.cfg.key) {
        snprintf(err, sizeof err, "--report needs --key (the auditor's key signs it)");
        goto fail;
    }
    if (lt_sign_init() != LT_OK ||
        lt_registry_new(a.cfg.registry, &a.reg, err, sizeof err) != LT_OK ||
        (*a.cfg.units && lt_units_new(a.cfg.units, &a.units, err, sizeof err) != LT_OK) ||
        (*a.cfg.key && lt_keyfile_read(a.cfg.key, &key, err, sizeof err) != LT_OK) ||
        (*a.cfg.subject_key_file &&
         lt_keyfile_read_secret32(a.cfg.subject_key_file, a.secret, err, sizeof err) != LT_OK) ||
        !(a.db = lt_db_connect(a.cfg.pg_url, "lt-audit", "lienthong, pg_catalog", err,
                               sizeof err)))
        goto fail;
    a.keys.registry = a.reg;
    /* Record keys and headers are checked on Kafka records only: the store
     * does not keep them. */
    a.keys.subject_secret = *a.cfg.subject_key_file ? a.secret : NULL;
    a.params.units = a.units;
    a.started_ms = a.last_progress_ms = lt_mono_ms();
    if (a.cfg.from_kafka) {
        if (au_kafka_replay(&a, err, sizeof err) != 0)
            goto fail;
        au_chains_verify(&a, a.since != LT_DATE_NONE);
        a.n.log_records = a.n.events;
        a.n.log_admitted = a.n.events_ok;
        a.n.events = a.n.events_ok = 0;
        a.n_links = 0;
        a.log_ms = lt_mono_ms() - a.started_ms;
        a.started_ms = lt_mono_ms();
    }
    a.keys.subject_secret = NULL;
    if (au_store_replay(&a, err, sizeof err) != 0)
        goto fail;
    if (a.cfg.from_kafka)
        au_log_finish(&a);
    au_chains_verify(&a, 0);
    a.checkpoint_problems = -1;
    if (*a.cfg.checkpoint_public_key) {
        uint8_t hub[LT_SIGN_PUBLICKEYBYTES];
        if (hub_key(a.cfg.checkpoint_public_key, hub, err, sizeof err) != 0)
            goto fail;
        if ((a.checkpoint_problems = lt_checkpoints_verify(a.db, hub, stdout)) < 0) {
            snprintf(err, sizeof err, "the checkpoint tables cannot be read");
            goto fail;
        }
    }
    a.store_ms = lt_mono_ms() - a.started_ms;
    if (a.n_findings > (size_t)a.cfg.max_print || a.n.diffs > (uint64_t)a.cfg.max_print)
        printf("(%zu finding(s) and %" PRIu64 " difference(s) in all; --max-print shows more)\n",
               a.n_findings, a.n.diffs);
    const struct au_finding *first = NULL;
    json_t *report = build_report(&a, &first);
    if (a.aggregates) {
        char *s = json_dumps(a.aggregates, JSON_INDENT(2) | JSON_SORT_KEYS);
        printf("%s\n", s);
        free(s);
    }
    summary(&a, first, stdout);
    if (*a.cfg.report) {
        json_t *signed_doc = au_report_sign(report, &key);
        report = NULL;
        if (json_dump_file(signed_doc, a.cfg.report, JSON_INDENT(2) | JSON_SORT_KEYS) != 0) {
            json_decref(signed_doc);
            snprintf(err, sizeof err, "cannot write %s", a.cfg.report);
            goto fail;
        }
        json_decref(signed_doc);
        printf("  report signed by %s: %s\n", key.key_id, a.cfg.report);
    }
    json_decref(report);
    status = a.n_findings == 0 && a.n.diffs == 0 && a.checkpoint_problems <= 0 ? 0 : 1;
    goto out;
fail:
    fprintf(stderr, "lt-audit: %s\n", err);
    status = 2;
out:
    lt_key_wipe(&key);
    PQfinish(a.db);
    lt_registry_free(a.reg);
    lt_units_free(a.units);
    for (size_t i = 0; i < a.n_agencies; i++)
        free(a.agencies[i]);
    for (size_t i = 0; i < a.n_partitions; i++)
        free(a.partitions[i]);
    free(a.agencies);
    free(a.partitions);
    free(a.links);
    free(a.kafka_ends);
    sodium_memzero(a.secret, sizeof a.secret);
    free(a.findings);
    json_decref(a.aggregates);
    lt_config_free(&spec, &a.cfg);
    return status;
}
