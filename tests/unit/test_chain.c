/* test_chain — every kind of chain break is found at the right place with the
 * right kind, and exact re-deliveries are absorbed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "crypto/chain.h"

#define N 10
static struct lt_chain_link chain[N];

/* Sequence i+1's "event bytes" are a short text; prev links to the one before. */
static void make_chain(void)
{
    uint8_t prev[LT_HASH_BYTES] = { 0 };
    for (int i = 0; i < N; i++) {
        char bytes[32];
        snprintf(bytes, sizeof bytes, "event %d", i + 1);
        chain[i].seq = (uint64_t)i + 1;
        memcpy(chain[i].prev_hash, prev, LT_HASH_BYTES);
        lt_hash_event(chain[i].hash, (const uint8_t *)bytes, strlen(bytes));
        memcpy(prev, chain[i].hash, LT_HASH_BYTES);
    }
}

static void intact_and_duplicates(void **s)
{
    (void)s;
    struct lt_chain_report r;
    assert_int_equal(lt_chain_verify(chain, N, 0, NULL, &r), LT_OK);
    assert_int_equal(r.kind, LT_CHAIN_OK);
    assert_int_equal(r.last_seq, N);

    struct lt_chain_link d[N + 2];
    memcpy(d, chain, 5 * sizeof d[0]);
    d[5] = chain[2]; /* re-delivery of seq 3 */
    d[6] = chain[4]; /* and of seq 5 */
    memcpy(d + 7, chain + 5, 5 * sizeof d[0]);
    assert_int_equal(lt_chain_verify(d, N + 2, 0, NULL, &r), LT_OK);
    assert_int_equal(r.duplicates, 2);
    assert_int_equal(r.last_seq, N);
}

static void continues_from_a_known_head(void **s)
{
    (void)s;
    struct lt_chain_report r;
    assert_int_equal(lt_chain_verify(chain + 4, N - 4, 4, chain[3].hash, &r), LT_OK);
    /* Wrong head hash: the first link does not fit. */
    assert_int_equal(lt_chain_verify(chain + 4, N - 4, 4, chain[2].hash, &r), LT_ERR_CRYPTO);
    assert_int_equal(r.kind, LT_CHAIN_ALTERED);
    assert_int_equal(r.seq, 5);
    /* Re-delivery of the head itself is a duplicate, an older one a reorder. */
    struct lt_chain_link d[2] = { chain[3], chain[4] };
    assert_int_equal(lt_chain_verify(d, 2, 4, chain[3].hash, &r), LT_OK);
    assert_int_equal(r.duplicates, 1);
    d[0] = chain[1];
    assert_int_equal(lt_chain_verify(d, 2, 4, chain[3].hash, &r), LT_ERR_CRYPTO);
    assert_int_equal(r.kind, LT_CHAIN_REORDER);
}

static void gap(void **s)
{
    (void)s;
    struct lt_chain_link d[N - 2];
    memcpy(d, chain, 4 * sizeof d[0]);          /* 1..4 */
    memcpy(d + 4, chain + 6, 4 * sizeof d[0]);  /* 7..10: 5 and 6 missing */
    struct lt_chain_report r;
    assert_int_equal(lt_chain_verify(d, N - 2, 0, NULL, &r), LT_ERR_CRYPTO);
    assert_int_equal(r.kind, LT_CHAIN_GAP);
    assert_int_equal(r.index, 4);
    assert_int_equal(r.seq, 7);
    assert_int_equal(r.expected_seq, 5);
    assert_int_equal(r.last_seq, 4);
    assert_non_null(strstr(r.message, "5..6 are missing"));
}

static void reorder(void **s)
{
    (void)s;
    struct lt_chain_link d[N];
    memcpy(d, chain, sizeof d);
    d[5] = chain[6];
    d[6] = chain[5]; /* 7 before 6 */
    struct lt_chain_report r;
    assert_int_equal(lt_chain_verify(d, N, 0, NULL, &r), LT_ERR_CRYPTO);
    assert_int_equal(r.kind, LT_CHAIN_REORDER);
    assert_int_equal(r.index, 5);
    assert_int_equal(r.seq, 7);
    assert_int_equal(r.expected_seq, 6);
}

static void fork_(void **s)
{
    (void)s;
    struct lt_chain_link d[N + 1];
    memcpy(d, chain, N * sizeof d[0]);
    d[N] = chain[4];
    d[N].hash[0] ^= 1; /* another event claiming seq 5 */
    struct lt_chain_report r;
    assert_int_equal(lt_chain_verify(d, N + 1, 0, NULL, &r), LT_ERR_CRYPTO);
    assert_int_equal(r.kind, LT_CHAIN_FORK);
    assert_int_equal(r.index, N);
    assert_int_equal(r.seq, 5);
}

static void altered(void **s)
{
    (void)s;
    struct lt_chain_link d[N];
    memcpy(d, chain, sizeof d);
    /* Event 6's bytes changed: its hash changes, so 7 no longer links to it. */
    lt_hash_event(d[5].hash, (const uint8_t *)"event 6 altered", 15);
    struct lt_chain_report r;
    assert_int_equal(lt_chain_verify(d, N, 0, NULL, &r), LT_ERR_CRYPTO);
    assert_int_equal(r.kind, LT_CHAIN_ALTERED);
    assert_int_equal(r.index, 6);
    assert_int_equal(r.seq, 7);
    assert_int_equal(r.last_seq, 6);
}

static void bad_start(void **s)
{
    (void)s;
    struct lt_chain_link d[2] = { chain[0], chain[1] };
    d[0].prev_hash[31] = 1;
    struct lt_chain_report r;
    assert_int_equal(lt_chain_verify(d, 2, 0, NULL, &r), LT_ERR_CRYPTO);
    assert_int_equal(r.kind, LT_CHAIN_BAD_START);
    d[0] = chain[0];
    d[0].seq = 0;
    assert_int_equal(lt_chain_verify(d, 2, 0, NULL, &r), LT_ERR_CRYPTO);
    assert_int_equal(r.kind, LT_CHAIN_BAD_START);
    assert_string_equal(lt_chain_break_name(LT_CHAIN_FORK), "fork");
    assert_int_equal(lt_chain_verify(NULL, 0, 0, NULL, &r), LT_OK); /* empty segment */
}

int main(void)
{
    make_chain();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(intact_and_duplicates),
        cmocka_unit_test(continues_from_a_known_head),
        cmocka_unit_test(gap),
        cmocka_unit_test(reorder),
        cmocka_unit_test(fork_),
        cmocka_unit_test(altered),
        cmocka_unit_test(bad_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
