/* server.c — routing, request checking and problem+json on libmicrohttpd.
 *
 * libmicrohttpd (MHD) calls on_access several times per request: once when the
 * headers are in (we check the path and query, find the route and look at
 * Content-Length), once per piece of body (we buffer it, bounded), and once
 * more when the request is complete (we run the handler and queue the
 * response). Errors known from the headers alone are answered without reading
 * a body. on_completed runs when the response has been sent (or the client
 * went away): it writes the access-log line, updates the metrics and frees the
 * request.
 *
 * We install a no-op "unescape" callback so that MHD hands us the path and
 * query exactly as received; we decode them ourselves, per segment, which is
 * the only way to tell an encoded '/' inside a parameter from a real one. */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "http/metrics.h"
#include "http/server.h"

#define MAX_PARAMS 8
#define MAX_SEGMENTS 32
#define PROBLEM_BASE "https://lienthong.invalid/problems/"

struct route {
    char *method;
    char *pattern;
    size_t nseg;
    char **seg;        /* literal text, or NULL for a parameter */
    char **param_name; /* the parameter's name where seg[i] is NULL */
    uint32_t literal_mask; /* bit (31 - i) set when segment i is literal */
    lt_http_handler fn;
    void *arg;
};

struct lt_http_server {
    char *bind_address;
    char *name;
    char *access_comp;
    unsigned max_connections;
    unsigned timeout_s;
    size_t max_body;
    unsigned shutdown_grace_ms;

    int fd;       /* the bound socket until MHD owns it; -1 after */
    int family;
    unsigned port;
    struct MHD_Daemon *daemon;

    struct route *routes;
    size_t nroutes;

    atomic_int stopping;
    atomic_int inflight;

    /* Set by lt_http_add_standard_routes. */
    struct lt_metrics *metrics;
    lt_http_health_fn health;
    void *health_arg;
    struct lt_metrics_counter *m_requests, *m_4xx, *m_5xx;
    struct lt_metrics_gauge *m_inflight;
    struct lt_metrics_histogram *m_duration;
};

struct header {
    char *name, *value;
};

struct lt_http_response {
    const struct lt_http_request *req;
    int set;
    unsigned status;
    char *content_type;
    char *body; /* malloc'd; handed to MHD, which frees it */
    size_t len;
    struct header *headers;
    size_t nheaders;
};

struct qparam {
    char *name, *value;
};

struct lt_http_request {
    struct lt_http_server *srv;
    struct MHD_Connection *conn;
    const char *method; /* MHD's, valid until on_completed */
    char *path;         /* raw, as received */
    const struct route *route;

    char **seg;         /* decoded path segments */
    size_t nseg;
    const char *param_name[MAX_PARAMS];
    const char *param_value[MAX_PARAMS];
    size_t nparams;

    struct qparam *query;
    size_t nquery, capquery;
    int query_bad;

    uint8_t *body;
    size_t len, cap;
    int too_large;

    struct lt_http_response *early; /* the answer, when known from headers */
    char remote[INET6_ADDRSTRLEN + 1];
    struct timespec start;
    unsigned status;    /* what was queued; 0 if nothing */
    size_t bytes;
};

/* ---------------------------------------------------------------- text ---- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
static int valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        unsigned cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            k = 1; cp = c & 0x1F; min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            k = 2; cp = c & 0x0F; min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            k = 3; cp = c & 0x07; min = 0x10000;
        } else {
            return 0;
        }
        if (n - i <= k) /* truncated sequence */
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* Percent-decodes s[0..n) into a new string (*out, caller frees), turning '+'
 * into a space when plus_space. Returns 0, or -1 for a bad escape, a NUL or
 * control byte, invalid UTF-8 or (when no_slash) a decoded '/'; *out is NULL
 * then. */
static int decode(const char *s, size_t n, int plus_space, int no_slash, char **out)
{
    char *d = lt_malloc(n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= n)
                goto bad;
            int h = hexval((unsigned char)s[i + 1]), l = hexval((unsigned char)s[i + 2]);
            if (h < 0 || l < 0)
                goto bad;
            c = (unsigned char)(h * 16 + l);
            i += 2;
        } else if (c == '+' && plus_space) {
            c = ' ';
        }
        if (c < 0x20 || c == 0x7f || (no_slash && c == '/'))
            goto bad;
        d[j++] = (char)c;
    }
    d[j] = '\0';
    if (!valid_utf8((const unsigned char *)d, j))
        goto bad;
    *out = d;
    return 0;
bad:
    free(d);
    *out = NULL;
    return -1;
}

/* A copy of a path fit for a JSON string and a URI: bytes outside printable
 * ASCII are percent-encoded. Caller frees. */
static char *uri_safe(const char *s)
{
    size_t n = strlen(s);
    char *d = lt_malloc(3 * n + 1);
    size_t j = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p <= 0x20 || *p >= 0x7f || *p == '"' || *p == '\\') {
            j += (size_t)snprintf(d + j, 4, "%%%02X", *p);
        } else {
            d[j++] = (char)*p;
        }
    }
    d[j] = '\0';
    return d;
}

/* A JSON string for caller-supplied text; invalid UTF-8 bytes become '?' so a
 * problem body is always valid JSON. */
static json_t *json_text(const char *s)
{
    json_t *j = json_string(s);
    if (j)
        return j;
    char *c = lt_strdup(s);
    for (unsigned char *p = (unsigned char *)c; *p; p++)
        if (*p >= 0x80)
            *p = '?';
    j = json_string(c);
    free(c);
    return j;
}

/* ------------------------------------------------------------- response ---- */

static void resp_clear(struct lt_http_response *r)
{
    free(r->content_type);
    free(r->body);
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    free(r->headers);
    const struct lt_http_request *req = r->req;
    memset(r, 0, sizeof *r);
    r->req = req;
}

static void resp_free(struct lt_http_response *r)
{
    if (!r)
        return;
    resp_clear(r);
    free(r);
}

/* Sets the response to `body` (taken over; malloc'd, may be NULL when len 0). */
static void resp_adopt(struct lt_http_response *r, unsigned status, const char *ctype,
                       char *body, size_t len)
{
    assert(status >= 100 && status <= 599);
    resp_clear(r);
    r->set = 1;
    r->status = status;
    r->content_type = ctype ? lt_strdup(ctype) : NULL;
    r->body = body;
    r->len = len;
}

int lt_http_bytes(struct lt_http_response *resp, unsigned status, const char *content_type,
                  const void *data, size_t len)
{
    char *copy = NULL;
    if (len) {
        copy = lt_malloc(len);
        memcpy(copy, data, len);
    }
    resp_adopt(resp, status, content_type, copy, len);
    return LT_OK;
}

int lt_http_text(struct lt_http_response *resp, unsigned status, const char *content_type,
                 const char *text)
{
    return lt_http_bytes(resp, status, content_type, text, text ? strlen(text) : 0);
}

static int set_json(struct lt_http_response *resp, unsigned status, const char *ctype,
                    json_t *body)
{
    if (!body) {
        resp_clear(resp);
        return LT_ERR_INVALID;
    }
    char *text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(body);
    if (!text) {
        resp_clear(resp);
        return LT_ERR_INVALID;
    }
    /* json_dumps allocates with malloc unless told otherwise; MHD frees with free. */
    resp_adopt(resp, status, ctype, text, strlen(text));
    return LT_OK;
}

int lt_http_json(struct lt_http_response *resp, unsigned status, json_t *body)
{
    return set_json(resp, status, "application/json", body);
}

int lt_http_problem(struct lt_http_response *resp, unsigned status, const char *type_suffix,
                    const char *title, const char *detail, json_t *extra)
{
    json_t *o = json_object();
    if (type_suffix) {
        char *type = lt_asprintf(PROBLEM_BASE "%s", type_suffix);
        json_object_set_new(o, "type", json_text(type));
        free(type);
    } else {
        json_object_set_new(o, "type", json_string("about:blank"));
    }
    if (!title)
        title = MHD_get_reason_phrase_for(status);
    json_object_set_new(o, "title", json_text(title && *title ? title : "Error"));
    json_object_set_new(o, "status", json_integer(status));
    if (detail)
        json_object_set_new(o, "detail", json_text(detail));
    if (resp->req && resp->req->path) {
        char *inst = uri_safe(resp->req->path);
        json_object_set_new(o, "instance", json_string(inst));
        free(inst);
    }
    if (extra) {
        if (json_is_object(extra))
            json_object_update_missing(o, extra);
        json_decref(extra);
    }
    return set_json(resp, status, "application/problem+json", o);
}

static int header_value_ok(const char *s)
{
    for (; *s; s++)
        if (*s == '\r' || *s == '\n')
            return 0;
    return 1;
}

int lt_http_header_add(struct lt_http_response *resp, const char *name, const char *value)
{
    if (!name || !value || !*name || !header_value_ok(name) || !header_value_ok(value) ||
        strchr(name, ':'))
        return LT_ERR_INVALID;
    resp->headers = lt_realloc(resp->headers, (resp->nheaders + 1) * sizeof *resp->headers);
    resp->headers[resp->nheaders].name = lt_strdup(name);
    resp->headers[resp->nheaders].value = lt_strdup(value);
    resp->nheaders++;
    return LT_OK;
}

/* -------------------------------------------------------------- request ---- */

const char *lt_http_method(const struct lt_http_request *req) { return req->method; }
const char *lt_http_path(const struct lt_http_request *req) { return req->path; }
const char *lt_http_remote(const struct lt_http_request *req) { return req->remote; }

const char *lt_http_param(const struct lt_http_request *req, const char *name)
{
    for (size_t i = 0; i < req->nparams; i++)
        if (strcmp(req->param_name[i], name) == 0)
            return req->param_value[i];
    return NULL;
}

const char *lt_http_query(const struct lt_http_request *req, const char *name)
{
    for (size_t i = 0; i < req->nquery; i++)
        if (strcmp(req->query[i].name, name) == 0)
            return req->query[i].value;
    return NULL;
}

size_t lt_http_query_count(const struct lt_http_request *req)
{
    return req->nquery;
}

int lt_http_query_at(const struct lt_http_request *req, size_t i, const char **name,
                     const char **value)
{
    if (i >= req->nquery)
        return LT_ERR_NOTFOUND;
    *name = req->query[i].name;
    *value = req->query[i].value;
    return LT_OK;
}

const char *lt_http_header(const struct lt_http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const uint8_t *lt_http_body(const struct lt_http_request *req, size_t *len)
{
    *len = req->len;
    return req->body ? req->body : (const uint8_t *)"";
}

static void request_free(struct lt_http_request *req)
{
    if (!req)
        return;
    for (size_t i = 0; i < req->nseg; i++)
        free(req->seg[i]);
    free(req->seg);
    for (size_t i = 0; i < req->nquery; i++) {
        free(req->query[i].name);
        free(req->query[i].value);
    }
    free(req->query);
    free(req->body);
    free(req->path);
    resp_free(req->early);
    free(req);
}

/* ---------------------------------------------------------------- routes ---- */

static void route_clear(struct route *r)
{
    for (size_t i = 0; i < r->nseg; i++) {
        free(r->seg[i]);
        free(r->param_name[i]);
    }
    free(r->seg);
    free(r->param_name);
    free(r->method);
    free(r->pattern);
}

static int valid_method(const char *m)
{
    if (!m || !*m || strlen(m) > 16)
        return 0;
    for (; *m; m++)
        if (*m < 'A' || *m > 'Z')
            return 0;
    return 1;
}

/* Parses a route pattern into r's segments. Returns 0 or -1. */
static int parse_pattern(const char *pattern, struct route *r)
{
    if (!pattern || pattern[0] != '/')
        return -1;
    r->seg = lt_calloc(MAX_SEGMENTS, sizeof *r->seg);
    r->param_name = lt_calloc(MAX_SEGMENTS, sizeof *r->param_name);
    if (strcmp(pattern, "/") == 0)
        return 0;
    size_t nparams = 0;
    const char *p = pattern + 1;
    for (;;) {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == 0 || r->nseg == MAX_SEGMENTS)
            return -1;
        size_t i = r->nseg++;
        if (p[0] == '{') {
            if (n < 3 || p[n - 1] != '}' || nparams == MAX_PARAMS)
                return -1;
            for (size_t k = 1; k < n - 1; k++) {
                char c = p[k];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '_'))
                    return -1;
            }
            r->param_name[i] = lt_strndup(p + 1, n - 2);
            for (size_t k = 0; k < i; k++)
                if (r->param_name[k] && strcmp(r->param_name[k], r->param_name[i]) == 0)
                    return -1;
            nparams++;
        } else {
            for (size_t k = 0; k < n; k++) {
                unsigned char c = (unsigned char)p[k];
                if (c <= 0x20 || c >= 0x7f || c == '{' || c == '}' || c == '%' || c == '?')
                    return -1;
            }
            if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
                return -1;
            r->seg[i] = lt_strndup(p, n);
            r->literal_mask |= (uint32_t)1 << (31 - i);
        }
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

static int same_shape(const struct route *a, const struct route *b)
{
    if (a->nseg != b->nseg || a->literal_mask != b->literal_mask)
        return 0;
    for (size_t i = 0; i < a->nseg; i++)
        if (a->seg[i] && strcmp(a->seg[i], b->seg[i]) != 0)
            return 0;
    return 1;
}

int lt_http_route(struct lt_http_server *srv, const char *method, const char *pattern,
                  lt_http_handler handler, void *arg)
{
    assert(srv && !srv->daemon); /* routes are read without locks once serving */
    struct route r = { 0 };
    int rc = LT_ERR_INVALID;
    if (!valid_method(method) || !handler || parse_pattern(pattern, &r) != 0) {
        lt_error(srv->name, "invalid route %s %s", method ? method : "(null)",
                 pattern ? pattern : "(null)");
        goto out;
    }
    r.method = lt_strdup(method);
    for (size_t i = 0; i < srv->nroutes; i++) {
        if (strcmp(srv->routes[i].method, method) == 0 && same_shape(&srv->routes[i], &r)) {
            lt_error(srv->name, "route %s %s duplicates %s", method, pattern,
                     srv->routes[i].pattern);
            goto out;
        }
    }
    r.pattern = lt_strdup(pattern);
    r.fn = handler;
    r.arg = arg;
    srv->routes = lt_realloc(srv->routes, (srv->nroutes + 1) * sizeof *srv->routes);
    srv->routes[srv->nroutes++] = r;
    return LT_OK;
out:
    route_clear(&r);
    return rc;
}

/* ------------------------------------------------------- request checks ---- */

/* Splits and decodes req->path into req->seg. Returns 0, or -1 with a reason
 * for the 400 detail. */
static int split_path(struct lt_http_request *req, const char **why)
{
    const char *path = req->path;
    if (path[0] != '/') {
        *why = "The request target must be an absolute path.";
        return -1;
    }
    if (strstr(path, "//")) {
        *why = "The path has an empty segment.";
        return -1;
    }
    if (strcmp(path, "/") == 0)
        return 0;
    size_t count = 1;
    for (const char *p = path + 1; *p; p++)
        count += *p == '/';
    req->seg = lt_calloc(count, sizeof *req->seg);
    const char *p = path + 1;
    for (;;) {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char *d;
        if (decode(p, n, 0, 1, &d) != 0) {
            *why = "A path segment is not valid percent-encoded UTF-8, or encodes '/' or a "
                   "control character.";
            return -1;
        }
        req->seg[req->nseg++] = d;
        if (strcmp(d, ".") == 0 || strcmp(d, "..") == 0) {
            *why = "The path has a '.' or '..' segment.";
            return -1;
        }
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    struct lt_http_request *req = cls;
    char *k = NULL, *v = NULL;
    /* MHD has already turned '+' into ' ' (and, with our no-op unescape
     * callback, done nothing else), so '+' here can only come from "%2B". */
    if (decode(key, strlen(key), 1, 0, &k) != 0 ||
        decode(value ? value : "", value ? strlen(value) : 0, 1, 0, &v) != 0) {
        free(k);
        free(v);
        req->query_bad = 1;
        return MHD_NO;
    }
    if (req->nquery == req->capquery) {
        req->capquery = req->capquery ? 2 * req->capquery : 8;
        req->query = lt_realloc(req->query, req->capquery * sizeof *req->query);
    }
    req->query[req->nquery].name = k;
    req->query[req->nquery].value = v;
    req->nquery++;
    return MHD_YES;
}

/* Adds m to the list of allowed methods unless it is there already. */
static void allow_add(const char **allow, size_t *n, size_t cap, const char *m)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(allow[i], m) == 0)
            return;
    if (*n < cap)
        allow[(*n)++] = m;
}

/* Finds the route for req; fills req->route and its parameters. Returns 0, or
 * 404, or 405 with the Allow header value in allow (capacity allowcap). */
static unsigned match_route(struct lt_http_request *req, char *allow, size_t allowcap)
{
    const struct lt_http_server *srv = req->srv;
    const char *method = req->method;
    int is_head = strcmp(method, "HEAD") == 0;
    const struct route *best = NULL;
    uint64_t best_score = 0;
    const char *methods[16];
    size_t nmethods = 0;

    for (size_t i = 0; i < srv->nroutes; i++) {
        const struct route *r = &srv->routes[i];
        if (r->nseg != req->nseg)
            continue;
        size_t k = 0;
        while (k < r->nseg && (!r->seg[k] || strcmp(r->seg[k], req->seg[k]) == 0))
            k++;
        if (k < r->nseg)
            continue;
        allow_add(methods, &nmethods, 16, r->method);
        if (strcmp(r->method, "GET") == 0)
            allow_add(methods, &nmethods, 16, "HEAD");
        int exact = strcmp(r->method, method) == 0;
        if (!exact && !(is_head && strcmp(r->method, "GET") == 0))
            continue;
        /* A literal segment earlier wins; at equal shape, an exact method
         * (a HEAD route) beats GET-for-HEAD. */
        uint64_t score = ((uint64_t)r->literal_mask << 1) | (uint64_t)exact;
        if (!best || score > best_score) {
            best = r;
            best_score = score;
        }
    }
    if (nmethods == 0)
        return MHD_HTTP_NOT_FOUND;
    if (!best) {
        size_t len = 0;
        allow[0] = '\0';
        for (size_t i = 0; i < nmethods && len < allowcap; i++)
            len += (size_t)snprintf(allow + len, allowcap - len, "%s%s", i ? ", " : "",
                                    methods[i]);
        return MHD_HTTP_METHOD_NOT_ALLOWED;
    }
    req->route = best;
    for (size_t k = 0; k < best->nseg; k++) {
        if (best->seg[k])
            continue;
        assert(req->nparams < MAX_PARAMS);
        req->param_name[req->nparams] = best->param_name[k];
        req->param_value[req->nparams] = req->seg[k];
        req->nparams++;
    }
    return 0;
}

static struct lt_http_response *early_problem(struct lt_http_request *req, unsigned status,
                                              const char *suffix, const char *title,
                                              const char *detail)
{
    struct lt_http_response *r = lt_calloc(1, sizeof *r);
    r->req = req;
    (void)lt_http_problem(r, status, suffix, title, detail, NULL);
    return r;
}

/* Looks at a request whose headers are in; sets req->early when the answer
 * is already known. */
static void check_request(struct lt_http_request *req)
{
    struct lt_http_server *srv = req->srv;
    const char *why = NULL;
    if (split_path(req, &why) != 0) {
        req->early = early_problem(req, 400, "invalid-path", "Invalid path", why);
        return;
    }
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, collect_query, req);
    if (req->query_bad) {
        req->early = early_problem(req, 400, "invalid-query", "Invalid query string",
                                   "A query parameter is not valid percent-encoded UTF-8 "
                                   "or holds a control character.");
        return;
    }
    char allow[320]; /* 16 methods of up to 16 characters */
    unsigned st = match_route(req, allow, sizeof allow);
    if (st == MHD_HTTP_NOT_FOUND) {
        req->early = early_problem(req, 404, "not-found", "Not found",
                                   "No resource is served at this path.");
        return;
    }
    if (st == MHD_HTTP_METHOD_NOT_ALLOWED) {
        char *detail = lt_asprintf("This resource allows %s.", allow);
        req->early = early_problem(req, 405, "method-not-allowed", "Method not allowed", detail);
        free(detail);
        (void)lt_http_header_add(req->early, "Allow", allow);
        return;
    }
    const char *cl = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl) {
        /* MHD has already refused a malformed Content-Length. */
        unsigned long long n = strtoull(cl, NULL, 10);
        if (n > srv->max_body) {
            char *detail = lt_asprintf("The request body is %llu bytes; the limit is %zu.", n,
                                       srv->max_body);
            req->early = early_problem(req, 413, "body-too-large", "Request body too large",
                                       detail);
            free(detail);
            return;
        }
        /* Size the buffer from the announced length, but not beyond 256 KiB
         * before the bytes actually arrive (append_body grows it). */
        if (n > 0) {
            req->cap = (size_t)(n < 262144 ? n : 262144) + 1;
            req->body = lt_malloc(req->cap);
        }
    }
}

/* Appends a piece of body; past the limit, marks the request too large and
 * keeps nothing more. */
static void append_body(struct lt_http_request *req, const char *data, size_t n)
{
    size_t max = req->srv->max_body;
    if (req->too_large || n > max - req->len) {
        req->too_large = 1;
        return;
    }
    if (req->len + n + 1 > req->cap) {
        size_t cap = req->cap ? req->cap : 4096;
        while (cap < req->len + n + 1)
            cap *= 2;
        if (cap > max + 1)
            cap = max + 1;
        req->body = lt_realloc(req->body, cap);
        req->cap = cap;
    }
    memcpy(req->body + req->len, data, n);
    req->len += n;
    req->body[req->len] = '\0';
}

/* ------------------------------------------------------------ MHD glue ---- */

static int has_body(struct MHD_Connection *conn)
{
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    const char *te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_TRANSFER_ENCODING);
    return (cl && strtoull(cl, NULL, 10) > 0) || te;
}

/* Hands r's body to MHD and queues it; r is emptied. */
static enum MHD_Result queue(struct lt_http_request *req, struct lt_http_response *r)
{
    struct lt_http_server *srv = req->srv;
    struct MHD_Response *mr;
    if (r->len)
        mr = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
    else
        mr = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!mr)
        return MHD_NO;
    r->body = NULL; /* MHD frees it now */
    if (r->content_type)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    MHD_add_response_header(mr, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
    for (size_t i = 0; i < r->nheaders; i++)
        MHD_add_response_header(mr, r->headers[i].name, r->headers[i].value);
    if (atomic_load(&srv->stopping))
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ok = MHD_queue_response(req->conn, r->status, mr);
    MHD_destroy_response(mr);
    if (ok == MHD_YES) {
        req->status = r->status;
        req->bytes = r->len;
    }
    resp_clear(r);
    return ok;
}

static void client_address(struct lt_http_request *req)
{
    snprintf(req->remote, sizeof req->remote, "-");
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    socklen_t len = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                              : sizeof(struct sockaddr_in);
    if (getnameinfo(sa, len, req->remote, sizeof req->remote, NULL, 0, NI_NUMERICHOST) != 0)
        snprintf(req->remote, sizeof req->remote, "-");
}

static enum MHD_Result run_handler(struct lt_http_request *req)
{
    struct lt_http_server *srv = req->srv;
    struct lt_http_response resp = { .req = req };
    int rc = req->route->fn(req, &resp, req->route->arg);
    if (!resp.set) {
        lt_error(srv->name, "handler for %s %s returned %s without a response", req->method,
                 req->route->pattern, rc ? lt_err_name(rc) : "ok");
        (void)lt_http_problem(&resp, 500, "internal", "Internal server error",
                              "The request could not be completed.", NULL);
    } else if (rc != LT_OK) {
        lt_warn(srv->name, "handler for %s %s returned %s", req->method, req->route->pattern,
                lt_err_name(rc));
    }
    enum MHD_Result ok = queue(req, &resp);
    resp_clear(&resp);
    return ok;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version,
                                 const char *upload_data, size_t *upload_data_size,
                                 void **con_cls)
{
    (void)version;
    struct lt_http_server *srv = cls;
    struct lt_http_request *req = *con_cls;

    if (!req) { /* headers are in */
        req = lt_calloc(1, sizeof *req);
        clock_gettime(CLOCK_MONOTONIC, &req->start);
        req->srv = srv;
        req->conn = conn;
        req->method = method;
        req->path = lt_strdup(url);
        *con_cls = req;
        atomic_fetch_add(&srv->inflight, 1);
        if (srv->m_inflight)
            lt_metrics_gauge_add(srv->m_inflight, 1);
        client_address(req);
        check_request(req);
        /* An error with a body coming: answer now and never read the body
         * (MHD then closes the connection). Without a body, answer on the
         * next call so the connection stays usable. */
        if (req->early && has_body(conn))
            return queue(req, req->early);
        return MHD_YES;
    }

    if (*upload_data_size) {
        if (!req->early)
            append_body(req, upload_data, *upload_data_size);
        *upload_data_size = 0;
        if (req->too_large && !req->early) {
            /* A chunked body past the limit: stop reading it. Try to answer;
             * if MHD cannot answer mid-upload, drop the connection. */
            char *detail = lt_asprintf("The request body exceeds the limit of %zu bytes.",
                                       srv->max_body);
            req->early = early_problem(req, 413, "body-too-large", "Request body too large",
                                       detail);
            free(detail);
            enum MHD_Result ok = queue(req, req->early);
            if (ok != MHD_YES)
                lt_warn(srv->name, "%s %s: chunked body over %zu bytes, closing the connection",
                        req->method, req->route->pattern, srv->max_body);
            return ok;
        }
        return MHD_YES;
    }

    /* The request is complete. */
    if (req->early) {
        if (req->status) /* already queued */
            return MHD_YES;
        return queue(req, req->early);
    }
    return run_handler(req);
}

static const char *termination_name(enum MHD_RequestTerminationCode toe)
{
    switch (toe) {
    case MHD_REQUEST_TERMINATED_COMPLETED_OK: return NULL;
    case MHD_REQUEST_TERMINATED_WITH_ERROR: return "error";
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED: return "timeout";
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN: return "shutdown";
    case MHD_REQUEST_TERMINATED_READ_ERROR: return "read-error";
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT: return "client-abort";
    }
    return "other";
}

/* Appends ` key="value"` to a logfmt line, escaping quotes and backslashes
 * (the logger then escapes the whole message for JSON). */
static void logfmt_quoted(char *buf, size_t cap, size_t *len, const char *key, const char *v)
{
    size_t n = *len;
    n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, " %s=\"", key);
    for (const char *p = v; *p && n + 4 < cap; p++) {
        if (*p == '"' || *p == '\\')
            buf[n++] = '\\';
        buf[n++] = *p;
    }
    if (n + 2 <= cap) {
        buf[n++] = '"';
        buf[n] = '\0';
    }
    *len = n;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    struct lt_http_server *srv = cls;
    struct lt_http_request *req = *con_cls;
    if (!req)
        return;
    *con_cls = NULL;

    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double secs = (double)(now.tv_sec - req->start.tv_sec) +
                  (double)(now.tv_nsec - req->start.tv_nsec) / 1e9;

    /* The route pattern, not the path, when the path carries parameters:
     * those are subject ids and other personal data. Never the query. */
    const char *logged = req->route && req->nparams ? req->route->pattern : req->path;
    char unrouted[80];
    if (!req->route && req->path) {
        /* No route matched: the path may hold anything (a mistyped URL with a
         * subject id in it). Only its first segment is logged, and a lone
         * segment only when it has no digit. */
        const char *second = req->path[0] == '/' ? strchr(req->path + 1, '/') : NULL;
        if (second)
            snprintf(unrouted, sizeof unrouted, "%.*s/…", (int)(second - req->path < 40
                     ? second - req->path : 40), req->path);
        else
            snprintf(unrouted, sizeof unrouted, "%s", strpbrk(req->path, "0123456789") ||
                     strlen(req->path) > 40 ? "/…" : req->path);
        logged = unrouted;
    }
    char line[1024];
    size_t len = (size_t)snprintf(line, sizeof line, "method=%.16s", req->method);
    for (size_t i = 7; i < len; i++) /* a method is a token; keep the line parseable */
        if (line[i] <= ' ' || line[i] == '"' || line[i] >= 0x7f)
            line[i] = '?';
    char trimmed[512];
    snprintf(trimmed, sizeof trimmed, "%s", logged);
    logfmt_quoted(line, sizeof line, &len, "path", trimmed);
    const char *term = termination_name(toe);
    snprintf(line + len, sizeof line - len, " status=%u bytes=%zu ms=%.3f remote=%s%s%s",
             req->status, req->bytes, secs * 1e3, req->remote, term ? " aborted=" : "",
             term ? term : "");
    lt_info(srv->access_comp, "%s", line);

    if (srv->m_requests) {
        lt_metrics_counter_inc(srv->m_requests);
        if (req->status >= 400 && req->status < 500)
            lt_metrics_counter_inc(srv->m_4xx);
        else if (req->status >= 500)
            lt_metrics_counter_inc(srv->m_5xx);
        lt_metrics_observe(srv->m_duration, secs);
        lt_metrics_gauge_add(srv->m_inflight, -1);
    }
    request_free(req);
    atomic_fetch_sub(&srv->inflight, 1);
}

/* MHD hands us the path and query raw; see the file comment. */
static size_t no_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    return strlen(s);
}

__attribute__((format(printf, 2, 0)))
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    const struct lt_http_server *srv = cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    lt_warn(srv->name, "libmicrohttpd: %s", msg);
}

/* ---------------------------------------------------------- life cycle ---- */

int lt_http_server_new(const struct lt_http_config *cfg, struct lt_http_server **out,
                       char *err, size_t errlen)
{
    assert(cfg && out);
    *out = NULL;
    struct lt_http_config c = *cfg;
    if (!c.bind_address)
        c.bind_address = "127.0.0.1";
    if (c.port > 65535)
        return lt_err_set(err, errlen, LT_ERR_CONFIG, "http port %u is out of range", c.port);

    struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_PASSIVE,
                              .ai_socktype = SOCK_STREAM };
    struct addrinfo *ai = NULL;
    char portstr[8];
    snprintf(portstr, sizeof portstr, "%u", c.port);
    int g = getaddrinfo(c.bind_address, portstr, &hints, &ai);
    if (g != 0)
        return lt_err_set(err, errlen, LT_ERR_CONFIG, "http bind address \"%s\": %s",
                          c.bind_address, gai_strerror(g));

    int rc = LT_OK;
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        rc = lt_err_set(err, errlen, LT_ERR_IO, "socket: %s", strerror(errno));
        goto out;
    }
    int one = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ai->ai_family == AF_INET6)
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
        rc = lt_err_set(err, errlen, LT_ERR_IO, "http listen on %s port %u: %s",
                        c.bind_address, c.port, strerror(errno));
        goto out;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
        rc = lt_err_set(err, errlen, LT_ERR_IO, "getsockname: %s", strerror(errno));
        goto out;
    }

    struct lt_http_server *srv = lt_calloc(1, sizeof *srv);
    srv->bind_address = lt_strdup(c.bind_address);
    srv->name = lt_strdup(c.name ? c.name : "http");
    srv->access_comp = lt_asprintf("%s.access", srv->name);
    srv->max_connections = c.max_connections ? c.max_connections : 128;
    srv->timeout_s = c.timeout_s ? c.timeout_s : 30;
    srv->max_body = c.max_body ? c.max_body : LT_HTTP_DEFAULT_MAX_BODY;
    srv->shutdown_grace_ms = c.shutdown_grace_ms ? c.shutdown_grace_ms : 5000;
    srv->family = ai->ai_family;
    srv->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                               : ((struct sockaddr_in *)&ss)->sin_port);
    srv->fd = fd;
    atomic_init(&srv->stopping, 0);
    atomic_init(&srv->inflight, 0);
    fd = -1;
    *out = srv;
out:
    if (fd >= 0)
        close(fd);
    freeaddrinfo(ai);
    return rc;
}

unsigned lt_http_server_port(const struct lt_http_server *srv)
{
    return srv->port;
}

int lt_http_server_start(struct lt_http_server *srv, char *err, size_t errlen)
{
    assert(srv && !srv->daemon && srv->fd >= 0);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (srv->family == AF_INET6)
        flags |= MHD_USE_IPv6;
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_access, srv,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv, /* first, or MHD logs some to stderr */
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)srv->fd,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)srv->max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)srv->timeout_s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, srv,
        MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
        MHD_OPTION_END);
    if (!srv->daemon)
        return lt_err_set(err, errlen, LT_ERR_IO, "cannot start the HTTP server on %s port %u",
                          srv->bind_address, srv->port);
    srv->fd = -1; /* MHD's now */
    lt_info(srv->name, "listening on %s port %u", srv->bind_address, srv->port);
    return LT_OK;
}

void lt_http_server_free(struct lt_http_server *srv)
{
    if (!srv)
        return;
    if (srv->daemon) {
        atomic_store(&srv->stopping, 1);
        /* Stop accepting; MHD gives the listening socket back to us, to close
         * only after MHD_stop_daemon. */
        MHD_socket lfd = MHD_quiesce_daemon(srv->daemon);
        struct timespec t0, now;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (;;) {
            int left = atomic_load(&srv->inflight);
            if (left == 0)
                break;
            clock_gettime(CLOCK_MONOTONIC, &now);
            long ms = (long)(now.tv_sec - t0.tv_sec) * 1000 +
                      (now.tv_nsec - t0.tv_nsec) / 1000000;
            if (ms >= (long)srv->shutdown_grace_ms) {
                lt_warn(srv->name, "stopping with %d request(s) still in flight", left);
                break;
            }
            struct timespec pause = { 0, 5 * 1000 * 1000 };
            nanosleep(&pause, NULL);
        }
        MHD_stop_daemon(srv->daemon);
        if (lfd != MHD_INVALID_SOCKET)
            close(lfd);
        lt_info(srv->name, "stopped");
    } else if (srv->fd >= 0) {
        close(srv->fd);
    }
    for (size_t i = 0; i < srv->nroutes; i++)
        route_clear(&srv->routes[i]);
    free(srv->routes);
    free(srv->bind_address);
    free(srv->name);
    free(srv->access_comp);
    free(srv);
}

/* ------------------------------------------------------ standard routes ---- */

static int serve_metrics(struct lt_http_request *req, struct lt_http_response *resp, void *arg)
{
    (void)req;
    struct lt_http_server *srv = arg;
    char *text = NULL;
    int rc = lt_metrics_render(srv->metrics, &text);
    if (rc != LT_OK)
        return rc;
    resp_adopt(resp, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text));
    return LT_OK;
}

static int serve_health(struct lt_http_request *req, struct lt_http_response *resp, void *arg)
{
    (void)req;
    struct lt_http_server *srv = arg;
    static const char *const names[] = { "ok", "degraded", "down" };
    json_t *details = json_object();
    enum lt_http_health h = srv->health ? srv->health(details, srv->health_arg)
                                        : LT_HTTP_HEALTH_OK;
    if ((unsigned)h > LT_HTTP_HEALTH_DOWN)
        h = LT_HTTP_HEALTH_DOWN;
    json_t *body = json_object();
    json_object_set_new(body, "status", json_string(names[h]));
    json_object_update_missing(body, details);
    json_decref(details);
    return lt_http_json(resp, h == LT_HTTP_HEALTH_DOWN ? 503 : 200, body);
}

int lt_http_add_standard_routes(struct lt_http_server *srv, struct lt_metrics *metrics,
                                lt_http_health_fn health, void *arg)
{
    assert(srv && !srv->daemon);
    srv->health = health;
    srv->health_arg = arg;
    int rc = lt_http_route(srv, "GET", "/healthz", serve_health, srv);
    if (rc != LT_OK || !metrics)
        return rc;
    srv->metrics = metrics;
    rc = lt_http_route(srv, "GET", "/metrics", serve_metrics, srv);
    if (rc != LT_OK)
        return rc;
    srv->m_requests = lt_metrics_counter(metrics, "http_requests_total",
                                         "HTTP requests answered (or abandoned).");
    srv->m_4xx = lt_metrics_counter(metrics, "http_responses_4xx_total",
                                    "HTTP responses with a 4xx status.");
    srv->m_5xx = lt_metrics_counter(metrics, "http_responses_5xx_total",
                                    "HTTP responses with a 5xx status.");
    srv->m_inflight = lt_metrics_gauge(metrics, "http_requests_in_flight",
                                       "HTTP requests being received, handled or sent.");
    srv->m_duration = lt_metrics_histogram(metrics, "http_request_duration_seconds",
                                           "Time from request headers to response sent.",
                                           lt_metrics_latency_buckets,
                                           lt_metrics_latency_buckets_n);
    return LT_OK;
}
