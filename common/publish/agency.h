/* agency.h — what one kind of agency brings to the shared engine.
 *
 * Each agency program under services/agency-<kind>/ is a profile plus
 * main() { return lt_agency_main(argc, argv, &profile); }: the event types its
 * kind publishes, the CSV layouts of its software's exports, and its title.
 * Everything else (configuration, journal, signing, Kafka, HTTP, drop folder,
 * outbox, metrics) is common/publish, so adding an agency copies nothing. */
#ifndef LT_PUBLISH_AGENCY_H
#define LT_PUBLISH_AGENCY_H

#include <stddef.h>

/* How one CSV column becomes part of the Event's protobuf JSON mapping. */
enum lt_csv_kind {
    LT_CSV_STRING,     /* copied as a JSON string (NFC-checked by validation) */
    LT_CSV_INT,        /* a whole number (JSON number; 64-bit fields as a string) */
    LT_CSV_ENUM,       /* an enum value name; the short form without the enum's
                        * prefix is accepted too ("LD1" for VISA_PURPOSE_LD1) */
    LT_CSV_LIST,       /* ';'-separated values → JSON array of strings (or enum names) */
    LT_CSV_LOCAL_TIME, /* "YYYY-MM-DD HH:MM[:SS]" or "YYYY-MM-DD" in Vietnam time
                        * → milliseconds since the epoch (for *AtMs fields) */
};

struct lt_csv_column {
    const char *header;    /* the column name in the file's header line */
    const char *json_path; /* where it goes: "header.occurredAtMs", "entry.visaPurpose" */
    enum lt_csv_kind kind;
    int required;          /* an empty cell is an error (else the field is left out) */
};

/* One export layout: a CSV file whose name starts with `name` ("entry-…csv")
 * holds one event type, one event per line, columns in any order. */
struct lt_csv_layout {
    const char *name;
    const char *event_type;  /* body field name, e.g. "entry" */
    const char *description; /* one sentence for the documentation */
    const struct lt_csv_column *columns;
    size_t n_columns;
};

struct lt_agency_profile {
    const char *kind;                /* "police" */
    const char *program;             /* "lt-agency-police" */
    const char *title;               /* "Provincial police: immigration and residence" */
    const char *const *event_types;  /* NULL-terminated body field names */
    const struct lt_csv_layout *const *csv_layouts; /* NULL-terminated (may be empty) */
};

/* Runs one agency service until SIGTERM or SIGINT (see services/README or
 * --help). Returns the process exit status. */
int lt_agency_main(int argc, char **argv, const struct lt_agency_profile *profile);

#endif
