/* reports.h — the periodic reports and the demand forecast (aggregates only,
 * any role, never personal data):
 *
 *   GET /v1/reports/annual?year=&format=json|csv|html&lang=vi|en
 *       the yearly report due 15 December: citizens working abroad
 *       (registered, trained, departed, abroad, returned by unit, market,
 *       priority group and month, against the targets) and foreign workers
 *       (by unit, nationality, category and permit state; employers by unit);
 *   GET /v1/reports/foreign-workers?half=YYYYH1|YYYYH2&format=…&lang=…
 *       the half-year foreign-worker report;
 *   GET /v1/forecast/foreign-workers?period=&history=&horizon=&method=
 *       positions approved and permits issued by sector and period, with a
 *       forecast whose method and periods are stated.
 *
 * Units are the resolved administrative areas of the rows (after the 2025
 * mergers when the consolidator runs with --units), else the raw codes.
 * Every answer states the event-store position it was read at (max
 * ingest_seq and the event count, in the same repeatable-read transaction as
 * every other number) so it can be rebuilt from the log. `arg` is the
 * struct lq_app. */
#ifndef LQ_REPORTS_H
#define LQ_REPORTS_H

#include "http/server.h"

int lq_reports_annual(struct lt_http_request *req, struct lt_http_response *resp, void *arg);
int lq_reports_foreign_workers(struct lt_http_request *req, struct lt_http_response *resp,
                               void *arg);
int lq_reports_forecast(struct lt_http_request *req, struct lt_http_response *resp, void *arg);

#endif
