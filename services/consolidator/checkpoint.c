/* checkpoint.c — signed checkpoints of the event store.
 *
 * Every stored event becomes a leaf of one Merkle tree (crypto/merkle,
 * RFC 6962 hashing over its stored signed bytes). The checkpointer appends
 * the events stored since the last checkpoint, in ingest_seq order, to
 * merkle_leaves, and signs the new tree head (size, root, time) with the hub
 * key; the head goes to the checkpoints table and the checkpoint topic.
 *
 * Order is fixed before it is signed: batch transactions hold a shared
 * advisory lock while they store events, and the checkpointer takes it
 * exclusively, so when it reads "events after the last leaf" every event
 * with a smaller ingest_seq has committed (sequence values are drawn after
 * the shared lock) and no new one can slip in below. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cons.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "crypto/merkle.h"
#include "db/checkpoints.h"
#include "db/db.h"


static void rfc3339_ms(int64_t ms, char out[32])
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    char day[24];
    strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%.19s.%03dZ", day, (int)(ms % 1000));
}


/* The frontier stored with a checkpoint: popcount(size) hashes, largest first. */
static int frontier_load(PGresult *r, struct lt_merkle_frontier *f)
{
    memset(f, 0, sizeof *f);
    if (PQntuples(r) == 0)
        return 0;
    f->size = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
    size_t n;
    unsigned char *b = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 1), &n);
    int ok = b && n == (size_t)__builtin_popcountll(f->size) * 32;
    if (ok)
        memcpy(f->node, b, n);
    PQfreemem(b);
    return ok ? 0 : -1;
}

/* The RFC 6962 consistency proof from the tree of m leaves to the tree of n
 * (all in merkle_leaves, read inside the checkpoint's transaction) as a JSON
 * array of hex hashes; an empty array for m = 0; NULL (logged) when it cannot
 * be made. Reads all n leaf hashes: 32 bytes a leaf. */
static json_t *consistency_proof(struct cons *c, uint64_t m, uint64_t n)
{
    if (m == 0)
        return json_array();
    PGresult *r = PQexecParams(c->db, "SELECT leaf_hash FROM merkle_leaves ORDER BY leaf_index",
                               0, NULL, NULL, NULL, NULL, 1);
    json_t *out = NULL;
    if (!cons_ok(r, PGRES_TUPLES_OK, "read leaves for the proof") || (uint64_t)PQntuples(r) != n) {
        lt_error("consolidator", "checkpoint: no consistency proof (%d leaves read, %" PRIu64
                 " expected)", PQntuples(r), n);
        PQclear(r);
        return NULL;
    }
    uint8_t (*leaf)[32] = lt_malloc((size_t)n * 32);
    for (uint64_t i = 0; i < n; i++)
        memcpy(leaf[i], PQgetvalue(r, (int)i, 0), 32);
    PQclear(r);
    uint8_t proof[LT_MERKLE_MAX_PROOF][32];
    size_t len = 0;
    if (lt_merkle_consistency_proof((const uint8_t(*)[32])leaf, n, m, proof, &len) == 0) {
        out = json_array();
        for (size_t i = 0; i < len; i++) {
            char hex[65];
            sodium_bin2hex(hex, sizeof hex, proof[i], 32);
            json_array_append_new(out, json_string(hex));
        }
    }
    free(leaf);
    return out;
}

long cons_checkpoint(struct cons *c)
{
    char err[512];
    long added = -1;
    PGresult *r = NULL;
    if (lt_db_exec(c->db, "BEGIN", err, sizeof err) != LT_OK) {
        lt_error("consolidator", "checkpoint: %s", err);
        return -1;
    }
    r = PQexec(c->db, "SELECT pg_advisory_xact_lock(" CONS_STORE_LOCK ")");
    if (!cons_ok(r, PGRES_TUPLES_OK, "checkpoint lock"))
        goto out;
    PQclear(r);
    r = PQexec(c->db, "SELECT tree_size, frontier FROM checkpoints ORDER BY tree_size DESC LIMIT 1");
    struct lt_merkle_frontier f;
    if (!cons_ok(r, PGRES_TUPLES_OK, "last checkpoint") || frontier_load(r, &f) != 0) {
        lt_error("consolidator", "checkpoint: the last checkpoint's frontier is unreadable");
        goto out;
    }
    PQclear(r);
    r = PQexec(c->db, "SELECT count(*), coalesce(max(ingest_seq), 0) FROM merkle_leaves");
    if (!cons_ok(r, PGRES_TUPLES_OK, "count leaves"))
        goto out;
    uint64_t leaves = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
    char after[24];
    snprintf(after, sizeof after, "%s", PQgetvalue(r, 0, 1));
    PQclear(r);
    r = NULL;
    if (leaves != f.size) {
        lt_error("consolidator", "CHECKPOINT: merkle_leaves holds %" PRIu64 " leaves but the last "
                 "checkpoint covers %" PRIu64 "; not signing (audit the store)", leaves, f.size);
        goto out;
    }
    char lim[24];
    snprintf(lim, sizeof lim, "%lld", c->cfg.checkpoint_max);
    const char *v[] = { after, lim };
    r = PQexecParams(c->db, "SELECT event_id::text, ingest_seq, signed_bytes FROM event_store "
                     "WHERE ingest_seq > $1 ORDER BY ingest_seq LIMIT $2", 2, NULL, v, NULL, NULL, 0);
    if (!cons_ok(r, PGRES_TUPLES_OK, "read new events"))
        goto out;
    int n = PQntuples(r);
    if (n == 0) {
        added = 0;
        goto out;
    }
    for (int i = 0; i < n; i++) {
        size_t len;
        unsigned char *b = PQunescapeBytea((const unsigned char *)PQgetvalue(r, i, 2), &len);
        uint8_t leaf[32];
        lt_merkle_leaf_hash(b, len, leaf);
        PQfreemem(b);
        lt_copy_int(c->copy, (long long)f.size);
        lt_copy_text(c->copy, PQgetvalue(r, i, 0));
        lt_copy_text(c->copy, PQgetvalue(r, i, 1));
        lt_copy_bytea(c->copy, leaf, sizeof leaf);
        lt_copy_end_row(c->copy);
        if (lt_merkle_frontier_add(&f, leaf) != 0)
            goto out;
    }
    PQclear(r);
    r = NULL;
    if (lt_copy_send(c->db, "COPY merkle_leaves (leaf_index, event_id, ingest_seq, leaf_hash) "
                     "FROM STDIN", c->copy, NULL, err, sizeof err) != LT_OK) {
        lt_error("consolidator", "checkpoint leaves: %s", err);
        goto out;
    }
    uint8_t root[32], sig[LT_SIGN_BYTES];
    lt_merkle_frontier_root(&f, root);
    /* The proof that this head extends the previous one, for witnesses. */
    json_t *proof = c->producer && *c->cfg.checkpoint_topic ? consistency_proof(c, leaves, f.size)
                                                           : NULL;
    char when[32], text[512], size[24];
    rfc3339_ms(lt_now_ms(), when);
    lt_checkpoint_statement(text, sizeof text, f.size, root, when, c->ckey.key_id);
    lt_sign_detached(sig, LT_CHECKPOINT_CONTEXT, (const uint8_t *)text, strlen(text), c->ckey.sk);
    snprintf(size, sizeof size, "%" PRIu64, f.size);
    size_t fl = (size_t)__builtin_popcountll(f.size) * 32;
    const char *v2[] = { size, (const char *)root, (const char *)f.node, when, c->ckey.key_id, text,
                         (const char *)sig };
    int l2[] = { 0, 32, (int)fl, 0, 0, 0, LT_SIGN_BYTES };
    int f2[] = { 0, 1, 1, 0, 0, 0, 1 };
    r = cons_q(c->db, "INSERT INTO checkpoints (tree_size, root, frontier, signed_at, key_id, "
               "statement, signature) VALUES ($1, $2, $3, $4, $5, $6, $7)", 7, v2, l2, f2);
    if (!cons_ok(r, PGRES_COMMAND_OK, "store checkpoint"))
        goto out;
    PQclear(r);
    r = NULL;
    if (lt_db_exec(c->db, "COMMIT", err, sizeof err) != LT_OK) {
        lt_error("consolidator", "checkpoint commit: %s", err);
        return -1;
    }
    added = n;
    char hex[65], sig64[LT_SIGN_BYTES * 2];
    sodium_bin2hex(hex, sizeof hex, root, 32);
    sodium_bin2base64(sig64, sizeof sig64, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
    lt_info("consolidator", "checkpoint: tree size %" PRIu64 " (+%d), root %s, signed by %s",
            f.size, n, hex, c->ckey.key_id);
    if (c->producer && *c->cfg.checkpoint_topic) {
        json_t *j = json_pack("{sIssssssssss sIsO}", "tree_size", (json_int_t)f.size, "root", hex,
                              "time", when, "key_id", c->ckey.key_id, "statement", text,
                              "signature", sig64, "consistency_from", (json_int_t)leaves,
                              "consistency_proof", proof ? proof : json_null());
        char *body = json_dumps(j, JSON_COMPACT);
        rd_kafka_producev(c->producer, RD_KAFKA_V_TOPIC(c->cfg.checkpoint_topic),
                          RD_KAFKA_V_VALUE(body, strlen(body)),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        free(body);
        json_decref(j);
        rd_kafka_poll(c->producer, 0);
    }
    json_decref(proof);
    return added;
out:
    PQclear(r);
    if (lt_db_exec(c->db, "ROLLBACK", err, sizeof err) != LT_OK)
        lt_error("consolidator", "checkpoint rollback: %s", err);
    return added;
}
