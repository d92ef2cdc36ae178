/* forecast.c — calendar periods and the forecasting methods (forecast.h). */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/err.h"
#include "forecast.h"

long lq_period_index(enum lq_period_kind kind, int year, int k)
{
    assert(k >= 1 && k <= (int)kind);
    return (long)year * (long)kind + (k - 1);
}

void lq_period_of_index(enum lq_period_kind kind, long index, int *year, int *k)
{
    assert(index >= 0);
    *year = (int)(index / (long)kind);
    *k = (int)(index % (long)kind) + 1;
}

int lq_period_k_of_month(enum lq_period_kind kind, unsigned month)
{
    assert(month >= 1 && month <= 12);
    return (int)((month - 1) / (12 / (unsigned)kind)) + 1;
}

void lq_period_format(enum lq_period_kind kind, int year, int k, char *buf, size_t cap)
{
    switch (kind) {
    case LQ_PERIOD_MONTH: snprintf(buf, cap, "%04d-%02d", year, k); break;
    case LQ_PERIOD_QUARTER: snprintf(buf, cap, "%04dQ%d", year, k); break;
    case LQ_PERIOD_HALF: snprintf(buf, cap, "%04dH%d", year, k); break;
    case LQ_PERIOD_YEAR: snprintf(buf, cap, "%04d", year); break;
    }
}

void lq_period_bounds(enum lq_period_kind kind, int year, int k, char from[11], char to[11])
{
    unsigned months = 12 / (unsigned)kind;
    unsigned first = (unsigned)(k - 1) * months + 1, next = first + months;
    lt_date_format(lt_date_from_civil(year, first, 1), from);
    lt_date_format(next > 12 ? lt_date_from_civil(year + 1, 1, 1) : lt_date_from_civil(year, next, 1),
                   to);
}

static const struct {
    const char *name;
    enum lq_period_kind kind;
} kinds[] = {
    { "month", LQ_PERIOD_MONTH }, { "quarter", LQ_PERIOD_QUARTER },
    { "half", LQ_PERIOD_HALF },   { "year", LQ_PERIOD_YEAR },
};

int lq_period_kind_parse(const char *s, enum lq_period_kind *kind)
{
    for (size_t i = 0; s && i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(s, kinds[i].name)) {
            *kind = kinds[i].kind;
            return LT_OK;
        }
    return LT_ERR_INVALID;
}

const char *lq_period_kind_name(enum lq_period_kind kind)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].kind == kind)
            return kinds[i].name;
    return "?";
}

int lq_period_half_parse(const char *s, int *year, int *half)
{
    if (!s || strlen(s) != 6 || s[4] != 'H' || (s[5] != '1' && s[5] != '2'))
        return LT_ERR_INVALID;
    int y = 0;
    for (int i = 0; i < 4; i++) {
        if (s[i] < '0' || s[i] > '9')
            return LT_ERR_INVALID;
        y = y * 10 + (s[i] - '0');
    }
    if (y < 2000 || y > 2100)
        return LT_ERR_INVALID;
    *year = y;
    *half = s[5] - '0';
    return LT_OK;
}

void lq_forecast_fit(const double *y, size_t n, double *slope, double *intercept)
{
    assert(n >= 1);
    double mx = (double)(n - 1) / 2.0, my = 0.0;
    for (size_t i = 0; i < n; i++)
        my += y[i];
    my /= (double)n;
    double sxy = 0.0, sxx = 0.0;
    for (size_t i = 0; i < n; i++) {
        double dx = (double)i - mx;
        sxy += dx * (y[i] - my);
        sxx += dx * dx;
    }
    *slope = sxx > 0.0 ? sxy / sxx : 0.0;
    *intercept = my - *slope * mx;
}

void lq_forecast_linear(const double *y, size_t n, size_t horizon, double *out)
{
    double slope, intercept;
    lq_forecast_fit(y, n, &slope, &intercept);
    for (size_t h = 0; h < horizon; h++) {
        double v = intercept + slope * (double)(n + h);
        out[h] = v > 0.0 ? v : 0.0;
    }
}

void lq_forecast_moving_average(const double *y, size_t n, size_t horizon, double *out)
{
    assert(n >= 1);
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += y[i];
    for (size_t h = 0; h < horizon; h++)
        out[h] = sum / (double)n;
}
