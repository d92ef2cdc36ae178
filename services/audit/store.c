/* store.c — the replay of the event store.
 *
 * One REPEATABLE READ, READ ONLY transaction: everything read sees the same
 * snapshot. Two cursors, employers first (a worker's alert needs its
 * employer's fold), each ordered by subject then ingestion:
 *
 *   FETCH a chunk → copy rows → check every event on every core (lt_admit
 *   with the registry: signature with the key valid at recordedAt, agency,
 *   permission, validation; the hash recomputed; the columns against the
 *   signed bytes) → chain links → the subjects complete in the chunk: their
 *   live rows and open alerts → fold each on every core as of its row's date
 *   (or --as-of) → diff (or aggregate).
 *
 * Nothing from the columns is trusted: a row is located by them only when
 * its bytes do not decode. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uthash.h>

#include "audit.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/parallel.h"
#include "core/uuid.h"
#include "db/db.h"
#include "event/subject.h"
#include "fold/stored.h"

/* One stored event, copied out of the fetched result, and its check. */
struct ev {
    char *subject;       /* the subject column (owned) */
    char col_agency[AU_AGENCY_MAX], col_event_id[LT_UUID_STRLEN + 1], partition[160];
    uint64_t col_seq;
    int64_t ingest_seq, offset;
    uint8_t col_hash[LT_HASH_BYTES], col_prev[LT_HASH_BYTES];
    int col_hash_len, col_prev_len;
    uint8_t *bytes;      /* signed_bytes (owned) */
    size_t len;
    /* Filled by check_one. */
    int decoded, ok;
    char agency[AU_AGENCY_MAX];
    uint64_t seq;
    uint8_t prev[LT_HASH_BYTES], hash[LT_HASH_BYTES];
    const char *kind;    /* first fault, NULL when none */
    char why[440];
};

/* One subject of a chunk. */
struct subj {
    const char *subject;
    size_t first, count; /* its events in the chunk */
    int32_t as_of;
    int has_row;
    char *live_row, *live_kind;
    long live_events;
    struct lt_fold_stored f;
    char why[256];       /* when the fold refused */
};

struct employer {
    char code[LT_FOLD_CODE_MAX];
    struct lt_fold_employer row;
    UT_hash_handle hh;
};

struct job {
    struct au *a;
    struct ev *evs;
    struct subj *s;
    const uint8_t **bufs;
    size_t *lens;
};

static void fault(struct ev *e, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fault(struct ev *e, const char *kind, const char *fmt, ...)
{
    if (e->kind)
        return; /* the first fault decides */
    e->kind = kind;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->why, sizeof e->why, fmt, ap);
    va_end(ap);
}

/* Where a refusal by lt_admit puts an event. */
static const char *refusal_kind(const struct lt_admission *ad)
{
    if (!strcmp(ad->stage, "envelope") || !strcmp(ad->stage, "decode"))
        return "altered";
    if (!strcmp(ad->stage, "signature"))
        return "bad_signature";
    if (!strcmp(ad->stage, "key") || !strcmp(ad->stage, "authorize"))
        return "forged";
    return "invalid";
}

static void check_one(void *arg, size_t i)
{
    struct job *j = arg;
    struct ev *e = &j->evs[i];
    struct lt_admission ad;
    lt_admit(&j->a->keys, e->bytes, e->len, NULL, &ad);
    Lienthong__V1__Event *ev = ad.ev, *own = NULL;
    if (!ad.ok)
        fault(e, refusal_kind(&ad), "%s (%s: %s)", ad.reason, ad.stage, ad.code);
    if (!ev && ad.se && lt_envelope_event(ad.se, &own) == LT_ENVELOPE_OK)
        ev = own; /* not trusted: only to say where the event claims to be */
    if (ev && ev->header && ev->header->agency_code) {
        e->decoded = 1;
        snprintf(e->agency, sizeof e->agency, "%s", ev->header->agency_code);
        e->seq = ev->header->sequence;
        lt_hash_event(e->hash, ad.se->event.data, ad.se->event.len);
        memset(e->prev, 0, sizeof e->prev);
        if (ev->header->prev_hash.len == LT_HASH_BYTES)
            memcpy(e->prev, ev->header->prev_hash.data, LT_HASH_BYTES);
        char id[LT_UUID_STRLEN + 1] = "", subject[LT_SUBJECT_ID_MAX] = "", why[128];
        enum lt_subject_fault sf;
        if (ev->header->event_id.len == LT_UUID_BYTES)
            lt_uuid_format(ev->header->event_id.data, id);
        if (lt_subject_canonical_id(ev->header->subject, subject, &sf, why, sizeof why) != LT_OK)
            subject[0] = 0;
        if (strcmp(e->col_agency, e->agency) || e->col_seq != e->seq)
            fault(e, "moved", "the row says agency %s sequence %" PRIu64 " but its signed bytes "
                  "are %s sequence %" PRIu64 " (rows swapped or renumbered)", e->col_agency,
                  e->col_seq, e->agency, e->seq);
        if (strcmp(e->col_event_id, id))
            fault(e, "moved", "the row's event_id %s is not the signed event's id %s",
                  e->col_event_id, id);
        if (strcmp(e->subject, subject))
            fault(e, "moved", "the row's subject column is not the signed event's subject");
        if (e->col_hash_len != LT_HASH_BYTES || memcmp(e->col_hash, e->hash, LT_HASH_BYTES))
            fault(e, "hash_column", "the event_hash column does not match the BLAKE2b hash of "
                  "the stored event bytes");
        if (e->col_prev_len != LT_HASH_BYTES || memcmp(e->col_prev, e->prev, LT_HASH_BYTES))
            fault(e, "hash_column", "the prev_hash column differs from the event's prev_hash");
    } else {
        snprintf(e->agency, sizeof e->agency, "%s", e->col_agency);
        e->seq = e->col_seq;
    }
    e->ok = ad.ok && !e->kind;
    if (own)
        lienthong__v1__event__free_unpacked(own, NULL);
    lt_admission_clear(&ad);
}

static void fold_one(void *arg, size_t i)
{
    struct job *j = arg;
    struct subj *s = &j->s[i];
    for (size_t k = 0; k < s->count; k++) {
        j->bufs[s->first + k] = j->evs[s->first + k].bytes;
        j->lens[s->first + k] = j->evs[s->first + k].len;
    }
    if (lt_fold_stored_signed(j->bufs + s->first, j->lens + s->first, s->count, s->as_of,
                              &j->a->params, &s->f, s->why, sizeof s->why) != LT_OK)
        return; /* s->f.ok is 0: diffed as "cannot be rebuilt", with s->why */
}

/* ---- the live side ------------------------------------------------------ */

/* The subjects one per line, for "= ANY(SUBJECTS)" (canonical subject ids
 * never hold a line break). */
#define SUBJECTS "string_to_array($1, E'\\n')"
static char *subject_lines(const struct subj *s, size_t n)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(s[i].subject) + 1;
    char *out = lt_malloc(len), *p = out;
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(s[i].subject);
        memcpy(p, s[i].subject, k);
        p += k;
        *p++ = '\n';
    }
    *(p > out ? p - 1 : p) = 0;
    return out;
}

static int cmp_subj(const void *k, const void *e)
{
    return strcmp(k, ((const struct subj *)e)->subject);
}

/* Fills each subject's live row and the date to fold it as of. */
static int load_live(struct au *a, struct subj *s, size_t n, char *err, size_t errlen)
{
    char *arr = subject_lines(s, n);
    const char *v[] = { arr };
    PGresult *r = PQexecParams(a->db, "SELECT subject, kind, row::text, as_of::text, events FROM "
                               "subject_rows WHERE subject = ANY(" SUBJECTS ")", 1, NULL, v,
                               NULL, NULL, 0);
    free(arr);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        lt_err_set(err, errlen, LT_ERR_DB, "read live rows: %s", PQresultErrorMessage(r));
        PQclear(r);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        s[i].as_of = a->as_of != LT_DATE_NONE ? a->as_of : a->today;
    for (int k = 0; k < PQntuples(r); k++) {
        struct subj *t = bsearch(PQgetvalue(r, k, 0), s, n, sizeof *s, cmp_subj);
        char why[128];
        int32_t day;
        if (!t)
            continue;
        t->has_row = 1;
        t->live_kind = lt_strdup(PQgetvalue(r, k, 1));
        t->live_row = lt_strdup(PQgetvalue(r, k, 2));
        t->live_events = strtol(PQgetvalue(r, k, 4), NULL, 10);
        if (a->as_of == LT_DATE_NONE && lt_date_parse(PQgetvalue(r, k, 3), &day, why,
                                                      sizeof why) == LT_OK)
            t->as_of = day;
    }
    PQclear(r);
    return 0;
}

static const char *kind_name(enum lt_subject_kind k)
{
    return k == LT_SUBJECT_FOREIGNER ? "foreign_worker"
         : k == LT_SUBJECT_CITIZEN ? "outbound_worker" : "employer";
}

/* The open alerts of the subjects against the rebuilt ones. */
static int diff_alerts(struct au *a, struct subj *s, size_t n, char *err, size_t errlen)
{
    char *arr = subject_lines(s, n);
    const char *v[] = { arr };
    PGresult *r = PQexecParams(a->db, "SELECT subject, code, opened_on::text FROM alerts WHERE "
                               "cleared_at IS NULL AND subject = ANY(" SUBJECTS ") ORDER BY 1, 2",
                               1, NULL, v, NULL, NULL, 0);
    free(arr);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        lt_err_set(err, errlen, LT_ERR_DB, "read open alerts: %s", PQresultErrorMessage(r));
        PQclear(r);
        return -1;
    }
    int rows = PQntuples(r);
    unsigned char *seen = lt_calloc((size_t)rows + 1, 1);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; s[i].f.ok && k < s[i].f.n_alerts; k++) {
            const struct lt_fold_alert *al = &s[i].f.alerts[k];
            char day[LT_DATE_STRLEN + 1];
            lt_date_format(al->opened_on, day);
            int hit = -1;
            for (int q = 0; q < rows && hit < 0; q++)
                if (!seen[q] && !strcmp(PQgetvalue(r, q, 0), s[i].subject) &&
                    !strcmp(PQgetvalue(r, q, 1), al->code) && !strcmp(PQgetvalue(r, q, 2), day))
                    hit = q;
            a->n.alerts_compared++;
            if (hit >= 0)
                seen[hit] = 1;
            else
                au_diff(a, "alert: %s %s open since %s in the rebuild, not open in the live "
                        "table", s[i].subject, al->code, day);
        }
    }
    for (int q = 0; q < rows; q++)
        if (!seen[q])
            au_diff(a, "alert: %s %s open since %s in the live table, not in the rebuild",
                    PQgetvalue(r, q, 0), PQgetvalue(r, q, 1), PQgetvalue(r, q, 2));
    free(seen);
    PQclear(r);
    return 0;
}

static void diff_rows(struct au *a, struct subj *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        a->n.rows_compared++;
        if (!s[i].f.ok) {
            au_diff(a, "row: %s cannot be rebuilt: %s", s[i].subject, s[i].why);
            continue;
        }
        if (!s[i].has_row) {
            au_diff(a, "row: %s has events but no live row (rebuilt %s)", s[i].subject,
                    s[i].f.row_text);
            continue;
        }
        json_error_t je;
        json_t *live = json_loads(s[i].live_row, 0, &je);
        json_t *fresh = json_loads(s[i].f.row_text, 0, &je);
        if (!live || !fresh || !json_equal(live, fresh))
            au_diff(a, "row: %s differs\n  live    %s\n  rebuilt %s", s[i].subject,
                    s[i].live_row, s[i].f.row_text);
        else if (strcmp(s[i].live_kind, kind_name(s[i].f.kind)) ||
                 s[i].live_events != (long)s[i].f.events)
            au_diff(a, "row: %s is kind %s of %ld events live, %s of %zu rebuilt", s[i].subject,
                    s[i].live_kind, s[i].live_events, kind_name(s[i].f.kind), s[i].f.events);
        json_decref(live);
        json_decref(fresh);
    }
}

/* ---- as of a date: the query service's questions ------------------------- */

static void bump(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key && *key ? key : "unknown");
    json_object_set_new(obj, key && *key ? key : "unknown",
                        json_integer(v ? json_integer_value(v) + 1 : 1));
}

static int in_year(json_t *row, const char *field, int year)
{
    const char *d = json_string_value(json_object_get(row, field));
    return d && strlen(d) >= 4 && atoi(d) == year;
}

static void aggregate(struct au *a, const struct subj *s)
{
    json_error_t je;
    json_t *row = json_loads(s->f.row_text, 0, &je);
    if (!row)
        return;
    int year;
    unsigned mo, d;
    lt_date_to_civil(a->as_of, &year, &mo, &d);
    json_t *fw = json_object_get(a->aggregates, "foreignWorkers");
    json_t *ob = json_object_get(a->aggregates, "outbound");
    if (s->f.kind == LT_SUBJECT_FOREIGNER) {
        bump(fw, "onRecord");
        if (json_is_true(json_object_get(row, "present"))) {
            bump(fw, "present");
            bump(json_object_get(fw, "presentByProvince"),
                 json_string_value(json_object_get(row, "residenceProvince")));
            bump(json_object_get(fw, "presentByNationality"),
                 json_string_value(json_object_get(row, "nationality")));
            bump(json_object_get(fw, "presentByPermitState"),
                 json_string_value(json_object_get(row, "permitState")));
        }
    } else if (s->f.kind == LT_SUBJECT_CITIZEN) {
        json_t *t = json_object_get(ob, "totals");
        bump(t, "personsOnRecord");
        if (in_year(row, "registeredOn", year))
            bump(t, "registered");
        if (in_year(row, "lastTrainingOn", year))
            bump(t, "trained");
        if (in_year(row, "departedOn", year))
            bump(t, "departed");
        if (json_is_true(json_object_get(row, "abroad")))
            bump(t, "abroadNow");
        if (in_year(row, "returnedOn", year))
            bump(t, "returned");
    }
    json_decref(row);
}

static void aggregates_init(struct au *a)
{
    int year;
    unsigned mo, d;
    lt_date_to_civil(a->as_of, &year, &mo, &d);
    a->aggregates = json_pack(
        "{s:{s:i, s:i, s:{}, s:{}, s:{}}, s:{s:i, s:{s:i, s:i, s:i, s:i, s:i, s:i}}}",
        "foreignWorkers", "onRecord", 0, "present", 0, "presentByProvince", "presentByNationality",
        "presentByPermitState", "outbound", "year", year, "totals", "registered", 0, "trained", 0,
        "departed", 0, "abroadNow", 0, "returned", 0, "personsOnRecord", 0);
}

/* ---- the replay ----------------------------------------------------------- */

static void ev_free(struct ev *e)
{
    free(e->subject);
    free(e->bytes);
}

static void copy_row(PGresult *r, int i, struct ev *e)
{
    memset(e, 0, sizeof *e);
    e->ingest_seq = strtoll(PQgetvalue(r, i, 0), NULL, 10);
    snprintf(e->col_agency, sizeof e->col_agency, "%s", PQgetvalue(r, i, 1));
    e->col_seq = strtoull(PQgetvalue(r, i, 2), NULL, 10);
    snprintf(e->col_event_id, sizeof e->col_event_id, "%s", PQgetvalue(r, i, 3));
    e->subject = lt_strdup(PQgetvalue(r, i, 4));
    e->col_hash_len = PQgetlength(r, i, 5);
    if (e->col_hash_len == LT_HASH_BYTES)
        memcpy(e->col_hash, PQgetvalue(r, i, 5), LT_HASH_BYTES);
    e->col_prev_len = PQgetlength(r, i, 6);
    if (e->col_prev_len == LT_HASH_BYTES)
        memcpy(e->col_prev, PQgetvalue(r, i, 6), LT_HASH_BYTES);
    snprintf(e->partition, sizeof e->partition, "%s/%s", PQgetvalue(r, i, 7), PQgetvalue(r, i, 8));
    e->offset = strtoll(PQgetvalue(r, i, 9), NULL, 10);
    e->len = (size_t)PQgetlength(r, i, 10);
    e->bytes = lt_malloc(e->len + 1);
    memcpy(e->bytes, PQgetvalue(r, i, 10), e->len);
}

/* Checks evs[from..n) (those before were checked in an earlier chunk),
 * records findings and links, and folds the subjects wholly inside
 * evs[0..upto). Employers are remembered in *emp. */
static int process(struct au *a, struct ev *evs, size_t from, size_t n, size_t upto,
                   int employers, struct employer **emp, char *err, size_t errlen)
{
    struct job j = { a, evs + from, NULL, NULL, NULL };
    lt_parallel_for((unsigned)a->cfg.threads, n - from, check_one, &j);
    j.evs = evs;
    for (size_t i = from; i < n; i++) {
        struct ev *e = &evs[i];
        a->n.events++;
        if (e->ok)
            a->n.events_ok++;
        if (e->kind)
            au_find(a, e->agency, e->seq, e->kind, "%s", e->why);
        if (!e->decoded)
            continue;
        au_log_match(a, e->agency, e->seq, e->hash);
        if (a->n_links == a->cap_links) {
            a->cap_links = a->cap_links ? 2 * a->cap_links : 65536;
            a->links = lt_realloc(a->links, a->cap_links * sizeof *a->links);
        }
        struct au_link *l = &a->links[a->n_links++];
        l->agency = au_intern(&a->agencies, &a->n_agencies, e->agency);
        l->partition = au_intern(&a->partitions, &a->n_partitions, e->partition);
        l->seq = e->seq;
        l->offset = e->offset;
        l->ingest_seq = e->ingest_seq;
        l->dup = 0;
        memcpy(l->prev_hash, e->prev, LT_HASH_BYTES);
        memcpy(l->hash, e->hash, LT_HASH_BYTES);
    }
    /* Subjects. */
    struct subj *s = lt_calloc(upto + 1, sizeof *s);
    size_t ns = 0;
    for (size_t i = 0; i < upto; i++) {
        if (!ns || strcmp(s[ns - 1].subject, evs[i].subject)) {
            s[ns].subject = evs[i].subject;
            s[ns].first = i;
            ns++;
        }
        s[ns - 1].count++;
    }
    int rc = 0;
    if (ns && load_live(a, s, ns, err, errlen) != 0)
        rc = -1;
    if (ns && rc == 0) {
        j.s = s;
        j.bufs = lt_calloc(upto, sizeof *j.bufs);
        j.lens = lt_calloc(upto, sizeof *j.lens);
        lt_parallel_for((unsigned)a->cfg.threads, ns, fold_one, &j);
        free(j.bufs);
        free(j.lens);
        for (size_t i = 0; i < ns; i++) {
            a->n.subjects++;
            if (employers && s[i].f.ok && s[i].f.em) {
                struct employer *m = lt_calloc(1, sizeof *m);
                snprintf(m->code, sizeof m->code, "%s", s[i].f.em->enterprise_code);
                m->row = *s[i].f.em;
                HASH_ADD_STR(*emp, code, m);
            }
            if (!employers && s[i].f.ok && s[i].f.fw) {
                struct employer *m = NULL;
                HASH_FIND_STR(*emp, s[i].f.fw->employer_enterprise_code, m);
                lt_fold_stored_employer_alert(&s[i].f, m ? &m->row : NULL, s[i].as_of);
            }
            if (a->aggregates && s[i].f.ok && s[i].f.events > 0)
                aggregate(a, &s[i]); /* on record by then */
        }
        if (!a->aggregates) {
            diff_rows(a, s, ns);
            if (diff_alerts(a, s, ns, err, errlen) != 0)
                rc = -1;
        }
    }
    for (size_t i = 0; i < ns; i++) {
        lt_fold_stored_clear(&s[i].f);
        free(s[i].live_row);
        free(s[i].live_kind);
    }
    free(s);
    return rc;
}

static int replay_cursor(struct au *a, const char *declare, int employers, struct employer **emp,
                         char *err, size_t errlen)
{
    if (lt_db_exec(a->db, declare, err, errlen) != LT_OK)
        return -1;
    char fetch[64];
    snprintf(fetch, sizeof fetch, "FETCH %lld FROM replay", a->cfg.chunk);
    struct ev *evs = NULL;
    size_t n = 0, cap = 0, carried = 0;
    int rc = 0, done = 0;
    while (!done && rc == 0) {
        /* Binary results: bytea as bytes; every other column is text. */
        PGresult *r = PQexecParams(a->db, fetch, 0, NULL, NULL, NULL, NULL, 1);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            lt_err_set(err, errlen, LT_ERR_DB, "fetch events: %s", PQresultErrorMessage(r));
            PQclear(r);
            rc = -1;
            break;
        }
        int rows = PQntuples(r);
        done = rows < a->cfg.chunk;
        if (n + (size_t)rows > cap) {
            cap = n + (size_t)rows + 16;
            evs = lt_realloc(evs, cap * sizeof *evs);
        }
        for (int i = 0; i < rows; i++)
            copy_row(r, i, &evs[n + (size_t)i]);
        PQclear(r);
        size_t total = n + (size_t)rows;
        if (!total)
            break;
        /* The last subject may go on in the next chunk: hold it back. */
        size_t upto = total;
        if (!done)
            while (upto > 0 && !strcmp(evs[upto - 1].subject, evs[total - 1].subject))
                upto--;
        if (upto == 0 && !done) { /* one subject larger than the chunk: read on */
            n = total;            /* evs[0..carried) stay checked */
            continue;
        }
        rc = process(a, evs, carried, total, upto, employers, emp, err, errlen);
        for (size_t i = 0; i < upto; i++)
            ev_free(&evs[i]);
        memmove(evs, evs + upto, (total - upto) * sizeof *evs);
        n = carried = total - upto;
        au_progress(a, a->store_count, 0);
    }
    for (size_t i = 0; i < n; i++)
        ev_free(&evs[i]);
    free(evs);
    char e2[256];
    if (lt_db_exec(a->db, "CLOSE replay", e2, sizeof e2) != LT_OK && rc == 0) {
        lt_err_set(err, errlen, LT_ERR_DB, "%s", e2);
        rc = -1;
    }
    return rc;
}

#define EVENT_COLUMNS "SELECT ingest_seq::text, agency_code, sequence::text, event_id::text, " \
    "subject, event_hash, prev_hash, kafka_topic, kafka_partition::text, kafka_offset::text, " \
    "signed_bytes FROM event_store WHERE "

/* Live rows and open alerts of subjects that have no event at all. */
static int orphans(struct au *a, char *err, size_t errlen)
{
    PGresult *r = PQexec(a->db, "SELECT 'row', subject FROM subject_rows r WHERE NOT EXISTS "
                         "(SELECT 1 FROM event_store e WHERE e.subject = r.subject) UNION ALL "
                         "SELECT 'alert ' || code, subject FROM alerts a WHERE cleared_at IS NULL "
                         "AND NOT EXISTS (SELECT 1 FROM event_store e WHERE e.subject = a.subject)"
                         " ORDER BY 2, 1");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        lt_err_set(err, errlen, LT_ERR_DB, "look for rows without events: %s",
                   PQresultErrorMessage(r));
        PQclear(r);
        return -1;
    }
    for (int i = 0; i < PQntuples(r); i++)
        au_diff(a, "%s: %s is live but no stored event is about it", PQgetvalue(r, i, 0),
                PQgetvalue(r, i, 1));
    PQclear(r);
    return 0;
}

int au_store_replay(struct au *a, char *err, size_t errlen)
{
    if (lt_db_exec(a->db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err, errlen) != LT_OK)
        return -1;
    int rc = -1;
    struct employer *emp = NULL, *m, *tmp;
    PGresult *r = PQexec(a->db, "SELECT count(*), coalesce(max(ingest_seq), 0) FROM event_store");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        lt_err_set(err, errlen, LT_ERR_DB, "count events: %s", PQresultErrorMessage(r));
        PQclear(r);
        goto out;
    }
    a->store_count = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    a->store_max_ingest = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    PQclear(r);
    if (a->as_of != LT_DATE_NONE)
        aggregates_init(a);
    /* Employers first: their folds feed their workers' alert. */
    if (replay_cursor(a, "DECLARE replay NO SCROLL CURSOR FOR " EVENT_COLUMNS
                      "subject LIKE 'enterprise:%' ORDER BY subject COLLATE \"C\", ingest_seq",
                      1, &emp, err, errlen) != 0 ||
        replay_cursor(a, "DECLARE replay NO SCROLL CURSOR FOR " EVENT_COLUMNS
                      "subject NOT LIKE 'enterprise:%' ORDER BY subject COLLATE \"C\", ingest_seq",
                      0, &emp, err, errlen) != 0)
        goto out;
    if (a->as_of == LT_DATE_NONE && orphans(a, err, errlen) != 0)
        goto out;
    au_progress(a, a->store_count, 1);
    rc = 0;
out:
    HASH_ITER(hh, emp, m, tmp) {
        HASH_DEL(emp, m);
        free(m);
    }
    char e2[256];
    if (lt_db_exec(a->db, "COMMIT", e2, sizeof e2) != LT_OK && rc == 0) {
        lt_err_set(err, errlen, LT_ERR_DB, "%s", e2);
        rc = -1;
    }
    return rc;
}
