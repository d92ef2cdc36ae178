/* access.h — the path every API request of lt-query takes around its
 * handler: who is calling (bearer token → role), may that role use this
 * endpoint, are the parameters ones the endpoint knows, is a purpose stated
 * when personal data will be read; then one database transaction for the
 * reads, and — for personal data — the access-log row written in that same
 * transaction before it commits, so no personal data leaves without its log
 * row and no log row stays without the read.
 *
 * A handler:
 *     struct lq_call c;
 *     if (!lq_call_begin(&c, app, req, resp, &endpoint, personal))
 *         return LT_OK;                          // 401/403/400/503 already set
 *     … check parameters; lq_call_fail(&c, 400, …) and return lq_call_end(&c) …
 *     PGresult *r = lq_call_query(&c, sql, n, values);
 *     if (!r) return lq_call_end(&c);             // problem already set
 *     … lq_call_read(&c, subject) for every person in the answer …
 *     return lq_call_finish(&c, body);            // log, commit, 200
 * Answers go out only after the commit; an error on the way rolls back and
 * answers with a problem instead, never with part of the data. */
#ifndef LQ_ACCESS_H
#define LQ_ACCESS_H

#include <jansson.h>
#include <libpq-fe.h>

#include "app.h"
#include "auth.h"
#include "http/server.h"
#include "params.h"

struct lq_endpoint {
    const char *pattern;        /* the route pattern, as in the access log */
    unsigned roles;             /* enum lq_role bits that may call it */
    const char *const *params;  /* known query parameters, NULL-terminated ("purpose" is always known) */
};

struct lq_call {
    struct lq_app *app;
    struct lt_http_request *req;
    struct lt_http_response *resp;
    const struct lq_endpoint *ep;
    PGconn *db;                 /* taken from the pool; NULL once released */
    int personal;               /* this request reads personal data */
    int in_tx;                  /* a transaction is open */
    int broken;                 /* the connection is unusable */
    long long token_id;
    char token_name[72];
    enum lq_role role;
    char agency[72];            /* the caller's agency (role agency), else "" */
    const char *purpose;        /* stated purpose (borrowed from the request) */
    json_t *subjects;           /* ids of the persons read, in order, no repeats */
};

/* Authenticates and authorizes the request and opens the read transaction.
 * Returns 1 when the handler may go on (then it must end with lq_call_finish
 * or lq_call_end); 0 when the answer is already set (401 without or with a
 * bad token, 403 for a role the endpoint or personal data is not for, 400 for
 * an unknown parameter or a missing or bad purpose, 503 when no database
 * connection is free) and nothing is held. */
int lq_call_begin(struct lq_call *c, struct lq_app *app, struct lt_http_request *req,
                  struct lt_http_response *resp, const struct lq_endpoint *ep, int personal)
    __attribute__((warn_unused_result));

/* Runs one parameterized statement (text parameters, NULL for SQL NULL) in
 * the transaction. Returns the result (caller PQclear()s), or NULL after
 * setting the problem: 400 when the database refused a value (SQLSTATE class
 * 22), 503 when the statement timed out, 500 otherwise (logged). */
PGresult *lq_call_query(struct lq_call *c, const char *sql, int n, const char *const *values);

/* Notes that the answer holds personal data of `subject` (canonical id). */
void lq_call_read(struct lq_call *c, const char *subject);

/* Sets a problem answer (status 400, 404, …) for the handler to end with. */
void lq_call_fail(struct lq_call *c, unsigned status, const char *type, const char *detail);

/* Writes the access-log row (personal reads), commits, and sends body (taken,
 * also on error) as the 200 answer; on any failure rolls back and answers
 * 500 instead. Releases everything. Returns LT_OK. */
int lq_call_finish(struct lq_call *c, json_t *body);

/* As lq_call_finish, but answers with text (taken, also on error) of the
 * given content type; filename (may be NULL) goes into Content-Disposition. */
int lq_call_finish_text(struct lq_call *c, const char *content_type, const char *filename,
                        char *text);

/* Rolls back and releases everything; the answer set before stays. Returns
 * LT_OK. */
int lq_call_end(struct lq_call *c);

/* The value of a query parameter, NULL when absent. */
const char *lq_call_param(const struct lq_call *c, const char *name);

/* One page of a list: keyset paging. lq_page_begin reads "limit" and
 * "cursor"; the handler fetches `fetch` rows (limit + 1, to know whether more
 * follow) after the cursor's keys, turns them into items with lq_page_items
 * (which keeps the last row's sort keys) and answers lq_page_answer. */
struct lq_page {
    long long limit;
    char fetch[24];                                /* limit + 1, as SQL parameter text */
    size_t n_keys;                                 /* sort keys per row */
    int has_cursor;                                /* a cursor was given: keys[] hold it */
    int more;                                      /* more rows follow (set by lq_page_items) */
    char keys[LQ_CURSOR_KEYS][LQ_CURSOR_KEY_MAX];  /* the cursor in; the last row's keys out */
};

/* Reads "limit" (default def, 1..max) and a "cursor" of n_keys keys into
 * *pg. Returns 1, or 0 after setting a 400 problem. */
int lq_page_begin(struct lq_call *c, long long def, long long max, size_t n_keys,
                  struct lq_page *pg) __attribute__((warn_unused_result));

/* {"items": items (taken), "nextCursor": the cursor of keys[] when more rows
 * follow, else null}. New reference. */
json_t *lq_page_answer(const struct lq_page *pg, json_t *items);

/* The form of a person's canonical id the caller may see (masked for an
 * agency, mask.h) into buf, noting the person as read (lq_call_read). Returns
 * buf. Enterprise ids are not personal: shown, not noted. */
const char *lq_call_subject(struct lq_call *c, const char *subject, char *buf, size_t cap);

/* A timestamptz column as RFC 3339 UTC text with milliseconds (the
 * connection's TimeZone is UTC). Use as LQ_SQL_TS("occurred_at"). */
#define LQ_SQL_TS(col) "to_char(" col ", 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

/* Column j of row i as a JSON string, or null when SQL NULL. New reference. */
json_t *lq_col_str(const PGresult *r, int i, int j);
/* Column j of row i, a json, jsonb, integer or boolean ("t"/"f") text, as
 * JSON; null when SQL NULL or unparseable (logged). New reference. */
json_t *lq_col_json(const PGresult *r, int i, int j);

/* How lq_call_row turns a column into a JSON member. */
enum lq_col_kind {
    LQ_COL_SKIP = 0, /* not in the object (e.g. a sort key) */
    LQ_COL_STR,      /* text as a string */
    LQ_COL_JSON,     /* json, jsonb, integer or boolean text, parsed */
    LQ_COL_SUBJECT,  /* a canonical id: shown as lq_call_subject does (masked, noted as read) */
    LQ_COL_NUMBER,   /* a personal number (passport): masked when lq_call_masks */
};
struct lq_col {
    const char *name;      /* member name */
    enum lq_col_kind kind;
};

/* Row i of r as an object: column k becomes member cols[k] (n columns, in
 * SELECT order; SQL NULL is null). New reference. */
json_t *lq_call_row(struct lq_call *c, const PGresult *r, int i, const struct lq_col *cols,
                    size_t n);

/* The items of one page: row i of r (i < limit) as lq_call_row
 * makes it, element i of the array; the sort keys of the last row emitted
 * go into pg->keys from columns key_cols[0 .. pg->n_keys). New reference;
 * r stays the caller's. */
json_t *lq_page_items(struct lq_call *c, struct lq_page *pg, const PGresult *r,
                      const struct lq_col *cols, size_t n_cols, const int *key_cols);

/* The SQL condition "the caller's agency (parameter `param`, NULL for other
 * roles) has published an event about `subject`": what an agency token may
 * see of persons (auth.h). */
#define LQ_SQL_AGENCY_SEES(subject, param)                                                  \
    "(" param "::text IS NULL OR EXISTS (SELECT 1 FROM event_store e_ WHERE e_.subject = " \
    subject " AND e_.agency_code = " param "))"

/* 1 when the caller sees personal numbers masked. */
int lq_call_masks(const struct lq_call *c);

#endif
