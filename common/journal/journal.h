/* journal.h — the agency service's durable local journal.
 *
 * An agency service numbers, chains and signs each event, appends it here and
 * answers its caller only after lt_journal_sync has made it durable (one
 * fdatasync covers every append before it: group commit). The Kafka delivery
 * thread later acknowledges each entry with lt_journal_ack; an entry stays in
 * the pending set until then, across crashes and restarts, so a restart can
 * re-send exactly the bytes that were journaled.
 *
 * The journal is a directory (created 0700) of append-only segment files
 * named by the sequence number of their first entry, plus a LOCK file that
 * keeps a second process (or a second handle in this one) out. Every record
 * carries a BLAKE2b checksum; lt_journal_open verifies all of them. A torn
 * last record of the newest segment (a crash in the middle of a write) is cut
 * off and logged; damage anywhere else is an error that names the file and
 * offset — nothing is ever dropped silently. The record format is described
 * at the top of journal.c.
 *
 * Memory holds 16 bytes and one bit per entry of each retained segment that
 * still has a pending entry (plus the newest), never the payloads: those are
 * read back from disk when asked for.
 *
 * Threads: every function may be called from any thread; one internal mutex
 * guards the state. lt_journal_sync does not hold it during fdatasync, so
 * appends and acks go on while a sync is in flight (syncs run one at a time).
 * Two rare fdatasyncs do run under it: of the full segment when an append
 * rolls to a new one, and of a middle segment emptied by an ack (about once
 * per segment each). The foreach functions do not hold it while calling back,
 * so a callback may call lt_journal_ack. */
#ifndef LT_JOURNAL_JOURNAL_H
#define LT_JOURNAL_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

/* Returned by lt_journal_append when the entry would take the bytes of
 * payload not yet acknowledged beyond lim->max_pending_bytes. Not an
 * enum lt_err code: a caller maps it to its own "full, retry later" answer.
 * The journal is unharmed; the same append succeeds once acks free room. */
#define LT_JOURNAL_FULL (-100)

/* Largest payload of one entry. */
#define LT_JOURNAL_MAX_PAYLOAD (16u * 1024u * 1024u)
/* Default segment size (lim->segment_bytes == 0). */
#define LT_JOURNAL_DEFAULT_SEGMENT_BYTES (64ull * 1024u * 1024u)

struct lt_journal;

struct lt_journal_limits {
    /* Refuse appends beyond this many bytes of not-yet-acknowledged payload
     * (0 = no limit). */
    uint64_t max_pending_bytes;
    /* Roll to a new segment file once the current one holds this many bytes
     * (0 = LT_JOURNAL_DEFAULT_SEGMENT_BYTES). A segment may exceed it by one
     * entry and by the ack records written after its last entry. */
    uint64_t segment_bytes;
};

/* Opens (creating it 0700 if needed; its parent must exist) the journal in
 * dir and recovers it: verifies every record, cuts a torn tail off the newest
 * segment (logged as a warning), rebuilds the last sequence number and the
 * pending set, makes the recovered state durable and deletes segments that
 * are entirely acknowledged. lim may be NULL (no limit, default segments).
 * On success *out is a new journal the caller owns (lt_journal_close).
 * Errors: LT_ERR_IO (with file and offset for damaged records, or "in use"
 * when another handle holds the lock), LT_ERR_INVALID (bad arguments). */
int lt_journal_open(const char *dir, const struct lt_journal_limits *lim,
                    struct lt_journal **out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Syncs what was appended, closes and frees j. NULL is a no-op. No other
 * thread may use j during or after the call. */
void lt_journal_close(struct lt_journal *j);

/* Appends one entry. seq must be exactly lt_journal_last_seq(j) + 1 (1 for the
 * first entry ever); payload is opaque, at most LT_JOURNAL_MAX_PAYLOAD bytes,
 * copied to the file (the caller keeps its buffer). Written with write(2), so
 * it survives the process being killed, but not durable against power loss
 * until lt_journal_sync returns. Returns LT_OK; LT_ERR_INVALID (wrong seq, too
 * large, or larger than max_pending_bytes on its own); LT_JOURNAL_FULL;
 * LT_ERR_IO (the entry is not in the journal; after a failed fdatasync every
 * later append and sync fails too: restart and let recovery decide). */
int lt_journal_append(struct lt_journal *j, uint64_t seq, const void *payload, size_t len,
                      char *err, size_t errlen) __attribute__((warn_unused_result));

/* Makes every entry appended before the call durable: fdatasync of the newest
 * segment, and fsync of the directory when a segment file was created since
 * the last sync. One sync covers any number of appends (group commit).
 * Returns LT_OK or LT_ERR_IO; a failed sync poisons the journal (see
 * lt_journal_append), because after a failed fdatasync the kernel no longer
 * says which writes reached the disk. */
int lt_journal_sync(struct lt_journal *j, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Marks entry seq delivered. Acks may come in any order and more than once;
 * acking an entry already acked (or already deleted) is LT_OK and does
 * nothing. The ack is written to the newest segment with write(2) and no
 * fsync (a lost ack only causes a harmless re-send); it survives a clean
 * close and a killed process. A segment whose entries are all acked is
 * deleted, unless it holds the newest durable entry or anything after it (so
 * the chain head always survives). Returns LT_OK; LT_ERR_INVALID (seq 0 or
 * beyond the last entry); LT_ERR_IO (the ack counts in memory, but could not
 * be recorded on disk, so the entry comes back as pending after a restart). */
int lt_journal_ack(struct lt_journal *j, uint64_t seq);

/* The last sequence number appended (0 when the journal is empty). */
uint64_t lt_journal_last_seq(const struct lt_journal *j);

/* The last sequence number made durable by lt_journal_sync or recovered by
 * lt_journal_open (0 when empty). */
/* The first sequence number of the oldest retained segment (entries before
 * it were all published and deleted); 0 when the journal is empty. */
uint64_t lt_journal_first_seq(const struct lt_journal *j);
uint64_t lt_journal_durable_seq(const struct lt_journal *j);

/* The payload of the last entry (the chain head), read back from disk and
 * verified; NULL and 0 when the journal is empty. The bytes belong to j and
 * stay valid until the next lt_journal_last after an append, or
 * lt_journal_close. Returns LT_OK or LT_ERR_IO (logged). */
int lt_journal_last(struct lt_journal *j, const void **payload, size_t *len)
    __attribute__((warn_unused_result));

/* Number of entries, and bytes of payload, appended and not yet acked. */
size_t lt_journal_pending_count(const struct lt_journal *j);
uint64_t lt_journal_pending_bytes(const struct lt_journal *j);

/* Calls fn for every pending entry in ascending seq order (start-up
 * re-publishing, tests). The payload is valid only during the call. fn
 * returns 0 to go on, anything else to stop (carry your own result in arg).
 * Entries appended or acked meanwhile by other threads may or may not be
 * seen. Returns LT_OK (also when fn stopped) or LT_ERR_IO (a record read back
 * does not verify: file and offset in err). */
int lt_journal_foreach_pending(struct lt_journal *j,
                               int (*fn)(uint64_t seq, const void *payload, size_t len,
                                         void *arg),
                               void *arg, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Calls fn for every entry still in the retained segments, acked (acked = 1)
 * or not, in ascending seq order: the publisher rebuilds its index of source
 * ids from this. Same rules as lt_journal_foreach_pending. */
int lt_journal_foreach(struct lt_journal *j,
                       int (*fn)(uint64_t seq, const void *payload, size_t len, int acked,
                                 void *arg),
                       void *arg, char *err, size_t errlen) __attribute__((warn_unused_result));

/* Short stable name of a journal return code: "journal_full" for
 * LT_JOURNAL_FULL, else lt_err_name(code). */
const char *lt_journal_err_name(int code);

#endif
