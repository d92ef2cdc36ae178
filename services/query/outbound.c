/* outbound.c — the outbound summary (outbound.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/err.h"
#include "outbound.h"

static const char *const summary_params[] = { "year", "province", "district", NULL };
static const struct lq_endpoint summary_ep = { "/v1/outbound/summary", LQ_ROLES_ALL,
                                               summary_params };

/* The row filter shared by every statement: $1 year, $2 province, $3 district. */
#define YEAR_FROM "make_date($1::int, 1, 1)"
#define YEAR_TO "make_date($1::int + 1, 1, 1)"
#define IN_YEAR(col) "(" col " >= " YEAR_FROM " AND " col " < " YEAR_TO ")"
#define UNIT_FILTER " ($2::text IS NULL OR province = $2) AND ($3::text IS NULL OR district = $3) "

/* Runs a grouped count and returns [{key: value, counts…}]; NULL after a problem.
 * The statement's first column is the key, the rest are the named counts. */
static json_t *grouped(struct lq_call *c, const char *sql, const char *const *v,
                       const char *const *names)
{
    PGresult *r = lq_call_query(c, sql, 3, v);
    if (!r)
        return NULL;
    json_t *list = json_array();
    for (int i = 0; i < PQntuples(r); i++) {
        json_t *o = json_object();
        for (int j = 0; names[j]; j++)
            json_object_set_new(o, names[j], j == 0 ? lq_col_str(r, i, j) : lq_col_json(r, i, j));
        json_array_append_new(list, o);
    }
    PQclear(r);
    return list;
}

static json_t *target(long long goal, long long done)
{
    return json_pack("{s:I, s:I, s:f}", "target", (json_int_t)goal, "departed", (json_int_t)done,
                     "percent", goal > 0 ? (double)(done * 1000 / goal) / 10.0 : 0.0);
}

int lq_outbound_summary(struct lt_http_request *req, struct lt_http_response *resp, void *arg)
{
    struct lq_app *app = arg;
    struct lq_call c;
    if (!lq_call_begin(&c, app, req, resp, &summary_ep, 0))
        return LT_OK;
    char why[256], year_s[16], from_s[16], to_s[16];
    long long year;
    int y;
    unsigned mo, d;
    lt_date_to_civil(lt_date_vn_from_unix_ms(lt_now_ms()), &y, &mo, &d);
    year = y;
    const char *ys = lq_call_param(&c, "year");
    const char *province = lq_call_param(&c, "province"), *district = lq_call_param(&c, "district");
    json_t *body = json_object();
    if ((ys && lq_params_int("year", ys, 2000, 2100, &year, why, sizeof why) != LT_OK) ||
        (province && lq_params_code("province", province, 8, why, sizeof why) != LT_OK) ||
        (district && lq_params_code("district", district, 8, why, sizeof why) != LT_OK)) {
        lq_call_fail(&c, 400, "bad-parameter", why);
        goto fail;
    }
    snprintf(year_s, sizeof year_s, "%lld", year);
    snprintf(from_s, sizeof from_s, "%lld", app->target_from_year);
    snprintf(to_s, sizeof to_s, "%lld", app->target_to_year);
    const char *v[] = { year_s, province, district, from_s, to_s };
    PGresult *r = lq_call_query(
        &c,
        "SELECT count(*) FILTER (WHERE " IN_YEAR("registered_on") "), "
        "count(*) FILTER (WHERE " IN_YEAR("(row->>'lastTrainingOn')::date") "), "
        "count(*) FILTER (WHERE " IN_YEAR("departed_on") "), count(*) FILTER (WHERE abroad), "
        "count(*) FILTER (WHERE " IN_YEAR("returned_on") "), "
        "count(*) FILTER (WHERE departed_on >= make_date($4::int, 1, 1) AND "
        "departed_on < make_date($5::int + 1, 1, 1)), count(*), "
        "coalesce(max(as_of)::text, '') FROM outbound_workers WHERE" UNIT_FILTER,
        5, v);
    if (!r)
        goto fail;
    json_object_set_new(body, "year", json_integer(year));
    json_object_set_new(body, "totals",
                        json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "registered",
                                  lq_col_json(r, 0, 0), "trained", lq_col_json(r, 0, 1),
                                  "departed", lq_col_json(r, 0, 2), "abroadNow",
                                  lq_col_json(r, 0, 3), "returned", lq_col_json(r, 0, 4),
                                  "personsOnRecord", lq_col_json(r, 0, 6)));
    long long dep_year = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
    long long dep_period = strtoll(PQgetvalue(r, 0, 5), NULL, 10);
    json_object_set_new(body, "asOf", *PQgetvalue(r, 0, 7) ? lq_col_str(r, 0, 7) : json_null());
    PQclear(r);
    json_t *period = target(app->target_period, dep_period);
    json_object_set_new(period, "fromYear", json_integer(app->target_from_year));
    json_object_set_new(period, "toYear", json_integer(app->target_to_year));
    json_object_set_new(body, "targets", json_pack("{s:o, s:o}", "year",
                                                   target(app->target_per_year, dep_year),
                                                   "period", period));

    static const char *const market_names[] = { "market", "departed", "abroadNow", NULL };
    static const char *const unit_names[] = { "province", "district", "registered", "departed", NULL };
    static const char *const group_names[] = { "priorityGroup", "registered", "departed", NULL };
    static const char *const month_names[] = { "month", "departed", NULL };
    json_t *by;
    if (!(by = grouped(&c,
                       "SELECT m, d, a FROM (SELECT coalesce(row->>'departedCountry', "
                       "contract_country, 'unknown') m, count(*) FILTER (WHERE " IN_YEAR("departed_on")
                       ") d, count(*) FILTER (WHERE abroad) a FROM outbound_workers WHERE"
                       UNIT_FILTER "GROUP BY 1) s WHERE d > 0 OR a > 0 ORDER BY d DESC, m",
                       v, market_names)))
        goto fail;
    json_object_set_new(body, "byMarket", by);
    /* The unit is a pair: grouped() reads column 0 as text, 1 as text too. */
    PGresult *u = lq_call_query(&c,
                                "SELECT coalesce(province, ''), coalesce(district, ''), "
                                "count(*) FILTER (WHERE " IN_YEAR("registered_on") "), "
                                "count(*) FILTER (WHERE " IN_YEAR("departed_on") ") "
                                "FROM outbound_workers WHERE" UNIT_FILTER "GROUP BY 1, 2 "
                                "HAVING count(*) FILTER (WHERE " IN_YEAR("registered_on") ") > 0 "
                                "OR count(*) FILTER (WHERE " IN_YEAR("departed_on") ") > 0 "
                                "ORDER BY 1, 2",
                                3, v);
    if (!u)
        goto fail;
    by = json_array();
    for (int i = 0; i < PQntuples(u); i++)
        json_array_append_new(by, json_pack("{s:s, s:s, s:o, s:o}", unit_names[0],
                                            PQgetvalue(u, i, 0), unit_names[1], PQgetvalue(u, i, 1),
                                            unit_names[2], lq_col_json(u, i, 2), unit_names[3],
                                            lq_col_json(u, i, 3)));
    PQclear(u);
    json_object_set_new(body, "byUnit", by);
    if (!(by = grouped(&c,
                       "SELECT g, count(*) FILTER (WHERE " IN_YEAR("registered_on") "), "
                       "count(*) FILTER (WHERE " IN_YEAR("departed_on") ") FROM outbound_workers, "
                       "jsonb_array_elements_text(CASE WHEN jsonb_typeof(row->'priorityGroups') = "
                       "'array' THEN row->'priorityGroups' ELSE '[]'::jsonb END) g WHERE"
                       UNIT_FILTER "GROUP BY g ORDER BY g",
                       v, group_names)))
        goto fail;
    json_object_set_new(body, "byPriorityGroup", by);
    if (!(by = grouped(&c,
                       "SELECT to_char(departed_on, 'YYYY-MM'), count(*) FROM outbound_workers "
                       "WHERE " IN_YEAR("departed_on") " AND" UNIT_FILTER "GROUP BY 1 ORDER BY 1",
                       v, month_names)))
        goto fail;
    json_object_set_new(body, "departuresByMonth", by);
    json_object_set_new(body, "note",
                        json_string("a person counts once, in the year of their last departure; "
                                    "abroadNow is as of each record's asOf date"));
    return lq_call_finish(&c, body);
fail:
    json_decref(body);
    return lq_call_end(&c);
}
