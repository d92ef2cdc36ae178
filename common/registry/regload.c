/* regload.c — error collection, typed members and time formats shared by the
 * registry and units loaders (see regload.h).
 *
 * Calendar arithmetic is core/date's day numbers (proleptic Gregorian, no
 * time zone, no libc state); this file only adds the RFC 3339 instant
 * format the registry uses for key and agency periods. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "registry/regload.h"

/* More than this and the file is not worth reading further error by error. */
#define MAX_ERRORS 200

void lt_regload_errf(struct lt_regload_errs *e, const char *fmt, ...)
{
    e->count++;
    if (e->count > MAX_ERRORS)
        return;
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *origin = e->origin ? e->origin : "(registry)";
    size_t need = strlen(origin) + strlen(msg) + 4;
    if (e->len + need + 1 > e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 1024;
        while (cap < e->len + need + 1)
            cap *= 2;
        e->buf = lt_realloc(e->buf, cap);
        e->cap = cap;
    }
    int n = snprintf(e->buf + e->len, e->cap - e->len, "%s: %s\n", origin, msg);
    if (n > 0)
        e->len += (size_t)n;
}

int lt_regload_errs_finish(struct lt_regload_errs *e, char *err, size_t errlen)
{
    int rc = LT_OK;
    if (e->count) {
        if (e->len && e->buf[e->len - 1] == '\n')
            e->buf[--e->len] = '\0';
        if (e->count > MAX_ERRORS)
            rc = lt_err_set(err, errlen, LT_ERR_INVALID, "%u errors, the first %d:\n%s",
                            e->count, MAX_ERRORS, e->buf);
        else if (e->count > 1)
            rc = lt_err_set(err, errlen, LT_ERR_INVALID, "%u errors:\n%s", e->count, e->buf);
        else
            rc = lt_err_set(err, errlen, LT_ERR_INVALID, "%s", e->buf);
    }
    free(e->buf);
    e->buf = NULL;
    e->len = e->cap = 0;
    return rc;
}

void lt_regload_only(struct lt_regload_errs *e, const json_t *obj, const char *path,
                     const char *const *allowed)
{
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)obj, name, v) {
        (void)v;
        bool ok = false;
        for (size_t i = 0; allowed[i]; i++)
            if (!strcmp(allowed[i], name)) {
                ok = true;
                break;
            }
        if (!ok)
            lt_regload_errf(e, "%s: unknown member \"%s\"", path, name);
    }
}

const char *lt_regload_str(struct lt_regload_errs *e, const json_t *obj, const char *path,
                           const char *name, bool required)
{
    json_t *v = json_object_get(obj, name);
    if (!v || json_is_null(v)) {
        if (required)
            lt_regload_errf(e, "%s: missing required member \"%s\"", path, name);
        return NULL;
    }
    if (!json_is_string(v)) {
        lt_regload_errf(e, "%s.%s: must be a string", path, name);
        return NULL;
    }
    const char *s = json_string_value(v);
    if (!*s) {
        lt_regload_errf(e, "%s.%s: must not be empty", path, name);
        return NULL;
    }
    if (strlen(s) != json_string_length(v)) {
        lt_regload_errf(e, "%s.%s: contains a NUL character", path, name);
        return NULL;
    }
    return s;
}

/* Reads exactly n ASCII digits at s into *v. */
static bool digits(const char *s, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return true;
}

/* "YYYY-MM-DD" at s (not necessarily NUL-terminated after it). */
static bool parse_ymd(const char *s, int64_t *day)
{
    int y, m, d;
    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return false;
    if (!lt_date_is_valid(y, (unsigned)m, (unsigned)d))
        return false;
    *day = lt_date_from_civil(y, (unsigned)m, (unsigned)d);
    return true;
}

int lt_regload_parse_date(const char *s, int32_t *day)
{
    return s && lt_date_parse(s, day, NULL, 0) == LT_OK ? 0 : -1;
}

int lt_regload_parse_instant(const char *s, int64_t *ms)
{
    int64_t day;
    int hh, mi, ss, frac = 0;
    if (!s || strlen(s) < 20 || !parse_ymd(s, &day) || s[10] != 'T' || !digits(s + 11, 2, &hh) ||
        s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &ss))
        return -1;
    if (hh > 23 || mi > 59 || ss > 59)
        return -1;
    const char *p = s + 19;
    if (*p == '.') {
        int n = 0;
        p++;
        while (p[n] >= '0' && p[n] <= '9')
            n++;
        if (n < 1 || n > 3)
            return -1;
        int f;
        if (!digits(p, n, &f))
            return -1;
        for (int i = n; i < 3; i++)
            f *= 10;
        frac = f;
        p += n;
    }
    if (strcmp(p, "Z") != 0)
        return -1;
    *ms = ((day * 24 + hh) * 60 + mi) * 60000 + (int64_t)ss * 1000 + frac;
    return 0;
}

void lt_regload_format_instant(int64_t ms, char out[LT_REGLOAD_INSTANT_LEN])
{
    if (ms == LT_REGLOAD_MS_MIN || ms == LT_REGLOAD_MS_MAX) {
        snprintf(out, LT_REGLOAD_INSTANT_LEN, "(open)");
        return;
    }
    int32_t day = lt_date_from_unix_ms(ms, 0);
    int64_t rem = ms - (int64_t)day * 86400000;
    int y;
    unsigned m, d;
    lt_date_to_civil(day, &y, &m, &d);
    snprintf(out, LT_REGLOAD_INSTANT_LEN, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", y, m, d,
             (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60),
             (int)(rem % 1000));
}

void lt_regload_format_date(int32_t day, char out[LT_REGLOAD_DATE_LEN])
{
    if (day == LT_REGLOAD_DAY_MIN || day == LT_REGLOAD_DAY_MAX) {
        out[0] = '\0';
        return;
    }
    lt_date_format(day, out);
}

bool lt_regload_instant(struct lt_regload_errs *e, const json_t *obj, const char *path,
                        const char *name, int64_t *ms)
{
    const char *s = lt_regload_str(e, obj, path, name, false);
    if (!s)
        return false;
    if (lt_regload_parse_instant(s, ms) != 0) {
        lt_regload_errf(e, "%s.%s: \"%s\" is not an RFC 3339 UTC instant "
                        "(YYYY-MM-DDTHH:MM:SSZ, optional .mmm)", path, name, s);
        return false;
    }
    return true;
}

bool lt_regload_date(struct lt_regload_errs *e, const json_t *obj, const char *path,
                     const char *name, int32_t *day)
{
    const char *s = lt_regload_str(e, obj, path, name, false);
    if (!s)
        return false;
    if (lt_regload_parse_date(s, day) != 0) {
        lt_regload_errf(e, "%s.%s: \"%s\" is not a calendar date YYYY-MM-DD", path, name, s);
        return false;
    }
    return true;
}

bool lt_regload_is_clean_text(const char *s)
{
    size_t n = strlen(s);
    if (!n || s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t' ||
        s[0] == '\n' || s[n - 1] == '\n')
        return false;
    utf8proc_uint8_t *nfc = utf8proc_NFC((const utf8proc_uint8_t *)s);
    if (!nfc)
        return false;
    bool same = strcmp((const char *)nfc, s) == 0;
    free(nfc);
    return same;
}

json_t *lt_regload_read(const char *path, const char *text, const char *origin, int *rc,
                        char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = text ? json_loads(text, JSON_REJECT_DUPLICATES, &jerr)
                        : json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    *rc = LT_OK;
    if (root)
        return root;
    if (!text && json_error_code(&jerr) == json_error_cannot_open_file)
        *rc = lt_err_set(err, errlen, LT_ERR_IO, "%s", jerr.text);
    else
        *rc = lt_err_set(err, errlen, LT_ERR_INVALID, "%s:%d:%d: %s", text ? origin : path,
                         jerr.line, jerr.column, jerr.text);
    return NULL;
}
