/* persons.h — the person endpoints of lt-query:
 *   GET /v1/persons/{subject}/timeline  every stored event about one person,
 *        all agencies merged in time order, decoded from the signed bytes,
 *        with the current folded status and the person's alerts;
 *   GET /v1/persons?name=&birthDate=    search by name (case and diacritics
 *        folded) and/or birth date.
 * Both read personal data (purpose required, access-logged). `arg` of each
 * handler is the struct lq_app. */
#ifndef LQ_PERSONS_H
#define LQ_PERSONS_H

#include "http/server.h"

int lq_persons_timeline(struct lt_http_request *req, struct lt_http_response *resp, void *arg);
int lq_persons_search(struct lt_http_request *req, struct lt_http_response *resp, void *arg);

#endif
