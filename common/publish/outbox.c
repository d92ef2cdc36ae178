/* outbox.c — the transactional-outbox input (see outbox.h for the contract,
 * the crash-safety argument and deploy/sql/agency-outbox.sql for the table).
 *
 * One thread per outbox. It owns the database connection and everything it
 * reads; the only state shared with other threads is the stop flag, the wake
 * pipe lt_outbox_stop writes to (so a wait ends at once) and the counters
 * under a mutex. A pass is: SELECT the 'new' rows, convert them, submit the
 * valid ones to the publisher and wait until they are journaled, then UPDATE
 * every outcome in one statement. Nothing is remembered between passes: the
 * table's status column is the only cursor, which is what makes a crash, a
 * lost connection or a refused batch harmless. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/uuid.h"
#include "db/db.h"
#include "event/pbjson.h"
#include "event/validate.h"
#include "publish/outbox.h"

#define COMP "outbox"
#define IDENT_MAX 63
#define QNAME_MAX (2 * IDENT_MAX + 2)
#define DB_BACKOFF_MIN_MS 1000
#define DB_BACKOFF_MAX_MS 30000
#define FULL_BACKOFF_MIN_MS 200
#define FULL_BACKOFF_MAX_MS 5000
#define POLL_MS_MAX 3600000
/* Session advisory lock (key1, hashtext(table)): one service per table.
 * key1 is "LTOB" in ASCII. */
#define LOCK_KEY1 "1280593730"

struct lt_outbox {
    struct lt_publisher *pub; /* not owned */
    char *pg_url;
    char qname[QNAME_MAX + 1];   /* "public.lienthong_outbox": logs, source ids, lock */
    char *sql_select, *sql_mark; /* with the quoted table name */
    int poll_ms;

    atomic_int stopping;
    int wake[2]; /* lt_outbox_stop writes wake[1]; waits watch wake[0] */
    pthread_t thread;

    pthread_mutex_t lock; /* guards stats */
    struct lt_outbox_stats stats;

    /* Thread only. */
    PGconn *db;
    int limit; /* rows per pass: LT_OUTBOX_BATCH, halved while the journal is full */
    char last_trouble[768]; /* the last failure logged, to log each kind once */
    struct lt_pbjson_errors jerr;
    struct lt_validate_result vr;
};

/* One row of a pass. */
struct row {
    long long id;
    char *source;             /* "outbox:<qname>:<id>" */
    Lienthong__V1__Event *ev; /* to submit, or NULL when rejected */
    json_t *error;            /* rejected: the JSON array for the error column */
    int known;                /* its source id was journaled before */
    struct lt_pub_result res;
};

/* ---- names ---------------------------------------------------------------- */

static int ident_ok(const char *s, size_t n)
{
    if (n == 0 || n > IDENT_MAX)
        return 0;
    if (!((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

int lt_outbox_table_name(const char *table, char *buf, size_t bufsize, char *err, size_t errlen)
{
    if (!table || !*table)
        return lt_err_set(err, errlen, LT_ERR_INVALID, "no outbox table name given");
    const char *dot = strchr(table, '.');
    const char *schema = "public", *name = table;
    size_t slen = strlen(schema), nlen = strlen(table);
    if (dot) {
        schema = table;
        slen = (size_t)(dot - table);
        name = dot + 1;
        nlen = strlen(name);
    }
    if (!ident_ok(schema, slen) || !ident_ok(name, nlen))
        return lt_err_set(err, errlen, LT_ERR_INVALID,
                          "outbox table \"%s\" is not [schema.]table with each part of 1-63 "
                          "characters [a-z_][a-z0-9_]*", table);
    if ((size_t)snprintf(buf, bufsize, "%.*s.%.*s", (int)slen, schema, (int)nlen, name) >= bufsize)
        return lt_err_set(err, errlen, LT_ERR_INVALID, "outbox table name buffer too small");
    return LT_OK;
}

/* ---- counters ------------------------------------------------------------- */

static void stats_add(struct lt_outbox *o, const struct lt_outbox_stats *d)
{
    pthread_mutex_lock(&o->lock);
    o->stats.batches += d->batches;
    o->stats.rows += d->rows;
    o->stats.accepted += d->accepted;
    o->stats.duplicates += d->duplicates;
    o->stats.rejected += d->rejected;
    o->stats.retries += d->retries;
    o->stats.connects += d->connects;
    pthread_mutex_unlock(&o->lock);
}

static void set_connected(struct lt_outbox *o, int up)
{
    pthread_mutex_lock(&o->lock);
    o->stats.connected = up;
    if (up)
        o->stats.connects++;
    pthread_mutex_unlock(&o->lock);
}

void lt_outbox_stats(struct lt_outbox *o, struct lt_outbox_stats *s)
{
    pthread_mutex_lock(&o->lock);
    *s = o->stats;
    pthread_mutex_unlock(&o->lock);
}

/* ---- connection ----------------------------------------------------------- */

/* Logs a failure once: again only when its text changes (a flapping database
 * must not flood the log), at debug level otherwise. */
static void trouble(struct lt_outbox *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void trouble(struct lt_outbox *o, const char *fmt, ...)
{
    char msg[sizeof o->last_trouble];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *c = msg; *c; c++) /* libpq's messages span lines: keep one */
        if (*c == '\n' || *c == '\t')
            *c = ' ';
    if (strcmp(msg, o->last_trouble) != 0) {
        lt_error(COMP, "%s: %s; retrying with backoff (1 s up to 30 s), rows stay 'new' "
                 "meanwhile", o->qname, msg);
        snprintf(o->last_trouble, sizeof o->last_trouble, "%s", msg);
    } else {
        lt_debug(COMP, "%s: still failing: %s", o->qname, msg);
    }
}

/* libpq's current error message on one line (its continuation lines joined
 * with a space, the trailing newline dropped). */
static const char *pq_error(PGconn *db, char *buf, size_t bufsize)
{
    const char *m = db ? PQerrorMessage(db) : "no connection";
    size_t n = 0;
    for (; *m && n + 1 < bufsize; m++) {
        if (*m == '\n' || *m == '\t') {
            if (n && buf[n - 1] != ' ')
                buf[n++] = ' ';
            continue;
        }
        buf[n++] = *m;
    }
    while (n && buf[n - 1] == ' ')
        n--;
    if (bufsize)
        buf[n] = '\0';
    return buf;
}

static void disconnect(struct lt_outbox *o)
{
    if (!o->db)
        return;
    PQfinish(o->db); /* also releases the advisory lock and the LISTEN */
    o->db = NULL;
    set_connected(o, 0);
}

/* Runs a parameterized statement that returns no rows we need; returns its
 * result status ok or logs trouble. */
static int exec_ok(struct lt_outbox *o, const char *what, const char *sql, int n,
                   const char *const *params, PGresult **keep)
{
    PGresult *r = PQexecParams(o->db, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        char e[512];
        trouble(o, "%s: %s", what, pq_error(o->db, e, sizeof e));
        PQclear(r);
        return LT_ERR_DB;
    }
    if (keep)
        *keep = r;
    else
        PQclear(r);
    return LT_OK;
}

/* Connects, takes the table's advisory lock and LISTENs. Returns LT_OK with
 * o->db set, or an error (logged once) with o->db NULL. */
static int connect_db(struct lt_outbox *o)
{
    char err[512];
    int had_trouble = o->last_trouble[0] != '\0';
    o->db = lt_db_connect(o->pg_url, "lienthong-outbox", "pg_catalog", err, sizeof err);
    if (!o->db) {
        trouble(o, "%s", err);
        return LT_ERR_DB;
    }
    PGresult *r = NULL;
    const char *lock_params[] = { o->qname };
    if (exec_ok(o, "cannot take the outbox lock",
                "SELECT pg_catalog.pg_try_advisory_lock(" LOCK_KEY1 ", pg_catalog.hashtext($1))",
                1, lock_params, &r) != LT_OK)
        goto fail;
    int locked = PQntuples(r) == 1 && !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    if (!locked) {
        trouble(o, "another service is draining this outbox table (its advisory lock is held); "
                "waiting for it to stop");
        goto fail;
    }
    if (exec_ok(o, "LISTEN failed", "LISTEN " LT_OUTBOX_CHANNEL, 0, NULL, NULL) != LT_OK)
        goto fail;
    set_connected(o, 1);
    if (had_trouble)
        lt_info(COMP, "%s: connected again; listening on %s", o->qname, LT_OUTBOX_CHANNEL);
    else
        lt_info(COMP, "%s: connected; listening on %s", o->qname, LT_OUTBOX_CHANNEL);
    o->last_trouble[0] = '\0';
    return LT_OK;
fail:
    PQfinish(o->db);
    o->db = NULL;
    return LT_ERR_DB;
}

/* ---- waiting -------------------------------------------------------------- */

/* Consumes what the server sent and drops every notification (they are only
 * wake-up hints). Returns how many there were, or -1 if the connection broke. */
static int drain_notifies(struct lt_outbox *o)
{
    if (!PQconsumeInput(o->db) || PQstatus(o->db) == CONNECTION_BAD)
        return -1;
    int n = 0;
    PGnotify *nt;
    while ((nt = PQnotifies(o->db)) != NULL) {
        n++;
        PQfreemem(nt);
    }
    return n;
}

/* Waits up to timeout_ms for a notification (if listen and connected) or for
 * lt_outbox_stop. Returns 1 when notified, 0 on timeout or stop, -1 when the
 * connection broke (the caller reconnects). */
static int wait_for_work(struct lt_outbox *o, int timeout_ms, int listen)
{
    int use_db = listen && o->db;
    if (use_db) {
        int n = drain_notifies(o); /* arrived while the last pass ran */
        if (n != 0)
            return n > 0 ? 1 : -1;
    }
    int64_t deadline = lt_mono_ms() + timeout_ms;
    while (!atomic_load(&o->stopping)) {
        int64_t left = deadline - lt_mono_ms();
        if (left <= 0)
            return 0;
        fd_set rd;
        FD_ZERO(&rd);
        FD_SET(o->wake[0], &rd);
        int maxfd = o->wake[0];
        int sock = use_db ? PQsocket(o->db) : -1;
        if (use_db && sock < 0)
            return -1;
        if (sock >= 0) {
            FD_SET(sock, &rd);
            if (sock > maxfd)
                maxfd = sock;
        }
        struct timeval tv = { (time_t)(left / 1000), (suseconds_t)(left % 1000) * 1000 };
        int s = select(maxfd + 1, &rd, NULL, NULL, &tv);
        if (s < 0 && errno != EINTR) {
            lt_error(COMP, "%s: select: %s", o->qname, strerror(errno));
            return -1;
        }
        if (s <= 0)
            continue;
        if (FD_ISSET(o->wake[0], &rd))
            return 0;
        if (sock >= 0 && FD_ISSET(sock, &rd)) {
            int n = drain_notifies(o);
            if (n != 0)
                return n > 0 ? 1 : -1;
            /* Something else (a parameter status): keep waiting. */
        }
    }
    return 0;
}

/* ---- converting rows ------------------------------------------------------ */

static json_t *finding(const char *field, const char *code, const char *message)
{
    return json_pack("{s:s, s:s, s:s}", "field", field, "code", code, "message", message);
}

static json_t *violations_json(const struct lt_validate_result *vr)
{
    json_t *a = json_array();
    for (size_t i = 0; i < vr->stored; i++)
        json_array_append_new(a, finding(vr->v[i].path, lt_validate_code_name(vr->v[i].code),
                                         vr->v[i].message));
    if (vr->count > vr->stored) {
        char m[96];
        snprintf(m, sizeof m, "and %zu more findings", vr->count - vr->stored);
        json_array_append_new(a, finding("", "more_findings", m));
    }
    return a;
}

static json_t *pbjson_errors_json(const struct lt_pbjson_errors *e)
{
    json_t *a = lt_pbjson_errors_to_json(e);
    if (e->count > e->n_stored) {
        char m[96];
        snprintf(m, sizeof m, "and %zu more errors", e->count - e->n_stored);
        json_array_append_new(a, finding("", "more_findings", m));
    }
    return a;
}

/* Fills r->ev (to submit) or r->error (rejected) from the row's JSON text.
 * A row whose source id is already journaled (r->known) is always submitted,
 * whatever its JSON says now: the publisher answers it with the event that
 * was published for it. */
static void convert_row(struct lt_outbox *o, struct row *r, const char *text)
{
    ProtobufCMessage *msg = NULL;
    json_error_t je;
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    r->known = lt_publisher_has_source(o->pub, r->source);
    if (!j) {
        if (!r->known) {
            r->error = json_array();
            json_array_append_new(r->error, finding("", "bad_json", je.text));
        }
    } else if (lt_pbjson_to_message(&lienthong__v1__event__descriptor, j, &msg, &o->jerr) != LT_OK) {
        if (!r->known)
            r->error = pbjson_errors_json(&o->jerr);
    }
    json_decref(j);
    if (r->error)
        return;
    if (!msg) { /* known, but its JSON no longer parses: a stand-in the publisher never reads */
        Lienthong__V1__Event *e = lt_malloc(sizeof *e);
        lienthong__v1__event__init(e);
        msg = &e->base;
    }
    r->ev = (Lienthong__V1__Event *)msg;
    int rc = lt_publisher_prepare(o->pub, r->ev, &o->vr);
    if (rc != LT_OK && !r->known) {
        r->error = violations_json(&o->vr);
        lienthong__v1__event__free_unpacked(r->ev, NULL);
        r->ev = NULL;
    }
}

static void rows_free(struct row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++) {
        free(rows[i].source);
        if (rows[i].ev)
            lienthong__v1__event__free_unpacked(rows[i].ev, NULL);
        json_decref(rows[i].error);
    }
    free(rows);
}

/* ---- one pass ------------------------------------------------------------- */

/* Takes up to o->limit 'new' rows, publishes and marks them. Sets *taken to
 * the rows read and *retry when valid rows had to stay 'new' (journal full or
 * failed). Returns LT_OK, or LT_ERR_DB when the database failed (logged; the
 * caller reconnects). */
static int run_pass(struct lt_outbox *o, size_t *taken, int *retry)
{
    *taken = 0;
    *retry = 0;
    int rc = LT_OK;
    struct row *rows = NULL;
    Lienthong__V1__Event **evs = NULL;
    const char **sids = NULL;
    struct lt_pub_result *res = NULL;
    size_t *idx = NULL;
    json_t *marks = NULL;
    char *marks_text = NULL;
    PGresult *sel = NULL, *upd = NULL;
    struct lt_outbox_stats d = { 0 };

    char limit[16];
    snprintf(limit, sizeof limit, "%d", o->limit);
    const char *sel_params[] = { limit };
    if ((rc = exec_ok(o, "cannot read the outbox", o->sql_select, 1, sel_params, &sel)) != LT_OK)
        goto out;
    size_t n = (size_t)PQntuples(sel);
    *taken = n;
    if (n == 0)
        goto out;
    rows = lt_calloc(n, sizeof *rows);
    for (size_t i = 0; i < n; i++) {
        rows[i].id = strtoll(PQgetvalue(sel, (int)i, 0), NULL, 10);
        rows[i].source = lt_asprintf("outbox:%s:%lld", o->qname, rows[i].id);
        convert_row(o, &rows[i], PQgetvalue(sel, (int)i, 1));
    }
    PQclear(sel);
    sel = NULL;

    /* The valid rows, in id order, as one all-or-nothing batch. */
    evs = lt_calloc(n, sizeof *evs);
    sids = lt_calloc(n, sizeof *sids);
    res = lt_calloc(n, sizeof *res);
    idx = lt_calloc(n, sizeof *idx);
    size_t nv = 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].ev) {
            evs[nv] = rows[i].ev;
            sids[nv] = rows[i].source;
            idx[nv++] = i;
        }
    int submitted = 0;
    if (nv) {
        char err[512];
        int src = lt_publisher_submit(o->pub, evs, sids, nv, res, err, sizeof err);
        if (src == LT_OK) {
            submitted = 1;
        } else {
            *retry = 1;
            d.retries = 1;
            /* A batch goes into the journal whole or not at all: while it is
             * full, try smaller ones, so a batch can never be too big to fit. */
            if (res[0].status == LT_PUB_FULL)
                o->limit = nv > 1 ? (int)(nv / 2) : 1;
            lt_warn(COMP, "%s: %zu row(s) stay 'new' and will be retried (next pass takes at "
                    "most %d): %s", o->qname, nv, o->limit, err);
        }
        for (size_t k = 0; submitted && k < nv; k++)
            rows[idx[k]].res = res[k];
    }

    /* Every outcome in one statement (one transaction). */
    marks = json_array();
    for (size_t i = 0; i < n; i++) {
        struct row *r = &rows[i];
        if (r->error) {
            json_array_append_new(marks, json_pack("{s:I, s:s, s:O}", "id", (json_int_t)r->id,
                                                   "status", "rejected", "error", r->error));
            d.rejected++;
            continue;
        }
        if (!submitted)
            continue;
        if (r->res.status != LT_PUB_ACCEPTED && r->res.status != LT_PUB_DUPLICATE) {
            /* Not what lt_publisher_submit promises for LT_OK; leave it 'new'. */
            lt_error(COMP, "%s: row %lld came back with publisher status %d; left 'new'",
                     o->qname, r->id, (int)r->res.status);
            *retry = 1;
            continue;
        }
        if (r->known && r->res.status != LT_PUB_DUPLICATE)
            lt_error(COMP, "%s: row %lld was journaled before but the publisher journaled it "
                     "again (sequence %" PRIu64 ")", o->qname, r->id, r->res.sequence);
        char uuid[LT_UUID_STRLEN + 1];
        lt_uuid_format(r->res.event_id, uuid);
        json_array_append_new(marks, json_pack("{s:I, s:s, s:I, s:s}", "id", (json_int_t)r->id,
                                               "status", "accepted", "sequence",
                                               (json_int_t)r->res.sequence, "event_id", uuid));
        if (r->res.status == LT_PUB_DUPLICATE)
            d.duplicates++;
        else
            d.accepted++;
    }
    size_t nmarks = json_array_size(marks);
    if (nmarks) {
        marks_text = json_dumps(marks, JSON_COMPACT);
        const char *upd_params[] = { marks_text };
        if ((rc = exec_ok(o, "cannot mark outbox rows (they stay 'new'; journaled ones will be "
                             "answered as duplicates)", o->sql_mark, 1, upd_params, &upd)) != LT_OK)
            goto out;
        long marked = strtol(PQcmdTuples(upd), NULL, 10);
        if (marked != (long)nmarks)
            lt_warn(COMP, "%s: %ld of %zu row(s) marked; the others were no longer 'new' "
                    "(changed by someone else)", o->qname, marked, nmarks);
    }
    d.batches = 1;
    d.rows = n;
    stats_add(o, &d);
    lt_info(COMP, "batch table=%s rows=%zu accepted=%" PRIu64 " duplicates=%" PRIu64
            " rejected=%" PRIu64 " waiting=%zu first_id=%lld last_id=%lld", o->qname, n,
            d.accepted, d.duplicates, d.rejected, submitted ? (size_t)0 : nv, rows[0].id,
            rows[n - 1].id);
out:
    PQclear(sel);
    PQclear(upd);
    free(marks_text);
    json_decref(marks);
    free(idx);
    free(res);
    free(sids);
    free(evs);
    rows_free(rows, *taken);
    return rc;
}

/* ---- the thread ----------------------------------------------------------- */

static int grow(int ms, int max)
{
    return ms >= max / 2 ? max : ms * 2;
}

static void *outbox_main(void *arg)
{
    struct lt_outbox *o = arg;
    int db_backoff = DB_BACKOFF_MIN_MS, full_backoff = FULL_BACKOFF_MIN_MS;
    while (!atomic_load(&o->stopping)) {
        if (!o->db && connect_db(o) != LT_OK) {
            wait_for_work(o, db_backoff, 0);
            db_backoff = grow(db_backoff, DB_BACKOFF_MAX_MS);
            continue;
        }
        size_t taken;
        int retry;
        if (run_pass(o, &taken, &retry) != LT_OK) {
            disconnect(o);
            wait_for_work(o, db_backoff, 0);
            db_backoff = grow(db_backoff, DB_BACKOFF_MAX_MS);
            continue;
        }
        db_backoff = DB_BACKOFF_MIN_MS;
        if (retry) {
            wait_for_work(o, full_backoff, 0);
            full_backoff = grow(full_backoff, FULL_BACKOFF_MAX_MS);
            continue;
        }
        full_backoff = FULL_BACKOFF_MIN_MS;
        int backlog = taken > 0 && taken == (size_t)o->limit;
        if (o->limit < LT_OUTBOX_BATCH) /* the journal took a batch: grow back */
            o->limit = o->limit > LT_OUTBOX_BATCH / 2 ? LT_OUTBOX_BATCH : o->limit * 2;
        if (backlog)
            continue; /* more rows are waiting: no pause */
        if (wait_for_work(o, o->poll_ms, 1) < 0) {
            char e[512];
            trouble(o, "connection lost: %s", pq_error(o->db, e, sizeof e));
            disconnect(o);
        }
    }
    disconnect(o);
    return NULL;
}

/* ---- start / stop --------------------------------------------------------- */

int lt_outbox_start(struct lt_publisher *pub, const char *pg_url, const char *table, int poll_ms,
                    struct lt_outbox **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!pub)
        return lt_err_set(err, errlen, LT_ERR_INVALID, "outbox: no publisher");
    if (!pg_url || !*pg_url)
        return lt_err_set(err, errlen, LT_ERR_CONFIG, "outbox: no PostgreSQL connection string");
    if (poll_ms < 1 || poll_ms > POLL_MS_MAX)
        return lt_err_set(err, errlen, LT_ERR_CONFIG, "outbox: poll interval %d ms is outside "
                          "1-%d", poll_ms, POLL_MS_MAX);
    char qname[QNAME_MAX + 1];
    int rc = lt_outbox_table_name(table, qname, sizeof qname, err, errlen);
    if (rc != LT_OK)
        return rc;

    struct lt_outbox *o = lt_calloc(1, sizeof *o);
    o->pub = pub;
    o->pg_url = lt_strdup(pg_url);
    memcpy(o->qname, qname, sizeof o->qname);
    o->poll_ms = poll_ms;
    o->limit = LT_OUTBOX_BATCH;
    atomic_init(&o->stopping, 0);
    pthread_mutex_init(&o->lock, NULL);
    o->wake[0] = o->wake[1] = -1;

    /* The name was validated as [a-z_][a-z0-9_]* parts, so quoting each part
     * is all it needs; it is the only text not passed as a parameter. */
    char quoted[QNAME_MAX + 8];
    const char *dot = strchr(qname, '.');
    snprintf(quoted, sizeof quoted, "\"%.*s\".\"%s\"", (int)(dot - qname), qname, dot + 1);
    o->sql_select = lt_asprintf("SELECT id, event::text FROM %s WHERE status = 'new' "
                                "ORDER BY id LIMIT $1", quoted);
    o->sql_mark = lt_asprintf(
        "UPDATE %s AS o SET status = v.status, sequence = v.sequence, event_id = v.event_id, "
        "error = v.error, processed_at = pg_catalog.now() "
        "FROM pg_catalog.jsonb_to_recordset($1::pg_catalog.jsonb) "
        "AS v(id bigint, status text, sequence bigint, event_id uuid, error jsonb) "
        "WHERE o.id = v.id AND o.status = 'new'", quoted);

    if (pipe2(o->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        rc = lt_err_set(err, errlen, LT_ERR_IO, "outbox: pipe: %s", strerror(errno));
        goto fail;
    }
    if (pthread_create(&o->thread, NULL, outbox_main, o) != 0) {
        rc = lt_err_set(err, errlen, LT_ERR_IO, "outbox: cannot start its thread");
        goto fail;
    }
    lt_info(COMP, "%s: started (poll every %d ms)", o->qname, poll_ms);
    *out = o;
    return LT_OK;
fail:
    if (o->wake[0] >= 0)
        close(o->wake[0]);
    if (o->wake[1] >= 0)
        close(o->wake[1]);
    pthread_mutex_destroy(&o->lock);
    free(o->sql_select);
    free(o->sql_mark);
    free(o->pg_url);
    free(o);
    return rc;
}

void lt_outbox_stop(struct lt_outbox *o)
{
    if (!o)
        return;
    atomic_store(&o->stopping, 1);
    ssize_t w;
    do
        w = write(o->wake[1], "x", 1);
    while (w < 0 && errno == EINTR);
    /* EAGAIN: the pipe is full of earlier wake-ups, which is just as good. */
    pthread_join(o->thread, NULL);
    lt_info(COMP, "%s: stopped", o->qname);
    close(o->wake[0]);
    close(o->wake[1]);
    pthread_mutex_destroy(&o->lock);
    free(o->sql_select);
    free(o->sql_mark);
    free(o->pg_url);
    free(o);
}
