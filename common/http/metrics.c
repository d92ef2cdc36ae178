/* metrics.c — the Prometheus registry and its text exposition (format 0.0.4).
 *
 * Metrics live in one singly linked list in registration order, so /metrics
 * output is stable. Counters and gauges are C11 atomics (a gauge's double is
 * updated with a compare-and-swap loop); a histogram has a mutex so that its
 * buckets, sum and count are always rendered as one consistent snapshot. */
#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "http/metrics.h"

const double lt_metrics_latency_buckets[] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};
const size_t lt_metrics_latency_buckets_n =
    sizeof lt_metrics_latency_buckets / sizeof lt_metrics_latency_buckets[0];

enum kind { KIND_COUNTER, KIND_GAUGE, KIND_GAUGE_FN, KIND_HISTOGRAM };

static const char *const kind_names[] = { "counter", "gauge", "gauge", "histogram" };

struct lt_metrics_counter {
    _Atomic uint64_t v;
};

struct lt_metrics_gauge {
    _Atomic double v;
};

struct lt_metrics_histogram {
    pthread_mutex_t mu;
    double *bounds;   /* n finite upper bounds, strictly increasing */
    size_t n;
    uint64_t *counts; /* n + 1 per-bucket (not cumulative) counts; last is +Inf */
    double sum;
    uint64_t count;
};

struct metric {
    struct metric *next;
    enum kind kind;
    char *name;
    char *help;
    struct lt_metrics_counter counter;
    struct lt_metrics_gauge gauge;
    struct lt_metrics_histogram hist;
    double (*fn)(void *arg);
    void *arg;
};

struct lt_metrics {
    pthread_mutex_t mu; /* guards the list (and gauge_fn calls during render) */
    struct metric *head;
    struct metric **tail;
};

/* A programming error in registration: say so on the one log stream, then
 * stop, whatever NDEBUG says. */
static _Noreturn void misuse(const char *name, const char *why)
{
    lt_error("metrics", "metric \"%s\": %s", name ? name : "(null)", why);
    abort();
}

static int valid_name(const char *s)
{
    if (!s || !*s)
        return 0;
    for (const char *p = s; *p; p++) {
        char c = *p;
        int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
        if (!alpha && !(p != s && c >= '0' && c <= '9'))
            return 0;
    }
    return 1;
}

struct lt_metrics *lt_metrics_new(void)
{
    struct lt_metrics *reg = lt_calloc(1, sizeof *reg);
    pthread_mutex_init(&reg->mu, NULL);
    reg->tail = &reg->head;
    return reg;
}

void lt_metrics_free(struct lt_metrics *reg)
{
    if (!reg)
        return;
    struct metric *m = reg->head;
    while (m) {
        struct metric *next = m->next;
        if (m->kind == KIND_HISTOGRAM) {
            pthread_mutex_destroy(&m->hist.mu);
            free(m->hist.bounds);
            free(m->hist.counts);
        }
        free(m->name);
        free(m->help);
        free(m);
        m = next;
    }
    pthread_mutex_destroy(&reg->mu);
    free(reg);
}

/* Finds `name` or appends a new metric of `kind`; with the registry locked.
 * *created says which. */
static struct metric *find_or_add(struct lt_metrics *reg, const char *name, const char *help,
                                  enum kind kind, int *created)
{
    if (!valid_name(name))
        misuse(name, "invalid name (must match [a-zA-Z_:][a-zA-Z0-9_:]*)");
    *created = 0;
    for (struct metric *m = reg->head; m; m = m->next) {
        if (strcmp(m->name, name) != 0)
            continue;
        if (m->kind != kind)
            misuse(name, "registered twice with different kinds");
        return m;
    }
    struct metric *m = lt_calloc(1, sizeof *m);
    m->kind = kind;
    m->name = lt_strdup(name);
    m->help = lt_strdup(help ? help : "");
    atomic_init(&m->counter.v, 0);
    atomic_init(&m->gauge.v, 0.0);
    *reg->tail = m;
    reg->tail = &m->next;
    *created = 1;
    return m;
}

struct lt_metrics_counter *lt_metrics_counter(struct lt_metrics *reg, const char *name,
                                              const char *help)
{
    assert(reg);
    int created;
    pthread_mutex_lock(&reg->mu);
    struct metric *m = find_or_add(reg, name, help, KIND_COUNTER, &created);
    pthread_mutex_unlock(&reg->mu);
    return &m->counter;
}

struct lt_metrics_gauge *lt_metrics_gauge(struct lt_metrics *reg, const char *name,
                                          const char *help)
{
    assert(reg);
    int created;
    pthread_mutex_lock(&reg->mu);
    struct metric *m = find_or_add(reg, name, help, KIND_GAUGE, &created);
    pthread_mutex_unlock(&reg->mu);
    return &m->gauge;
}

void lt_metrics_gauge_fn(struct lt_metrics *reg, const char *name, const char *help,
                         double (*fn)(void *arg), void *arg)
{
    assert(reg);
    if (!fn)
        misuse(name, "gauge callback is NULL");
    int created;
    pthread_mutex_lock(&reg->mu);
    struct metric *m = find_or_add(reg, name, help, KIND_GAUGE_FN, &created);
    m->fn = fn; /* a re-registration re-points the gauge */
    m->arg = arg;
    pthread_mutex_unlock(&reg->mu);
}

struct lt_metrics_histogram *lt_metrics_histogram(struct lt_metrics *reg, const char *name,
                                                  const char *help, const double *bounds,
                                                  size_t n)
{
    assert(reg);
    if (!bounds || n == 0)
        misuse(name, "histogram needs at least one bucket bound");
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(bounds[i]))
            misuse(name, "histogram bounds must be finite (+Inf is implicit)");
        if (i > 0 && !(bounds[i] > bounds[i - 1]))
            misuse(name, "histogram bounds must be strictly increasing");
    }
    int created;
    pthread_mutex_lock(&reg->mu);
    struct metric *m = find_or_add(reg, name, help, KIND_HISTOGRAM, &created);
    if (created) {
        pthread_mutex_init(&m->hist.mu, NULL);
        m->hist.n = n;
        m->hist.bounds = lt_malloc(n * sizeof *m->hist.bounds);
        memcpy(m->hist.bounds, bounds, n * sizeof *bounds);
        m->hist.counts = lt_calloc(n + 1, sizeof *m->hist.counts);
    } else if (m->hist.n != n || memcmp(m->hist.bounds, bounds, n * sizeof *bounds) != 0) {
        pthread_mutex_unlock(&reg->mu);
        misuse(name, "histogram registered twice with different bounds");
    }
    pthread_mutex_unlock(&reg->mu);
    return &m->hist;
}

void lt_metrics_counter_inc(struct lt_metrics_counter *c)
{
    atomic_fetch_add_explicit(&c->v, 1, memory_order_relaxed);
}

void lt_metrics_counter_add(struct lt_metrics_counter *c, uint64_t n)
{
    atomic_fetch_add_explicit(&c->v, n, memory_order_relaxed);
}

uint64_t lt_metrics_counter_value(struct lt_metrics_counter *c)
{
    return atomic_load_explicit(&c->v, memory_order_relaxed);
}

void lt_metrics_gauge_set(struct lt_metrics_gauge *g, double v)
{
    atomic_store_explicit(&g->v, v, memory_order_relaxed);
}

void lt_metrics_gauge_add(struct lt_metrics_gauge *g, double delta)
{
    double old = atomic_load_explicit(&g->v, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(&g->v, &old, old + delta,
                                                  memory_order_relaxed, memory_order_relaxed))
        ;
}

double lt_metrics_gauge_value(struct lt_metrics_gauge *g)
{
    return atomic_load_explicit(&g->v, memory_order_relaxed);
}

void lt_metrics_observe(struct lt_metrics_histogram *h, double v)
{
    size_t i = 0;
    while (i < h->n && !(v <= h->bounds[i])) /* NaN falls through to +Inf */
        i++;
    pthread_mutex_lock(&h->mu);
    h->counts[i]++;
    h->sum += v;
    h->count++;
    pthread_mutex_unlock(&h->mu);
}

void lt_metrics_format_double(char *buf, size_t cap, double v)
{
    if (isnan(v)) {
        snprintf(buf, cap, "NaN");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, cap, v > 0 ? "+Inf" : "-Inf");
        return;
    }
    /* Go's strconv.FormatFloat(v, 'g', -1, 64), which the Prometheus clients
     * use: the fewest significant digits that read back as the same double,
     * in exponent form only when the exponent is < -4 or >= 6. */
    char e[40];
    int digits = 17;
    for (int p = 1; p <= 17; p++) {
        snprintf(e, sizeof e, "%.*e", p - 1, v);
        if (strtod(e, NULL) == v) {
            digits = p;
            break;
        }
    }
    const char *x = strchr(e, 'e');
    int exp = x ? atoi(x + 1) : 0;
    if (exp < -4 || exp >= 6)
        snprintf(buf, cap, "%s", e);
    else
        snprintf(buf, cap, "%.*f", digits - 1 - exp > 0 ? digits - 1 - exp : 0, v);
}

/* A growing output string. */
struct sbuf {
    char *p;
    size_t len, cap;
};

static void sb_reserve(struct sbuf *b, size_t more)
{
    if (b->len + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + more + 1)
        cap *= 2;
    b->p = lt_realloc(b->p, cap);
    b->cap = cap;
}

static void sb_puts(struct sbuf *b, const char *s)
{
    size_t n = strlen(s);
    sb_reserve(b, n);
    memcpy(b->p + b->len, s, n + 1);
    b->len += n;
}

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert(n >= 0);
    sb_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* HELP text escapes only backslash and newline (format 0.0.4). */
static void sb_help(struct sbuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\')
            sb_puts(b, "\\\\");
        else if (*s == '\n')
            sb_puts(b, "\\n");
        else {
            char c[2] = { *s, '\0' };
            sb_puts(b, c);
        }
    }
}

static void render_histogram(struct sbuf *b, const char *name, struct lt_metrics_histogram *h)
{
    /* Snapshot under the lock, format outside it. */
    uint64_t *counts = lt_malloc((h->n + 1) * sizeof *counts);
    pthread_mutex_lock(&h->mu);
    memcpy(counts, h->counts, (h->n + 1) * sizeof *counts);
    double sum = h->sum;
    uint64_t count = h->count;
    pthread_mutex_unlock(&h->mu);

    char num[40];
    uint64_t cum = 0;
    for (size_t i = 0; i <= h->n; i++) {
        cum += counts[i];
        if (i < h->n)
            lt_metrics_format_double(num, sizeof num, h->bounds[i]);
        else
            snprintf(num, sizeof num, "+Inf");
        sb_printf(b, "%s_bucket{le=\"%s\"} %llu\n", name, num, (unsigned long long)cum);
    }
    lt_metrics_format_double(num, sizeof num, sum);
    sb_printf(b, "%s_sum %s\n", name, num);
    sb_printf(b, "%s_count %llu\n", name, (unsigned long long)count);
    free(counts);
}

int lt_metrics_render(struct lt_metrics *reg, char **out)
{
    assert(reg && out);
    struct sbuf b = { 0 };
    sb_reserve(&b, 0);
    b.p[0] = '\0';
    char num[40];

    pthread_mutex_lock(&reg->mu);
    for (struct metric *m = reg->head; m; m = m->next) {
        sb_printf(&b, "# HELP %s ", m->name);
        sb_help(&b, m->help);
        sb_printf(&b, "\n# TYPE %s %s\n", m->name, kind_names[m->kind]);
        switch (m->kind) {
        case KIND_COUNTER:
            sb_printf(&b, "%s %llu\n", m->name,
                      (unsigned long long)lt_metrics_counter_value(&m->counter));
            break;
        case KIND_GAUGE:
            lt_metrics_format_double(num, sizeof num, lt_metrics_gauge_value(&m->gauge));
            sb_printf(&b, "%s %s\n", m->name, num);
            break;
        case KIND_GAUGE_FN:
            lt_metrics_format_double(num, sizeof num, m->fn(m->arg));
            sb_printf(&b, "%s %s\n", m->name, num);
            break;
        case KIND_HISTOGRAM:
            render_histogram(&b, m->name, &m->hist);
            break;
        }
    }
    pthread_mutex_unlock(&reg->mu);
    *out = b.p;
    return LT_OK;
}
