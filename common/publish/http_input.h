/* http_input.h — the HTTP input of an agency service: POST /v1/events
 * (see http_input.c for the request and answer formats). */
#ifndef LT_PUBLISH_HTTP_INPUT_H
#define LT_PUBLISH_HTTP_INPUT_H

#include "http/server.h"
#include "publish/publisher.h"

#define LT_HTTP_INPUT_MAX_BATCH 1000

/* Adds the route to srv (before lt_http_server_start). pub must outlive srv. */
int lt_http_input_mount(struct lt_http_server *srv, struct lt_publisher *pub)
    __attribute__((warn_unused_result));

#endif
