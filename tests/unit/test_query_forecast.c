/* test_query_forecast — the arithmetic of the query service's forecast
 * (services/query/forecast.h): period indexes, labels and bounds across year
 * ends, the half-year parser against malformed values, and known answers for
 * the least-squares trend and the moving average. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "forecast.h"

static void test_periods(void **state)
{
    (void)state;
    char label[16], from[11], to[11];
    int y, k;
    long i = lq_period_index(LQ_PERIOD_QUARTER, 2025, 4);
    lq_period_of_index(LQ_PERIOD_QUARTER, i + 1, &y, &k);
    assert_int_equal(y, 2026);
    assert_int_equal(k, 1);
    lq_period_of_index(LQ_PERIOD_MONTH, lq_period_index(LQ_PERIOD_MONTH, 2026, 1) - 1, &y, &k);
    assert_int_equal(y, 2025);
    assert_int_equal(k, 12);
    assert_int_equal(lq_period_k_of_month(LQ_PERIOD_QUARTER, 3), 1);
    assert_int_equal(lq_period_k_of_month(LQ_PERIOD_QUARTER, 4), 2);
    assert_int_equal(lq_period_k_of_month(LQ_PERIOD_HALF, 6), 1);
    assert_int_equal(lq_period_k_of_month(LQ_PERIOD_HALF, 7), 2);
    assert_int_equal(lq_period_k_of_month(LQ_PERIOD_YEAR, 12), 1);
    assert_int_equal(lq_period_k_of_month(LQ_PERIOD_MONTH, 9), 9);
    lq_period_format(LQ_PERIOD_QUARTER, 2026, 3, label, sizeof label);
    assert_string_equal(label, "2026Q3");
    lq_period_format(LQ_PERIOD_MONTH, 2026, 7, label, sizeof label);
    assert_string_equal(label, "2026-07");
    lq_period_format(LQ_PERIOD_HALF, 2026, 2, label, sizeof label);
    assert_string_equal(label, "2026H2");
    lq_period_format(LQ_PERIOD_YEAR, 2026, 1, label, sizeof label);
    assert_string_equal(label, "2026");
    lq_period_bounds(LQ_PERIOD_QUARTER, 2026, 4, from, to);
    assert_string_equal(from, "2026-10-01");
    assert_string_equal(to, "2027-01-01");
    lq_period_bounds(LQ_PERIOD_HALF, 2026, 1, from, to);
    assert_string_equal(from, "2026-01-01");
    assert_string_equal(to, "2026-07-01");
    lq_period_bounds(LQ_PERIOD_MONTH, 2026, 11, from, to);
    assert_string_equal(to, "2026-12-01");
    lq_period_bounds(LQ_PERIOD_YEAR, 2026, 1, from, to);
    assert_string_equal(from, "2026-01-01");
    assert_string_equal(to, "2027-01-01");
}

static void test_parse(void **state)
{
    (void)state;
    enum lq_period_kind kind;
    int y = 0, h = 0;
    assert_int_equal(lq_period_kind_parse("quarter", &kind), LT_OK);
    assert_int_equal(kind, LQ_PERIOD_QUARTER);
    assert_string_equal(lq_period_kind_name(kind), "quarter");
    assert_int_equal(lq_period_kind_parse("Quarter", &kind), LT_ERR_INVALID);
    assert_int_equal(lq_period_kind_parse(NULL, &kind), LT_ERR_INVALID);
    assert_int_equal(lq_period_half_parse("2026H2", &y, &h), LT_OK);
    assert_int_equal(y, 2026);
    assert_int_equal(h, 2);
    static const char *const bad[] = { "2026H3", "2026H", "2026h1", "1999H1", "2101H1", "20a6H1",
                                       "2026H1 ", "", "-026H1", "2026Q1" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(lq_period_half_parse(bad[i], &y, &h), LT_ERR_INVALID);
    assert_int_equal(lq_period_half_parse(NULL, &y, &h), LT_ERR_INVALID);
}

static void test_linear(void **state)
{
    (void)state;
    double slope, icpt, out[3];
    /* y = 2x + 1 exactly. */
    const double line[] = { 1, 3, 5, 7 };
    lq_forecast_fit(line, 4, &slope, &icpt);
    assert_true(slope > 1.999999 && slope < 2.000001);
    assert_true(icpt > 0.999999 && icpt < 1.000001);
    lq_forecast_linear(line, 4, 3, out);
    assert_true(out[0] > 8.999999 && out[0] < 9.000001);
    assert_true(out[2] > 12.999999 && out[2] < 13.000001);
    /* Known answer: 2, 4, 3, 5 → slope 0.8, intercept 2.3; next 5.5. */
    const double noisy[] = { 2, 4, 3, 5 };
    lq_forecast_fit(noisy, 4, &slope, &icpt);
    assert_true(slope > 0.799999 && slope < 0.800001);
    assert_true(icpt > 2.299999 && icpt < 2.300001);
    lq_forecast_linear(noisy, 4, 1, out);
    assert_true(out[0] > 5.499999 && out[0] < 5.500001);
    /* A falling trend stops at zero. */
    const double fall[] = { 9, 6, 3 };
    lq_forecast_linear(fall, 3, 3, out);
    assert_true(out[0] < 0.000001 && out[0] > -0.000001);
    assert_true(out[2] == 0.0);
    /* One value: flat. */
    const double one[] = { 4 };
    lq_forecast_linear(one, 1, 2, out);
    assert_true(out[0] == 4.0 && out[1] == 4.0);
}

static void test_moving_average(void **state)
{
    (void)state;
    double out[2];
    const double y[] = { 2, 4, 3, 7 };
    lq_forecast_moving_average(y, 4, 2, out);
    assert_true(out[0] == 4.0 && out[1] == 4.0);
    lq_forecast_moving_average(y + 2, 2, 1, out);
    assert_true(out[0] == 5.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_periods),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_linear),
        cmocka_unit_test(test_moving_average),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
