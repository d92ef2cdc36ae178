/* lt-consolidator — reads every agency topic and admits each signed event
 * into the shared database's event store, exactly once.
 *
 * Stage 1 of issue 5 (what exists): one consumer group over every topic
 * matching --topic-pattern (new agency topics are picked up without a
 * restart); each record checked by common/event/admit (envelope, key from the
 * registry, signature over the received bytes, record key and headers,
 * authorization at recordedAt, validation); admitted events appended to
 * lienthong.event_store with their signed bytes and Kafka coordinates,
 * refused ones to lienthong.dead_letter with their code and reason (and the
 * dead-letter topic); duplicates absorbed, a different event at an existing
 * (agency, sequence) recorded in lienthong.forks; each agency's chain head
 * advanced over contiguous, linking events (a gap simply holds the head until
 * the missing event arrives; a link that does not match is a chain_breaks
 * alarm). Kafka offsets are stored in lienthong.consumer_offsets in the same
 * transaction as the data, and read back on every partition assignment, so a
 * kill -9 at any instant loses and doubles nothing.
 * Not yet: projections and alerts (common/fold exists), gap age reports,
 * metrics/health endpoints, parallel verification. */
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/uuid.h"
#include "crypto/keyfile.h"
#include "db/db.h"
#include "event/admit.h"
#include "event/subject.h"
#include "fold/fold.h"
#include "core/date.h"
#include "kafka/kafka.h"
#include "registry/registry.h"

struct cons_config {
    char *kafka_bootstrap, *pg_url, *registry, *subject_key_file, *group, *topic_pattern;
    char *dead_letter_topic;
    long long batch, batch_wait_ms;
    int verify_rows;
};

#define O(f) offsetof(struct cons_config, f)
static const struct lt_opt opts[] = {
    { "kafka-bootstrap", LT_OPT_STRING, NULL, 0, 0, "LT_KAFKA_BOOTSTRAP", O(kafka_bootstrap), 1,
      "Kafka bootstrap servers" },
    { "pg-url", LT_OPT_STRING, NULL, 0, 0, "LT_PG_URL", O(pg_url), 1,
      "the shared database (migrated with lt-migrate; password from PGPASSFILE)" },
    { "registry", LT_OPT_STRING, NULL, 0, 0, "LT_REGISTRY", O(registry), 1,
      "the agency registry: keys, their validity and revocation, permissions" },
    { "subject-key-file", LT_OPT_STRING, NULL, 0, 0, "LT_SUBJECT_KEY_FILE", O(subject_key_file), 1,
      "the province's subject-key secret (checks record keys and headers)" },
    { "group", LT_OPT_STRING, "lienthong-consolidator", 0, 0, "LT_CONSUMER_GROUP", O(group), 0,
      "consumer group; instances in one group share the partitions" },
    { "topic-pattern", LT_OPT_STRING, "^lienthong\\.agency\\..*", 0, 0, NULL, O(topic_pattern), 0,
      "regular expression of the agency topics" },
    { "dead-letter-topic", LT_OPT_STRING, "lienthong.dead-letter", 0, 0, NULL,
      O(dead_letter_topic), 0, "where refused records are also published ('' for none)" },
    { "batch", LT_OPT_INT, "500", 1, 100000, NULL, O(batch), 0,
      "records per database transaction at most" },
    { "batch-wait-ms", LT_OPT_INT, "50", 1, 10000, NULL, O(batch_wait_ms), 0,
      "how long to gather a batch" },
    { "verify-rows", LT_OPT_BOOL, "false", 0, 0, NULL, O(verify_rows), 0,
      "do not consume: re-fold every subject of the event store (as of each row's date) and "
      "report any row that differs from the stored one; exit 0 only if none does" },
};
#undef O
static const struct lt_config_spec spec = {
    "lt-consolidator", "[options]",
    "Admits every agency's signed events into the shared database's event store,\n"
    "exactly once (offsets commit with the data), with dead letters for refused\n"
    "records, fork and chain-break alarms, and per-agency chain heads.",
    opts, sizeof opts / sizeof opts[0],
};

static volatile sig_atomic_t run = 1;
static void on_stop(int s) { (void)s; run = 0; }

struct ctx {
    struct cons_config cfg;
    PGconn *db;
    rd_kafka_t *consumer, *dlq;
    struct lt_registry *reg;
    uint8_t secret[32];
    struct lt_admit_keys keys;
    uint64_t admitted, duplicates, refused, forks;
};

/* ---- SQL helpers -------------------------------------------------------- */

static int db_ok(PGresult *r, ExecStatusType want, const char *what)
{
    if (PQresultStatus(r) == want)
        return 1;
    lt_error("consolidator", "%s: %s", what, PQresultErrorMessage(r));
    return 0;
}

/* Runs a parameterized statement; text params, optional binary ones (lens>0). */
static PGresult *q(PGconn *db, const char *sql, int n, const char *const *vals, const int *lens,
                   const int *fmts)
{
    return PQexecParams(db, sql, n, NULL, vals, lens, fmts, 0);
}

/* ---- rebalance: offsets come from the database -------------------------- */

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    struct ctx *c = opaque;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        for (int i = 0; i < parts->cnt; i++) {
            rd_kafka_topic_partition_t *p = &parts->elems[i];
            char part[16];
            snprintf(part, sizeof part, "%d", p->partition);
            const char *v[] = { c->cfg.group, p->topic, part };
            PGresult *r = q(c->db, "SELECT next_offset FROM consumer_offsets WHERE group_id = $1 "
                            "AND topic = $2 AND partition = $3", 3, v, NULL, NULL);
            p->offset = RD_KAFKA_OFFSET_BEGINNING;
            if (db_ok(r, PGRES_TUPLES_OK, "read offsets") && PQntuples(r) == 1)
                p->offset = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
            PQclear(r);
        }
        lt_info("consolidator", "assigned %d partition(s); offsets from the database", parts->cnt);
        rd_kafka_assign(rk, parts);
    } else {
        rd_kafka_assign(rk, NULL);
    }
}

/* ---- one record ---------------------------------------------------------- */

static void dead_letter(struct ctx *c, const rd_kafka_message_t *m, const struct lt_admission *a)
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
    PGresult *r = q(c->db, "INSERT INTO dead_letter (kafka_topic, kafka_partition, kafka_offset, raw, "
                    "code, reason, agency_code, event_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    8, v, lens, fmts);
    db_ok(r, PGRES_COMMAND_OK, "dead letter");
    PQclear(r);
    c->refused++;
    lt_warn("consolidator", "refused %s/%d@%" PRId64 ": %s (%s): %s", rd_kafka_topic_name(m->rkt),
            m->partition, m->offset, a->code, a->stage, a->reason);
    if (c->dlq && *c->cfg.dead_letter_topic)
        rd_kafka_producev(c->dlq, RD_KAFKA_V_TOPIC(c->cfg.dead_letter_topic),
                          RD_KAFKA_V_VALUE(m->payload, m->len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                          RD_KAFKA_V_HEADER("lt_code", a->code, -1),
                          RD_KAFKA_V_HEADER("lt_reason", a->reason, -1),
                          RD_KAFKA_V_HEADER("lt_source_topic", rd_kafka_topic_name(m->rkt), -1),
                          RD_KAFKA_V_END);
}

static char *hex_bytea(const uint8_t *b, size_t n)
{
    char *s = lt_malloc(2 * n + 3);
    s[0] = '\\';
    s[1] = 'x';
    sodium_bin2hex(s + 2, 2 * n + 1, b, n);
    return s;
}

/* Stores an admitted event, or sees that it is a duplicate or a fork.
 * Returns 0 on success (any of the three), -1 on a database error. */
static void add_unique(char **list, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(list[i], s))
            return;
    list[(*n)++] = lt_strdup(s);
}

static int store(struct ctx *c, const rd_kafka_message_t *m, const struct lt_admission *a,
                 char **touched, size_t *n_touched, char **subjects, size_t *n_subjects)
{
    const Lienthong__V1__Header *h = a->ev->header;
    char id[LT_UUID_STRLEN + 1], seq[24], part[16], off[24], occ[32], rec[32];
    lt_uuid_format(h->event_id.data, id);
    snprintf(seq, sizeof seq, "%" PRIu64, h->sequence);
    snprintf(part, sizeof part, "%d", m->partition);
    snprintf(off, sizeof off, "%" PRId64, m->offset);
    snprintf(occ, sizeof occ, "%.3f", (double)h->occurred_at_ms / 1000.0);
    snprintf(rec, sizeof rec, "%.3f", (double)h->recorded_at_ms / 1000.0);
    char subject[64] = "";
    enum lt_subject_fault fault;
    char why[256];
    if (lt_subject_canonical_id(h->subject, subject, &fault, why, sizeof why) != LT_OK)
        return -1; /* validation already passed: cannot happen */
    const ProtobufCEnumValue *rs =
        protobuf_c_enum_descriptor_get_value(&lienthong__v1__rule_set__descriptor, (int)h->rule_set);
    const char *v[] = { id, h->agency_code, seq, a->type, (const char *)m->key, subject, occ, rec,
                        rs ? rs->name : "RULE_SET_UNSPECIFIED", (const char *)m->payload,
                        (const char *)a->event_hash, rd_kafka_topic_name(m->rkt), part, off,
                        (const char *)h->prev_hash.data };
    int lens[] = { 0, 0, 0, 0, (int)m->key_len, 0, 0, 0, 0, (int)m->len, LT_HASH_BYTES, 0, 0, 0,
                   (int)h->prev_hash.len };
    int fmts[] = { 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1 };
    PGresult *r = q(c->db,
                    "INSERT INTO event_store (event_id, agency_code, sequence, event_type, subject_key,"
                    " subject, occurred_at, recorded_at, rule_set, signed_bytes, event_hash,"
                    " kafka_topic, kafka_partition, kafka_offset, prev_hash) VALUES ($1, $2, $3, $4,"
                    " $5, $6, to_timestamp($7), to_timestamp($8), $9, $10, $11, $12, $13, $14, $15)"
                    " ON CONFLICT DO NOTHING RETURNING 1", 15, v, lens, fmts);
    if (!db_ok(r, PGRES_TUPLES_OK, "store event")) {
        PQclear(r);
        return -1;
    }
    int inserted = PQntuples(r) == 1;
    PQclear(r);
    if (inserted) {
        c->admitted++;
        add_unique(touched, n_touched, h->agency_code);
        add_unique(subjects, n_subjects, subject);
        return 0;
    }
    /* Already there: the same event again, or another one at its sequence. */
    const char *v2[] = { h->agency_code, seq };
    r = q(c->db, "SELECT event_id, event_hash FROM event_store WHERE agency_code = $1 AND "
          "sequence = $2", 2, v2, NULL, NULL);
    if (!db_ok(r, PGRES_TUPLES_OK, "look for duplicate")) {
        PQclear(r);
        return -1;
    }
    char *hx = hex_bytea(a->event_hash, LT_HASH_BYTES);
    int same = PQntuples(r) == 1 && !strcmp(PQgetvalue(r, 0, 1), hx);
    int rc = 0;
    if (same || PQntuples(r) == 0) {
        /* Same bytes at the same place (a re-send), or the same event id
         * re-delivered (PQntuples 0 means the id conflicted elsewhere:
         * counted as a duplicate; it cannot be a different valid event,
         * since the id is inside the signed bytes). */
        c->duplicates++;
    } else {
        const char *v3[] = { h->agency_code, seq, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), id,
                             hx, (const char *)m->payload, rd_kafka_topic_name(m->rkt), part, off };
        int l3[] = { 0, 0, 0, 0, 0, 0, (int)m->len, 0, 0, 0 };
        int f3[] = { 0, 0, 0, 0, 0, 0, 1, 0, 0, 0 };
        PGresult *r3 = q(c->db, "INSERT INTO forks (agency_code, sequence, stored_event_id,"
                         " stored_event_hash, rival_event_id, rival_event_hash, rival_signed_bytes,"
                         " kafka_topic, kafka_partition, kafka_offset) VALUES ($1, $2, $3,"
                         " decode(substr($4, 3), 'hex'), $5, decode(substr($6, 3), 'hex'), $7, $8,"
                         " $9, $10) ON CONFLICT DO NOTHING", 10, v3, l3, f3);
        if (!db_ok(r3, PGRES_COMMAND_OK, "record fork"))
            rc = -1;
        PQclear(r3);
        c->forks++;
        lt_error("consolidator", "FORK: agency %s sequence %s: stored event %s, rival %s "
                 "(%s/%d@%" PRId64 ")", h->agency_code, seq, PQgetvalue(r, 0, 0), id,
                 rd_kafka_topic_name(m->rkt), m->partition, m->offset);
    }
    free(hx);
    PQclear(r);
    return rc;
}

/* Moves the agency's chain head over contiguous, linking events: one query
 * reads the events above the head in order, and the head walks them in memory
 * until a gap or a link that does not match. */
static int advance_head(struct ctx *c, const char *agency)
{
    const char *v[] = { agency };
    PGresult *r = q(c->db, "SELECT last_sequence, encode(last_hash, 'hex') FROM chain_heads WHERE "
                    "agency_code = $1 FOR UPDATE", 1, v, NULL, NULL);
    if (!db_ok(r, PGRES_TUPLES_OK, "read chain head")) {
        PQclear(r);
        return -1;
    }
    long long head = 0;
    char hash[65] = "0000000000000000000000000000000000000000000000000000000000000000";
    if (PQntuples(r) == 1) {
        head = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        snprintf(hash, sizeof hash, "%s", PQgetvalue(r, 0, 1));
    }
    PQclear(r);
    long long start = head;
    char from[24];
    snprintf(from, sizeof from, "%lld", head);
    const char *v2[] = { agency, from };
    r = q(c->db, "SELECT sequence, event_id, encode(event_hash, 'hex'), encode(prev_hash, 'hex') "
          "FROM event_store WHERE agency_code = $1 AND sequence > $2 ORDER BY sequence LIMIT 100000",
          2, v2, NULL, NULL);
    if (!db_ok(r, PGRES_TUPLES_OK, "follow chain")) {
        PQclear(r);
        return -1;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        if (strtoll(PQgetvalue(r, i, 0), NULL, 10) != head + 1)
            break; /* a gap: the head waits here for the missing event */
        if (strcmp(PQgetvalue(r, i, 3), hash) != 0) {
            const char *v3[] = { agency, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), hash,
                                 PQgetvalue(r, i, 3) };
            PGresult *r3 = q(c->db, "INSERT INTO chain_breaks (agency_code, sequence, event_id, "
                             "expected_hash, found_hash) VALUES ($1, $2, $3, decode($4, 'hex'), "
                             "decode($5, 'hex')) ON CONFLICT DO NOTHING", 5, v3, NULL, NULL);
            db_ok(r3, PGRES_COMMAND_OK, "record chain break");
            PQclear(r3);
            lt_error("consolidator", "CHAIN BREAK: agency %s sequence %s does not link to %lld",
                     agency, PQgetvalue(r, i, 0), head);
            break;
        }
        snprintf(hash, sizeof hash, "%s", PQgetvalue(r, i, 2));
        head++;
    }
    PQclear(r);
    if (head == start)
        return 0;
    char hs[24];
    snprintf(hs, sizeof hs, "%lld", head);
    const char *v4[] = { agency, hs, hash };
    r = q(c->db, "INSERT INTO chain_heads (agency_code, last_sequence, last_hash) VALUES ($1, $2, "
          "decode($3, 'hex')) ON CONFLICT (agency_code) DO UPDATE SET last_sequence = "
          "EXCLUDED.last_sequence, last_hash = EXCLUDED.last_hash, updated_at = now()", 3, v4, NULL,
          NULL);
    int ok = db_ok(r, PGRES_COMMAND_OK, "move chain head");
    PQclear(r);
    return ok ? 0 : -1;
}

/* Folds one subject from all its stored events as of as_of into *fr.
 * Returns 0; -2 when the database failed (the batch must roll back); -1
 * (logged) when its events cannot be decoded or folded (a defect to report,
 * which must not stop everyone else's events). */
static int fold_subject(struct ctx *c, const char *subject, int32_t as_of,
                        struct lt_fold_result *fr)
{
    const char *v[] = { subject };
    PGresult *r = PQexecParams(c->db, "SELECT event_id::text, signed_bytes FROM event_store "
                               "WHERE subject = $1", 1, NULL, v, NULL, NULL, 1);
    if (!db_ok(r, PGRES_TUPLES_OK, "load subject")) {
        PQclear(r);
        return -2;
    }
    int n = PQntuples(r), rc = -1;
    struct lt_fold_input *in = lt_calloc((size_t)n + 1, sizeof *in);
    Lienthong__V1__SignedEvent **ses = lt_calloc((size_t)n + 1, sizeof *ses);
    Lienthong__V1__Event **evs = lt_calloc((size_t)n + 1, sizeof *evs);
    char err[256];
    for (int i = 0; i < n; i++) {
        /* Verified at admission; the store is append-only: decode only. */
        if (lt_envelope_open((const uint8_t *)PQgetvalue(r, i, 1), (size_t)PQgetlength(r, i, 1),
                             &ses[i]) != LT_ENVELOPE_OK ||
            lt_envelope_event(ses[i], &evs[i]) != LT_ENVELOPE_OK ||
            evs[i]->header->event_id.len != 16) {
            lt_error("consolidator", "stored event of %s cannot be decoded", subject);
            goto out;
        }
        in[i].ev = evs[i];
        memcpy(in[i].event_id, evs[i]->header->event_id.data, 16);
    }
    struct lt_fold_params params;
    lt_fold_params_default(&params);
    if (lt_fold_subject(in, (size_t)n, as_of, &params, fr, err, sizeof err) != LT_OK) {
        lt_error("consolidator", "fold of %s: %s", subject, err);
        goto out;
    }
    rc = 0;
out:
    for (int i = 0; i < n; i++) {
        if (evs[i])
            lienthong__v1__event__free_unpacked(evs[i], NULL);
        if (ses[i])
            lienthong__v1__signed_event__free_unpacked(ses[i], NULL);
    }
    free(evs);
    free(ses);
    free(in);
    PQclear(r);
    return rc;
}

/* Re-folds one subject from all its stored events and writes its row and
 * alerts (raising new ones, clearing those that no longer hold). */
static int project(struct ctx *c, const char *subject, int32_t as_of)
{
    int rc = -1;
    struct lt_fold_result *fr = lt_fold_result_new();
    json_t *row = NULL;
    int fr_rc = fold_subject(c, subject, as_of, fr);
    if (fr_rc == -1) {
        lt_error("consolidator", "the row of %s is not updated: its events do not fold "
                 "(see above); its events are stored", subject);
        rc = 0;
        goto out;
    }
    if (fr_rc != 0)
        goto out;
    row = lt_fold_row_json(fr);
    char *text = json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS);
    const char *kind = fr->kind == LT_SUBJECT_FOREIGNER ? "foreign_worker"
                     : fr->kind == LT_SUBJECT_CITIZEN ? "outbound_worker" : "employer";
    char day[LT_DATE_STRLEN + 1], cnt[16];
    lt_date_format(as_of, day);
    snprintf(cnt, sizeof cnt, "%zu", fr->events_folded);
    const char *v2[] = { subject, kind, text, day, cnt };
    PGresult *r2 = q(c->db, "INSERT INTO subject_rows (subject, kind, row, as_of, events) VALUES "
                     "($1, $2, $3, $4, $5) ON CONFLICT (subject) DO UPDATE SET kind = EXCLUDED.kind,"
                     " row = EXCLUDED.row, as_of = EXCLUDED.as_of, events = EXCLUDED.events,"
                     " updated_at = now()", 5, v2, NULL, NULL);
    int ok = db_ok(r2, PGRES_COMMAND_OK, "write subject row");
    PQclear(r2);
    free(text);
    if (!ok)
        goto out;
    /* Alerts: clear the open ones that no longer hold, then raise or refresh. */
    char codes[1024] = "{";
    size_t used = 1;
    size_t na = fr->alert_count < LT_FOLD_MAX_ALERTS ? fr->alert_count : LT_FOLD_MAX_ALERTS;
    for (size_t i = 0; i < na; i++)
        used += (size_t)snprintf(codes + used, sizeof codes - used, "%s%s", i ? "," : "",
                                 fr->alerts[i].code);
    snprintf(codes + used, sizeof codes - used, "}");
    const char *v3[] = { subject, codes };
    r2 = q(c->db, "UPDATE alerts SET cleared_at = now() WHERE subject = $1 AND cleared_at IS NULL "
           "AND NOT (code = ANY ($2::text[]))", 2, v3, NULL, NULL);
    ok = db_ok(r2, PGRES_COMMAND_OK, "clear alerts");
    PQclear(r2);
    for (size_t i = 0; ok && i < na; i++) {
        const struct lt_fold_alert *al = &fr->alerts[i];
        char ids[LT_FOLD_ALERT_EVENTS * 40 + 4] = "{", opened[LT_DATE_STRLEN + 1];
        size_t u = 1;
        for (size_t k = 0; k < al->event_count; k++) {
            char idt[LT_UUID_STRLEN + 1];
            lt_uuid_format(al->event_ids[k], idt);
            u += (size_t)snprintf(ids + u, sizeof ids - u, "%s%s", k ? "," : "", idt);
        }
        snprintf(ids + u, sizeof ids - u, "}");
        lt_date_format(al->opened_on, opened);
        const char *v4[] = { subject, al->code, opened, ids, al->message };
        r2 = q(c->db, "WITH upd AS (UPDATE alerts SET opened_on = $3, event_ids = $4, message = $5 "
               "WHERE subject = $1 AND code = $2 AND cleared_at IS NULL RETURNING 1) "
               "INSERT INTO alerts (subject, code, opened_on, event_ids, message) "
               "SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM upd)", 5, v4, NULL, NULL);
        ok = db_ok(r2, PGRES_COMMAND_OK, "raise alert");
        PQclear(r2);
    }
    rc = ok ? 0 : -1;
out:
    json_decref(row);
    lt_fold_result_free(fr);
    return rc;
}

/* --verify-rows: every subject's stored row against a fresh fold of its
 * events as of the row's own date. Returns the number of differences, -1 if
 * the subjects cannot be listed. */
static long verify_rows(struct ctx *c)
{
    PGresult *r = PQexec(c->db, "SELECT s.subject, r.as_of, r.row::text FROM (SELECT DISTINCT "
                         "subject FROM event_store) s LEFT JOIN subject_rows r USING (subject) "
                         "ORDER BY 1");
    if (!db_ok(r, PGRES_TUPLES_OK, "list subjects")) {
        PQclear(r);
        return -1;
    }
    long diffs = 0;
    int n = PQntuples(r);
    struct lt_fold_result *fr = lt_fold_result_new();
    for (int i = 0; i < n; i++) {
        const char *subject = PQgetvalue(r, i, 0);
        if (PQgetisnull(r, i, 1)) {
            printf("missing row: %s\n", subject);
            diffs++;
            continue;
        }
        int32_t as_of;
        char err[128];
        json_error_t je;
        json_t *stored = json_loads(PQgetvalue(r, i, 2), 0, &je);
        if (!stored || lt_date_parse(PQgetvalue(r, i, 1), &as_of, err, sizeof err) != LT_OK ||
            fold_subject(c, subject, as_of, fr) != 0) {
            printf("cannot check: %s\n", subject);
            diffs++;
            json_decref(stored);
            continue;
        }
        json_t *fresh = lt_fold_row_json(fr);
        if (!json_equal(stored, fresh)) {
            char *a = json_dumps(stored, JSON_COMPACT | JSON_SORT_KEYS);
            char *b = json_dumps(fresh, JSON_COMPACT | JSON_SORT_KEYS);
            printf("differs: %s\n  stored %s\n  folded %s\n", subject, a, b);
            free(a);
            free(b);
            diffs++;
        }
        json_decref(stored);
        json_decref(fresh);
    }
    lt_fold_result_free(fr);
    PQclear(r);
    printf("verify-rows: %d subject(s), %ld difference(s)\n", n, diffs);
    return diffs;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One transaction: the batch's records, chain heads, offsets. */
static int process_batch(struct ctx *c, rd_kafka_message_t **msgs, size_t n)
{
    char err[512];
    char **touched = lt_calloc(n + 1, sizeof *touched);
    char **subjects = lt_calloc(n + 1, sizeof *subjects);
    size_t n_touched = 0, n_subjects = 0;
    int rc = -1;
    static struct lt_admission a;
    if (lt_db_exec(c->db, "BEGIN", err, sizeof err) != LT_OK)
        goto out;
    for (size_t i = 0; i < n; i++) {
        rd_kafka_message_t *m = msgs[i];
        if (lt_admit(&c->keys, m->payload, m->len, m, &a)) {
            if (store(c, m, &a, touched, &n_touched, subjects, &n_subjects) != 0) {
                lt_admission_clear(&a);
                goto rollback;
            }
        } else {
            dead_letter(c, m, &a);
        }
        lt_admission_clear(&a);
    }
    /* Lock chain heads in one order so two instances cannot deadlock. */
    qsort(touched, n_touched, sizeof *touched, cmp_str);
    for (size_t i = 0; i < n_touched; i++)
        if (advance_head(c, touched[i]) != 0)
            goto rollback;
    /* The subjects' rows and alerts, in the same transaction as their events. */
    int32_t today = lt_date_vn_from_unix_ms(lt_now_ms());
    qsort(subjects, n_subjects, sizeof *subjects, cmp_str);
    for (size_t i = 0; i < n_subjects; i++)
        if (project(c, subjects[i], today) != 0)
            goto rollback;
    for (size_t i = 0; i < n; i++) {
        /* The last record of each partition in the batch carries its offset. */
        int last = 1;
        for (size_t k = i + 1; k < n; k++)
            if (msgs[k]->rkt == msgs[i]->rkt && msgs[k]->partition == msgs[i]->partition)
                last = 0;
        if (!last)
            continue;
        char part[16], next[24];
        snprintf(part, sizeof part, "%d", msgs[i]->partition);
        snprintf(next, sizeof next, "%" PRId64, msgs[i]->offset + 1);
        const char *v[] = { c->cfg.group, rd_kafka_topic_name(msgs[i]->rkt), part, next };
        PGresult *r = q(c->db, "INSERT INTO consumer_offsets (group_id, topic, partition, "
                        "next_offset) VALUES ($1, $2, $3, $4) ON CONFLICT (group_id, topic, partition)"
                        " DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()",
                        4, v, NULL, NULL);
        int ok = db_ok(r, PGRES_COMMAND_OK, "store offset");
        PQclear(r);
        if (!ok)
            goto rollback;
    }
    if (lt_db_exec(c->db, "COMMIT", err, sizeof err) != LT_OK) {
        lt_error("consolidator", "commit: %s", err);
        goto out;
    }
    rc = 0;
    goto out;
rollback:
    if (lt_db_exec(c->db, "ROLLBACK", err, sizeof err) != LT_OK)
        lt_error("consolidator", "rollback: %s", err);
out:
    for (size_t i = 0; i < n_touched; i++)
        free(touched[i]);
    free(touched);
    for (size_t i = 0; i < n_subjects; i++)
        free(subjects[i]);
    free(subjects);
    if (c->dlq)
        rd_kafka_poll(c->dlq, 0);
    return rc;
}

int main(int argc, char **argv)
{
    struct ctx c;
    memset(&c, 0, sizeof c);
    char err[1024];
    int status = 1;
    rd_kafka_message_t **batch = NULL;
    int rc = lt_config_load(&spec, &c.cfg, argc, argv, NULL, err, sizeof err);
    if (rc == 1)
        return 0;
    if (rc != LT_OK) {
        fprintf(stderr, "lt-consolidator: %s\n", err);
        return 2;
    }
    signal(SIGTERM, on_stop);
    signal(SIGINT, on_stop);
    if (lt_sign_init() != LT_OK ||
        lt_registry_new(c.cfg.registry, &c.reg, err, sizeof err) != LT_OK ||
        lt_keyfile_read_secret32(c.cfg.subject_key_file, c.secret, err, sizeof err) != LT_OK ||
        !(c.db = lt_db_connect(c.cfg.pg_url, "lt-consolidator", "lienthong, pg_catalog", err,
                               sizeof err)))
        goto fail;
    PGresult *r = PQexec(c.db, "SELECT max(version) FROM schema_migrations");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQgetisnull(r, 0, 0) ||
        atoi(PQgetvalue(r, 0, 0)) < 3) {
        snprintf(err, sizeof err, "the shared database is not migrated to version 3 (run "
                 "lt-migrate --migrations-dir deploy/sql/hub)");
        PQclear(r);
        goto fail;
    }
    PQclear(r);
    c.keys.registry = c.reg;
    c.keys.subject_secret = c.secret;
    if (c.cfg.verify_rows) {
        status = verify_rows(&c) == 0 ? 0 : 1;
        goto out;
    }

    /* Built here rather than with lt_kafka_consumer_new: the rebalance
     * callback, which seeks to the offsets stored in the database, must be
     * on the configuration before the consumer exists. */
    {
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        char cid[] = "lt-consolidator";
        const char *base[] = { "bootstrap.servers", c.cfg.kafka_bootstrap, "group.id", c.cfg.group,
                               "client.id", cid, "enable.auto.commit", "false",
                               "enable.auto.offset.store", "false", "auto.offset.reset", "earliest",
                               "topic.metadata.refresh.interval.ms", "5000",
                               "partition.assignment.strategy", "range", NULL };
        if (lt_kafka_conf_apply(conf, base, err, sizeof err) != LT_OK) {
            rd_kafka_conf_destroy(conf);
            goto fail;
        }
        rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
        rd_kafka_conf_set_opaque(conf, &c);
        if (!(c.consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err))) {
            rd_kafka_conf_destroy(conf);
            goto fail;
        }
        rd_kafka_poll_set_consumer(c.consumer);
    }
    if (*c.cfg.dead_letter_topic &&
        !(c.dlq = lt_kafka_producer_new(c.cfg.kafka_bootstrap, "lt-consolidator-dlq", NULL, NULL,
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
    lt_info("consolidator", "consuming %s in group %s", c.cfg.topic_pattern, c.cfg.group);

    batch = lt_calloc((size_t)c.cfg.batch, sizeof *batch);
    int64_t last_report = lt_mono_ms();
    while (run) {
        size_t n = 0;
        int64_t until = lt_mono_ms() + c.cfg.batch_wait_ms;
        while (run && n < (size_t)c.cfg.batch && lt_mono_ms() < until) {
            rd_kafka_message_t *m = rd_kafka_consumer_poll(c.consumer, 20);
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
        if (n && process_batch(&c, batch, n) != 0) {
            /* Nothing of the batch committed: rewind to the stored offsets
             * and try again after a pause (the database may be restarting). */
            lt_error("consolidator", "batch of %zu not committed; retrying from the stored "
                     "offsets", n);
            rd_kafka_topic_partition_list_t *asg = NULL;
            if (rd_kafka_assignment(c.consumer, &asg) == 0) {
                if (PQstatus(c.db) != CONNECTION_OK)
                    PQreset(c.db);
                rebalance_cb(c.consumer, RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS, asg, &c);
                rd_kafka_topic_partition_list_destroy(asg);
            }
            struct timespec ts = { 1, 0 };
            nanosleep(&ts, NULL);
        }
        for (size_t i = 0; i < n; i++)
            rd_kafka_message_destroy(batch[i]);
        if (lt_mono_ms() - last_report >= 10000) {
            lt_info("consolidator", "admitted %" PRIu64 ", duplicates %" PRIu64 ", refused %" PRIu64
                    ", forks %" PRIu64, c.admitted, c.duplicates, c.refused, c.forks);
            last_report = lt_mono_ms();
        }
    }
    lt_info("consolidator", "stopping: admitted %" PRIu64 ", duplicates %" PRIu64 ", refused %" PRIu64
            ", forks %" PRIu64, c.admitted, c.duplicates, c.refused, c.forks);
    status = 0;
    goto out;
fail:
    fprintf(stderr, "lt-consolidator: %s\n", err);
    lt_error("consolidator", "%s", err);
out:
    free(batch);
    if (c.consumer) {
        rd_kafka_consumer_close(c.consumer);
        rd_kafka_destroy(c.consumer);
    }
    if (c.dlq) {
        rd_kafka_flush(c.dlq, 5000);
        rd_kafka_destroy(c.dlq);
    }
    PQfinish(c.db);
    lt_registry_free(c.reg);
    sodium_memzero(c.secret, sizeof c.secret);
    lt_config_free(&spec, &c.cfg);
    return status;
}
