/* alerts.c — alerts and the access log (alerts.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "alerts.h"
#include "core/err.h"
#include "event/subject.h"

/* Starts a page of rows keyed by their id (newest first); 1, or 0 after a 400. */
static int id_page(struct lq_call *c, long long def, long long max, struct lq_page *pg)
{
    long long id;
    char why[128];
    if (!lq_page_begin(c, def, max, 1, pg))
        return 0;
    if (pg->has_cursor &&
        lq_params_int("cursor", pg->keys[0], 1, INT64_MAX, &id, why, sizeof why) != LT_OK) {
        lq_call_fail(c, 400, "bad-parameter", "cursor is not one this list gave out");
        return 0;
    }
    return 1;
}

static const char *const alert_params[] = { "state", "code", "subject", "limit", "cursor", NULL };
static const struct lq_endpoint alerts_ep = { "/v1/alerts", LQ_ROLES_PERSONAL, alert_params };

int lq_alerts_list(struct lt_http_request *req, struct lt_http_response *resp, void *arg)
{
    static const char *const states[] = { "open", "closed", "all", NULL };
    struct lq_call c;
    if (!lq_call_begin(&c, arg, req, resp, &alerts_ep, 1))
        return LT_OK;
    char why[256];
    struct lq_page pg;
    struct lt_subject_id sid;
    enum lt_subject_fault fault;
    const char *state = lq_call_param(&c, "state"), *code = lq_call_param(&c, "code");
    const char *subject = lq_call_param(&c, "subject");
    if (!state)
        state = "open";
    if (lq_params_choice("state", state, states, why, sizeof why) != LT_OK ||
        (code && lq_params_code("code", code, 40, why, sizeof why) != LT_OK)) {
        lq_call_fail(&c, 400, "bad-parameter", why);
        return lq_call_end(&c);
    }
    if (subject && lt_subject_parse_id(subject, &sid, &fault, why, sizeof why) != LT_OK) {
        lq_call_fail(&c, 400, "bad-parameter", "subject must be a canonical id");
        return lq_call_end(&c);
    }
    if (!id_page(&c, 100, 500, &pg))
        return lq_call_end(&c);
    const char *v[] = { state, code, subject, pg.has_cursor ? pg.keys[0] : NULL,
                        c.role == LQ_ROLE_AGENCY ? c.agency : NULL, pg.fetch };
    PGresult *r = lq_call_query(
        &c,
        "SELECT a.id::text, a.subject, a.code, a.opened_on::text, a.message, "
        LQ_SQL_TS("a.raised_at") ", " LQ_SQL_TS("a.cleared_at") ", "
        "array_to_json(a.event_ids)::text, (SELECT coalesce(json_agg(json_build_object("
        "'eventId', e.event_id, 'type', e.event_type, 'agency', e.agency_code, 'occurredAt', "
        LQ_SQL_TS("e.occurred_at") ") ORDER BY e.occurred_at, e.event_id), '[]')::text "
        "FROM event_store e WHERE e.event_id = ANY(a.event_ids)), a.cleared_at IS NULL FROM alerts a "
        "WHERE ($1::text = 'all' OR ($1::text = 'open') = (a.cleared_at IS NULL)) "
        "AND ($2::text IS NULL OR a.code = $2) AND ($3::text IS NULL OR a.subject = $3) "
        "AND ($4::bigint IS NULL OR a.id < $4::bigint) "
        "AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM event_store e WHERE e.event_id = "
        "ANY(a.event_ids) AND e.agency_code = $5)) ORDER BY a.id DESC LIMIT $6::bigint",
        6, v);
    if (!r)
        return lq_call_end(&c);
    static const struct lq_col cols[] = {
        { "id", LQ_COL_JSON },       { "subject", LQ_COL_SUBJECT }, { "code", LQ_COL_STR },
        { "openedOn", LQ_COL_STR },  { "message", LQ_COL_STR },     { "raisedAt", LQ_COL_STR },
        { "clearedAt", LQ_COL_STR }, { "eventIds", LQ_COL_JSON },   { "events", LQ_COL_JSON },
        { "open", LQ_COL_JSON },
    };
    static const int keys[] = { 0 };
    json_t *items = lq_page_items(&c, &pg, r, cols, sizeof cols / sizeof cols[0], keys);
    PQclear(r);
    return lq_call_finish(&c, lq_page_answer(&pg, items));
}

/* ---- access log ---------------------------------------------------------- */

static const char *const log_params[] = { "subject", "tokenName", "since", "until", "limit",
                                          "cursor", NULL };
static const struct lq_endpoint log_ep = { "/v1/access-log", LQ_ROLE_AUDITOR, log_params };

int lq_alerts_access_log(struct lt_http_request *req, struct lt_http_response *resp, void *arg)
{
    struct lq_call c;
    if (!lq_call_begin(&c, arg, req, resp, &log_ep, 1))
        return LT_OK;
    char why[256];
    struct lq_page pg;
    int day;
    struct lt_subject_id sid;
    enum lt_subject_fault fault;
    const char *subject = lq_call_param(&c, "subject"), *token = lq_call_param(&c, "tokenName");
    const char *since = lq_call_param(&c, "since"), *until = lq_call_param(&c, "until");
    if (subject && lt_subject_parse_id(subject, &sid, &fault, why, sizeof why) != LT_OK) {
        lq_call_fail(&c, 400, "bad-parameter", "subject must be a canonical id");
        return lq_call_end(&c);
    }
    if ((token && lq_params_code("tokenName", token, 64, why, sizeof why) != LT_OK) ||
        (since && lq_params_date("since", since, &day, why, sizeof why) != LT_OK) ||
        (until && lq_params_date("until", until, &day, why, sizeof why) != LT_OK)) {
        lq_call_fail(&c, 400, "bad-parameter", why);
        return lq_call_end(&c);
    }
    if (!id_page(&c, 50, 200, &pg))
        return lq_call_end(&c);
    const char *v[] = { subject, token, since, until, pg.has_cursor ? pg.keys[0] : NULL, pg.fetch };
    PGresult *r = lq_call_query(
        &c,
        "SELECT id::text, " LQ_SQL_TS("at") ", token_name, role, agency_code, method, endpoint, "
        "parameters::text, purpose, array_to_json(subjects)::text, remote_addr FROM access_log "
        "WHERE ($1::text IS NULL OR subjects @> ARRAY[$1::text]) "
        "AND ($2::text IS NULL OR token_name = $2) "
        "AND ($3::date IS NULL OR at >= $3::date::timestamptz) "
        "AND ($4::date IS NULL OR at < ($4::date + 1)::timestamptz) "
        "AND ($5::bigint IS NULL OR id < $5::bigint) ORDER BY id DESC LIMIT $6::bigint",
        6, v);
    if (!r)
        return lq_call_end(&c);
    static const struct lq_col cols[] = {
        { "id", LQ_COL_JSON },         { "at", LQ_COL_STR },       { "tokenName", LQ_COL_STR },
        { "role", LQ_COL_STR },        { "agency", LQ_COL_STR },   { "method", LQ_COL_STR },
        { "endpoint", LQ_COL_STR },    { "parameters", LQ_COL_JSON }, { "purpose", LQ_COL_STR },
        { "subjects", LQ_COL_JSON },   { "remoteAddr", LQ_COL_STR },
    };
    static const int keys[] = { 0 };
    json_t *items = lq_page_items(&c, &pg, r, cols, sizeof cols / sizeof cols[0], keys);
    PQclear(r);
    size_t i, k;
    json_t *o, *s;
    json_array_foreach(items, i, o) /* every person a row names is read */
        json_array_foreach(json_object_get(o, "subjects"), k, s)
            if (json_is_string(s))
                lq_call_read(&c, json_string_value(s));
    return lq_call_finish(&c, lq_page_answer(&pg, items));
}
