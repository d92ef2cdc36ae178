/* chain.c — hash-chain segment verification.
 *
 * One pass in arrival order keeps the expected next sequence number and the
 * hash it must link to. Only when a link does not fit does it look further:
 * ahead (is the missing number merely late, a reorder, or absent, a gap?) or
 * back (is an old number the same event again, a duplicate, or another one, a
 * fork?). So an unbroken segment costs O(n). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "crypto/chain.h"

static const uint8_t zero_hash[LT_HASH_BYTES];

const char *lt_chain_break_name(enum lt_chain_break kind)
{
    switch (kind) {
    case LT_CHAIN_OK: return "ok";
    case LT_CHAIN_GAP: return "gap";
    case LT_CHAIN_REORDER: return "reorder";
    case LT_CHAIN_FORK: return "fork";
    case LT_CHAIN_ALTERED: return "altered";
    case LT_CHAIN_BAD_START: return "bad_start";
    }
    return "unknown";
}

static int broken(struct lt_chain_report *r, enum lt_chain_break kind, size_t index,
                  uint64_t seq, uint64_t expected)
{
    r->kind = kind;
    r->index = index;
    r->seq = seq;
    r->expected_seq = expected;
    return LT_ERR_CRYPTO;
}

int lt_chain_verify(const struct lt_chain_link *links, size_t n, uint64_t prev_seq,
                    const uint8_t prev_hash[LT_HASH_BYTES], struct lt_chain_report *r)
{
    memset(r, 0, sizeof *r);
    uint64_t expected = prev_seq + 1;
    const uint8_t *link_to = prev_hash ? prev_hash : zero_hash;
    size_t first_in_order = 0; /* links[first_in_order..] hold seq prev_seq+1 onward, in order */
    int have_first = 0;
    r->last_seq = prev_seq;

    for (size_t i = 0; i < n; i++) {
        const struct lt_chain_link *l = &links[i];
        if (l->seq == 0) {
            snprintf(r->message, sizeof r->message,
                     "link %zu has sequence 0; sequences start at 1", i);
            return broken(r, LT_CHAIN_BAD_START, i, 0, expected);
        }
        if (l->seq == expected) {
            if (memcmp(l->prev_hash, link_to, LT_HASH_BYTES) != 0) {
                if (l->seq == 1) {
                    snprintf(r->message, sizeof r->message,
                             "sequence 1 must carry a zero prev_hash");
                    return broken(r, LT_CHAIN_BAD_START, i, 1, 1);
                }
                snprintf(r->message, sizeof r->message,
                         "sequence %" PRIu64 " does not link to sequence %" PRIu64
                         ": its prev_hash differs from the hash of the event before it "
                         "(one of the two was altered or replaced)", l->seq, l->seq - 1);
                return broken(r, LT_CHAIN_ALTERED, i, l->seq, expected);
            }
            if (!have_first) {
                first_in_order = i;
                have_first = 1;
            }
            link_to = l->hash;
            r->last_seq = expected++;
            continue;
        }
        if (l->seq < expected) {
            /* Seen before in this segment? Then same bytes = duplicate, else fork. */
            for (size_t j = have_first ? first_in_order : i; j < i; j++) {
                if (links[j].seq != l->seq)
                    continue;
                if (memcmp(links[j].hash, l->hash, LT_HASH_BYTES) == 0)
                    goto duplicate;
                snprintf(r->message, sizeof r->message,
                         "sequence %" PRIu64 " appears twice with different contents "
                         "(links %zu and %zu): a fork", l->seq, j, i);
                return broken(r, LT_CHAIN_FORK, i, l->seq, expected);
            }
            if (l->seq <= prev_seq) {
                /* Before the segment: only its last hash is known. */
                if (l->seq == prev_seq && prev_hash && memcmp(l->hash, prev_hash, LT_HASH_BYTES) == 0)
                    goto duplicate;
                snprintf(r->message, sizeof r->message,
                         "sequence %" PRIu64 " was already verified before this segment "
                         "(which continues from %" PRIu64 ")%s", l->seq, prev_seq,
                         l->seq == prev_seq ? " and differs from it: a fork" : "");
                return broken(r, l->seq == prev_seq ? LT_CHAIN_FORK : LT_CHAIN_REORDER, i,
                              l->seq, expected);
            }
            snprintf(r->message, sizeof r->message, "sequence %" PRIu64 " arrived out of order",
                     l->seq);
            return broken(r, LT_CHAIN_REORDER, i, l->seq, expected);
        duplicate:
            r->duplicates++;
            continue;
        }
        /* l->seq > expected: is the expected one merely late? */
        for (size_t j = i + 1; j < n; j++)
            if (links[j].seq == expected) {
                snprintf(r->message, sizeof r->message,
                         "sequence %" PRIu64 " arrived before sequence %" PRIu64
                         " (at link %zu, which came later at link %zu): reordered",
                         l->seq, expected, i, j);
                return broken(r, LT_CHAIN_REORDER, i, l->seq, expected);
            }
        if (l->seq == expected + 1)
            snprintf(r->message, sizeof r->message,
                     "sequence %" PRIu64 " is missing (next present is %" PRIu64 ")",
                     expected, l->seq);
        else
            snprintf(r->message, sizeof r->message,
                     "sequences %" PRIu64 "..%" PRIu64 " are missing (next present is %" PRIu64 ")",
                     expected, l->seq - 1, l->seq);
        return broken(r, LT_CHAIN_GAP, i, l->seq, expected);
    }
    snprintf(r->message, sizeof r->message,
             "chain intact through sequence %" PRIu64 " (%zu duplicate%s skipped)",
             r->last_seq, r->duplicates, r->duplicates == 1 ? "" : "s");
    return LT_OK;
}
