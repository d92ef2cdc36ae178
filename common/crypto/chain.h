/* chain.h — each agency's hash chain: verify a segment, locate the first break.
 *
 * Every event of an agency carries a sequence number (gapless from 1) and the
 * BLAKE2b-256 hash of the agency's previous event (32 zero bytes before
 * sequence 1). Given the links of a segment in the order they were read, this
 * says whether they form an unbroken chain and, if not, exactly where and how
 * it first breaks. Exact re-deliveries (same sequence, same hash) are not a
 * break: they are counted and skipped. */
#ifndef LT_CRYPTO_CHAIN_H
#define LT_CRYPTO_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/hash.h"

enum lt_chain_break {
    LT_CHAIN_OK = 0,
    LT_CHAIN_GAP,       /* a sequence number is missing from the segment */
    LT_CHAIN_REORDER,   /* an event came before one with a lower sequence number */
    LT_CHAIN_FORK,      /* two different events claim the same sequence number */
    LT_CHAIN_ALTERED,   /* prev_hash does not match the hash of the event before */
    LT_CHAIN_BAD_START, /* sequence 0, or sequence 1 with a non-zero prev_hash */
};

struct lt_chain_link {
    uint64_t seq;
    uint8_t prev_hash[LT_HASH_BYTES];
    uint8_t hash[LT_HASH_BYTES]; /* lt_hash_event of this event's bytes */
};

struct lt_chain_report {
    enum lt_chain_break kind;
    size_t index;          /* position in the segment of the offending link */
    uint64_t seq;          /* its sequence number */
    uint64_t expected_seq; /* the sequence number that should have come */
    size_t duplicates;     /* exact re-deliveries skipped before the break (or in all) */
    uint64_t last_seq;     /* last sequence verified in order */
    char message[320];     /* one human sentence */
};

/* Verifies links[0..n) in the given order, continuing a chain whose last
 * verified event had sequence prev_seq and hash prev_hash (0 and NULL for a
 * stream from its start). Returns LT_OK when unbroken, LT_ERR_CRYPTO with the
 * first break described in *report otherwise; *report is always filled. */
int lt_chain_verify(const struct lt_chain_link *links, size_t n, uint64_t prev_seq,
                    const uint8_t prev_hash[LT_HASH_BYTES], struct lt_chain_report *report)
    __attribute__((warn_unused_result));

/* Stable lower-case name of a break kind ("gap", "fork", …). */
const char *lt_chain_break_name(enum lt_chain_break kind);

#endif
