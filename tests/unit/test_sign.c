/* test_sign — Ed25519 known answers (RFC 8032 §7.1 tests 1 and 2) and the
 * domain separation of crypto/sign.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/err.h"
#include "crypto/sign.h"

static void hex(uint8_t *out, size_t n, const char *h)
{
    size_t got = 0;
    assert_int_equal(sodium_hex2bin(out, n, h, strlen(h), NULL, &got, NULL), 0);
    assert_int_equal(got, n);
}

struct kat { const char *seed, *pk, *msg, *sig; };

static const struct kat kats[] = {
    { "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
    { "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
      "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
};

static void rfc8032_known_answers(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof kats / sizeof kats[0]; i++) {
        uint8_t seed[32], pk_want[32], pk[32], sk[64], sig_want[64], sig[64], msg[8];
        size_t mlen = strlen(kats[i].msg) / 2;
        hex(seed, 32, kats[i].seed);
        hex(pk_want, 32, kats[i].pk);
        hex(sig_want, 64, kats[i].sig);
        if (mlen)
            hex(msg, mlen, kats[i].msg);
        lt_sign_seed_keypair(pk, sk, seed);
        assert_memory_equal(pk, pk_want, 32);
        lt_sign_detached(sig, NULL, msg, mlen, sk);
        assert_memory_equal(sig, sig_want, 64);
        assert_int_equal(lt_sign_verify(sig, NULL, msg, mlen, pk), LT_OK);
    }
}

static void context_is_prefixed(void **state)
{
    (void)state;
    uint8_t pk[32], sk[64], a[64], b[64];
    const char *ctx = "lienthong.test\n";
    const uint8_t msg[] = "event bytes";
    uint8_t joined[64];
    size_t clen = strlen(ctx);
    memcpy(joined, ctx, clen);
    memcpy(joined + clen, msg, sizeof msg);
    lt_sign_keypair(pk, sk);
    lt_sign_detached(a, ctx, msg, sizeof msg, sk);
    lt_sign_detached(b, NULL, joined, clen + sizeof msg, sk);
    assert_memory_equal(a, b, 64); /* Ed25519 is deterministic */
    assert_int_equal(lt_sign_verify(a, ctx, msg, sizeof msg, pk), LT_OK);
}

static void wrong_context_or_bit_fails(void **state)
{
    (void)state;
    uint8_t pk[32], sk[64], sig[64], msg[40];
    randombytes_buf(msg, sizeof msg);
    lt_sign_keypair(pk, sk);
    lt_sign_detached(sig, "purpose-a", msg, sizeof msg, sk);
    assert_int_equal(lt_sign_verify(sig, "purpose-b", msg, sizeof msg, pk), LT_ERR_CRYPTO);
    assert_int_equal(lt_sign_verify(sig, NULL, msg, sizeof msg, pk), LT_ERR_CRYPTO);
    for (size_t bit = 0; bit < sizeof msg * 8; bit++) {
        msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_equal(lt_sign_verify(sig, "purpose-a", msg, sizeof msg, pk), LT_ERR_CRYPTO);
        msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    for (size_t bit = 0; bit < sizeof sig * 8; bit++) {
        sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_equal(lt_sign_verify(sig, "purpose-a", msg, sizeof msg, pk), LT_ERR_CRYPTO);
        sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    assert_int_equal(lt_sign_verify(sig, "purpose-a", msg, sizeof msg, pk), LT_OK);
}

int main(void)
{
    if (lt_sign_init() != LT_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc8032_known_answers),
        cmocka_unit_test(context_is_prefixed),
        cmocka_unit_test(wrong_context_or_bit_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
