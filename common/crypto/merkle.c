/* merkle.c — RFC 6962 / 9162 Merkle tree hashing and proofs (see merkle.h). */
#include <string.h>

#include <sodium.h>

#include "crypto/merkle.h"

void lt_merkle_leaf_hash(const uint8_t *data, size_t len, uint8_t out[LT_MERKLE_HASH])
{
    static const uint8_t zero = 0x00;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &zero, 1);
    crypto_hash_sha256_update(&st, data, len);
    crypto_hash_sha256_final(&st, out);
}

void lt_merkle_node_hash(const uint8_t left[LT_MERKLE_HASH], const uint8_t right[LT_MERKLE_HASH],
                         uint8_t out[LT_MERKLE_HASH])
{
    uint8_t buf[1 + 2 * LT_MERKLE_HASH];
    buf[0] = 0x01;
    memcpy(buf + 1, left, LT_MERKLE_HASH);
    memcpy(buf + 1 + LT_MERKLE_HASH, right, LT_MERKLE_HASH);
    crypto_hash_sha256(out, buf, sizeof buf);
}

/* The largest power of two strictly below n (n >= 2). */
static uint64_t split(uint64_t n)
{
    uint64_t k = 1;
    while (k << 1 < n)
        k <<= 1;
    return k;
}

void lt_merkle_root(const uint8_t (*leaves)[LT_MERKLE_HASH], uint64_t n, uint8_t out[LT_MERKLE_HASH])
{
    if (n == 0) {
        crypto_hash_sha256(out, NULL, 0);
        return;
    }
    if (n == 1) {
        memcpy(out, leaves[0], LT_MERKLE_HASH);
        return;
    }
    uint64_t k = split(n);
    uint8_t l[LT_MERKLE_HASH], r[LT_MERKLE_HASH];
    lt_merkle_root(leaves, k, l);
    lt_merkle_root(leaves + k, n - k, r);
    lt_merkle_node_hash(l, r, out);
}

int lt_merkle_frontier_add(struct lt_merkle_frontier *f, const uint8_t leaf[LT_MERKLE_HASH])
{
    if (f->size >= (UINT64_C(1) << 63))
        return -1;
    /* Like adding 1 to a binary counter: equal-sized subtrees on the right
     * merge into one twice their size. */
    size_t count = (size_t)__builtin_popcountll(f->size);
    uint8_t cur[LT_MERKLE_HASH];
    memcpy(cur, leaf, LT_MERKLE_HASH);
    for (uint64_t s = f->size; s & 1; s >>= 1) {
        lt_merkle_node_hash(f->node[count - 1], cur, cur);
        count--;
    }
    memcpy(f->node[count], cur, LT_MERKLE_HASH);
    f->size++;
    return 0;
}

void lt_merkle_frontier_root(const struct lt_merkle_frontier *f, uint8_t out[LT_MERKLE_HASH])
{
    size_t count = (size_t)__builtin_popcountll(f->size);
    if (count == 0) {
        crypto_hash_sha256(out, NULL, 0);
        return;
    }
    /* The subtrees from the smallest (rightmost) up: each larger one on the left. */
    memcpy(out, f->node[count - 1], LT_MERKLE_HASH);
    for (size_t i = count - 1; i-- > 0;)
        lt_merkle_node_hash(f->node[i], out, out);
}

static void path(const uint8_t (*d)[LT_MERKLE_HASH], uint64_t n, uint64_t m,
                 uint8_t (*proof)[LT_MERKLE_HASH], size_t *len)
{
    if (n <= 1)
        return;
    uint64_t k = split(n);
    if (m < k) {
        path(d, k, m, proof, len);
        lt_merkle_root(d + k, n - k, proof[(*len)++]);
    } else {
        path(d + k, n - k, m - k, proof, len);
        lt_merkle_root(d, k, proof[(*len)++]);
    }
}

int lt_merkle_inclusion_proof(const uint8_t (*leaves)[LT_MERKLE_HASH], uint64_t n, uint64_t index,
                              uint8_t (*proof)[LT_MERKLE_HASH], size_t *len)
{
    *len = 0;
    if (index >= n)
        return -1;
    path(leaves, n, index, proof, len);
    return 0;
}

static void subproof(const uint8_t (*d)[LT_MERKLE_HASH], uint64_t n, uint64_t m, int whole,
                     uint8_t (*proof)[LT_MERKLE_HASH], size_t *len)
{
    if (m == n) {
        if (!whole)
            lt_merkle_root(d, n, proof[(*len)++]);
        return;
    }
    uint64_t k = split(n);
    if (m <= k) {
        subproof(d, k, m, whole, proof, len);
        lt_merkle_root(d + k, n - k, proof[(*len)++]);
    } else {
        subproof(d + k, n - k, m - k, 0, proof, len);
        lt_merkle_root(d, k, proof[(*len)++]);
    }
}

int lt_merkle_consistency_proof(const uint8_t (*leaves)[LT_MERKLE_HASH], uint64_t n, uint64_t m,
                                uint8_t (*proof)[LT_MERKLE_HASH], size_t *len)
{
    *len = 0;
    if (m == 0 || m > n)
        return -1;
    subproof(leaves, n, m, 1, proof, len);
    return 0;
}

int lt_merkle_verify_inclusion(const uint8_t leaf[LT_MERKLE_HASH], uint64_t index, uint64_t n,
                               const uint8_t (*proof)[LT_MERKLE_HASH], size_t len,
                               const uint8_t root[LT_MERKLE_HASH])
{
    if (index >= n)
        return 0;
    uint64_t fn = index, sn = n - 1;
    uint8_t r[LT_MERKLE_HASH];
    memcpy(r, leaf, LT_MERKLE_HASH);
    for (size_t i = 0; i < len; i++) {
        if (sn == 0)
            return 0;
        if ((fn & 1) || fn == sn) {
            lt_merkle_node_hash(proof[i], r, r);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            lt_merkle_node_hash(r, proof[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && sodium_memcmp(r, root, LT_MERKLE_HASH) == 0;
}

int lt_merkle_verify_consistency(uint64_t m, uint64_t n, const uint8_t old_root[LT_MERKLE_HASH],
                                 const uint8_t new_root[LT_MERKLE_HASH],
                                 const uint8_t (*proof)[LT_MERKLE_HASH], size_t len)
{
    if (m > n)
        return 0;
    if (m == 0)
        return len == 0;
    if (m == n)
        return len == 0 && sodium_memcmp(old_root, new_root, LT_MERKLE_HASH) == 0;
    /* When m is a power of two the old head itself starts the walk. */
    const uint8_t *first;
    size_t i = 0;
    if ((m & (m - 1)) == 0) {
        first = old_root;
    } else {
        if (len == 0)
            return 0;
        first = proof[0];
        i = 1;
    }
    uint64_t fn = m - 1, sn = n - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    uint8_t fr[LT_MERKLE_HASH], sr[LT_MERKLE_HASH];
    memcpy(fr, first, LT_MERKLE_HASH);
    memcpy(sr, first, LT_MERKLE_HASH);
    for (; i < len; i++) {
        if (sn == 0)
            return 0;
        if ((fn & 1) || fn == sn) {
            lt_merkle_node_hash(proof[i], fr, fr);
            lt_merkle_node_hash(proof[i], sr, sr);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            lt_merkle_node_hash(sr, proof[i], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && sodium_memcmp(fr, old_root, LT_MERKLE_HASH) == 0 &&
           sodium_memcmp(sr, new_root, LT_MERKLE_HASH) == 0;
}
