/* params.h — checking what a caller of the query service sends: query
 * parameters, the stated purpose of a personal-data read, the name searched
 * for, and the opaque pagination cursors.
 *
 * Pure functions (no database, no HTTP), so every rule is a unit test
 * (tests/unit/test_query_params.c). Each check returns LT_OK, or
 * LT_ERR_INVALID with one English sentence in err naming what was wrong, which
 * the handlers send as the detail of a 400 problem. */
#ifndef LQ_PARAMS_H
#define LQ_PARAMS_H

#include <stddef.h>

/* Longest query-parameter value the service accepts at all (bytes). */
#define LQ_PARAM_MAX 256
/* A cursor holds at most this many keys, each at most LQ_CURSOR_KEY_MAX - 1 bytes. */
#define LQ_CURSOR_KEYS 3
#define LQ_CURSOR_KEY_MAX 80
/* Longest cursor text (base64url) accepted. */
#define LQ_CURSOR_TEXT_MAX 400
/* Purpose: at least 3 and at most 300 bytes, no control characters. */
#define LQ_PURPOSE_MIN 3
#define LQ_PURPOSE_MAX 300

/* A strict decimal integer in [min, max]: optional '-', digits only, no
 * spaces, no '+', no leading zeros beyond "0". */
int lq_params_int(const char *name, const char *s, long long min, long long max, long long *out,
                  char *err, size_t errlen) __attribute__((warn_unused_result));

/* "true" or "false" exactly, into *out (1/0). */
int lq_params_bool(const char *name, const char *s, int *out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* A "YYYY-MM-DD" date (a real calendar date) into *days (core/date.h). */
int lq_params_date(const char *name, const char *s, int *days, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* A code-like value (unit, nationality, enterprise, alert code …): 1–max
 * bytes of [A-Za-z0-9._:-]. */
int lq_params_code(const char *name, const char *s, size_t max, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* One of the NULL-terminated list `choices`, exactly. */
int lq_params_choice(const char *name, const char *s, const char *const *choices, char *err,
                     size_t errlen) __attribute__((warn_unused_result));

/* 1 when `name` is one of the NULL-terminated list `known`, else 0. */
int lq_params_known(const char *name, const char *const *known);

/* The purpose of a personal-data read: LQ_PURPOSE_MIN..LQ_PURPOSE_MAX bytes
 * of well-formed UTF-8 (a header is not checked by the server) with no
 * control character and not only white space. NULL is refused ("state a
 * purpose"). */
int lq_params_purpose(const char *s, char *err, size_t errlen) __attribute__((warn_unused_result));

/* The search key of a name searched for (lt_subject_name_key: case, marks,
 * đ and white space folded). The key must hold 2–100 characters, each a
 * letter, a digit, a space, '-', '\'' or '.', so it can go into a LIKE
 * pattern without escaping. On LT_OK *key is a new string the caller frees. */
int lq_params_name_key(const char *s, char **key, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Encodes n (1..LQ_CURSOR_KEYS) keys, each shorter than LQ_CURSOR_KEY_MAX,
 * into an opaque cursor: base64url (no padding) of a compact JSON array
 * ["v1", key…]. Returns a new string the caller frees. */
char *lq_cursor_encode(const char *const *keys, size_t n);

/* Decodes a cursor made by lq_cursor_encode with exactly n keys into
 * keys[0..n). Anything else (bad base64, not the JSON shape, another
 * version, wrong key count, a key too long or holding a control byte) is
 * LT_ERR_INVALID. */
int lq_cursor_decode(const char *text, char keys[][LQ_CURSOR_KEY_MAX], size_t n, char *err,
                     size_t errlen) __attribute__((warn_unused_result));

#endif
