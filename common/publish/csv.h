/* csv.h — agency CSV exports: an RFC 4180 reader and the conversion of one
 * data row, through an export layout (publish/agency.h), into the protobuf
 * JSON mapping of an Event.
 *
 * The reader takes the whole file in memory and yields records: cells
 * separated by ',', records ended by CRLF or LF (or the end of the file),
 * cells in double quotes may hold commas, line breaks and doubled quotes
 * (""). A UTF-8 byte order mark at the very start is skipped; lines that are
 * entirely empty are skipped; a NUL byte, a quote inside an unquoted cell,
 * text after a closing quote and an unterminated quote are errors.
 *
 * The first record is the header: column names (surrounding blanks ignored)
 * that must all belong to the layout, each at most once, and must include
 * every required column of the layout; columns come in any order and
 * optional ones may be left out. Every later record is one event: each
 * cell is converted by its column's kind and placed at the column's JSON
 * path, creating nested objects on the way ("header.subject.foreigner.
 * nationality") and array elements where a segment carries an index
 * ("labourDemandDeclared.positions[0].jobTitle"). An empty cell leaves the
 * field out (so does a cell of blanks only); in a required column it is an
 * error. How cells are read:
 *   LT_CSV_STRING      the cell as is (validation later checks NFC, trimming)
 *   LT_CSV_INT         an integer, optional '-' then ASCII digits; 64-bit
 *                      fields become JSON strings, 32-bit ones numbers; on a
 *                      bool field "1"/"0"/"true"/"false"
 *   LT_CSV_ENUM        a value name of the field's enum, in full
 *                      ("VISA_PURPOSE_LD1") or without the enum's prefix
 *                      ("LD1"), ASCII case ignored, '-' or ' ' read as '_',
 *                      Đ/đ read as D ("LĐ1" is LD1); always written in full
 *   LT_CSV_LIST        ';'-separated values, each trimmed, empty ones
 *                      skipped; strings, or enum names read as above
 *   LT_CSV_LOCAL_TIME  "YYYY-MM-DD HH:MM[:SS]" (or 'T' for the space) or
 *                      "YYYY-MM-DD" (00:00) in Vietnam time, UTC+07:00 all
 *                      year → Unix milliseconds as a decimal string
 * Surrounding blanks are ignored in every kind but LT_CSV_STRING.
 *
 * Fields are found by walking protobuf-c's descriptor of lienthong.v1.Event
 * along the path (JSON names are lowerCamelCase, lt_pbjson_json_name), so a
 * layout that names a field the contract does not have, or a kind that does
 * not fit the field, is refused before any file is read
 * (lt_csv_layout_check).
 *
 * Errors are collected, never printed: each names the line (the physical
 * line where the record starts, 1-based, the header being line 1 unless
 * blank lines precede it) and the column, in the message text too, e.g.
 * "line 7, column entry_time: \"2026-13-01\" is not a Vietnam local time
 * (YYYY-MM-DD HH:MM[:SS] or YYYY-MM-DD)". */
#ifndef LT_PUBLISH_CSV_H
#define LT_PUBLISH_CSV_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "publish/agency.h"

/* Stable error codes (lt_csv_error.code points to one of these strings). */
#define LT_CSV_E_MALFORMED        "csv_malformed"        /* quoting broken, NUL byte */
#define LT_CSV_E_NO_HEADER        "csv_no_header"        /* the file has no header line */
#define LT_CSV_E_UNKNOWN_COLUMN   "csv_unknown_column"   /* header names no column of the layout */
#define LT_CSV_E_DUPLICATE_COLUMN "csv_duplicate_column" /* header names a column twice */
#define LT_CSV_E_MISSING_COLUMN   "csv_missing_column"   /* a required column is not in the header */
#define LT_CSV_E_CELL_COUNT       "csv_cell_count"       /* row and header differ in length */
#define LT_CSV_E_REQUIRED_EMPTY   "csv_required_empty"   /* empty cell in a required column */
#define LT_CSV_E_BAD_TIME         "csv_bad_time"         /* not a Vietnam local date/time */
#define LT_CSV_E_BAD_INTEGER      "csv_bad_integer"      /* not an integer, or out of range */
#define LT_CSV_E_BAD_BOOL         "csv_bad_bool"         /* not 1/0/true/false */
#define LT_CSV_E_BAD_ENUM         "csv_bad_enum"         /* not a value of the field's enum */
#define LT_CSV_E_BAD_UTF8         "csv_bad_utf8"         /* cell is not UTF-8 */
#define LT_CSV_E_LAYOUT           "csv_layout"           /* the layout itself is wrong */

/* At most this many errors are stored; all are counted. */
#define LT_CSV_MAX_ERRORS 32
#define LT_CSV_COLUMN_MAX 64
#define LT_CSV_MESSAGE_MAX 256

struct lt_csv_error {
    size_t line;                      /* 1-based line where the record starts */
    char column[LT_CSV_COLUMN_MAX];   /* header name; "" when no column applies */
    const char *code;                 /* one of LT_CSV_E_* (static) */
    char message[LT_CSV_MESSAGE_MAX]; /* "line N, column C: …" */
};

/* A plain struct the caller owns (about 11 KiB); nothing in it needs freeing. */
struct lt_csv_errors {
    size_t count;    /* errors found, may exceed LT_CSV_MAX_ERRORS */
    size_t n_stored; /* entries in items[] */
    struct lt_csv_error items[LT_CSV_MAX_ERRORS];
};

/* Empties e. */
void lt_csv_errors_init(struct lt_csv_errors *e);

/* The stored errors as a JSON array of {"column", "code", "message"}
 * ("column" left out when empty). New reference; the caller json_decref()s. */
json_t *lt_csv_errors_to_json(const struct lt_csv_errors *e);

/* ---- the RFC 4180 reader ------------------------------------------------ */

struct lt_csv_reader;

/* One record. cells[i] are NUL-terminated and owned by the reader: valid
 * until the next lt_csv_next or lt_csv_reader_free. */
struct lt_csv_record {
    size_t line;  /* physical line (1-based) where the record starts */
    size_t n;     /* number of cells (>= 1) */
    char **cells;
};

/* A reader over data[0..len), which is not copied and must outlive it.
 * Never NULL (allocation failure aborts). */
struct lt_csv_reader *lt_csv_reader_new(const char *data, size_t len);

/* NULL is a no-op. */
void lt_csv_reader_free(struct lt_csv_reader *r);

/* Reads the next record into *rec. Returns 1 when one was read, 0 at the end
 * of the data, or LT_ERR_INVALID for a malformed record: one error is added to
 * errs (if not NULL) naming its line, rec->line is set, and the reader has
 * moved past the end of that physical line (to the end of the data for an
 * unterminated quote), so the caller may report it and go on. */
int lt_csv_next(struct lt_csv_reader *r, struct lt_csv_record *rec, struct lt_csv_errors *errs)
    __attribute__((warn_unused_result));

/* ---- layouts ------------------------------------------------------------ */

/* Checks a layout against the contract: event_type is a body case of Event;
 * every json_path resolves to a field (walking the descriptors; indexed
 * segments only on repeated message fields), starts with "header." or the
 * body's JSON name, does not name a field the service owns (eventId,
 * agencyCode, sequence, prevHash, recordedAtMs, schemaVersion) and is used by
 * one column only; every kind fits its field's type. Returns LT_OK or
 * LT_ERR_CONFIG with a sentence in err naming the layout and column. */
int lt_csv_layout_check(const struct lt_csv_layout *l, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* The layout a file name selects: "<name>.csv" or "<name>-<anything>.csv";
 * when several match, the longest name wins ("permit-extended-…" goes to
 * "permit-extended", not "permit"). layouts is NULL-terminated (or NULL).
 * Returns NULL when none matches. */
const struct lt_csv_layout *lt_csv_layout_for_file(const struct lt_csv_layout *const *layouts,
                                                   const char *file_name);

/* ---- conversion --------------------------------------------------------- */

struct lt_csv_map;

/* Matches the header record of a file against layout l. On success returns
 * LT_OK and *out, a map the caller frees with lt_csv_map_free. Otherwise
 * *out is NULL and every problem is in errs (LT_ERR_INVALID: unknown,
 * duplicate or missing columns; LT_ERR_CONFIG: the layout fails
 * lt_csv_layout_check). The layout must outlive the map. */
int lt_csv_map_new(const struct lt_csv_layout *l, const struct lt_csv_record *header,
                   struct lt_csv_map **out, struct lt_csv_errors *errs)
    __attribute__((warn_unused_result));

/* NULL is a no-op. */
void lt_csv_map_free(struct lt_csv_map *m);

/* Converts one data record into the Event's JSON object. Returns LT_OK with
 * *out a new reference (json_decref), or LT_ERR_INVALID with *out NULL and
 * every problem of the row in errs. The JSON is not checked against the
 * contract beyond the cell formats: lt_pbjson_to_message and validation do
 * that. */
int lt_csv_row_to_json(const struct lt_csv_map *m, const struct lt_csv_record *rec,
                       json_t **out, struct lt_csv_errors *errs)
    __attribute__((warn_unused_result));

/* The header names of the file's columns that feed JSON path `path`,
 * something under it ("header.subject" → "nationality, passport_number") or
 * something it is part of ("…wantedCountries[1]" → "wanted_countries"),
 * joined by ", " into buf; so an error found later (pbjson, validation) can
 * name its column. Returns the number of columns named (0: buf is ""). */
size_t lt_csv_map_columns_for(const struct lt_csv_map *m, const char *path, char *buf,
                              size_t cap);

/* Parses a Vietnam local time as LT_CSV_LOCAL_TIME reads it into Unix
 * milliseconds. Returns LT_OK or LT_ERR_INVALID. */
int lt_csv_parse_local_time(const char *s, int64_t *ms) __attribute__((warn_unused_result));

/* ---- for layout tables -------------------------------------------------- */

/* The columns every layout repeats: who the event is about. */
#define LT_CSV_SUBJECT_FOREIGNER                                                             \
    { "nationality", "header.subject.foreigner.nationality", LT_CSV_STRING, 1 },             \
    { "passport_number", "header.subject.foreigner.passportNumber", LT_CSV_STRING, 1 }
#define LT_CSV_SUBJECT_CITIZEN { "citizen_id", "header.subject.citizenId", LT_CSV_STRING, 1 }
#define LT_CSV_SUBJECT_ENTERPRISE                                                            \
    { "enterprise_code", "header.subject.enterpriseCode", LT_CSV_STRING, 1 }
/* When the fact happened (header.occurredAtMs), under a column name of the
 * layout's own ("entry_time", "issue_date"). */
#define LT_CSV_OCCURRED(header_name)                                                         \
    { header_name, "header.occurredAtMs", LT_CSV_LOCAL_TIME, 1 }

/* Defines `static const struct lt_csv_layout var` over the array `cols`. */
#define LT_CSV_LAYOUT(var, layout_name, type, desc, cols)                                    \
    static const struct lt_csv_layout var = {                                                \
        .name = layout_name,                                                                 \
        .event_type = type,                                                                  \
        .description = desc,                                                                 \
        .columns = cols,                                                                     \
        .n_columns = sizeof cols / sizeof cols[0],                                           \
    }

#endif
