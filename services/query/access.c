/* access.c — authentication, authorization, the read transaction and the
 * access log around every API request (access.h). */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "access.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "event/subject.h"
#include "http/metrics.h"
#include "mask.h"
#include "params.h"
#include "pool.h"

#define COMP "query"

static void release(struct lq_call *c)
{
    if (c->db && c->in_tx) {
        PGresult *r = PQexec(c->db, "ROLLBACK");
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            c->broken = 1;
        PQclear(r);
    }
    c->in_tx = 0;
    if (c->db)
        lq_pool_put(c->app->pool, c->db, c->broken);
    c->db = NULL;
    json_decref(c->subjects);
    c->subjects = NULL;
}

void lq_call_fail(struct lq_call *c, unsigned status, const char *type, const char *detail)
{
    lt_http_problem(c->resp, status, type, NULL, detail, NULL);
}

static int unauthorized(struct lq_call *c, const char *detail)
{
    lt_metrics_counter_inc(c->app->unauthorized);
    lq_call_fail(c, 401, "unauthorized", detail);
    (void)lt_http_header_add(c->resp, "WWW-Authenticate", "Bearer realm=\"lienthong\"");
    release(c);
    return 0;
}

static int forbidden(struct lq_call *c, const char *detail)
{
    lt_metrics_counter_inc(c->app->forbidden);
    lq_call_fail(c, 403, "forbidden", detail);
    release(c);
    return 0;
}

/* Looks the token up; fills the caller fields. Returns 1 found, 0 not
 * found (or revoked, expired), -1 on a database error. */
static int find_token(struct lq_call *c, const char *token)
{
    uint8_t hash[LQ_TOKEN_HASH_BYTES];
    lq_auth_token_hash(token, hash);
    const char *v[] = { (const char *)hash };
    int lens[] = { LQ_TOKEN_HASH_BYTES };
    int fmts[] = { 1 };
    PGresult *r = PQexecParams(c->db,
                               "SELECT id, name, role, coalesce(agency_code, '') FROM api_tokens "
                               "WHERE token_hash = $1 AND revoked_at IS NULL AND "
                               "(expires_at IS NULL OR expires_at > now())",
                               1, NULL, v, lens, fmts, 0);
    int found = -1;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        lt_error(COMP, "token lookup: %s", PQresultErrorMessage(r));
        c->broken = PQstatus(c->db) != CONNECTION_OK;
    } else if (PQntuples(r) == 1) {
        c->token_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        snprintf(c->token_name, sizeof c->token_name, "%s", PQgetvalue(r, 0, 1));
        c->role = lq_role_parse(PQgetvalue(r, 0, 2));
        snprintf(c->agency, sizeof c->agency, "%s", PQgetvalue(r, 0, 3));
        found = c->role ? 1 : 0;
    } else {
        found = 0;
    }
    PQclear(r);
    return found;
}

const char *lq_call_param(const struct lq_call *c, const char *name)
{
    return lt_http_query(c->req, name);
}

int lq_call_masks(const struct lq_call *c)
{
    return lq_role_masks_numbers(c->role);
}

int lq_call_begin(struct lq_call *c, struct lq_app *app, struct lt_http_request *req,
                  struct lt_http_response *resp, const struct lq_endpoint *ep, int personal)
{
    memset(c, 0, sizeof *c);
    c->app = app;
    c->req = req;
    c->resp = resp;
    c->ep = ep;
    c->personal = personal;
    char detail[256];

    const char *token = NULL;
    if (!lt_http_header(req, "Authorization"))
        return unauthorized(c, "this endpoint needs a bearer token (Authorization: Bearer …)");
    if (lq_auth_bearer(lt_http_header(req, "Authorization"), &token) != LT_OK)
        return unauthorized(c, "the bearer token is not valid");
    if (!(c->db = lq_pool_get(app->pool))) {
        lq_call_fail(c, 503, "unavailable", "the database is busy or unreachable; try again");
        (void)lt_http_header_add(resp, "Retry-After", "1");
        return 0;
    }
    int found = find_token(c, token);
    if (found < 0) {
        lt_metrics_counter_inc(app->db_errors);
        lq_call_fail(c, 503, "unavailable", "the database did not answer; try again");
        release(c);
        return 0;
    }
    if (!found)
        return unauthorized(c, "the bearer token is not valid");
    if (!(ep->roles & c->role)) {
        snprintf(detail, sizeof detail, "role %s may not use this endpoint", lq_role_name(c->role));
        return forbidden(c, detail);
    }
    if (personal && !(c->role & LQ_ROLES_PERSONAL)) {
        snprintf(detail, sizeof detail, "role %s sees aggregates only, never personal data",
                 lq_role_name(c->role));
        return forbidden(c, detail);
    }
    size_t nq = lt_http_query_count(req);
    for (size_t i = 0; i < nq; i++) {
        const char *name, *value;
        if (lt_http_query_at(req, i, &name, &value) != LT_OK)
            continue;
        if (strcmp(name, "purpose") != 0 && !lq_params_known(name, ep->params)) {
            snprintf(detail, sizeof detail, "unknown parameter '%.64s'", name);
            lq_call_fail(c, 400, "bad-parameter", detail);
            release(c);
            return 0;
        }
        if (strlen(value) > LQ_PARAM_MAX) {
            snprintf(detail, sizeof detail, "parameter '%.64s' is longer than %d bytes", name,
                     LQ_PARAM_MAX);
            lq_call_fail(c, 400, "bad-parameter", detail);
            release(c);
            return 0;
        }
    }
    if (personal) {
        c->purpose = lt_http_header(req, "X-Purpose");
        if (!c->purpose)
            c->purpose = lt_http_query(req, "purpose");
        if (lq_params_purpose(c->purpose, detail, sizeof detail) != LT_OK) {
            lq_call_fail(c, 400, "purpose-required", detail);
            release(c);
            return 0;
        }
        c->subjects = json_array();
    }
    PGresult *r = PQexec(c->db, "BEGIN ISOLATION LEVEL REPEATABLE READ");
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) {
        c->broken = 1;
        lt_metrics_counter_inc(app->db_errors);
        lq_call_fail(c, 503, "unavailable", "the database did not answer; try again");
        release(c);
        return 0;
    }
    c->in_tx = 1;
    return 1;
}

PGresult *lq_call_query(struct lq_call *c, const char *sql, int n, const char *const *values)
{
    PGresult *r = PQexecParams(c->db, sql, n, NULL, values, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
        return r;
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    lt_metrics_counter_inc(c->app->db_errors);
    if (state && !strncmp(state, "22", 2)) {
        lq_call_fail(c, 400, "bad-parameter", "a parameter has a value the database cannot take");
        lt_warn(COMP, "%s: value refused: %s", c->ep->pattern, PQresultErrorMessage(r));
    } else if (state && !strcmp(state, "57014")) {
        lq_call_fail(c, 503, "unavailable", "the question took too long; narrow it down");
        lt_warn(COMP, "%s: statement timeout", c->ep->pattern);
    } else {
        lq_call_fail(c, 500, "database-error", "the database failed to answer");
        lt_error(COMP, "%s: %s", c->ep->pattern, PQresultErrorMessage(r));
        if (PQstatus(c->db) != CONNECTION_OK)
            c->broken = 1;
    }
    PQclear(r);
    return NULL;
}

void lq_call_read(struct lq_call *c, const char *subject)
{
    if (!c->subjects)
        return;
    size_t i;
    json_t *v;
    json_array_foreach(c->subjects, i, v)
        if (!strcmp(json_string_value(v), subject))
            return;
    json_array_append_new(c->subjects, json_string(subject));
}

/* The request's parameters for the log: the path and the query, purpose left out. */
static json_t *parameters(const struct lq_call *c)
{
    json_t *q = json_object();
    size_t nq = lt_http_query_count(c->req);
    for (size_t i = 0; i < nq; i++) {
        const char *name, *value;
        if (lt_http_query_at(c->req, i, &name, &value) == LT_OK && strcmp(name, "purpose") != 0)
            json_object_set_new(q, name, json_string(value));
    }
    return json_pack("{s:s, s:o}", "path", lt_http_path(c->req), "query", q);
}

static int write_log(struct lq_call *c)
{
    json_t *p = parameters(c);
    char *ptext = json_dumps(p, JSON_COMPACT);
    char *stext = json_dumps(c->subjects, JSON_COMPACT);
    json_decref(p);
    char id[24];
    snprintf(id, sizeof id, "%lld", c->token_id);
    const char *v[] = { id, c->token_name, lq_role_name(c->role), *c->agency ? c->agency : NULL,
                        lt_http_method(c->req), c->ep->pattern, ptext, c->purpose, stext,
                        lt_http_remote(c->req) };
    PGresult *r = lq_call_query(c,
                                "INSERT INTO access_log (token_id, token_name, role, agency_code, "
                                "method, endpoint, parameters, purpose, subjects, remote_addr) "
                                "VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, ARRAY(SELECT "
                                "jsonb_array_elements_text($9::jsonb)), $10)",
                                10, v);
    free(ptext);
    free(stext);
    if (!r)
        return LT_ERR_DB;
    PQclear(r);
    return LT_OK;
}

/* Writes the access-log row (personal reads) and commits; releases
 * everything. Returns 1, or 0 after rolling back with a 500 problem set. */
static int commit(struct lq_call *c)
{
    if (c->personal && write_log(c) != LT_OK) {
        lq_call_fail(c, 500, "database-error", "the read could not be logged, so it is not answered");
        lq_call_end(c);
        return 0;
    }
    PGresult *r = PQexec(c->db, "COMMIT");
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        lt_error(COMP, "%s: commit: %s", c->ep->pattern, PQresultErrorMessage(r));
    PQclear(r);
    c->in_tx = 0;
    if (!ok) {
        c->broken = 1;
        lt_metrics_counter_inc(c->app->db_errors);
        lq_call_fail(c, 500, "database-error", "the read could not be committed");
        lq_call_end(c);
        return 0;
    }
    if (c->personal)
        lt_metrics_counter_inc(c->app->personal_reads);
    release(c);
    return 1;
}

int lq_call_finish(struct lq_call *c, json_t *body)
{
    if (!commit(c)) {
        json_decref(body);
        return LT_OK;
    }
    if (lt_http_json(c->resp, 200, body) != LT_OK)
        lt_http_problem(c->resp, 500, "encoding-error", NULL, "the answer could not be encoded",
                        NULL);
    return LT_OK;
}

int lq_call_finish_text(struct lq_call *c, const char *content_type, const char *filename,
                        char *text)
{
    if (commit(c) && lt_http_bytes(c->resp, 200, content_type, text, strlen(text)) == LT_OK &&
        filename) {
        char disp[160];
        snprintf(disp, sizeof disp, "inline; filename=\"%s\"", filename);
        (void)lt_http_header_add(c->resp, "Content-Disposition", disp);
    }
    free(text);
    return LT_OK;
}

int lq_call_end(struct lq_call *c)
{
    release(c);
    return LT_OK;
}

int lq_page_begin(struct lq_call *c, long long def, long long max, size_t n_keys,
                  struct lq_page *pg)
{
    char err[160];
    memset(pg, 0, sizeof *pg);
    assert(n_keys >= 1 && n_keys <= LQ_CURSOR_KEYS);
    pg->n_keys = n_keys;
    pg->limit = def;
    const char *s = lq_call_param(c, "limit");
    if (s && lq_params_int("limit", s, 1, max, &pg->limit, err, sizeof err) != LT_OK) {
        lq_call_fail(c, 400, "bad-parameter", err);
        return 0;
    }
    snprintf(pg->fetch, sizeof pg->fetch, "%lld", pg->limit + 1);
    s = lq_call_param(c, "cursor");
    if (s) {
        if (lq_cursor_decode(s, pg->keys, n_keys, err, sizeof err) != LT_OK) {
            lq_call_fail(c, 400, "bad-parameter", err);
            return 0;
        }
        pg->has_cursor = 1;
    }
    return 1;
}

/* How many rows of r to emit (at most limit); notes whether more follow. */
static int page_rows(struct lq_page *pg, const PGresult *r)
{
    int n = PQntuples(r);
    pg->more = n > pg->limit;
    return pg->more ? (int)pg->limit : n;
}

json_t *lq_page_answer(const struct lq_page *pg, json_t *items)
{
    json_t *page = json_object();
    json_object_set_new(page, "items", items);
    if (pg->more) {
        const char *keys[LQ_CURSOR_KEYS];
        for (size_t k = 0; k < pg->n_keys; k++)
            keys[k] = pg->keys[k];
        char *cur = lq_cursor_encode(keys, pg->n_keys);
        json_object_set_new(page, "nextCursor", json_string(cur));
        free(cur);
    } else {
        json_object_set_new(page, "nextCursor", json_null());
    }
    return page;
}

const char *lq_call_subject(struct lq_call *c, const char *subject, char *buf, size_t cap)
{
    if (!strncmp(subject, "enterprise:", 11)) {
        snprintf(buf, cap, "%s", subject);
        return buf;
    }
    lq_call_read(c, subject);
    if (lq_call_masks(c))
        lq_mask_subject(subject, buf, cap);
    else
        snprintf(buf, cap, "%s", subject);
    return buf;
}

json_t *lq_col_str(const PGresult *r, int i, int j)
{
    return PQgetisnull(r, i, j) ? json_null() : json_string(PQgetvalue(r, i, j));
}

json_t *lq_col_json(const PGresult *r, int i, int j)
{
    if (PQgetisnull(r, i, j))
        return json_null();
    const char *text = PQgetvalue(r, i, j);
    if (!strcmp(text, "t") || !strcmp(text, "f")) /* boolean: never valid JSON otherwise */
        return json_boolean(*text == 't');
    json_error_t je;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &je);
    if (!v) {
        lt_error(COMP, "unparseable JSON from the database: %s", je.text);
        return json_null();
    }
    return v;
}

json_t *lq_call_row(struct lq_call *c, const PGresult *r, int i, const struct lq_col *cols,
                    size_t n)
{
    json_t *o = json_object();
    char shown[128];
    for (size_t k = 0; k < n; k++) {
        json_t *v;
        int j = (int)k;
        switch (cols[k].kind) {
        case LQ_COL_SKIP:
            continue;
        case LQ_COL_STR:
            v = lq_col_str(r, i, j);
            break;
        case LQ_COL_JSON:
            v = lq_col_json(r, i, j);
            break;
        case LQ_COL_NUMBER:
            v = lq_col_str(r, i, j);
            if (json_is_string(v) && lq_call_masks(c)) {
                lq_mask_number(json_string_value(v), shown, sizeof shown);
                json_string_set(v, shown);
            }
            break;
        case LQ_COL_SUBJECT:
            v = PQgetisnull(r, i, j) ? json_null()
                                     : json_string(lq_call_subject(c, PQgetvalue(r, i, j), shown,
                                                                   sizeof shown));
            break;
        default:
            abort();
        }
        json_object_set_new(o, cols[k].name, v);
    }
    return o;
}

json_t *lq_page_items(struct lq_call *c, struct lq_page *pg, const PGresult *r,
                      const struct lq_col *cols, size_t n_cols, const int *key_cols)
{
    json_t *items = json_array();
    int n = page_rows(pg, r);
    for (int i = 0; i < n; i++)
        json_array_append_new(items, lq_call_row(c, r, i, cols, n_cols));
    for (size_t k = 0; n > 0 && k < pg->n_keys; k++)
        snprintf(pg->keys[k], LQ_CURSOR_KEY_MAX, "%s", PQgetvalue(r, n - 1, key_cols[k]));
    return items;
}
