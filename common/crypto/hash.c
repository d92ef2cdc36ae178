/* hash.c — BLAKE2b-256 event hashes and keyed subject hashes (libsodium). */
#include <sodium.h>
#include <string.h>

#include "crypto/hash.h"

void lt_hash_event(uint8_t out[LT_HASH_BYTES], const uint8_t *event, size_t len)
{
    crypto_generichash(out, LT_HASH_BYTES, event, len, NULL, 0);
}

void lt_hash_subject(uint8_t out[LT_HASH_BYTES],
                     const uint8_t secret[LT_SUBJECT_KEY_SECRET_BYTES],
                     const char *canonical_subject)
{
    crypto_generichash(out, LT_HASH_BYTES, (const unsigned char *)canonical_subject,
                       strlen(canonical_subject), secret, LT_SUBJECT_KEY_SECRET_BYTES);
}

char *lt_hex(char *out, const uint8_t *bytes, size_t n)
{
    return sodium_bin2hex(out, 2 * n + 1, bytes, n);
}
