/* app.h — what every handler of lt-query shares: the connection pool, the
 * metrics and the settings that shape answers. Filled once by main() before
 * the server starts, read-only afterwards (the counters update atomically). */
#ifndef LQ_APP_H
#define LQ_APP_H

#include <stddef.h>

struct lq_pool;
struct lt_metrics;
struct lt_metrics_counter;

struct lq_app {
    struct lq_pool *pool;                         /* borrowed */
    struct lt_metrics_counter *personal_reads;    /* requests that read personal data */
    struct lt_metrics_counter *unauthorized;      /* 401 answers */
    struct lt_metrics_counter *forbidden;         /* 403 answers */
    struct lt_metrics_counter *db_errors;         /* statements that failed */
    /* Outbound targets (DESIGN.md §1): per year, and over a period of years. */
    long long target_per_year, target_period, target_from_year, target_to_year;
    const char *openapi;                          /* the OpenAPI document (JSON text) */
    size_t openapi_len;
};

#endif
