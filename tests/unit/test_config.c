/* test_config — the declarative configuration loader: precedence
 * (command line > environment > file > default), bounds, unknown names,
 * required settings and positional arguments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"
#include "core/err.h"

struct cfg {
    char *name;
    long long count;
    int verbose;
};

static const struct lt_opt opts[] = {
    { "name", LT_OPT_STRING, "dflt", 0, 0, "LT_TEST_NAME", offsetof(struct cfg, name), 1, "a name" },
    { "count", LT_OPT_INT, "5", 1, 10, "LT_TEST_COUNT", offsetof(struct cfg, count), 0, "a count" },
    { "verbose", LT_OPT_BOOL, "false", 0, 0, NULL, offsetof(struct cfg, verbose), 0, "chatty" },
};
static const struct lt_config_spec spec = { "t", "[options]", "test", opts, 3 };

static int load(struct cfg *c, int argc, char **argv, int *first, char *err)
{
    memset(c, 0, sizeof *c);
    return lt_config_load(&spec, c, argc, argv, first, err, 256);
}

static void defaults(void **s)
{
    (void)s;
    unsetenv("LT_TEST_NAME"); unsetenv("LT_TEST_COUNT"); unsetenv("LT_CONFIG");
    struct cfg c; char err[256]; char *argv[] = { "t", NULL };
    assert_int_equal(load(&c, 1, argv, NULL, err), LT_OK);
    assert_string_equal(c.name, "dflt");
    assert_int_equal(c.count, 5);
    assert_int_equal(c.verbose, 0);
    lt_config_free(&spec, &c);
}

static void precedence(void **s)
{
    (void)s;
    char path[] = "/tmp/lt-test-config-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# comment\n[main]\nname = fromfile\ncount = 7\nverbose = yes\n", f);
    fclose(f);
    unsetenv("LT_TEST_NAME"); unsetenv("LT_TEST_COUNT");
    setenv("LT_CONFIG", path, 1);
    struct cfg c; char err[256]; char *argv[] = { "t", NULL };
    assert_int_equal(load(&c, 1, argv, NULL, err), LT_OK);
    assert_string_equal(c.name, "fromfile");
    assert_int_equal(c.count, 7);
    assert_int_equal(c.verbose, 1);
    lt_config_free(&spec, &c);

    setenv("LT_TEST_COUNT", "8", 1);
    assert_int_equal(load(&c, 1, argv, NULL, err), LT_OK);
    assert_int_equal(c.count, 8);
    lt_config_free(&spec, &c);

    char *argv2[] = { "t", "--count", "9", "--name=cli", NULL };
    assert_int_equal(load(&c, 4, argv2, NULL, err), LT_OK);
    assert_int_equal(c.count, 9);
    assert_string_equal(c.name, "cli");
    lt_config_free(&spec, &c);
    unsetenv("LT_CONFIG"); unsetenv("LT_TEST_COUNT");
    unlink(path);
}

static void errors_name_their_source(void **s)
{
    (void)s;
    unsetenv("LT_CONFIG"); unsetenv("LT_TEST_NAME");
    struct cfg c; char err[256];
    char *a1[] = { "t", "--count", "11", NULL };
    assert_int_equal(load(&c, 3, a1, NULL, err), LT_ERR_CONFIG);
    assert_non_null(strstr(err, "between 1 and 10"));
    lt_config_free(&spec, &c);

    char *a2[] = { "t", "--bogus", NULL };
    assert_int_equal(load(&c, 2, a2, NULL, err), LT_ERR_CONFIG);
    assert_non_null(strstr(err, "unknown option '--bogus'"));
    lt_config_free(&spec, &c);

    setenv("LT_TEST_COUNT", "many", 1);
    char *a3[] = { "t", NULL };
    assert_int_equal(load(&c, 1, a3, NULL, err), LT_ERR_CONFIG);
    assert_non_null(strstr(err, "environment LT_TEST_COUNT"));
    unsetenv("LT_TEST_COUNT");
    lt_config_free(&spec, &c);

    char *a4[] = { "t", "--name", NULL };
    assert_int_equal(load(&c, 2, a4, NULL, err), LT_ERR_CONFIG);
    assert_non_null(strstr(err, "needs a value"));
    lt_config_free(&spec, &c);

    char *a5[] = { "t", "stray", NULL };
    assert_int_equal(load(&c, 2, a5, NULL, err), LT_ERR_CONFIG);
    assert_non_null(strstr(err, "unexpected argument 'stray'"));
    lt_config_free(&spec, &c);

    setenv("LT_CONFIG", "/nonexistent/lt.conf", 1);
    assert_int_equal(load(&c, 1, a3, NULL, err), LT_ERR_CONFIG);
    assert_non_null(strstr(err, "cannot open"));
    unsetenv("LT_CONFIG");
    lt_config_free(&spec, &c);
}

static void positional_and_bool_flag(void **s)
{
    (void)s;
    unsetenv("LT_CONFIG");
    struct cfg c; char err[256]; int first = -1;
    char *argv[] = { "t", "--verbose", "file.json", "more", NULL };
    assert_int_equal(load(&c, 4, argv, &first, err), LT_OK);
    assert_int_equal(c.verbose, 1);
    assert_int_equal(first, 2);
    lt_config_free(&spec, &c);
    lt_config_free(&spec, NULL); /* no-op */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults),
        cmocka_unit_test(precedence),
        cmocka_unit_test(errors_name_their_source),
        cmocka_unit_test(positional_and_bool_flag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
