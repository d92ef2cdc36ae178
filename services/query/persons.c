/* persons.c — a person's timeline and person search (persons.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "access.h"
#include "core/err.h"
#include "core/date.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/uuid.h"
#include "event/envelope.h"
#include "event/pbjson.h"
#include "event/subject.h"
#include "events.h"
#include "mask.h"
#include "persons.h"

#define COMP "query"

/* ---- timeline ------------------------------------------------------------ */

static const char *const timeline_params[] = { "limit", "cursor", "agency", "type", NULL };
static const struct lq_endpoint timeline_ep = { "/v1/persons/{subject}/timeline",
                                                LQ_ROLES_PERSONAL, timeline_params };

/* The event of a stored SignedEvent (hex text from the database) in the
 * protobuf JSON mapping, with its key id; {"decodeError": …} if it does not
 * decode (it did when it was admitted, so this means a damaged store). */
static json_t *decode_signed(const char *hex, json_t *item)
{
    Lienthong__V1__SignedEvent *se;
    Lienthong__V1__Event *ev;
    enum lt_envelope_result er = lq_event_from_hex(hex, &se, &ev);
    json_t *out = NULL;
    if (er == LT_ENVELOPE_OK) {
        json_object_set_new(item, "keyId", json_string(se->key_id));
        out = lt_pbjson_from_message(&ev->base, 0);
    }
    if (!out)
        json_object_set_new(item, "decodeError", json_string(lt_envelope_result_name(er)));
    lq_event_free(se, ev);
    return out ? out : json_null();
}

/* One page of the person's events (keys: occurred_at in µs, event id). */
static json_t *timeline_events(struct lq_call *c, const char *subject, const char *agency,
                               const char *type, struct lq_page *pg)
{
    const char *v[] = { subject, agency, type, pg->has_cursor ? pg->keys[0] : NULL,
                        pg->has_cursor ? pg->keys[1] : NULL, pg->fetch };
    PGresult *r = lq_call_query(
        c,
        "SELECT event_id::text, agency_code, sequence::text, event_type, "
        LQ_SQL_TS("occurred_at") ", " LQ_SQL_TS("recorded_at") ", rule_set, "
        "encode(signed_bytes, 'hex'), ((extract(epoch FROM occurred_at) * 1000000)::bigint)::text "
        "FROM event_store WHERE subject = $1 AND ($2::text IS NULL OR agency_code = $2) "
        "AND ($3::text IS NULL OR event_type = $3) AND ($4::bigint IS NULL OR "
        "(occurred_at, event_id) > ('epoch'::timestamptz + $4::bigint * interval '1 microsecond', "
        "$5::uuid)) ORDER BY occurred_at, event_id LIMIT $6::bigint",
        6, v);
    if (!r)
        return NULL;
    static const struct lq_col cols[] = {
        { "eventId", LQ_COL_STR },    { "agency", LQ_COL_STR },     { "sequence", LQ_COL_STR },
        { "type", LQ_COL_STR },       { "occurredAt", LQ_COL_STR }, { "recordedAt", LQ_COL_STR },
        { "ruleSet", LQ_COL_STR },    { NULL, LQ_COL_SKIP },        { NULL, LQ_COL_SKIP },
    };
    static const int keys[] = { 8, 0 };
    json_t *items = lq_page_items(c, pg, r, cols, sizeof cols / sizeof cols[0], keys);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
        json_object_set_new(it, "event", decode_signed(PQgetvalue(r, (int)i, 7), it));
    PQclear(r);
    return items;
}

/* The person's open and closed alerts (for an agency: those citing one of its events). */
static json_t *subject_alerts(struct lq_call *c, const char *subject, const char *agency)
{
    const char *v[] = { subject, agency };
    PGresult *r = lq_call_query(
        c,
        "SELECT a.id::text, a.code, a.opened_on::text, a.message, array_to_json(a.event_ids)::text, "
        LQ_SQL_TS("a.raised_at") ", " LQ_SQL_TS("a.cleared_at") ", a.cleared_at IS NULL "
        "FROM alerts a WHERE a.subject = $1 "
        "AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM event_store e WHERE e.event_id = "
        "ANY(a.event_ids) AND e.agency_code = $2)) ORDER BY a.id",
        2, v);
    if (!r)
        return NULL;
    static const struct lq_col cols[] = {
        { "id", LQ_COL_JSON },       { "code", LQ_COL_STR },     { "openedOn", LQ_COL_STR },
        { "message", LQ_COL_STR },   { "eventIds", LQ_COL_JSON }, { "raisedAt", LQ_COL_STR },
        { "clearedAt", LQ_COL_STR }, { "open", LQ_COL_JSON },
    };
    json_t *list = json_array();
    for (int i = 0; i < PQntuples(r); i++)
        json_array_append_new(list, lq_call_row(c, r, i, cols, sizeof cols / sizeof cols[0]));
    PQclear(r);
    return list;
}

int lq_persons_timeline(struct lt_http_request *req, struct lt_http_response *resp, void *arg)
{
    struct lq_call c;
    if (!lq_call_begin(&c, arg, req, resp, &timeline_ep, 1))
        return LT_OK;
    const char *subject = lt_http_param(req, "subject");
    struct lt_subject_id id;
    enum lt_subject_fault fault;
    char why[256];
    uint8_t uuid[16];
    long long us;
    struct lq_page pg;
    json_t *events = NULL, *alerts = NULL, *status = json_null();
    if (!subject || lt_subject_parse_id(subject, &id, &fault, why, sizeof why) != LT_OK ||
        id.kind == LT_SUBJECT_ENTERPRISE) {
        lq_call_fail(&c, 400, "bad-parameter",
                     "the subject must be a person's canonical id: VNM:<12 digits> or "
                     "<ISO alpha-3>:<passport number>");
        goto fail;
    }
    const char *agency = lq_call_param(&c, "agency"), *type = lq_call_param(&c, "type");
    if ((agency && lq_params_code("agency", agency, 64, why, sizeof why) != LT_OK) ||
        (type && lq_params_code("type", type, 64, why, sizeof why) != LT_OK)) {
        lq_call_fail(&c, 400, "bad-parameter", why);
        goto fail;
    }
    if (c.role == LQ_ROLE_AGENCY) {
        if (agency && strcmp(agency, c.agency) != 0) {
            lq_call_fail(&c, 403, "forbidden", "an agency token sees only its own agency's events");
            goto fail;
        }
        agency = c.agency;
    }
    if (!lq_page_begin(&c, 100, 500, 2, &pg))
        goto fail;
    if (pg.has_cursor && (lq_params_int("cursor", pg.keys[0], -(1LL << 52), 1LL << 52, &us, why,
                                        sizeof why) != LT_OK ||
                          lt_uuid_parse(pg.keys[1], uuid) != LT_OK)) {
        lq_call_fail(&c, 400, "bad-parameter", "cursor is not one this list gave out");
        goto fail;
    }
    if (!(events = timeline_events(&c, subject, agency, type, &pg)))
        goto fail;

    /* The current status: the folded row. An agency sees it only for a
     * person it has published events about. */
    const char *v[] = { subject, agency };
    PGresult *r = lq_call_query(&c,
                                "SELECT kind, row::text, as_of::text, events, "
                                LQ_SQL_TS("updated_at") ", "
                                LQ_SQL_AGENCY_SEES("$1", "$2") " FROM subject_rows WHERE subject = $1",
                                2, v);
    if (!r)
        goto fail;
    int has_row = PQntuples(r) == 1 && !strcmp(PQgetvalue(r, 0, 5), "t");
    json_t *kind = has_row ? lq_col_str(r, 0, 0) : json_null();
    if (has_row) {
        json_decref(status);
        status = lq_col_json(r, 0, 1);
    }
    PQclear(r);
    if (!has_row && json_array_size(events) == 0 && !pg.has_cursor) {
        json_decref(kind);
        lq_call_fail(&c, 404, "not-found", "no event and no record about this person");
        goto fail;
    }
    if (!(alerts = subject_alerts(&c, subject, c.role == LQ_ROLE_AGENCY ? c.agency : NULL))) {
        json_decref(kind);
        goto fail;
    }
    char shown[LT_SUBJECT_ID_MAX + 8];
    lq_call_subject(&c, subject, shown, sizeof shown);
    if (lq_call_masks(&c))
        lq_mask_row(status);
    json_t *body = lq_page_answer(&pg, events);
    events = NULL;
    json_object_set_new(body, "subject", json_string(shown));
    json_object_set_new(body, "kind", kind);
    json_object_set_new(body, "status", status);
    json_object_set_new(body, "alerts", alerts);
    return lq_call_finish(&c, body);
fail:
    json_decref(events);
    json_decref(alerts);
    json_decref(status);
    return lq_call_end(&c);
}

/* ---- search -------------------------------------------------------------- */

static const char *const search_params[] = { "name", "birthDate", "kind", "limit", "cursor", NULL };
static const struct lq_endpoint search_ep = { "/v1/persons", LQ_ROLES_PERSONAL, search_params };

int lq_persons_search(struct lt_http_request *req, struct lt_http_response *resp, void *arg)
{
    static const char *const kinds[] = { "foreign_worker", "outbound_worker", NULL };
    struct lq_call c;
    if (!lq_call_begin(&c, arg, req, resp, &search_ep, 1))
        return LT_OK;
    char why[256], *name_key = NULL;
    struct lq_page pg;
    const char *name = lq_call_param(&c, "name"), *birth = lq_call_param(&c, "birthDate");
    const char *kind = lq_call_param(&c, "kind");
    int y;
    unsigned m, d;
    if (!name && !birth) {
        lq_call_fail(&c, 400, "bad-parameter", "give a name, a birthDate or both");
        goto fail;
    }
    if (name && lq_params_name_key(name, &name_key, why, sizeof why) != LT_OK) {
        lq_call_fail(&c, 400, "bad-parameter", why);
        goto fail;
    }
    if (birth && lt_date_parse_partial(birth, &y, &m, &d, why, sizeof why) != LT_OK) {
        lq_call_fail(&c, 400, "bad-parameter", "birthDate must be YYYY, YYYY-MM or YYYY-MM-DD");
        goto fail;
    }
    if (kind && lq_params_choice("kind", kind, kinds, why, sizeof why) != LT_OK) {
        lq_call_fail(&c, 400, "bad-parameter", why);
        goto fail;
    }
    if (!lq_page_begin(&c, 50, 200, 1, &pg))
        goto fail;
    const char *v[] = { name_key, birth, kind, pg.has_cursor ? pg.keys[0] : NULL,
                        c.role == LQ_ROLE_AGENCY ? c.agency : NULL, pg.fetch };
    PGresult *r = lq_call_query(
        &c,
        "SELECT s.subject, s.kind, s.row->>'fullName', s.row->>'birthDate', s.row->>'sex', "
        "s.row->>'nationality', s.row->>'present', s.row->>'permitState', s.row->>'abroad', "
        "s.row->>'departedCountry' FROM subject_rows s "
        "WHERE s.kind IN ('foreign_worker', 'outbound_worker') "
        "AND ($1::text IS NULL OR ' ' || name_key(s.row->>'fullName') LIKE '% ' || $1 || '%') "
        "AND ($2::text IS NULL OR s.row->>'birthDate' LIKE $2 || '%') "
        "AND ($3::text IS NULL OR s.kind = $3) AND ($4::text IS NULL OR s.subject > $4) "
        "AND " LQ_SQL_AGENCY_SEES("s.subject", "$5") " ORDER BY s.subject LIMIT $6::bigint",
        6, v);
    if (!r)
        goto fail;
    /* Both kinds' status fields; those of the other kind are null. */
    static const struct lq_col cols[] = {
        { "subject", LQ_COL_SUBJECT }, { "kind", LQ_COL_STR },        { "fullName", LQ_COL_STR },
        { "birthDate", LQ_COL_STR },   { "sex", LQ_COL_STR },         { "nationality", LQ_COL_STR },
        { "present", LQ_COL_JSON },    { "permitState", LQ_COL_STR }, { "abroad", LQ_COL_JSON },
        { "departedCountry", LQ_COL_STR },
    };
    static const int keys[] = { 0 };
    json_t *items = lq_page_items(&c, &pg, r, cols, sizeof cols / sizeof cols[0], keys);
    PQclear(r);
    free(name_key);
    return lq_call_finish(&c, lq_page_answer(&pg, items));
fail:
    free(name_key);
    return lq_call_end(&c);
}
