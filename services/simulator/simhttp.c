/* simhttp.c — POSTs batches of events to an agency service (see simhttp.h).
 *
 * The smallest HTTP/1.1 client that does the job: it writes one request,
 * reads the status line and headers, then the body by Content-Length, by
 * chunks, or to the end of the connection, and keeps the connection for
 * the next batch unless the server closes it. Every wait polls the run flag
 * so Ctrl-C ends a run promptly even while a service is down. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "simhttp.h"

#define COMP "simulator"
#define IO_TIMEOUT_S 60

struct lt_simhttp {
    char *agency;
    char host[304];
    char port[8];
    char path[512];
    char *key_prefix;
    size_t batch_max;
    volatile sig_atomic_t *run;
    int fd;
    /* the batch being built: "[e1,e2,...", closed with "]" when sent */
    char *buf;
    size_t len, cap;
    size_t n;
    uint64_t batch_no;
    struct lt_simhttp_stats st;
};

/* One response. */
struct resp {
    int status;
    int close;          /* the server will close the connection */
    int retry_after;    /* seconds, 0 when absent */
    char *body;         /* NUL-terminated, owned */
    size_t body_len;
};

static void append(struct lt_simhttp *s, const char *p, size_t n)
{
    if (s->len + n + 2 > s->cap) {
        s->cap = (s->len + n + 2) * 2;
        s->buf = lt_realloc(s->buf, s->cap);
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
    s->buf[s->len] = '\0';
}

int lt_simhttp_new(const char *agency, const char *url, const char *key_prefix, size_t batch,
                   volatile sig_atomic_t *run, struct lt_simhttp **out, char *err, size_t errlen)
{
    *out = NULL;
    if (strncmp(url, "http://", 7) != 0)
        return lt_err_set(err, errlen, LT_ERR_INVALID,
                          "%s: URL '%s' must start with http:// (agency services speak plain "
                          "HTTP on the local host)", agency, url);
    const char *h = url + 7, *slash = strchr(h, '/');
    size_t hp_len = slash ? (size_t)(slash - h) : strlen(h);
    char hostport[300];
    if (hp_len == 0 || hp_len >= sizeof hostport)
        return lt_err_set(err, errlen, LT_ERR_INVALID, "%s: URL '%s' has no host", agency, url);
    memcpy(hostport, h, hp_len);
    hostport[hp_len] = '\0';
    struct lt_simhttp *s = lt_calloc(1, sizeof *s);
    char *colon = strrchr(hostport, ':');
    if (colon && !strchr(colon, ']')) {
        *colon = '\0';
        snprintf(s->port, sizeof s->port, "%s", colon + 1);
    } else {
        snprintf(s->port, sizeof s->port, "80");
    }
    char *host = hostport;
    if (host[0] == '[') { /* [::1] */
        host++;
        char *end = strchr(host, ']');
        if (end)
            *end = '\0';
    }
    snprintf(s->host, sizeof s->host, "%s", host);
    char *endp;
    long port = strtol(s->port, &endp, 10);
    if (!s->host[0] || *endp || port < 1 || port > 65535) {
        free(s);
        return lt_err_set(err, errlen, LT_ERR_INVALID, "%s: URL '%s' has a bad host or port",
                          agency, url);
    }
    const char *prefix = slash ? slash : "";
    size_t pl = strlen(prefix);
    while (pl > 0 && prefix[pl - 1] == '/')
        pl--;
    if (pl >= 10 && strncmp(prefix + pl - 10, "/v1/events", 10) == 0)
        snprintf(s->path, sizeof s->path, "%.*s", (int)pl, prefix);
    else
        snprintf(s->path, sizeof s->path, "%.*s/v1/events", (int)pl, prefix);
    s->agency = lt_strdup(agency);
    s->key_prefix = lt_strdup(key_prefix);
    s->batch_max = batch ? batch : 200;
    s->run = run;
    s->fd = -1;
    *out = s;
    return LT_OK;
}

const struct lt_simhttp_stats *lt_simhttp_stats(const struct lt_simhttp *s)
{
    return &s->st;
}

void lt_simhttp_free(struct lt_simhttp *s)
{
    if (!s)
        return;
    if (s->fd >= 0)
        close(s->fd);
    free(s->agency);
    free(s->key_prefix);
    free(s->buf);
    free(s);
}

static void disconnect(struct lt_simhttp *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

static int connect_to(struct lt_simhttp *s, char *err, size_t errlen)
{
    struct addrinfo hints = { 0 }, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int gai = getaddrinfo(s->host, s->port, &hints, &res);
    if (gai != 0)
        return lt_err_set(err, errlen, LT_ERR_IO, "resolve %s: %s", s->host, gai_strerror(gai));
    int rc = lt_err_set(err, errlen, LT_ERR_IO, "connect %s:%s: no address", s->host, s->port);
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0)
            continue;
        struct timeval tv = { IO_TIMEOUT_S, 0 };
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
            s->fd = fd;
            rc = LT_OK;
            break;
        }
        rc = lt_err_set(err, errlen, LT_ERR_IO, "connect %s:%s: %s", s->host, s->port,
                        strerror(errno));
        close(fd);
    }
    freeaddrinfo(res);
    return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* A buffered reader over the socket. */
struct rd {
    int fd;
    char b[16384];
    size_t pos, len;
    int eof;
};

static int rd_fill(struct rd *r)
{
    if (r->pos < r->len)
        return 0;
    ssize_t n;
    do
        n = recv(r->fd, r->b, sizeof r->b, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    if (n == 0) {
        r->eof = 1;
        return -1;
    }
    r->pos = 0;
    r->len = (size_t)n;
    return 0;
}

/* One line without its CRLF into line (cut at cap-1). */
static int rd_line(struct rd *r, char *line, size_t cap)
{
    size_t o = 0;
    for (;;) {
        if (rd_fill(r) != 0)
            return -1;
        char ch = r->b[r->pos++];
        if (ch == '\n')
            break;
        if (ch != '\r' && o + 1 < cap)
            line[o++] = ch;
    }
    line[o] = '\0';
    return 0;
}

static int rd_bytes(struct rd *r, struct resp *out, size_t n)
{
    out->body = lt_realloc(out->body, out->body_len + n + 1);
    while (n > 0) {
        if (rd_fill(r) != 0)
            return -1;
        size_t k = r->len - r->pos < n ? r->len - r->pos : n;
        memcpy(out->body + out->body_len, r->b + r->pos, k);
        r->pos += k;
        out->body_len += k;
        n -= k;
    }
    out->body[out->body_len] = '\0';
    return 0;
}

static int read_response(int fd, struct resp *out)
{
    static __thread struct rd r;
    memset(&r, 0, sizeof r);
    r.fd = fd;
    char line[4096];
    memset(out, 0, sizeof *out);
    if (rd_line(&r, line, sizeof line) != 0)
        return -1;
    int minor = 1;
    if (sscanf(line, "HTTP/1.%d %d", &minor, &out->status) != 2)
        return -1;
    out->close = minor == 0;
    long long length = -1;
    int chunked = 0;
    for (;;) {
        if (rd_line(&r, line, sizeof line) != 0)
            return -1;
        if (!line[0])
            break;
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        const char *v = colon + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        if (!strcasecmp(line, "Content-Length"))
            length = atoll(v);
        else if (!strcasecmp(line, "Transfer-Encoding") && strcasestr(v, "chunked"))
            chunked = 1;
        else if (!strcasecmp(line, "Connection") && strcasestr(v, "close"))
            out->close = 1;
        else if (!strcasecmp(line, "Retry-After"))
            out->retry_after = atoi(v);
    }
    out->body = lt_malloc(1);
    out->body[0] = '\0';
    if (chunked) {
        for (;;) {
            if (rd_line(&r, line, sizeof line) != 0)
                return -1;
            long long size = strtoll(line, NULL, 16);
            if (size <= 0)
                break;
            if (rd_bytes(&r, out, (size_t)size) != 0 || rd_line(&r, line, sizeof line) != 0)
                return -1;
        }
        while (rd_line(&r, line, sizeof line) == 0 && line[0]) /* trailers */
            ;
    } else if (length >= 0) {
        if (rd_bytes(&r, out, (size_t)length) != 0)
            return -1;
    } else {
        out->close = 1;
        while (rd_fill(&r) == 0) {
            size_t k = r.len - r.pos;
            if (rd_bytes(&r, out, k) != 0)
                break;
        }
    }
    return 0;
}

/* Sleeps seconds in short naps, returning early (-1) when the run stops. */
static int nap(struct lt_simhttp *s, int seconds)
{
    for (int i = 0; i < seconds * 10; i++) {
        if (s->run && !*s->run)
            return -1;
        struct timespec ts = { 0, 100 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    return s->run && !*s->run ? -1 : 0;
}

/* Counts "duplicate": true in a 202 answer. */
static uint64_t count_duplicates(const char *body)
{
    json_error_t je;
    json_t *doc = json_loads(body, 0, &je);
    json_t *acc = doc ? json_object_get(doc, "accepted") : NULL;
    uint64_t n = 0;
    for (size_t i = 0; json_is_array(acc) && i < json_array_size(acc); i++)
        n += json_is_true(json_object_get(json_array_get(acc, i), "duplicate"));
    json_decref(doc);
    return n;
}

/* Sends the current batch until it is accepted, refused or the run stops. */
static int post_batch(struct lt_simhttp *s, char *err, size_t errlen)
{
    if (s->n == 0)
        return LT_OK;
    append(s, "]", 1);
    s->batch_no++;
    char head[1024];
    int hl = snprintf(head, sizeof head,
                      "POST %s HTTP/1.1\r\nHost: %s:%s\r\nContent-Type: application/json\r\n"
                      "Accept: application/json\r\nIdempotency-Key: %s-%s-%llu\r\n"
                      "Content-Length: %zu\r\nConnection: keep-alive\r\n\r\n",
                      s->path, s->host, s->port, s->key_prefix, s->agency,
                      (unsigned long long)s->batch_no, s->len);
    int backoff = 1, server_errors = 0, rc = LT_OK;
    char why[512];
    for (;;) {
        if (s->run && !*s->run) {
            rc = lt_err_set(err, errlen, LT_ERR_IO, "%s: interrupted with batch %llu unsent",
                            s->agency, (unsigned long long)s->batch_no);
            break;
        }
        struct resp resp = { 0 };
        int wait = 0;
        if (s->fd < 0 && connect_to(s, why, sizeof why) != LT_OK) {
            wait = backoff;
        } else if (write_all(s->fd, head, (size_t)hl) != 0 ||
                   write_all(s->fd, s->buf, s->len) != 0) {
            snprintf(why, sizeof why, "send to %s:%s: %s", s->host, s->port, strerror(errno));
            disconnect(s);
            wait = backoff;
        } else if (read_response(s->fd, &resp) != 0) {
            snprintf(why, sizeof why, "no answer from %s:%s", s->host, s->port);
            disconnect(s);
            wait = backoff;
        } else {
            if (resp.close)
                disconnect(s);
            if (resp.status >= 200 && resp.status < 300) {
                s->st.events += s->n;
                s->st.duplicates += count_duplicates(resp.body);
                s->st.batches++;
                free(resp.body);
                break;
            }
            snprintf(why, sizeof why, "HTTP %d", resp.status);
            if (resp.status == 503 || resp.status == 502 || resp.status == 504 ||
                resp.status == 429) {
                wait = resp.retry_after > 0 ? resp.retry_after : backoff;
            } else if (resp.status >= 500 && ++server_errors < 5) {
                wait = backoff;
            } else {
                rc = lt_err_set(err, errlen, LT_ERR_INVALID,
                                "%s: the service refused batch %llu with HTTP %d: %s", s->agency,
                                (unsigned long long)s->batch_no, resp.status, resp.body);
                free(resp.body);
                break;
            }
        }
        free(resp.body);
        s->st.retries++;
        if (s->st.retries == 1 || s->st.retries % 10 == 0)
            lt_warn(COMP, "%s: batch %llu not accepted (%s); retrying in %d s", s->agency,
                    (unsigned long long)s->batch_no, why, wait > 30 ? 30 : wait);
        if (nap(s, wait > 30 ? 30 : wait) != 0)
            continue; /* the loop head reports the interruption */
        backoff = backoff < 16 ? backoff * 2 : 30;
    }
    s->len = 0;
    s->n = 0;
    return rc;
}

int lt_simhttp_add(struct lt_simhttp *s, const json_t *ev, char *err, size_t errlen)
{
    char *text = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!text)
        return lt_err_set(err, errlen, LT_ERR_INVALID, "%s: event cannot be serialized",
                          s->agency);
    append(s, s->n ? "," : "[", 1);
    append(s, text, strlen(text));
    free(text);
    s->n++;
    return s->n >= s->batch_max ? post_batch(s, err, errlen) : LT_OK;
}

int lt_simhttp_flush(struct lt_simhttp *s, char *err, size_t errlen)
{
    return post_batch(s, err, errlen);
}
