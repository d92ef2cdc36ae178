/* alerts.h — the alert list and the access log of lt-query:
 *   GET /v1/alerts      open and/or closed alerts, newest first, each with
 *        the events behind it (id, type, agency, time); personal data;
 *   GET /v1/access-log  who read whose personal data, when and why; auditors
 *        only (and itself logged, since it names persons).
 * `arg` of each handler is the struct lq_app. */
#ifndef LQ_ALERTS_H
#define LQ_ALERTS_H

#include "http/server.h"

int lq_alerts_list(struct lt_http_request *req, struct lt_http_response *resp, void *arg);
int lq_alerts_access_log(struct lt_http_request *req, struct lt_http_response *resp, void *arg);

#endif
