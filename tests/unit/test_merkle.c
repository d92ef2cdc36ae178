/* Unit tests of crypto/merkle: RFC 6962 known answers, the frontier against
 * the recursive definition, and every inclusion and consistency proof of
 * small trees verified — and refused once anything is changed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "crypto/merkle.h"

#define MAXN 40

static uint8_t leaves[MAXN][LT_MERKLE_HASH];

static void hex(const uint8_t *b, char out[65])
{
    sodium_bin2hex(out, 65, b, 32);
}

/* The test vectors of RFC 6962's reference implementation: 8 leaves of 0-8
 * bytes, and the heads of the trees of their first n. */
static void test_known_answers(void **state)
{
    (void)state;
    static const char *const inputs[] = { "", "00", "10", "2021", "3031", "40414243",
                                          "5051525354555657", "606162636465666768696a6b6c6d6e6f" };
    static const char *const heads[] = {
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    };
    uint8_t l[8][LT_MERKLE_HASH], root[LT_MERKLE_HASH], bin[16];
    char h[65];
    for (int i = 0; i < 8; i++) {
        size_t n = 0;
        assert_int_equal(sodium_hex2bin(bin, sizeof bin, inputs[i], strlen(inputs[i]), NULL, &n,
                                        NULL), 0);
        lt_merkle_leaf_hash(bin, n, l[i]);
    }
    lt_merkle_root(l, 0, root);
    hex(root, h);
    assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    for (int n = 1; n <= 8; n++) {
        lt_merkle_root(l, (uint64_t)n, root);
        hex(root, h);
        assert_string_equal(h, heads[n - 1]);
    }
}

static void test_frontier(void **state)
{
    (void)state;
    struct lt_merkle_frontier f;
    memset(&f, 0, sizeof f);
    uint8_t a[LT_MERKLE_HASH], b[LT_MERKLE_HASH];
    for (uint64_t n = 0; n <= MAXN; n++) {
        lt_merkle_root(leaves, n, a);
        lt_merkle_frontier_root(&f, b);
        assert_memory_equal(a, b, LT_MERKLE_HASH);
        if (n < MAXN)
            assert_int_equal(lt_merkle_frontier_add(&f, leaves[n]), 0);
    }
    assert_int_equal(f.size, MAXN);
}

static void test_inclusion(void **state)
{
    (void)state;
    uint8_t proof[LT_MERKLE_MAX_PROOF][LT_MERKLE_HASH], root[LT_MERKLE_HASH];
    size_t len;
    for (uint64_t n = 1; n < MAXN; n++) { /* n + 1 leaves must exist */
        lt_merkle_root(leaves, n, root);
        for (uint64_t i = 0; i < n; i++) {
            assert_int_equal(lt_merkle_inclusion_proof(leaves, n, i, proof, &len), 0);
            assert_true(lt_merkle_verify_inclusion(leaves[i], i, n, proof, len, root));
            /* Another leaf, another index, another size, a changed proof: refused. */
            assert_false(lt_merkle_verify_inclusion(leaves[(i + 1) % MAXN], i, n, proof, len, root));
            if (n > 1)
                assert_false(lt_merkle_verify_inclusion(leaves[i], (i + 1) % n, n, proof, len,
                                                        root));
            /* The proof of tree n does not prove the leaf in the larger tree's head. */
            uint8_t bigger[LT_MERKLE_HASH];
            lt_merkle_root(leaves, n + 1, bigger);
            assert_false(lt_merkle_verify_inclusion(leaves[i], i, n + 1, proof, len, bigger));
            if (len) {
                proof[len / 2][3] ^= 1;
                assert_false(lt_merkle_verify_inclusion(leaves[i], i, n, proof, len, root));
            }
        }
        assert_int_equal(lt_merkle_inclusion_proof(leaves, n, n, proof, &len), -1);
    }
}

static void test_consistency(void **state)
{
    (void)state;
    uint8_t proof[LT_MERKLE_MAX_PROOF][LT_MERKLE_HASH], r1[LT_MERKLE_HASH], r2[LT_MERKLE_HASH];
    size_t len;
    for (uint64_t n = 1; n <= MAXN; n++) {
        lt_merkle_root(leaves, n, r2);
        for (uint64_t m = 1; m <= n; m++) {
            lt_merkle_root(leaves, m, r1);
            assert_int_equal(lt_merkle_consistency_proof(leaves, n, m, proof, &len), 0);
            assert_true(lt_merkle_verify_consistency(m, n, r1, r2, proof, len));
            /* A rewritten history (another old head), or a changed proof: refused. */
            uint8_t bad[LT_MERKLE_HASH];
            memcpy(bad, r1, sizeof bad);
            bad[0] ^= 1;
            assert_false(lt_merkle_verify_consistency(m, n, bad, r2, proof, len));
            if (len) {
                proof[0][5] ^= 1;
                assert_false(lt_merkle_verify_consistency(m, n, r1, r2, proof, len));
            }
        }
    }
    assert_true(lt_merkle_verify_consistency(0, 5, r1, r2, proof, 0));
    assert_int_equal(lt_merkle_consistency_proof(leaves, 3, 4, proof, &len), -1);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    for (int i = 0; i < MAXN; i++) {
        uint8_t b[2] = { (uint8_t)i, (uint8_t)(i * 7) };
        lt_merkle_leaf_hash(b, sizeof b, leaves[i]);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_frontier),
        cmocka_unit_test(test_inclusion),
        cmocka_unit_test(test_consistency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
