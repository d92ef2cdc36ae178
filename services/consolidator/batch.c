/* batch.c — one batch of Kafka records in one database transaction.
 *
 * 1. admission on every core (lt_admit: envelope, key, signature, headers,
 *    authorization, validation), each record independently;
 * 2. refused records → dead_letter (and the dead-letter topic);
 * 3. admitted events, repeats within the batch dropped, → COPY into a
 *    session staging table → one INSERT … SELECT into event_store that
 *    absorbs what is already there; what was not inserted is a duplicate or,
 *    if another event holds its (agency, sequence), a fork;
 * 4. chain heads (chain.c), then the touched subjects' rows and alerts
 *    (project.c);
 * 5. each partition's next offset; COMMIT.
 * The offsets commit with the data, so a kill -9 anywhere redoes the whole
 * batch or none of it. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cons.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/parallel.h"
#include "core/uuid.h"
#include "db/db.h"
#include "event/subject.h"

PGresult *cons_q(PGconn *db, const char *sql, int n, const char *const *vals, const int *lens,
                 const int *fmts)
{
    return PQexecParams(db, sql, n, NULL, vals, lens, fmts, 0);
}

int cons_ok(PGresult *r, int want, const char *what)
{
    if ((int)PQresultStatus(r) == want)
        return 1;
    lt_error("consolidator", "%s: %s", what, PQresultErrorMessage(r));
    return 0;
}

int cons_prepare_session(struct cons *c, char *err, size_t errlen)
{
    return lt_db_exec(c->db,
        "CREATE TEMP TABLE IF NOT EXISTS staging_events (idx integer, event_id uuid,"
        " agency_code text, sequence bigint, event_type text, subject_key bytea, subject text,"
        " occurred_ms bigint, recorded_ms bigint, rule_set text, signed_bytes bytea,"
        " event_hash bytea, kafka_topic text, kafka_partition integer, kafka_offset bigint,"
        " prev_hash bytea) ON COMMIT DELETE ROWS;"
        "CREATE TEMP TABLE IF NOT EXISTS staging_rows (subject text, kind text, row jsonb,"
        " as_of date, events integer) ON COMMIT DELETE ROWS;"
        "CREATE TEMP TABLE IF NOT EXISTS staging_alerts (subject text, code text, opened_on date,"
        " event_ids uuid[], message text) ON COMMIT DELETE ROWS;", err, errlen);
}

long cons_latency_quantile(const struct cons_counters *n, double q)
{
    uint64_t total = 0, seen = 0;
    for (size_t i = 0; i < CONS_LATENCY_BUCKETS; i++)
        total += n->latency_ms[i];
    if (!total)
        return -1;
    uint64_t want = (uint64_t)(q * (double)total);
    for (size_t i = 0; i < CONS_LATENCY_BUCKETS; i++) {
        seen += n->latency_ms[i];
        if (seen > want)
            return (long)i;
    }
    return CONS_LATENCY_BUCKETS - 1;
}

/* ---- string sets ---------------------------------------------------------- */

void cons_strset_add(char ***set, size_t *n, size_t *cap, const char *s)
{
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 64;
        *set = lt_realloc(*set, *cap * sizeof **set);
    }
    (*set)[(*n)++] = lt_strdup(s);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void cons_strset_sort_unique(char **set, size_t *n)
{
    if (!*n)
        return;
    qsort(set, *n, sizeof *set, cmp_str);
    size_t w = 1;
    for (size_t i = 1; i < *n; i++) {
        if (strcmp(set[i], set[w - 1]) == 0)
            free(set[i]);
        else
            set[w++] = set[i];
    }
    *n = w;
}

void cons_strset_free(char **set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(set[i]);
    free(set);
}

char *cons_text_array(char *const *s, size_t n)
{
    size_t len = 3;
    for (size_t i = 0; i < n; i++)
        len += 2 * strlen(s[i]) + 3;
    char *out = lt_malloc(len), *p = out;
    *p++ = '{';
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        *p++ = '"';
        for (const char *q = s[i]; *q; q++) {
            if (*q == '"' || *q == '\\')
                *p++ = '\\';
            *p++ = *q;
        }
        *p++ = '"';
    }
    *p++ = '}';
    *p = 0;
    return out;
}

/* ---- refused records -------------------------------------------------------- */

static int dead_letter(struct cons *c, const rd_kafka_message_t *m, const struct lt_admission *a)
{
    char part[16], off[24], id[LT_UUID_STRLEN + 1] = "";
    snprintf(part, sizeof part, "%d", m->partition);
    snprintf(off, sizeof off, "%" PRId64, m->offset);
    const char *agency = a->ev && a->ev->header ? a->ev->header->agency_code : NULL;
    if (a->ev && a->ev->header && a->ev->header->event_id.len == LT_UUID_BYTES)
        lt_uuid_format(a->ev->header->event_id.data, id);
    const char *v[] = { rd_kafka_topic_name(m->rkt), part, off, (const char *)m->payload, a->code,
                        a->reason, agency && *agency ? agency : NULL, *id ? id : NULL };
    int lens[] = { 0, 0, 0, (int)m->len, 0, 0, 0, 0 };
    int fmts[] = { 0, 0, 0, 1, 0, 0, 0, 0 };
    PGresult *r = cons_q(c->db, "INSERT INTO dead_letter (kafka_topic, kafka_partition, "
                         "kafka_offset, raw, code, reason, agency_code, event_id) VALUES ($1, $2, "
                         "$3, $4, $5, $6, $7, $8)", 8, v, lens, fmts);
    int ok = cons_ok(r, PGRES_COMMAND_OK, "dead letter");
    PQclear(r);
    if (!ok)
        return -1;
    c->n.refused++;
    lt_warn("consolidator", "refused %s/%d@%" PRId64 ": %s (%s): %s", rd_kafka_topic_name(m->rkt),
            m->partition, m->offset, a->code, a->stage, a->reason);
    if (c->producer && *c->cfg.dead_letter_topic)
        rd_kafka_producev(c->producer, RD_KAFKA_V_TOPIC(c->cfg.dead_letter_topic),
                          RD_KAFKA_V_VALUE(m->payload, m->len),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                          RD_KAFKA_V_HEADER("lt_code", a->code, -1),
                          RD_KAFKA_V_HEADER("lt_reason", a->reason, -1),
                          RD_KAFKA_V_HEADER("lt_source_topic", rd_kafka_topic_name(m->rkt), -1),
                          RD_KAFKA_V_END);
    return 0;
}

/* ---- duplicates and forks ---------------------------------------------------- */

static char *hex_bytea(const uint8_t *b, size_t n)
{
    char *s = lt_malloc(2 * n + 3);
    s[0] = '\\';
    s[1] = 'x';
    sodium_bin2hex(s + 2, 2 * n + 1, b, n);
    return s;
}

/* An admitted event that the store did not take: the same event again, or a
 * different one at its (agency, sequence) — a fork, recorded and alarmed. */
static int not_inserted(struct cons *c, const rd_kafka_message_t *m, const struct lt_admission *a)
{
    const Lienthong__V1__Header *h = a->ev->header;
    char id[LT_UUID_STRLEN + 1], seq[24], part[16], off[24];
    lt_uuid_format(h->event_id.data, id);
    snprintf(seq, sizeof seq, "%" PRIu64, h->sequence);
    snprintf(part, sizeof part, "%d", m->partition);
    snprintf(off, sizeof off, "%" PRId64, m->offset);
    const char *v2[] = { h->agency_code, seq };
    PGresult *r = cons_q(c->db, "SELECT event_id, event_hash FROM event_store WHERE "
                         "agency_code = $1 AND sequence = $2", 2, v2, NULL, NULL);
    if (!cons_ok(r, PGRES_TUPLES_OK, "look for duplicate")) {
        PQclear(r);
        return -1;
    }
    char *hx = hex_bytea(a->event_hash, LT_HASH_BYTES);
    int same = PQntuples(r) == 1 && !strcmp(PQgetvalue(r, 0, 1), hx);
    int rc = 0;
    if (same || PQntuples(r) == 0) {
        /* Same bytes at the same place (a re-send), or the same event id
         * stored elsewhere (the id is inside the signed bytes, so it cannot
         * be a different valid event). */
        c->n.duplicates++;
    } else {
        const char *v3[] = { h->agency_code, seq, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), id,
                             hx, (const char *)m->payload, rd_kafka_topic_name(m->rkt), part, off };
        int l3[] = { 0, 0, 0, 0, 0, 0, (int)m->len, 0, 0, 0 };
        int f3[] = { 0, 0, 0, 0, 0, 0, 1, 0, 0, 0 };
        PGresult *r3 = cons_q(c->db, "INSERT INTO forks (agency_code, sequence, stored_event_id,"
                              " stored_event_hash, rival_event_id, rival_event_hash,"
                              " rival_signed_bytes, kafka_topic, kafka_partition, kafka_offset)"
                              " VALUES ($1, $2, $3, decode(substr($4, 3), 'hex'), $5,"
                              " decode(substr($6, 3), 'hex'), $7, $8, $9, $10) ON CONFLICT DO NOTHING",
                              10, v3, l3, f3);
        if (!cons_ok(r3, PGRES_COMMAND_OK, "record fork"))
            rc = -1;
        PQclear(r3);
        c->n.forks++;
        lt_error("consolidator", "FORK: agency %s sequence %s: stored event %s, rival %s "
                 "(%s/%d@%" PRId64 ")", h->agency_code, seq, PQgetvalue(r, 0, 0), id,
                 rd_kafka_topic_name(m->rkt), m->partition, m->offset);
    }
    free(hx);
    PQclear(r);
    return rc;
}

/* ---- the batch ----------------------------------------------------------------- */

struct admit_job {
    const struct lt_admit_keys *keys;
    rd_kafka_message_t **msgs;
    struct lt_admission *adm;
};

static void admit_one(void *arg, size_t i)
{
    struct admit_job *j = arg;
    lt_admit(j->keys, j->msgs[i]->payload, j->msgs[i]->len, j->msgs[i], &j->adm[i]);
}

void cons_admit_batch(struct cons *c, rd_kafka_message_t **msgs, size_t n,
                      struct lt_admission *adm)
{
    int64_t t0 = lt_mono_ms();
    struct admit_job job = { &c->keys, msgs, adm };
    lt_parallel_for((unsigned)c->cfg.threads, n, admit_one, &job);
    c->n.ms_admit += lt_mono_ms() - t0;
}

struct by_id {
    const uint8_t *id;
    size_t idx;
};

static int cmp_by_id(const void *a, const void *b)
{
    const struct by_id *x = a, *y = b;
    int d = memcmp(x->id, y->id, 16);
    if (d)
        return d;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* An instant (Unix ms) as PostgreSQL timestamptz text, in UTC. */
static void copy_instant(struct lt_copy *cp, int64_t ms)
{
    time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    int frac = (int)(ms - (int64_t)secs * 1000);
    struct tm tm;
    char t[48];
    gmtime_r(&secs, &tm);
    int k = snprintf(t, sizeof t, "%04d-%02d-%02d %02d:%02d:%02d.%03d+00", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
    lt_copy_textn(cp, t, (size_t)k);
}

#define EVENT_COLUMNS "event_id, agency_code, sequence, event_type, subject_key, subject," \
    " occurred_at, recorded_at, rule_set, signed_bytes, event_hash, kafka_topic," \
    " kafka_partition, kafka_offset, prev_hash"

/* Adds one admitted event to the COPY buffer: for event_store itself
 * (direct), or for staging_events (with its batch index first). */
static void stage(struct cons *c, int direct, size_t idx, const rd_kafka_message_t *m,
                  const struct lt_admission *a, const char *subject)
{
    const Lienthong__V1__Header *h = a->ev->header;
    char id[LT_UUID_STRLEN + 1];
    lt_uuid_format(h->event_id.data, id);
    const ProtobufCEnumValue *rs =
        protobuf_c_enum_descriptor_get_value(&lienthong__v1__rule_set__descriptor, (int)h->rule_set);
    struct lt_copy *cp = c->copy;
    if (!direct)
        lt_copy_int(cp, (long long)idx);
    lt_copy_text(cp, id);
    lt_copy_text(cp, h->agency_code);
    lt_copy_int(cp, (long long)h->sequence);
    lt_copy_text(cp, a->type);
    lt_copy_bytea(cp, m->key, m->key_len);
    lt_copy_text(cp, subject);
    if (direct) {
        copy_instant(cp, (int64_t)h->occurred_at_ms);
        copy_instant(cp, (int64_t)h->recorded_at_ms);
    } else {
        lt_copy_int(cp, (long long)h->occurred_at_ms);
        lt_copy_int(cp, (long long)h->recorded_at_ms);
    }
    lt_copy_text(cp, rs ? rs->name : "RULE_SET_UNSPECIFIED");
    lt_copy_bytea(cp, m->payload, m->len);
    lt_copy_bytea(cp, a->event_hash, LT_HASH_BYTES);
    lt_copy_text(cp, rd_kafka_topic_name(m->rkt));
    lt_copy_int(cp, m->partition);
    lt_copy_int(cp, (long long)m->offset);
    lt_copy_bytea(cp, h->prev_hash.data, h->prev_hash.len);
    lt_copy_end_row(cp);
}

static int store_offsets(struct cons *c, rd_kafka_message_t **msgs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        /* The last record of each partition in the batch carries its offset. */
        int last = 1;
        for (size_t k = i + 1; k < n && last; k++)
            if (msgs[k]->rkt == msgs[i]->rkt && msgs[k]->partition == msgs[i]->partition)
                last = 0;
        if (!last)
            continue;
        char part[16], next[24];
        snprintf(part, sizeof part, "%d", msgs[i]->partition);
        snprintf(next, sizeof next, "%" PRId64, msgs[i]->offset + 1);
        const char *v[] = { c->cfg.group, rd_kafka_topic_name(msgs[i]->rkt), part, next };
        PGresult *r = cons_q(c->db, "INSERT INTO consumer_offsets (group_id, topic, partition, "
                             "next_offset) VALUES ($1, $2, $3, $4) ON CONFLICT (group_id, topic, "
                             "partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, "
                             "updated_at = now()", 4, v, NULL, NULL);
        int ok = cons_ok(r, PGRES_COMMAND_OK, "store offset");
        PQclear(r);
        if (!ok)
            return -1;
    }
    return 0;
}

int cons_store_batch(struct cons *c, rd_kafka_message_t **msgs, size_t n,
                     struct lt_admission *adm)
{
    char err[512];
    char **agencies = NULL, **subjects = NULL;
    size_t n_ag = 0, cap_ag = 0, n_sub = 0, cap_sub = 0;
    struct by_id *ids = lt_calloc(n + 1, sizeof *ids);
    char (*subj)[LT_SUBJECT_ID_MAX] = lt_calloc(n + 1, sizeof *subj);
    uint64_t before_admitted = c->n.admitted, before_dup = c->n.duplicates,
             before_ref = c->n.refused, before_forks = c->n.forks;
    int rc = -1;

    int64_t t1 = lt_mono_ms(), t2 = 0, t3 = 0, t4 = 0;

    if (lt_db_exec(c->db, "BEGIN; SELECT pg_advisory_xact_lock_shared(" CONS_STORE_LOCK ")", err,
                   sizeof err) != LT_OK) {
        lt_error("consolidator", "begin: %s", err);
        goto out;
    }
    size_t n_ids = 0;
    for (size_t i = 0; i < n; i++) {
        if (!adm[i].ok) {
            if (dead_letter(c, msgs[i], &adm[i]) != 0)
                goto rollback;
            continue;
        }
        enum lt_subject_fault fault;
        char why[128];
        if (lt_subject_canonical_id(adm[i].ev->header->subject, subj[i], &fault, why,
                                    sizeof why) != LT_OK) {
            lt_error("consolidator", "admitted event without a canonical subject: %s", why);
            goto rollback; /* validation passed, so this is a defect: stop, do not skip */
        }
        ids[n_ids].id = adm[i].ev->header->event_id.data;
        ids[n_ids].idx = i;
        n_ids++;
    }
    /* One row per event id (a repeat inside the batch is a duplicate). */
    unsigned char *stored = lt_calloc(n + 1, 1);
    qsort(ids, n_ids, sizeof *ids, cmp_by_id);
    for (size_t k = 0; k < n_ids; k++) {
        if (k && memcmp(ids[k].id, ids[k - 1].id, 16) == 0)
            c->n.duplicates++;
        else
            stored[ids[k].idx] = 1;
    }
    /* Fast path: COPY straight into the store, in Kafka order (ingest_seq
     * follows it). If any event is already there, the unique keys refuse the
     * COPY; then the slow path below sorts out which. */
    int failed = 0, direct_ok = 0;
    char state[6];
    PGresult *r = PQexec(c->db, "SAVEPOINT direct");
    failed = !cons_ok(r, PGRES_COMMAND_OK, "savepoint");
    PQclear(r);
    for (size_t i = 0; i < n && !failed; i++)
        if (stored[i])
            stage(c, 1, i, msgs[i], &adm[i], subj[i]);
    if (!failed && lt_copy_send(c->db, "COPY event_store (" EVENT_COLUMNS ") FROM STDIN",
                                c->copy, state, err, sizeof err) == LT_OK) {
        direct_ok = 1;
    } else if (!failed && strcmp(state, "23505") != 0) {
        lt_error("consolidator", "store events: %s", err);
        failed = 1;
    }
    r = PQexec(c->db, direct_ok ? "RELEASE SAVEPOINT direct" : "ROLLBACK TO SAVEPOINT direct");
    if (!failed && !cons_ok(r, PGRES_COMMAND_OK, "savepoint"))
        failed = 1;
    PQclear(r);
    if (!failed && !direct_ok) {
        for (size_t i = 0; i < n; i++)
            if (stored[i])
                stage(c, 0, i, msgs[i], &adm[i], subj[i]);
        if (lt_copy_send(c->db, "COPY staging_events FROM STDIN", c->copy, NULL, err,
                         sizeof err) != LT_OK) {
            lt_error("consolidator", "stage events: %s", err);
            failed = 1;
        }
    }
    /* Insert what is new; the others are duplicates or forks. */
    r = direct_ok || failed ? NULL : PQexec(c->db,
        "WITH ins AS (INSERT INTO event_store (" EVENT_COLUMNS ")"
        " SELECT event_id, agency_code, sequence, event_type, subject_key, subject,"
        " to_timestamp(occurred_ms / 1000.0), to_timestamp(recorded_ms / 1000.0), rule_set,"
        " signed_bytes, event_hash, kafka_topic, kafka_partition, kafka_offset, prev_hash"
        " FROM staging_events ORDER BY idx ON CONFLICT DO NOTHING RETURNING event_id)"
        " SELECT s.idx FROM staging_events s WHERE NOT EXISTS"
        " (SELECT 1 FROM ins WHERE ins.event_id = s.event_id) ORDER BY s.idx");
    if (r && !cons_ok(r, PGRES_TUPLES_OK, "store events"))
        failed = 1;
    for (int t = 0; r && !failed && t < PQntuples(r); t++) {
        size_t i = (size_t)strtoul(PQgetvalue(r, t, 0), NULL, 10);
        if (i >= n) {
            failed = 1;
            break;
        }
        stored[i] = 0;
        if (not_inserted(c, msgs[i], &adm[i]) != 0)
            failed = 1;
    }
    PQclear(r);
    for (size_t i = 0; i < n && !failed; i++) {
        if (!stored[i])
            continue;
        c->n.admitted++;
        cons_strset_add(&agencies, &n_ag, &cap_ag, adm[i].ev->header->agency_code);
        cons_strset_add(&subjects, &n_sub, &cap_sub, subj[i]);
    }
    free(stored);
    if (failed)
        goto rollback;
    /* Chain heads in one order, so two instances cannot deadlock on them. */
    t2 = lt_mono_ms();
    cons_strset_sort_unique(agencies, &n_ag);
    if (cons_advance_heads(c, agencies, n_ag) != 0)
        goto rollback;
    /* The subjects' rows and alerts, in the same transaction as their events. */
    t3 = lt_mono_ms();
    long projected = cons_project(c, subjects, n_sub, lt_date_vn_from_unix_ms(lt_now_ms()));
    if (projected < 0)
        goto rollback;
    t4 = lt_mono_ms();
    if (store_offsets(c, msgs, n) != 0)
        goto rollback;
    if (lt_db_exec(c->db, "COMMIT", err, sizeof err) != LT_OK) {
        lt_error("consolidator", "commit: %s", err);
        goto undo;
    }
    c->n.ms_store += t2 - t1;
    c->n.ms_chain += t3 - t2;
    c->n.ms_project += t4 - t3;
    c->n.ms_commit += lt_mono_ms() - t4;
    int64_t committed = lt_now_ms();
    for (size_t i = 0; i < n; i++) {
        if (!adm[i].ok)
            continue;
        int64_t l = committed - (int64_t)adm[i].ev->header->recorded_at_ms;
        c->n.latency_ms[l < 0 ? 0 : l >= CONS_LATENCY_BUCKETS ? CONS_LATENCY_BUCKETS - 1 : l]++;
        if (c->m.latency)
            lt_metrics_observe(c->m.latency, (double)(l < 0 ? 0 : l) / 1000.0);
    }
    c->n.projected += (uint64_t)projected;
    c->n.batches++;
    if (c->m.batches) {
        lt_metrics_counter_add(c->m.admitted, c->n.admitted - before_admitted);
        lt_metrics_counter_add(c->m.duplicates, c->n.duplicates - before_dup);
        lt_metrics_counter_add(c->m.refused, c->n.refused - before_ref);
        lt_metrics_counter_add(c->m.forks, c->n.forks - before_forks);
        lt_metrics_counter_add(c->m.rows, (uint64_t)projected);
        lt_metrics_counter_inc(c->m.batches);
    }
    rc = 0;
    goto out;
rollback:
    if (lt_db_exec(c->db, "ROLLBACK", err, sizeof err) != LT_OK)
        lt_error("consolidator", "rollback: %s", err);
undo:
    /* Nothing of the batch happened: its counts go too. */
    c->n.admitted = before_admitted;
    c->n.duplicates = before_dup;
    c->n.refused = before_ref;
    c->n.forks = before_forks;
    c->n.failed_batches++;
    if (c->m.failed_batches)
        lt_metrics_counter_inc(c->m.failed_batches);
out:
    for (size_t i = 0; i < n; i++)
        lt_admission_clear(&adm[i]);
    cons_strset_free(agencies, n_ag);
    cons_strset_free(subjects, n_sub);
    free(ids);
    free(subj);
    if (c->producer)
        rd_kafka_poll(c->producer, 0);
    return rc;
}
