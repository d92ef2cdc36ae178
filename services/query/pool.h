/* pool.h — a small fixed pool of PostgreSQL connections shared by the
 * query service's request threads.
 *
 * Each connection is made with lt_db_connect (search path "lienthong,
 * pg_catalog"), then set to UTC and given a statement timeout. A request
 * takes one connection for its whole transaction and gives it back; when all
 * are taken it waits up to wait_ms. A connection given back as broken (or
 * found bad when taken) is replaced by a fresh one. Thread-safe. */
#ifndef LQ_POOL_H
#define LQ_POOL_H

#include <stddef.h>

#include <libpq-fe.h>

struct lq_pool;

struct lq_pool_config {
    const char *conninfo;        /* libpq string or URI */
    size_t size;                 /* connections, >= 1 */
    int wait_ms;                 /* longest wait for a free connection */
    int statement_timeout_ms;    /* per statement, 0: none */
};

/* Opens all connections at once (a bad URL or password shows at start-up).
 * On LT_OK *out is the pool, owned by the caller (lq_pool_free). On error
 * (LT_ERR_DB, sentence in err) nothing is left open. */
int lq_pool_new(const struct lq_pool_config *cfg, struct lq_pool **out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Closes every connection. No connection may still be taken. NULL: no-op. */
void lq_pool_free(struct lq_pool *p);

/* Takes a connection; NULL when none came free within wait_ms or a broken
 * one could not be replaced (the caller answers 503). The caller gives it
 * back with lq_pool_put, also on error. */
PGconn *lq_pool_get(struct lq_pool *p);

/* Gives a connection back. broken != 0 (or a connection that is not idle
 * and healthy) makes the pool close it and connect anew on next use. */
void lq_pool_put(struct lq_pool *p, PGconn *db, int broken);

/* Connections currently free (for the metrics gauge). */
double lq_pool_free_count(void *pool);

#endif
