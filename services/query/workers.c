/* workers.c — foreign workers and employers (workers.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/err.h"
#include "event/subject.h"
#include "workers.h"

static const char *const permit_states[] = { "none", "pending", "valid", "expired", "revoked",
                                             "exempt", NULL };

/* Filters of the worker list, all optional (NULL). Text, as SQL parameters. */
struct filters {
    const char *present, *province, *district, *employer, *nationality, *permit_state;
    const char *expiring_days;
};

/* Reads and checks the filters; 1, or 0 after a 400 problem. */
static int read_filters(struct lq_call *c, struct filters *f)
{
    char why[256];
    int b;
    long long days;
    memset(f, 0, sizeof *f);
    f->present = lq_call_param(c, "present");
    f->province = lq_call_param(c, "province");
    f->district = lq_call_param(c, "district");
    f->employer = lq_call_param(c, "employer");
    f->nationality = lq_call_param(c, "nationality");
    f->permit_state = lq_call_param(c, "permitState");
    f->expiring_days = lq_call_param(c, "expiringWithinDays");
    if ((f->present && lq_params_bool("present", f->present, &b, why, sizeof why) != LT_OK) ||
        (f->province && lq_params_code("province", f->province, 8, why, sizeof why) != LT_OK) ||
        (f->district && lq_params_code("district", f->district, 8, why, sizeof why) != LT_OK) ||
        (f->employer && lq_params_code("employer", f->employer, 14, why, sizeof why) != LT_OK) ||
        (f->nationality && lq_params_code("nationality", f->nationality, 3, why, sizeof why) != LT_OK) ||
        (f->permit_state &&
         lq_params_choice("permitState", f->permit_state, permit_states, why, sizeof why) != LT_OK) ||
        (f->expiring_days && lq_params_int("expiringWithinDays", f->expiring_days, 0, 3650, &days,
                                           why, sizeof why) != LT_OK)) {
        lq_call_fail(c, 400, "bad-parameter", why);
        return 0;
    }
    return 1;
}

/* One page of foreign workers matching f as {"items": …, "nextCursor": …};
 * NULL after a problem. Every worker listed is noted as read. */
static json_t *worker_page(struct lq_call *c, const struct filters *f)
{
    char today[LT_DATE_STRLEN + 1];
    struct lq_page pg;
    if (!lq_page_begin(c, 50, 500, 1, &pg))
        return NULL;
    lt_date_format(lt_date_vn_from_unix_ms(lt_now_ms()), today);
    const char *v[] = { f->present, f->province, f->district, f->employer, f->nationality,
                        f->permit_state, f->expiring_days, today, pg.has_cursor ? pg.keys[0] : NULL,
                        c->role == LQ_ROLE_AGENCY ? c->agency : NULL, pg.fetch };
    PGresult *r = lq_call_query(
        c,
        "SELECT w.subject, w.nationality, w.row->>'passportNumber', w.row->>'fullName', "
        "w.row->>'birthDate', w.employer, w.row->>'permitNo', w.permit_state, "
        "w.permit_valid_until::text, w.present, w.residence_province, w.residence_district, "
        "w.as_of::text, w.row->>'violations' FROM foreign_workers w "
        "WHERE ($1::boolean IS NULL OR w.present = $1::boolean) "
        "AND ($2::text IS NULL OR w.residence_province = $2) "
        "AND ($3::text IS NULL OR w.residence_district = $3) "
        "AND ($4::text IS NULL OR w.employer = $4) AND ($5::text IS NULL OR w.nationality = $5) "
        "AND ($6::text IS NULL OR w.permit_state = $6) "
        "AND ($7::int IS NULL OR (w.permit_valid_until BETWEEN $8::date AND $8::date + $7::int "
        "AND w.permit_state IN ('valid', 'exempt'))) "
        "AND ($9::text IS NULL OR w.subject > $9) "
        "AND " LQ_SQL_AGENCY_SEES("w.subject", "$10") " ORDER BY w.subject LIMIT $11::bigint",
        11, v);
    if (!r)
        return NULL;
    static const struct lq_col cols[] = {
        { "subject", LQ_COL_SUBJECT },       { "nationality", LQ_COL_STR },
        { "passportNumber", LQ_COL_NUMBER },    { "fullName", LQ_COL_STR },
        { "birthDate", LQ_COL_STR },         { "employer", LQ_COL_STR },
        { "permitNo", LQ_COL_STR },          { "permitState", LQ_COL_STR },
        { "permitValidUntil", LQ_COL_STR },  { "present", LQ_COL_JSON },
        { "residenceProvince", LQ_COL_STR }, { "residenceDistrict", LQ_COL_STR },
        { "asOf", LQ_COL_STR },              { "violations", LQ_COL_JSON },
    };
    static const int keys[] = { 0 };
    json_t *items = lq_page_items(c, &pg, r, cols, sizeof cols / sizeof cols[0], keys);
    PQclear(r);
    return lq_page_answer(&pg, items);
}

static const char *const list_params[] = { "present", "province", "district", "employer",
                                           "nationality", "permitState", "expiringWithinDays",
                                           "limit", "cursor", NULL };
static const struct lq_endpoint list_ep = { "/v1/foreign-workers", LQ_ROLES_PERSONAL, list_params };

int lq_workers_list(struct lt_http_request *req, struct lt_http_response *resp, void *arg)
{
    struct lq_call c;
    struct filters f;
    if (!lq_call_begin(&c, arg, req, resp, &list_ep, 1))
        return LT_OK;
    json_t *page = read_filters(&c, &f) ? worker_page(&c, &f) : NULL;
    if (!page)
        return lq_call_end(&c);
    return lq_call_finish(&c, page);
}

/* ---- one employer -------------------------------------------------------- */

static const char *const employer_params[] = { "include", "present", "permitState",
                                               "expiringWithinDays", "limit", "cursor", NULL };
static const struct lq_endpoint employer_ep = { "/v1/employers/{code}", LQ_ROLES_ALL,
                                                employer_params };

/* Adds the employer's aggregates to body; 1 when the employer is known at
 * all (a row or a worker), 0 when not, -1 after a problem. */
static int employer_facts(struct lq_call *c, const char *code, json_t *body)
{
    const char *v[] = { code };
    PGresult *r = lq_call_query(
        c,
        "SELECT (SELECT row::text FROM employers WHERE enterprise_code = $1 LIMIT 1), "
        "(SELECT as_of::text FROM employers WHERE enterprise_code = $1 LIMIT 1), "
        "count(w.*), count(w.*) FILTER (WHERE w.present), "
        "coalesce(sum((w.row->>'violations')::bigint), 0), "
        "(SELECT coalesce(json_object_agg(st, n), '{}')::text FROM (SELECT "
        "coalesce(permit_state, 'none') st, count(*) n FROM foreign_workers WHERE employer = $1 "
        "GROUP BY 1) s), "
        "(SELECT count(*) FROM event_store WHERE subject = 'enterprise:' || $1 "
        "AND event_type = 'violation_recorded'), "
        "(SELECT coalesce(json_object_agg(code, n), '{}')::text FROM (SELECT a.code, count(*) n "
        "FROM alerts a WHERE a.cleared_at IS NULL AND a.subject IN (SELECT subject FROM "
        "foreign_workers WHERE employer = $1) GROUP BY 1) s) "
        "FROM foreign_workers w WHERE w.employer = $1",
        1, v);
    if (!r)
        return -1;
    json_t *profile = lq_col_json(r, 0, 0);
    long long workers = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
    int known = !json_is_null(profile) || workers > 0;
    json_t *demand = json_object();
    static const char *const demand_fields[] = { "demandsDeclared", "demandsApproved",
                                                 "demandsRejected", "approvedPositions",
                                                 "permitsIssued", NULL };
    for (size_t i = 0; demand_fields[i]; i++) {
        json_t *x = json_object_get(profile, demand_fields[i]);
        json_object_set(demand, demand_fields[i], x ? x : json_null());
    }
    json_object_set_new(body, "profile", profile);
    json_object_set_new(body, "asOf", lq_col_str(r, 0, 1));
    json_object_set_new(body, "demand", demand);
    json_object_set_new(body, "workers",
                        json_pack("{s:o, s:o, s:o}", "total", lq_col_json(r, 0, 2), "present",
                                  lq_col_json(r, 0, 3), "byPermitState", lq_col_json(r, 0, 5)));
    json_object_set_new(body, "violations",
                        json_pack("{s:o, s:o}", "employer", lq_col_json(r, 0, 6), "workers",
                                  lq_col_json(r, 0, 4)));
    json_object_set_new(body, "openAlertsOnWorkers", lq_col_json(r, 0, 7));
    PQclear(r);
    return known;
}

int lq_workers_employer(struct lt_http_request *req, struct lt_http_response *resp, void *arg)
{
    static const char *const includes[] = { "workers", NULL };
    const char *include = lt_http_query(req, "include");
    int personal = include != NULL;
    struct lq_call c;
    if (!lq_call_begin(&c, arg, req, resp, &employer_ep, personal))
        return LT_OK;
    const char *code = lt_http_param(req, "code");
    char why[256];
    enum lt_subject_fault fault;
    json_t *body = json_object();
    struct filters f;
    if (!code || lt_subject_check_enterprise_code(code, &fault, why, sizeof why) != LT_OK) {
        lq_call_fail(&c, 400, "bad-parameter",
                     "the code must be an enterprise code: 10 digits, or 10 digits-3 digits");
        goto fail;
    }
    if (include && lq_params_choice("include", include, includes, why, sizeof why) != LT_OK) {
        lq_call_fail(&c, 400, "bad-parameter", why);
        goto fail;
    }
    if (!personal && (lq_call_param(&c, "limit") || lq_call_param(&c, "cursor") ||
                      lq_call_param(&c, "present") || lq_call_param(&c, "permitState") ||
                      lq_call_param(&c, "expiringWithinDays"))) {
        lq_call_fail(&c, 400, "bad-parameter", "list parameters need include=workers");
        goto fail;
    }
    if (personal && !read_filters(&c, &f))
        goto fail;
    int known = employer_facts(&c, code, body);
    if (known < 0)
        goto fail;
    if (!known) {
        lq_call_fail(&c, 404, "not-found", "no employer and no worker with this enterprise code");
        goto fail;
    }
    json_object_set_new(body, "enterpriseCode", json_string(code));
    if (personal) {
        f.employer = code;
        json_t *page = worker_page(&c, &f);
        if (!page)
            goto fail;
        json_object_set_new(body, "workerList", page);
    }
    return lq_call_finish(&c, body);
fail:
    json_decref(body);
    return lq_call_end(&c);
}
