/* registry.h — the agency registry: which agencies exist, which event types
 * each may publish, on which Kafka topic, and with which Ed25519 keys, valid
 * from when to when.
 *
 * Agencies, permissions and keys are data, not code (DESIGN.md §2): they are
 * read from one JSON file (format in deploy/registry/README.md) into an
 * immutable structure. A file with any error — duplicate code or key id, a
 * malformed or invalid public key, an event type that is not a body field of
 * lienthong.v1.Event, a bad time, a period that ends before it starts — does
 * not load, and the error message names every bad entry by its JSON path.
 *
 * Once loaded, a registry is never modified, so any number of threads may
 * query it at once; replacing the registry means loading a new one.
 *
 * Lookups answer with a stable verdict (enum lt_registry_verdict) whose
 * snake_case name is what dead-letter records and logs carry. */
#ifndef LT_REGISTRY_REGISTRY_H
#define LT_REGISTRY_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LT_REGISTRY_FORMAT "lienthong.registry/1"
#define LT_REGISTRY_PK_BYTES 32
#define LT_REGISTRY_CODE_MAX 64
#define LT_REGISTRY_KEY_ID_MAX 128
#define LT_REGISTRY_TOPIC_PREFIX "lienthong.agency."

/* Why an agency/key/event-type combination is refused. Values and names are
 * stable: never renumber, only append. */
enum lt_registry_verdict {
    LT_REGISTRY_OK = 0,
    LT_REGISTRY_KEY_UNKNOWN = 1,       /* "key_unknown": no key with this id */
    LT_REGISTRY_KEY_WRONG_AGENCY = 2,  /* "key_wrong_agency": the key is another agency's */
    LT_REGISTRY_KEY_NOT_YET_VALID = 3, /* "key_not_yet_valid": at < key valid_from */
    LT_REGISTRY_KEY_EXPIRED = 4,       /* "key_expired": at >= key valid_until */
    LT_REGISTRY_KEY_REVOKED = 5,       /* "key_revoked": key revoked_at <= at */
    LT_REGISTRY_AGENCY_UNKNOWN = 6,    /* "agency_unknown": no agency with this code */
    LT_REGISTRY_AGENCY_INACTIVE = 7,   /* "agency_inactive": at outside the agency's period */
    LT_REGISTRY_TYPE_NOT_ALLOWED = 8,  /* "type_not_allowed": agency may not publish this type */
    LT_REGISTRY_TYPE_UNKNOWN = 9,      /* "type_unknown": not a body field of lienthong.v1.Event */
    LT_REGISTRY_KEY_PENDING = 10,      /* "key_pending": key id reserved, public key not filled in */
};

/* Stable snake_case name of a verdict ("key_revoked", …); "ok" for
 * LT_REGISTRY_OK, "unknown" for a value not listed above. */
const char *lt_registry_verdict_name(enum lt_registry_verdict v);

/* One agency, as read from the file. Every string is owned by the registry
 * and lives as long as it. Periods are half-open: active from valid_from_ms
 * (inclusive) until valid_until_ms (exclusive); INT64_MIN / INT64_MAX when
 * the file leaves that end open. */
struct lt_registry_agency {
    const char *code;     /* [A-Za-z0-9._-]{1,64}; the Header.agency_code */
    const char *kind;     /* police, border_guard, labour, … (snake_case) */
    const char *name_vi;  /* NFC */
    const char *name_en;  /* "" when the file gives none */
    const char *topic;    /* Kafka topic; default "lienthong.agency.<code>" */
    const char *unit_code; /* administrative unit it serves; "" when none given */
    int64_t valid_from_ms;
    int64_t valid_until_ms;
    size_t n_allowed;
    const char *const *allowed; /* event type names (Event body field names), in
                                   the order of the proto's body cases */
};

/* One signing key. A pending key (the file has "public_key": null) reserves
 * its id and period for an agency whose key pair is not generated yet; every
 * check of it answers LT_REGISTRY_KEY_PENDING. Periods are half-open as for
 * agencies; revoked_at_ms is INT64_MAX when the key is not revoked. */
struct lt_registry_key {
    const char *key_id; /* [A-Za-z0-9._:-]{1,128}; the SignedEvent.key_id */
    const char *agency_code;
    bool pending;
    uint8_t public_key[LT_REGISTRY_PK_BYTES]; /* all zero when pending */
    int64_t valid_from_ms;
    int64_t valid_until_ms;
    int64_t revoked_at_ms;
    const char *revocation_reason; /* "" when not revoked */
};

struct lt_registry;

/* Loads the registry file at path. On LT_OK *out is a new registry the caller
 * owns (release with lt_registry_free). Otherwise *out is NULL and the result
 * is LT_ERR_IO (unreadable file), or LT_ERR_INVALID (not JSON, or any
 * content error; err then lists every error found, one per line, each with
 * the file name and JSON path). */
int lt_registry_new(const char *path, struct lt_registry **out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* As lt_registry_new, from JSON text in memory; `origin` names the text in
 * error messages (may be NULL). */
int lt_registry_new_from_string(const char *json, const char *origin, struct lt_registry **out,
                                char *err, size_t errlen) __attribute__((warn_unused_result));

/* Releases everything the registry owns, including every struct and string a
 * lookup returned. NULL is a no-op. */
void lt_registry_free(struct lt_registry *reg);

/* The agency with this code, or NULL. */
const struct lt_registry_agency *lt_registry_agency(const struct lt_registry *reg,
                                                    const char *code);

/* Agencies in file order: i in [0, lt_registry_agency_count). Inactive
 * agencies are included (their history still has to be read). */
size_t lt_registry_agency_count(const struct lt_registry *reg);
const struct lt_registry_agency *lt_registry_agency_at(const struct lt_registry *reg, size_t i);

/* The key with this id, or NULL. This is envelope.proto step 3: it gives the
 * public key to verify the signature with before the event is parsed; the
 * checks that need the parsed header come after, in lt_registry_key_check /
 * lt_registry_authorize. */
const struct lt_registry_key *lt_registry_key(const struct lt_registry *reg, const char *key_id);

/* Keys in file order. */
size_t lt_registry_key_count(const struct lt_registry *reg);
const struct lt_registry_key *lt_registry_key_at(const struct lt_registry *reg, size_t i);

/* May key_id sign for agency_code at instant at_ms (the event's
 * recorded_at_ms)? Checks, in this order, answering with the first failure:
 *   key_unknown, agency_unknown, key_wrong_agency, agency_inactive,
 *   key_pending, key_revoked (revoked_at <= at), key_not_yet_valid
 *   (at < valid_from), key_expired (at >= valid_until).
 * On LT_REGISTRY_OK the key's public key is copied to pk_out (may be NULL);
 * otherwise pk_out is untouched and err (may be NULL) says why in one
 * sentence naming the key, the agency and the times involved. */
enum lt_registry_verdict lt_registry_key_check(const struct lt_registry *reg, const char *key_id,
                                               const char *agency_code, int64_t at_ms,
                                               uint8_t pk_out[LT_REGISTRY_PK_BYTES], char *err,
                                               size_t errlen)
    __attribute__((warn_unused_result));

/* lt_registry_key_check plus the permission for the event type, in the order
 * of envelope.proto step 6: key_unknown, agency_unknown, key_wrong_agency,
 * agency_inactive, type_unknown, type_not_allowed, then the key's own
 * validity (key_pending, key_revoked, key_not_yet_valid, key_expired).
 * event_type is an Event body field name ("work_permit_issued"); see
 * lt_registry_event_type_name to get it from a decoded event's body case. */
enum lt_registry_verdict lt_registry_authorize(const struct lt_registry *reg, const char *key_id,
                                               const char *agency_code, const char *event_type,
                                               int64_t at_ms,
                                               uint8_t pk_out[LT_REGISTRY_PK_BYTES], char *err,
                                               size_t errlen)
    __attribute__((warn_unused_result));

/* true when the agency exists and its allowed event types include
 * event_type (at any time: combine with lt_registry_key_check for the
 * agency's and key's periods). false for an unknown agency or type. */
bool lt_registry_may_emit(const struct lt_registry *reg, const char *agency_code,
                          const char *event_type) __attribute__((warn_unused_result));

/* The event type name of an Event body case number (Event.body_case, i.e.
 * the oneof field number: 120 → "work_permit_issued"), or NULL when this
 * build's generated code has no such body field. Static storage. */
const char *lt_registry_event_type_name(uint32_t body_case);

/* The body case number of an event type name, or 0 when there is none. */
uint32_t lt_registry_event_type_case(const char *event_type);

#endif
