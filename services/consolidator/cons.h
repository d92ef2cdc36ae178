/* cons.h — the consolidator's parts, shared by its files:
 *   main.c     configuration, the consume loop, rebalances, registry reload,
 *              the periodic refresh and gap report
 *   batch.c    one batch in one transaction: parallel admission, the event
 *              store (COPY), duplicates, forks, dead letters, offsets
 *   chain.c    each agency's chain head, and gaps held open at it
 *   project.c  the subjects' rows and alerts: a parallel fold of their stored
 *              events, written with COPY; the cross-subject employer alert;
 *              --verify-rows */
#ifndef LT_CONSOLIDATOR_CONS_H
#define LT_CONSOLIDATOR_CONS_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>
#include <libpq-fe.h>

#include "db/copy.h"
#include "http/metrics.h"
#include "event/admit.h"
#include "fold/fold.h"
#include "registry/registry.h"
#include "registry/units.h"
#include "crypto/keyfile.h"

struct cons_config {
    char *kafka_bootstrap, *pg_url, *registry, *subject_key_file, *group, *topic_pattern;
    char *dead_letter_topic, *units, *checkpoint_key, *checkpoint_topic, *checkpoint_public_key;
    char *http_address;
    long long http_port;
    long long batch, batch_wait_ms, threads, refresh_interval_s, refresh_chunk, gap_report_after_s;
    long long queue_max_kb, checkpoint_interval_s, checkpoint_max;
    int verify_rows, verify_checkpoints;
};

#define CONS_LATENCY_BUCKETS 60001

struct cons_counters {
    uint64_t admitted, duplicates, refused, forks, chain_breaks, projected, refreshed,
             gaps_reported, batches, failed_batches;
    /* Milliseconds spent, summed over batches: admission (both cores), the
     * event store, chain heads, projections, commit. */
    int64_t ms_admit, ms_store, ms_chain, ms_project, ms_commit;
    /* End-to-end latency of admitted events: recorded by the agency →
     * committed here, in whole milliseconds (the last bucket holds more). */
    uint64_t latency_ms[CONS_LATENCY_BUCKETS];
};

/* What /metrics shows (all NULL without --http-port): committed work only. */
struct cons_metrics {
    struct lt_metrics_counter *admitted, *duplicates, *refused, *forks, *chain_breaks, *batches,
                              *failed_batches, *rows;
    struct lt_metrics_histogram *latency;
};

struct cons {
    struct cons_config cfg;
    PGconn *db;
    rd_kafka_t *consumer, *producer; /* producer: dead letters, checkpoints */
    struct lt_registry *reg;
    struct lt_units *units; /* or NULL: areas are not resolved */
    struct lt_key ckey;     /* the hub key that signs checkpoints (when ckey.key_id[0]) */
    uint8_t secret[32];
    struct lt_admit_keys keys;
    struct lt_fold_params params;
    struct lt_copy *copy;
    struct cons_counters n;
    struct cons_metrics m;
};

/* Batch transactions hold this advisory lock shared while they store events;
 * the checkpointer takes it exclusively (checkpoint.c). */
#define CONS_STORE_LOCK "74113, 0"

/* Runs a parameterized statement with text parameters (lens/fmts may be NULL). */
PGresult *cons_q(PGconn *db, const char *sql, int n, const char *const *vals, const int *lens,
                 const int *fmts);
/* 1 if r has status want; otherwise logs "what: message" and returns 0. */
int cons_ok(PGresult *r, int want, const char *what);

/* Creates the session's staging tables (after every (re)connect). */
int cons_prepare_session(struct cons *c, char *err, size_t errlen);

/* Checks every record of a batch on cfg.threads threads into adm[0..n). Uses
 * no database, so it runs while the previous batch is being stored. */
void cons_admit_batch(struct cons *c, rd_kafka_message_t **msgs, size_t n,
                      struct lt_admission *adm);
/* Stores an admitted batch in one transaction, with its offsets, and clears
 * adm[0..n). Returns 0, or -1 when nothing of it was committed (the caller
 * rewinds to the stored offsets). */
int cons_store_batch(struct cons *c, rd_kafka_message_t **msgs, size_t n,
                     struct lt_admission *adm);

/* Moves the chain heads of the given agencies (sorted, distinct) inside the
 * open transaction, and opens, updates or closes each one's gap. 0 or -1. */
int cons_advance_heads(struct cons *c, char **agencies, size_t n);
/* Reports (log + reported_at) gaps open longer than cfg.gap_report_after_s.
 * Returns the number reported, -1 on a database error. */
long cons_report_gaps(struct cons *c);

/* Folds the given subjects (canonical ids, any order, repeats allowed) from
 * their stored events as of the day as_of, and writes their rows and alerts,
 * inside the open transaction. Employers pull in their foreign workers for
 * the cross-subject alert. Returns the number of subjects written, -1 on a
 * database error (the transaction must roll back). */
long cons_project(struct cons *c, char **subjects, size_t n, int32_t as_of);
/* Re-projects up to cfg.refresh_chunk rows computed for a day before as_of,
 * in its own transaction (time-dependent fields and alerts move with the
 * date). Returns the number refreshed, -1 on error. */
long cons_refresh(struct cons *c, int32_t as_of);
/* --verify-rows: every subject's stored row against a fresh fold as of the
 * row's date. Returns the number of differences, -1 on error. */
long cons_verify_rows(struct cons *c);

/* Appends the events stored since the last checkpoint (at most a chunk) to
 * the Merkle tree and signs the new head, in its own transaction. Returns
 * the number of leaves added (0: nothing new), -1 on error. */
long cons_checkpoint(struct cons *c);

/* Distinct sorted copy helpers for string sets. */
/* The q-quantile (0..1) of the latency histogram in ms, -1 when empty. */
long cons_latency_quantile(const struct cons_counters *n, double q);

void cons_strset_add(char ***set, size_t *n, size_t *cap, const char *s);
void cons_strset_sort_unique(char **set, size_t *n);
void cons_strset_free(char **set, size_t n);
/* A PostgreSQL text[] literal of the strings (each quoted and escaped). */
char *cons_text_array(char *const *s, size_t n);

#endif
