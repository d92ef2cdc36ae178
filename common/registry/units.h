/* units.h — Vietnamese administrative units (province, district, commune) as
 * codes with validity periods.
 *
 * Units change: on 2025-07-01 provinces were merged (Bình Định into Gia Lai,
 * Quảng Nam into Đà Nẵng), the district level was abolished and communes were
 * merged. Codes are even reused: "52" is Bình Định until 2025-06-30 and the
 * new Gia Lai from 2025-07-01. So a code means nothing without a date, and
 * every lookup here takes one. An event keeps the code valid on its date;
 * lt_units_successor / lt_units_map carry an old unit forward through its
 * merges so reports can be drawn for old or new units.
 *
 * The data is one JSON file (format in deploy/registry/README.md), loaded
 * into an immutable structure: any number of threads may query it at once.
 * A file with any error does not load; the message names every bad entry by
 * its JSON path.
 *
 * Dates are calendar dates "YYYY-MM-DD" (Vietnamese legal dates, UTC+07:00);
 * validity periods include both their first and last day. Lookups answer
 * with a stable verdict (enum lt_units_verdict) and a sentence in err. */
#ifndef LT_REGISTRY_UNITS_H
#define LT_REGISTRY_UNITS_H

#include <stddef.h>
#include <stdint.h>

#define LT_UNITS_FORMAT "lienthong.units/1"

enum lt_unit_level {
    LT_UNIT_PROVINCE = 1, /* tỉnh / thành phố trực thuộc trung ương: 2 digits */
    LT_UNIT_DISTRICT = 2, /* huyện / quận / thị xã / thành phố thuộc tỉnh: 3 digits; until 2025-06-30 */
    LT_UNIT_COMMUNE = 3,  /* xã / phường / thị trấn / đặc khu: 5 digits */
};

/* "province", "district", "commune"; "unknown" for other values. */
const char *lt_units_level_name(enum lt_unit_level level);

/* Outcomes of a lookup. Values and names are stable: only append. */
enum lt_units_verdict {
    LT_UNITS_OK = 0,
    LT_UNITS_BAD_DATE = 1,      /* "unit_bad_date": the date is not YYYY-MM-DD */
    LT_UNITS_UNKNOWN = 2,       /* "unit_unknown": no unit ever had this code */
    LT_UNITS_NOT_IN_FORCE = 3,  /* "unit_not_in_force": the code exists, not on that date */
    LT_UNITS_NO_SUCCESSOR = 4,  /* "unit_no_successor": ended before the date, nothing took over */
    LT_UNITS_WRONG_LEVEL = 5,   /* "unit_wrong_level": e.g. a district code given as a province */
    LT_UNITS_NOT_WITHIN = 6,    /* "unit_not_within": a commune/district not in the given parent */
};

/* Stable snake_case name of a verdict ("unit_not_in_force", …). */
const char *lt_units_verdict_name(enum lt_units_verdict v);

/* One unit during one validity period. A code that was reused (or whose
 * unit was re-formed) has one struct per period; the periods of one code
 * never overlap. Strings are owned by the lt_units and live as long as it. */
struct lt_unit {
    const char *code;
    enum lt_unit_level level;
    const char *name;        /* official Vietnamese name with its type, NFC ("Tỉnh Gia Lai") */
    const char *parent;      /* code of the enclosing unit, in force for this whole
                                period; "" for a province */
    const char *successor;   /* code of the unit that took over, in force on the day
                                after valid_until; "" when none */
    const char *note;        /* source / uncertainty; "" when none */
    int32_t valid_from;      /* day number (core/date.h); INT32_MIN when open */
    int32_t valid_until;     /* last valid day, inclusive; INT32_MAX when open */
    char valid_from_date[11];  /* "YYYY-MM-DD", "" when open */
    char valid_until_date[11]; /* "YYYY-MM-DD", "" when open */
};

struct lt_units;

/* Loads the units file at path. On LT_OK *out is a new set the caller owns
 * (release with lt_units_free). Otherwise *out is NULL and the result is
 * LT_ERR_IO (unreadable file) or LT_ERR_INVALID (not JSON, or any content
 * error: err lists every error found, one per line, each with the file name
 * and JSON path). */
int lt_units_new(const char *path, struct lt_units **out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* As lt_units_new, from JSON text in memory; `origin` names the text in
 * error messages (may be NULL). */
int lt_units_new_from_string(const char *json, const char *origin, struct lt_units **out,
                             char *err, size_t errlen) __attribute__((warn_unused_result));

/* Releases the set and every struct and string it handed out. NULL is a
 * no-op. */
void lt_units_free(struct lt_units *units);

/* Units in file order (every period of every code). */
size_t lt_units_count(const struct lt_units *units);
const struct lt_unit *lt_units_at(const struct lt_units *units, size_t i);

/* The unit with this code in force on date ("YYYY-MM-DD"). On LT_UNITS_OK
 * *out is the unit; otherwise *out is NULL and err says why: for
 * LT_UNITS_NOT_IN_FORCE, when the code was in force and what succeeded it
 * ("unit 49 (Tỉnh Quảng Nam) is not in force on 2025-08-01: it was in force
 * until 2025-06-30; from 2025-07-01 its successor is 48 (Thành phố Đà Nẵng)"). */
enum lt_units_verdict lt_units_resolve(const struct lt_units *units, const char *code,
                                       const char *date, const struct lt_unit **out, char *err,
                                       size_t errlen) __attribute__((warn_unused_result));

/* The unit that stands for `unit` on a later (or the same) date: unit itself
 * while it is in force, else its successor on the day after it ended, and so
 * on along the merge chain until a unit in force on date. Answers
 * LT_UNITS_NO_SUCCESSOR when the chain ends before date, LT_UNITS_NOT_IN_FORCE
 * when date is before unit began (history is not mapped backwards: a new unit
 * may have come from several old ones), LT_UNITS_BAD_DATE for a bad date.
 * A district maps to the province that took over its territory. */
enum lt_units_verdict lt_units_successor(const struct lt_units *units, const struct lt_unit *unit,
                                         const char *date, const struct lt_unit **out, char *err,
                                         size_t errlen) __attribute__((warn_unused_result));

/* lt_units_resolve(code, as_of) then lt_units_successor(…, report_date): "the
 * unit an event tagged `code` on `as_of` belongs to in a report for
 * report_date". */
enum lt_units_verdict lt_units_map(const struct lt_units *units, const char *code,
                                   const char *as_of, const char *report_date,
                                   const struct lt_unit **out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* The enclosing unit of `unit` (in force for unit's whole period), or NULL
 * for a province. */
const struct lt_unit *lt_units_parent(const struct lt_units *units, const struct lt_unit *unit);

/* Checks an AdminArea (event.proto) on date: province_code must be a
 * province in force; district_code, if non-empty, a district in force within
 * it; commune_code, if non-empty, a commune in force within the district (or
 * within the province, directly or through a district, when no district is
 * given). Empty strings and NULL mean "not given"; the province is required
 * (LT_UNITS_UNKNOWN when missing). */
enum lt_units_verdict lt_units_check_area(const struct lt_units *units, const char *province_code,
                                          const char *district_code, const char *commune_code,
                                          const char *date, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Writes the Vietnamese legal date (UTC+07:00) of a Unix instant as
 * "YYYY-MM-DD" into out: the date to resolve an event's units on. */
void lt_units_date_of_ms(int64_t unix_ms, char out[11]);

#endif
