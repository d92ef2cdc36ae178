/* copy.c — COPY text-format row buffer (see copy.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "db/copy.h"

struct lt_copy {
    char *buf;
    size_t len, cap;
    size_t rows;
    int row_open; /* a column was added to the current row */
};

struct lt_copy *lt_copy_new(void)
{
    struct lt_copy *cp = lt_calloc(1, sizeof *cp);
    cp->cap = 1 << 16;
    cp->buf = lt_malloc(cp->cap);
    return cp;
}

void lt_copy_free(struct lt_copy *cp)
{
    if (!cp)
        return;
    free(cp->buf);
    free(cp);
}

static void reserve(struct lt_copy *cp, size_t more)
{
    if (cp->len + more <= cp->cap)
        return;
    while (cp->len + more > cp->cap)
        cp->cap *= 2;
    cp->buf = lt_realloc(cp->buf, cp->cap);
}

static void column(struct lt_copy *cp)
{
    if (cp->row_open) {
        reserve(cp, 1);
        cp->buf[cp->len++] = '\t';
    }
    cp->row_open = 1;
}

void lt_copy_textn(struct lt_copy *cp, const char *s, size_t n)
{
    column(cp);
    reserve(cp, 2 * n);
    for (size_t i = 0; i < n; i++) {
        char ch = s[i], esc = 0;
        switch (ch) {
        case '\\': esc = '\\'; break;
        case '\t': esc = 't'; break;
        case '\n': esc = 'n'; break;
        case '\r': esc = 'r'; break;
        default: break;
        }
        if (esc) {
            cp->buf[cp->len++] = '\\';
            cp->buf[cp->len++] = esc;
        } else {
            cp->buf[cp->len++] = ch;
        }
    }
}

void lt_copy_text(struct lt_copy *cp, const char *s)
{
    lt_copy_textn(cp, s, strlen(s));
}

void lt_copy_int(struct lt_copy *cp, long long v)
{
    char n[24];
    int k = snprintf(n, sizeof n, "%lld", v);
    lt_copy_textn(cp, n, (size_t)k);
}

void lt_copy_bytea(struct lt_copy *cp, const uint8_t *b, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    column(cp);
    /* "\\x" then two digits a byte: the backslash itself is escaped for COPY. */
    reserve(cp, 3 + 2 * n);
    cp->buf[cp->len++] = '\\';
    cp->buf[cp->len++] = '\\';
    cp->buf[cp->len++] = 'x';
    for (size_t i = 0; i < n; i++) {
        cp->buf[cp->len++] = hex[b[i] >> 4];
        cp->buf[cp->len++] = hex[b[i] & 15];
    }
}

void lt_copy_null(struct lt_copy *cp)
{
    column(cp);
    reserve(cp, 2);
    cp->buf[cp->len++] = '\\';
    cp->buf[cp->len++] = 'N';
}

void lt_copy_end_row(struct lt_copy *cp)
{
    reserve(cp, 1);
    cp->buf[cp->len++] = '\n';
    cp->row_open = 0;
    cp->rows++;
}

size_t lt_copy_rows(const struct lt_copy *cp)
{
    return cp->rows;
}

static int copy_error(PGconn *db, char *err, size_t errlen, const char *what)
{
    const char *m = PQerrorMessage(db);
    size_t n = strlen(m);
    while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
        n--;
    return lt_err_set(err, errlen, LT_ERR_DB, "%s: %.*s", what, (int)n, m);
}

int lt_copy_send(PGconn *db, const char *copy_sql, struct lt_copy *cp, char sqlstate[6],
                 char *err, size_t errlen)
{
    int rc = LT_OK;
    if (sqlstate)
        sqlstate[0] = 0;
    if (!cp->rows)
        goto out;
    PGresult *r = PQexec(db, copy_sql);
    int st = PQresultStatus(r);
    PQclear(r);
    if (st != PGRES_COPY_IN) {
        rc = copy_error(db, err, errlen, "COPY refused");
        goto out;
    }
    if (PQputCopyData(db, cp->buf, (int)cp->len) != 1 || PQputCopyEnd(db, NULL) != 1) {
        rc = copy_error(db, err, errlen, "COPY data not sent");
        /* Drain whatever result the server has. */
    }
    while ((r = PQgetResult(db)) != NULL) {
        if (rc == LT_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
            rc = copy_error(db, err, errlen, "COPY failed");
            const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
            if (sqlstate && code)
                snprintf(sqlstate, 6, "%.5s", code);
        }
        PQclear(r);
    }
out:
    cp->len = 0;
    cp->rows = 0;
    cp->row_open = 0;
    return rc;
}
