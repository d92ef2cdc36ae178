/* test_sim.c — unit tests of the province simulator (services/simulator).
 *
 * What they prove:
 *   - determinism: the same seed gives byte-identical output per agency (the
 *     exact lines --out writes), another seed different output;
 *   - a "small" (whole-province) run over 2023-2025, across the district
 *     reform (2025-07-01) and Decree 219 (2025-08-07), passes validation for
 *     every event (lt_sim_run aborts otherwise), leaves out every header
 *     field the agency service owns, produces every event type of the
 *     catalogue and every messy case, keeps each agency's output in sending
 *     order and in time order except for the events counted late, uses only
 *     agencies of the demo registry allowed to publish that type and active
 *     on the day (apart from the two it is known to lack), and writes only
 *     administrative areas that the units file resolves on the event's day;
 *     permits carry a demand decision exactly under Decree 152 and come from
 *     the People's Committee under Decree 219;
 *   - memory stays bounded: a "large" run's first 200,000 events grow the
 *     resident set by less than a fixed bound;
 *   - the HTTP sender posts batches of the configured size with the
 *     Idempotency-Key "<prefix>-<agency>-<n>", waits out a 503 and sends the
 *     same batch again, counts the duplicates of a repeated run, and stops
 *     with the problem body on a 4xx;
 *   - bad configurations are refused with a sentence, and a callback can stop
 *     a run. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/date.h"
#include "core/err.h"
#include "registry/registry.h"
#include "registry/units.h"
#include "sim.h"
#include "simhttp.h"

#ifndef LT_SOURCE_DIR
#define LT_SOURCE_DIR "."
#endif

/* Under AddressSanitizer, keep freed memory in quarantine briefly so the
 * resident set measures the simulator, not the sanitizer. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "quarantine_size_mb=8";
}

static struct lt_units *units;
static struct lt_registry *registry;

static int setup(void **state)
{
    (void)state;
    char err[2048];
    if (lt_units_new(LT_SOURCE_DIR "/deploy/registry/units.json", &units, err, sizeof err) !=
        LT_OK) {
        fprintf(stderr, "units: %s\n", err);
        return -1;
    }
    if (lt_registry_new(LT_SOURCE_DIR "/deploy/registry/agencies.example.json", &registry, err,
                        sizeof err) != LT_OK) {
        fprintf(stderr, "registry: %s\n", err);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lt_units_free(units);
    lt_registry_free(registry);
    return 0;
}

static void base_config(struct lt_sim_config *c, uint64_t seed, const char *scale)
{
    lt_sim_config_init(c);
    c->seed = seed;
    c->units = units;
    assert_int_equal(lt_sim_config_scale(c, scale), LT_OK);
}

/* ---- determinism ------------------------------------------------------------ */

struct digest {
    uint64_t h[32];
    uint64_t events;
};

static uint64_t fnv(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return (h ^ '\n') * 0x100000001b3ULL;
}

static int digest_event(const struct lt_sim_event *ev, void *arg)
{
    struct digest *d = arg;
    char *line = json_dumps(ev->json, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_non_null(line);
    if (!d->h[ev->agency_index])
        d->h[ev->agency_index] = 0xcbf29ce484222325ULL;
    d->h[ev->agency_index] = fnv(d->h[ev->agency_index], line);
    free(line);
    d->events++;
    return 0;
}

static void run_digest(uint64_t seed, struct digest *d)
{
    struct lt_sim_config c;
    struct lt_sim_summary sum;
    char err[512];
    base_config(&c, seed, "demo");
    c.foreign_workers = 600;
    c.outbound_workers = 600;
    memset(d, 0, sizeof *d);
    assert_int_equal(lt_sim_run(&c, digest_event, d, &sum, err, sizeof err), LT_OK);
    assert_int_equal(d->events, sum.events);
    assert_true(d->events > 5000);
}

static void test_determinism(void **state)
{
    (void)state;
    struct digest a, b, c;
    run_digest(42, &a);
    run_digest(42, &b);
    run_digest(43, &c);
    assert_int_equal(a.events, b.events);
    assert_memory_equal(a.h, b.h, sizeof a.h);
    assert_memory_not_equal(a.h, c.h, sizeof a.h);

    struct lt_sim_config x, y;
    base_config(&x, 42, "demo");
    base_config(&y, 42, "demo");
    assert_int_equal(lt_sim_fingerprint(&x), lt_sim_fingerprint(&y));
    y.days = 1000;
    assert_int_not_equal(lt_sim_fingerprint(&x), lt_sim_fingerprint(&y));
}

/* ---- the whole-province run ------------------------------------------------- */

struct full {
    struct lt_sim_config cfg;
    int64_t last_emit[32];
    int64_t max_occ[32];
    uint64_t late_seen;
    uint64_t types[300];
    uint64_t permits_152_with_decision, permits_219_without_decision;
    uint64_t before_reform, after_reform, before_219, after_219;
    uint64_t areas_checked;
};

/* Every object with a provinceCode is an AdminArea: it must resolve. */
static void check_areas(struct full *f, json_t *j, const char *date)
{
    if (json_is_object(j)) {
        json_t *p = json_object_get(j, "provinceCode");
        if (p) {
            const char *d = json_string_value(json_object_get(j, "districtCode"));
            const char *c = json_string_value(json_object_get(j, "communeCode"));
            char err[512];
            enum lt_units_verdict v = lt_units_check_area(units, json_string_value(p), d, c,
                                                          date, err, sizeof err);
            if (v != LT_UNITS_OK)
                fail_msg("area on %s does not resolve: %s", date, err);
            f->areas_checked++;
        }
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v)
            check_areas(f, v, date);
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v)
            check_areas(f, v, date);
    }
}

static int check_event(const struct lt_sim_event *ev, void *arg)
{
    struct full *f = arg;
    size_t a = ev->agency_index;
    assert_true(a < lt_sim_agency_count());
    assert_string_equal(ev->agency, lt_sim_agency_code(a));

    /* Only what agency software sends: no service-owned header field. */
    json_t *h = json_object_get(ev->json, "header");
    assert_non_null(h);
    assert_int_equal(json_object_size(h), 2);
    assert_non_null(json_object_get(h, "subject"));
    const char *occ = json_string_value(json_object_get(h, "occurredAtMs"));
    assert_non_null(occ);
    assert_int_equal(strtoll(occ, NULL, 10), ev->occurred_ms);
    assert_int_equal(json_object_size(ev->json), 2);

    /* Each agency's stream: in sending order; in time order but for the
     * events counted late. */
    assert_true(ev->emit_ms >= ev->occurred_ms);
    assert_true(ev->emit_ms >= f->last_emit[a]);
    f->last_emit[a] = ev->emit_ms;
    if (ev->occurred_ms < f->max_occ[a])
        assert_true(ev->late);
    if (ev->occurred_ms > f->max_occ[a])
        f->max_occ[a] = ev->occurred_ms;
    f->late_seen += ev->late != 0;

    /* The period. */
    int32_t day = lt_date_vn_from_unix_ms(ev->occurred_ms);
    assert_true(day >= f->cfg.first_day && day < f->cfg.first_day + f->cfg.days);
    f->types[ev->body_case]++;
    if (ev->body_case < 200) {
        f->before_219 += day < LT_DATE_CONST(2025, 8, 7);
        f->after_219 += day >= LT_DATE_CONST(2025, 8, 7);
    }
    f->before_reform += day < LT_DATE_CONST(2025, 7, 1);
    f->after_reform += day >= LT_DATE_CONST(2025, 7, 1);

    /* The agency may publish this type, on that day. */
    const char *type = lt_sim_type_name(ev->body_case);
    assert_non_null(type);
    const struct lt_registry_agency *ra = lt_registry_agency(registry, ev->agency);
    assert_int_equal(ra != NULL, lt_sim_agency_in_demo_registry(a));
    if (ra) {
        if (!lt_registry_may_emit(registry, ev->agency, type))
            fail_msg("agency %s may not publish %s", ev->agency, type);
        assert_true(ev->occurred_ms >= ra->valid_from_ms && ev->occurred_ms < ra->valid_until_ms);
    } else {
        assert_true(!strcmp(ev->agency, "svc.col") || !strcmp(ev->agency, "qnam.foreign_affairs"));
    }

    /* Demand decisions: under Decree 152 on the permit, never under 219;
     * under 219 the People's Committee decides. */
    if (ev->body_case == 120) {
        json_t *b = json_object_get(ev->json, "workPermitIssued");
        int has = json_object_get(b, "demandDecisionNo") != NULL;
        if (day < LT_DATE_CONST(2025, 8, 7)) {
            assert_true(has);
            assert_string_equal(ev->agency, "bdinh.labour");
            f->permits_152_with_decision++;
        } else {
            assert_false(has);
            assert_string_equal(ev->agency, "bdinh.people_committee");
            f->permits_219_without_decision++;
        }
    }

    char date[LT_DATE_STRLEN + 1];
    lt_date_format(day, date);
    check_areas(f, ev->json, date);
    return 0;
}

static void test_small_run(void **state)
{
    (void)state;
    static struct full full; /* static: a failed assertion leaves nothing to free */
    struct full *f = &full;
    struct lt_sim_summary sum;
    memset(f, 0, sizeof *f);
    char err[512];
    base_config(&f->cfg, 7, "small");
    /* 2023-01-01 .. 2025-12-31: both 2025 changes inside. */
    assert_int_equal(f->cfg.first_day, LT_DATE_CONST(2023, 1, 1));
    assert_int_equal(f->cfg.days, 1096);
    assert_int_equal(lt_sim_run(&f->cfg, check_event, f, &sum, err, sizeof err), LT_OK);

    assert_true(sum.events > 40000);
    for (size_t i = 0; i < lt_sim_type_count(); i++) {
        int c = lt_sim_type_case(i);
        if (!f->types[c])
            fail_msg("no %s event", lt_sim_type_name(c));
        assert_int_equal(f->types[c], sum.per_type[c]);
    }
    for (int m = 0; m < LT_SIM_MESSY_COUNT; m++)
        if (!sum.messy[m])
            fail_msg("messy case %s never produced", lt_sim_messy_name((enum lt_sim_messy)m));
    assert_int_equal(f->late_seen, sum.messy[LT_SIM_MESSY_LATE_EVENT]);
    assert_true(f->permits_152_with_decision > 0 && f->permits_219_without_decision > 0);
    assert_true(f->before_219 > 0 && f->after_219 > 0);
    assert_true(f->before_reform > 0 && f->after_reform > 0);
    assert_true(f->areas_checked > sum.events / 4);
    /* A whole province: roughly 1,500 departures a year once running. */
    assert_true(sum.departures > 3000 && sum.departures < 5500);
    assert_true(sum.foreign_workers > 2500);

    json_t *j = lt_sim_summary_json(&f->cfg, &sum);
    assert_int_equal(json_integer_value(json_object_get(j, "events")), (json_int_t)sum.events);
    assert_non_null(json_object_get(json_object_get(j, "messy"), "second_extension"));
    json_decref(j);
}

/* ---- bounded memory ----------------------------------------------------------- */

struct mem {
    uint64_t events;
    long rss_start_kb, rss_end_kb;
};

static long max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static int count_until(const struct lt_sim_event *ev, void *arg)
{
    struct mem *m = arg;
    (void)ev;
    m->events++;
    if (m->events == 20000)
        m->rss_start_kb = max_rss_kb();
    if (m->events == 200000) {
        m->rss_end_kb = max_rss_kb();
        return 1;
    }
    return 0;
}

static void test_memory_bounded(void **state)
{
    (void)state;
    struct lt_sim_config c;
    struct lt_sim_summary sum;
    struct mem m = { 0 };
    char err[512];
    base_config(&c, 3, "large");
    assert_true(c.foreign_workers + c.outbound_workers > 300000);
    assert_int_equal(lt_sim_run(&c, count_until, &m, &sum, err, sizeof err), LT_ERR_INVALID);
    assert_string_equal(err, "stopped by the caller");
    assert_int_equal(m.events, 200000);
    long growth_kb = m.rss_end_kb - m.rss_start_kb;
    fprintf(stderr, "large scale: RSS %ld kB after 20k events, %ld kB after 200k (+%ld kB); "
                    "at most %zu actors waiting\n",
            m.rss_start_kb, m.rss_end_kb, growth_kb, sum.max_active);
    /* 180,000 more events written out; the actors in progress cost a few
     * bytes each. 32 MiB is far below what keeping the events would take. */
    assert_true(growth_kb < 32 * 1024);
    assert_true(sum.max_active < 100000);
}

/* ---- refusals ---------------------------------------------------------------- */

static void test_bad_config(void **state)
{
    (void)state;
    struct lt_sim_config c;
    struct lt_sim_summary sum;
    char err[512];
    base_config(&c, 1, "demo");
    c.first_day = LT_DATE_CONST(2021, 6, 1);
    assert_int_equal(lt_sim_run(&c, NULL, NULL, &sum, err, sizeof err), LT_ERR_INVALID);
    assert_non_null(strstr(err, "2022-01-01"));

    base_config(&c, 1, "demo");
    c.units = NULL;
    assert_int_equal(lt_sim_run(&c, NULL, NULL, &sum, err, sizeof err), LT_ERR_INVALID);

    base_config(&c, 1, "demo");
    c.employers = 0;
    assert_int_equal(lt_sim_run(&c, NULL, NULL, &sum, err, sizeof err), LT_ERR_INVALID);
    assert_non_null(strstr(err, "employer"));

    base_config(&c, 1, "demo");
    c.rate_permille[LT_SIM_MESSY_LATE_EVENT] = 1001;
    assert_int_equal(lt_sim_run(&c, NULL, NULL, &sum, err, sizeof err), LT_ERR_INVALID);

    assert_int_equal(lt_sim_config_scale(&c, "huge"), LT_ERR_INVALID);

    /* A period wholly after the reforms and one day long still works. */
    base_config(&c, 1, "demo");
    c.first_day = LT_DATE_CONST(2025, 9, 1);
    c.days = 1;
    assert_int_equal(lt_sim_run(&c, NULL, NULL, &sum, err, sizeof err), LT_OK);
}

/* ---- the HTTP sender ---------------------------------------------------------- */

/* A one-thread HTTP/1.1 server: answers the first request with 503, then
 * 202 (duplicate when the key was seen before), or 422 when told to. */
struct fake {
    int lfd;
    int port;
    int requests;
    int refuse;             /* answer 422 */
    char keys[16][128];
    int n_keys;
    int events;
};

static void fake_answer(int fd, int status, const char *extra, const char *body)
{
    char head[512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n%sContent-Length: "
                     "%zu\r\n\r\n",
                     status, extra, strlen(body));
    assert_int_equal(write(fd, head, (size_t)n), n);
    assert_int_equal(write(fd, body, strlen(body)), (ssize_t)strlen(body));
}

static void *fake_serve(void *arg)
{
    struct fake *f = arg;
    for (;;) {
        int fd = accept(f->lfd, NULL, NULL);
        if (fd < 0)
            return NULL;
        static char buf[1 << 20];
        size_t len = 0;
        for (;;) { /* requests on this connection */
            char *end;
            while (!(end = memmem(buf, len, "\r\n\r\n", 4))) {
                ssize_t r = read(fd, buf + len, sizeof buf - len - 1);
                if (r <= 0)
                    goto next;
                len += (size_t)r;
            }
            buf[len] = '\0';
            const char *cl = strcasestr(buf, "Content-Length:");
            const char *ik = strcasestr(buf, "Idempotency-Key:");
            size_t body_len = cl ? (size_t)atol(cl + 15) : 0, head_len = (size_t)(end + 4 - buf);
            while (len < head_len + body_len) {
                ssize_t r = read(fd, buf + len, sizeof buf - len - 1);
                if (r <= 0)
                    goto next;
                len += (size_t)r;
            }
            char key[128] = "";
            if (ik)
                sscanf(ik + 16, " %127s", key);
            json_t *arr = json_loadb(buf + head_len, body_len, 0, NULL);
            size_t n = json_array_size(arr);
            json_decref(arr);
            f->requests++;
            if (f->refuse) {
                fake_answer(fd, 422, "", "{\"title\":\"Event breaks a rule\"}");
            } else if (f->requests == 1) {
                fake_answer(fd, 503, "Retry-After: 1\r\n", "{\"title\":\"Journal full\"}");
            } else {
                int dup = 0;
                for (int i = 0; i < f->n_keys; i++)
                    dup |= !strcmp(f->keys[i], key);
                if (!dup && f->n_keys < 16)
                    snprintf(f->keys[f->n_keys++], sizeof f->keys[0], "%s", key);
                f->events += (int)n;
                char body[4096] = "{\"accepted\":[";
                for (size_t i = 0; i < n; i++)
                    snprintf(body + strlen(body), sizeof body - strlen(body),
                             "%s{\"index\":%zu,\"duplicate\":%s}", i ? "," : "", i,
                             dup ? "true" : "false");
                strcat(body, "]}");
                fake_answer(fd, 202, "", body);
            }
            memmove(buf, buf + head_len + body_len, len - head_len - body_len);
            len -= head_len + body_len;
        }
    next:
        close(fd);
    }
}

static void send_seven(struct fake *f, uint64_t *dups, int expect_rc)
{
    static volatile sig_atomic_t run = 1;
    char url[64], err[1024];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", f->port);
    struct lt_simhttp *s = NULL;
    assert_int_equal(lt_simhttp_new("bdinh.police", url, "sim-9-cafe.3", 3, &run, &s, err,
                                    sizeof err), LT_OK);
    json_t *ev = json_pack("{s:{s:s}}", "header", "occurredAtMs", "1700000000000");
    int rc = LT_OK;
    for (int i = 0; i < 7 && rc == LT_OK; i++)
        rc = lt_simhttp_add(s, ev, err, sizeof err);
    if (rc == LT_OK)
        rc = lt_simhttp_flush(s, err, sizeof err);
    json_decref(ev);
    assert_int_equal(rc, expect_rc);
    if (rc == LT_OK) {
        assert_int_equal(lt_simhttp_stats(s)->events, 7);
        assert_int_equal(lt_simhttp_stats(s)->batches, 3);
        *dups = lt_simhttp_stats(s)->duplicates;
    } else {
        assert_non_null(strstr(err, "HTTP 422"));
        assert_non_null(strstr(err, "Event breaks a rule"));
    }
    lt_simhttp_free(s);
}

static void test_http_sender(void **state)
{
    (void)state;
    static struct fake f;
    memset(&f, 0, sizeof f);
    f.lfd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(f.lfd >= 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof a;
    assert_int_equal(bind(f.lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(f.lfd, 4), 0);
    assert_int_equal(getsockname(f.lfd, (struct sockaddr *)&a, &alen), 0);
    f.port = ntohs(a.sin_port);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, fake_serve, &f), 0);

    uint64_t dups = 99;
    send_seven(&f, &dups, LT_OK);            /* 503 first: the batch goes again */
    assert_int_equal(f.requests, 4);
    assert_int_equal(f.events, 7);
    assert_int_equal(dups, 0);
    assert_int_equal(f.n_keys, 3);
    assert_string_equal(f.keys[0], "sim-9-cafe.3-bdinh.police-1");
    assert_string_equal(f.keys[2], "sim-9-cafe.3-bdinh.police-3");
    send_seven(&f, &dups, LT_OK);            /* the same run again: all duplicates */
    assert_int_equal(dups, 7);
    f.refuse = 1;
    send_seven(&f, &dups, LT_ERR_INVALID);   /* a 4xx stops with the problem body */

    shutdown(f.lfd, SHUT_RDWR);
    close(f.lfd);
    pthread_join(th, NULL);

    struct lt_simhttp *s = NULL;
    char err[256];
    assert_int_equal(lt_simhttp_new("x", "ftp://h", "p", 1, NULL, &s, err, sizeof err),
                     LT_ERR_INVALID);
    assert_null(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_config),
        cmocka_unit_test(test_http_sender),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_small_run),
        cmocka_unit_test(test_memory_bounded),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
