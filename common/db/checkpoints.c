/* checkpoints.c — the event store's signed checkpoints as stored in the
 * database (migration 006): the statement a head signs, the full check of the
 * stored history against its signed heads, and inclusion proofs (see
 * checkpoints.h). Shared by the consolidator and the audit tool. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "crypto/merkle.h"
#include "db/checkpoints.h"

static int db_ok(PGresult *r, int want, const char *what)
{
    if ((int)PQresultStatus(r) == want)
        return 1;
    lt_error("checkpoints", "%s: %s", what, PQresultErrorMessage(r));
    return 0;
}

void lt_checkpoint_statement(char *out, size_t len, uint64_t size, const uint8_t root[32],
                      const char *when, const char *key_id)
{
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, root, 32);
    snprintf(out, len, "lienthong checkpoint v1\ntree_size %" PRIu64 "\nroot %s\ntime %s\nkey_id %s\n",
             size, hex, when, key_id);
}

long lt_checkpoints_verify(PGconn *db, const uint8_t pk[LT_SIGN_PUBLICKEYBYTES], FILE *out)
{
    PGresult *cp = PQexec(db, "SELECT tree_size, encode(root, 'hex'), statement, signature, "
                          "key_id FROM checkpoints ORDER BY tree_size");
    PGresult *lv = PQexecParams(db, "SELECT l.leaf_index, l.event_id::text, l.leaf_hash, "
                                "e.signed_bytes, e.agency_code, e.sequence FROM merkle_leaves l "
                                "LEFT JOIN event_store e USING (event_id) ORDER BY l.leaf_index",
                                0, NULL, NULL, NULL, NULL, 1);
    long bad = 0;
    if (!db_ok(cp, PGRES_TUPLES_OK, "read checkpoints") ||
        !db_ok(lv, PGRES_TUPLES_OK, "read leaves")) {
        PQclear(cp);
        PQclear(lv);
        return -1;
    }
    int nl = PQntuples(lv), nc = PQntuples(cp);
    uint8_t (*leaf)[32] = lt_calloc((size_t)nl + 1, 32);
    for (int i = 0; i < nl; i++) {
        uint64_t idx;
        memcpy(&idx, PQgetvalue(lv, i, 0), 8);
        idx = __builtin_bswap64(idx);
        if (idx != (uint64_t)i) {
            fprintf(out, "leaf %d: missing (next stored leaf is %" PRIu64 ")\n", i, idx);
            bad++;
            break;
        }
        if (PQgetisnull(lv, i, 3)) {
            fprintf(out, "leaf %d (event %s): the event is not in the store\n", i, PQgetvalue(lv, i, 1));
            bad++;
            continue;
        }
        lt_merkle_leaf_hash((const uint8_t *)PQgetvalue(lv, i, 3), (size_t)PQgetlength(lv, i, 3),
                            leaf[i]);
        if (PQgetlength(lv, i, 2) != 32 || memcmp(leaf[i], PQgetvalue(lv, i, 2), 32) != 0) {
            fprintf(out, "leaf %d: the stored bytes of event %s (agency %s) do not hash to its leaf: "
                   "altered after it was checkpointed\n", i, PQgetvalue(lv, i, 1),
                   PQgetvalue(lv, i, 4));
            bad++;
        }
    }
    uint64_t prev = 0;
    uint8_t prev_root[32] = { 0 };
    for (int k = 0; k < nc; k++) {
        uint64_t size = strtoull(PQgetvalue(cp, k, 0), NULL, 10);
        const char *text = PQgetvalue(cp, k, 2);
        size_t sl;
        unsigned char *sig = PQunescapeBytea((const unsigned char *)PQgetvalue(cp, k, 3), &sl);
        int sig_ok = sig && sl == LT_SIGN_BYTES &&
                     lt_sign_verify(sig, LT_CHECKPOINT_CONTEXT, (const uint8_t *)text, strlen(text),
                                    pk) == LT_OK;
        PQfreemem(sig);
        uint8_t root[32];
        char hex[65], want[512];
        if (size > (uint64_t)nl) {
            fprintf(out, "checkpoint %" PRIu64 ": covers more leaves than are stored (%d)\n", size, nl);
            bad++;
            continue;
        }
        lt_merkle_root((const uint8_t(*)[32])leaf, size, root);
        sodium_bin2hex(hex, sizeof hex, root, 32);
        uint8_t signed_root[32];
        size_t rl = 0;
        if (sodium_hex2bin(signed_root, sizeof signed_root, PQgetvalue(cp, k, 1), 64, NULL, &rl,
                           NULL) != 0 || rl != 32)
            memset(signed_root, 0, sizeof signed_root);
        /* The statement must say what was recomputed (its time and key as written). */
        const char *t = strstr(text, "\ntime "), *kid = PQgetvalue(cp, k, 4);
        char when[32] = "";
        if (t)
            sscanf(t + 6, "%31s", when);
        lt_checkpoint_statement(want, sizeof want, size, root, when, kid);
        if (!sig_ok) {
            fprintf(out, "checkpoint %" PRIu64 ": the signature does not verify with the hub key\n",
                    size);
            bad++;
        } else if (strcmp(hex, PQgetvalue(cp, k, 1)) != 0 || strcmp(want, text) != 0) {
            fprintf(out, "checkpoint %" PRIu64 ": signed root %s, but the stored leaves give %s\n", size,
                   PQgetvalue(cp, k, 1), hex);
            bad++;
        }
        if (prev) {
            /* Between the SIGNED heads: a proof built from the stored leaves
             * must reconcile them, or the history was rewritten. */
            uint8_t proof[LT_MERKLE_MAX_PROOF][32];
            size_t len;
            if (lt_merkle_consistency_proof((const uint8_t(*)[32])leaf, size, prev, proof,
                                            &len) != 0 ||
                !lt_merkle_verify_consistency(prev, size, prev_root, signed_root,
                                              (const uint8_t(*)[32])proof, len)) {
                fprintf(out, "checkpoint %" PRIu64 ": not consistent with checkpoint %" PRIu64 "\n",
                       size, prev);
                bad++;
            }
        }
        prev = size;
        memcpy(prev_root, signed_root, 32);
    }
    fprintf(out, "verify-checkpoints: %d checkpoint(s), %d leaves, %ld problem(s)\n", nc, nl, bad);
    free(leaf);
    PQclear(cp);
    PQclear(lv);
    return bad;
}

int lt_checkpoints_prove(PGconn *db, const char *event_id, const uint8_t pk[LT_SIGN_PUBLICKEYBYTES],
                         FILE *out)
{
    const char *v[] = { event_id };
    PGresult *cp = PQexec(db, "SELECT tree_size, encode(root, 'hex'), statement, signature "
                          "FROM checkpoints ORDER BY tree_size DESC LIMIT 1");
    PGresult *li = PQexecParams(db, "SELECT l.leaf_index, e.signed_bytes FROM merkle_leaves l "
                                "JOIN event_store e USING (event_id) WHERE l.event_id = $1::uuid",
                                1, NULL, v, NULL, NULL, 1);
    PGresult *lv = NULL;
    int rc = -1;
    if (!db_ok(cp, PGRES_TUPLES_OK, "read the latest checkpoint") ||
        !db_ok(li, PGRES_TUPLES_OK, "find the event's leaf"))
        goto out;
    rc = 1;
    if (PQntuples(cp) == 0) {
        fprintf(out, "no checkpoint has been signed yet\n");
        goto out;
    }
    if (PQntuples(li) == 0) {
        fprintf(out, "event %s is not a leaf of the checkpointed tree (not stored, or stored after "
                "the latest checkpoint)\n", event_id);
        goto out;
    }
    uint64_t n = strtoull(PQgetvalue(cp, 0, 0), NULL, 10), index;
    memcpy(&index, PQgetvalue(li, 0, 0), 8);
    index = __builtin_bswap64(index);
    const char *stmt = PQgetvalue(cp, 0, 2);
    size_t sl = 0;
    unsigned char *sig = PQunescapeBytea((const unsigned char *)PQgetvalue(cp, 0, 3), &sl);
    int sig_ok = sig && sl == LT_SIGN_BYTES &&
                 lt_sign_verify(sig, LT_CHECKPOINT_CONTEXT, (const uint8_t *)stmt, strlen(stmt),
                                pk) == LT_OK;
    PQfreemem(sig);
    uint8_t root[32];
    size_t rl = 0;
    if (!sig_ok || sodium_hex2bin(root, sizeof root, PQgetvalue(cp, 0, 1), 64, NULL, &rl, NULL) ||
        rl != 32) {
        fprintf(out, "the latest checkpoint (tree size %" PRIu64 ") is not signed by the hub key\n",
                n);
        goto out;
    }
    if (index >= n) {
        fprintf(out, "event %s is leaf %" PRIu64 ", after the latest checkpoint (tree size %"
                PRIu64 ")\n", event_id, index, n);
        goto out;
    }
    char lim[24];
    snprintf(lim, sizeof lim, "%" PRIu64, n);
    const char *v2[] = { lim };
    lv = PQexecParams(db, "SELECT leaf_hash FROM merkle_leaves WHERE leaf_index < $1 ORDER BY "
                      "leaf_index", 1, NULL, v2, NULL, NULL, 1);
    if (!db_ok(lv, PGRES_TUPLES_OK, "read leaves") || (uint64_t)PQntuples(lv) != n) {
        fprintf(out, "the stored leaves do not cover the latest checkpoint\n");
        goto out;
    }
    uint8_t (*leaf)[32] = lt_malloc((size_t)n * 32), proof[LT_MERKLE_MAX_PROOF][32], mine[32];
    for (uint64_t i = 0; i < n; i++)
        memcpy(leaf[i], PQgetvalue(lv, (int)i, 0), 32);
    /* The leaf from the event's bytes as stored now, not from the leaf column. */
    lt_merkle_leaf_hash((const uint8_t *)PQgetvalue(li, 0, 1), (size_t)PQgetlength(li, 0, 1), mine);
    size_t len = 0;
    int proven = lt_merkle_inclusion_proof((const uint8_t(*)[32])leaf, n, index, proof, &len) == 0 &&
                 lt_merkle_verify_inclusion(mine, index, n, (const uint8_t(*)[32])proof, len, root);
    free(leaf);
    char hex[65];
    fprintf(out, "{\"event_id\": \"%s\", \"leaf_index\": %" PRIu64 ", \"tree_size\": %" PRIu64
            ", \"root\": \"%s\", \"proof\": [", event_id, index, n, PQgetvalue(cp, 0, 1));
    for (size_t i = 0; i < len; i++) {
        sodium_bin2hex(hex, sizeof hex, proof[i], 32);
        fprintf(out, "%s\"%s\"", i ? ", " : "", hex);
    }
    fprintf(out, "], \"verified\": %s}\n", proven ? "true" : "false");
    rc = proven ? 0 : 1;
out:
    PQclear(cp);
    PQclear(li);
    PQclear(lv);
    return rc;
}
