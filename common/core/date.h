/* date.h — calendar dates as day numbers, independent of the process time zone.
 *
 * Events carry legal dates as "YYYY-MM-DD" strings (Vietnamese legal dates,
 * proleptic Gregorian) and instants as Unix milliseconds. Every comparison of
 * dates in Lienthong goes through this module: a date is an int32_t counting
 * days from 1970-01-01 (day 0), so "how many days between" is a subtraction
 * and nothing depends on TZ, timegm() or the C library's idea of a calendar.
 * The arithmetic is Howard Hinnant's days_from_civil / civil_from_days. */
#ifndef LT_CORE_DATE_H
#define LT_CORE_DATE_H

#include <stddef.h>
#include <stdint.h>

/* "No date": a value no real date takes (optional dates that are absent). */
#define LT_DATE_NONE INT32_MIN
/* Length of "YYYY-MM-DD" without the NUL. */
#define LT_DATE_STRLEN 10
/* Vietnam time is UTC+07:00 all year (no daylight saving). */
#define LT_DATE_VN_OFFSET_MINUTES (7 * 60)

/* The day number of a civil date as an integer constant expression, for
 * static tables (the same arithmetic as lt_date_from_civil; years >= 1 only). */
#define LT_DATE_Y_(y, m) ((y) - ((m) <= 2))
#define LT_DATE_YOE_(y, m) (LT_DATE_Y_(y, m) % 400)
#define LT_DATE_CONST(y, m, d)                                                           \
    ((int32_t)((LT_DATE_Y_(y, m) / 400) * 146097 + LT_DATE_YOE_(y, m) * 365 +            \
               LT_DATE_YOE_(y, m) / 4 - LT_DATE_YOE_(y, m) / 100 +                       \
               (153 * ((m) > 2 ? (m) - 3 : (m) + 9) + 2) / 5 + (d) - 1 - 719468))

/* Day number of a civil date. The date is not checked: an out-of-range day
 * simply counts on (2023-02-29 is the day after 2023-02-28), which
 * lt_date_period_end relies on. Use lt_date_is_valid to check first. */
int32_t lt_date_from_civil(int year, unsigned month, unsigned day);

/* The civil date of a day number. */
void lt_date_to_civil(int32_t days, int *year, unsigned *month, unsigned *day);

/* 1 if year is a Gregorian leap year, else 0. */
int lt_date_is_leap(int year);

/* 1 if year-month-day is a real calendar date with 1 <= year <= 9999, else 0. */
int lt_date_is_valid(int year, unsigned month, unsigned day);

/* Parses exactly "YYYY-MM-DD" (ASCII digits, dashes, nothing before or after)
 * naming a real calendar date into *days. Returns LT_OK, or LT_ERR_INVALID
 * with *days untouched and a sentence in err. */
int lt_date_parse(const char *s, int32_t *days, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Parses a possibly partial date "YYYY", "YYYY-MM" or "YYYY-MM-DD" (identity
 * documents that print only part of a birth date). *month and *day are 0 when
 * absent. Returns LT_OK or LT_ERR_INVALID (sentence in err). */
int lt_date_parse_partial(const char *s, int *year, unsigned *month, unsigned *day,
                          char *err, size_t errlen) __attribute__((warn_unused_result));

/* Writes "YYYY-MM-DD" and a NUL into out. */
void lt_date_format(int32_t days, char out[LT_DATE_STRLEN + 1]);

/* The calendar date of a Unix instant seen at UTC + offset_minutes (floor
 * division, so instants before 1970 work too). */
int32_t lt_date_from_unix_ms(int64_t unix_ms, int offset_minutes);

/* The Vietnamese legal date (UTC+07:00) of a Unix instant. */
int32_t lt_date_vn_from_unix_ms(int64_t unix_ms);

/* The instant 00:00 Vietnam time of a date, in Unix ms: what publishers put
 * in occurred_at_ms when only the date is known. */
int64_t lt_date_vn_midnight_ms(int32_t days);

/* The last day of a period of `years` whole years whose first day is
 * first_day, both days inclusive: the day before the same month and day
 * `years` later. When that anniversary would be 29 February of a common year,
 * the period ends on 28 February (the anniversary counts as 1 March), so a
 * period always holds 365 or 366 days per year. Examples:
 *   2024-03-01 + 2 years -> 2026-02-28;  2024-02-29 + 2 years -> 2026-02-28;
 *   2023-03-01 + 2 years -> 2025-02-28;  2025-01-01 + 1 year  -> 2025-12-31. */
int32_t lt_date_period_end(int32_t first_day, int years);

#endif
