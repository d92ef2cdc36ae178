/* test_log — the logger's JSON escaping and level parsing: every log line
 * must stay one valid JSON object whatever a message contains. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/log.h"

static void escapes(void **s)
{
    (void)s;
    char buf[128];
    size_t len = 0;
    lt_log_json_escape(buf, sizeof buf, &len, "a\"b\\c\nd\te\x01" "f");
    assert_string_equal(buf, "a\\\"b\\\\c\\nd\\te\\u0001f");
    assert_int_equal(len, strlen(buf));
}

static void truncates_without_breaking_escapes(void **s)
{
    (void)s;
    char buf[8];
    size_t len = 0;
    lt_log_json_escape(buf, sizeof buf, &len, "abcd\"\"\"\"");
    /* Fits "abcd\"" (6 chars) + NUL; never half an escape. */
    assert_string_equal(buf, "abcd\\\"");
}

static void levels(void **s)
{
    (void)s;
    assert_int_equal(lt_log_level_parse("debug"), LT_LOG_DEBUG);
    assert_int_equal(lt_log_level_parse("error"), LT_LOG_ERROR);
    assert_int_equal(lt_log_level_parse("loud"), -1);
    assert_int_equal(lt_log_level_parse(NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escapes),
        cmocka_unit_test(truncates_without_breaking_escapes),
        cmocka_unit_test(levels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
