/* sign.h — Ed25519 signatures (libsodium), domain-separated.
 *
 * Every Lienthong signature is over `context || message`, where context is a
 * fixed string naming what is signed (e.g. "lienthong.v1.SignedEvent\n"), so a
 * signature made for one purpose can never be replayed as another. The message
 * bytes are signed exactly as given: nothing is re-serialized. */
#ifndef LT_CRYPTO_SIGN_H
#define LT_CRYPTO_SIGN_H

#include <stddef.h>
#include <stdint.h>

#define LT_SIGN_PUBLICKEYBYTES 32
#define LT_SIGN_SECRETKEYBYTES 64
#define LT_SIGN_SEEDBYTES 32
#define LT_SIGN_BYTES 64

/* Initialises libsodium; call once before anything else here. Returns LT_OK
 * or LT_ERR_CRYPTO. Safe to call more than once. */
int lt_sign_init(void) __attribute__((warn_unused_result));

/* A fresh random key pair. */
void lt_sign_keypair(uint8_t pk[LT_SIGN_PUBLICKEYBYTES], uint8_t sk[LT_SIGN_SECRETKEYBYTES]);

/* The key pair determined by a 32-byte seed (known-answer tests, key files). */
void lt_sign_seed_keypair(uint8_t pk[LT_SIGN_PUBLICKEYBYTES],
                          uint8_t sk[LT_SIGN_SECRETKEYBYTES],
                          const uint8_t seed[LT_SIGN_SEEDBYTES]);

/* Signs context || msg (context may be NULL or "": then msg alone, plain
 * Ed25519 as in RFC 8032). Writes 64 bytes to sig. */
void lt_sign_detached(uint8_t sig[LT_SIGN_BYTES], const char *context,
                      const uint8_t *msg, size_t len,
                      const uint8_t sk[LT_SIGN_SECRETKEYBYTES]);

/* Returns LT_OK when sig is pk's signature of context || msg, else
 * LT_ERR_CRYPTO. Never ignore the result. */
int lt_sign_verify(const uint8_t sig[LT_SIGN_BYTES], const char *context,
                   const uint8_t *msg, size_t len,
                   const uint8_t pk[LT_SIGN_PUBLICKEYBYTES])
    __attribute__((warn_unused_result));

#endif
