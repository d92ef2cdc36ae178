/* keyfile.h — an agency's signing key on disk.
 *
 * The secret key file is JSON, mode 0600, written once and never overwritten:
 *   {"format": "lienthong-ed25519-secret-v1", "key_id": "...",
 *    "agency_code": "...", "seed": "<base64 of the 32-byte seed>",
 *    "public_key": "<base64>", "created_at": "2026-11-23T16:00:00Z"}
 * Reading refuses a file that group or others may read or write, a file whose
 * public key does not match its seed, and any other format. The public half
 * is printed as a registry key entry ({"key_id", "agency", "public_key",
 * "valid_from"}; deploy/registry/README.md). */
#ifndef LT_CRYPTO_KEYFILE_H
#define LT_CRYPTO_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/sign.h"

#define LT_KEYFILE_FORMAT "lienthong-ed25519-secret-v1"

struct lt_key {
    char key_id[129];
    char agency_code[65];
    uint8_t pk[LT_SIGN_PUBLICKEYBYTES];
    uint8_t sk[LT_SIGN_SECRETKEYBYTES];
    int64_t created_at_ms;
};

/* Makes a new random key for agency_code with key_id and writes it to path
 * (created with O_EXCL, mode 0600: an existing file is never replaced).
 * Returns LT_OK, LT_ERR_INVALID (bad id or code) or LT_ERR_IO. */
int lt_keyfile_create(const char *path, const char *key_id, const char *agency_code,
                      const uint8_t *seed_or_null, struct lt_key *out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Reads and checks a secret key file. Returns LT_OK, LT_ERR_IO, or
 * LT_ERR_INVALID with the reason (permissions, format, mismatch). */
int lt_keyfile_read(const char *path, struct lt_key *out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Reads a 32-byte secret (the province's subject-key secret) from a file
 * holding it as 64 hex digits or base64, with the same permission rule as key
 * files (refused when group or others may access it). Returns LT_OK,
 * LT_ERR_IO or LT_ERR_INVALID. */
int lt_keyfile_read_secret32(const char *path, uint8_t out[32], char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Wipes the secret half from memory. */
void lt_key_wipe(struct lt_key *k);

/* The registry entry of k's public half as a JSON text (caller frees). */
char *lt_keyfile_public_json(const struct lt_key *k);

#endif
