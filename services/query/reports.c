/* reports.c — the annual and half-year reports and the foreign-worker
 * demand forecast (reports.h). Each report is one JSON document of sections
 * (report_format.h) filled by grouped statements over the folded rows and the
 * event store, all in one repeatable-read transaction; CSV and HTML are
 * renderings of that same document. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "events.h"
#include "forecast.h"
#include "report_format.h"
#include "reports.h"

/* ---- pieces of SQL shared by the sections --------------------------------- */

/* The Vietnam date of a timestamptz, and "in the report period" ($1 first
 * day, $2 first day after). */
#define VN_DATE(col) "(" col " AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"
#define IN_PERIOD(col) "(" col " >= $1::date AND " col " < $2::date)"

/* The unit of a row: its resolved area (province; district, or commune
 * after the district level was removed), else the raw codes. */
#define UNIT_OF(area, rawp, rawd)                                                            \
    "coalesce(" area "->'province'->>'code', " rawp ", '') pc, "                             \
    "coalesce(" area "->'province'->>'name', '') pn, "                                       \
    "coalesce(" area "->'district'->>'code', " area "->'commune'->>'code', " rawd ", '') uc, " \
    "coalesce(" area "->'district'->>'name', " area "->'commune'->>'name', '') un"
/* Per unit, per province and in all: the five unit columns of UNIT_COLUMNS. */
#define UNIT_LEVELS                                                                           \
    "CASE WHEN grouping(pc) = 1 THEN 'total' WHEN grouping(uc) = 1 THEN 'province' ELSE 'unit' " \
    "END, CASE WHEN grouping(pc) = 0 THEN pc END, CASE WHEN grouping(pc) = 0 THEN pn END, "     \
    "CASE WHEN grouping(uc) = 0 THEN uc END, CASE WHEN grouping(uc) = 0 THEN un END"
#define UNIT_GROUPS                                                  \
    " GROUP BY GROUPING SETS ((), (pc, pn), (pc, pn, uc, un)) "      \
    "ORDER BY grouping(pc) DESC, pc, grouping(uc) DESC, uc"

/* Foreign workers with their permits issued, entries and exits in the period. */
#define FW_BASE                                                                               \
    "(SELECT w.subject, w.nationality, w.permit_state, w.present, w.row, w.residence_province, " \
    "w.residence_district, ev.pi, ev.en, ev.ex FROM foreign_workers w LEFT JOIN LATERAL "      \
    "(SELECT count(*) FILTER (WHERE e.event_type = 'work_permit_issued') pi, "                 \
    "count(*) FILTER (WHERE e.event_type = 'entry') en, "                                      \
    "count(*) FILTER (WHERE e.event_type = 'exit') ex FROM event_store e "                     \
    "WHERE e.subject = w.subject AND " IN_PERIOD(VN_DATE("e.occurred_at")) ") ev ON true)"
#define FW_COUNTS                                                                            \
    "count(*), count(*) FILTER (WHERE present), count(*) FILTER (WHERE permit_state = 'valid'), " \
    "count(*) FILTER (WHERE permit_state = 'exempt'), coalesce(sum(pi), 0), "                 \
    "coalesce(sum(en), 0), coalesce(sum(ex), 0)"

/* Events that carry a permit's terms (and so its category). */
#define TERMS_TYPES                                                                  \
    "('work_permit_issued', 'work_permit_reissued', 'work_permit_exemption_certified', " \
    "'work_permit_exemption_reported')"

/* ---- sections -------------------------------------------------------------- */

struct col {
    const char *key, *en, *vi;
    int number; /* parse as JSON (a count), else text */
};
/* A static column table and its length, as section_new and section_sql take them. */
#define COLS(a) a, sizeof a / sizeof a[0]

#define UNIT_COLUMNS                                                                  \
    { "level", "Level", "Cấp", 0 }, { "provinceCode", "Province code", "Mã tỉnh", 0 },  \
    { "provinceName", "Province", "Tỉnh, thành phố", 0 },                               \
    { "unitCode", "Unit code", "Mã đơn vị", 0 }, { "unitName", "Unit", "Đơn vị hành chính", 0 }
#define FW_COLUMNS                                                                         \
    { "workers", "Foreign workers on record", "Người lao động nước ngoài", 1 },             \
    { "present", "Present now", "Đang có mặt", 1 },                                        \
    { "permitValid", "Valid permit", "Giấy phép còn hiệu lực", 1 },                         \
    { "permitExempt", "Exempt", "Miễn giấy phép", 1 },                                      \
    { "permitsIssued", "Permits issued in period", "Giấy phép cấp trong kỳ", 1 },           \
    { "entries", "Entries in period", "Lượt nhập cảnh trong kỳ", 1 },                       \
    { "exits", "Exits in period", "Lượt xuất cảnh trong kỳ", 1 }

static json_t *section_new(const char *id, const char *en, const char *vi, const struct col *cols,
                           size_t n)
{
    json_t *c = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(c, json_pack("{s:s, s:s, s:s}", "key", cols[i].key, "en", cols[i].en,
                                           "vi", cols[i].vi));
    return json_pack("{s:s, s:{s:s, s:s}, s:o, s:[]}", "id", id, "title", "en", en, "vi", vi,
                     "columns", c, "rows");
}

/* Appends a section whose rows are the rows of sql (column j is cols[j]).
 * Returns 1, or 0 after a problem. */
static int section_sql(struct lq_call *c, json_t *sections, const char *id, const char *en,
                       const char *vi, const struct col *cols, size_t n, const char *sql, int nv,
                       const char *const *v)
{
    PGresult *r = lq_call_query(c, sql, nv, v);
    if (!r)
        return 0;
    json_t *sec = section_new(id, en, vi, cols, n);
    json_t *rows = json_object_get(sec, "rows");
    for (int i = 0; i < PQntuples(r); i++) {
        json_t *o = json_object();
        for (size_t j = 0; j < n && (int)j < PQnfields(r); j++)
            json_object_set_new(o, cols[j].key,
                                cols[j].number ? lq_col_json(r, i, (int)j) : lq_col_str(r, i, (int)j));
        json_array_append_new(rows, o);
    }
    PQclear(r);
    json_array_append_new(sections, sec);
    return 1;
}

/* The event-store position the answer is read at, into about (and as an
 * object for JSON clients). Must be the first statement of the transaction:
 * it fixes the snapshot every later statement sees. Returns 1, or 0 after a
 * problem. */
static int position(struct lq_call *c, json_t *about)
{
    PGresult *r = lq_call_query(c,
                                "SELECT coalesce(max(ingest_seq), 0), count(*), " LQ_SQL_TS("now()")
                                ", (SELECT max(as_of)::text FROM subject_rows) FROM event_store",
                                0, NULL);
    if (!r)
        return 0;
    json_object_set_new(about, "eventStoreMaxIngestSeq", lq_col_json(r, 0, 0));
    json_object_set_new(about, "eventStoreEvents", lq_col_json(r, 0, 1));
    json_object_set_new(about, "readAt", lq_col_str(r, 0, 2));
    json_object_set_new(about, "rowsAsOf", lq_col_str(r, 0, 3));
    PQclear(r);
    return 1;
}

/* Foreign workers by category of their latest permit or exemption (decoded
 * from the signed event: the folded rows do not keep it). */
static int category_section(struct lq_call *c, json_t *sections)
{
    PGresult *r = lq_call_query(
        c,
        "SELECT DISTINCT ON (w.subject) w.present::text, w.permit_state, "
        "encode(e.signed_bytes, 'hex') FROM foreign_workers w LEFT JOIN event_store e ON "
        "e.subject = w.subject AND e.event_type IN " TERMS_TYPES " "
        "ORDER BY w.subject, e.occurred_at DESC NULLS LAST, e.event_id DESC",
        0, NULL);
    if (!r)
        return 0;
    enum { N_CAT = 5 }; /* WorkCategory 0..4; 0 = no permit or exemption */
    long long workers[N_CAT] = { 0 }, present[N_CAT] = { 0 }, valid[N_CAT] = { 0 };
    for (int i = 0; i < PQntuples(r); i++) {
        int cat = 0;
        if (!PQgetisnull(r, i, 2)) {
            Lienthong__V1__SignedEvent *se;
            Lienthong__V1__Event *ev;
            if (lq_event_from_hex(PQgetvalue(r, i, 2), &se, &ev) == LT_ENVELOPE_OK) {
                const Lienthong__V1__PermitTerms *t = lq_event_terms(ev);
                if (t && (int)t->category > 0 && (int)t->category < N_CAT)
                    cat = (int)t->category;
            }
            lq_event_free(se, ev);
        }
        workers[cat]++;
        present[cat] += !strcmp(PQgetvalue(r, i, 0), "true");
        valid[cat] += !strcmp(PQgetvalue(r, i, 1), "valid");
    }
    PQclear(r);
    static const struct col cols[] = {
        { "category", "Category", "Loại", 0 },
        { "workers", "Foreign workers on record", "Người lao động nước ngoài", 1 },
        { "present", "Present now", "Đang có mặt", 1 },
        { "permitValid", "Valid permit", "Giấy phép còn hiệu lực", 1 },
    };
    json_t *sec = section_new("foreignWorkersByCategory", "Foreign workers by category",
                              "Lao động nước ngoài theo loại vị trí", COLS(cols));
    for (int k = 0; k < N_CAT; k++) {
        if (!workers[k])
            continue;
        const ProtobufCEnumValue *ev =
            protobuf_c_enum_descriptor_get_value(&lienthong__v1__work_category__descriptor, k);
        json_array_append_new(json_object_get(sec, "rows"),
                              json_pack("{s:s, s:I, s:I, s:I}", "category",
                                        k && ev ? ev->name : "NONE", "workers", (json_int_t)workers[k],
                                        "present", (json_int_t)present[k], "permitValid",
                                        (json_int_t)valid[k]));
    }
    json_array_append_new(sections, sec);
    return 1;
}

/* The foreign-worker sections of both reports, for the period $1..$2. */
static int foreign_sections(struct lq_call *c, json_t *sections, const char *const *v)
{
    static const struct col unit_cols[] = { UNIT_COLUMNS, FW_COLUMNS };
    static const struct col nat_cols[] = { { "nationality", "Nationality", "Quốc tịch", 0 },
                                           FW_COLUMNS };
    static const struct col state_cols[] = {
        { "permitState", "Permit state", "Tình trạng giấy phép", 0 },
        { "workers", "Foreign workers on record", "Người lao động nước ngoài", 1 },
        { "present", "Present now", "Đang có mặt", 1 },
    };
    static const struct col event_cols[] = {
        { "eventType", "Event", "Sự kiện", 0 },
        { "events", "Events in period", "Số sự kiện trong kỳ", 1 },
    };
    static const struct col emp_cols[] = {
        UNIT_COLUMNS,
        { "employers", "Employers", "Doanh nghiệp", 1 },
        { "demandsApproved", "Demands approved", "Nhu cầu được chấp thuận", 1 },
        { "approvedPositions", "Positions approved", "Vị trí được chấp thuận", 1 },
        { "workers", "Foreign workers", "Người lao động nước ngoài", 1 },
        { "present", "Present now", "Đang có mặt", 1 },
    };
    return section_sql(c, sections, "foreignWorkersByUnit",
                       "Foreign workers by administrative unit (residence)",
                       "Lao động nước ngoài theo đơn vị hành chính (nơi cư trú)", COLS(unit_cols),
                       "SELECT " UNIT_LEVELS ", " FW_COUNTS " FROM (SELECT "
                       UNIT_OF("b.row->'residenceArea'", "b.residence_province", "b.residence_district")
                       ", b.* FROM " FW_BASE " b) s" UNIT_GROUPS,
                       2, v) &&
           section_sql(c, sections, "foreignWorkersByNationality", "Foreign workers by nationality",
                       "Lao động nước ngoài theo quốc tịch", COLS(nat_cols),
                       "SELECT coalesce(nationality, ''), " FW_COUNTS " FROM " FW_BASE
                       " b GROUP BY 1 ORDER BY 2 DESC, 1",
                       2, v) &&
           category_section(c, sections) &&
           section_sql(c, sections, "foreignWorkersByPermitState",
                       "Foreign workers by permit state", "Lao động nước ngoài theo tình trạng giấy phép",
                       COLS(state_cols),
                       "SELECT coalesce(permit_state, 'none'), count(*), count(*) FILTER (WHERE "
                       "present) FROM foreign_workers GROUP BY 1 ORDER BY 1",
                       0, NULL) &&
           section_sql(c, sections, "foreignWorkerEvents", "Foreign-worker events in the period",
                       "Sự kiện về lao động nước ngoài trong kỳ", COLS(event_cols),
                       "SELECT event_type, count(*) FROM event_store WHERE event_type IN "
                       "('employer_registered', 'labour_demand_declared', 'labour_demand_approved', "
                       "'labour_demand_rejected', 'work_permit_issued', 'work_permit_reissued', "
                       "'work_permit_extended', 'work_permit_revoked', "
                       "'work_permit_exemption_certified', 'work_permit_exemption_reported', "
                       "'entry', 'exit', 'residence_registered', 'residence_card_issued', "
                       "'violation_recorded') AND " IN_PERIOD(VN_DATE("occurred_at"))
                       " GROUP BY 1 ORDER BY 1",
                       2, v) &&
           section_sql(c, sections, "employersByUnit", "Employers of foreign workers by unit (office)",
                       "Doanh nghiệp sử dụng lao động nước ngoài theo đơn vị (trụ sở)", COLS(emp_cols),
                       "SELECT " UNIT_LEVELS ", count(*), coalesce(sum(da), 0), coalesce(sum(ap), 0), "
                       "coalesce(sum(wk), 0), coalesce(sum(wp), 0) FROM (SELECT "
                       UNIT_OF("e.row->'officeArea'", "e.province", "e.row->>'district'")
                       ", (e.row->>'demandsApproved')::bigint da, (e.row->>'approvedPositions')::bigint ap, "
                       "(SELECT count(*) FROM foreign_workers w WHERE w.employer = e.enterprise_code) wk, "
                       "(SELECT count(*) FROM foreign_workers w WHERE w.employer = e.enterprise_code "
                       "AND w.present) wp FROM employers e) s" UNIT_GROUPS,
                       0, NULL);
}

/* The outbound sections of the annual report: $1..$2 the year, $3 the
 * target per year, $4..$5 the target period's first and last year. */
static int outbound_sections(struct lq_call *c, json_t *sections, const char *const *v)
{
#define OB_COUNTS(tr)                                                                      \
    "count(*) FILTER (WHERE " IN_PERIOD("registered_on") "), count(*) FILTER (WHERE "        \
    IN_PERIOD(tr) "), count(*) FILTER (WHERE " IN_PERIOD("departed_on") "), count(*) "      \
    "FILTER (WHERE abroad), count(*) FILTER (WHERE " IN_PERIOD("returned_on") ")"
#define OB_COLUMNS                                                                   \
    { "registered", "Registered", "Đăng ký", 1 }, { "trained", "Trained", "Đào tạo", 1 }, \
    { "departed", "Departed", "Xuất cảnh", 1 }, { "abroadNow", "Abroad now", "Đang ở nước ngoài", 1 }, \
    { "returned", "Returned", "Về nước", 1 }
    static const struct col unit_cols[] = { UNIT_COLUMNS, OB_COLUMNS };
    static const struct col market_cols[] = {
        { "market", "Market (country)", "Thị trường", 0 },
        { "departed", "Departed", "Xuất cảnh", 1 },
        { "abroadNow", "Abroad now", "Đang ở nước ngoài", 1 },
        { "returned", "Returned", "Về nước", 1 },
    };
    static const struct col group_cols[] = { { "priorityGroup", "Priority group", "Nhóm ưu tiên", 0 },
                                             OB_COLUMNS };
    static const struct col month_cols[] = {
        { "month", "Month", "Tháng", 0 },
        { "departed", "Departed", "Xuất cảnh", 1 },
        { "departedToDate", "Departed to date", "Lũy kế", 1 },
        { "targetToDate", "Target to date", "Chỉ tiêu lũy kế", 1 },
    };
    static const struct col target_cols[] = {
        { "target", "Target", "Chỉ tiêu", 0 },
        { "fromYear", "From", "Từ năm", 1 },
        { "toYear", "To", "Đến năm", 1 },
        { "goal", "Goal", "Mục tiêu", 1 },
        { "departed", "Departed", "Đã xuất cảnh", 1 },
        { "percent", "Percent", "Tỷ lệ (%)", 1 },
    };
#undef OB_COLUMNS
    return section_sql(c, sections, "outboundTargets", "Departures against the targets",
                       "Kết quả đưa người lao động đi làm việc ở nước ngoài so với chỉ tiêu",
                       COLS(target_cols),
                       "SELECT t, f, l, g, d, CASE WHEN g > 0 THEN round(d * 100.0 / g, 1) ELSE 0 END "
                       "FROM (SELECT 'year' t, extract(year FROM $1::date)::int f, "
                       "extract(year FROM $1::date)::int l, $3::bigint g, count(*) FILTER (WHERE "
                       IN_PERIOD("departed_on") ") d FROM outbound_workers UNION ALL "
                       "SELECT 'period', $4::int, $5::int, $6::bigint, count(*) FILTER (WHERE "
                       "departed_on >= make_date($4::int, 1, 1) AND departed_on < "
                       "make_date($5::int + 1, 1, 1)) FROM outbound_workers) s",
                       6, v) &&
           section_sql(c, sections, "outboundByUnit",
                       "Citizens working abroad by administrative unit",
                       "Người lao động đi làm việc ở nước ngoài theo đơn vị hành chính", COLS(unit_cols),
                       "SELECT " UNIT_LEVELS ", " OB_COUNTS("tr") " FROM (SELECT "
                       UNIT_OF("row->'area'", "province", "district")
                       ", registered_on, (row->>'lastTrainingOn')::date tr, departed_on, abroad, "
                       "returned_on FROM outbound_workers) s" UNIT_GROUPS,
                       2, v) &&
           section_sql(c, sections, "outboundByMarket", "Citizens working abroad by market",
                       "Người lao động đi làm việc ở nước ngoài theo thị trường", COLS(market_cols),
                       "SELECT m, d, a, r FROM (SELECT coalesce(row->>'departedCountry', "
                       "contract_country, 'unknown') m, count(*) FILTER (WHERE "
                       IN_PERIOD("departed_on") ") d, count(*) FILTER (WHERE abroad) a, count(*) "
                       "FILTER (WHERE " IN_PERIOD("returned_on") ") r FROM outbound_workers "
                       "GROUP BY 1) s WHERE d + a + r > 0 ORDER BY d DESC, m",
                       2, v) &&
           section_sql(c, sections, "outboundByPriorityGroup",
                       "Citizens working abroad by priority group",
                       "Người lao động đi làm việc ở nước ngoài theo nhóm ưu tiên", COLS(group_cols),
                       "SELECT g, " OB_COUNTS("(row->>'lastTrainingOn')::date") " FROM "
                       "outbound_workers, jsonb_array_elements_text(CASE WHEN "
                       "jsonb_typeof(row->'priorityGroups') = 'array' THEN row->'priorityGroups' "
                       "ELSE '[]'::jsonb END) g GROUP BY g ORDER BY g",
                       2, v) &&
           section_sql(c, sections, "departuresByMonth", "Departures by month against the target",
                       "Xuất cảnh theo tháng so với chỉ tiêu", COLS(month_cols),
                       "SELECT to_char(m, 'YYYY-MM'), count(o.subject), sum(count(o.subject)) OVER "
                       "(ORDER BY m), round($3::numeric * extract(month FROM m) / 12)::bigint "
                       "FROM generate_series($1::date::timestamp, $2::date::timestamp - interval "
                       "'1 day', interval '1 month') m LEFT JOIN outbound_workers o ON "
                       "o.departed_on >= m::date AND o.departed_on < (m + interval '1 month')::date "
                       "GROUP BY m ORDER BY m",
                       3, v);
#undef OB_COUNTS
}

/* ---- the two reports -------------------------------------------------------- */

static const char *const formats[] = { "json", "csv", "html", NULL };
static const char *const langs[] = { "vi", "en", NULL };

/* Reads format and lang; 1, or 0 after a 400 problem. */
static int read_format(struct lq_call *c, const char **format, const char **lang)
{
    char why[256];
    *format = lq_call_param(c, "format");
    *lang = lq_call_param(c, "lang");
    if ((*format && lq_params_choice("format", *format, formats, why, sizeof why) != LT_OK) ||
        (*lang && lq_params_choice("lang", *lang, langs, why, sizeof why) != LT_OK)) {
        lq_call_fail(c, 400, "bad-parameter", why);
        return 0;
    }
    if (!*format)
        *format = "json";
    if (!*lang)
        *lang = "vi";
    return 1;
}

/* Commits and sends the report (taken) in the format asked for. */
static int answer(struct lq_call *c, json_t *report, const char *format, const char *lang,
                  const char *name)
{
    char file[96];
    if (!strcmp(format, "json"))
        return lq_call_finish(c, report);
    int csv = !strcmp(format, "csv");
    char *text = csv ? lq_report_csv(report) : lq_report_html(report, lang);
    json_decref(report);
    snprintf(file, sizeof file, "%s.%s", name, format);
    return lq_call_finish_text(c, csv ? "text/csv; charset=utf-8" : "text/html; charset=utf-8",
                               file, text);
}

/* A new report document with its title and what it is about. */
static json_t *report_new(const char *kind, const char *en, const char *vi, const char *from,
                          const char *to_excl)
{
    char last[LT_DATE_STRLEN + 1];
    int32_t d;
    if (lt_date_parse(to_excl, &d, NULL, 0) != LT_OK)
        d = 1;
    lt_date_format(d - 1, last);
    return json_pack("{s:{s:s, s:s}, s:{s:s, s:s, s:s, s:s}, s:[]}", "title", "en", en, "vi", vi,
                     "about", "report", kind, "periodFrom", from, "periodTo", last, "units",
                     "resolved administrative areas (after the 2025 mergers) where the rows carry "
                     "them, else the codes as published",
                     "sections");
}

static const char *const annual_params[] = { "year", "format", "lang", NULL };
static const struct lq_endpoint annual_ep = { "/v1/reports/annual", LQ_ROLES_ALL, annual_params };

int lq_reports_annual(struct lt_http_request *req, struct lt_http_response *resp, void *arg)
{
    struct lq_app *app = arg;
    struct lq_call c;
    if (!lq_call_begin(&c, app, req, resp, &annual_ep, 0))
        return LT_OK;
    char why[256], from[11], to[11], target[24], tfrom[24], tto[24], tperiod[24], name[48];
    char en[96], vi[128];
    const char *format, *lang, *ys = lq_call_param(&c, "year");
    long long year;
    json_t *report = NULL;
    if (!ys) {
        lq_call_fail(&c, 400, "bad-parameter", "year is required (e.g. year=2026)");
        goto fail;
    }
    if (lq_params_int("year", ys, 2000, 2100, &year, why, sizeof why) != LT_OK) {
        lq_call_fail(&c, 400, "bad-parameter", why);
        goto fail;
    }
    if (!read_format(&c, &format, &lang))
        goto fail;
    lq_period_bounds(LQ_PERIOD_YEAR, (int)year, 1, from, to);
    snprintf(target, sizeof target, "%lld", app->target_per_year);
    snprintf(tfrom, sizeof tfrom, "%lld", app->target_from_year);
    snprintf(tto, sizeof tto, "%lld", app->target_to_year);
    snprintf(tperiod, sizeof tperiod, "%lld", app->target_period);
    snprintf(en, sizeof en, "Annual report %lld: labour abroad and foreign workers", year);
    snprintf(vi, sizeof vi, "Báo cáo năm %lld: lao động đi làm việc ở nước ngoài và lao động nước ngoài",
             year);
    report = report_new("annual", en, vi, from, to);
    json_t *about = json_object_get(report, "about");
    json_object_set_new(about, "year", json_integer(year));
    json_object_set_new(about, "due", json_sprintf("%lld-12-15", year));
    if (!position(&c, about))
        goto fail;
    json_object_set_new(about, "note",
                        json_string("a citizen counts once, in the year of the last departure, "
                                    "registration, training and return; abroadNow, present and "
                                    "permit states are as of rowsAsOf; foreign workers by the unit "
                                    "of residence, employers by the unit of their office"));
    const char *v[] = { from, to, target, tfrom, tto, tperiod };
    json_t *sections = json_object_get(report, "sections");
    if (!outbound_sections(&c, sections, v) || !foreign_sections(&c, sections, v))
        goto fail;
    snprintf(name, sizeof name, "lienthong-annual-%lld", year);
    return answer(&c, report, format, lang, name);
fail:
    json_decref(report);
    return lq_call_end(&c);
}

static const char *const half_params[] = { "half", "format", "lang", NULL };
static const struct lq_endpoint half_ep = { "/v1/reports/foreign-workers", LQ_ROLES_ALL,
                                            half_params };

int lq_reports_foreign_workers(struct lt_http_request *req, struct lt_http_response *resp,
                               void *arg)
{
    struct lq_call c;
    if (!lq_call_begin(&c, arg, req, resp, &half_ep, 0))
        return LT_OK;
    char from[11], to[11], label[16], name[48], en[96], vi[128];
    const char *format, *lang, *hs = lq_call_param(&c, "half");
    int year, half;
    json_t *report = NULL;
    if (!hs || lq_period_half_parse(hs, &year, &half) != LT_OK) {
        lq_call_fail(&c, 400, "bad-parameter", "half must be YYYYH1 or YYYYH2 (e.g. half=2026H1)");
        goto fail;
    }
    if (!read_format(&c, &format, &lang))
        goto fail;
    lq_period_bounds(LQ_PERIOD_HALF, year, half, from, to);
    lq_period_format(LQ_PERIOD_HALF, year, half, label, sizeof label);
    snprintf(en, sizeof en, "Foreign workers, half-year report %s", label);
    snprintf(vi, sizeof vi, "Báo cáo tình hình sử dụng người lao động nước ngoài 6 tháng %s %d",
             half == 1 ? "đầu năm" : "cuối năm", year);
    report = report_new("foreign-workers-half-year", en, vi, from, to);
    json_t *about = json_object_get(report, "about");
    json_object_set_new(about, "half", json_string(label));
    if (!position(&c, about))
        goto fail;
    json_object_set_new(about, "note",
                        json_string("present and permit states are as of rowsAsOf; permits "
                                    "issued, entries and exits are the events dated in the period "
                                    "(Vietnam time); foreign workers by the unit of residence"));
    const char *v[] = { from, to };
    if (!foreign_sections(&c, json_object_get(report, "sections"), v))
        goto fail;
    snprintf(name, sizeof name, "lienthong-foreign-workers-%s", label);
    return answer(&c, report, format, lang, name);
fail:
    json_decref(report);
    return lq_call_end(&c);
}

/* ---- the forecast --------------------------------------------------------------- */

#define FC_MAX_SECTORS 64
#define FC_MAX_HISTORY 40
#define FC_MAX_HORIZON 12

struct fc_sector {
    char code[24];
    double positions[FC_MAX_HISTORY], permits[FC_MAX_HISTORY];
};

struct fc_series {
    struct fc_sector s[FC_MAX_SECTORS + 1]; /* the last one is "all sectors" */
    size_t n;
};

/* The sector named code (created; the overflow goes to "other"). */
static struct fc_sector *fc_sector(struct fc_series *fs, const char *code)
{
    for (size_t i = 0; i < fs->n; i++)
        if (!strcmp(fs->s[i].code, code))
            return &fs->s[i];
    if (fs->n == FC_MAX_SECTORS - 1 && strcmp(code, "other") != 0)
        return fc_sector(fs, "other");
    struct fc_sector *s = &fs->s[fs->n++];
    snprintf(s->code, sizeof s->code, "%s", code);
    return s;
}

/* The sector of an enterprise code, from the employers' rows r (code, sector). */
static const char *sector_of(const PGresult *r, const char *enterprise)
{
    for (int i = 0; enterprise && i < PQntuples(r); i++)
        if (!strcmp(PQgetvalue(r, i, 0), enterprise))
            return PQgetisnull(r, i, 1) ? "unknown" : PQgetvalue(r, i, 1);
    return "unknown";
}

/* Adds the events of r (occurred_at ms, signed bytes hex) to the series:
 * approvals' position counts by the employer's sector, permits by the
 * sector of the employer on the permit. */
static void fc_add_events(struct fc_series *fs, const PGresult *r, const PGresult *sectors,
                          enum lq_period_kind kind, long first, size_t history)
{
    for (int i = 0; i < PQntuples(r); i++) {
        int y;
        unsigned m, d;
        lt_date_to_civil(lt_date_vn_from_unix_ms(strtoll(PQgetvalue(r, i, 0), NULL, 10)), &y, &m, &d);
        long idx = lq_period_index(kind, y, lq_period_k_of_month(kind, m)) - first;
        if (idx < 0 || idx >= (long)history)
            continue;
        Lienthong__V1__SignedEvent *se;
        Lienthong__V1__Event *ev;
        if (lq_event_from_hex(PQgetvalue(r, i, 1), &se, &ev) != LT_ENVELOPE_OK)
            continue;
        if (ev->body_case == LIENTHONG__V1__EVENT__BODY_LABOUR_DEMAND_APPROVED) {
            const Lienthong__V1__Subject *sj = ev->header ? ev->header->subject : NULL;
            const char *code =
                sj && sj->kind_case == LIENTHONG__V1__SUBJECT__KIND_ENTERPRISE_CODE
                    ? sj->enterprise_code : NULL;
            double n = 0;
            for (size_t k = 0; k < ev->labour_demand_approved->n_positions; k++)
                n += ev->labour_demand_approved->positions[k]->count;
            fc_sector(fs, sector_of(sectors, code))->positions[idx] += n;
            fs->s[FC_MAX_SECTORS].positions[idx] += n;
        } else if (ev->body_case == LIENTHONG__V1__EVENT__BODY_WORK_PERMIT_ISSUED) {
            const Lienthong__V1__PermitTerms *t = lq_event_terms(ev);
            fc_sector(fs, sector_of(sectors, t ? t->employer_enterprise_code : NULL))->permits[idx]++;
            fs->s[FC_MAX_SECTORS].permits[idx]++;
        }
        lq_event_free(se, ev);
    }
}

/* {"sector", "history": [{period, positionsApproved, permitsIssued}],
 *  "forecast": […same…], "trend": {…}} for one series. */
static json_t *fc_json(const struct fc_sector *s, enum lq_period_kind kind, long first,
                       size_t history, size_t horizon, int linear)
{
    double fp[FC_MAX_HORIZON], fq[FC_MAX_HORIZON];
    char label[16];
    int y, k;
    json_t *hist = json_array(), *fore = json_array();
    for (size_t i = 0; i < history; i++) {
        lq_period_of_index(kind, first + (long)i, &y, &k);
        lq_period_format(kind, y, k, label, sizeof label);
        json_array_append_new(hist, json_pack("{s:s, s:I, s:I}", "period", label, "positionsApproved",
                                              (json_int_t)s->positions[i], "permitsIssued",
                                              (json_int_t)s->permits[i]));
    }
    if (linear) {
        lq_forecast_linear(s->positions, history, horizon, fp);
        lq_forecast_linear(s->permits, history, horizon, fq);
    } else {
        lq_forecast_moving_average(s->positions, history, horizon, fp);
        lq_forecast_moving_average(s->permits, history, horizon, fq);
    }
    for (size_t h = 0; h < horizon; h++) {
        lq_period_of_index(kind, first + (long)(history + h), &y, &k);
        lq_period_format(kind, y, k, label, sizeof label);
        json_array_append_new(fore, json_pack("{s:s, s:f, s:f}", "period", label,
                                              "positionsApproved", (double)(long long)(fp[h] * 10 + 0.5) / 10,
                                              "permitsIssued", (double)(long long)(fq[h] * 10 + 0.5) / 10));
    }
    json_t *o = json_pack("{s:s, s:o, s:o}", "sector", s->code, "history", hist, "forecast", fore);
    if (linear) {
        double sp, ip, sq, iq;
        lq_forecast_fit(s->positions, history, &sp, &ip);
        lq_forecast_fit(s->permits, history, &sq, &iq);
        json_object_set_new(o, "trend", json_pack("{s:{s:f, s:f}, s:{s:f, s:f}}", "positionsApproved",
                                                  "slope", sp, "intercept", ip, "permitsIssued",
                                                  "slope", sq, "intercept", iq));
    }
    return o;
}

static const char *const forecast_params[] = { "period", "history", "horizon", "method", NULL };
static const struct lq_endpoint forecast_ep = { "/v1/forecast/foreign-workers", LQ_ROLES_ALL,
                                                forecast_params };

int lq_reports_forecast(struct lt_http_request *req, struct lt_http_response *resp, void *arg)
{
    static const char *const methods[] = { "linear", "moving-average", NULL };
    struct lq_call c;
    if (!lq_call_begin(&c, arg, req, resp, &forecast_ep, 0))
        return LT_OK;
    char why[256], from[11], to[11], last_from[11], first_l[16], last_l[16], desc[512];
    const char *ps = lq_call_param(&c, "period"), *method = lq_call_param(&c, "method");
    const char *hs = lq_call_param(&c, "history"), *zs = lq_call_param(&c, "horizon");
    enum lq_period_kind kind = LQ_PERIOD_QUARTER;
    long long history = 12, horizon = 4;
    json_t *body = json_object();
    struct fc_series *fs = NULL;
    PGresult *sectors = NULL, *r = NULL;
    if (ps && lq_period_kind_parse(ps, &kind) != LT_OK) {
        lq_call_fail(&c, 400, "bad-parameter", "period must be month, quarter, half or year");
        goto fail;
    }
    if ((hs && lq_params_int("history", hs, 2, FC_MAX_HISTORY, &history, why, sizeof why) != LT_OK) ||
        (zs && lq_params_int("horizon", zs, 1, FC_MAX_HORIZON, &horizon, why, sizeof why) != LT_OK) ||
        (method && lq_params_choice("method", method, methods, why, sizeof why) != LT_OK)) {
        lq_call_fail(&c, 400, "bad-parameter", why);
        goto fail;
    }
    int linear = !method || !strcmp(method, "linear");
    /* The last `history` complete periods: those before the current one. */
    int y, k;
    unsigned m, d;
    lt_date_to_civil(lt_date_vn_from_unix_ms(lt_now_ms()), &y, &m, &d);
    long first = lq_period_index(kind, y, lq_period_k_of_month(kind, m)) - history;
    lq_period_of_index(kind, first, &y, &k);
    lq_period_bounds(kind, y, k, from, to);
    lq_period_format(kind, y, k, first_l, sizeof first_l);
    lq_period_of_index(kind, first + history - 1, &y, &k);
    lq_period_bounds(kind, y, k, last_from, to);
    lq_period_format(kind, y, k, last_l, sizeof last_l);
    json_t *about = json_object();
    json_object_set_new(body, "about", about);
    if (!position(&c, about))
        goto fail;
    if (!(sectors = lq_call_query(&c, "SELECT enterprise_code, sector_code FROM employers", 0, NULL)))
        goto fail;
    const char *v[] = { from, to };
    if (!(r = lq_call_query(&c,
                            "SELECT (extract(epoch FROM occurred_at) * 1000)::bigint, "
                            "encode(signed_bytes, 'hex') FROM event_store WHERE event_type IN "
                            "('labour_demand_approved', 'work_permit_issued') AND "
                            "occurred_at >= ($1::date::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh') "
                            "AND occurred_at < ($2::date::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')",
                            2, v)))
        goto fail;
    fs = lt_calloc(1, sizeof *fs);
    snprintf(fs->s[FC_MAX_SECTORS].code, sizeof fs->s[0].code, "all");
    fc_add_events(fs, r, sectors, kind, first, (size_t)history);
    json_t *list = json_array();
    for (size_t i = 0; i < fs->n; i++)
        json_array_append_new(list, fc_json(&fs->s[i], kind, first, (size_t)history,
                                            (size_t)horizon, linear));
    json_object_set_new(body, "sectors", list);
    json_object_set_new(body, "total", fc_json(&fs->s[FC_MAX_SECTORS], kind, first,
                                               (size_t)history, (size_t)horizon, linear));
    snprintf(desc, sizeof desc,
             linear ? "ordinary least-squares straight line through the totals of the %lld "
                      "complete %ss %s to %s (x = 0 .. %lld), extended %lld %s(s) ahead; a "
                      "negative value is shown as 0; rounded to 0.1"
                    : "mean of the totals of the %lld complete %ss %s to %s (%lld values), "
                      "the same for each of the next %lld %s(s); rounded to 0.1",
             history, lq_period_kind_name(kind), first_l, last_l, linear ? history - 1 : history,
             horizon, lq_period_kind_name(kind));
    json_object_set_new(body, "period", json_string(lq_period_kind_name(kind)));
    json_object_set_new(body, "method",
                        json_pack("{s:s, s:s, s:I, s:s, s:s, s:I}", "name",
                                  linear ? "linear-trend" : "moving-average", "description", desc,
                                  "periodsUsed", (json_int_t)history, "firstPeriod", first_l,
                                  "lastPeriod", last_l, "horizon", (json_int_t)horizon));
    json_object_set_new(body, "measures",
                        json_pack("{s:s, s:s}", "positionsApproved",
                                  "positions approved for foreign workers: the sum of the position "
                                  "counts of LabourDemandApproved events, by decision date (Vietnam "
                                  "time) and the sector of the employer's row",
                                  "permitsIssued",
                                  "WorkPermitIssued events by issue date and the sector of the "
                                  "employer named on the permit"));
    PQclear(sectors);
    PQclear(r);
    free(fs);
    return lq_call_finish(&c, body);
fail:
    PQclear(sectors);
    PQclear(r);
    free(fs);
    json_decref(body);
    return lq_call_end(&c);
}
