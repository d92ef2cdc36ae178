/* merkle.h — the Merkle tree of the event store (RFC 6962 / RFC 9162 §2.1):
 * SHA-256, leaf hash H(0x00 || entry), node hash H(0x01 || left || right),
 * the tree of n leaves split at the largest power of two below n. The
 * consolidator appends every stored event (in ingestion order) as a leaf and
 * signs tree heads (checkpoints); auditors check that each checkpoint extends
 * the previous one (consistency proof) and that an event is in the tree
 * (inclusion proof), trusting nothing but the signing keys.
 *
 * Leaves are passed as their 32-byte leaf hashes. Proofs are arrays of
 * 32-byte hashes, at most LT_MERKLE_MAX_PROOF of them (trees up to 2^63). */
#ifndef LT_CRYPTO_MERKLE_H
#define LT_CRYPTO_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define LT_MERKLE_HASH 32
#define LT_MERKLE_MAX_PROOF 64

/* H(0x00 || data). */
void lt_merkle_leaf_hash(const uint8_t *data, size_t len, uint8_t out[LT_MERKLE_HASH]);
/* H(0x01 || left || right). */
void lt_merkle_node_hash(const uint8_t left[LT_MERKLE_HASH], const uint8_t right[LT_MERKLE_HASH],
                         uint8_t out[LT_MERKLE_HASH]);

/* The tree head of the n leaf hashes (n = 0: SHA-256 of nothing). */
void lt_merkle_root(const uint8_t (*leaves)[LT_MERKLE_HASH], uint64_t n,
                    uint8_t out[LT_MERKLE_HASH]);

/* The right edge of a growing tree: the roots of its perfect subtrees, the
 * largest first, enough to append leaves and compute the head without the
 * earlier leaves. 2 KiB; zero-initialize for the empty tree. */
struct lt_merkle_frontier {
    uint64_t size;                                 /* leaves so far */
    uint8_t node[LT_MERKLE_MAX_PROOF][LT_MERKLE_HASH]; /* popcount(size) subtree roots */
};

/* Appends one leaf hash. Returns 0, or -1 when the tree is full (2^63). */
int lt_merkle_frontier_add(struct lt_merkle_frontier *f, const uint8_t leaf[LT_MERKLE_HASH]);
/* The head of the tree the frontier stands for (equal to lt_merkle_root). */
void lt_merkle_frontier_root(const struct lt_merkle_frontier *f, uint8_t out[LT_MERKLE_HASH]);

/* Inclusion proof of leaf `index` in the tree of the n leaves (RFC 6962
 * PATH). Writes up to LT_MERKLE_MAX_PROOF hashes to proof and their number
 * to *len. Returns 0, -1 if index >= n. */
int lt_merkle_inclusion_proof(const uint8_t (*leaves)[LT_MERKLE_HASH], uint64_t n, uint64_t index,
                              uint8_t (*proof)[LT_MERKLE_HASH], size_t *len);
/* 1 when proof shows leaf (a leaf hash) at index in the tree of size n with
 * head root (RFC 9162 §2.1.3.2), else 0. */
int lt_merkle_verify_inclusion(const uint8_t leaf[LT_MERKLE_HASH], uint64_t index, uint64_t n,
                               const uint8_t (*proof)[LT_MERKLE_HASH], size_t len,
                               const uint8_t root[LT_MERKLE_HASH])
    __attribute__((warn_unused_result));

/* Consistency proof between the first m leaves and all n (RFC 6962 PROOF;
 * 0 < m <= n). Returns 0, -1 for a bad m. */
int lt_merkle_consistency_proof(const uint8_t (*leaves)[LT_MERKLE_HASH], uint64_t n, uint64_t m,
                                uint8_t (*proof)[LT_MERKLE_HASH], size_t *len);
/* 1 when proof shows the tree of size m with head old_root is a prefix of the
 * tree of size n with head new_root (RFC 9162 §2.1.4.2), else 0. m = 0 is
 * consistent with anything (empty proof). */
int lt_merkle_verify_consistency(uint64_t m, uint64_t n, const uint8_t old_root[LT_MERKLE_HASH],
                                 const uint8_t new_root[LT_MERKLE_HASH],
                                 const uint8_t (*proof)[LT_MERKLE_HASH], size_t len)
    __attribute__((warn_unused_result));

#endif
