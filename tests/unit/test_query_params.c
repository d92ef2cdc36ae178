/* test_query_params — the query service's rules for what callers send
 * (services/query/params.h): strict integers, booleans, dates and codes, the
 * purpose of a personal-data read, the folded name searched for, and the
 * opaque cursors (round trip, and every kind of forgery refused). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/err.h"
#include "params.h"

static void test_int(void **state)
{
    (void)state;
    long long v = 0;
    char err[160];
    assert_int_equal(lq_params_int("limit", "50", 1, 500, &v, err, sizeof err), LT_OK);
    assert_int_equal(v, 50);
    assert_int_equal(lq_params_int("x", "0", 0, 5, &v, err, sizeof err), LT_OK);
    assert_int_equal(lq_params_int("x", "-7", -10, 5, &v, err, sizeof err), LT_OK);
    assert_int_equal(v, -7);
    static const char *const bad[] = { "", "-", "+5", " 5", "5 ", "05", "-0", "1e3", "0x10",
                                       "5;DROP TABLE x", "99999999999999999999", "1.5", NULL };
    for (size_t i = 0; bad[i]; i++) {
        v = 1234;
        assert_int_equal(lq_params_int("limit", bad[i], -100, 100, &v, err, sizeof err),
                         LT_ERR_INVALID);
        assert_int_equal(v, 1234);
        assert_non_null(strstr(err, "limit"));
    }
    assert_int_equal(lq_params_int("limit", "501", 1, 500, &v, err, sizeof err), LT_ERR_INVALID);
    assert_non_null(strstr(err, "between 1 and 500"));
    assert_int_equal(lq_params_int("limit", "0", 1, 500, &v, err, sizeof err), LT_ERR_INVALID);
}

static void test_bool_date_code_choice(void **state)
{
    (void)state;
    int b = -1, d = 0;
    char err[160];
    assert_int_equal(lq_params_bool("present", "true", &b, err, sizeof err), LT_OK);
    assert_int_equal(b, 1);
    assert_int_equal(lq_params_bool("present", "false", &b, err, sizeof err), LT_OK);
    assert_int_equal(b, 0);
    assert_int_equal(lq_params_bool("present", "1", &b, err, sizeof err), LT_ERR_INVALID);
    assert_int_equal(lq_params_bool("present", "TRUE", &b, err, sizeof err), LT_ERR_INVALID);
    assert_int_equal(lq_params_date("since", "2026-02-28", &d, err, sizeof err), LT_OK);
    assert_int_equal(lq_params_date("since", "2026-02-29", &d, err, sizeof err), LT_ERR_INVALID);
    assert_int_equal(lq_params_date("since", "2026-2-1", &d, err, sizeof err), LT_ERR_INVALID);
    assert_int_equal(lq_params_code("employer", "4100000001", 14, err, sizeof err), LT_OK);
    assert_int_equal(lq_params_code("agency", "bdinh.police", 64, err, sizeof err), LT_OK);
    assert_int_equal(lq_params_code("employer", "41' OR '1'='1", 64, err, sizeof err),
                     LT_ERR_INVALID);
    assert_int_equal(lq_params_code("employer", "", 14, err, sizeof err), LT_ERR_INVALID);
    assert_int_equal(lq_params_code("nationality", "JPNX", 3, err, sizeof err), LT_ERR_INVALID);
    assert_int_equal(lq_params_code("x", "a%00b", 14, err, sizeof err), LT_ERR_INVALID);
    static const char *const states[] = { "open", "closed", "all", NULL };
    assert_int_equal(lq_params_choice("state", "closed", states, err, sizeof err), LT_OK);
    assert_int_equal(lq_params_choice("state", "Open", states, err, sizeof err), LT_ERR_INVALID);
    assert_string_equal(err, "state must be one of: open, closed, all");
    const char *const known[] = { "limit", "cursor", NULL };
    assert_true(lq_params_known("cursor", known));
    assert_false(lq_params_known("Cursor", known));
    assert_false(lq_params_known("", known));
}

static void test_purpose(void **state)
{
    (void)state;
    char err[200];
    assert_int_equal(lq_params_purpose("inspection 2026/17 of employer 4100000001", err, sizeof err),
                     LT_OK);
    assert_int_equal(lq_params_purpose("Kiểm tra hồ sơ", err, sizeof err), LT_OK);
    assert_int_equal(lq_params_purpose(NULL, err, sizeof err), LT_ERR_INVALID);
    assert_non_null(strstr(err, "X-Purpose"));
    assert_int_equal(lq_params_purpose("ab", err, sizeof err), LT_ERR_INVALID);
    assert_int_equal(lq_params_purpose("     ", err, sizeof err), LT_ERR_INVALID);
    assert_int_equal(lq_params_purpose("line\nbreak", err, sizeof err), LT_ERR_INVALID);
    assert_int_equal(lq_params_purpose("tab\there", err, sizeof err), LT_ERR_INVALID);
    assert_int_equal(lq_params_purpose("bad \xff\xfe bytes", err, sizeof err), LT_ERR_INVALID);
    assert_int_equal(lq_params_purpose("cut \xc3", err, sizeof err), LT_ERR_INVALID);
    assert_int_equal(lq_params_purpose("overlong \xc0\xaf", err, sizeof err), LT_ERR_INVALID);
    char big[LQ_PURPOSE_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(lq_params_purpose(big, err, sizeof err), LT_ERR_INVALID);
    big[LQ_PURPOSE_MAX] = '\0';
    assert_int_equal(lq_params_purpose(big, err, sizeof err), LT_OK);
}

/* The search key meets every spelling of a Vietnamese name, and nothing that
 * could act inside a LIKE pattern gets through. */
static void test_name_key(void **state)
{
    (void)state;
    char *k = NULL, err[160];
    static const char *const spellings[] = {
        "Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b \xc4\x90\xc3\xa0o",                    /* NFC */
        "Nguye\xcc\x82\xcc\x83n Thi\xcc\xa3 \xc4\x90" "a\xcc\x80o",               /* NFD */
        "NGUYEN  THI DAO", "  nguyen thi dao ", "NGUY\xe1\xbb\x84N TH\xe1\xbb\x8a \xc4\x90\xc3\x80O",
        NULL,
    };
    for (size_t i = 0; spellings[i]; i++) {
        assert_int_equal(lq_params_name_key(spellings[i], &k, err, sizeof err), LT_OK);
        assert_string_equal(k, "nguyen thi dao");
        free(k);
    }
    assert_int_equal(lq_params_name_key("O'Brien-Smith Jr.", &k, err, sizeof err), LT_OK);
    assert_string_equal(k, "o'brien-smith jr.");
    free(k);
    static const char *const bad[] = { "a", "   x  ", "50%", "a_b", "x\\y", "'; DROP TABLE x; --",
                                       "\xff\xfe", "\xc3", "a<script>", NULL };
    for (size_t i = 0; bad[i]; i++) {
        k = (char *)"untouched";
        assert_int_equal(lq_params_name_key(bad[i], &k, err, sizeof err), LT_ERR_INVALID);
        assert_null(k);
    }
    char big[402];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(lq_params_name_key(big, &k, err, sizeof err), LT_ERR_INVALID);
    big[101] = '\0';
    assert_int_equal(lq_params_name_key(big, &k, err, sizeof err), LT_ERR_INVALID);
    big[100] = '\0';
    assert_int_equal(lq_params_name_key(big, &k, err, sizeof err), LT_OK);
    free(k);
}

static char *b64url(const char *text)
{
    size_t len = strlen(text);
    size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = malloc(cap);
    assert_non_null(out);
    sodium_bin2base64(out, cap, (const unsigned char *)text, len,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

static void test_cursor(void **state)
{
    (void)state;
    char keys[LQ_CURSOR_KEYS][LQ_CURSOR_KEY_MAX], err[200];
    const char *const two[] = { "1763900000123000", "019ba6c7-b6e8-7003-8000-000000000099" };
    char *c = lq_cursor_encode(two, 2);
    assert_null(strpbrk(c, "+/=")); /* URL-safe as it is */
    assert_int_equal(lq_cursor_decode(c, keys, 2, err, sizeof err), LT_OK);
    assert_string_equal(keys[0], two[0]);
    assert_string_equal(keys[1], two[1]);
    /* The wrong list's cursor (another key count) is refused. */
    assert_int_equal(lq_cursor_decode(c, keys, 1, err, sizeof err), LT_ERR_INVALID);
    assert_non_null(strstr(err, "nextCursor"));
    free(c);
    const char *const tricky[] = { "VNM:049098001234' OR '1'='1" };
    c = lq_cursor_encode(tricky, 1);
    assert_int_equal(lq_cursor_decode(c, keys, 1, err, sizeof err), LT_OK);
    assert_string_equal(keys[0], tricky[0]); /* carried as data; SQL takes it as a parameter */
    free(c);

    static const char *const forged_json[] = { "[\"v2\",\"x\"]", "[\"v1\",1]", "{\"v1\":\"x\"}",
                                               "[\"v1\",\"a\\u0000b\"]", "[\"v1\",\"a\\nb\"]",
                                               "[\"v1\"]", "not json", "[\"v1\",\"x\",\"y\"]", NULL };
    for (size_t i = 0; forged_json[i]; i++) {
        char *f = b64url(forged_json[i]);
        assert_int_equal(lq_cursor_decode(f, keys, 1, err, sizeof err), LT_ERR_INVALID);
        free(f);
    }
    char longkey[LQ_CURSOR_KEY_MAX + 16];
    snprintf(longkey, sizeof longkey, "[\"v1\",\"%0*d\"]", LQ_CURSOR_KEY_MAX, 7);
    char *f = b64url(longkey);
    assert_int_equal(lq_cursor_decode(f, keys, 1, err, sizeof err), LT_ERR_INVALID);
    free(f);
    static const char *const garbage[] = { "", "%%%", "a b", "AAAA=", "====", NULL };
    for (size_t i = 0; garbage[i]; i++)
        assert_int_equal(lq_cursor_decode(garbage[i], keys, 1, err, sizeof err), LT_ERR_INVALID);
    char huge[LQ_CURSOR_TEXT_MAX + 2];
    memset(huge, 'A', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    assert_int_equal(lq_cursor_decode(huge, keys, 1, err, sizeof err), LT_ERR_INVALID);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_int),     cmocka_unit_test(test_bool_date_code_choice),
        cmocka_unit_test(test_purpose), cmocka_unit_test(test_name_key),
        cmocka_unit_test(test_cursor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
