/* outbox.h — the transactional-outbox input of an agency service.
 *
 * The agency's software inserts events (protobuf JSON mapping) into a table of
 * ITS OWN PostgreSQL database, in the same transaction as its business change
 * (contract: deploy/sql/agency-outbox.sql). One thread per outbox connects to
 * that database, LISTENs on channel "lienthong_outbox" and repeatedly:
 *   1. selects up to LT_OUTBOX_BATCH rows WHERE status = 'new' ORDER BY id
 *      (never "id > last seen": bigserial ids are taken at insert time but
 *      become visible at commit, so a smaller id can appear after a larger
 *      one; selecting by status picks it up whenever it shows);
 *   2. converts each row (JSON -> Event, lt_publisher_prepare);
 *   3. submits the valid ones in id order as one batch, each with the source
 *      id "outbox:<schema>.<table>:<id>", and waits until they are journaled;
 *   4. only then writes every outcome back in one statement: 'accepted' with
 *      sequence, event_id and processed_at, or 'rejected' with error (a JSON
 *      array of {"field", "code", "message"});
 *   5. waits for a NOTIFY or poll_ms, whichever comes first (the poll covers
 *      notifications missed while reconnecting).
 *
 * Crash safety. A row is marked only after its event is durable in the
 * journal, so a crash (or a lost database connection) between steps 3 and 4
 * leaves the row 'new' although its event is journaled. On the next pass the
 * row is submitted again with the same source id; the publisher finds that id
 * in its de-duplication index (rebuilt from the journal at start) and answers
 * LT_PUB_DUPLICATE with the ORIGINAL sequence and event id, which are what the
 * row is marked with: nothing is published twice and the row's outcome is the
 * event that really went out. A row whose source id is already journaled is
 * always marked 'accepted', even if its JSON would no longer validate (rules
 * changed by an upgrade, the row edited): its event was published.
 * The limit of this guarantee is the publisher's de-duplication index: while
 * the service runs it holds every source id journaled since start; after a
 * restart it is rebuilt from the journal's RETAINED segments only, and the
 * journal deletes a segment once every entry in it is delivered to Kafka and
 * it is not the newest (journal.h). So a row is re-published under a second
 * sequence only if all of these happen: its event is journaled, the row is
 * not marked (crash, or the agency database is unreachable), the journal then
 * fills and rolls past a whole segment (64 MiB by default) of other events
 * that are all delivered, and the service restarts before it marks the row.
 * Marking follows journaling within milliseconds, so in practice this needs a
 * long agency-database outage during heavy traffic from other inputs plus a
 * restart; readers would still see two valid, distinct events.
 * Neither the table nor its id sequence may be reset (a reused id would be
 * answered with the old event).
 *
 * Failures. Journal full (LT_PUB_FULL): rows stay 'new' and are retried with
 * a growing pause (0.2 s to 5 s), each retry taking half as many rows (a batch
 * enters the journal whole or not at all, so it must never be too big to fit;
 * the size grows back once batches go through). Database unreachable or any SQL error: the
 * service logs it once (and again only when the message changes), drops the
 * connection and reconnects with backoff 1 s, 2 s, 4 s … 30 s; nothing is
 * skipped, since what is not marked stays 'new'. Only one service may drain
 * one table: each holds a session advisory lock on it and a second one waits.
 *
 * SQL is parameterized; the table name is validated ([a-z_][a-z0-9_]* up to
 * 63 characters, optionally "schema.table"; an unqualified name means schema
 * public), quoted, and the connection's search_path is pg_catalog only. */
#ifndef LT_PUBLISH_OUTBOX_H
#define LT_PUBLISH_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "publish/publisher.h"

/* Rows taken per pass (and per submitted batch). */
#define LT_OUTBOX_BATCH 500
/* The NOTIFY channel of deploy/sql/agency-outbox.sql. */
#define LT_OUTBOX_CHANNEL "lienthong_outbox"

struct lt_outbox;

/* Checks that table is a valid outbox table name and writes its canonical
 * qualified form ("public.lienthong_outbox") into buf. Returns LT_OK, or
 * LT_ERR_INVALID with the reason in err. */
int lt_outbox_table_name(const char *table, char *buf, size_t bufsize, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Starts draining `table` of the database at pg_url (a libpq URI or
 * connection string; passwords from PGPASSFILE) into pub, polling at least
 * every poll_ms (1 … 3 600 000) milliseconds. Returns at once: connecting
 * happens in the outbox's thread, so a database that is down at start is
 * retried like any later outage. Returns LT_OK with *out set (stop it with
 * lt_outbox_stop), or LT_ERR_INVALID / LT_ERR_CONFIG / LT_ERR_IO with a
 * sentence in err. pub is not owned: it must outlive the outbox (stop the
 * outbox before lt_publisher_free). */
int lt_outbox_start(struct lt_publisher *pub, const char *pg_url, const char *table, int poll_ms,
                    struct lt_outbox **out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Stops the thread and frees the outbox. Prompt while the thread waits (for a
 * notification, a poll or a backoff); a pass already running finishes first
 * (one submit and one UPDATE), and a connection attempt in progress may take
 * up to its 10 s connect timeout. Rows it did not mark stay 'new' for the
 * next start. NULL is a no-op. */
void lt_outbox_stop(struct lt_outbox *o);

/* Counters since start, for health and tests. */
struct lt_outbox_stats {
    uint64_t batches;    /* passes that found rows */
    uint64_t rows;       /* rows taken */
    uint64_t accepted;   /* marked 'accepted' with a newly journaled event */
    uint64_t duplicates; /* marked 'accepted' with an event journaled before */
    uint64_t rejected;   /* marked 'rejected' */
    uint64_t retries;    /* passes that left valid rows 'new' (journal full or failed) */
    uint64_t connects;   /* successful connections (1 + reconnects) */
    int connected;       /* 1 while connected and listening */
};

/* Copies the counters. Safe from any thread. */
void lt_outbox_stats(struct lt_outbox *o, struct lt_outbox_stats *s);

#endif
