/* uuid.h — UUIDv7 (RFC 9562): 16-byte ids that sort by creation time.
 *
 * Layout: 48-bit Unix milliseconds, version 7, a 12-bit counter (rand_a),
 * variant 0b10, 62 random bits. Within one process ids are strictly
 * increasing, even when the clock stands still or steps back: the counter
 * advances, and on overflow the timestamp is carried forward. */
#ifndef LT_CORE_UUID_H
#define LT_CORE_UUID_H

#include <stdint.h>

#define LT_UUID_BYTES 16
#define LT_UUID_STRLEN 36 /* without the NUL */

/* A new UUIDv7, greater than every one this process made before. */
void lt_uuid7(uint8_t out[LT_UUID_BYTES]);

/* The UUIDv7 with these exact parts (tests, golden files): unix_ms is
 * truncated to 48 bits, counter to 12, rnd supplies the last 62 bits. */
void lt_uuid7_from(uint8_t out[LT_UUID_BYTES], int64_t unix_ms, uint16_t counter,
                   const uint8_t rnd[8]);

/* The Unix milliseconds in a UUIDv7. */
int64_t lt_uuid7_time_ms(const uint8_t u[LT_UUID_BYTES]);

/* 1 if u has version 7 and the RFC variant, else 0. */
int lt_uuid_is_v7(const uint8_t u[LT_UUID_BYTES]);

/* Lower-case 8-4-4-4-12 text; out has room for 37 bytes. */
void lt_uuid_format(const uint8_t u[LT_UUID_BYTES], char out[LT_UUID_STRLEN + 1]);

/* Parses the 8-4-4-4-12 form (either case). Returns LT_OK or LT_ERR_INVALID. */
int lt_uuid_parse(const char *s, uint8_t out[LT_UUID_BYTES]) __attribute__((warn_unused_result));

#endif
