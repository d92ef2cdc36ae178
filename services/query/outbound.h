/* outbound.h — GET /v1/outbound/summary?year=: citizens working abroad in
 * aggregates only (any role): registered, trained, departed, abroad now and
 * returned, by market (country), by unit (province, district) and by
 * priority group, and departures by month against the targets (1,500 a year
 * and 12,000 over 2023–2030 by default; configuration, struct lq_app).
 *
 * Counts come from the folded outbound rows: "departed in the year" counts
 * persons whose LAST departure fell in that year, so a worker who left twice
 * counts once, in the year of the later departure; "abroad" is as of each
 * row's as-of date. `arg` is the struct lq_app. */
#ifndef LQ_OUTBOUND_H
#define LQ_OUTBOUND_H

#include "http/server.h"

int lq_outbound_summary(struct lt_http_request *req, struct lt_http_response *resp, void *arg);

#endif
