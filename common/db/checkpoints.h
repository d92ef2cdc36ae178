/* checkpoints.h — the event store's signed checkpoints, as the consolidator
 * keeps them in the database (migration 006: merkle_leaves, checkpoints):
 * the text a tree head signs, the check of the stored history against its
 * signed heads, and inclusion proofs. The Merkle arithmetic is crypto/merkle;
 * this module reads the tables. Used by lt-consolidator (which signs heads)
 * and lt-audit (which checks them, trusting only the hub's public key). */
#ifndef LT_DB_CHECKPOINTS_H
#define LT_DB_CHECKPOINTS_H

#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>

#include "crypto/sign.h"

/* Domain separation of the hub's signature over a statement. */
#define LT_CHECKPOINT_CONTEXT "lienthong.v1.Checkpoint\n"

/* Writes the statement a head signs: "lienthong checkpoint v1\n"
 * "tree_size N\nroot HEX\ntime RFC3339\nkey_id ID\n". */
void lt_checkpoint_statement(char *out, size_t len, uint64_t size, const uint8_t root[32],
                             const char *when, const char *key_id);

/* Checks every checkpoint's signature with pk, every leaf against the stored
 * event's bytes, every signed head against the stored leaves, and each head's
 * consistency with the previous one (a proof built and checked). Prints each
 * problem, and a summary line, to out. Returns the number of problems, -1 if
 * the tables cannot be read. */
long lt_checkpoints_verify(PGconn *db, const uint8_t pk[LT_SIGN_PUBLICKEYBYTES], FILE *out);

/* Proves that event_id is in the latest signed head: checks the head's
 * signature with pk, builds the inclusion proof from the stored leaves and
 * checks it against the signed root. Prints the proof as JSON to out.
 * Returns 0 when proven, 1 when not (why on out), -1 on a database error. */
int lt_checkpoints_prove(PGconn *db, const char *event_id, const uint8_t pk[LT_SIGN_PUBLICKEYBYTES],
                         FILE *out);

#endif
