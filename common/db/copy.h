/* copy.h — building rows for PostgreSQL's COPY … FROM STDIN (text format)
 * and sending them in one go: the batch writer of the consolidator (and of
 * anything else that stores many rows per transaction).
 *
 *     struct lt_copy *cp = lt_copy_new();
 *     lt_copy_text(cp, "JPN:TK1"); lt_copy_bytea(cp, bytes, n); lt_copy_null(cp);
 *     lt_copy_end_row(cp);
 *     …
 *     if (lt_copy_send(db, "COPY staging (a, b, c) FROM STDIN", cp, err, sizeof err) != LT_OK) …
 *     lt_copy_free(cp);
 *
 * Values are escaped for the text format (backslash, tab, newline, carriage
 * return); bytea values go in hex form. The buffer grows as needed and is
 * reset by lt_copy_send (success or not), so one object serves every batch. */
#ifndef LT_DB_COPY_H
#define LT_DB_COPY_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

struct lt_copy;

/* An empty row buffer, owned by the caller (lt_copy_free). */
struct lt_copy *lt_copy_new(void);
/* Releases cp; NULL is a no-op. */
void lt_copy_free(struct lt_copy *cp);

/* Appends one column to the current row. */
void lt_copy_text(struct lt_copy *cp, const char *s);
void lt_copy_textn(struct lt_copy *cp, const char *s, size_t n);
void lt_copy_int(struct lt_copy *cp, long long v);
void lt_copy_bytea(struct lt_copy *cp, const uint8_t *b, size_t n);
void lt_copy_null(struct lt_copy *cp);
/* Ends the current row. */
void lt_copy_end_row(struct lt_copy *cp);
/* Rows ended since the last send. */
size_t lt_copy_rows(const struct lt_copy *cp);

/* Runs `copy_sql` (a COPY … FROM STDIN in text format) and streams the rows.
 * With no rows it does nothing. Returns LT_OK, or LT_ERR_DB with the server's
 * sentence in err and, if sqlstate is not NULL, its SQLSTATE there ("" when
 * the server gave none, e.g. the connection broke); the buffer is emptied
 * either way. */
int lt_copy_send(PGconn *db, const char *copy_sql, struct lt_copy *cp, char sqlstate[6],
                 char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
