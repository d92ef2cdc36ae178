/* audit.h — lt-audit's parts, shared by its files:
 *   main.c     configuration, the run, the report and its summary
 *   store.c    the replay of the event store: every event checked on every
 *              core, then each subject re-folded (common/fold/stored.h) and
 *              diffed against the live rows and open alerts, or folded as of
 *              a past date into the query service's aggregates
 *   kafka.c    the replay of the agency topics (--from-kafka): every record
 *              checked, its chain links, and the map the store is matched to
 *   chains.c   each agency's chain end to end, from the links a replay
 *              gathered; the first break of each agency
 *   report.c   the signed audit report: sign, write, verify */
#ifndef LT_AUDIT_AUDIT_H
#define LT_AUDIT_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "crypto/hash.h"
#include "crypto/keyfile.h"
#include "event/admit.h"
#include "fold/fold.h"
#include "registry/registry.h"
#include "registry/units.h"

#define AU_AGENCY_MAX 65

struct au_config {
    char *pg_url, *registry, *units, *key, *report, *as_of, *expect_key, *checkpoint_public_key;
    char *kafka_bootstrap, *topic_pattern, *subject_key_file, *since;
    long long threads, chunk, progress_s, max_print;
    int from_kafka;
};

/* One problem found, located (the agency and sequence the signed bytes give,
 * or the row's columns when they do not decode). */
struct au_finding {
    char agency[AU_AGENCY_MAX];
    uint64_t seq;
    const char *kind;   /* "gap", "fork", "reorder", "altered", "forged", "hash_column", … */
    char message[480];
};

/* One event's place in its agency's chain, as its verified bytes give it. */
struct au_link {
    uint32_t agency;    /* index in au.agencies */
    uint32_t partition; /* index in au.partitions ("topic/partition") */
    uint64_t seq;
    int64_t offset, ingest_seq;
    int dup;            /* an exact repeat of the link before it (a re-sent record) */
    uint8_t prev_hash[LT_HASH_BYTES], hash[LT_HASH_BYTES];
};

/* Counters and aggregates for the as-of answer (same groups as lt-query). */
struct au_counts {
    uint64_t events, events_ok, subjects, rows_compared, alerts_compared, diffs;
    uint64_t log_records, log_admitted, log_refused; /* --from-kafka */
};

struct au {
    struct au_config cfg;
    PGconn *db;
    struct lt_registry *reg;
    struct lt_units *units;
    struct lt_admit_keys keys;
    struct lt_fold_params params;
    int32_t today, as_of;  /* as_of: LT_DATE_NONE unless --as-of */
    int32_t since;         /* --since: LT_DATE_NONE unless given */
    uint8_t secret[32];    /* --subject-key-file */
    struct logged *log;    /* --from-kafka: (agency, sequence) → hash (kafka.c) */
    int64_t *kafka_ends;   /* high watermark of each assigned partition */
    int64_t store_count_log;
    int64_t store_count, store_max_ingest;
    long checkpoint_problems; /* --checkpoint-public-key: problems found; -1 not checked */
    struct au_counts n;
    /* Interned names. */
    char **agencies, **partitions;
    size_t n_agencies, n_partitions;
    struct au_link *links;
    size_t n_links, cap_links;
    struct au_finding *findings;
    size_t n_findings, cap_findings;
    json_t *aggregates;    /* --as-of: the answers (owned) */
    int64_t started_ms, last_progress_ms;
    int64_t log_ms, store_ms; /* wall time of each replay */
};

struct logged;

/* Interns s into the table; returns its index. */
uint32_t au_intern(char ***table, size_t *n, const char *s);
/* Records a finding (and prints it when fewer than cfg.max_print were). */
void au_find(struct au *a, const char *agency, uint64_t seq, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Prints a difference between the rebuild and the live tables, counts it. */
void au_diff(struct au *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Replays the event store inside one REPEATABLE READ snapshot: checks every
 * event, gathers chain links, re-folds every subject and diffs it (or, with
 * --as-of, aggregates it). Returns 0, or -1 on a database error (err). */
int au_store_replay(struct au *a, char *err, size_t errlen);

/* Prints a progress line on stderr (at most every cfg.progress_s seconds,
 * or now when last): events checked of total, rate, ETA. */
void au_progress(struct au *a, int64_t total, int last);

/* Reads every agency topic (from the start or --since) up to its high
 * watermark, checks every record and gathers links and the log map.
 * Returns 0, or -1 on a Kafka or database error (err). */
int au_kafka_replay(struct au *a, char *err, size_t errlen);
/* The store replay's event (agency, seq, hash of its bytes) against the log:
 * a finding when the log lacks it or holds other bytes there. No-op without
 * a log. */
void au_log_match(struct au *a, const char *agency, uint64_t seq, const uint8_t *hash);
/* Findings for logged events the store never matched; frees the log map. */
void au_log_finish(struct au *a);

/* Verifies every agency's chain from a->links (sorted in place); each
 * agency's first break becomes a finding. from_first: each agency's chain
 * starts at its first link (a replay --since a date), else at sequence 1. */
void au_chains_verify(struct au *a, int from_first);

/* The first finding of each agency (lowest sequence), in agency order, as a
 * new JSON array; *first gets the very first (or NULL). */
json_t *au_first_breaks(const struct au *a, const struct au_finding **first);

/* Wraps report (reference taken) with an Ed25519 signature by k over its
 * canonical form (compact, sorted keys) under AU_REPORT_CONTEXT. New ref. */
#define AU_REPORT_CONTEXT "lienthong.v1.AuditReport\n"
json_t *au_report_sign(json_t *report, const struct lt_key *k);
/* Checks a signed report file; expect_pk (base64, or NULL: any key) pins the
 * auditor's key. Returns LT_OK, or an error with the reason in err; *report
 * receives a borrowed-then-owned copy of the report on success. */
int au_report_verify(const char *path, const char *expect_pk, json_t **report, char *err,
                     size_t errlen) __attribute__((warn_unused_result));

#endif
