/* regload.h — what the registry and units loaders share: collecting every
 * error of a JSON data file with its JSON path, reading typed members, and the
 * two time formats of those files (RFC 3339 UTC instants, calendar dates).
 *
 * A data file is either loaded completely or not at all: the loaders parse it
 * to the end, collect every error (up to a cap) through lt_regload_errf, and
 * refuse the file if any was found, so an operator fixes them all in one go. */
#ifndef LT_REGISTRY_REGLOAD_H
#define LT_REGISTRY_REGLOAD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Open ends of a validity period. */
#define LT_REGLOAD_MS_MIN INT64_MIN
#define LT_REGLOAD_MS_MAX INT64_MAX
#define LT_REGLOAD_DAY_MIN INT32_MIN
#define LT_REGLOAD_DAY_MAX INT32_MAX

/* Big enough for "YYYY-MM-DDTHH:MM:SS.mmmZ" and for "(open)". */
#define LT_REGLOAD_INSTANT_LEN 32
#define LT_REGLOAD_DATE_LEN 11

/* The errors found in one file. Zero-initialise, set origin (file name used
 * as the prefix of every message), then lt_regload_errs_finish. */
struct lt_regload_errs {
    const char *origin;
    char *buf; /* "origin: $.path: message\n" lines */
    size_t len, cap;
    unsigned count;
};

/* Records one error; the message should start with the JSON path. */
void lt_regload_errf(struct lt_regload_errs *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* LT_OK when no error was recorded; otherwise LT_ERR_INVALID with every
 * recorded message (one per line, as many as fit) in err. Frees the buffer
 * in both cases. */
/* Reads a JSON document from the file at path (text == NULL) or from text
 * (origin names it in messages). Returns the document (caller json_decref()s)
 * or NULL with *rc = LT_ERR_IO (cannot open) or LT_ERR_INVALID and err
 * saying where the syntax is wrong. Duplicate keys are refused. */
json_t *lt_regload_read(const char *path, const char *text, const char *origin, int *rc,
                        char *err, size_t errlen);

int lt_regload_errs_finish(struct lt_regload_errs *e, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Records an error for every member of obj whose name is not in the
 * NULL-terminated list `allowed`, so a misspelt optional field ("valid_untill")
 * is an error rather than silently ignored. */
void lt_regload_only(struct lt_regload_errs *e, const json_t *obj, const char *path,
                     const char *const *allowed);

/* The string member `name` of obj. Returns NULL when absent (an error if
 * `required`), or when it is not a non-empty string (always an error). An
 * explicit JSON null counts as absent. */
const char *lt_regload_str(struct lt_regload_errs *e, const json_t *obj, const char *path,
                           const char *name, bool required);

/* Parses an RFC 3339 instant in UTC, "YYYY-MM-DDTHH:MM:SS[.f{1,3}]Z", into
 * milliseconds since the Unix epoch. Returns 0 or -1 (not that format, or not
 * a real calendar time). */
int lt_regload_parse_instant(const char *s, int64_t *ms) __attribute__((warn_unused_result));

/* Parses a calendar date "YYYY-MM-DD" into days since 1970-01-01. Returns 0
 * or -1. */
int lt_regload_parse_date(const char *s, int32_t *day) __attribute__((warn_unused_result));

/* Formats ms as "YYYY-MM-DDTHH:MM:SS.mmmZ"; the open ends as "(open)". */
void lt_regload_format_instant(int64_t ms, char out[LT_REGLOAD_INSTANT_LEN]);

/* Formats a day number as "YYYY-MM-DD"; the open ends as "". */
void lt_regload_format_date(int32_t day, char out[LT_REGLOAD_DATE_LEN]);

/* Reads the optional instant member `name` into *ms (left unchanged when
 * absent); a present but malformed value is recorded as an error. Returns
 * true when the member was present and valid. */
bool lt_regload_instant(struct lt_regload_errs *e, const json_t *obj, const char *path,
                        const char *name, int64_t *ms);

/* Same for a calendar date member. */
bool lt_regload_date(struct lt_regload_errs *e, const json_t *obj, const char *path,
                     const char *name, int32_t *day);

/* true when s is UTF-8 in Unicode NFC with no leading or trailing white
 * space (the project's rule for names). */
bool lt_regload_is_clean_text(const char *s);

#endif
