/* pool.c — the connection pool (pool.h). A mutex and a condition variable
 * guard an array of slots; a slot is free, taken, or empty (to reconnect). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "db/db.h"
#include "pool.h"

struct slot {
    PGconn *db; /* NULL: to be connected when next taken */
    int taken;
};

struct lq_pool {
    pthread_mutex_t mu;
    pthread_cond_t freed;
    char *conninfo;
    int wait_ms, statement_timeout_ms;
    size_t size;
    struct slot *slots;
};

static PGconn *connect_one(const struct lq_pool *p, char *err, size_t errlen)
{
    PGconn *db = lt_db_connect(p->conninfo, "lt-query", "lienthong, pg_catalog", err, errlen);
    if (!db)
        return NULL;
    char timeout[32];
    snprintf(timeout, sizeof timeout, "%d", p->statement_timeout_ms);
    const char *v[] = { timeout };
    PGresult *r = PQexecParams(db,
                               "SELECT pg_catalog.set_config('TimeZone', 'UTC', false), "
                               "pg_catalog.set_config('statement_timeout', $1, false)",
                               1, NULL, v, NULL, NULL, 0);
    int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        lt_err_set(err, errlen, LT_ERR_DB, "cannot set up the connection: %s",
                   PQresultErrorMessage(r));
    PQclear(r);
    if (!ok) {
        PQfinish(db);
        return NULL;
    }
    return db;
}

int lq_pool_new(const struct lq_pool_config *cfg, struct lq_pool **out, char *err, size_t errlen)
{
    *out = NULL;
    struct lq_pool *p = lt_calloc(1, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->freed, NULL);
    p->conninfo = lt_strdup(cfg->conninfo);
    p->wait_ms = cfg->wait_ms;
    p->statement_timeout_ms = cfg->statement_timeout_ms;
    p->size = cfg->size ? cfg->size : 1;
    p->slots = lt_calloc(p->size, sizeof *p->slots);
    for (size_t i = 0; i < p->size; i++) {
        if (!(p->slots[i].db = connect_one(p, err, errlen))) {
            lq_pool_free(p);
            return LT_ERR_DB;
        }
    }
    *out = p;
    return LT_OK;
}

void lq_pool_free(struct lq_pool *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->size; i++)
        PQfinish(p->slots[i].db);
    free(p->slots);
    free(p->conninfo);
    pthread_cond_destroy(&p->freed);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

PGconn *lq_pool_get(struct lq_pool *p)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += p->wait_ms / 1000;
    until.tv_nsec += (long)(p->wait_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&p->mu);
    struct slot *s = NULL;
    for (;;) {
        for (size_t i = 0; i < p->size && !s; i++)
            if (!p->slots[i].taken)
                s = &p->slots[i];
        if (s)
            break;
        if (pthread_cond_timedwait(&p->freed, &p->mu, &until) == ETIMEDOUT) {
            pthread_mutex_unlock(&p->mu);
            lt_warn("query.pool", "no database connection came free within %d ms", p->wait_ms);
            return NULL;
        }
    }
    s->taken = 1;
    PGconn *db = s->db;
    s->db = NULL;
    pthread_mutex_unlock(&p->mu);

    /* Connecting happens outside the lock: it may take a while. */
    if (db && PQstatus(db) != CONNECTION_OK) {
        PQfinish(db);
        db = NULL;
    }
    if (!db) {
        char err[512];
        if (!(db = connect_one(p, err, sizeof err))) {
            lt_error("query.pool", "%s", err);
            pthread_mutex_lock(&p->mu);
            s->taken = 0;
            pthread_cond_signal(&p->freed);
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
    }
    return db;
}

void lq_pool_put(struct lq_pool *p, PGconn *db, int broken)
{
    if (!db)
        return;
    if (broken || PQstatus(db) != CONNECTION_OK || PQtransactionStatus(db) != PQTRANS_IDLE) {
        PQfinish(db);
        db = NULL;
    }
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < p->size; i++) {
        if (p->slots[i].taken && !p->slots[i].db) {
            p->slots[i].db = db;
            p->slots[i].taken = 0;
            break;
        }
    }
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->mu);
}

double lq_pool_free_count(void *pool)
{
    struct lq_pool *p = pool;
    size_t n = 0;
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < p->size; i++)
        n += !p->slots[i].taken;
    pthread_mutex_unlock(&p->mu);
    return (double)n;
}
