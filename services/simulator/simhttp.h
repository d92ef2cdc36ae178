/* simhttp.h — the simulator's HTTP sender: one agency's events, in batches,
 * to that agency service's POST /v1/events.
 *
 * Plain HTTP/1.1 over a socket (agency services listen on the local host;
 * no TLS and no libcurl), one kept-alive connection per agency. Each batch
 * of up to `batch` events is a JSON array carrying the Idempotency-Key
 * "<key prefix>-<agency>-<batch number>" (the simulator's prefix is
 * "sim-<seed>-<run fingerprint>"), so running the same seed and settings
 * again is absorbed by the service as duplicates. A 503 (journal full), 502, 504,
 * 429, a dropped connection or a refused one is waited out and the same
 * batch is sent again; any other 4xx stops the run with the service's
 * problem body. */
#ifndef LT_SIMHTTP_H
#define LT_SIMHTTP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct lt_simhttp;

struct lt_simhttp_stats {
    uint64_t events;      /* accepted by the service (new or duplicate) */
    uint64_t duplicates;  /* of which the service already had */
    uint64_t batches;     /* batches accepted */
    uint64_t retries;     /* sends repeated after a 503 or a connection failure */
};

/* A sender for agency `agency` to base URL `url` ("http://127.0.0.1:8081",
 * optionally with a path prefix; "/v1/events" is appended unless the URL
 * already ends with it); key_prefix starts every Idempotency-Key. `run`
 * (may be NULL) is polled while waiting: when it becomes 0 sends give up.
 * Returns LT_OK and *out (free with lt_simhttp_free), or LT_ERR_INVALID
 * with a sentence in err for a URL it cannot use. */
int lt_simhttp_new(const char *agency, const char *url, const char *key_prefix, size_t batch,
                   volatile sig_atomic_t *run, struct lt_simhttp **out, char *err,
                   size_t errlen) __attribute__((warn_unused_result));

/* Adds one event (serialized now; ev is only read) and sends the batch when
 * it is full. Returns LT_OK; LT_ERR_INVALID when the service refused the
 * batch (err holds its status and problem body) or LT_ERR_IO when the run
 * was interrupted while waiting. */
int lt_simhttp_add(struct lt_simhttp *s, const json_t *ev, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Sends what is left. Same results as lt_simhttp_add. */
int lt_simhttp_flush(struct lt_simhttp *s, char *err, size_t errlen)
    __attribute__((warn_unused_result));

const struct lt_simhttp_stats *lt_simhttp_stats(const struct lt_simhttp *s);

/* Closes the connection and frees everything; NULL is a no-op. Events still
 * batched are dropped (call lt_simhttp_flush first). */
void lt_simhttp_free(struct lt_simhttp *s);

#endif
