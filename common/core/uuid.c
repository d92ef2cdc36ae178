/* uuid.c — UUIDv7 generation with a per-process monotonic counter
 * (RFC 9562 §6.2, "fixed-length dedicated counter", 12 bits in rand_a). */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/uuid.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t last_ms = -1;
static uint16_t last_counter;

void lt_uuid7_from(uint8_t out[LT_UUID_BYTES], int64_t unix_ms, uint16_t counter,
                   const uint8_t rnd[8])
{
    uint64_t ms = (uint64_t)unix_ms & 0xFFFFFFFFFFFFull;
    for (int i = 0; i < 6; i++)
        out[i] = (uint8_t)(ms >> (40 - 8 * i));
    out[6] = (uint8_t)(0x70 | ((counter >> 8) & 0x0F));
    out[7] = (uint8_t)(counter & 0xFF);
    memcpy(out + 8, rnd, 8);
    out[8] = (uint8_t)(0x80 | (out[8] & 0x3F));
}

void lt_uuid7(uint8_t out[LT_UUID_BYTES])
{
    uint8_t rnd[8];
    randombytes_buf(rnd, sizeof rnd);
    int64_t now = lt_now_ms();
    pthread_mutex_lock(&lock);
    if (now > last_ms) {
        last_ms = now;
        /* A random start below 2048 leaves room to count up within the ms. */
        last_counter = (uint16_t)(randombytes_uniform(2048));
    } else if (++last_counter > 0x0FFF) {
        last_ms++;
        last_counter = 0;
    }
    int64_t ms = last_ms;
    uint16_t counter = last_counter;
    pthread_mutex_unlock(&lock);
    lt_uuid7_from(out, ms, counter, rnd);
}

int64_t lt_uuid7_time_ms(const uint8_t u[LT_UUID_BYTES])
{
    uint64_t ms = 0;
    for (int i = 0; i < 6; i++)
        ms = (ms << 8) | u[i];
    return (int64_t)ms;
}

int lt_uuid_is_v7(const uint8_t u[LT_UUID_BYTES])
{
    return (u[6] >> 4) == 7 && (u[8] >> 6) == 2;
}

void lt_uuid_format(const uint8_t u[LT_UUID_BYTES], char out[LT_UUID_STRLEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < LT_UUID_BYTES; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[u[i] >> 4];
        out[o++] = hex[u[i] & 15];
    }
    out[o] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int lt_uuid_parse(const char *s, uint8_t out[LT_UUID_BYTES])
{
    if (!s || strlen(s) != LT_UUID_STRLEN)
        return LT_ERR_INVALID;
    int b = 0;
    for (int i = 0; i < LT_UUID_STRLEN;) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return LT_ERR_INVALID;
            i++;
            continue;
        }
        int hi = hexval(s[i]), lo = hexval(s[i + 1]);
        if (hi < 0 || lo < 0)
            return LT_ERR_INVALID;
        out[b++] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    return LT_OK;
}
