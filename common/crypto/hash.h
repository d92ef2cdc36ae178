/* hash.h — the two BLAKE2b uses of the contract.
 *
 * Event hash: BLAKE2b-256 of an event's exact serialized bytes; the next event
 * of the same agency carries it as prev_hash, which chains each agency's
 * stream. Subject key: BLAKE2b-256 keyed with the province's subject-key
 * secret over the canonical subject id; it is the Kafka record key and the
 * ce_subject header, so no personal number appears in keys or headers, and
 * every agency's events about one person land in the same partition number. */
#ifndef LT_CRYPTO_HASH_H
#define LT_CRYPTO_HASH_H

#include <stddef.h>
#include <stdint.h>

#define LT_HASH_BYTES 32
#define LT_SUBJECT_KEY_SECRET_BYTES 32

void lt_hash_event(uint8_t out[LT_HASH_BYTES], const uint8_t *event, size_t len);

void lt_hash_subject(uint8_t out[LT_HASH_BYTES],
                     const uint8_t secret[LT_SUBJECT_KEY_SECRET_BYTES],
                     const char *canonical_subject);

/* Lower-case hex of n bytes into out (room for 2n+1). Returns out. */
char *lt_hex(char *out, const uint8_t *bytes, size_t n);

#endif
