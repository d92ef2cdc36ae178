/* test_query_auth — the query service's tokens, roles and masking
 * (services/query/auth.h, mask.h): token shape and hashing (a known answer:
 * BLAKE2b-256 of the token text), the Authorization header parser against
 * malformed and hostile values, the role names and which roles see masked
 * numbers, and the masked forms of citizen ids, passports and rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "auth.h"
#include "core/err.h"
#include "mask.h"

static void test_token(void **state)
{
    (void)state;
    char a[LQ_TOKEN_LEN + 1], b[LQ_TOKEN_LEN + 1], hdr[80];
    lq_auth_token_new(a);
    lq_auth_token_new(b);
    assert_int_equal(strlen(a), LQ_TOKEN_LEN);
    assert_memory_equal(a, LQ_TOKEN_PREFIX, 4);
    assert_string_not_equal(a, b);
    const char *t = NULL;
    snprintf(hdr, sizeof hdr, "Bearer %s", a);
    assert_int_equal(lq_auth_bearer(hdr, &t), LT_OK);
    assert_string_equal(t, a);
    snprintf(hdr, sizeof hdr, "bearer %s", a); /* the scheme is case-insensitive */
    assert_int_equal(lq_auth_bearer(hdr, &t), LT_OK);

    /* Known answer: BLAKE2b-256 (no key) of the ASCII text "abc". */
    uint8_t h[LQ_TOKEN_HASH_BYTES];
    char hex[2 * LQ_TOKEN_HASH_BYTES + 1];
    lq_auth_token_hash("abc", h);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    assert_string_equal(hex, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
}

static void test_bearer_refusals(void **state)
{
    (void)state;
    const char *t = NULL;
    char tok[LQ_TOKEN_LEN + 1], hdr[160];
    lq_auth_token_new(tok);
    assert_int_equal(lq_auth_bearer(NULL, &t), LT_ERR_INVALID);
    /* {before the token, after it, how much of it} */
    static const struct { const char *pre, *post; int len; } forms[] = {
        { "Basic ", "", LQ_TOKEN_LEN },  { "Bearer  ", "", LQ_TOKEN_LEN },
        { "Bearer ", " ", LQ_TOKEN_LEN }, { "Bearer ", "x", LQ_TOKEN_LEN },
        { "Bearer", "", LQ_TOKEN_LEN },   { "Token ", "", LQ_TOKEN_LEN },
        { "Bearer ", "", LQ_TOKEN_LEN - 1 }, { "", "", LQ_TOKEN_LEN },
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        snprintf(hdr, sizeof hdr, "%s%.*s%s", forms[i].pre, forms[i].len, tok, forms[i].post);
        assert_int_equal(lq_auth_bearer(hdr, &t), LT_ERR_INVALID);
    }
    /* Right length and prefix, but characters outside base64url. */
    char bad[LQ_TOKEN_LEN + 1];
    memcpy(bad, tok, sizeof bad);
    bad[10] = '\'';
    snprintf(hdr, sizeof hdr, "Bearer %s", bad);
    assert_int_equal(lq_auth_bearer(hdr, &t), LT_ERR_INVALID);
    memcpy(bad, tok, sizeof bad);
    memcpy(bad, "xyz_", 4);
    snprintf(hdr, sizeof hdr, "Bearer %s", bad);
    assert_int_equal(lq_auth_bearer(hdr, &t), LT_ERR_INVALID);
}

static void test_roles(void **state)
{
    (void)state;
    static const char *const names[] = { "agency", "staff", "leader", "auditor" };
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(lq_role_name(lq_role_parse(names[i])), names[i]);
    assert_int_equal(lq_role_parse("Staff"), 0);
    assert_int_equal(lq_role_parse(""), 0);
    assert_int_equal(lq_role_parse(NULL), 0);
    assert_string_equal(lq_role_name(0), "?");
    assert_true(lq_role_masks_numbers(LQ_ROLE_AGENCY));
    assert_false(lq_role_masks_numbers(LQ_ROLE_STAFF));
    assert_false(lq_role_masks_numbers(LQ_ROLE_AUDITOR));
    assert_false(LQ_ROLES_PERSONAL & LQ_ROLE_LEADER);
}

static void test_mask(void **state)
{
    (void)state;
    char out[64];
    lq_mask_subject("VNM:049098001234", out, sizeof out);
    assert_string_equal(out, "VNM:*********234");
    lq_mask_subject("JPN:TK1234567", out, sizeof out);
    assert_string_equal(out, "JPN:******567");
    lq_mask_subject("KOR:M12345", out, sizeof out); /* 6 characters or fewer: all hidden */
    assert_string_equal(out, "KOR:******");
    lq_mask_subject("enterprise:4100000001", out, sizeof out);
    assert_string_equal(out, "enterprise:4100000001");
    lq_mask_subject("nocolon123456", out, sizeof out);
    assert_string_equal(out, "**********456");
    lq_mask_number("B1234567", out, sizeof out);
    assert_string_equal(out, "*****567");
    char small[8];
    lq_mask_subject("VNM:049098001234", small, sizeof small); /* cut, never overrun */
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_null(strpbrk(small + 4, "0123456789"));

    json_t *row = json_pack("{s:s, s:s, s:s, s:i}", "subject", "CHN:EG1234567", "passportNumber",
                            "EG1234567", "fullName", "Li Wei", "violations", 2);
    lq_mask_row(row);
    assert_string_equal(json_string_value(json_object_get(row, "subject")), "CHN:******567");
    assert_string_equal(json_string_value(json_object_get(row, "passportNumber")), "******567");
    assert_string_equal(json_string_value(json_object_get(row, "fullName")), "Li Wei");
    json_decref(row);
    json_t *null_row = json_null();
    lq_mask_row(null_row); /* no-op */
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token), cmocka_unit_test(test_bearer_refusals),
        cmocka_unit_test(test_roles), cmocka_unit_test(test_mask),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
