/* project.c — the subjects' rows and alerts, as a deterministic fold of
 * their stored events (common/fold), for a whole batch at once:
 *
 *   subjects (+ the foreign workers of touched employers)
 *     → advisory locks, one order     (two instances never fold one subject
 *                                      from half its events each)
 *     → one query loads every event of every subject
 *     → decode + fold on every core
 *     → the cross-subject employer_no_approved_demand alert
 *     → COPY into staging tables → upsert rows, clear/refresh/raise alerts.
 *
 * --verify-rows runs the same load-and-fold over every stored subject, as of
 * each row's own date, and compares. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cons.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/parallel.h"
#include "core/uuid.h"
#include "db/db.h"
#include "fold/stored.h"

#define LOCK_CLASS "74110" /* advisory lock class of subjects */
#define ENTERPRISE "enterprise:"

/* One subject's fold. */
struct subj {
    const char *subject;
    int32_t as_of;
    int first, count;       /* its rows in the loaded result */
    struct lt_fold_stored f; /* the fold (common/fold/stored.h) */
};

struct fold_job {
    const struct lt_fold_params *params;
    PGresult *res;
    struct subj *s;
};

/* Decodes and folds subject i of the job (called on any thread). */
static void fold_one(void *arg, size_t i)
{
    struct fold_job *j = arg;
    struct subj *s = &j->s[i];
    if (s->count == 0)
        return;
    const uint8_t **bufs = lt_calloc((size_t)s->count, sizeof *bufs);
    size_t *lens = lt_calloc((size_t)s->count, sizeof *lens);
    for (int k = 0; k < s->count; k++) {
        /* Verified at admission; the store is append-only: decode only. */
        bufs[k] = (const uint8_t *)PQgetvalue(j->res, s->first + k, 1);
        lens[k] = (size_t)PQgetlength(j->res, s->first + k, 1);
    }
    char err[256];
    if (lt_fold_stored_signed(bufs, lens, (size_t)s->count, s->as_of, j->params, &s->f, err,
                              sizeof err) != LT_OK)
        lt_error("consolidator", "fold of %s: %s; its row is not updated", s->subject, err);
    free(lens);
    free(bufs);
}

static void subj_free(struct subj *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        lt_fold_stored_clear(&s[i].f);
    free(s);
}

static int locks(struct cons *c, char **subjects, size_t n)
{
    if (!n)
        return 0;
    char *arr = cons_text_array(subjects, n);
    const char *v[] = { arr };
    PGresult *r = cons_q(c->db, "SELECT count(pg_advisory_xact_lock(" LOCK_CLASS ", k)) FROM "
                         "(SELECT DISTINCT hashtext(s) AS k FROM unnest($1::text[]) s ORDER BY 1 "
                         "OFFSET 0) x", 1, v, NULL, NULL);
    int ok = cons_ok(r, PGRES_TUPLES_OK, "lock subjects");
    PQclear(r);
    free(arr);
    return ok ? 0 : -1;
}

/* Loads every stored event of the sorted, distinct subjects[] and folds each
 * as of its own s[i].as_of. On success *res holds the loaded events (the
 * caller PQclears it after using s). Returns 0 or -1. */
static int load_and_fold(struct cons *c, struct subj *s, size_t n, PGresult **res)
{
    char **names = lt_calloc(n + 1, sizeof *names);
    for (size_t i = 0; i < n; i++)
        names[i] = (char *)s[i].subject;
    char *arr = cons_text_array(names, n);
    free(names);
    const char *v[] = { arr };
    PGresult *r = PQexecParams(c->db, "SELECT subject, signed_bytes FROM event_store WHERE "
                               "subject = ANY($1::text[]) ORDER BY subject COLLATE \"C\", ingest_seq",
                               1, NULL, v, NULL, NULL, 1);
    free(arr);
    if (!cons_ok(r, PGRES_TUPLES_OK, "load subjects' events")) {
        PQclear(r);
        return -1;
    }
    int rows = PQntuples(r), row = 0;
    for (size_t i = 0; i < n; i++) {
        /* Both sides in byte order: walk them together. */
        while (row < rows && strcmp(PQgetvalue(r, row, 0), s[i].subject) < 0)
            row++;
        s[i].first = row;
        while (row < rows && strcmp(PQgetvalue(r, row, 0), s[i].subject) == 0)
            row++;
        s[i].count = row - s[i].first;
    }
    struct fold_job job = { &c->params, r, s };
    lt_parallel_for((unsigned)c->cfg.threads, n, fold_one, &job);
    *res = r;
    return 0;
}

static int cmp_subj(const void *key, const void *elem)
{
    return strcmp(key, ((const struct subj *)elem)->subject);
}

/* The cross-subject alert: each folded foreign worker against its employer's
 * approved demands (the employer folded here, or its stored row, read under
 * its subject lock). */
static int employer_alerts(struct cons *c, struct subj *s, size_t n)
{
    char **missing = NULL;
    size_t n_missing = 0, cap = 0;
    char key[LT_FOLD_CODE_MAX + 16];
    for (size_t i = 0; i < n; i++) {
        if (!s[i].f.ok || !s[i].f.fw || !*s[i].f.fw->employer_enterprise_code)
            continue;
        snprintf(key, sizeof key, ENTERPRISE "%s", s[i].f.fw->employer_enterprise_code);
        if (!bsearch(key, s, n, sizeof *s, cmp_subj))
            cons_strset_add(&missing, &n_missing, &cap, key);
    }
    cons_strset_sort_unique(missing, &n_missing);
    PGresult *r = NULL;
    int rc = -1;
    struct lt_fold_employer *stored = NULL;
    if (n_missing) {
        if (locks(c, missing, n_missing) != 0)
            goto out;
        char *arr = cons_text_array(missing, n_missing);
        const char *v[] = { arr };
        r = cons_q(c->db, "SELECT subject, row::text FROM subject_rows WHERE subject = "
                   "ANY($1::text[]) AND kind = 'employer'", 1, v, NULL, NULL);
        free(arr);
        if (!cons_ok(r, PGRES_TUPLES_OK, "read employers"))
            goto out;
        stored = lt_calloc((size_t)PQntuples(r) + 1, sizeof *stored);
        for (int k = 0; k < PQntuples(r); k++)
            if (lt_fold_stored_employer_from_row(PQgetvalue(r, k, 1), &stored[k]) != LT_OK)
                lt_warn("consolidator", "the stored row of %s is not a JSON object",
                        PQgetvalue(r, k, 0));
    }
    for (size_t i = 0; i < n; i++) {
        if (!s[i].f.ok || !s[i].f.fw)
            continue;
        const struct lt_fold_employer *ep = NULL;
        snprintf(key, sizeof key, ENTERPRISE "%s", s[i].f.fw->employer_enterprise_code);
        const struct subj *es = *s[i].f.fw->employer_enterprise_code
                                    ? bsearch(key, s, n, sizeof *s, cmp_subj) : NULL;
        if (es)
            ep = es->f.em; /* NULL if its events did not fold */
        for (int k = 0; !es && r && k < PQntuples(r); k++)
            if (strcmp(PQgetvalue(r, k, 0), key) == 0)
                ep = &stored[k];
        lt_fold_stored_employer_alert(&s[i].f, ep, s[i].as_of);
    }
    rc = 0;
out:
    free(stored);
    PQclear(r);
    cons_strset_free(missing, n_missing);
    return rc;
}

static const char *kind_name(enum lt_subject_kind k)
{
    return k == LT_SUBJECT_FOREIGNER ? "foreign_worker"
         : k == LT_SUBJECT_CITIZEN ? "outbound_worker" : "employer";
}

/* Writes the folded rows and their alerts through the staging tables. */
static int write_rows(struct cons *c, const struct subj *s, size_t n)
{
    char err[512], day[LT_DATE_STRLEN + 1];
    size_t n_alerts = 0;
    for (size_t i = 0; i < n; i++) {
        if (!s[i].f.ok)
            continue;
        lt_date_format(s[i].as_of, day);
        lt_copy_text(c->copy, s[i].subject);
        lt_copy_text(c->copy, kind_name(s[i].f.kind));
        lt_copy_text(c->copy, s[i].f.row_text);
        lt_copy_text(c->copy, day);
        lt_copy_int(c->copy, (long long)s[i].f.events);
        lt_copy_end_row(c->copy);
    }
    if (lt_copy_send(c->db, "COPY staging_rows FROM STDIN", c->copy, NULL, err, sizeof err) != LT_OK) {
        lt_error("consolidator", "stage rows: %s", err);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t a = 0; s[i].f.ok && a < s[i].f.n_alerts; a++) {
            const struct lt_fold_alert *al = &s[i].f.alerts[a];
            char ids[LT_FOLD_ALERT_EVENTS * 40 + 4] = "{";
            size_t u = 1;
            for (size_t k = 0; k < al->event_count; k++) {
                char idt[LT_UUID_STRLEN + 1];
                lt_uuid_format(al->event_ids[k], idt);
                u += (size_t)snprintf(ids + u, sizeof ids - u, "%s%s", k ? "," : "", idt);
            }
            snprintf(ids + u, sizeof ids - u, "}");
            lt_date_format(al->opened_on, day);
            lt_copy_text(c->copy, s[i].subject);
            lt_copy_text(c->copy, al->code);
            lt_copy_text(c->copy, day);
            lt_copy_text(c->copy, ids);
            lt_copy_text(c->copy, al->message);
            lt_copy_end_row(c->copy);
            n_alerts++;
        }
    }
    if (lt_copy_send(c->db, "COPY staging_alerts FROM STDIN", c->copy, NULL, err, sizeof err) != LT_OK) {
        lt_error("consolidator", "stage alerts: %s", err);
        return -1;
    }
    static const char *const steps[][2] = {
        { "write subject rows",
          "INSERT INTO subject_rows AS t (subject, kind, row, as_of, events) SELECT subject, kind,"
          " row, as_of, events FROM staging_rows ON CONFLICT (subject) DO UPDATE SET kind ="
          " EXCLUDED.kind, row = EXCLUDED.row, as_of = EXCLUDED.as_of, events = EXCLUDED.events,"
          " updated_at = now() WHERE (t.kind, t.row, t.as_of, t.events) IS DISTINCT FROM"
          " (EXCLUDED.kind, EXCLUDED.row, EXCLUDED.as_of, EXCLUDED.events)" },
        { "clear alerts",
          "UPDATE alerts a SET cleared_at = now() FROM staging_rows r WHERE a.subject = r.subject"
          " AND a.cleared_at IS NULL AND NOT EXISTS (SELECT 1 FROM staging_alerts s WHERE"
          " s.subject = a.subject AND s.code = a.code)" },
        { "refresh alerts",
          "UPDATE alerts a SET opened_on = s.opened_on, event_ids = s.event_ids, message ="
          " s.message FROM staging_alerts s WHERE a.subject = s.subject AND a.code = s.code AND"
          " a.cleared_at IS NULL AND (a.opened_on, a.event_ids, a.message) IS DISTINCT FROM"
          " (s.opened_on, s.event_ids, s.message)" },
        { "raise alerts",
          "INSERT INTO alerts (subject, code, opened_on, event_ids, message) SELECT s.subject,"
          " s.code, s.opened_on, s.event_ids, s.message FROM staging_alerts s WHERE NOT EXISTS"
          " (SELECT 1 FROM alerts a WHERE a.subject = s.subject AND a.code = s.code AND"
          " a.cleared_at IS NULL)" },
    };
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        if (k >= 2 && !n_alerts)
            break;
        PGresult *r = PQexec(c->db, steps[k][1]);
        int ok = cons_ok(r, PGRES_COMMAND_OK, steps[k][0]);
        PQclear(r);
        if (!ok)
            return -1;
    }
    return 0;
}

/* Adds the foreign workers whose stored row names one of the employers in
 * the set, so the employer alert follows the employer's demand. */
static int add_employers_workers(struct cons *c, char ***set, size_t *n, size_t *cap)
{
    char **codes = NULL;
    size_t n_codes = 0, cap_codes = 0;
    for (size_t i = 0; i < *n; i++)
        if (strncmp((*set)[i], ENTERPRISE, strlen(ENTERPRISE)) == 0)
            cons_strset_add(&codes, &n_codes, &cap_codes, (*set)[i] + strlen(ENTERPRISE));
    if (!n_codes)
        return 0;
    char *arr = cons_text_array(codes, n_codes);
    cons_strset_free(codes, n_codes);
    const char *v[] = { arr };
    PGresult *r = cons_q(c->db, "SELECT subject FROM subject_rows WHERE kind = 'foreign_worker' "
                         "AND row->>'employer' = ANY($1::text[])", 1, v, NULL, NULL);
    free(arr);
    int ok = cons_ok(r, PGRES_TUPLES_OK, "find employers' workers");
    for (int i = 0; ok && i < PQntuples(r); i++)
        cons_strset_add(set, n, cap, PQgetvalue(r, i, 0));
    PQclear(r);
    return ok ? 0 : -1;
}

long cons_project(struct cons *c, char **subjects, size_t n, int32_t as_of)
{
    char **set = NULL;
    size_t n_set = 0, cap = 0;
    for (size_t i = 0; i < n; i++)
        cons_strset_add(&set, &n_set, &cap, subjects[i]);
    long rc = -1;
    struct subj *s = NULL;
    PGresult *res = NULL;
    if (add_employers_workers(c, &set, &n_set, &cap) != 0)
        goto out;
    cons_strset_sort_unique(set, &n_set);
    if (!n_set) {
        rc = 0;
        goto out;
    }
    if (locks(c, set, n_set) != 0)
        goto out;
    s = lt_calloc(n_set, sizeof *s);
    for (size_t i = 0; i < n_set; i++) {
        s[i].subject = set[i];
        s[i].as_of = as_of;
    }
    if (load_and_fold(c, s, n_set, &res) != 0 || employer_alerts(c, s, n_set) != 0 ||
        write_rows(c, s, n_set) != 0)
        goto out;
    rc = 0;
    for (size_t i = 0; i < n_set; i++)
        rc += s[i].f.ok;
out:
    PQclear(res);
    if (s)
        subj_free(s, n_set);
    cons_strset_free(set, n_set);
    return rc;
}

long cons_refresh(struct cons *c, int32_t as_of)
{
    char err[512], day[LT_DATE_STRLEN + 1], lim[24];
    lt_date_format(as_of, day);
    snprintf(lim, sizeof lim, "%lld", c->cfg.refresh_chunk);
    if (lt_db_exec(c->db, "BEGIN", err, sizeof err) != LT_OK) {
        lt_error("consolidator", "refresh: %s", err);
        return -1;
    }
    const char *v[] = { day, lim };
    PGresult *r = cons_q(c->db, "SELECT subject FROM subject_rows WHERE as_of < $1 ORDER BY as_of,"
                         " subject LIMIT $2", 2, v, NULL, NULL);
    long rc = -1;
    if (cons_ok(r, PGRES_TUPLES_OK, "find rows to refresh")) {
        char **set = NULL;
        size_t n = 0, cap = 0;
        for (int i = 0; i < PQntuples(r); i++)
            cons_strset_add(&set, &n, &cap, PQgetvalue(r, i, 0));
        rc = n ? cons_project(c, set, n, as_of) : 0;
        cons_strset_free(set, n);
    }
    PQclear(r);
    if (rc >= 0 && lt_db_exec(c->db, "COMMIT", err, sizeof err) != LT_OK) {
        lt_error("consolidator", "refresh commit: %s", err);
        rc = -1;
    }
    if (rc < 0 && lt_db_exec(c->db, "ROLLBACK", err, sizeof err) != LT_OK)
        lt_error("consolidator", "refresh rollback: %s", err);
    if (rc > 0)
        c->n.refreshed += (uint64_t)rc;
    return rc;
}

/* The open alerts stored for the folded subjects against the ones the fold
 * gives (code and opening day). Prints each difference; returns their
 * number, -1 on a database error. */
static long verify_alerts(struct cons *c, const struct subj *s, size_t n)
{
    char **names = lt_calloc(n + 1, sizeof *names);
    for (size_t i = 0; i < n; i++)
        names[i] = (char *)s[i].subject;
    char *arr = cons_text_array(names, n);
    free(names);
    const char *v[] = { arr };
    PGresult *r = cons_q(c->db, "SELECT subject, code, opened_on FROM alerts WHERE cleared_at IS "
                         "NULL AND subject = ANY($1::text[])", 1, v, NULL, NULL);
    free(arr);
    if (!cons_ok(r, PGRES_TUPLES_OK, "read open alerts")) {
        PQclear(r);
        return -1;
    }
    long diffs = 0;
    int rows = PQntuples(r);
    unsigned char *matched = lt_calloc((size_t)rows + 1, 1);
    for (size_t i = 0; i < n; i++) {
        for (size_t a = 0; s[i].f.ok && a < s[i].f.n_alerts; a++) {
            char day[LT_DATE_STRLEN + 1];
            lt_date_format(s[i].f.alerts[a].opened_on, day);
            int found = 0;
            for (int k = 0; k < rows && !found; k++) {
                if (!matched[k] && !strcmp(PQgetvalue(r, k, 0), s[i].subject) &&
                    !strcmp(PQgetvalue(r, k, 1), s[i].f.alerts[a].code) &&
                    !strcmp(PQgetvalue(r, k, 2), day))
                    matched[k] = found = 1;
            }
            if (!found) {
                printf("alert missing: %s %s (open since %s)\n", s[i].subject,
                       s[i].f.alerts[a].code, day);
                diffs++;
            }
        }
    }
    for (int k = 0; k < rows; k++) {
        if (!matched[k]) {
            printf("alert open but not folded: %s %s (open since %s)\n", PQgetvalue(r, k, 0),
                   PQgetvalue(r, k, 1), PQgetvalue(r, k, 2));
            diffs++;
        }
    }
    free(matched);
    PQclear(r);
    return diffs;
}

long cons_verify_rows(struct cons *c)
{
    PGresult *r = PQexec(c->db, "SELECT s.subject, r.as_of, r.row::text FROM (SELECT DISTINCT "
                         "subject FROM event_store) s LEFT JOIN subject_rows r USING (subject) "
                         "ORDER BY s.subject COLLATE \"C\"");
    if (!cons_ok(r, PGRES_TUPLES_OK, "list subjects")) {
        PQclear(r);
        return -1;
    }
    long diffs = 0;
    int n = PQntuples(r);
    const int chunk = 2000;
    for (int from = 0; from < n; from += chunk) {
        int m = n - from < chunk ? n - from : chunk;
        struct subj *s = lt_calloc((size_t)m, sizeof *s);
        size_t k = 0;
        for (int i = from; i < from + m; i++) {
            char err[128];
            if (PQgetisnull(r, i, 1)) {
                printf("missing row: %s\n", PQgetvalue(r, i, 0));
                diffs++;
                continue;
            }
            if (lt_date_parse(PQgetvalue(r, i, 1), &s[k].as_of, err, sizeof err) != LT_OK) {
                printf("cannot check: %s (%s)\n", PQgetvalue(r, i, 0), err);
                diffs++;
                continue;
            }
            s[k].subject = PQgetvalue(r, i, 0);
            s[k].first = i; /* where its stored row is, until load_and_fold */
            k++;
        }
        int *stored_at = lt_calloc(k + 1, sizeof *stored_at);
        for (size_t i = 0; i < k; i++)
            stored_at[i] = s[i].first;
        PGresult *ev = NULL;
        if (load_and_fold(c, s, k, &ev) != 0 || employer_alerts(c, s, k) != 0) {
            PQclear(ev);
            free(stored_at);
            subj_free(s, (size_t)m);
            PQclear(r);
            return -1;
        }
        long d = verify_alerts(c, s, k);
        if (d < 0) {
            PQclear(ev);
            free(stored_at);
            subj_free(s, (size_t)m);
            PQclear(r);
            return -1;
        }
        diffs += d;
        for (size_t i = 0; i < k; i++) {
            json_error_t je;
            json_t *stored = json_loads(PQgetvalue(r, stored_at[i], 2), 0, &je);
            json_t *fresh = s[i].f.ok ? json_loads(s[i].f.row_text, 0, &je) : NULL;
            if (!stored || !fresh) {
                printf("cannot check: %s\n", s[i].subject);
                diffs++;
            } else if (!json_equal(stored, fresh)) {
                printf("differs: %s\n  stored %s\n  folded %s\n", s[i].subject,
                       PQgetvalue(r, stored_at[i], 2), s[i].f.row_text);
                diffs++;
            }
            json_decref(stored);
            json_decref(fresh);
        }
        PQclear(ev);
        free(stored_at);
        subj_free(s, (size_t)m);
    }
    PQclear(r);
    printf("verify-rows: %d subject(s), rows and open alerts: %ld difference(s)\n", n, diffs);
    return diffs;
}
