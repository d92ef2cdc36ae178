/* metrics.h — a tiny Prometheus registry: counters, gauges and histograms.
 *
 * Every program exposes its health numbers at GET /metrics in the Prometheus
 * text exposition format 0.0.4 (see lt_http_add_standard_routes in
 * http/server.h). The registry is deliberately small: named metrics with help
 * text, no labels, rendered in registration order so the output is stable and
 * testable against a golden string.
 *
 * Threads: updates (inc, set, observe) are lock-free atomics for counters and
 * gauges and take a per-histogram mutex for histograms; they may be called from
 * any thread at any time, including while another thread renders. Registration
 * is also thread-safe but is meant to happen once, at start-up.
 *
 * Ownership: the registry owns every metric it hands out; the pointers stay
 * valid until lt_metrics_free(). */
#ifndef LT_HTTP_METRICS_H
#define LT_HTTP_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct lt_metrics;
struct lt_metrics_counter;
struct lt_metrics_gauge;
struct lt_metrics_histogram;

/* Upper bounds (seconds) suited to request and publish latency, from 0.5 ms
 * to 10 s; the +Inf bucket is implicit. */
extern const double lt_metrics_latency_buckets[];
extern const size_t lt_metrics_latency_buckets_n;

/* A new empty registry; the caller owns it (lt_metrics_free). Never NULL. */
struct lt_metrics *lt_metrics_new(void);

/* Frees the registry and every metric in it. NULL is a no-op. No other thread
 * may still be updating one of its metrics. */
void lt_metrics_free(struct lt_metrics *reg);

/* Registration. `name` must match [a-zA-Z_:][a-zA-Z0-9_:]* and `help` is one
 * human sentence (any text; backslashes and newlines are escaped on output);
 * both are copied. Registering a name again with the same kind returns the
 * metric already there, so two modules may share one; a bad name, a name
 * already used by another kind, or bad histogram bounds are programming errors
 * and abort with a log line (like running out of memory, they are not
 * recoverable and the first test run finds them). Never returns NULL. */
struct lt_metrics_counter *lt_metrics_counter(struct lt_metrics *reg, const char *name,
                                              const char *help);
struct lt_metrics_gauge *lt_metrics_gauge(struct lt_metrics *reg, const char *name,
                                          const char *help);
/* Histogram with `n` finite upper bounds, strictly increasing (copied); +Inf
 * is added implicitly. A value v lands in the first bucket with v <= bound. */
struct lt_metrics_histogram *lt_metrics_histogram(struct lt_metrics *reg, const char *name,
                                                  const char *help, const double *bounds,
                                                  size_t n);

/* A gauge whose value is read by calling fn(arg) at every render, e.g. the
 * journal's pending count. fn runs on the rendering thread with the registry
 * locked: it must be quick and must not call back into the registry. */
void lt_metrics_gauge_fn(struct lt_metrics *reg, const char *name, const char *help,
                         double (*fn)(void *arg), void *arg);

/* Updates. Counters only go up. */
void lt_metrics_counter_inc(struct lt_metrics_counter *c);
void lt_metrics_counter_add(struct lt_metrics_counter *c, uint64_t n);
uint64_t lt_metrics_counter_value(struct lt_metrics_counter *c);
void lt_metrics_gauge_set(struct lt_metrics_gauge *g, double v);
void lt_metrics_gauge_add(struct lt_metrics_gauge *g, double delta);
double lt_metrics_gauge_value(struct lt_metrics_gauge *g);
void lt_metrics_observe(struct lt_metrics_histogram *h, double v);

/* Renders every metric in registration order in the text exposition format
 * 0.0.4 (HELP and TYPE lines; histograms as cumulative _bucket{le="…"} lines
 * ending with le="+Inf", then _sum and _count). On LT_OK *out is a new
 * NUL-terminated string the caller owns (free()). */
int lt_metrics_render(struct lt_metrics *reg, char **out) __attribute__((warn_unused_result));

/* Formats v the way the Prometheus Go client does (shortest text that reads
 * back as the same double, as Go's strconv 'g' with precision -1: "0.005",
 * "850000", "1e+06", "1e-05"; "+Inf", "-Inf", "NaN"). Counter values and
 * bucket counts are printed as integers instead. Exposed for tests and for code
 * that writes the format by hand. buf should hold at least 32 bytes. */
void lt_metrics_format_double(char *buf, size_t cap, double v);

#endif
