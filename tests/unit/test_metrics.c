/* test_metrics — the Prometheus registry renders the text exposition format
 * 0.0.4 exactly (a golden string for a counter, a gauge, a callback gauge and
 * a histogram), formats numbers the way Prometheus reads them, and counts
 * exactly under concurrent updates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/err.h"
#include "http/metrics.h"

static double always_one(void *arg)
{
    (void)arg;
    return 1;
}

static void golden(void **s)
{
    (void)s;
    struct lt_metrics *reg = lt_metrics_new();
    struct lt_metrics_counter *c =
        lt_metrics_counter(reg, "lt_events_accepted_total", "Events accepted.");
    struct lt_metrics_gauge *g =
        lt_metrics_gauge(reg, "lt_journal_pending", "Entries not yet published.\nSee \\docs.");
    lt_metrics_gauge_fn(reg, "lt_up", "Always one.", always_one, NULL);
    static const double bounds[] = { 0.005, 0.01, 0.0625, 1 };
    struct lt_metrics_histogram *h =
        lt_metrics_histogram(reg, "lt_publish_seconds", "Publish latency.", bounds, 4);

    lt_metrics_counter_inc(c);
    lt_metrics_counter_add(c, 6);
    lt_metrics_gauge_set(g, 10);
    lt_metrics_gauge_add(g, 2.5);
    /* Binary-exact values, so the sum prints exactly: 2.57421875. */
    lt_metrics_observe(h, 0.00390625); /* le 0.005 */
    lt_metrics_observe(h, 0.0078125);  /* le 0.01 */
    lt_metrics_observe(h, 0.0625);     /* on a bound: counted in it */
    lt_metrics_observe(h, 2.5);        /* only +Inf */

    char *out = NULL;
    assert_int_equal(lt_metrics_render(reg, &out), LT_OK);
    static const char want[] =
        "# HELP lt_events_accepted_total Events accepted.\n"
        "# TYPE lt_events_accepted_total counter\n"
        "lt_events_accepted_total 7\n"
        "# HELP lt_journal_pending Entries not yet published.\\nSee \\\\docs.\n"
        "# TYPE lt_journal_pending gauge\n"
        "lt_journal_pending 12.5\n"
        "# HELP lt_up Always one.\n"
        "# TYPE lt_up gauge\n"
        "lt_up 1\n"
        "# HELP lt_publish_seconds Publish latency.\n"
        "# TYPE lt_publish_seconds histogram\n"
        "lt_publish_seconds_bucket{le=\"0.005\"} 1\n"
        "lt_publish_seconds_bucket{le=\"0.01\"} 2\n"
        "lt_publish_seconds_bucket{le=\"0.0625\"} 3\n"
        "lt_publish_seconds_bucket{le=\"1\"} 3\n"
        "lt_publish_seconds_bucket{le=\"+Inf\"} 4\n"
        "lt_publish_seconds_sum 2.57421875\n"
        "lt_publish_seconds_count 4\n";
    assert_string_equal(out, want);
    free(out);
    lt_metrics_free(reg);
}

static void empty_and_free_null(void **s)
{
    (void)s;
    lt_metrics_free(NULL);
    struct lt_metrics *reg = lt_metrics_new();
    char *out = NULL;
    assert_int_equal(lt_metrics_render(reg, &out), LT_OK);
    assert_string_equal(out, "");
    free(out);
    lt_metrics_free(reg);
}

static void same_name_same_metric(void **s)
{
    (void)s;
    struct lt_metrics *reg = lt_metrics_new();
    struct lt_metrics_counter *a = lt_metrics_counter(reg, "x_total", "X.");
    struct lt_metrics_counter *b = lt_metrics_counter(reg, "x_total", "X again.");
    assert_ptr_equal(a, b);
    static const double bounds[] = { 1, 2 };
    struct lt_metrics_histogram *h1 = lt_metrics_histogram(reg, "h", "H.", bounds, 2);
    struct lt_metrics_histogram *h2 = lt_metrics_histogram(reg, "h", "H.", bounds, 2);
    assert_ptr_equal(h1, h2);
    char *out = NULL;
    assert_int_equal(lt_metrics_render(reg, &out), LT_OK);
    /* Rendered once, with the first help text. */
    assert_non_null(strstr(out, "# HELP x_total X.\n"));
    assert_null(strstr(out, "X again"));
    free(out);
    lt_metrics_free(reg);
}

static void number_format(void **s)
{
    (void)s;
    char b[40];
    const struct { double v; const char *want; } cases[] = {
        { 0, "0" },         { 1, "1" },        { 2.5, "2.5" },     { 0.005, "0.005" },
        { 0.1, "0.1" },     { 1e-5, "1e-05" }, { 1.0 / 3, "0.3333333333333333" },
        { -4, "-4" },       { 1e21, "1e+21" }, { 12345678, "1.2345678e+07" },
        { 850000, "850000" }, { 999999, "999999" }, { 1e6, "1e+06" }, { 0.0001, "0.0001" },
        { 0.000123, "0.000123" }, { 1.5e-5, "1.5e-05" }, { -0.25, "-0.25" },
        { 2.57421875, "2.57421875" }, { 1e100, "1e+100" }, { 5e-324, "5e-324" },
        { INFINITY, "+Inf" }, { -INFINITY, "-Inf" }, { NAN, "NaN" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lt_metrics_format_double(b, sizeof b, cases[i].v);
        assert_string_equal(b, cases[i].want);
    }
}

static void nan_goes_to_inf_bucket(void **s)
{
    (void)s;
    struct lt_metrics *reg = lt_metrics_new();
    static const double bounds[] = { 1 };
    struct lt_metrics_histogram *h = lt_metrics_histogram(reg, "n", "N.", bounds, 1);
    lt_metrics_observe(h, NAN);
    char *out = NULL;
    assert_int_equal(lt_metrics_render(reg, &out), LT_OK);
    assert_non_null(strstr(out, "n_bucket{le=\"1\"} 0\nn_bucket{le=\"+Inf\"} 1\nn_sum NaN\n"));
    free(out);
    lt_metrics_free(reg);
}

#define THREADS 4
#define PER_THREAD 100000

struct hammer {
    struct lt_metrics_counter *c;
    struct lt_metrics_gauge *g;
    struct lt_metrics_histogram *h;
};

static void *hammer_run(void *arg)
{
    struct hammer *hm = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        lt_metrics_counter_inc(hm->c);
        lt_metrics_gauge_add(hm->g, 1);
        lt_metrics_gauge_add(hm->g, -0.5);
        lt_metrics_observe(hm->h, (i % 2) ? 0.25 : 4);
    }
    return NULL;
}

static void *render_run(void *arg)
{
    struct lt_metrics *reg = arg;
    for (int i = 0; i < 200; i++) {
        char *out = NULL;
        assert_int_equal(lt_metrics_render(reg, &out), LT_OK);
        free(out);
    }
    return NULL;
}

static void concurrent_updates_are_exact(void **s)
{
    (void)s;
    struct lt_metrics *reg = lt_metrics_new();
    static const double bounds[] = { 1 };
    struct hammer hm = {
        lt_metrics_counter(reg, "c_total", "C."),
        lt_metrics_gauge(reg, "g", "G."),
        lt_metrics_histogram(reg, "h", "H.", bounds, 1),
    };
    pthread_t t[THREADS + 1];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, hammer_run, &hm), 0);
    assert_int_equal(pthread_create(&t[THREADS], NULL, render_run, reg), 0);
    for (int i = 0; i <= THREADS; i++)
        pthread_join(t[i], NULL);

    assert_int_equal(lt_metrics_counter_value(hm.c), THREADS * PER_THREAD);
    assert_true(lt_metrics_gauge_value(hm.g) == THREADS * PER_THREAD * 0.5);
    char *out = NULL;
    assert_int_equal(lt_metrics_render(reg, &out), LT_OK);
    char want[256];
    snprintf(want, sizeof want,
             "h_bucket{le=\"1\"} %d\nh_bucket{le=\"+Inf\"} %d\nh_sum %d\nh_count %d\n",
             THREADS * PER_THREAD / 2, THREADS * PER_THREAD,
             /* half 0.25, half 4: exact in binary */
             THREADS * PER_THREAD / 2 * 4 + THREADS * PER_THREAD / 2 / 4,
             THREADS * PER_THREAD);
    if (!strstr(out, want))
        fail_msg("want\n%s\nin\n%s", want, out);
    free(out);
    lt_metrics_free(reg);
}

/* Registration mistakes are programming errors: the process aborts. */
static void bad_registration_aborts(void **s)
{
    (void)s;
    for (int which = 0; which < 3; which++) {
        fflush(stderr);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            struct lt_metrics *reg = lt_metrics_new();
            static const double down[] = { 2, 1 };
            if (which == 0)
                (void)lt_metrics_counter(reg, "9starts_with_digit", "Bad.");
            else if (which == 1) {
                (void)lt_metrics_counter(reg, "twice", "C.");
                (void)lt_metrics_gauge(reg, "twice", "G.");
            } else
                (void)lt_metrics_histogram(reg, "h", "H.", down, 2);
            _exit(0);
        }
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden),
        cmocka_unit_test(empty_and_free_null),
        cmocka_unit_test(same_name_same_metric),
        cmocka_unit_test(number_format),
        cmocka_unit_test(nan_goes_to_inf_bucket),
        cmocka_unit_test(concurrent_updates_are_exact),
        cmocka_unit_test(bad_registration_aborts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
