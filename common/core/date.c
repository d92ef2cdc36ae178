/* date.c — day numbers from civil dates and back, strict date parsing, and the
 * Vietnam-time date of an instant.
 *
 * days_from_civil and civil_from_days follow Howard Hinnant's public-domain
 * algorithms ("chrono-Compatible Low-Level Date Algorithms"): the year is
 * shifted to start on 1 March so the leap day is the last day of a
 * "computational year", and 400-year eras make everything exact integer
 * arithmetic, valid for every year we can meet. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/date.h"
#include "core/err.h"

#define MS_PER_DAY INT64_C(86400000)

int32_t lt_date_from_civil(int year, unsigned month, unsigned day)
{
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);                            /* [0, 399] */
    unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                /* [0, 146096] */
    return (int32_t)(era * 146097 + (int64_t)doe - 719468);
}

void lt_date_to_civil(int32_t days, int *year, unsigned *month, unsigned *day)
{
    /* 64-bit so every int32 day number is in range (found by fuzz_event). */
    int64_t z = (int64_t)days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    *year = (int)(y + (m <= 2)); /* |y| < 6 million: fits an int */
    *month = m;
    *day = d;
}

int lt_date_is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static unsigned days_in_month(int year, unsigned month)
{
    static const unsigned char dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (month == 2 && lt_date_is_leap(year))
        return 29;
    return dim[month - 1];
}

int lt_date_is_valid(int year, unsigned month, unsigned day)
{
    return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
           day <= days_in_month(year, month);
}

/* Reads exactly n ASCII digits at s; -1 if any is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int lt_date_parse_partial(const char *s, int *year, unsigned *month, unsigned *day,
                          char *err, size_t errlen)
{
    if (!s)
        return lt_err_set(err, errlen, LT_ERR_INVALID, "date is missing");
    size_t n = 0;
    while (n <= LT_DATE_STRLEN && s[n])
        n++;
    if (n != 4 && n != 7 && n != 10)
        return lt_err_set(err, errlen, LT_ERR_INVALID,
                          "\"%.16s\" is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD", s);
    int y = digits(s, 4), m = 0, d = 0;
    if (n >= 7 && (s[4] != '-' || (m = digits(s + 5, 2)) < 0))
        y = -1;
    if (n == 10 && (s[7] != '-' || (d = digits(s + 8, 2)) < 0))
        y = -1;
    if (y < 0)
        return lt_err_set(err, errlen, LT_ERR_INVALID,
                          "\"%s\" is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD", s);
    int ok = y >= 1;
    if (ok && n >= 7)
        ok = m >= 1 && m <= 12;
    if (ok && n == 10)
        ok = lt_date_is_valid(y, (unsigned)m, (unsigned)d);
    if (!ok)
        return lt_err_set(err, errlen, LT_ERR_INVALID, "\"%s\" is not a real calendar date", s);
    *year = y;
    *month = (unsigned)m;
    *day = (unsigned)d;
    return LT_OK;
}

int lt_date_parse(const char *s, int32_t *days, char *err, size_t errlen)
{
    int y;
    unsigned m, d;
    int rc = lt_date_parse_partial(s, &y, &m, &d, err, errlen);
    if (rc != LT_OK)
        return rc;
    if (m == 0 || d == 0)
        return lt_err_set(err, errlen, LT_ERR_INVALID,
                          "\"%s\" is not a full date of the form YYYY-MM-DD", s);
    *days = lt_date_from_civil(y, m, d);
    return LT_OK;
}

void lt_date_format(int32_t days, char out[LT_DATE_STRLEN + 1])
{
    int y;
    unsigned m, d;
    lt_date_to_civil(days, &y, &m, &d);
    if (y < 0 || y > 9999) /* no event carries such a date; keep the width */
        y = y < 0 ? 0 : 9999;
    snprintf(out, LT_DATE_STRLEN + 1, "%04d-%02u-%02u", y, m % 100, d % 100);
}

int32_t lt_date_from_unix_ms(int64_t unix_ms, int offset_minutes)
{
    int64_t local;
    if (__builtin_add_overflow(unix_ms, (int64_t)offset_minutes * 60000, &local))
        return unix_ms > 0 ? INT32_MAX : INT32_MIN + 1; /* far beyond any real date */
    int64_t q = local / MS_PER_DAY;
    if (local % MS_PER_DAY < 0)
        q--; /* floor, not truncation, before 1970 */
    if (q < INT32_MIN + 1)
        return INT32_MIN + 1;
    if (q > INT32_MAX)
        return INT32_MAX;
    return (int32_t)q;
}

int32_t lt_date_vn_from_unix_ms(int64_t unix_ms)
{
    return lt_date_from_unix_ms(unix_ms, LT_DATE_VN_OFFSET_MINUTES);
}

int64_t lt_date_vn_midnight_ms(int32_t days)
{
    return (int64_t)days * MS_PER_DAY - (int64_t)LT_DATE_VN_OFFSET_MINUTES * 60000;
}

int32_t lt_date_period_end(int32_t first_day, int years)
{
    int y;
    unsigned m, d;
    lt_date_to_civil(first_day, &y, &m, &d);
    /* 29 February of a common year counts on to 1 March (see date.h). */
    return lt_date_from_civil(y + years, m, d) - 1;
}
