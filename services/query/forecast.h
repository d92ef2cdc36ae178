/* forecast.h — the arithmetic behind GET /v1/forecast/foreign-workers:
 * calendar periods (months, quarters, half-years, years) and two stated
 * forecasting methods over a short series of period totals.
 *
 * Pure functions (no database, no HTTP), unit-tested in
 * tests/unit/test_query_forecast.c. */
#ifndef LQ_FORECAST_H
#define LQ_FORECAST_H

#include <stddef.h>

enum lq_period_kind { LQ_PERIOD_MONTH = 12, LQ_PERIOD_QUARTER = 4, LQ_PERIOD_HALF = 2,
                      LQ_PERIOD_YEAR = 1 };

/* A period is (year, k) with k in 1..kind (k is 1 for a year). Its index,
 * year * kind + (k - 1), counts periods from year 0 so that consecutive
 * periods have consecutive indexes. */
long lq_period_index(enum lq_period_kind kind, int year, int k);
void lq_period_of_index(enum lq_period_kind kind, long index, int *year, int *k);

/* The period holding the civil date (year, month): k from the month. */
int lq_period_k_of_month(enum lq_period_kind kind, unsigned month);

/* "2026", "2026H1", "2026Q3", "2026-07" into buf (at least 12 bytes). */
void lq_period_format(enum lq_period_kind kind, int year, int k, char *buf, size_t cap);

/* First day of period (year, k) and first day after it, as "YYYY-MM-DD". */
void lq_period_bounds(enum lq_period_kind kind, int year, int k, char from[11], char to[11]);

/* "month", "quarter", "half" or "year" into *kind. LT_OK or LT_ERR_INVALID. */
int lq_period_kind_parse(const char *s, enum lq_period_kind *kind)
    __attribute__((warn_unused_result));
const char *lq_period_kind_name(enum lq_period_kind kind);

/* "YYYYH1" or "YYYYH2" (2000..2100) into *year, *half. LT_OK or
 * LT_ERR_INVALID. */
int lq_period_half_parse(const char *s, int *year, int *half) __attribute__((warn_unused_result));

/* Ordinary least squares line through (0, y[0]) … (n-1, y[n-1]) (n ≥ 1;
 * with n = 1 the slope is 0): *slope and *intercept, so the fitted value
 * at x is intercept + slope * x. */
void lq_forecast_fit(const double *y, size_t n, double *slope, double *intercept);

/* Linear trend: out[h] = intercept + slope * (n + h) for h in 0..horizon,
 * never below 0 (a demand is not negative). */
void lq_forecast_linear(const double *y, size_t n, size_t horizon, double *out);

/* Moving average: every out[h] is the mean of the last n values (n ≥ 1). */
void lq_forecast_moving_average(const double *y, size_t n, size_t horizon, double *out);

#endif
