/* dropdir.h — the drop-folder input of an agency service: JSON-lines and CSV
 * files exported by the agency's software, each line one event.
 *
 * Folder layout (created 0750 under dir when missing):
 *   inbox/       the agency's software puts files here
 *   processing/  a file being read (moved here first, atomically)
 *   done/        read to the end: <f>, <f>.result.json, <f>.errors.jsonl
 *   failed/      not readable as a whole: <f>, <f>.errors.jsonl
 *
 * Writing a file (the agency's side). Write it under a name starting with
 * '.' (".entry-20260110.csv.tmp"), close it, then rename(2) it into inbox/ on
 * the same file system: the rename is atomic, so the service never sees half
 * a file. Files whose name starts with '.' are never read; neither is a file
 * whose size or modification time changed during the last poll_ms (a
 * safety net for software that writes in place, not a substitute for the
 * rename). Only regular files named *.jsonl or *.csv are read; anything else
 * in inbox/ is left alone. Names must be unique over time (put the date and
 * a counter in them): a name that is already in done/ is refused (moved to
 * failed/), because lines are identified by file name and line number.
 *
 * Formats.
 *   *.jsonl  one Event per line in the protobuf JSON mapping (as for HTTP),
 *            blank lines ignored, CRLF accepted. The fields the service owns
 *            (eventId, agencyCode, sequence, prevHash, recordedAtMs) must be
 *            left out; ruleSet and schemaVersion may be.
 *   *.csv    named "<layout>.csv" or "<layout>-<anything>.csv" after one of
 *            the agency's layouts (services/agency-<kind>/README.md), header
 *            line first; publish/csv.h says how cells are read.
 * Files are read in name order; the whole file must be UTF-8 (a BOM is
 * allowed) without NUL bytes and at most LT_DROPDIR_MAX_FILE_BYTES long.
 *
 * Processing one file: it is renamed inbox/ → processing/; every line is
 * converted, then checked by lt_publisher_prepare. Bad lines are reported
 * and skipped; good lines are submitted with source id
 * "drop:<file name>:<line>" in all-or-nothing batches of at most
 * LT_DROPDIR_BATCH events, in line order. When the journal is full
 * (LT_PUB_FULL) the same batch is retried every poll_ms until it fits:
 * nothing is dropped or skipped. When the journal fails, or the service
 * stops, the file stays in processing/ and the drop folder reads no further
 * file (a journal failure needs a restart). Once every line is journaled or
 * reported: done/<f>.errors.jsonl is written if a line was bad, then
 * done/<f>.result.json, then the file is renamed processing/ → done/.
 *   <f>.errors.jsonl  one JSON object per bad line, in line order:
 *       {"line": 7, "errors": [{"column": "visa_purpose",
 *        "field": "entry.visaPurpose", "code": "csv_bad_enum",
 *        "message": "line 7, column visa_purpose: …"}, …]}
 *     "line" is the physical line where the record starts (CSV header =
 *     line 1); "column" (CSV) names the header of the cell(s) at fault,
 *     "field" the JSON path of the event field; either may be absent when it
 *     does not apply. Codes come from publish/csv.h (csv_*), event/pbjson.h
 *     (wrong_type, unknown_enum, …), event/validate.h (field_missing,
 *     date_invalid, …, field_not_applicable for a field the service owns),
 *     and bad_json / not_an_object (a JSON-lines line that is not JSON, or
 *     not an object).
 *   <f>.result.json   {"file", "format" ("csv"|"jsonl"), "layout" (csv),
 *                      "lines", "accepted", "duplicates", "rejected"}:
 *     lines = accepted + duplicates + rejected (data lines, blank lines and
 *     the CSV header not counted); duplicates are lines journaled before
 *     (by an earlier, interrupted pass over the same file).
 * A file that cannot be read as a whole — not UTF-8, too large, a CSV with no
 * layout for its name or a bad header line, a name already in done/ — is
 * moved to failed/ (renamed <f>.<ms> if failed/<f> exists) with
 * failed/<f>.errors.jsonl saying why ({"line": n or 0, "errors": […]}), and
 * nothing of it is published. Fix it and drop it again.
 * One log line per file gives its name, outcome and counts.
 *
 * Never half-read, never read twice. The guarantee rests on three things:
 *   1. the move inbox/ → processing/ is an atomic rename, so a file is taken
 *      at most once and only whole;
 *   2. a line counts as done only when lt_publisher_submit has made it
 *      durable in the journal; after each batch the highest line journaled
 *      is recorded (fsync, then rename) in processing/.<f>.progress;
 *   3. at start-up every file left in processing/ (a crash, a stop, a failed
 *      journal) is read again from its first line with the same source ids.
 *      Lines up to the recorded progress are not submitted again; the lines
 *      of the batch in flight at the crash are submitted again and the
 *      publisher answers LT_PUB_DUPLICATE for those its journal already
 *      holds (its source-id index covers the journal's retained segments,
 *      which always include the newest entries). Either way they count as
 *      "duplicates" and each line reaches Kafka exactly once, as the event
 *      journaled first.
 * Bad lines are deterministic, so re-reading reports them again. A crash
 * after the rename to done/ leaves at most a stale .progress file, removed
 * at the next start. What is not covered: the same content dropped again
 * under a new name is new lines (de-duplicate at the source), and a line of
 * a file renamed by hand inside processing/ gets a new source id. */
#ifndef LT_PUBLISH_DROPDIR_H
#define LT_PUBLISH_DROPDIR_H

#include <stddef.h>

#include "publish/agency.h"
#include "publish/publisher.h"

/* Events per submitted batch. */
#define LT_DROPDIR_BATCH 1000
/* Largest file read (bigger ones go to failed/). */
#define LT_DROPDIR_MAX_FILE_BYTES (256u * 1024u * 1024u)

struct lt_dropdir;

/* Creates dir and its four folders if needed, checks every layout
 * (lt_csv_layout_check) and starts the thread that first re-reads what is
 * left in processing/, then polls inbox/ every poll_ms (10 … 3600000).
 * pub and layouts (NULL-terminated, may be NULL or empty: JSON lines only)
 * are not owned and must outlive the drop folder. Returns LT_OK with *out,
 * or LT_ERR_CONFIG (bad layout or poll_ms) / LT_ERR_IO (folders) with a
 * sentence in err. */
int lt_dropdir_start(struct lt_publisher *pub, const char *dir,
                     const struct lt_csv_layout *const *layouts, int poll_ms,
                     struct lt_dropdir **out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Stops the thread — after the batch it is submitting, leaving an
 * unfinished file in processing/ for the next start — and frees d. Call it
 * before lt_publisher_free. NULL is a no-op. */
void lt_dropdir_stop(struct lt_dropdir *d);

#endif
