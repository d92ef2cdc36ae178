/* test_units — administrative units with validity periods: resolving a code
 * before and after the 2025 mergers (including codes that were reused),
 * successor chains across several merges, AdminArea checks, every way a
 * units file is refused, and the shipped deploy/registry/units.json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/err.h"
#include "registry/units.h"

/* A small model of the 2025 changes: provinces 52/64 → new 52 and 49/48 →
 * new 48 on 2025-07-01; districts end on 2025-06-30 (519 earlier, into 509);
 * communes 21559 + 21553 → new 21553. 99999 ends without a successor. */
static const char *FIXTURE =
    "{\"format\": \"lienthong.units/1\", \"description\": \"test\", \"units\": ["
    " {\"code\": \"52\", \"level\": \"province\", \"name\": \"Tỉnh Bình Định\","
    "  \"valid_until\": \"2025-06-30\", \"successor\": \"52\"},"
    " {\"code\": \"64\", \"level\": \"province\", \"name\": \"Tỉnh Gia Lai\","
    "  \"valid_until\": \"2025-06-30\", \"successor\": \"52\"},"
    " {\"code\": \"52\", \"level\": \"province\", \"name\": \"Tỉnh Gia Lai\","
    "  \"valid_from\": \"2025-07-01\"},"
    " {\"code\": \"49\", \"level\": \"province\", \"name\": \"Tỉnh Quảng Nam\","
    "  \"valid_from\": \"1997-01-01\", \"valid_until\": \"2025-06-30\", \"successor\": \"48\"},"
    " {\"code\": \"48\", \"level\": \"province\", \"name\": \"Thành phố Đà Nẵng\","
    "  \"valid_from\": \"1997-01-01\", \"valid_until\": \"2025-06-30\", \"successor\": \"48\"},"
    " {\"code\": \"48\", \"level\": \"province\", \"name\": \"Thành phố Đà Nẵng\","
    "  \"valid_from\": \"2025-07-01\", \"note\": \"merged\"},"
    " {\"code\": \"540\", \"level\": \"district\", \"name\": \"Thành phố Quy Nhơn\","
    "  \"parent\": \"52\", \"valid_until\": \"2025-06-30\", \"successor\": \"52\"},"
    " {\"code\": \"519\", \"level\": \"district\", \"name\": \"Huyện Nông Sơn\", \"parent\": \"49\","
    "  \"valid_from\": \"2008-01-01\", \"valid_until\": \"2024-12-31\", \"successor\": \"509\"},"
    " {\"code\": \"509\", \"level\": \"district\", \"name\": \"Huyện Quế Sơn\", \"parent\": \"49\","
    "  \"valid_from\": \"1997-01-01\", \"valid_until\": \"2025-06-30\", \"successor\": \"48\"},"
    " {\"code\": \"21559\", \"level\": \"commune\", \"name\": \"Phường Trần Quang Diệu\","
    "  \"parent\": \"540\", \"valid_until\": \"2025-06-30\", \"successor\": \"21553\"},"
    " {\"code\": \"21553\", \"level\": \"commune\", \"name\": \"Phường Nhơn Phú\","
    "  \"parent\": \"540\", \"valid_until\": \"2025-06-30\", \"successor\": \"21553\"},"
    " {\"code\": \"21553\", \"level\": \"commune\", \"name\": \"Phường Quy Nhơn Bắc\","
    "  \"parent\": \"52\", \"valid_from\": \"2025-07-01\"},"
    " {\"code\": \"99999\", \"level\": \"commune\", \"name\": \"Xã Cuối\", \"parent\": \"540\","
    "  \"valid_until\": \"2020-12-31\"}"
    "]}";

static const char *temp_file(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/lt_test_units_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t n = strlen(text);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
    return path;
}

static int load_text(const char *text, struct lt_units **u, char *err, size_t errlen)
{
    const char *path = temp_file(text);
    int rc = lt_units_new(path, u, err, errlen);
    unlink(path);
    return rc;
}

static int setup(void **state)
{
    char err[4096];
    struct lt_units *u;
    if (load_text(FIXTURE, &u, err, sizeof err) != LT_OK) {
        fprintf(stderr, "fixture refused: %s\n", err);
        return -1;
    }
    *state = u;
    return 0;
}

static int teardown(void **state)
{
    lt_units_free(*state);
    lt_units_free(NULL);
    return 0;
}

/* Resolves code on date and checks the verdict, the name found and (for a
 * refusal) a phrase of the message. */
static const struct lt_unit *expect(const struct lt_units *u, const char *code, const char *date,
                                    enum lt_units_verdict want, const char *name_or_phrase)
{
    const struct lt_unit *x = (const struct lt_unit *)1;
    char err[512] = "unset";
    enum lt_units_verdict v = lt_units_resolve(u, code, date, &x, err, sizeof err);
    if (v != want)
        fail_msg("%s on %s: %s, want %s (%s)", code, date, lt_units_verdict_name(v),
                 lt_units_verdict_name(want), err);
    if (v == LT_UNITS_OK) {
        assert_string_equal(x->name, name_or_phrase);
        assert_string_equal(err, "");
    } else {
        assert_null(x);
        if (!strstr(err, name_or_phrase))
            fail_msg("%s on %s: message \"%s\" lacks \"%s\"", code, date, err, name_or_phrase);
    }
    return x;
}

static void resolve_around_2025(void **state)
{
    const struct lt_units *u = *state;
    assert_int_equal(lt_units_count(u), 13);
    /* A reused code: Bình Định until 2025-06-30, the new Gia Lai from 07-01. */
    const struct lt_unit *bd = expect(u, "52", "2025-06-30", LT_UNITS_OK, "Tỉnh Bình Định");
    const struct lt_unit *gl = expect(u, "52", "2025-07-01", LT_UNITS_OK, "Tỉnh Gia Lai");
    assert_ptr_not_equal(bd, gl);
    assert_string_equal(bd->valid_until_date, "2025-06-30");
    assert_string_equal(bd->valid_from_date, "");
    assert_string_equal(gl->valid_from_date, "2025-07-01");
    assert_string_equal(gl->valid_until_date, "");
    assert_int_equal(gl->level, LT_UNIT_PROVINCE);
    expect(u, "52", "1900-01-01", LT_UNITS_OK, "Tỉnh Bình Định"); /* open start */
    expect(u, "52", "2999-12-31", LT_UNITS_OK, "Tỉnh Gia Lai");    /* open end */
    expect(u, "64", "2025-06-30", LT_UNITS_OK, "Tỉnh Gia Lai");
    expect(u, "64", "2025-07-01", LT_UNITS_NOT_IN_FORCE,
           "unit 64 (Tỉnh Gia Lai) is not in force on 2025-07-01: it was in force until 2025-06-30; "
           "from 2025-07-01 its successor is 52 (Tỉnh Gia Lai)");
    expect(u, "49", "2025-08-15", LT_UNITS_NOT_IN_FORCE,
           "it was in force from 1997-01-01 until 2025-06-30; from 2025-07-01 its successor is 48 "
           "(Thành phố Đà Nẵng)");
    expect(u, "49", "1996-12-31", LT_UNITS_NOT_IN_FORCE,
           "unit 49 (Tỉnh Quảng Nam) is not in force on 1996-12-31: it is in force from 1997-01-01 "
           "until 2025-06-30");
    expect(u, "48", "2025-06-30", LT_UNITS_OK, "Thành phố Đà Nẵng");
    /* Districts end with the district level. */
    expect(u, "540", "2025-06-30", LT_UNITS_OK, "Thành phố Quy Nhơn");
    expect(u, "540", "2025-07-01", LT_UNITS_NOT_IN_FORCE, "successor is 52 (Tỉnh Gia Lai)");
    expect(u, "519", "2024-12-31", LT_UNITS_OK, "Huyện Nông Sơn");
    expect(u, "519", "2025-01-01", LT_UNITS_NOT_IN_FORCE, "successor is 509 (Huyện Quế Sơn)");
    /* A reused commune code. */
    expect(u, "21553", "2025-06-30", LT_UNITS_OK, "Phường Nhơn Phú");
    expect(u, "21553", "2025-07-01", LT_UNITS_OK, "Phường Quy Nhơn Bắc");
    expect(u, "21559", "2025-07-01", LT_UNITS_NOT_IN_FORCE,
           "from 2025-07-01 its successor is 21553 (Phường Quy Nhơn Bắc)");
    expect(u, "99999", "2021-01-01", LT_UNITS_NOT_IN_FORCE, "and has no successor");
    /* Unknown codes and bad dates. */
    expect(u, "77", "2025-01-01", LT_UNITS_UNKNOWN, "no administrative unit has code \"77\"");
    expect(u, "52", "2025-7-1", LT_UNITS_BAD_DATE, "\"2025-7-1\" is not a calendar date");
    expect(u, "52", "2025-02-29", LT_UNITS_BAD_DATE, "is not a calendar date");
    expect(u, "52", "2025-07-01T00:00:00Z", LT_UNITS_BAD_DATE, "is not a calendar date");
    const struct lt_unit *x;
    assert_int_equal(lt_units_resolve(u, NULL, "2025-01-01", &x, NULL, 0), LT_UNITS_UNKNOWN);
    assert_int_equal(lt_units_resolve(u, "52", NULL, &x, NULL, 0), LT_UNITS_BAD_DATE);
}

/* Resolves code on as_of and follows it to report_date. */
static const struct lt_unit *map(const struct lt_units *u, const char *code, const char *as_of,
                                 const char *report, enum lt_units_verdict want)
{
    const struct lt_unit *x = (const struct lt_unit *)1;
    char err[512];
    enum lt_units_verdict v = lt_units_map(u, code, as_of, report, &x, err, sizeof err);
    if (v != want)
        fail_msg("%s (%s) → %s: %s, want %s (%s)", code, as_of, report,
                 lt_units_verdict_name(v), lt_units_verdict_name(want), err);
    if (v != LT_UNITS_OK)
        assert_null(x);
    return x;
}

static void successor_chains(void **state)
{
    const struct lt_units *u = *state;
    /* Still in force: the unit itself. */
    const struct lt_unit *x = map(u, "52", "2020-01-01", "2025-06-30", LT_UNITS_OK);
    assert_string_equal(x->name, "Tỉnh Bình Định");
    /* One merge. */
    x = map(u, "52", "2020-01-01", "2025-07-01", LT_UNITS_OK);
    assert_string_equal(x->name, "Tỉnh Gia Lai");
    assert_string_equal(x->valid_from_date, "2025-07-01");
    x = map(u, "64", "2020-01-01", "2030-01-01", LT_UNITS_OK);
    assert_string_equal(x->code, "52");
    assert_string_equal(x->name, "Tỉnh Gia Lai");
    x = map(u, "49", "2020-01-01", "2026-01-01", LT_UNITS_OK);
    assert_string_equal(x->code, "48");
    assert_string_equal(x->valid_from_date, "2025-07-01");
    /* A chain: Nông Sơn → Quế Sơn (2025-01-01) → Đà Nẵng (2025-07-01). */
    x = map(u, "519", "2020-05-05", "2025-03-01", LT_UNITS_OK);
    assert_string_equal(x->name, "Huyện Quế Sơn");
    x = map(u, "519", "2020-05-05", "2025-07-01", LT_UNITS_OK);
    assert_string_equal(x->code, "48");
    assert_int_equal(x->level, LT_UNIT_PROVINCE);
    /* A district maps to the province that took it over. */
    x = map(u, "540", "2024-01-01", "2025-12-31", LT_UNITS_OK);
    assert_string_equal(x->name, "Tỉnh Gia Lai");
    /* Communes, into a reused code. */
    x = map(u, "21559", "2024-03-01", "2025-12-31", LT_UNITS_OK);
    assert_string_equal(x->name, "Phường Quy Nhơn Bắc");
    x = map(u, "21553", "2024-03-01", "2025-12-31", LT_UNITS_OK);
    assert_string_equal(x->name, "Phường Quy Nhơn Bắc");
    x = map(u, "21553", "2024-03-01", "2024-12-31", LT_UNITS_OK);
    assert_string_equal(x->name, "Phường Nhơn Phú");
    /* The chain ends: nothing stands for the unit later. */
    map(u, "99999", "2020-01-01", "2021-01-01", LT_UNITS_NO_SUCCESSOR);
    /* History is not mapped backwards. */
    map(u, "52", "2025-08-01", "2024-01-01", LT_UNITS_NOT_IN_FORCE);
    map(u, "52", "2025-08-01", "2024-13-01", LT_UNITS_BAD_DATE);
    map(u, "64", "2025-08-01", "2025-09-01", LT_UNITS_NOT_IN_FORCE);

    char err[512];
    const struct lt_unit *gl, *out;
    assert_int_equal(lt_units_resolve(u, "52", "2025-07-01", &gl, NULL, 0), LT_UNITS_OK);
    assert_int_equal(lt_units_successor(u, gl, "2025-06-30", &out, err, sizeof err),
                     LT_UNITS_NOT_IN_FORCE);
    assert_non_null(strstr(err, "begins on 2025-07-01, after 2025-06-30"));
    const struct lt_unit *last;
    assert_int_equal(lt_units_resolve(u, "99999", "2020-12-31", &last, NULL, 0), LT_UNITS_OK);
    assert_int_equal(lt_units_successor(u, last, "2021-01-01", &out, err, sizeof err),
                     LT_UNITS_NO_SUCCESSOR);
    assert_non_null(strstr(err, "ended on 2020-12-31 and no unit succeeded it"));
}

static void parents(void **state)
{
    const struct lt_units *u = *state;
    const struct lt_unit *c, *p, *pp;
    assert_int_equal(lt_units_resolve(u, "21559", "2024-01-01", &c, NULL, 0), LT_UNITS_OK);
    p = lt_units_parent(u, c);
    assert_string_equal(p->code, "540");
    pp = lt_units_parent(u, p);
    assert_string_equal(pp->name, "Tỉnh Bình Định");
    assert_null(lt_units_parent(u, pp));
    assert_int_equal(lt_units_resolve(u, "21553", "2025-07-01", &c, NULL, 0), LT_UNITS_OK);
    p = lt_units_parent(u, c);
    assert_string_equal(p->name, "Tỉnh Gia Lai"); /* the new 52, directly: no district */
}

struct area_case {
    const char *prov, *dist, *comm, *date;
    enum lt_units_verdict want;
    const char *says;
};

static void admin_areas(void **state)
{
    const struct lt_units *u = *state;
    static const struct area_case cases[] = {
        { "52", "540", "21559", "2024-05-01", LT_UNITS_OK, "" },
        { "52", "", "21559", "2024-05-01", LT_UNITS_OK, "" },  /* through its district */
        { "52", NULL, NULL, "2024-05-01", LT_UNITS_OK, "" },
        { "52", "", "21553", "2025-08-01", LT_UNITS_OK, "" },  /* new ward, no district */
        { "52", "540", "", "2025-08-01", LT_UNITS_NOT_IN_FORCE, "unit 540" },
        { "64", "540", "", "2024-05-01", LT_UNITS_NOT_WITHIN,
          "district 540 (Thành phố Quy Nhơn) is not in province 64 (Tỉnh Gia Lai) on 2024-05-01" },
        { "49", "509", "21559", "2024-05-01", LT_UNITS_NOT_WITHIN,
          "commune 21559 (Phường Trần Quang Diệu) is not in district 509" },
        { "49", "", "21559", "2024-05-01", LT_UNITS_NOT_WITHIN, "is not in province 49" },
        { "48", "", "21553", "2025-08-01", LT_UNITS_NOT_WITHIN, "is not in province 48" },
        { "540", "", "", "2024-05-01", LT_UNITS_WRONG_LEVEL,
          "540 (Thành phố Quy Nhơn) is a district, not a province" },
        { "52", "21559", "", "2024-05-01", LT_UNITS_WRONG_LEVEL, "is a commune, not a district" },
        { "52", "540", "540", "2024-05-01", LT_UNITS_WRONG_LEVEL, "is a district, not a commune" },
        { "", "540", "", "2024-05-01", LT_UNITS_UNKNOWN, "the province code is required" },
        { "52", "", "12345", "2024-05-01", LT_UNITS_UNKNOWN, "\"12345\"" },
        { "64", "", "", "2025-07-01", LT_UNITS_NOT_IN_FORCE, "successor is 52" },
        { "52", "", "", "01/07/2025", LT_UNITS_BAD_DATE, "not a calendar date" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct area_case *c = &cases[i];
        char err[512] = "unset";
        enum lt_units_verdict v =
            lt_units_check_area(u, c->prov, c->dist, c->comm, c->date, err, sizeof err);
        if (v != c->want)
            fail_msg("case %zu: %s, want %s (%s)", i, lt_units_verdict_name(v),
                     lt_units_verdict_name(c->want), err);
        if (!strstr(err, c->says))
            fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err, c->says);
    }
}

static void names_and_dates(void **state)
{
    (void)state;
    static const char *const names[] = {
        "ok", "unit_bad_date", "unit_unknown", "unit_not_in_force", "unit_no_successor",
        "unit_wrong_level", "unit_not_within",
    };
    for (int v = 0; v <= LT_UNITS_NOT_WITHIN; v++)
        assert_string_equal(lt_units_verdict_name((enum lt_units_verdict)v), names[v]);
    assert_string_equal(lt_units_verdict_name((enum lt_units_verdict)42), "unknown");
    assert_string_equal(lt_units_level_name(LT_UNIT_PROVINCE), "province");
    assert_string_equal(lt_units_level_name(LT_UNIT_DISTRICT), "district");
    assert_string_equal(lt_units_level_name(LT_UNIT_COMMUNE), "commune");
    char d[11];
    lt_units_date_of_ms(1751302800000LL, d); /* 2025-06-30T17:00:00Z = 07-01 00:00 in Vietnam */
    assert_string_equal(d, "2025-07-01");
    lt_units_date_of_ms(1751302799999LL, d);
    assert_string_equal(d, "2025-06-30");
}

/* One change to the fixture and the error it must produce. */
struct load_case {
    int index;          /* unit to change; -1: the root */
    const char *member; /* member to set (value JSON) or delete (value NULL) */
    const char *value;
    const char *expect;
};

static void load_errors(void **state)
{
    (void)state;
    static const struct load_case cases[] = {
        { -1, "format", "\"lienthong.units/0\"", "$.format: \"lienthong.units/0\" is not" },
        { -1, "units", "{}", "$.units: required, an array of units" },
        { -1, "colour", "1", "$: unknown member \"colour\"" },
        { 0, "code", "\"5\"", "$.units[0].code: \"5\" is not a province code (2 digits)" },
        { 6, "code", "\"54\"", "$.units[6].code: \"54\" is not a district code (3 digits)" },
        { 9, "code", "\"2155A\"", "$.units[9].code: \"2155A\" is not a commune code" },
        { 0, "level", "\"state\"", "$.units[0].level: \"state\" is not province, district or "
          "commune" },
        { 0, "level", NULL, "$.units[0]: missing required member \"level\"" },
        { 0, "name", NULL, "$.units[0] (\"52\"): missing required member \"name\"" },
        { 0, "name", "\"Ti\\u0309nh Bi\\u0300nh \\u0110i\\u0323nh\"",
          "$.units[0] (\"52\").name: must be Unicode NFC" },
        { 0, "name", "\"Tỉnh Bình Định \"", "name: must be Unicode NFC without leading or "
          "trailing spaces" },
        { 0, "parent", "\"49\"", "$.units[0] (\"52\").parent: a province has no parent" },
        { 6, "parent", NULL, "$.units[6] (\"540\"): missing required member \"parent\"" },
        { 6, "parent", "\"53\"", "$.units[6] (\"540\").parent: no unit \"53\" in this file" },
        /* 540 is open-started; its parent 49 starts in 1997. */
        { 6, "parent", "\"49\"", "$.units[6] (\"540\").parent: \"49\" is not in force for this "
          "unit's whole period (until 2025-06-30)" },
        /* The old 21553 lives until 2025-06-30, the new 52 starts after. */
        { 10, "parent", "\"48\"", "$.units[10] (\"21553\").parent: \"48\" is not in force for "
          "this unit's whole period (until 2025-06-30)" },
        { 10, "parent", "\"21559\"", "$.units[10] (\"21553\").parent: \"21559\" is a commune, not "
          "above a commune" },
        { 0, "valid_until", "\"2025-06-31\"", "$.units[0] (\"52\").valid_until: \"2025-06-31\" is "
          "not a calendar date YYYY-MM-DD" },
        { 3, "valid_until", "\"1996-12-31\"", "$.units[3] (\"49\").valid_until: 1996-12-31 is "
          "before valid_from" },
        { 2, "valid_from", "\"2025-06-30\"", "$.units[2] (\"52\"): its period (from 2025-06-30) "
          "overlaps the period (until 2025-06-30) of $.units[0]" },
        { 2, "successor", "\"64\"", "$.units[2] (\"52\").successor: only a unit with a valid_until "
          "has a successor" },
        { 1, "successor", "\"65\"", "$.units[1] (\"64\").successor: no unit \"65\" in this file" },
        { 1, "successor", "\"49\"", "$.units[1] (\"64\").successor: \"49\" is not in force on "
          "2025-07-01, the day after this unit ends" },
        { 3, "successor", "\"21553\"", "$.units[3] (\"49\").successor: \"21553\" is a commune, "
          "below a province" },
        { 12, "valid_until", "\"2020-12-32\"", "is not a calendar date" },
        { 12, "remark", "\"x\"", "$.units[12] (\"99999\"): unknown member \"remark\"" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct load_case *c = &cases[i];
        json_error_t jerr;
        json_t *root = json_loads(FIXTURE, 0, &jerr);
        assert_non_null(root);
        json_t *target = c->index < 0 ? root
                                      : json_array_get(json_object_get(root, "units"),
                                                       (size_t)c->index);
        if (c->value)
            json_object_set_new(target, c->member, json_loads(c->value, JSON_DECODE_ANY, &jerr));
        else
            json_object_del(target, c->member);
        char *text = json_dumps(root, 0);
        json_decref(root);
        struct lt_units *u = (struct lt_units *)1;
        char err[4096] = "";
        int rc = load_text(text, &u, err, sizeof err);
        free(text);
        if (rc != LT_ERR_INVALID)
            fail_msg("case %zu (%s): loaded (rc %d), want \"%s\"", i, c->member, rc, c->expect);
        assert_null(u);
        if (!strstr(err, c->expect))
            fail_msg("case %zu (%s): error\n%s\nlacks \"%s\"", i, c->member, err, c->expect);
        assert_non_null(strstr(err, "/tmp/lt_test_units_"));
    }

    struct lt_units *u;
    char err[1024];
    assert_int_equal(lt_units_new("/nonexistent/units.json", &u, err, sizeof err), LT_ERR_IO);
    assert_null(u);
    assert_int_equal(load_text("{\"units\": [", &u, err, sizeof err), LT_ERR_INVALID);
    assert_int_equal(lt_units_new_from_string("{\"format\": \"lienthong.units/1\", \"units\": [],"
                                              " \"units\": []}", "inline", &u, err, sizeof err),
                     LT_ERR_INVALID);
    assert_non_null(strstr(err, "duplicate object key"));
    assert_int_equal(lt_units_new_from_string("\"units\"", "inline", &u, err, sizeof err),
                     LT_ERR_INVALID);
    assert_int_equal(lt_units_new_from_string("{\"format\": \"lienthong.units/1\", \"units\": []}",
                                              NULL, &u, err, sizeof err),
                     LT_OK);
    assert_int_equal(lt_units_count(u), 0);
    assert_null(lt_units_at(u, 0));
    lt_units_free(u);
}

/* ---- the shipped data file ------------------------------------------------- */

static void shipped_units(void **state)
{
    (void)state;
    const char *f = __FILE__;
    const char *tail = strstr(f, "tests/unit/test_units.c");
    char path[1024], err[4096];
    snprintf(path, sizeof path, "%.*sdeploy/registry/units.json", tail ? (int)(tail - f) : 0, f);
    struct lt_units *u;
    if (lt_units_new(path, &u, err, sizeof err) != LT_OK)
        fail_msg("%s", err);
    /* The four provinces before, the two merged ones after. */
    expect(u, "52", "2025-06-30", LT_UNITS_OK, "Tỉnh Bình Định");
    expect(u, "64", "2025-06-30", LT_UNITS_OK, "Tỉnh Gia Lai");
    expect(u, "49", "2025-06-30", LT_UNITS_OK, "Tỉnh Quảng Nam");
    expect(u, "48", "2025-06-30", LT_UNITS_OK, "Thành phố Đà Nẵng");
    expect(u, "52", "2025-07-01", LT_UNITS_OK, "Tỉnh Gia Lai");
    expect(u, "48", "2025-07-01", LT_UNITS_OK, "Thành phố Đà Nẵng");
    expect(u, "49", "2025-07-01", LT_UNITS_NOT_IN_FORCE, "successor is 48 (Thành phố Đà Nẵng)");
    expect(u, "64", "2025-07-01", LT_UNITS_NOT_IN_FORCE, "successor is 52 (Tỉnh Gia Lai)");
    /* Every district of both provinces, none after the district level ended. */
    static const char *const bd[] = { "540", "542", "543", "544", "545", "546", "547", "548",
                                      "549", "550", "551", NULL };
    static const char *const qn[] = { "502", "503", "504", "505", "506", "507", "508", "509",
                                      "510", "511", "512", "513", "514", "515", "516", "517",
                                      "518", NULL };
    const struct lt_unit *x;
    for (int i = 0; bd[i]; i++) {
        assert_int_equal(lt_units_resolve(u, bd[i], "2025-06-30", &x, err, sizeof err),
                         LT_UNITS_OK);
        assert_int_equal(x->level, LT_UNIT_DISTRICT);
        assert_string_equal(lt_units_parent(u, x)->name, "Tỉnh Bình Định");
        assert_int_equal(lt_units_map(u, bd[i], "2025-06-30", "2025-07-01", &x, err, sizeof err),
                         LT_UNITS_OK);
        assert_string_equal(x->name, "Tỉnh Gia Lai");
    }
    for (int i = 0; qn[i]; i++) {
        assert_int_equal(lt_units_resolve(u, qn[i], "2025-06-30", &x, err, sizeof err),
                         LT_UNITS_OK);
        assert_string_equal(lt_units_parent(u, x)->name, "Tỉnh Quảng Nam");
        assert_int_equal(lt_units_resolve(u, qn[i], "2025-07-01", &x, err, sizeof err),
                         LT_UNITS_NOT_IN_FORCE);
    }
    expect(u, "519", "2024-12-31", LT_UNITS_OK, "Huyện Nông Sơn");
    const struct lt_unit *y = map(u, "519", "2024-06-01", "2025-03-01", LT_UNITS_OK);
    assert_string_equal(y->name, "Huyện Quế Sơn");
    /* Old communes map to the new ones on both sides. */
    y = map(u, "21559", "2025-06-30", "2025-07-01", LT_UNITS_OK);
    assert_string_equal(y->name, "Phường Quy Nhơn Bắc");
    y = map(u, "21577", "2025-06-30", "2025-07-01", LT_UNITS_OK);
    assert_string_equal(y->name, "Phường Quy Nhơn Nam");
    y = map(u, "20335", "2024-01-01", "2026-01-01", LT_UNITS_OK);
    assert_string_equal(y->name, "Phường Bàn Thạch");
    assert_int_equal(lt_units_check_area(u, "52", "540", "21559", "2025-06-30", err, sizeof err),
                     LT_UNITS_OK);
    assert_int_equal(lt_units_check_area(u, "52", "", "21553", "2025-07-01", err, sizeof err),
                     LT_UNITS_OK);
    assert_int_equal(lt_units_check_area(u, "48", "", "20401", "2025-07-01", err, sizeof err),
                     LT_UNITS_OK);
    assert_int_equal(lt_units_check_area(u, "49", "503", "20401", "2025-06-30", err, sizeof err),
                     LT_UNITS_OK);
    lt_units_free(u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(resolve_around_2025, setup, teardown),
        cmocka_unit_test_setup_teardown(successor_chains, setup, teardown),
        cmocka_unit_test_setup_teardown(parents, setup, teardown),
        cmocka_unit_test_setup_teardown(admin_areas, setup, teardown),
        cmocka_unit_test(names_and_dates),
        cmocka_unit_test(load_errors),
        cmocka_unit_test(shipped_units),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
