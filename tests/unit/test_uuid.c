/* test_uuid — UUIDv7 layout (RFC 9562 appendix A.6 example), strict
 * monotonicity within a process, text round trip and rejection of bad text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/uuid.h"

static void rfc9562_example(void **s)
{
    (void)s;
    /* RFC 9562 A.6: 017F22E2-79B0-7CC3-98C4-DC0C0C07398F for
     * Tuesday, February 22, 2022 2:22:22.00 PM GMT-05:00. */
    uint8_t u[16], rnd[8] = { 0x98, 0xC4, 0xDC, 0x0C, 0x0C, 0x07, 0x39, 0x8F };
    lt_uuid7_from(u, 0x017F22E279B0, 0xCC3, rnd);
    char txt[37];
    lt_uuid_format(u, txt);
    assert_string_equal(txt, "017f22e2-79b0-7cc3-98c4-dc0c0c07398f");
    assert_int_equal(lt_uuid7_time_ms(u), 0x017F22E279B0);
    assert_true(lt_uuid_is_v7(u));
    uint8_t back[16];
    assert_int_equal(lt_uuid_parse("017F22E2-79B0-7CC3-98C4-DC0C0C07398F", back), LT_OK);
    assert_memory_equal(back, u, 16);
}

static void strictly_increasing(void **s)
{
    (void)s;
    uint8_t prev[16], cur[16];
    lt_uuid7(prev);
    for (int i = 0; i < 20000; i++) { /* many per millisecond: the counter must carry */
        lt_uuid7(cur);
        assert_true(lt_uuid_is_v7(cur));
        assert_true(memcmp(prev, cur, 16) < 0);
        memcpy(prev, cur, 16);
    }
}

static void bad_text_rejected(void **s)
{
    (void)s;
    uint8_t u[16];
    assert_int_equal(lt_uuid_parse("017f22e2-79b0-7cc3-98c4-dc0c0c07398", u), LT_ERR_INVALID);
    assert_int_equal(lt_uuid_parse("017f22e2x79b0-7cc3-98c4-dc0c0c07398f", u), LT_ERR_INVALID);
    assert_int_equal(lt_uuid_parse("017f22e2-79b0-7cc3-98c4-dc0c0c07398g", u), LT_ERR_INVALID);
    assert_int_equal(lt_uuid_parse(NULL, u), LT_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc9562_example),
        cmocka_unit_test(strictly_increasing),
        cmocka_unit_test(bad_text_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
