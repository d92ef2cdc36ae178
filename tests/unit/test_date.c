/* test_date — day numbers, strict date parsing, Vietnam-time dates of instants
 * and the "N years, both ends inclusive" period end the permit rules use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/date.h"
#include "core/err.h"

static int32_t D(const char *s)
{
    int32_t d = LT_DATE_NONE;
    assert_int_equal(lt_date_parse(s, &d, NULL, 0), LT_OK);
    return d;
}

static void civil_round_trip(void **s)
{
    (void)s;
    assert_int_equal(lt_date_from_civil(1970, 1, 1), 0);
    assert_int_equal(lt_date_from_civil(1969, 12, 31), -1);
    assert_int_equal(lt_date_from_civil(2000, 3, 1), 11017);
    assert_int_equal(lt_date_from_civil(2025, 8, 7), 20307);
    /* Every day for about ±2200 years comes back as itself. */
    for (int32_t d = -800000; d <= 800000; d++) {
        int y;
        unsigned m, dd;
        lt_date_to_civil(d, &y, &m, &dd);
        assert_int_equal(lt_date_from_civil(y, m, dd), d);
        assert_true(lt_date_is_valid(y, m, dd) || y < 1);
    }
    /* The constant-expression form agrees. */
    assert_int_equal(LT_DATE_CONST(2021, 2, 15), lt_date_from_civil(2021, 2, 15));
    assert_int_equal(LT_DATE_CONST(2025, 8, 6), lt_date_from_civil(2025, 8, 6));
    assert_int_equal(LT_DATE_CONST(2000, 2, 29), lt_date_from_civil(2000, 2, 29));
    assert_int_equal(LT_DATE_CONST(1970, 1, 1), 0);
    assert_int_equal(LT_DATE_CONST(2400, 12, 31), lt_date_from_civil(2400, 12, 31));
}

static void leap_years(void **s)
{
    (void)s;
    assert_false(lt_date_is_leap(1900));
    assert_true(lt_date_is_leap(2000));
    assert_true(lt_date_is_leap(2024));
    assert_false(lt_date_is_leap(2025));
    assert_false(lt_date_is_leap(2100));
    assert_true(lt_date_is_valid(2024, 2, 29));
    assert_false(lt_date_is_valid(2025, 2, 29));
    assert_false(lt_date_is_valid(1900, 2, 29));
    assert_false(lt_date_is_valid(2025, 4, 31));
}

static void parse_strict(void **s)
{
    (void)s;
    char err[128];
    int32_t d = 7;
    assert_int_equal(D("2024-02-29"), lt_date_from_civil(2024, 2, 29));
    assert_int_equal(D("0001-01-01"), lt_date_from_civil(1, 1, 1));
    assert_int_equal(D("9999-12-31"), lt_date_from_civil(9999, 12, 31));
    static const char *const bad[] = {
        "2025-02-29", "2025-13-01", "2025-00-10", "2025-04-31", "2025-01-00", "2025-1-01",
        "2025-01-1",  "20250101",   "2025/01/01", " 2025-01-01", "2025-01-01 ", "2025-01-01Z",
        "0000-01-01", "",           "2025",       "2025-01",    "２０２５-01-01", "+025-01-01",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_int_equal(lt_date_parse(bad[i], &d, err, sizeof err), LT_ERR_INVALID);
        assert_int_equal(d, 7); /* untouched */
        assert_true(err[0] != '\0');
    }
    assert_int_equal(lt_date_parse(NULL, &d, err, sizeof err), LT_ERR_INVALID);
}

static void parse_partial(void **s)
{
    (void)s;
    int y;
    unsigned m, d;
    assert_int_equal(lt_date_parse_partial("1985", &y, &m, &d, NULL, 0), LT_OK);
    assert_int_equal(y, 1985);
    assert_int_equal(m, 0);
    assert_int_equal(d, 0);
    assert_int_equal(lt_date_parse_partial("1985-07", &y, &m, &d, NULL, 0), LT_OK);
    assert_int_equal(m, 7);
    assert_int_equal(d, 0);
    assert_int_equal(lt_date_parse_partial("1985-07-09", &y, &m, &d, NULL, 0), LT_OK);
    assert_int_equal(d, 9);
    assert_int_equal(lt_date_parse_partial("1985-13", &y, &m, &d, NULL, 0), LT_ERR_INVALID);
    assert_int_equal(lt_date_parse_partial("1985-7", &y, &m, &d, NULL, 0), LT_ERR_INVALID);
    assert_int_equal(lt_date_parse_partial("85", &y, &m, &d, NULL, 0), LT_ERR_INVALID);
    assert_int_equal(lt_date_parse_partial("1985-02-30", &y, &m, &d, NULL, 0), LT_ERR_INVALID);
}

static void format(void **s)
{
    (void)s;
    char out[LT_DATE_STRLEN + 1];
    lt_date_format(lt_date_from_civil(2025, 8, 7), out);
    assert_string_equal(out, "2025-08-07");
    lt_date_format(0, out);
    assert_string_equal(out, "1970-01-01");
    lt_date_format(lt_date_from_civil(1, 1, 1), out);
    assert_string_equal(out, "0001-01-01");
}

static void vietnam_time(void **s)
{
    (void)s;
    int32_t aug6 = D("2025-08-06"), aug7 = D("2025-08-07");
    int64_t midnight7 = lt_date_vn_midnight_ms(aug7); /* 2025-08-06T17:00:00Z */
    assert_int_equal(midnight7, INT64_C(1754499600000));
    assert_int_equal(lt_date_vn_from_unix_ms(midnight7), aug7);
    assert_int_equal(lt_date_vn_from_unix_ms(midnight7 - 1), aug6);
    /* The UTC date is still the 6th at that instant. */
    assert_int_equal(lt_date_from_unix_ms(midnight7, 0), aug6);
    assert_int_equal(lt_date_from_unix_ms(-1, 0), -1); /* floor before 1970 */
    assert_int_equal(lt_date_from_unix_ms(0, 0), 0);
    assert_int_equal(lt_date_vn_from_unix_ms(-7 * 3600 * 1000), 0);
    assert_int_equal(lt_date_vn_from_unix_ms(-7 * 3600 * 1000 - 1), -1);
}

static void period_end(void **s)
{
    (void)s;
    assert_int_equal(lt_date_period_end(D("2024-03-01"), 2), D("2026-02-28"));
    assert_int_equal(lt_date_period_end(D("2024-02-29"), 2), D("2026-02-28"));
    assert_int_equal(lt_date_period_end(D("2023-03-01"), 2), D("2025-02-28"));
    assert_int_equal(lt_date_period_end(D("2022-03-01"), 2), D("2024-02-29"));
    assert_int_equal(lt_date_period_end(D("2025-01-01"), 1), D("2025-12-31"));
    assert_int_equal(lt_date_period_end(D("2024-05-15"), 2), D("2026-05-14"));
    assert_int_equal(lt_date_period_end(D("2024-02-29"), 4), D("2028-02-28"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(civil_round_trip), cmocka_unit_test(leap_years),
        cmocka_unit_test(parse_strict),     cmocka_unit_test(parse_partial),
        cmocka_unit_test(format),           cmocka_unit_test(vietnam_time),
        cmocka_unit_test(period_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
