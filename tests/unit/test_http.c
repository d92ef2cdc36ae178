/* test_http — the HTTP server against a real socket: a server on an ephemeral
 * port on 127.0.0.1 and a tiny raw-socket client. Covers routing and path
 * parameters, query decoding, 400/404/405/413/500 problem+json bodies, the
 * body limit, path tricks, HEAD and keep-alive, the standard /healthz and
 * /metrics routes, the access log, concurrent clients, and a clean shutdown
 * while requests are in flight. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/err.h"
#include "core/mem.h"
#include "http/metrics.h"
#include "http/server.h"

/* ------------------------------------------------------------- client ---- */

struct reply {
    int status;
    char *raw;   /* the whole response */
    char *head;  /* status line and headers, NUL-terminated */
    char *body;  /* NUL-terminated */
    size_t body_len;
};

static void reply_free(struct reply *r)
{
    free(r->raw);
    free(r->head);
    memset(r, 0, sizeof *r);
}

/* The value of a response header (case-insensitive), copied into buf. */
static const char *reply_header(const struct reply *r, const char *name, char *buf, size_t cap)
{
    size_t nl = strlen(name);
    for (const char *p = strstr(r->head, "\r\n"); p && p[2]; p = strstr(p + 2, "\r\n")) {
        const char *line = p + 2;
        if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (*v == ' ')
                v++;
            const char *e = strstr(v, "\r\n");
            size_t n = e ? (size_t)(e - v) : strlen(v);
            snprintf(buf, cap, "%.*s", (int)n, v);
            return buf;
        }
    }
    return NULL;
}

static int connect_to(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct timeval tv = { 10, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

static int send_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Parses one response from raw[0..n): fills r (taking raw). Returns the
 * number of bytes it used, 0 if incomplete. With until_close the body is
 * whatever follows the headers. */
static size_t parse_reply(char *raw, size_t n, int until_close, int head_only, struct reply *r)
{
    char *end = NULL;
    for (size_t i = 0; i + 3 < n; i++)
        if (memcmp(raw + i, "\r\n\r\n", 4) == 0) {
            end = raw + i;
            break;
        }
    if (!end)
        return 0;
    size_t hlen = (size_t)(end - raw) + 4;
    struct reply tmp = { 0 };
    tmp.head = lt_strndup(raw, hlen - 2);
    tmp.status = atoi(raw + 9);
    char cl[32];
    size_t blen = n - hlen;
    if (!until_close) {
        if (head_only || !reply_header(&tmp, "Content-Length", cl, sizeof cl))
            blen = 0;
        else
            blen = (size_t)strtoull(cl, NULL, 10);
        if (n - hlen < blen) {
            free(tmp.head);
            return 0;
        }
    }
    tmp.raw = lt_malloc(hlen + blen + 1);
    memcpy(tmp.raw, raw, hlen + blen);
    tmp.raw[hlen + blen] = '\0';
    tmp.body = tmp.raw + hlen;
    tmp.body_len = blen;
    *r = tmp;
    return hlen + blen;
}

/* Sends a raw request on a new connection and reads until the server closes
 * it. Returns 0 with *r filled, -1 when no complete response came. */
static int exchange(unsigned port, const char *req, size_t len, struct reply *r)
{
    memset(r, 0, sizeof *r);
    int fd = connect_to(port);
    if (send_all(fd, req, len) != 0) {
        /* The server may answer and close before taking everything. */
    }
    size_t cap = 65536, n = 0;
    char *buf = lt_malloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = lt_realloc(buf, cap);
        }
        ssize_t got = recv(fd, buf + n, cap - n, 0);
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    int ok = parse_reply(buf, n, 1, 0, r) ? 0 : -1;
    free(buf);
    return ok;
}

/* A request with "Connection: close"; body may be NULL. */
static int request(unsigned port, const char *method, const char *target, const char *extra,
                   const char *body, size_t body_len, struct reply *r)
{
    char *head = lt_asprintf("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s",
                             method, target, extra ? extra : "");
    char *cl = body ? lt_asprintf("Content-Length: %zu\r\n\r\n", body_len) : lt_strdup("\r\n");
    size_t hl = strlen(head), cll = strlen(cl);
    char *all = lt_malloc(hl + cll + body_len + 1);
    memcpy(all, head, hl);
    memcpy(all + hl, cl, cll);
    if (body)
        memcpy(all + hl + cll, body, body_len);
    int rc = exchange(port, all, hl + cll + (body ? body_len : 0), r);
    free(all);
    free(cl);
    free(head);
    return rc;
}

static int get(unsigned port, const char *target, struct reply *r)
{
    return request(port, "GET", target, NULL, NULL, 0, r);
}

static json_t *reply_json(const struct reply *r)
{
    json_error_t e;
    json_t *j = json_loadb(r->body, r->body_len, 0, &e);
    if (!j)
        fail_msg("not JSON (%s): %s", e.text, r->body);
    return j;
}

static const char *jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Checks a problem+json reply and returns its parsed body (caller decrefs). */
static json_t *expect_problem(const struct reply *r, int status, const char *suffix,
                              const char *instance)
{
    char buf[256];
    assert_int_equal(r->status, status);
    assert_non_null(reply_header(r, "Content-Type", buf, sizeof buf));
    assert_string_equal(buf, "application/problem+json");
    json_t *p = reply_json(r);
    char type[256];
    snprintf(type, sizeof type, "https://lienthong.invalid/problems/%s", suffix);
    assert_string_equal(jstr(p, "type"), type);
    assert_non_null(jstr(p, "title"));
    assert_int_equal(json_integer_value(json_object_get(p, "status")), status);
    if (instance)
        assert_string_equal(jstr(p, "instance"), instance);
    return p;
}

static void expect_security_headers(const struct reply *r)
{
    char buf[64];
    assert_non_null(reply_header(r, "Cache-Control", buf, sizeof buf));
    assert_string_equal(buf, "no-store");
    assert_non_null(reply_header(r, "X-Content-Type-Options", buf, sizeof buf));
    assert_string_equal(buf, "nosniff");
}

/* ------------------------------------------------------------ handlers ---- */

static int h_echo(struct lt_http_request *req, struct lt_http_response *resp, void *arg)
{
    (void)arg;
    json_t *q = json_object();
    for (size_t i = 0; i < lt_http_query_count(req); i++) {
        const char *n, *v;
        assert_int_equal(lt_http_query_at(req, i, &n, &v), LT_OK);
        if (!json_object_get(q, n))
            json_object_set_new(q, n, json_string(v));
    }
    const char *n, *v;
    assert_int_equal(lt_http_query_at(req, lt_http_query_count(req), &n, &v), LT_ERR_NOTFOUND);
    const char *x = lt_http_query(req, "x");
    const char *hdr = lt_http_header(req, "x-test");
    return lt_http_json(resp, 200,
                        json_pack("{s:s, s:s, s:o, s:s?, s:s?, s:s}", "method",
                                  lt_http_method(req), "path", lt_http_path(req), "query", q,
                                  "x", x, "header", hdr, "remote", lt_http_remote(req)));
}

static int h_timeline(struct lt_http_request *req, struct lt_http_response *resp, void *arg)
{
    (void)arg;
    assert_null(lt_http_param(req, "nope"));
    return lt_http_json(resp, 200, json_pack("{s:s}", "subject", lt_http_param(req, "subject")));
}

static int h_search(struct lt_http_request *req, struct lt_http_response *resp, void *arg)
{
    (void)req;
    (void)arg;
    return lt_http_json(resp, 200, json_pack("{s:b}", "search", 1));
}

static int h_post(struct lt_http_request *req, struct lt_http_response *resp, void *arg)
{
    (void)arg;
    size_t len;
    const uint8_t *body = lt_http_body(req, &len);
    assert_int_equal(body[len], '\0');
    size_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum += body[i];
    int rc = lt_http_json(resp, 202, json_pack("{s:I, s:I}", "len", (json_int_t)len, "sum",
                                               (json_int_t)sum));
    if (rc == LT_OK)
        rc = lt_http_header_add(resp, "Location", "/v1/events/1");
    assert_int_equal(lt_http_header_add(resp, "Bad", "a\r\nInjected: 1"), LT_ERR_INVALID);
    return rc;
}

static int h_fail(struct lt_http_request *req, struct lt_http_response *resp, void *arg)
{
    (void)req;
    (void)resp;
    (void)arg;
    return LT_ERR_DB;
}

static int h_forgot(struct lt_http_request *req, struct lt_http_response *resp, void *arg)
{
    (void)req;
    (void)resp;
    (void)arg;
    return LT_OK;
}

static int h_problem(struct lt_http_request *req, struct lt_http_response *resp, void *arg)
{
    (void)req;
    (void)arg;
    json_t *extra = json_pack("{s:[{s:s, s:s}], s:s}", "errors", "field", "header.event_id",
                              "reason", "not a UUIDv7", "title", "overridden?");
    lt_http_problem(resp, 422, "invalid-event", "Invalid event", "1 field is invalid.", extra);
    return LT_ERR_INVALID; /* an error with a response: the response is sent */
}

static int h_text(struct lt_http_request *req, struct lt_http_response *resp, void *arg)
{
    (void)req;
    (void)arg;
    return lt_http_text(resp, 200, "text/html; charset=utf-8", "<p>Xin chào</p>");
}

static atomic_int slow_entered;
static atomic_int slow_release; /* 1: slow handlers may return */

static int h_slow(struct lt_http_request *req, struct lt_http_response *resp, void *arg)
{
    (void)req;
    (void)arg;
    atomic_fetch_add(&slow_entered, 1);
    for (int i = 0; i < 400 && !atomic_load(&slow_release); i++) {
        struct timespec t = { 0, 5 * 1000 * 1000 };
        nanosleep(&t, NULL);
    }
    return lt_http_text(resp, 200, "text/plain", "done");
}

static atomic_int health_state;

static enum lt_http_health h_health(json_t *details, void *arg)
{
    assert_ptr_equal(arg, &health_state);
    json_object_set_new(details, "kafka", json_string("up"));
    json_object_set_new(details, "status", json_string("must not override"));
    return (enum lt_http_health)atomic_load(&health_state);
}

/* ------------------------------------------------------------- fixture ---- */

#define SMALL_BODY 65536

struct fixture {
    struct lt_http_server *srv;
    struct lt_metrics *metrics;
    unsigned port;
};

static void add_routes(struct lt_http_server *srv)
{
    assert_int_equal(lt_http_route(srv, "GET", "/v1/echo", h_echo, NULL), LT_OK);
    assert_int_equal(lt_http_route(srv, "GET", "/v1/persons/{subject}/timeline", h_timeline,
                                   NULL), LT_OK);
    assert_int_equal(lt_http_route(srv, "GET", "/v1/persons/search/timeline", h_search, NULL),
                     LT_OK);
    assert_int_equal(lt_http_route(srv, "POST", "/v1/events", h_post, NULL), LT_OK);
    assert_int_equal(lt_http_route(srv, "PUT", "/v1/echo", h_echo, NULL), LT_OK);
    assert_int_equal(lt_http_route(srv, "GET", "/v1/fail", h_fail, NULL), LT_OK);
    assert_int_equal(lt_http_route(srv, "GET", "/v1/forgot", h_forgot, NULL), LT_OK);
    assert_int_equal(lt_http_route(srv, "GET", "/v1/problem", h_problem, NULL), LT_OK);
    assert_int_equal(lt_http_route(srv, "GET", "/", h_text, NULL), LT_OK);
    assert_int_equal(lt_http_route(srv, "GET", "/v1/slow", h_slow, NULL), LT_OK);
}

static int setup(void **state)
{
    struct fixture *f = lt_calloc(1, sizeof *f);
    char err[256];
    struct lt_http_config cfg = { .max_body = SMALL_BODY };
    assert_int_equal(lt_http_server_new(&cfg, &f->srv, err, sizeof err), LT_OK);
    f->port = lt_http_server_port(f->srv);
    assert_true(f->port > 0);
    f->metrics = lt_metrics_new();
    add_routes(f->srv);
    assert_int_equal(lt_http_add_standard_routes(f->srv, f->metrics, h_health, &health_state),
                     LT_OK);
    assert_int_equal(lt_http_server_start(f->srv, err, sizeof err), LT_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    lt_http_server_free(f->srv);
    lt_metrics_free(f->metrics);
    free(f);
    return 0;
}

/* --------------------------------------------------------------- tests ---- */

static void routes_and_params(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    char buf[128];

    assert_int_equal(get(f->port, "/v1/persons/VNM%3A001234567890/timeline", &r), 0);
    assert_int_equal(r.status, 200);
    expect_security_headers(&r);
    assert_string_equal(reply_header(&r, "Content-Type", buf, sizeof buf), "application/json");
    json_t *j = reply_json(&r);
    assert_string_equal(jstr(j, "subject"), "VNM:001234567890");
    json_decref(j);
    reply_free(&r);

    /* Decoded UTF-8 in a parameter. */
    assert_int_equal(get(f->port, "/v1/persons/%C4%90%E1%BB%97/timeline", &r), 0);
    j = reply_json(&r);
    assert_string_equal(jstr(j, "subject"), "Đỗ");
    json_decref(j);
    reply_free(&r);

    /* A literal segment beats a parameter. */
    assert_int_equal(get(f->port, "/v1/persons/search/timeline", &r), 0);
    j = reply_json(&r);
    assert_true(json_is_true(json_object_get(j, "search")));
    json_decref(j);
    reply_free(&r);

    assert_int_equal(get(f->port, "/", &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(reply_header(&r, "Content-Type", buf, sizeof buf),
                        "text/html; charset=utf-8");
    assert_string_equal(r.body, "<p>Xin chào</p>");
    expect_security_headers(&r);
    reply_free(&r);

    /* Headers reach the handler, case-insensitively. */
    assert_int_equal(request(f->port, "GET", "/v1/echo", "X-TEST: hello\r\n", NULL, 0, &r), 0);
    j = reply_json(&r);
    assert_string_equal(jstr(j, "header"), "hello");
    assert_string_equal(jstr(j, "method"), "GET");
    assert_string_equal(jstr(j, "path"), "/v1/echo");
    assert_string_equal(jstr(j, "remote"), "127.0.0.1");
    json_decref(j);
    reply_free(&r);
}

static void query_decoding(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    assert_int_equal(get(f->port, "/v1/echo?name=Nguy%E1%BB%85n+V%C4%83n&empty&x=a%2Bb&x=second"
                                  "&k%20ey=v&eq=",
                         &r),
                     0);
    assert_int_equal(r.status, 200);
    json_t *j = reply_json(&r);
    json_t *q = json_object_get(j, "query");
    assert_string_equal(jstr(q, "name"), "Nguyễn Văn");
    assert_string_equal(jstr(q, "empty"), "");
    assert_string_equal(jstr(q, "eq"), "");
    assert_string_equal(jstr(q, "k ey"), "v");
    assert_string_equal(jstr(j, "x"), "a+b"); /* the first of two */
    json_decref(j);
    reply_free(&r);

    /* No query at all. */
    assert_int_equal(get(f->port, "/v1/echo", &r), 0);
    j = reply_json(&r);
    assert_int_equal(json_object_size(json_object_get(j, "query")), 0);
    assert_true(json_is_null(json_object_get(j, "x")));
    json_decref(j);
    reply_free(&r);

    static const char *const bad[] = {
        "/v1/echo?q=%FF",       /* not UTF-8 */
        "/v1/echo?q=%00",       /* NUL */
        "/v1/echo?q=%zz",       /* bad escape */
        "/v1/echo?q=%4",        /* truncated escape */
        "/v1/echo?q=%C0%AF",    /* overlong '/' */
        "/v1/echo?q=%ED%A0%80", /* UTF-16 surrogate */
        "/v1/echo?q=a%0Ab",     /* control character */
        "/v1/echo?%FF=1",       /* bad name */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(get(f->port, bad[i], &r), 0);
        json_t *p = expect_problem(&r, 400, "invalid-query", "/v1/echo");
        /* The offending text is not echoed back. */
        assert_null(strstr(r.body, "%FF"));
        json_decref(p);
        reply_free(&r);
    }
}

static void not_found_and_method_not_allowed(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    char buf[128];

    assert_int_equal(get(f->port, "/nope?secret=1", &r), 0);
    json_t *p = expect_problem(&r, 404, "not-found", "/nope");
    assert_non_null(jstr(p, "detail"));
    expect_security_headers(&r);
    json_decref(p);
    reply_free(&r);

    /* A trailing slash is another path. */
    assert_int_equal(get(f->port, "/v1/echo/", &r), 0);
    json_decref(expect_problem(&r, 404, "not-found", "/v1/echo/"));
    reply_free(&r);

    assert_int_equal(request(f->port, "DELETE", "/v1/echo", NULL, NULL, 0, &r), 0);
    json_decref(expect_problem(&r, 405, "method-not-allowed", "/v1/echo"));
    assert_non_null(reply_header(&r, "Allow", buf, sizeof buf));
    assert_string_equal(buf, "GET, HEAD, PUT");
    reply_free(&r);

    /* 405 with a body coming: answered without reading it. */
    assert_int_equal(request(f->port, "POST", "/v1/echo", NULL, "{}", 2, &r), 0);
    json_decref(expect_problem(&r, 405, "method-not-allowed", "/v1/echo"));
    reply_free(&r);

    assert_int_equal(request(f->port, "GET", "/v1/events", NULL, NULL, 0, &r), 0);
    json_decref(expect_problem(&r, 405, "method-not-allowed", NULL));
    assert_string_equal(reply_header(&r, "Allow", buf, sizeof buf), "POST");
    reply_free(&r);

    /* HEAD answers a GET route with headers only. */
    assert_int_equal(request(f->port, "HEAD", "/v1/echo", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, 0);
    expect_security_headers(&r);
    reply_free(&r);
}

static void path_tricks(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    static const char *const bad[] = {
        "/v1/../v1/echo",
        "/v1/%2e%2e/v1/echo",
        "/v1/%2E%2E/v1/echo",
        "/v1/./echo",
        "/v1/%2e/echo",
        "//v1/echo",
        "/v1//echo",
        "/v1/persons/a%2Fb/timeline",
        "/v1/persons/a%2fb/timeline",
        "/v1/persons/%00/timeline",
        "/v1/persons/a%0D%0Ab/timeline",
        "/v1/persons/%ZZ/timeline",
        "/v1/persons/%C3%28/timeline",
        "/v1/persons/%/timeline",
        "/..",
        "*",
        "http://example.invalid/v1/echo",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(get(f->port, bad[i], &r), 0);
        if (r.status != 400)
            fail_msg("%s: status %d", bad[i], r.status);
        json_t *p = expect_problem(&r, 400, "invalid-path", NULL);
        /* instance is always a clean URI reference */
        assert_non_null(jstr(p, "instance"));
        assert_null(strchr(jstr(p, "instance"), '\n'));
        json_decref(p);
        reply_free(&r);
    }
    /* Raw non-ASCII bytes in the target: a 400 (or MHD's own refusal), and
     * never invalid JSON. */
    static const char raw[] = "GET /v1/persons/\xff\xfe/timeline HTTP/1.1\r\nHost: x\r\n"
                              "Connection: close\r\n\r\n";
    assert_int_equal(exchange(f->port, raw, sizeof raw - 1, &r), 0);
    assert_int_equal(r.status, 400);
    if (strstr(r.head, "problem+json")) {
        json_t *p = reply_json(&r);
        assert_string_equal(jstr(p, "instance"), "/v1/persons/%FF%FE/timeline");
        json_decref(p);
    }
    reply_free(&r);
}

static void bodies_and_limits(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    char buf[128];

    assert_int_equal(request(f->port, "POST", "/v1/events", "Content-Type: application/json\r\n",
                             "hello", 5, &r),
                     0);
    assert_int_equal(r.status, 202);
    assert_string_equal(reply_header(&r, "Location", buf, sizeof buf), "/v1/events/1");
    assert_null(strstr(r.head, "Injected"));
    json_t *j = reply_json(&r);
    assert_int_equal(json_integer_value(json_object_get(j, "len")), 5);
    assert_int_equal(json_integer_value(json_object_get(j, "sum")), 'h' + 'e' + 'l' + 'l' + 'o');
    json_decref(j);
    reply_free(&r);

    /* Exactly the limit, with NUL bytes inside. */
    char *big = lt_calloc(1, SMALL_BODY);
    big[0] = 'x';
    assert_int_equal(request(f->port, "POST", "/v1/events", NULL, big, SMALL_BODY, &r), 0);
    assert_int_equal(r.status, 202);
    j = reply_json(&r);
    assert_int_equal(json_integer_value(json_object_get(j, "len")), SMALL_BODY);
    assert_int_equal(json_integer_value(json_object_get(j, "sum")), 'x');
    json_decref(j);
    reply_free(&r);
    free(big);

    /* Empty body. */
    assert_int_equal(request(f->port, "POST", "/v1/events", NULL, "", 0, &r), 0);
    assert_int_equal(r.status, 202);
    reply_free(&r);

    /* Over the limit by Content-Length: refused from the headers alone; the
     * client never sends the gigabyte it announced. */
    static const char huge[] = "POST /v1/events HTTP/1.1\r\nHost: x\r\n"
                               "Content-Length: 1073741824\r\n\r\n";
    assert_int_equal(exchange(f->port, huge, sizeof huge - 1, &r), 0);
    j = expect_problem(&r, 413, "body-too-large", "/v1/events");
    assert_non_null(strstr(jstr(j, "detail"), "65536"));
    json_decref(j);
    reply_free(&r);

    /* Also when the client asks to continue first. */
    static const char expect[] = "POST /v1/events HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                                 "Content-Length: 65537\r\n\r\n";
    assert_int_equal(exchange(f->port, expect, sizeof expect - 1, &r), 0);
    assert_int_equal(r.status, 413); /* no "100 Continue" before it */
    reply_free(&r);

    /* A chunked body past the limit is cut off: a 413 if libmicrohttpd can
     * still answer, otherwise the connection is closed; never a 2xx. */
    size_t chunk = 16384, chunks = SMALL_BODY / chunk + 2;
    size_t total = 128 + chunks * (chunk + 16) + 8;
    char *req = lt_malloc(total);
    size_t n = (size_t)snprintf(req, total, "POST /v1/events HTTP/1.1\r\nHost: x\r\n"
                                            "Transfer-Encoding: chunked\r\n\r\n");
    for (size_t i = 0; i < chunks; i++) {
        n += (size_t)snprintf(req + n, total - n, "%zx\r\n", chunk);
        memset(req + n, 'a', chunk);
        n += chunk;
        memcpy(req + n, "\r\n", 2);
        n += 2;
    }
    memcpy(req + n, "0\r\n\r\n", 5);
    n += 5;
    if (exchange(f->port, req, n, &r) == 0) {
        assert_int_equal(r.status, 413);
        reply_free(&r);
    }
    free(req);

    /* A chunked body within the limit is fine. */
    static const char chunked[] = "POST /v1/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                  "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
    assert_int_equal(exchange(f->port, chunked, sizeof chunked - 1, &r), 0);
    assert_int_equal(r.status, 202);
    j = reply_json(&r);
    assert_int_equal(json_integer_value(json_object_get(j, "len")), 5);
    json_decref(j);
    reply_free(&r);
}

static void default_body_limit_is_4_mib(void **state)
{
    (void)state;
    struct lt_http_server *srv;
    char err[256];
    struct lt_http_config cfg = { 0 };
    assert_int_equal(lt_http_server_new(&cfg, &srv, err, sizeof err), LT_OK);
    assert_int_equal(lt_http_route(srv, "POST", "/v1/events", h_post, NULL), LT_OK);
    assert_int_equal(lt_http_server_start(srv, err, sizeof err), LT_OK);
    unsigned port = lt_http_server_port(srv);
    struct reply r;

    size_t n = LT_HTTP_DEFAULT_MAX_BODY;
    assert_int_equal(n, 4u << 20);
    char *body = lt_calloc(1, n);
    assert_int_equal(request(port, "POST", "/v1/events", NULL, body, n, &r), 0);
    assert_int_equal(r.status, 202);
    reply_free(&r);
    free(body);

    char head[160];
    snprintf(head, sizeof head, "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n",
             n + 1);
    assert_int_equal(exchange(port, head, strlen(head), &r), 0);
    json_decref(expect_problem(&r, 413, "body-too-large", "/v1/events"));
    reply_free(&r);
    lt_http_server_free(srv);
}

static void handler_errors_and_problems(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    assert_int_equal(get(f->port, "/v1/fail", &r), 0);
    json_t *p = expect_problem(&r, 500, "internal", "/v1/fail");
    assert_null(strstr(r.body, "db")); /* the internal cause is logged, not sent */
    json_decref(p);
    reply_free(&r);

    assert_int_equal(get(f->port, "/v1/forgot", &r), 0);
    json_decref(expect_problem(&r, 500, "internal", "/v1/forgot"));
    reply_free(&r);

    assert_int_equal(get(f->port, "/v1/problem?subject=VNM:1", &r), 0);
    p = expect_problem(&r, 422, "invalid-event", "/v1/problem");
    assert_string_equal(jstr(p, "title"), "Invalid event"); /* extra cannot override */
    assert_string_equal(jstr(p, "detail"), "1 field is invalid.");
    json_t *errors = json_object_get(p, "errors");
    assert_int_equal(json_array_size(errors), 1);
    assert_string_equal(jstr(json_array_get(errors, 0), "field"), "header.event_id");
    expect_security_headers(&r);
    json_decref(p);
    reply_free(&r);
}

static void keep_alive(void **state)
{
    struct fixture *f = *state;
    int fd = connect_to(f->port);
    static const char two[] = "GET /v1/persons/A/timeline HTTP/1.1\r\nHost: x\r\n\r\n"
                              "GET /v1/nope HTTP/1.1\r\nHost: x\r\n\r\n"
                              "GET /v1/persons/B/timeline HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(send_all(fd, two, sizeof two - 1), 0);
    size_t cap = 65536, n = 0;
    char *buf = lt_malloc(cap);
    const char *want[] = { "A", NULL, "B" };
    int got = 0;
    while (got < 3) {
        ssize_t k = recv(fd, buf + n, cap - n, 0);
        assert_true(k > 0);
        n += (size_t)k;
        struct reply r;
        size_t used;
        while (got < 3 && (used = parse_reply(buf, n, 0, 0, &r)) > 0) {
            if (want[got]) {
                assert_int_equal(r.status, 200);
                json_t *j = reply_json(&r);
                assert_string_equal(jstr(j, "subject"), want[got]);
                json_decref(j);
            } else {
                assert_int_equal(r.status, 404); /* a 404 keeps the connection */
            }
            reply_free(&r);
            memmove(buf, buf + used, n - used);
            n -= used;
            got++;
        }
    }
    free(buf);
    close(fd);
}

static void standard_routes(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    char buf[128];

    atomic_store(&health_state, LT_HTTP_HEALTH_OK);
    assert_int_equal(get(f->port, "/healthz", &r), 0);
    assert_int_equal(r.status, 200);
    json_t *j = reply_json(&r);
    assert_string_equal(jstr(j, "status"), "ok");
    assert_string_equal(jstr(j, "kafka"), "up");
    json_decref(j);
    reply_free(&r);

    atomic_store(&health_state, LT_HTTP_HEALTH_DEGRADED);
    assert_int_equal(get(f->port, "/healthz", &r), 0);
    assert_int_equal(r.status, 200);
    j = reply_json(&r);
    assert_string_equal(jstr(j, "status"), "degraded");
    json_decref(j);
    reply_free(&r);

    atomic_store(&health_state, LT_HTTP_HEALTH_DOWN);
    assert_int_equal(get(f->port, "/healthz", &r), 0);
    assert_int_equal(r.status, 503);
    j = reply_json(&r);
    assert_string_equal(jstr(j, "status"), "down");
    json_decref(j);
    reply_free(&r);
    atomic_store(&health_state, LT_HTTP_HEALTH_OK);

    /* The server counts its own requests; on_completed runs just after the
     * response is sent, so read the counter once it has settled. */
    struct lt_metrics_counter *total = lt_metrics_counter(f->metrics, "http_requests_total", "");
    struct lt_metrics_counter *c4 = lt_metrics_counter(f->metrics, "http_responses_4xx_total", "");
    for (int i = 0; i < 200 && lt_metrics_counter_value(total) < 3; i++)
        usleep(5000);
    uint64_t before = lt_metrics_counter_value(total), before4 = lt_metrics_counter_value(c4);
    assert_int_equal(get(f->port, "/nope", &r), 0);
    reply_free(&r);
    for (int i = 0; i < 200 && lt_metrics_counter_value(total) < before + 1; i++)
        usleep(5000);
    assert_int_equal(lt_metrics_counter_value(total), before + 1);
    assert_int_equal(lt_metrics_counter_value(c4), before4 + 1);

    assert_int_equal(get(f->port, "/metrics", &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(reply_header(&r, "Content-Type", buf, sizeof buf),
                        "text/plain; version=0.0.4; charset=utf-8");
    expect_security_headers(&r);
    assert_non_null(strstr(r.body, "# TYPE http_requests_total counter\n"));
    assert_non_null(strstr(r.body, "# TYPE http_request_duration_seconds histogram\n"));
    assert_non_null(strstr(r.body, "http_request_duration_seconds_bucket{le=\"+Inf\"} "));
    /* the /metrics request itself is in flight while rendering */
    assert_non_null(strstr(r.body, "\nhttp_requests_in_flight 1\n"));
    reply_free(&r);
}

/* The access log goes to stderr: capture it in a file for one request. */
static void access_log(void **state)
{
    struct fixture *f = *state;
    char path[] = "/tmp/lt-http-log-XXXXXX";
    int lfd = mkstemp(path);
    assert_true(lfd >= 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(lfd, 2);

    struct reply r;
    /* A mistyped path (no route) carrying a subject id, then a routed one. */
    int rc404 = get(f->port, "/v1/persons/VNM%3A001122334455/timelin", &r);
    int status404 = r.status;
    reply_free(&r);
    int rc = get(f->port, "/v1/persons/VNM%3A009876543210/timeline?purpose=audit&name=Secret", &r);
    /* Wait for both lines: each is written just after its response is sent. */
    char text[8192] = "";
    for (int i = 0; i < 400; i++) {
        ssize_t n = pread(lfd, text, sizeof text - 1, 0);
        text[n > 0 ? n : 0] = '\0';
        const char *a = strstr(text, "\"http.access\"");
        if (a && strstr(a + 1, "\"http.access\""))
            break;
        usleep(5000);
    }
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(lfd);
    unlink(path);
    assert_int_equal(rc404, 0);
    assert_int_equal(status404, 404);
    assert_int_equal(rc, 0);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    /* The unrouted path is logged by its first segment only. */
    assert_null(strstr(text, "001122334455"));
    assert_non_null(strstr(text, "path=\\\"/v1/…\\\" status=404"));

    /* The routed request's line: the one with status=200. */
    const char *line = NULL;
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        const char *end = strchr(l, '\n');
        size_t ll = end ? (size_t)(end - l) : strlen(l);
        char tmp[2048];
        snprintf(tmp, sizeof tmp, "%.*s", (int)ll, l);
        if (strstr(tmp, "\"http.access\"") && strstr(tmp, "status=200")) {
            line = l;
            break;
        }
    }
    assert_non_null(line);
    const char *eol = strchr(line, '\n');
    assert_non_null(eol);
    char one[2048];
    snprintf(one, sizeof one, "%.*s", (int)(eol - line), line);
    json_error_t e;
    json_t *j = json_loads(one, 0, &e);
    assert_non_null(j); /* one valid JSON object per line */
    const char *msg = jstr(j, "msg");
    assert_non_null(strstr(msg, "method=GET"));
    assert_non_null(strstr(msg, "path=\"/v1/persons/{subject}/timeline\""));
    assert_non_null(strstr(msg, "status=200"));
    assert_non_null(strstr(msg, "bytes="));
    assert_non_null(strstr(msg, "ms="));
    assert_non_null(strstr(msg, "remote=127.0.0.1"));
    /* No personal data: neither the subject in the path nor the query. */
    assert_null(strstr(one, "009876543210"));
    assert_null(strstr(one, "Secret"));
    assert_null(strstr(one, "purpose"));
    json_decref(j);
}

#define CLIENTS 8
#define PER_CLIENT 50

struct client {
    unsigned port;
    int id;
    int ok;
};

static void *client_run(void *arg)
{
    struct client *c = arg;
    for (int i = 0; i < PER_CLIENT; i++) {
        char target[64], want[32];
        snprintf(want, sizeof want, "c%d-%d", c->id, i);
        snprintf(target, sizeof target, "/v1/persons/%s/timeline?i=%d", want, i);
        struct reply r;
        if (get(c->port, target, &r) != 0)
            continue;
        json_error_t e;
        json_t *j = json_loadb(r.body, r.body_len, 0, &e);
        if (r.status == 200 && j && strcmp(jstr(j, "subject"), want) == 0)
            c->ok++;
        json_decref(j);
        reply_free(&r);
    }
    return NULL;
}

static void concurrent_clients(void **state)
{
    struct fixture *f = *state;
    pthread_t t[CLIENTS];
    struct client c[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        c[i] = (struct client){ f->port, i, 0 };
        assert_int_equal(pthread_create(&t[i], NULL, client_run, &c[i]), 0);
    }
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(c[i].ok, PER_CLIENT);
    }
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

struct slow_client {
    unsigned port;
    int status;
    char body[16];
};

static void *slow_run(void *arg)
{
    struct slow_client *c = arg;
    struct reply r;
    if (get(c->port, "/v1/slow", &r) == 0) {
        c->status = r.status;
        snprintf(c->body, sizeof c->body, "%s", r.body);
        reply_free(&r);
    }
    return NULL;
}

static void *release_later(void *arg)
{
    (void)arg;
    usleep(150 * 1000);
    atomic_store(&slow_release, 1);
    return NULL;
}

/* Requests in flight when the server is freed still get their answer; new
 * connections are refused; nothing leaks, no descriptor stays open. */
static void shutdown_with_requests_in_flight(void **state)
{
    (void)state;
    int fds_before = count_fds();
    struct lt_http_server *srv;
    char err[256];
    struct lt_http_config cfg = { .shutdown_grace_ms = 5000 };
    assert_int_equal(lt_http_server_new(&cfg, &srv, err, sizeof err), LT_OK);
    add_routes(srv);
    assert_int_equal(lt_http_server_start(srv, err, sizeof err), LT_OK);
    unsigned port = lt_http_server_port(srv);

    atomic_store(&slow_entered, 0);
    atomic_store(&slow_release, 0);
    enum { N = 4 };
    pthread_t t[N], rel;
    struct slow_client c[N];
    for (int i = 0; i < N; i++) {
        c[i] = (struct slow_client){ .port = port };
        assert_int_equal(pthread_create(&t[i], NULL, slow_run, &c[i]), 0);
    }
    for (int i = 0; i < 2000 && atomic_load(&slow_entered) < N; i++)
        usleep(1000);
    assert_int_equal(atomic_load(&slow_entered), N);
    /* All four handlers are running: stop the server while they are. */
    assert_int_equal(pthread_create(&rel, NULL, release_later, NULL), 0);
    lt_http_server_free(srv);
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(c[i].status, 200);
        assert_string_equal(c[i].body, "done");
    }
    pthread_join(rel, NULL);

    /* The port is closed now. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_not_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    close(fd);
    assert_int_equal(count_fds(), fds_before);
}

/* A handler stuck past the grace period: free still returns once it does. */
static void shutdown_grace_expires(void **state)
{
    (void)state;
    struct lt_http_server *srv;
    char err[256];
    struct lt_http_config cfg = { .shutdown_grace_ms = 50 };
    assert_int_equal(lt_http_server_new(&cfg, &srv, err, sizeof err), LT_OK);
    add_routes(srv);
    assert_int_equal(lt_http_server_start(srv, err, sizeof err), LT_OK);
    atomic_store(&slow_entered, 0);
    atomic_store(&slow_release, 0);
    struct slow_client c = { .port = lt_http_server_port(srv) };
    pthread_t t, rel;
    assert_int_equal(pthread_create(&t, NULL, slow_run, &c), 0);
    for (int i = 0; i < 2000 && atomic_load(&slow_entered) < 1; i++)
        usleep(1000);
    assert_int_equal(pthread_create(&rel, NULL, release_later, NULL), 0);
    lt_http_server_free(srv);
    pthread_join(t, NULL);
    pthread_join(rel, NULL);
    /* The client got an answer or a closed connection, nothing else. */
    assert_true(c.status == 0 || c.status == 200);
}

/* Reads until the server closes the connection; returns the milliseconds
 * that took, or -1 if it stayed open past the receive timeout. */
static long ms_until_closed(int fd)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char b[256];
    ssize_t n;
    while ((n = recv(fd, b, sizeof b, 0)) > 0)
        ;
    if (n < 0)
        return -1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
}

/* max_connections: the third simultaneous connection is closed at once;
 * timeout_s: an idle connection is closed after about that long. */
static void connection_limit_and_idle_timeout(void **state)
{
    (void)state;
    struct lt_http_server *srv;
    char err[256];
    struct lt_http_config cfg = { .max_connections = 2, .timeout_s = 1 };
    assert_int_equal(lt_http_server_new(&cfg, &srv, err, sizeof err), LT_OK);
    add_routes(srv);
    assert_int_equal(lt_http_server_start(srv, err, sizeof err), LT_OK);
    unsigned port = lt_http_server_port(srv);

    int a = connect_to(port), b = connect_to(port);
    usleep(100 * 1000); /* let the server accept both */
    int c = connect_to(port);
    long ms = ms_until_closed(c);
    assert_true(ms >= 0 && ms < 900); /* refused, not timed out */
    close(c);

    /* The two idle ones are closed by the idle timeout (1 s). */
    ms = ms_until_closed(a);
    assert_true(ms >= 0 && ms < 5000);
    assert_int_equal(ms_until_closed(b) >= 0, 1);
    close(a);
    close(b);

    /* With room again, requests are served. */
    usleep(100 * 1000);
    struct reply r;
    assert_int_equal(get(port, "/v1/persons/X/timeline", &r), 0);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    lt_http_server_free(srv);
}

static void life_cycle_and_config_errors(void **state)
{
    (void)state;
    lt_http_server_free(NULL);
    char err[256];
    struct lt_http_server *srv = NULL, *other = NULL;
    struct lt_http_config cfg = { .bind_address = "not-an-address" };
    assert_int_equal(lt_http_server_new(&cfg, &srv, err, sizeof err), LT_ERR_CONFIG);
    assert_null(srv);
    assert_non_null(strstr(err, "not-an-address"));
    cfg = (struct lt_http_config){ .port = 70000 };
    assert_int_equal(lt_http_server_new(&cfg, &srv, err, sizeof err), LT_ERR_CONFIG);

    /* Bound but never started: freed cleanly, port released. */
    int fds_before = count_fds();
    cfg = (struct lt_http_config){ 0 };
    assert_int_equal(lt_http_server_new(&cfg, &srv, err, sizeof err), LT_OK);
    unsigned port = lt_http_server_port(srv);
    cfg.port = port;
    assert_int_equal(lt_http_server_new(&cfg, &other, err, sizeof err), LT_ERR_IO);
    assert_null(other);
    assert_non_null(strstr(err, "in use"));
    lt_http_server_free(srv);
    assert_int_equal(count_fds(), fds_before);
    assert_int_equal(lt_http_server_new(&cfg, &srv, err, sizeof err), LT_OK);
    assert_int_equal(lt_http_server_port(srv), port);
    lt_http_server_free(srv);

    /* IPv6 loopback, when the machine has it. */
    cfg = (struct lt_http_config){ .bind_address = "::1" };
    if (lt_http_server_new(&cfg, &srv, err, sizeof err) == LT_OK) {
        assert_int_equal(lt_http_route(srv, "GET", "/", h_text, NULL), LT_OK);
        assert_int_equal(lt_http_server_start(srv, err, sizeof err), LT_OK);
        int fd = socket(AF_INET6, SOCK_STREAM, 0);
        struct sockaddr_in6 a = { .sin6_family = AF_INET6,
                                  .sin6_port = htons((uint16_t)lt_http_server_port(srv)) };
        a.sin6_addr = in6addr_loopback;
        assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
        static const char q[] = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        assert_int_equal(send_all(fd, q, sizeof q - 1), 0);
        char buf[1024];
        ssize_t n = recv(fd, buf, sizeof buf - 1, MSG_WAITALL);
        assert_true(n > 12);
        buf[n] = '\0';
        assert_int_equal(strncmp(buf, "HTTP/1.1 200", 12), 0);
        close(fd);
        lt_http_server_free(srv);
    }
}

static void route_patterns(void **state)
{
    (void)state;
    struct lt_http_server *srv;
    char err[256];
    struct lt_http_config cfg = { 0 };
    assert_int_equal(lt_http_server_new(&cfg, &srv, err, sizeof err), LT_OK);
    static const char *const bad[] = {
        "v1/events", "/v1//events", "/v1/events/", "/v1/{}", "/v1/{a}/{a}", "/v1/{a-b}",
        "/v1/x{a}", "/v1/%2F", "/v1/../x", "/v1/a b", "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(lt_http_route(srv, "GET", bad[i], h_echo, NULL), LT_ERR_INVALID);
    assert_int_equal(lt_http_route(srv, "get", "/x", h_echo, NULL), LT_ERR_INVALID);
    assert_int_equal(lt_http_route(srv, "GET", "/x", NULL, NULL), LT_ERR_INVALID);
    assert_int_equal(lt_http_route(srv, "GET", "/x/{a}", h_echo, NULL), LT_OK);
    /* Same shape, other parameter name: a duplicate. */
    assert_int_equal(lt_http_route(srv, "GET", "/x/{b}", h_echo, NULL), LT_ERR_INVALID);
    assert_int_equal(lt_http_route(srv, "POST", "/x/{b}", h_echo, NULL), LT_OK);
    assert_int_equal(lt_http_route(srv, "GET", "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", h_echo, NULL),
                     LT_OK);
    assert_int_equal(lt_http_route(srv, "GET", "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", h_echo,
                                   NULL), LT_ERR_INVALID);
    lt_http_server_free(srv);
}

int main(void)
{
    const struct CMUnitTest with_server[] = {
        cmocka_unit_test(routes_and_params),
        cmocka_unit_test(query_decoding),
        cmocka_unit_test(not_found_and_method_not_allowed),
        cmocka_unit_test(path_tricks),
        cmocka_unit_test(bodies_and_limits),
        cmocka_unit_test(handler_errors_and_problems),
        cmocka_unit_test(keep_alive),
        cmocka_unit_test(standard_routes),
        cmocka_unit_test(access_log),
        cmocka_unit_test(concurrent_clients),
    };
    const struct CMUnitTest alone[] = {
        cmocka_unit_test(default_body_limit_is_4_mib),
        cmocka_unit_test(shutdown_with_requests_in_flight),
        cmocka_unit_test(shutdown_grace_expires),
        cmocka_unit_test(connection_limit_and_idle_timeout),
        cmocka_unit_test(life_cycle_and_config_errors),
        cmocka_unit_test(route_patterns),
    };
    int failed = cmocka_run_group_tests_name("with_server", with_server, setup, teardown);
    failed += cmocka_run_group_tests_name("alone", alone, NULL, NULL);
    return failed;
}
