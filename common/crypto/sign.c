/* sign.c — Ed25519 over context || message with libsodium.
 *
 * libsodium's detached API takes one buffer, so the context and message are
 * joined into a temporary copy; for our event sizes (a few hundred bytes to a
 * few KiB) that copy costs far less than the signature itself. */
#include <sodium.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "crypto/sign.h"

int lt_sign_init(void)
{
    return sodium_init() < 0 ? LT_ERR_CRYPTO : LT_OK;
}

void lt_sign_keypair(uint8_t pk[LT_SIGN_PUBLICKEYBYTES], uint8_t sk[LT_SIGN_SECRETKEYBYTES])
{
    crypto_sign_ed25519_keypair(pk, sk);
}

void lt_sign_seed_keypair(uint8_t pk[LT_SIGN_PUBLICKEYBYTES],
                          uint8_t sk[LT_SIGN_SECRETKEYBYTES],
                          const uint8_t seed[LT_SIGN_SEEDBYTES])
{
    crypto_sign_ed25519_seed_keypair(pk, sk, seed);
}

/* Returns a buffer holding context || msg (caller frees), or msg itself when
 * there is no context (then *owned is 0). */
static const uint8_t *join(const char *context, const uint8_t *msg, size_t len,
                           size_t *outlen, int *owned)
{
    size_t clen = context ? strlen(context) : 0;
    *outlen = clen + len;
    if (clen == 0) {
        *owned = 0;
        return msg;
    }
    uint8_t *buf = lt_malloc(clen + len);
    memcpy(buf, context, clen);
    if (len)
        memcpy(buf + clen, msg, len);
    *owned = 1;
    return buf;
}

void lt_sign_detached(uint8_t sig[LT_SIGN_BYTES], const char *context,
                      const uint8_t *msg, size_t len,
                      const uint8_t sk[LT_SIGN_SECRETKEYBYTES])
{
    size_t n;
    int owned;
    const uint8_t *m = join(context, msg, len, &n, &owned);
    crypto_sign_ed25519_detached(sig, NULL, m, n, sk);
    if (owned)
        free((void *)m);
}

int lt_sign_verify(const uint8_t sig[LT_SIGN_BYTES], const char *context,
                   const uint8_t *msg, size_t len,
                   const uint8_t pk[LT_SIGN_PUBLICKEYBYTES])
{
    size_t n;
    int owned;
    const uint8_t *m = join(context, msg, len, &n, &owned);
    int r = crypto_sign_ed25519_verify_detached(sig, m, n, pk);
    if (owned)
        free((void *)m);
    return r == 0 ? LT_OK : LT_ERR_CRYPTO;
}
