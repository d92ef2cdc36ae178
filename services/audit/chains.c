/* chains.c — each agency's chain end to end, and the first break of each.
 *
 * The links come from the replay (sequence, prev_hash and the hash of the
 * event bytes, all from the verified bytes, never from the columns). Sorted
 * by (agency, sequence), each agency's run is one lt_chain_verify from
 * sequence 1: a missing sequence is a gap, two different events at one
 * sequence a fork, a prev_hash that is not the previous event's hash an
 * altered (or replaced) event. Then, in Kafka order within each partition,
 * an agency's sequences must rise: a lower one after a higher one is a
 * reordering. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "core/err.h"
#include "core/mem.h"
#include "crypto/chain.h"

static int by_agency_seq(const void *x, const void *y)
{
    const struct au_link *a = x, *b = y;
    if (a->agency != b->agency)
        return a->agency < b->agency ? -1 : 1;
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    return (a->ingest_seq > b->ingest_seq) - (a->ingest_seq < b->ingest_seq);
}

static int by_partition_offset(const void *x, const void *y)
{
    const struct au_link *a = x, *b = y;
    if (a->partition != b->partition)
        return a->partition < b->partition ? -1 : 1;
    if (a->offset != b->offset)
        return a->offset < b->offset ? -1 : 1;
    return (a->ingest_seq > b->ingest_seq) - (a->ingest_seq < b->ingest_seq);
}

void au_chains_verify(struct au *a, int from_first)
{
    struct au_link *l = a->links;
    size_t n = a->n_links;
    qsort(l, n, sizeof *l, by_agency_seq);
    struct lt_chain_link *run = lt_calloc(n + 1, sizeof *run);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && l[j].agency == l[i].agency) {
            l[j].dup = j > i && l[j].seq == l[j - 1].seq &&
                       !memcmp(l[j].hash, l[j - 1].hash, LT_HASH_BYTES);
            run[j - i].seq = l[j].seq;
            memcpy(run[j - i].prev_hash, l[j].prev_hash, LT_HASH_BYTES);
            memcpy(run[j - i].hash, l[j].hash, LT_HASH_BYTES);
            j++;
        }
        struct lt_chain_report rep;
        uint64_t from = from_first && l[i].seq > 0 ? l[i].seq - 1 : 0;
        if (lt_chain_verify(run, j - i, from, from ? l[i].prev_hash : NULL, &rep) != LT_OK)
            au_find(a, a->agencies[l[i].agency],
                    rep.kind == LT_CHAIN_GAP ? rep.expected_seq : rep.seq,
                    lt_chain_break_name(rep.kind), "%s", rep.message);
        i = j;
    }
    free(run);
    /* Reordering inside a partition (one pass per partition, per agency). */
    qsort(l, n, sizeof *l, by_partition_offset);
    uint64_t *last = lt_calloc(a->n_agencies + 1, sizeof *last);
    for (size_t i = 0; i < n; i++) {
        if (i && l[i].partition != l[i - 1].partition)
            memset(last, 0, (a->n_agencies + 1) * sizeof *last);
        if (l[i].dup)
            continue;
        if (l[i].seq < last[l[i].agency])
            au_find(a, a->agencies[l[i].agency], l[i].seq, "reorder",
                    "sequence %" PRIu64 " comes after sequence %" PRIu64 " in %s (offset %"
                    PRId64 "): reordered", l[i].seq, last[l[i].agency],
                    a->partitions[l[i].partition], l[i].offset);
        else
            last[l[i].agency] = l[i].seq;
    }
    free(last);
}

static int by_agency_then_seq(const void *x, const void *y)
{
    const struct au_finding *a = *(const struct au_finding *const *)x,
                            *b = *(const struct au_finding *const *)y;
    int d = strcmp(a->agency, b->agency);
    if (d)
        return d;
    if (a->seq != b->seq)
        return (a->seq > b->seq) - (a->seq < b->seq);
    return (a > b) - (a < b); /* the order found */
}

json_t *au_first_breaks(const struct au *a, const struct au_finding **first)
{
    const struct au_finding **f = lt_calloc(a->n_findings + 1, sizeof *f);
    for (size_t i = 0; i < a->n_findings; i++)
        f[i] = &a->findings[i];
    qsort(f, a->n_findings, sizeof *f, by_agency_then_seq);
    json_t *out = json_array();
    *first = NULL;
    for (size_t i = 0; i < a->n_findings; i++) {
        if (i && !strcmp(f[i]->agency, f[i - 1]->agency))
            continue;
        if (!*first)
            *first = f[i];
        json_array_append_new(out, json_pack("{s:s, s:I, s:s, s:s}", "agency", f[i]->agency,
                                             "sequence", (json_int_t)f[i]->seq, "kind",
                                             f[i]->kind, "message", f[i]->message));
    }
    free(f);
    return out;
}
