/* server.h — the small HTTP/1.1 server every Lienthong service embeds.
 *
 * Built on libmicrohttpd. A program creates a server (which binds its socket
 * at once, so a busy port is reported early and an ephemeral port is known),
 * adds routes, starts it, and frees it on shutdown:
 *
 *     struct lt_http_server *srv;
 *     if (lt_http_server_new(&cfg, &srv, err, sizeof err) != LT_OK) …
 *     lt_http_route(srv, "POST", "/v1/events", post_events, engine);
 *     lt_http_route(srv, "GET", "/v1/persons/{subject}/timeline", timeline, db);
 *     lt_http_add_standard_routes(srv, metrics, health, engine);
 *     if (lt_http_server_start(srv, err, sizeof err) != LT_OK) …
 *     … run until SIGTERM …
 *     lt_http_server_free(srv);   // drains in-flight requests, then stops
 *
 * What the server guarantees for every request, before and after a handler:
 *   - the path is checked: it must start with '/', have no empty segment
 *     ("//"), no "." or ".." segment (also when percent-encoded), valid
 *     percent escapes, and no encoded '/', NUL or control byte in a segment;
 *     otherwise 400. Decoded text must be valid UTF-8.
 *   - query parameters are percent-decoded ('+' is a space) and must be valid
 *     UTF-8 without NUL, otherwise 400;
 *   - an unknown path is 404, a known path with another method 405 with an
 *     Allow header (GET routes also answer HEAD);
 *   - a body larger than max_body is refused with 413 as soon as the headers
 *     say so (Content-Length), without reading it; a chunked body is cut off
 *     when it passes the limit;
 *   - a handler that fails or forgets to set a response yields a 500;
 *   - all errors are RFC 9457 problem+json; every response carries
 *     Cache-Control: no-store and X-Content-Type-Options: nosniff;
 *   - one access-log line per request through core/log.h (component
 *     "http.access"): method, path (without the query string, and with the
 *     route pattern instead of the path when the route has parameters, so
 *     subject ids stay out of logs), status, bytes, duration, remote address.
 *
 * Threading: one thread per connection (libmicrohttpd's
 * MHD_USE_THREAD_PER_CONNECTION), bounded by max_connections. Handlers may
 * block (database queries, journal fsync) without stalling other clients, and
 * run concurrently: whatever they share must be thread-safe. */
#ifndef LT_HTTP_SERVER_H
#define LT_HTTP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct lt_metrics;
struct lt_http_server;
struct lt_http_request;
struct lt_http_response;

/* Settings; a zero field means its default. The strings are copied. */
struct lt_http_config {
    const char *bind_address;     /* numeric IPv4 or IPv6 address; default "127.0.0.1" */
    unsigned port;                /* 0: an ephemeral port (see lt_http_server_port) */
    unsigned max_connections;     /* default 128; each is a thread */
    unsigned timeout_s;           /* idle time before a connection is closed; default 30 */
    size_t max_body;              /* bytes; default 4 MiB (LT_HTTP_DEFAULT_MAX_BODY) */
    unsigned shutdown_grace_ms;   /* how long free waits for in-flight requests; default 5000 */
    const char *name;             /* log component for the server's own lines; default "http" */
};

#define LT_HTTP_DEFAULT_MAX_BODY ((size_t)4 << 20)

/* A handler fills resp (with one of the response helpers below) and returns
 * LT_OK, or returns a negative code from core/err.h. If it returns an error
 * without having set a response, or LT_OK without one, the client gets a 500
 * problem and the error is logged. `arg` is the pointer given to
 * lt_http_route. req and resp are valid only during the call. */
typedef int (*lt_http_handler)(struct lt_http_request *req, struct lt_http_response *resp,
                               void *arg);

/* Creates a server and binds and listens on its socket, but accepts nothing
 * until lt_http_server_start. On LT_OK *out is the new server, owned by the
 * caller (lt_http_server_free). Errors: LT_ERR_CONFIG for a bad address or
 * port, LT_ERR_IO when the socket cannot be bound (sentence in err). */
int lt_http_server_new(const struct lt_http_config *cfg, struct lt_http_server **out,
                       char *err, size_t errlen) __attribute__((warn_unused_result));

/* The port actually bound (useful when cfg->port was 0). */
unsigned lt_http_server_port(const struct lt_http_server *srv);

/* Adds a route; only before lt_http_server_start. `method` is an upper-case
 * token ("GET", "POST", …). `pattern` is an absolute path whose segments are
 * literal or a whole-segment parameter "{name}", e.g.
 * "/v1/persons/{subject}/timeline" (at most 8 parameters). When several routes
 * match a path, the one with a literal segment earliest wins, so
 * "/v1/persons/search" beats "/v1/persons/{subject}". Strings are copied.
 * Returns LT_OK, or LT_ERR_INVALID for a malformed pattern or a duplicate
 * (method, pattern). */
int lt_http_route(struct lt_http_server *srv, const char *method, const char *pattern,
                  lt_http_handler handler, void *arg) __attribute__((warn_unused_result));

/* Starts serving on the bound socket. Returns LT_OK or LT_ERR_IO. */
int lt_http_server_start(struct lt_http_server *srv, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Stops and frees the server: stops accepting connections, lets requests
 * already in flight finish (up to shutdown_grace_ms; responses sent meanwhile
 * say "Connection: close"), then closes every connection and joins every
 * thread. A handler that is still blocked after the grace period is waited
 * for. NULL is a no-op. Safe to call without having started. */
void lt_http_server_free(struct lt_http_server *srv);

/* ---- The request (read-only, valid during the handler call) ---- */

/* The method as received ("GET"; "HEAD" when a GET route answers a HEAD). */
const char *lt_http_method(const struct lt_http_request *req);
/* The path as received (still percent-encoded), without the query string. */
const char *lt_http_path(const struct lt_http_request *req);
/* The decoded value of a "{name}" segment of the matched route, or NULL. */
const char *lt_http_param(const struct lt_http_request *req, const char *name);
/* The decoded value of the first query parameter called `name` (decoded name),
 * "" for "?name" without '=', NULL when absent. */
const char *lt_http_query(const struct lt_http_request *req, const char *name);
/* All query parameters in order, so a handler can refuse unknown ones:
 * returns how many; lt_http_query_at fills *name and *value (decoded) for
 * index i < count and returns LT_OK, LT_ERR_NOTFOUND beyond. */
size_t lt_http_query_count(const struct lt_http_request *req);
int lt_http_query_at(const struct lt_http_request *req, size_t i, const char **name,
                     const char **value);
/* A request header by case-insensitive name, or NULL. */
const char *lt_http_header(const struct lt_http_request *req, const char *name);
/* The whole request body (never more than max_body bytes); *len may be 0.
 * The bytes are followed by a NUL that is not counted, for text parsers. */
const uint8_t *lt_http_body(const struct lt_http_request *req, size_t *len);
/* The client's numeric address ("127.0.0.1", "::1"), or "-". */
const char *lt_http_remote(const struct lt_http_request *req);

/* ---- The response (each helper replaces any response set before) ---- */

/* Sends `body` as application/json with `status`. Takes ownership of body
 * (a reference), also on error. Returns LT_OK, or LT_ERR_INVALID if body is
 * NULL or cannot be encoded (the handler should then return that code). */
int lt_http_json(struct lt_http_response *resp, unsigned status, json_t *body);

/* Sends `text` (copied) with the given Content-Type, e.g.
 * "text/html; charset=utf-8". Returns LT_OK. */
int lt_http_text(struct lt_http_response *resp, unsigned status, const char *content_type,
                 const char *text);

/* Like lt_http_text for bytes that may hold NULs (copied). */
int lt_http_bytes(struct lt_http_response *resp, unsigned status, const char *content_type,
                  const void *data, size_t len);

/* Sends an RFC 9457 problem (application/problem+json):
 *   {"type":"https://lienthong.invalid/problems/<type_suffix>",
 *    "title":…, "status":…, "detail":…, "instance":<request path>, …extra}
 * title NULL means the status's reason phrase; detail NULL leaves it out;
 * type_suffix NULL means "about:blank" as the type. The members of `extra`
 * (an object, e.g. {"errors":[…]}; may be NULL) are merged in without
 * overriding the standard ones; takes ownership of extra. Returns LT_OK. */
int lt_http_problem(struct lt_http_response *resp, unsigned status, const char *type_suffix,
                    const char *title, const char *detail, json_t *extra);

/* Adds a response header (copied), e.g. Location or Retry-After. Call after
 * the helper that sets the body. Content-Type and the security headers are
 * the server's. Returns LT_OK, or LT_ERR_INVALID for a name or value with a
 * CR, LF or NUL. */
int lt_http_header_add(struct lt_http_response *resp, const char *name, const char *value);

/* ---- Standard routes ---- */

enum lt_http_health { LT_HTTP_HEALTH_OK = 0, LT_HTTP_HEALTH_DEGRADED, LT_HTTP_HEALTH_DOWN };

/* Called for every GET /healthz; fills `details` (an empty object the server
 * owns) with whatever helps an operator, e.g. {"kafka":"down","pending":12},
 * and returns the overall state. Runs on a connection thread. */
typedef enum lt_http_health (*lt_http_health_fn)(json_t *details, void *arg);

/* Mounts
 *   GET /metrics  the registry in text format 0.0.4
 *                 (Content-Type: text/plain; version=0.0.4; charset=utf-8);
 *   GET /healthz  {"status":"ok"|"degraded"|"down", …details}: 200 when ok or
 *                 degraded, 503 when down (health NULL: always ok);
 * and registers in `metrics` the server's own: http_requests_total,
 * http_responses_4xx_total, http_responses_5xx_total, http_requests_in_flight
 * and http_request_duration_seconds (histogram), updated for every request
 * from then on. metrics is borrowed and must outlive the server; NULL mounts
 * /healthz only. Only before lt_http_server_start. Returns LT_OK or the
 * error of lt_http_route. */
int lt_http_add_standard_routes(struct lt_http_server *srv, struct lt_metrics *metrics,
                                lt_http_health_fn health, void *arg)
    __attribute__((warn_unused_result));

#endif
