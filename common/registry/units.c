/* units.c — loading and querying administrative units with validity periods
 * (see units.h).
 *
 * Loading is three passes: read every entry; group the periods of each code
 * (sorted, never overlapping); then check every reference — a parent must be
 * in force for the child's whole period, a successor must be in force on the
 * day after the unit ended. Those two rules are what make every lookup total:
 * a resolved unit's parent always exists, and a successor chain always moves
 * strictly forward in time, so it ends. */
#include <assert.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "registry/regload.h"
#include "registry/units.h"

struct code_entry {
    const char *code;
    struct lt_unit **vers; /* sorted by valid_from */
    size_t n;
    UT_hash_handle hh;
};

struct lt_units {
    struct lt_unit *units; /* file order */
    size_t *json_index;    /* position of units[i] in $.units */
    size_t n;
    struct code_entry *entries;
    size_t n_entries;
    struct code_entry *by_code;
};

const char *lt_units_level_name(enum lt_unit_level level)
{
    switch (level) {
    case LT_UNIT_PROVINCE: return "province";
    case LT_UNIT_DISTRICT: return "district";
    case LT_UNIT_COMMUNE: return "commune";
    }
    return "unknown";
}

const char *lt_units_verdict_name(enum lt_units_verdict v)
{
    switch (v) {
    case LT_UNITS_OK: return "ok";
    case LT_UNITS_BAD_DATE: return "unit_bad_date";
    case LT_UNITS_UNKNOWN: return "unit_unknown";
    case LT_UNITS_NOT_IN_FORCE: return "unit_not_in_force";
    case LT_UNITS_NO_SUCCESSOR: return "unit_no_successor";
    case LT_UNITS_WRONG_LEVEL: return "unit_wrong_level";
    case LT_UNITS_NOT_WITHIN: return "unit_not_within";
    }
    return "unknown";
}

static size_t code_len(enum lt_unit_level level)
{
    return level == LT_UNIT_PROVINCE ? 2 : level == LT_UNIT_DISTRICT ? 3 : 5;
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static const struct code_entry *find_entry(const struct lt_units *u, const char *code)
{
    struct code_entry *ce = NULL;
    if (code)
        HASH_FIND_STR(u->by_code, code, ce);
    return ce;
}

/* The period of code in force on day, or NULL. */
static const struct lt_unit *find_on(const struct lt_units *u, const char *code, int32_t day)
{
    const struct code_entry *ce = find_entry(u, code);
    for (size_t i = 0; ce && i < ce->n; i++)
        if (ce->vers[i]->valid_from <= day && day <= ce->vers[i]->valid_until)
            return ce->vers[i];
    return NULL;
}

/* "from 1997-01-01 until 2025-06-30", "until 2025-06-30", "from 2025-07-01"
 * or "always", for messages. */
static void period_str(const struct lt_unit *x, char *buf, size_t len)
{
    if (!x->valid_from_date[0] && !x->valid_until_date[0])
        snprintf(buf, len, "always");
    else if (!x->valid_from_date[0])
        snprintf(buf, len, "until %s", x->valid_until_date);
    else if (!x->valid_until_date[0])
        snprintf(buf, len, "from %s", x->valid_from_date);
    else
        snprintf(buf, len, "from %s until %s", x->valid_from_date, x->valid_until_date);
}

static int cmp_from(const void *a, const void *b)
{
    const struct lt_unit *x = *(const struct lt_unit *const *)a;
    const struct lt_unit *y = *(const struct lt_unit *const *)b;
    return (x->valid_from > y->valid_from) - (x->valid_from < y->valid_from);
}

/* ---- loading -------------------------------------------------------------- */

/* A member that is there and not null. */
static bool present(const json_t *obj, const char *name)
{
    json_t *v = json_object_get(obj, name);
    return v && !json_is_null(v);
}

/* Pass 1: one entry into u->units[u->n] when its code, level and period are
 * usable; every problem is recorded either way. */
static void parse_unit(struct lt_units *u, struct lt_regload_errs *e, json_t *jv, size_t i)
{
    static const char *const members[] = {
        "code", "level", "name", "parent", "valid_from", "valid_until", "successor", "note", NULL,
    };
    char path[96];
    snprintf(path, sizeof path, "$.units[%zu]", i);
    if (!json_is_object(jv)) {
        lt_regload_errf(e, "%s: must be an object", path);
        return;
    }
    bool ok = true;

    const char *level_s = lt_regload_str(e, jv, path, "level", true);
    enum lt_unit_level level = LT_UNIT_COMMUNE;
    if (!level_s)
        ok = false;
    else if (!strcmp(level_s, "province"))
        level = LT_UNIT_PROVINCE;
    else if (!strcmp(level_s, "district"))
        level = LT_UNIT_DISTRICT;
    else if (!strcmp(level_s, "commune"))
        level = LT_UNIT_COMMUNE;
    else {
        lt_regload_errf(e, "%s.level: \"%s\" is not province, district or commune", path,
                        level_s);
        ok = false;
    }

    const char *code = lt_regload_str(e, jv, path, "code", true);
    if (code && ok && (!all_digits(code) || strlen(code) != code_len(level))) {
        lt_regload_errf(e, "%s.code: \"%s\" is not a %s code (%zu digits)", path, code, level_s,
                        code_len(level));
        code = NULL;
    }
    if (!code)
        ok = false;
    else
        snprintf(path, sizeof path, "$.units[%zu] (\"%s\")", i, code);
    lt_regload_only(e, jv, path, members);

    const char *name = lt_regload_str(e, jv, path, "name", true);
    if (name && !lt_regload_is_clean_text(name))
        lt_regload_errf(e, "%s.name: must be Unicode NFC without leading or trailing spaces",
                        path);

    const char *parent = lt_regload_str(e, jv, path, "parent", false);
    if (ok && level == LT_UNIT_PROVINCE && parent)
        lt_regload_errf(e, "%s.parent: a province has no parent", path);
    if (ok && level != LT_UNIT_PROVINCE && !parent)
        lt_regload_errf(e, "%s: missing required member \"parent\" (the enclosing unit)", path);

    int32_t from = LT_REGLOAD_DAY_MIN, until = LT_REGLOAD_DAY_MAX;
    bool has_from = lt_regload_date(e, jv, path, "valid_from", &from);
    bool has_until = lt_regload_date(e, jv, path, "valid_until", &until);
    if ((present(jv, "valid_from") && !has_from) || (present(jv, "valid_until") && !has_until))
        ok = false;
    if (has_from && has_until && until < from) {
        lt_regload_errf(e, "%s.valid_until: %s is before valid_from", path,
                        json_string_value(json_object_get(jv, "valid_until")));
        ok = false;
    }
    const char *successor = lt_regload_str(e, jv, path, "successor", false);
    if (successor && !has_until)
        lt_regload_errf(e, "%s.successor: only a unit with a valid_until has a successor", path);
    lt_regload_str(e, jv, path, "note", false);

    if (!ok)
        return;
    struct lt_unit *x = &u->units[u->n];
    u->json_index[u->n] = i;
    x->code = lt_strdup(code);
    x->level = level;
    x->name = lt_strdup(name ? name : "");
    x->parent = lt_strdup(parent ? parent : "");
    x->successor = lt_strdup(successor ? successor : "");
    const char *note = json_string_value(json_object_get(jv, "note"));
    x->note = lt_strdup(note ? note : "");
    x->valid_from = from;
    x->valid_until = until;
    lt_regload_format_date(from, x->valid_from_date);
    lt_regload_format_date(until, x->valid_until_date);
    u->n++;
}

/* Pass 2: group periods by code; periods of one code must not overlap. */
static void group(struct lt_units *u, struct lt_regload_errs *e)
{
    u->entries = lt_calloc(u->n + 1, sizeof *u->entries);
    for (size_t i = 0; i < u->n; i++) {
        struct lt_unit *x = &u->units[i];
        struct code_entry *ce = NULL;
        HASH_FIND_STR(u->by_code, x->code, ce);
        if (!ce) {
            ce = &u->entries[u->n_entries++];
            ce->code = x->code;
            ce->vers = lt_calloc(1, sizeof *ce->vers);
            HASH_ADD_KEYPTR(hh, u->by_code, ce->code, strlen(ce->code), ce);
        } else {
            ce->vers = lt_realloc(ce->vers, (ce->n + 1) * sizeof *ce->vers);
        }
        ce->vers[ce->n++] = x;
    }
    for (size_t k = 0; k < u->n_entries; k++) {
        struct code_entry *ce = &u->entries[k];
        qsort(ce->vers, ce->n, sizeof *ce->vers, cmp_from);
        for (size_t j = 1; j < ce->n; j++) {
            const struct lt_unit *a = ce->vers[j - 1], *b = ce->vers[j];
            if (b->valid_from <= a->valid_until) {
                char pa[48], pb[48];
                period_str(a, pa, sizeof pa);
                period_str(b, pb, sizeof pb);
                lt_regload_errf(e, "$.units[%zu] (\"%s\"): its period (%s) overlaps the period "
                                "(%s) of $.units[%zu]; one code names one unit on any day",
                                u->json_index[b - u->units], b->code, pb, pa,
                                u->json_index[a - u->units]);
            }
        }
    }
}

/* Pass 3: parents and successors exist where and when they must. */
static void check_refs(struct lt_units *u, struct lt_regload_errs *e)
{
    for (size_t i = 0; i < u->n; i++) {
        const struct lt_unit *x = &u->units[i];
        char path[96], px[48];
        snprintf(path, sizeof path, "$.units[%zu] (\"%s\")", u->json_index[i], x->code);
        period_str(x, px, sizeof px);
        if (x->parent[0]) {
            const struct code_entry *pe = find_entry(u, x->parent);
            const struct lt_unit *p = NULL;
            for (size_t j = 0; pe && j < pe->n; j++)
                if (pe->vers[j]->valid_from <= x->valid_from &&
                    x->valid_until <= pe->vers[j]->valid_until)
                    p = pe->vers[j];
            if (!pe)
                lt_regload_errf(e, "%s.parent: no unit \"%s\" in this file", path, x->parent);
            else if (!p)
                lt_regload_errf(e, "%s.parent: \"%s\" is not in force for this unit's whole "
                                "period (%s)", path, x->parent, px);
            else if (p->level >= x->level)
                lt_regload_errf(e, "%s.parent: \"%s\" is a %s, not above a %s", path, x->parent,
                                lt_units_level_name(p->level), lt_units_level_name(x->level));
        }
        if (x->successor[0] && x->valid_until != LT_REGLOAD_DAY_MAX) {
            char next[11];
            lt_regload_format_date(x->valid_until + 1, next);
            const struct lt_unit *s = find_on(u, x->successor, x->valid_until + 1);
            if (!find_entry(u, x->successor))
                lt_regload_errf(e, "%s.successor: no unit \"%s\" in this file", path,
                                x->successor);
            else if (!s)
                lt_regload_errf(e, "%s.successor: \"%s\" is not in force on %s, the day after "
                                "this unit ends", path, x->successor, next);
            else if (s->level > x->level)
                lt_regload_errf(e, "%s.successor: \"%s\" is a %s, below a %s", path,
                                x->successor, lt_units_level_name(s->level),
                                lt_units_level_name(x->level));
        }
    }
}

static int load_root(json_t *root, const char *origin, struct lt_units **out, char *err,
                     size_t errlen)
{
    static const char *const members[] = { "format", "description", "note", "units", NULL };
    struct lt_regload_errs e = { .origin = origin };
    struct lt_units *u = lt_calloc(1, sizeof *u);
    int rc;

    if (!json_is_object(root)) {
        lt_regload_errf(&e, "$: the units file must be a JSON object");
        goto out;
    }
    lt_regload_only(&e, root, "$", members);
    const char *format = lt_regload_str(&e, root, "$", "format", true);
    if (format && strcmp(format, LT_UNITS_FORMAT) != 0)
        lt_regload_errf(&e, "$.format: \"%s\" is not \"" LT_UNITS_FORMAT "\"", format);
    lt_regload_str(&e, root, "$", "description", false);
    lt_regload_str(&e, root, "$", "note", false);
    json_t *units = json_object_get(root, "units");
    if (!json_is_array(units)) {
        lt_regload_errf(&e, "$.units: required, an array of units");
        goto out;
    }
    u->units = lt_calloc(json_array_size(units) + 1, sizeof *u->units);
    u->json_index = lt_calloc(json_array_size(units) + 1, sizeof *u->json_index);
    size_t i;
    json_t *v;
    json_array_foreach(units, i, v)
        parse_unit(u, &e, v, i);
    group(u, &e);
    check_refs(u, &e);

out:
    rc = lt_regload_errs_finish(&e, err, errlen);
    if (rc != LT_OK) {
        lt_units_free(u);
        u = NULL;
    }
    *out = u;
    return rc;
}

/* Both constructors: read the document, then load it. */
static int load_from(const char *path, const char *text, const char *origin, struct lt_units **out,
                     char *err, size_t errlen)
{
    *out = NULL;
    int rc;
    json_t *root = lt_regload_read(path, text, origin, &rc, err, errlen);
    if (!root)
        return rc;
    rc = load_root(root, text ? origin : path, out, err, errlen);
    json_decref(root);
    return rc;
}

int lt_units_new(const char *path, struct lt_units **out, char *err, size_t errlen)
{
    return load_from(path, NULL, NULL, out, err, errlen);
}

int lt_units_new_from_string(const char *json, const char *origin, struct lt_units **out,
                             char *err, size_t errlen)
{
    return load_from(NULL, json, origin ? origin : "(units)", out, err, errlen);
}

void lt_units_free(struct lt_units *u)
{
    if (!u)
        return;
    HASH_CLEAR(hh, u->by_code);
    for (size_t i = 0; i < u->n_entries; i++)
        free(u->entries[i].vers);
    for (size_t i = 0; i < u->n; i++) {
        struct lt_unit *x = &u->units[i];
        free((char *)x->code);
        free((char *)x->name);
        free((char *)x->parent);
        free((char *)x->successor);
        free((char *)x->note);
    }
    free(u->entries);
    free(u->units);
    free(u->json_index);
    free(u);
}

/* ---- lookups -------------------------------------------------------------- */

size_t lt_units_count(const struct lt_units *u)
{
    return u->n;
}

const struct lt_unit *lt_units_at(const struct lt_units *u, size_t i)
{
    return i < u->n ? &u->units[i] : NULL;
}

static enum lt_units_verdict say(enum lt_units_verdict v, char *err, size_t errlen,
                                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum lt_units_verdict say(enum lt_units_verdict v, char *err, size_t errlen,
                                 const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return v;
}

static enum lt_units_verdict parse_day(const char *date, int32_t *day, char *err, size_t errlen)
{
    if (!date || lt_regload_parse_date(date, day) != 0)
        return say(LT_UNITS_BAD_DATE, err, errlen, "\"%s\" is not a calendar date YYYY-MM-DD",
                   date ? date : "(null)");
    return LT_UNITS_OK;
}

static enum lt_units_verdict resolve_day(const struct lt_units *u, const char *code, int32_t day,
                                         const char *date, const struct lt_unit **out, char *err,
                                         size_t errlen)
{
    *out = NULL;
    const struct code_entry *ce = find_entry(u, code);
    if (!ce)
        return say(LT_UNITS_UNKNOWN, err, errlen, "no administrative unit has code \"%s\"",
                   code ? code : "(null)");
    const struct lt_unit *x = find_on(u, code, day);
    if (x) {
        if (err && errlen)
            err[0] = '\0';
        *out = x;
        return LT_UNITS_OK;
    }
    /* Explain with the period that ended most recently before the date, or
     * else the first one after it. */
    const struct lt_unit *before = NULL, *after = NULL;
    for (size_t i = 0; i < ce->n; i++) {
        if (ce->vers[i]->valid_until < day)
            before = ce->vers[i];
        else if (!after && ce->vers[i]->valid_from > day)
            after = ce->vers[i];
    }
    char p[48];
    if (before) {
        period_str(before, p, sizeof p);
        const struct lt_unit *s =
            before->successor[0] ? find_on(u, before->successor, before->valid_until + 1) : NULL;
        if (s) {
            char next[11];
            lt_regload_format_date(before->valid_until + 1, next);
            return say(LT_UNITS_NOT_IN_FORCE, err, errlen,
                       "unit %s (%s) is not in force on %s: it was in force %s; from %s its "
                       "successor is %s (%s)", code, before->name, date, p, next, s->code,
                       s->name);
        }
        return say(LT_UNITS_NOT_IN_FORCE, err, errlen,
                   "unit %s (%s) is not in force on %s: it was in force %s and has no successor",
                   code, before->name, date, p);
    }
    period_str(after, p, sizeof p);
    return say(LT_UNITS_NOT_IN_FORCE, err, errlen,
               "unit %s (%s) is not in force on %s: it is in force %s", code, after->name, date,
               p);
}

enum lt_units_verdict lt_units_resolve(const struct lt_units *u, const char *code,
                                       const char *date, const struct lt_unit **out, char *err,
                                       size_t errlen)
{
    int32_t day;
    *out = NULL;
    enum lt_units_verdict v = parse_day(date, &day, err, errlen);
    if (v != LT_UNITS_OK)
        return v;
    return resolve_day(u, code, day, date, out, err, errlen);
}

enum lt_units_verdict lt_units_successor(const struct lt_units *u, const struct lt_unit *unit,
                                         const char *date, const struct lt_unit **out, char *err,
                                         size_t errlen)
{
    int32_t day;
    *out = NULL;
    enum lt_units_verdict v = parse_day(date, &day, err, errlen);
    if (v != LT_UNITS_OK)
        return v;
    if (day < unit->valid_from)
        return say(LT_UNITS_NOT_IN_FORCE, err, errlen,
                   "unit %s (%s) begins on %s, after %s: successors only map forward in time",
                   unit->code, unit->name, unit->valid_from_date, date);
    const struct lt_unit *cur = unit;
    while (day > cur->valid_until) {
        if (!cur->successor[0])
            return say(LT_UNITS_NO_SUCCESSOR, err, errlen,
                       "unit %s (%s) ended on %s and no unit succeeded it, so nothing stands for "
                       "it on %s", cur->code, cur->name, cur->valid_until_date, date);
        const struct lt_unit *next = find_on(u, cur->successor, cur->valid_until + 1);
        assert(next && next->valid_until > cur->valid_until); /* checked at load */
        cur = next;
    }
    if (err && errlen)
        err[0] = '\0';
    *out = cur;
    return LT_UNITS_OK;
}

enum lt_units_verdict lt_units_map(const struct lt_units *u, const char *code, const char *as_of,
                                   const char *report_date, const struct lt_unit **out, char *err,
                                   size_t errlen)
{
    const struct lt_unit *x;
    *out = NULL;
    enum lt_units_verdict v = lt_units_resolve(u, code, as_of, &x, err, errlen);
    if (v != LT_UNITS_OK)
        return v;
    return lt_units_successor(u, x, report_date, out, err, errlen);
}

const struct lt_unit *lt_units_parent(const struct lt_units *u, const struct lt_unit *unit)
{
    if (!unit->parent[0])
        return NULL;
    /* At load the parent was checked to cover the unit's whole period, so its
     * first day finds it (an open start is INT32_MIN, covered only by an open
     * start too). */
    const struct lt_unit *p = find_on(u, unit->parent, unit->valid_from);
    assert(p);
    return p;
}

enum lt_units_verdict lt_units_check_area(const struct lt_units *u, const char *province_code,
                                          const char *district_code, const char *commune_code,
                                          const char *date, char *err, size_t errlen)
{
    int32_t day;
    enum lt_units_verdict v = parse_day(date, &day, err, errlen);
    if (v != LT_UNITS_OK)
        return v;
    if (!province_code || !*province_code)
        return say(LT_UNITS_UNKNOWN, err, errlen, "the province code is required");
    const struct lt_unit *prov, *dist = NULL, *comm = NULL;
    if ((v = resolve_day(u, province_code, day, date, &prov, err, errlen)) != LT_UNITS_OK)
        return v;
    if (prov->level != LT_UNIT_PROVINCE)
        return say(LT_UNITS_WRONG_LEVEL, err, errlen, "%s (%s) is a %s, not a province",
                    prov->code, prov->name, lt_units_level_name(prov->level));
    if (district_code && *district_code) {
        if ((v = resolve_day(u, district_code, day, date, &dist, err, errlen)) != LT_UNITS_OK)
            return v;
        if (dist->level != LT_UNIT_DISTRICT)
            return say(LT_UNITS_WRONG_LEVEL, err, errlen, "%s (%s) is a %s, not a district",
                       dist->code, dist->name, lt_units_level_name(dist->level));
        if (strcmp(dist->parent, prov->code) != 0)
            return say(LT_UNITS_NOT_WITHIN, err, errlen, "district %s (%s) is not in province "
                       "%s (%s) on %s", dist->code, dist->name, prov->code, prov->name, date);
    }
    if (commune_code && *commune_code) {
        if ((v = resolve_day(u, commune_code, day, date, &comm, err, errlen)) != LT_UNITS_OK)
            return v;
        if (comm->level != LT_UNIT_COMMUNE)
            return say(LT_UNITS_WRONG_LEVEL, err, errlen, "%s (%s) is a %s, not a commune",
                       comm->code, comm->name, lt_units_level_name(comm->level));
        const struct lt_unit *p = lt_units_parent(u, comm);
        bool within;
        if (dist)
            within = p == dist;
        else
            within = p == prov ||
                     (p && p->level == LT_UNIT_DISTRICT && lt_units_parent(u, p) == prov);
        if (!within)
            return say(LT_UNITS_NOT_WITHIN, err, errlen, "commune %s (%s) is not in %s %s (%s) "
                       "on %s", comm->code, comm->name, dist ? "district" : "province",
                       dist ? dist->code : prov->code, dist ? dist->name : prov->name, date);
    }
    if (err && errlen)
        err[0] = '\0';
    return LT_UNITS_OK;
}

void lt_units_date_of_ms(int64_t unix_ms, char out[11])
{
    lt_date_format(lt_date_vn_from_unix_ms(unix_ms), out);
}
