/* workers.h — the foreign-worker endpoints of lt-query:
 *   GET /v1/foreign-workers   the folded foreign-worker rows, filtered
 *        (present, province, district, employer, nationality, permitState,
 *        expiringWithinDays) and paged by subject; personal data;
 *   GET /v1/employers/{code}  one employer: its profile and demand, its
 *        workers by permit state, violations and open alerts (aggregates,
 *        any role); with include=workers also the worker list (personal).
 * `arg` of each handler is the struct lq_app. */
#ifndef LQ_WORKERS_H
#define LQ_WORKERS_H

#include "http/server.h"

int lq_workers_list(struct lt_http_request *req, struct lt_http_response *resp, void *arg);
int lq_workers_employer(struct lt_http_request *req, struct lt_http_response *resp, void *arg);

#endif
