/* lt-query — the query service: answers merged questions about persons,
 * foreign workers, employers, citizens working abroad and alerts from the
 * shared database the consolidator fills (schema lienthong), over HTTP/JSON
 * with bearer tokens, roles, masking and an access log of every personal-data
 * read (DESIGN.md §4, issue 6).
 *
 *   lt-query [options]              serve (GET /v1/…, /healthz, /metrics, /openapi.json)
 *   lt-query token-add --role staff --name alice   print a new token once
 *   lt-query token-revoke --name alice | token-list
 *
 * Requests run on libmicrohttpd's connection threads, each taking one
 * connection of a small pool for its transaction (access.h). The dashboard
 * page (dashboard.html) is served at / and /dashboard. Stops cleanly
 * on SIGTERM/SIGINT: the server drains in-flight requests, then the pool
 * closes. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "alerts.h"
#include "app.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/signals.h"
#include "dashboard.h"
#include "http/metrics.h"
#include "http/server.h"
#include "openapi.h"
#include "outbound.h"
#include "persons.h"
#include "pool.h"
#include "reports.h"
#include "tokens.h"
#include "workers.h"

#define COMP "query"

struct query_config {
    char *pg_url, *http_address, *http_port_file;
    long long http_port, max_connections, pool_size, pool_wait_ms, statement_timeout_ms;
    long long target_per_year, target_period, target_from_year, target_to_year;
};

#define O(f) offsetof(struct query_config, f)
static const struct lt_opt opts[] = {
    { "pg-url", LT_OPT_STRING, NULL, 0, 0, "LT_PG_URL", O(pg_url), 1,
      "the shared database, as a login with lienthong_reader (password from PGPASSFILE)" },
    { "http-address", LT_OPT_STRING, "127.0.0.1", 0, 0, "LT_QUERY_HTTP_ADDRESS", O(http_address), 0,
      "numeric address to listen on" },
    { "http-port", LT_OPT_INT, "8090", 0, 65535, "LT_QUERY_HTTP_PORT", O(http_port), 0,
      "port to listen on (0: any free port; see --http-port-file)" },
    { "http-port-file", LT_OPT_STRING, NULL, 0, 0, NULL, O(http_port_file), 0,
      "write the port actually bound into this file once listening" },
    { "max-connections", LT_OPT_INT, "128", 1, 4096, NULL, O(max_connections), 0,
      "concurrent HTTP connections (one thread each)" },
    { "pool-size", LT_OPT_INT, "8", 1, 256, "LT_QUERY_POOL_SIZE", O(pool_size), 0,
      "PostgreSQL connections shared by the request threads" },
    { "pool-wait-ms", LT_OPT_INT, "2000", 1, 60000, NULL, O(pool_wait_ms), 0,
      "how long a request waits for a free connection before answering 503" },
    { "statement-timeout-ms", LT_OPT_INT, "5000", 0, 600000, NULL, O(statement_timeout_ms), 0,
      "longest a statement may run (0: no limit); a timeout answers 503" },
    { "target-per-year", LT_OPT_INT, "1500", 0, 100000000, NULL, O(target_per_year), 0,
      "outbound departures targeted each year" },
    { "target-period", LT_OPT_INT, "12000", 0, 1000000000, NULL, O(target_period), 0,
      "outbound departures targeted over the target period" },
    { "target-from-year", LT_OPT_INT, "2023", 2000, 2100, NULL, O(target_from_year), 0,
      "first year of the target period" },
    { "target-to-year", LT_OPT_INT, "2030", 2000, 2100, NULL, O(target_to_year), 0,
      "last year of the target period" },
};
#undef O
static const struct lt_config_spec spec = {
    "lt-query", "[options] | token-add|token-revoke|token-list [options]",
    "Answers merged questions from the shared database over HTTP/JSON: a person's\n"
    "timeline, person search, foreign workers, employers, the outbound summary against\n"
    "its targets, alerts and (auditors) the access log. Bearer tokens with roles\n"
    "(agency, staff, leader, auditor); every read of personal data needs a purpose and\n"
    "is written to lienthong.access_log in the same transaction. The API is described\n"
    "at GET /openapi.json; GET /healthz and /metrics too; the dashboard at GET /. Reports\n"
    "(annual, half-year foreign workers; JSON, CSV, HTML) and a demand forecast for any\n"
    "role. Tokens: lt-query token-add\n"
    "--help.",
    opts, sizeof opts / sizeof opts[0],
};

static int openapi(struct lt_http_request *req, struct lt_http_response *resp, void *arg)
{
    (void)req;
    (void)arg;
    return lt_http_bytes(resp, 200, "application/json", lq_openapi_json, lq_openapi_json_len);
}

/* The dashboard page: public (it holds no data; the token the user pastes
 * stays in the browser and goes to the API). Nothing but this origin may be
 * loaded or called from it. */
static int dashboard(struct lt_http_request *req, struct lt_http_response *resp, void *arg)
{
    (void)req;
    (void)arg;
    if (lt_http_bytes(resp, 200, "text/html; charset=utf-8", lq_dashboard_html,
                      lq_dashboard_html_len) != LT_OK)
        return LT_OK;
    (void)lt_http_header_add(resp, "Content-Security-Policy",
                             "default-src 'none'; script-src 'unsafe-inline'; style-src "
                             "'unsafe-inline'; connect-src 'self'; img-src 'self' data:; "
                             "frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    (void)lt_http_header_add(resp, "Referrer-Policy", "no-referrer");
    return LT_OK;
}

static enum lt_http_health health(json_t *details, void *arg)
{
    struct lq_app *app = arg;
    PGconn *db = lq_pool_get(app->pool);
    int ok = 0;
    if (db) {
        PGresult *r = PQexec(db, "SELECT 1");
        ok = PQresultStatus(r) == PGRES_TUPLES_OK;
        PQclear(r);
        lq_pool_put(app->pool, db, !ok);
    }
    json_object_set_new(details, "database", json_string(ok ? "ok" : "down"));
    return ok ? LT_HTTP_HEALTH_OK : LT_HTTP_HEALTH_DOWN;
}

static const struct {
    const char *pattern;
    lt_http_handler handler;
} routes[] = {
    { "/v1/persons", lq_persons_search },
    { "/v1/persons/{subject}/timeline", lq_persons_timeline },
    { "/v1/foreign-workers", lq_workers_list },
    { "/v1/employers/{code}", lq_workers_employer },
    { "/v1/outbound/summary", lq_outbound_summary },
    { "/v1/alerts", lq_alerts_list },
    { "/v1/access-log", lq_alerts_access_log },
    { "/v1/reports/annual", lq_reports_annual },
    { "/v1/reports/foreign-workers", lq_reports_foreign_workers },
    { "/v1/forecast/foreign-workers", lq_reports_forecast },
    { "/openapi.json", openapi },
    { "/", dashboard },
    { "/dashboard", dashboard },
};

static int write_port_file(const char *path, unsigned port, char *err, size_t errlen)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int bad = !f || fprintf(f, "%u\n", port) < 0;
    if (f && fclose(f) != 0)
        bad = 1;
    if (bad || rename(tmp, path) != 0)
        return lt_err_set(err, errlen, LT_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    return LT_OK;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strncmp(argv[1], "token-", 6)) {
        if (strcmp(argv[1], "token-add") && strcmp(argv[1], "token-revoke") &&
            strcmp(argv[1], "token-list")) {
            fprintf(stderr, "lt-query: unknown command '%s' (token-add, token-revoke, "
                            "token-list)\n", argv[1]);
            return 2;
        }
        return lq_tokens_main(argc - 1, argv + 1);
    }
    struct query_config cfg = { 0 };
    struct lq_app app = { 0 };
    struct lt_metrics *metrics = NULL;
    struct lt_http_server *http = NULL;
    char err[1024] = "";
    int status = 1;

    int rc = lt_config_load(&spec, &cfg, argc, argv, NULL, err, sizeof err);
    if (rc == 1) {
        status = 0;
        goto out;
    }
    if (rc != LT_OK) {
        fprintf(stderr, "lt-query: %s\n", err);
        status = 2;
        goto out;
    }
    if (cfg.target_from_year > cfg.target_to_year) {
        fprintf(stderr, "lt-query: target-from-year is after target-to-year\n");
        status = 2;
        goto out;
    }
    /* Only sigwait below sees the stop signals; set before any thread starts. */
    sigset_t stop;
    lt_signals_block_stop(&stop);
    if (sodium_init() < 0) {
        snprintf(err, sizeof err, "libsodium failed to initialise");
        goto fail;
    }
    json_object_seed(0);
    json_error_t je;
    json_t *doc = json_loadb(lq_openapi_json, lq_openapi_json_len, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        snprintf(err, sizeof err, "the embedded OpenAPI document is not JSON: %s", je.text);
        goto fail;
    }
    json_decref(doc);

    struct lq_pool_config pc = { .conninfo = cfg.pg_url, .size = (size_t)cfg.pool_size,
                                 .wait_ms = (int)cfg.pool_wait_ms,
                                 .statement_timeout_ms = (int)cfg.statement_timeout_ms };
    if (lq_pool_new(&pc, &app.pool, err, sizeof err) != LT_OK)
        goto fail;
    metrics = lt_metrics_new();
    app.personal_reads = lt_metrics_counter(metrics, "query_personal_reads_total",
                                            "Requests that read personal data (each access-logged).");
    app.unauthorized = lt_metrics_counter(metrics, "query_unauthorized_total",
                                          "Requests refused for a missing or wrong token (401).");
    app.forbidden = lt_metrics_counter(metrics, "query_forbidden_total",
                                       "Requests refused for the caller's role (403).");
    app.db_errors = lt_metrics_counter(metrics, "query_db_errors_total",
                                       "Database statements that failed.");
    lt_metrics_gauge_fn(metrics, "query_db_connections_free",
                        "Pooled database connections not in use.", lq_pool_free_count, app.pool);
    app.target_per_year = cfg.target_per_year;
    app.target_period = cfg.target_period;
    app.target_from_year = cfg.target_from_year;
    app.target_to_year = cfg.target_to_year;
    app.openapi = lq_openapi_json;
    app.openapi_len = lq_openapi_json_len;

    struct lt_http_config hc = { .bind_address = cfg.http_address, .port = (unsigned)cfg.http_port,
                                 .max_connections = (unsigned)cfg.max_connections, .name = "http" };
    if (lt_http_server_new(&hc, &http, err, sizeof err) != LT_OK)
        goto fail;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (lt_http_route(http, "GET", routes[i].pattern, routes[i].handler, &app) != LT_OK) {
            snprintf(err, sizeof err, "cannot add the route %s", routes[i].pattern);
            goto fail;
        }
    if (lt_http_add_standard_routes(http, metrics, health, &app) != LT_OK) {
        snprintf(err, sizeof err, "cannot add /healthz and /metrics");
        goto fail;
    }
    if (lt_http_server_start(http, err, sizeof err) != LT_OK)
        goto fail;
    unsigned port = lt_http_server_port(http);
    if (cfg.http_port_file && write_port_file(cfg.http_port_file, port, err, sizeof err) != LT_OK)
        goto fail;
    lt_info(COMP, "lt-query ready on %s:%u with %lld database connection(s)", cfg.http_address,
            port, cfg.pool_size);

    int sig = 0;
    sigwait(&stop, &sig);
    lt_info(COMP, "%s received: draining requests, then closing", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    status = 0;
    goto out;
fail:
    lt_error(COMP, "lt-query: %s", err);
    fprintf(stderr, "lt-query: %s\n", err);
out:
    lt_http_server_free(http);
    lq_pool_free(app.pool);
    lt_metrics_free(metrics);
    lt_config_free(&spec, &cfg);
    return status;
}
