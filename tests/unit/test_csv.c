/* test_csv — the CSV reader and the layout conversion (common/publish/csv.c).
 *
 * Proves: RFC 4180 records (quoted cells with commas, doubled quotes and line
 * breaks, CRLF or LF, a final line without a break, empty cells, a UTF-8
 * BOM, blank lines skipped) with the right starting line numbers; every
 * reader, header and cell error names its line and column; Vietnam local
 * time becomes epoch milliseconds; enums are accepted in full and in short
 * form; lists split on ';'; layouts are checked against the contract's
 * descriptors (a broken layout is refused with the reason); file names pick
 * the right layout. And for every layout every agency ships: the layout
 * passes the check, its event type is one the agency's main.c publishes, and
 * every row of the example file in the agency's README converts into an
 * Event that lt_pbjson_to_message accepts and lt_validate_event passes once
 * the service-owned header fields are filled (as the publisher would). So
 * the documentation's examples are real, working files.
 *
 * The agencies' layout tables are compiled in directly (their static names
 * are prefixed per agency, so the ten files live together here). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/clock.h"
#include "core/date.h"
#include "core/err.h"
#include "core/uuid.h"
#include "event/pbjson.h"
#include "event/validate.h"
#include "publish/csv.h"
#include "registry/registry.h"

#include "../../services/agency-border-guard/layouts.c"
#include "../../services/agency-district/layouts.c"
#include "../../services/agency-ethnic-affairs/layouts.c"
#include "../../services/agency-foreign-affairs/layouts.c"
#include "../../services/agency-labour/layouts.c"
#include "../../services/agency-planning-investment/layouts.c"
#include "../../services/agency-police/layouts.c"
#include "../../services/agency-service-enterprise/layouts.c"
#include "../../services/agency-social-policy-bank/layouts.c"
#include "../../services/agency-vocational-school/layouts.c"

static const struct {
    const char *kind;
    const struct lt_csv_layout *const *layouts;
} agencies[] = {
    { "police", lt_agency_police_csv_layouts },
    { "border-guard", lt_agency_border_guard_csv_layouts },
    { "labour", lt_agency_labour_csv_layouts },
    { "foreign-affairs", lt_agency_foreign_affairs_csv_layouts },
    { "planning-investment", lt_agency_planning_investment_csv_layouts },
    { "social-policy-bank", lt_agency_social_policy_bank_csv_layouts },
    { "ethnic-affairs", lt_agency_ethnic_affairs_csv_layouts },
    { "vocational-school", lt_agency_vocational_school_csv_layouts },
    { "service-enterprise", lt_agency_service_enterprise_csv_layouts },
    { "district", lt_agency_district_csv_layouts },
};

static struct lt_csv_errors E;

/* ---- helpers ------------------------------------------------------------ */

/* The error whose message contains both needles, or fail. */
static const struct lt_csv_error *find_error(const struct lt_csv_errors *e, const char *code,
                                             const char *needle)
{
    for (size_t i = 0; i < e->n_stored; i++)
        if (!strcmp(e->items[i].code, code) && strstr(e->items[i].message, needle))
            return &e->items[i];
    for (size_t i = 0; i < e->n_stored; i++)
        print_message("  have: %s %s\n", e->items[i].code, e->items[i].message);
    fail_msg("no %s error containing \"%s\"", code, needle);
    return NULL;
}

/* Reads every record of text; returns how many; records' cells joined by '|'
 * and lines into out (one record per line: "L<line>:a|b|c"). */
static size_t read_all(const char *text, size_t len, char *out, size_t cap)
{
    struct lt_csv_reader *r = lt_csv_reader_new(text, len);
    struct lt_csv_record rec;
    size_t n = 0, o = 0;
    int rc;
    out[0] = '\0';
    lt_csv_errors_init(&E);
    while ((rc = lt_csv_next(r, &rec, &E)) != 0) {
        if (rc < 0) {
            o += (size_t)snprintf(out + o, cap - o, "L%zu:ERROR\n", rec.line);
            continue;
        }
        o += (size_t)snprintf(out + o, cap - o, "L%zu:", rec.line);
        for (size_t i = 0; i < rec.n; i++)
            o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? "|" : "", rec.cells[i]);
        o += (size_t)snprintf(out + o, cap - o, "\n");
        n++;
    }
    lt_csv_reader_free(r);
    return n;
}

/* A map of a layout onto the header line of text; the reader is returned
 * positioned after the header. */
static struct lt_csv_map *map_of(const struct lt_csv_layout *l, struct lt_csv_reader *r)
{
    struct lt_csv_record h;
    assert_int_equal(lt_csv_next(r, &h, &E), 1);
    struct lt_csv_map *m = NULL;
    lt_csv_errors_init(&E);
    int rc = lt_csv_map_new(l, &h, &m, &E);
    if (rc != LT_OK)
        for (size_t i = 0; i < E.n_stored; i++)
            print_message("  %s\n", E.items[i].message);
    assert_int_equal(rc, LT_OK);
    return m;
}

/* Converts the single data row of text with layout l. Returns the JSON (or
 * NULL with the errors in E). */
static json_t *convert(const struct lt_csv_layout *l, const char *text)
{
    struct lt_csv_reader *r = lt_csv_reader_new(text, strlen(text));
    struct lt_csv_map *m = map_of(l, r);
    struct lt_csv_record rec;
    lt_csv_errors_init(&E);
    assert_int_equal(lt_csv_next(r, &rec, &E), 1);
    json_t *j = NULL;
    int rc = lt_csv_row_to_json(m, &rec, &j, &E);
    assert_true(rc == LT_OK ? j != NULL : j == NULL);
    lt_csv_map_free(m);
    lt_csv_reader_free(r);
    return j;
}

static char *dump(const json_t *j)
{
    return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
}

static void assert_json(const json_t *j, const char *want)
{
    char *got = dump(j);
    if (strcmp(got, want) != 0)
        fail_msg("got  %s\nwant %s", got, want);
    free(got);
}

/* A small layout over several kinds, for the cell tests. */
static const struct lt_csv_column t_cols[] = {
    LT_CSV_OCCURRED("when"),
    LT_CSV_SUBJECT_FOREIGNER,
    { "gate", "entry.borderGateCode", LT_CSV_STRING, 1 },
    { "purpose", "entry.visaPurpose", LT_CSV_ENUM, 1 },
    { "stay", "entry.permittedStayUntil", LT_CSV_STRING, 0 },
    { "sex", "entry.person.sex", LT_CSV_ENUM, 0 },
};
LT_CSV_LAYOUT(t_entry, "entry", "entry", "test", t_cols);

static const struct lt_csv_column t_num_cols[] = {
    LT_CSV_OCCURRED("when"),
    LT_CSV_SUBJECT_CITIZEN,
    { "months", "contractRegistered.durationMonths", LT_CSV_INT, 1 },
    { "fee", "contractRegistered.serviceFeeVnd", LT_CSV_INT, 0 },
    { "amount", "contractRegistered.monthlySalary.amountMinor", LT_CSV_INT, 0 },
};
LT_CSV_LAYOUT(t_num, "num", "contract_registered", "test", t_num_cols);

static const struct lt_csv_column t_list_cols[] = {
    LT_CSV_OCCURRED("when"),
    LT_CSV_SUBJECT_CITIZEN,
    { "groups", "outboundRegistered.priorityGroups", LT_CSV_LIST, 0 },
    { "countries", "outboundRegistered.wantedCountries", LT_CSV_LIST, 1 },
};
LT_CSV_LAYOUT(t_list, "list", "outbound_registered", "test", t_list_cols);


/* ---- the reader --------------------------------------------------------- */

static void reader_rfc4180(void **s)
{
    (void)s;
    char out[1024];
    /* Quoted commas, doubled quotes, an embedded LF and CRLF, an empty quoted
     * cell, a trailing empty cell, CRLF records and a last line without a
     * break; the record after the multi-line one starts on line 6. */
    const char *t = "a,b,c\r\n"
                    "\"x, y\",\"say \"\"hi\"\"\",\"\"\r\n"
                    "\"two\nlines\",\"crlf\r\ninside\",\r\n"
                    "last,,\"q\"";
    assert_int_equal(read_all(t, strlen(t), out, sizeof out), 4);
    assert_string_equal(out, "L1:a|b|c\n"
                             "L2:x, y|say \"hi\"|\n"
                             "L3:two\nlines|crlf\r\ninside|\n"
                             "L6:last||q\n");
    /* LF only, a BOM, blank lines (skipped, still counted), a lone CR kept. */
    const char *u = "\xEF\xBB\xBFh1,h2\n\n1,2\n\r\n\n3,a\rb\n";
    assert_int_equal(read_all(u, strlen(u), out, sizeof out), 3);
    assert_string_equal(out, "L1:h1|h2\nL3:1|2\nL6:3|a\rb\n");
    /* A single cell per line; an empty file. */
    assert_int_equal(read_all("x\ny", 3, out, sizeof out), 2);
    assert_string_equal(out, "L1:x\nL2:y\n");
    assert_int_equal(read_all("", 0, out, sizeof out), 0);
    assert_int_equal(read_all("\xEF\xBB\xBF", 3, out, sizeof out), 0);
}

static void reader_errors(void **s)
{
    (void)s;
    char out[1024];
    /* A quote inside an unquoted cell: the record is refused, the reader
     * goes on at the next line. */
    const char *t = "a,b\nab\"c,d\n1,2\n";
    assert_int_equal(read_all(t, strlen(t), out, sizeof out), 2);
    assert_string_equal(out, "L1:a|b\nL2:ERROR\nL3:1|2\n");
    find_error(&E, LT_CSV_E_MALFORMED, "line 2: a quote inside unquoted cell 1");
    /* Text after a closing quote. */
    t = "a,b\n\"x\"y,z\n1,2\n";
    read_all(t, strlen(t), out, sizeof out);
    assert_string_equal(out, "L1:a|b\nL2:ERROR\nL3:1|2\n");
    find_error(&E, LT_CSV_E_MALFORMED, "line 2: text after the closing quote of cell 1");
    /* An unterminated quote swallows the rest of the file. */
    t = "a,b\n1,\"open\n2,3\n4,5\n";
    read_all(t, strlen(t), out, sizeof out);
    assert_string_equal(out, "L1:a|b\nL2:ERROR\n");
    find_error(&E, LT_CSV_E_MALFORMED, "line 2: the quoted cell opened on line 2 is never closed");
    /* A NUL byte, quoted or not. */
    const char nul[] = "a,b\n1,x\0y\n\"p\0\",q\n3,4\n";
    read_all(nul, sizeof nul - 1, out, sizeof out);
    assert_string_equal(out, "L1:a|b\nL2:ERROR\nL3:ERROR\nL4:3|4\n");
    find_error(&E, LT_CSV_E_MALFORMED, "line 2: NUL byte");
    find_error(&E, LT_CSV_E_MALFORMED, "line 3: NUL byte");
}

/* ---- header ------------------------------------------------------------- */

static void header_errors(void **s)
{
    (void)s;
    const char *t = "when, passport_number ,gate,gate,bogus,,stay\n";
    struct lt_csv_reader *r = lt_csv_reader_new(t, strlen(t));
    struct lt_csv_record h;
    assert_int_equal(lt_csv_next(r, &h, NULL), 1);
    struct lt_csv_map *m = (void *)1;
    lt_csv_errors_init(&E);
    assert_int_equal(lt_csv_map_new(&t_entry, &h, &m, &E), LT_ERR_INVALID);
    assert_null(m);
    const struct lt_csv_error *e;
    e = find_error(&E, LT_CSV_E_DUPLICATE_COLUMN, "line 1, column gate: the header names this "
                   "column twice (cells 3 and 4)");
    assert_string_equal(e->column, "gate");
    e = find_error(&E, LT_CSV_E_UNKNOWN_COLUMN, "line 1, column bogus: layout \"entry\" has no "
                   "column \"bogus\"");
    assert_int_equal(e->line, 1);
    find_error(&E, LT_CSV_E_UNKNOWN_COLUMN, "line 1: column 6 of the header has no name");
    find_error(&E, LT_CSV_E_MISSING_COLUMN, "line 1, column nationality: required column missing");
    find_error(&E, LT_CSV_E_MISSING_COLUMN, "line 1, column purpose: required column missing");
    assert_int_equal(E.count, 5);
    /* The errors as JSON, as the drop folder reports them. */
    json_t *a = lt_csv_errors_to_json(&E);
    assert_int_equal(json_array_size(a), 5);
    assert_string_equal(json_string_value(json_object_get(json_array_get(a, 0), "column")),
                        "gate");
    assert_null(json_object_get(json_array_get(a, 2), "column"));
    json_decref(a);
    lt_csv_reader_free(r);
}

/* ---- cells -------------------------------------------------------------- */

static void local_time(void **s)
{
    (void)s;
    int64_t ms = 0;
    assert_int_equal(lt_csv_parse_local_time("2026-01-10 14:20", &ms), LT_OK);
    assert_int_equal(ms, INT64_C(1768029600000));
    assert_int_equal(lt_csv_parse_local_time("2026-01-10T14:20:05", &ms), LT_OK);
    assert_int_equal(ms, INT64_C(1768029605000));
    assert_int_equal(lt_csv_parse_local_time(" 2026-01-10 ", &ms), LT_OK);
    assert_int_equal(ms, INT64_C(1767978000000)); /* 2026-01-09T17:00:00Z */
    /* Before 07:00 Vietnam time the UTC date is the day before. */
    assert_int_equal(lt_csv_parse_local_time("2026-01-01 06:59:59", &ms), LT_OK);
    assert_int_equal(ms, INT64_C(1767225599000));
    const char *bad[] = { "2026-02-29", "2026-01-10 24:00", "2026-01-10 14:60",
                          "2026-01-10 14:20:60", "10/01/2026", "2026-01-10 14:2",
                          "2026-01-10 1420", "2026-1-10", "", "2026-01-10x14:20" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(lt_csv_parse_local_time(bad[i], &ms), LT_ERR_INVALID);
}

static void row_conversion(void **s)
{
    (void)s;
    /* Columns in another order than the layout's, an optional column left
     * out, nested objects created, the time as a decimal string. */
    json_t *j = convert(&t_entry, "purpose,gate,when,nationality,passport_number,sex\n"
                                  "LD2,BD-QUYNHON-PORT,2026-01-10 14:20,JPN,TK1234567,\n");
    assert_non_null(j);
    assert_json(j, "{\"entry\":{\"borderGateCode\":\"BD-QUYNHON-PORT\",\"visaPurpose\":"
                   "\"VISA_PURPOSE_LD2\"},\"header\":{\"occurredAtMs\":\"1768029600000\","
                   "\"subject\":{\"foreigner\":{\"nationality\":\"JPN\",\"passportNumber\":"
                   "\"TK1234567\"}}}}");
    json_decref(j);
    /* The enum in every accepted spelling. */
    const char *forms[] = { "VISA_PURPOSE_LD1", "LD1", "ld1", " Ld1 ", "LĐ1", "lđ1" };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "when,nationality,passport_number,gate,purpose,sex\n"
                                    "2026-01-10,KOR,M1,G,\"%s\",female\n", forms[i]);
        j = convert(&t_entry, text);
        assert_non_null(j);
        assert_string_equal(json_string_value(json_object_get(json_object_get(j, "entry"),
                                                              "visaPurpose")),
                            "VISA_PURPOSE_LD1");
        assert_string_equal(json_string_value(json_object_get(json_object_get(
                                json_object_get(j, "entry"), "person"), "sex")),
                            "SEX_FEMALE");
        json_decref(j);
    }
    /* Enum values with underscores, short and with '-' or ' '. */
    j = convert(&t_entry, "when,nationality,passport_number,gate,purpose\n"
                          "2026-01-10,KOR,M1,G,visa-exempt\n");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "entry"),
                                                          "visaPurpose")),
                        "VISA_PURPOSE_VISA_EXEMPT");
    json_decref(j);
    /* 32-bit integers as numbers, 64-bit ones as strings; negative too. */
    j = convert(&t_num, "when,citizen_id,months,fee,amount\n"
                        "2026-06-01,049098001234,36,45000000,-5\n");
    assert_json(j, "{\"contractRegistered\":{\"durationMonths\":36,\"monthlySalary\":"
                   "{\"amountMinor\":\"-5\"},\"serviceFeeVnd\":\"45000000\"},\"header\":"
                   "{\"occurredAtMs\":\"1780246800000\",\"subject\":{\"citizenId\":"
                   "\"049098001234\"}}}");
    json_decref(j);
    /* Lists of enums and of strings, blanks and empty items ignored. */
    j = convert(&t_list, "when,citizen_id,groups,countries\n"
                         "2026-03-14,049098001234,ETHNIC_MINORITY; poor household;,\" JPN ; ;KOR \"\n");
    assert_json(j, "{\"header\":{\"occurredAtMs\":\"1773421200000\",\"subject\":{\"citizenId\":"
                   "\"049098001234\"}},\"outboundRegistered\":{\"priorityGroups\":"
                   "[\"PRIORITY_GROUP_ETHNIC_MINORITY\",\"PRIORITY_GROUP_POOR_HOUSEHOLD\"],"
                   "\"wantedCountries\":[\"JPN\",\"KOR\"]}}");
    json_decref(j);
    /* A string cell keeps its blanks (validation reports them precisely). */
    j = convert(&t_entry, "when,nationality,passport_number,gate,purpose\n"
                          "2026-01-10,KOR,M1,\" G \",LD1\n");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "entry"),
                                                          "borderGateCode")), " G ");
    json_decref(j);
}

static void row_errors(void **s)
{
    (void)s;
    /* Several errors in one row are all reported, each with its column. */
    json_t *j = convert(&t_entry, "when,nationality,passport_number,gate,purpose,sex\n"
                                  "2026-13-01 10:00,JPN,,G,XX9,robot\n");
    assert_null(j);
    assert_int_equal(E.count, 4);
    const struct lt_csv_error *e =
        find_error(&E, LT_CSV_E_BAD_TIME, "line 2, column when: \"2026-13-01 10:00\" is not a "
                   "Vietnam local time");
    assert_string_equal(e->column, "when");
    assert_int_equal(e->line, 2);
    find_error(&E, LT_CSV_E_REQUIRED_EMPTY, "line 2, column passport_number: this column is "
               "required");
    find_error(&E, LT_CSV_E_BAD_ENUM, "line 2, column purpose: \"XX9\" is not a VisaPurpose "
               "(one of: LD1, LD2, DN1");
    find_error(&E, LT_CSV_E_BAD_ENUM, "line 2, column sex: \"robot\" is not a Sex (one of: "
               "MALE, FEMALE, UNSTATED)");
    /* A short form is the name without the enum's prefix, nothing looser. */
    assert_null(convert(&t_entry, "when,nationality,passport_number,gate,purpose\n"
                                  "2026-01-10,JPN,TK1,G,EXEMPT\n"));
    find_error(&E, LT_CSV_E_BAD_ENUM, "line 2, column purpose: \"EXEMPT\" is not a VisaPurpose");
    /* Too few and too many cells name the column where the row breaks. */
    j = convert(&t_entry, "when,nationality,passport_number,gate,purpose\n"
                          "2026-01-10,JPN,TK1\n");
    assert_null(j);
    find_error(&E, LT_CSV_E_CELL_COUNT, "line 2, column gate: 3 cells where the header (line 1) "
               "has 5");
    j = convert(&t_entry, "when,nationality,passport_number,gate,purpose\n\n"
                          "2026-01-10,JPN,TK1,G,LD1,extra\n");
    assert_null(j);
    find_error(&E, LT_CSV_E_CELL_COUNT, "line 3, column purpose: 6 cells where the header "
               "(line 1) has 5: extra cells after this last column");
    /* Integers: syntax, separators, range of a 32-bit field, unsigned. */
    j = convert(&t_num, "when,citizen_id,months,fee,amount\n"
                        "2026-06-01,049098001234,5000000000,\"45,000,000\",1e3\n");
    assert_null(j);
    find_error(&E, LT_CSV_E_BAD_INTEGER, "line 2, column months: 5000000000 is out of range");
    find_error(&E, LT_CSV_E_BAD_INTEGER, "line 2, column fee: \"45,000,000\" is not a whole "
               "number");
    find_error(&E, LT_CSV_E_BAD_INTEGER, "line 2, column amount: \"1e3\" is not a whole number");
    j = convert(&t_num, "when,citizen_id,months,fee\n2026-06-01,049098001234,-1,"
                        "99999999999999999999\n");
    assert_null(j);
    find_error(&E, LT_CSV_E_BAD_INTEGER, "line 2, column months: -1 is out of range");
    find_error(&E, LT_CSV_E_BAD_INTEGER, "line 2, column fee: 99999999999999999999 is out of "
               "range");
    /* A list with a bad item; a required list that holds only separators. */
    j = convert(&t_list, "when,citizen_id,groups,countries\n"
                         "2026-03-14,049098001234,ETHNIC_MINORITY;rich,;;\n");
    assert_null(j);
    find_error(&E, LT_CSV_E_BAD_ENUM, "line 2, column groups: item 2 \"rich\" is not a "
               "PriorityGroup");
    find_error(&E, LT_CSV_E_REQUIRED_EMPTY, "line 2, column countries: this column is required "
               "and the list is empty");
    /* A cell that is not UTF-8. */
    j = convert(&t_entry, "when,nationality,passport_number,gate,purpose\n"
                          "2026-01-10,JPN,TK1,\xC3\x28,LD1\n");
    assert_null(j);
    find_error(&E, LT_CSV_E_BAD_UTF8, "line 2, column gate: the cell is not UTF-8 text");
}

static void bools_and_indexes(void **s)
{
    (void)s;
    /* Not a real layout (two bodies): only the cell rules are exercised, by
     * building the map by hand through a layout that passes the check. */
    static const struct lt_csv_column cols[] = {
        LT_CSV_OCCURRED("when"),
        LT_CSV_SUBJECT_ENTERPRISE,
        { "fdi", "employerRegistered.foreignInvested", LT_CSV_INT, 0 },
    };
    LT_CSV_LAYOUT(l, "employer", "employer_registered", "test", cols);
    const char *yes[] = { "1", "true", "TRUE" }, *no[] = { "0", "false", "False" };
    for (int i = 0; i < 3; i++) {
        char text[128];
        snprintf(text, sizeof text, "when,enterprise_code,fdi\n2026-01-01,4100123456,%s\n", yes[i]);
        json_t *j = convert(&l, text);
        assert_true(json_is_true(json_object_get(json_object_get(j, "employerRegistered"),
                                                 "foreignInvested")));
        json_decref(j);
        snprintf(text, sizeof text, "when,enterprise_code,fdi\n2026-01-01,4100123456,%s\n", no[i]);
        j = convert(&l, text);
        assert_true(json_is_false(json_object_get(json_object_get(j, "employerRegistered"),
                                                  "foreignInvested")));
        json_decref(j);
    }
    assert_null(convert(&l, "when,enterprise_code,fdi\n2026-01-01,4100123456,yes\n"));
    find_error(&E, LT_CSV_E_BAD_BOOL, "line 2, column fdi: \"yes\" is not 1, 0, true or false");

    /* An indexed path creates the elements before it. */
    static const struct lt_csv_column dcols[] = {
        LT_CSV_OCCURRED("when"),
        LT_CSV_SUBJECT_ENTERPRISE,
        { "job", "labourDemandDeclared.positions[1].jobTitle", LT_CSV_STRING, 0 },
        { "count", "labourDemandDeclared.positions[1].count", LT_CSV_INT, 0 },
        { "province", "labourDemandDeclared.positions[1].workArea.provinceCode", LT_CSV_STRING, 0 },
    };
    LT_CSV_LAYOUT(d, "demand", "labour_demand_declared", "test", dcols);
    json_t *j = convert(&d, "when,enterprise_code,job,count,province\n"
                            "2026-01-01,4100123456,Kỹ sư,2,52\n");
    assert_json(j, "{\"header\":{\"occurredAtMs\":\"1767200400000\",\"subject\":{\"enterpriseCode"
                   "\":\"4100123456\"}},\"labourDemandDeclared\":{\"positions\":[{},{\"count\":2,"
                   "\"jobTitle\":\"Kỹ sư\",\"workArea\":{\"provinceCode\":\"52\"}}]}}");
    json_decref(j);
}

/* ---- layouts ------------------------------------------------------------ */

static void layout_check(void **s)
{
    (void)s;
    char err[512];
    static const struct {
        struct lt_csv_column col;
        const char *type, *why;
    } bad[] = {
        { { "x", "entry.nope", LT_CSV_STRING, 0 }, "entry", "lienthong.v1.Entry has no field \"nope\"" },
        { { "x", "entry.visaPurpose", LT_CSV_STRING, 0 }, "entry", "kind STRING does not fit" },
        { { "x", "entry.borderGateCode", LT_CSV_ENUM, 0 }, "entry", "kind ENUM does not fit" },
        { { "x", "entry.person", LT_CSV_STRING, 0 }, "entry", "kind STRING does not fit" },
        { { "x", "header.occurredAtMs", LT_CSV_INT, 0 }, "bogus_type", "not a body case" },
        { { "x", "header.recordedAtMs", LT_CSV_LOCAL_TIME, 0 }, "entry", "set by the agency service" },
        { { "x", "header.agencyCode", LT_CSV_STRING, 0 }, "entry", "set by the agency service" },
        { { "x", "exit.borderGateCode", LT_CSV_STRING, 0 }, "entry", "neither under header nor under entry" },
        { { "x", "entry.borderGateCode[0]", LT_CSV_STRING, 0 }, "entry", "not a repeated message" },
        { { "x", "labourDemandDeclared.positions.jobTitle", LT_CSV_STRING, 0 }, "labour_demand_declared", "needs an index" },
        { { "x", "labourDemandDeclared.positions[0]", LT_CSV_STRING, 0 }, "labour_demand_declared", "cannot carry an index" },
        { { "x", "labourDemandDeclared.positions[x].count", LT_CSV_INT, 0 }, "labour_demand_declared", "is not a JSON path" },
        { { "x", "entry..visaNo", LT_CSV_STRING, 0 }, "entry", "is not a JSON path" },
        { { "x", "entry.visaNo.more", LT_CSV_STRING, 0 }, "entry", "is not a message" },
        { { "x", "outboundRegistered.priorityGroups", LT_CSV_ENUM, 0 }, "outbound_registered", "does not fit repeated" },
        { { "x", "outboundRegistered.wantedForm", LT_CSV_LIST, 0 }, "outbound_registered", "kind LIST does not fit" },
        { { "x", "entry.visaNo", LT_CSV_LOCAL_TIME, 0 }, "entry", "kind LOCAL_TIME does not fit" },
        { { "", "entry.visaNo", LT_CSV_STRING, 0 }, "entry", "has no header" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const struct lt_csv_column cols[] = { LT_CSV_OCCURRED("when"), bad[i].col };
        struct lt_csv_layout l = { "t", bad[i].type, "t", cols, 2 };
        err[0] = '\0';
        assert_int_equal(lt_csv_layout_check(&l, err, sizeof err), LT_ERR_CONFIG);
        if (!strstr(err, bad[i].why))
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, bad[i].why);
    }
    /* Two columns filling one field; a bad name. */
    const struct lt_csv_column two[] = { LT_CSV_OCCURRED("a"), LT_CSV_OCCURRED("b") };
    struct lt_csv_layout l2 = { "t", "entry", "t", two, 2 };
    assert_int_equal(lt_csv_layout_check(&l2, err, sizeof err), LT_ERR_CONFIG);
    assert_non_null(strstr(err, "columns a and b both fill header.occurredAtMs"));
    struct lt_csv_layout l3 = { "Entry File", "entry", "t", two, 1 };
    assert_int_equal(lt_csv_layout_check(&l3, err, sizeof err), LT_ERR_CONFIG);
    assert_non_null(strstr(err, "file-name prefix"));
    /* A broken layout is refused when a file's header is mapped. */
    const struct lt_csv_column one[] = { { "a", "entry.nope", LT_CSV_STRING, 1 } };
    struct lt_csv_layout l4 = { "t", "entry", "t", one, 1 };
    struct lt_csv_reader *r = lt_csv_reader_new("a\n", 2);
    struct lt_csv_record h;
    assert_int_equal(lt_csv_next(r, &h, NULL), 1);
    struct lt_csv_map *m;
    lt_csv_errors_init(&E);
    assert_int_equal(lt_csv_map_new(&l4, &h, &m, &E), LT_ERR_CONFIG);
    find_error(&E, LT_CSV_E_LAYOUT, "line 1: CSV layout \"t\", column a:");
    lt_csv_reader_free(r);
}

static void layout_for_file(void **s)
{
    (void)s;
    const struct lt_csv_layout *const *p = lt_agency_police_csv_layouts;
    const struct {
        const char *file, *layout;
    } cases[] = {
        { "entry.csv", "entry" },
        { "entry-20260110.csv", "entry" },
        { "entry-2026-01-10-part2.csv", "entry" },
        { "residence-card-0001.csv", "residence-card" },
        { "residence-declaration-x.csv", "residence-declaration" },
        { "exit-1.csv", "exit" },
        { "entry.jsonl", NULL },
        { "entry.csv.tmp", NULL },
        { "entryx.csv", NULL },
        { "entry.old.csv", NULL },
        { "residence.csv", NULL },
        { "Entry-1.csv", NULL },
        { ".csv", NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct lt_csv_layout *l = lt_csv_layout_for_file(p, cases[i].file);
        if (!cases[i].layout)
            assert_null(l);
        else if (!l || strcmp(l->name, cases[i].layout) != 0)
            fail_msg("%s: got %s, want %s", cases[i].file, l ? l->name : "none", cases[i].layout);
    }
    /* Longest match whatever the order of the table. */
    static const struct lt_csv_column c[] = { LT_CSV_OCCURRED("t") };
    LT_CSV_LAYOUT(a, "permit", "work_permit_issued", "t", c);
    LT_CSV_LAYOUT(b, "permit-extended", "work_permit_extended", "t", c);
    const struct lt_csv_layout *const ab[] = { &b, &a, NULL }, *const ba[] = { &a, &b, NULL };
    assert_ptr_equal(lt_csv_layout_for_file(ab, "permit-extended-1.csv"), &b);
    assert_ptr_equal(lt_csv_layout_for_file(ba, "permit-extended-1.csv"), &b);
    assert_ptr_equal(lt_csv_layout_for_file(ba, "permit-1.csv"), &a);
    assert_null(lt_csv_layout_for_file(NULL, "permit-1.csv"));
}

static void columns_for_path(void **s)
{
    (void)s;
    struct lt_csv_reader *r =
        lt_csv_reader_new("when,nationality,passport_number,gate,purpose\n", 46);
    struct lt_csv_map *m = map_of(&t_entry, r);
    char buf[128];
    assert_int_equal(lt_csv_map_columns_for(m, "header.subject", buf, sizeof buf), 2);
    assert_string_equal(buf, "nationality, passport_number");
    assert_int_equal(lt_csv_map_columns_for(m, "entry.visaPurpose", buf, sizeof buf), 1);
    assert_string_equal(buf, "purpose");
    /* In the layout but not in this file: not named. */
    assert_int_equal(lt_csv_map_columns_for(m, "entry.person.sex", buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    assert_int_equal(lt_csv_map_columns_for(m, "entry.visa", buf, sizeof buf), 0);
    assert_int_equal(lt_csv_map_columns_for(m, "", buf, sizeof buf), 0);
    lt_csv_map_free(m);
    lt_csv_reader_free(r);
}

/* ---- the shipped layouts ------------------------------------------------ */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

static void agency_path(char *buf, size_t cap, const char *kind, const char *file)
{
    snprintf(buf, cap, "%s", __FILE__);
    char *slash = strrchr(buf, '/');
    snprintf(slash, cap - (size_t)(slash - buf), "/../../services/agency-%s/%s", kind, file);
}

/* Fills the header fields the publisher owns, as lt_publisher_prepare does. */
static void fill_service_fields(Lienthong__V1__Event *ev, uint8_t id[16], uint8_t prev[32])
{
    Lienthong__V1__Header *h = ev->header;
    lt_uuid7(id);
    memset(prev, 0, 32);
    h->event_id = (ProtobufCBinaryData){ 16, id };
    h->prev_hash = (ProtobufCBinaryData){ 32, prev };
    h->agency_code = (char *)"test.agency";
    h->sequence = 1;
    h->recorded_at_ms = lt_uuid7_time_ms(id);
    h->schema_version = 1;
    if (h->rule_set == LIENTHONG__V1__RULE_SET__RULE_SET_UNSPECIFIED)
        h->rule_set = lt_validate_rule_set_for(lt_date_vn_from_unix_ms(h->occurred_at_ms),
                                               lt_validate_programme_of((int)ev->body_case));
}

/* Converts and validates every row of one example file; returns the rows. */
static size_t check_example(const char *kind, const struct lt_csv_layout *l, const char *file,
                            const char *text, size_t len)
{
    struct lt_csv_reader *r = lt_csv_reader_new(text, len);
    struct lt_csv_record rec;
    lt_csv_errors_init(&E);
    assert_int_equal(lt_csv_next(r, &rec, &E), 1);
    struct lt_csv_map *m = NULL;
    if (lt_csv_map_new(l, &rec, &m, &E) != LT_OK)
        fail_msg("%s %s: header: %s", kind, file, E.items[0].message);
    /* The example shows every column of the layout. */
    assert_int_equal(rec.n, l->n_columns);
    size_t rows = 0;
    int rc;
    while ((rc = lt_csv_next(r, &rec, &E)) == 1) {
        json_t *j = NULL;
        if (lt_csv_row_to_json(m, &rec, &j, &E) != LT_OK)
            fail_msg("%s %s: %s", kind, file, E.items[0].message);
        ProtobufCMessage *msg = NULL;
        struct lt_pbjson_errors pe;
        if (lt_pbjson_to_message(&lienthong__v1__event__descriptor, j, &msg, &pe) != LT_OK)
            fail_msg("%s %s line %zu: %s %s", kind, file, rec.line, pe.items[0].path,
                     pe.items[0].message);
        Lienthong__V1__Event *ev = (Lienthong__V1__Event *)msg;
        assert_non_null(ev->header);
        assert_string_equal(lt_registry_event_type_name((uint32_t)ev->body_case) ?
                            lt_registry_event_type_name((uint32_t)ev->body_case) : "?",
                            l->event_type);
        uint8_t id[16], prev[32];
        char *agency = ev->header->agency_code;
        fill_service_fields(ev, id, prev);
        struct lt_validate_result vr;
        if (lt_validate_event(ev, &vr) != LT_OK || vr.count) {
            char buf[2048];
            lt_validate_render(&vr, buf, sizeof buf);
            fail_msg("%s %s line %zu:\n%s", kind, file, rec.line, buf);
        }
        /* Give protobuf-c back what it allocated. */
        ev->header->event_id = (ProtobufCBinaryData){ 0, NULL };
        ev->header->prev_hash = (ProtobufCBinaryData){ 0, NULL };
        ev->header->agency_code = agency;
        protobuf_c_message_free_unpacked(msg, NULL);
        json_decref(j);
        rows++;
    }
    assert_int_equal(rc, 0);
    lt_csv_map_free(m);
    lt_csv_reader_free(r);
    return rows;
}

static void shipped_layouts(void **s)
{
    (void)s;
    char path[1024], err[512];
    size_t total = 0;
    for (size_t a = 0; a < sizeof agencies / sizeof agencies[0]; a++) {
        const char *kind = agencies[a].kind;
        agency_path(path, sizeof path, kind, "main.c");
        char *main_c = slurp(path, NULL);
        agency_path(path, sizeof path, kind, "README.md");
        size_t rlen;
        char *readme = slurp(path, &rlen);
        for (const struct lt_csv_layout *const *l = agencies[a].layouts; *l; l++) {
            if (lt_csv_layout_check(*l, err, sizeof err) != LT_OK)
                fail_msg("%s: %s", kind, err);
            /* Layout names are unique within an agency. */
            for (const struct lt_csv_layout *const *o = agencies[a].layouts; o < l; o++)
                assert_string_not_equal((*o)->name, (*l)->name);
            char quoted[96];
            snprintf(quoted, sizeof quoted, "\"%s\",", (*l)->event_type);
            if (!strstr(main_c, quoted))
                fail_msg("%s: layout %s has event type %s, which its main.c does not publish",
                         kind, (*l)->name, (*l)->event_type);
            /* Every column is documented in the README's table. */
            for (size_t c = 0; c < (*l)->n_columns; c++) {
                char cell[96];
                snprintf(cell, sizeof cell, "| `%s` |", (*l)->columns[c].header);
                if (!strstr(readme, cell))
                    fail_msg("%s README: column %s of %s undocumented", kind,
                             (*l)->columns[c].header, (*l)->name);
            }
        }
        /* Every ```csv block of the README, named by the `file.csv` on the
         * last line of text before it, converts and validates; every
         * layout has one. */
        size_t covered = 0, n_layouts = 0;
        for (const struct lt_csv_layout *const *l = agencies[a].layouts; *l; l++)
            n_layouts++;
        int seen[64] = { 0 };
        for (char *p = strstr(readme, "\n```csv\n"); p; p = strstr(p + 1, "\n```csv\n")) {
            /* The last non-blank line before the fence. */
            char *line_end = p;
            while (line_end > readme && line_end[-1] == '\n')
                line_end--;
            char *line_start = line_end;
            while (line_start > readme && line_start[-1] != '\n')
                line_start--;
            char name[128] = "";
            char *tick = NULL;
            for (char *q = line_start; q < line_end; q++)
                if (*q == '`') {
                    if (tick) {
                        snprintf(name, sizeof name, "%.*s", (int)(q - tick - 1), tick + 1);
                        if (strstr(name, ".csv"))
                            break;
                        tick = NULL;
                        name[0] = '\0';
                    } else {
                        tick = q;
                    }
                }
            const struct lt_csv_layout *l = lt_csv_layout_for_file(agencies[a].layouts, name);
            if (!l)
                fail_msg("%s README: a csv block names no layout's file (\"%s\")", kind, name);
            char *body = p + 8;
            char *end = strstr(body, "\n```");
            assert_non_null(end);
            size_t rows = check_example(kind, l, name, body, (size_t)(end - body) + 1);
            assert_true(rows >= 1);
            total += rows;
            for (size_t i = 0; agencies[a].layouts[i]; i++)
                if (agencies[a].layouts[i] == l && !seen[i]) {
                    seen[i] = 1;
                    covered++;
                }
        }
        if (covered != n_layouts)
            fail_msg("%s README: %zu of %zu layouts have an example file", kind, covered,
                     n_layouts);
        free(main_c);
        free(readme);
    }
    print_message("  %zu example rows of %zu agencies convert and validate\n", total,
                  sizeof agencies / sizeof agencies[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reader_rfc4180),
        cmocka_unit_test(reader_errors),
        cmocka_unit_test(header_errors),
        cmocka_unit_test(local_time),
        cmocka_unit_test(row_conversion),
        cmocka_unit_test(row_errors),
        cmocka_unit_test(bools_and_indexes),
        cmocka_unit_test(layout_check),
        cmocka_unit_test(layout_for_file),
        cmocka_unit_test(columns_for_path),
        cmocka_unit_test(shipped_layouts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
