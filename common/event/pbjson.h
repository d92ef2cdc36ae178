/* pbjson.h — protobuf messages <-> the canonical proto3 JSON mapping.
 *
 * Agencies send events as JSON and our tools show envelopes as JSON; both go
 * through this one converter, which walks protobuf-c's descriptors and so
 * works for every message of the contract without a mapper per message.
 * JSON follows https://protobuf.dev/programming-guides/proto3/#json: field
 * names in lowerCamelCase (derived from the proto name the way protoc does,
 * since protobuf-c 1.4 descriptors carry no json_name), enums by value name,
 * 64-bit integers as decimal strings, bytes as base64, default values left
 * out.
 *
 * Parsing is strict and collects every problem it finds, each with a
 * JSON-path-like location ("header.subject.citizenId",
 * "labourDemandDeclared.positions[2].count") and a stable short code, so an
 * HTTP endpoint can name every invalid field in one problem+json answer.
 *
 * Not handled: the special JSON forms of the well-known types
 * (google.protobuf.Timestamp, Duration, wrappers, Struct, Any; they are
 * treated as ordinary messages), maps (protobuf-c 1.4 exposes them only as
 * repeated entry messages, so they come out as arrays), custom json_name
 * options, and unknown fields kept by protobuf_c_message_unpack() (they are
 * not in the JSON). Enums are treated as open, proto2 ones too. None of
 * these occur in the Lienthong contract. */
#ifndef LT_EVENT_PBJSON_H
#define LT_EVENT_PBJSON_H

#include <stddef.h>

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

/* Flags for lt_pbjson_from_message. */
enum {
    /* Also emit singular scalar fields holding their proto3 default (0, "",
     * false, first enum value, empty bytes) and empty repeated fields as [].
     * Unset message fields, unset oneofs and unset proto2 optionals stay out,
     * as in protoc's "including default values" option. */
    LT_PBJSON_EMIT_DEFAULTS = 1u << 0,
    /* Use the original proto field names ("agency_code") instead of
     * lowerCamelCase ("agencyCode"). */
    LT_PBJSON_PROTO_NAMES = 1u << 1,
};

/* Deepest message nesting either direction accepts (the top-level message is
 * depth 1). Guards the recursion against hostile input. */
#define LT_PBJSON_MAX_DEPTH 32

/* At most this many errors are stored; all are counted. */
#define LT_PBJSON_MAX_ERRORS 64
/* Sizes of the stored strings, NUL included; longer ones are cut at a UTF-8
 * character boundary. */
#define LT_PBJSON_PATH_MAX 192
#define LT_PBJSON_MESSAGE_MAX 160

/* Stable error codes (lt_pbjson_error.code points to one of these strings). */
#define LT_PBJSON_E_UNKNOWN_FIELD    "unknown_field"    /* key names no field of the message */
#define LT_PBJSON_E_DUPLICATE_FIELD  "duplicate_field"  /* field under JSON and proto name */
#define LT_PBJSON_E_WRONG_TYPE       "wrong_type"       /* e.g. a string for a message field */
#define LT_PBJSON_E_OUT_OF_RANGE     "out_of_range"     /* number outside the field's type */
#define LT_PBJSON_E_NOT_INTEGER      "not_integer"      /* fractional number, integer field */
#define LT_PBJSON_E_BAD_NUMBER       "bad_number"       /* string that is not a number */
#define LT_PBJSON_E_BAD_BASE64       "bad_base64"       /* bytes field that is not base64 */
#define LT_PBJSON_E_BAD_STRING       "bad_string"       /* string containing U+0000 */
#define LT_PBJSON_E_UNKNOWN_ENUM     "unknown_enum"     /* name that is not a value of the enum */
#define LT_PBJSON_E_ONEOF_CONFLICT   "oneof_conflict"   /* a second member of one oneof is set */
#define LT_PBJSON_E_MISSING_REQUIRED "missing_required" /* proto2 required field absent */
#define LT_PBJSON_E_TOO_DEEP         "too_deep"         /* nesting beyond LT_PBJSON_MAX_DEPTH */

struct lt_pbjson_error {
    /* Where: JSON names joined by '.', array indices as "[i]"; the name as
     * sent for an unknown field; "" for the document itself. */
    char path[LT_PBJSON_PATH_MAX];
    /* What, for machines: one of the LT_PBJSON_E_* strings (static). */
    const char *code;
    /* What, for people: one English sentence without a final period. */
    char message[LT_PBJSON_MESSAGE_MAX];
};

/* The errors of one lt_pbjson_to_message call, in document order. A plain
 * struct the caller owns (about 23 KiB); nothing in it needs freeing. */
struct lt_pbjson_errors {
    size_t count;    /* errors found, may exceed LT_PBJSON_MAX_ERRORS */
    size_t n_stored; /* entries filled in items[]: min(count, LT_PBJSON_MAX_ERRORS) */
    struct lt_pbjson_error items[LT_PBJSON_MAX_ERRORS];
};

/* Converts m to its proto3 JSON object (fields in field-number order).
 * Returns a new reference the caller releases with json_decref(), or NULL if
 * the message cannot be expressed in JSON: a string field that is not valid
 * UTF-8 (protobuf-c does not check on unpack) or nesting deeper than
 * LT_PBJSON_MAX_DEPTH. Presence follows protobuf_c_message_pack() exactly,
 * so converting back gives the same bytes. Dump the result with
 * json_dumps(j, 0) or JSON_COMPACT; floating-point values survive the trip
 * because jansson prints 17 significant digits. */
json_t *lt_pbjson_from_message(const ProtobufCMessage *m, unsigned flags);

/* Builds a message of type d from the JSON object j.
 * Accepts lowerCamelCase and proto field names; enums by name or number;
 * integers as JSON numbers (integral, in range, exponents allowed) or decimal
 * strings; floats also as "NaN", "Infinity", "-Infinity"; bytes in standard
 * or URL-safe base64, padded or not; null as "field absent" (also inside a
 * oneof; not allowed as an element of a repeated field). Everything else —
 * unknown or duplicate fields, wrong JSON types, out-of-range or fractional
 * numbers, bad base64, unknown enum names, two members of one oneof — is an
 * error; parsing goes on past errors to report them all.
 * Parse the text with json_loads(text, JSON_REJECT_DUPLICATES, …): jansson
 * otherwise keeps only the last of two equal keys.
 * On success returns LT_OK and sets *out to a message the caller frees with
 * protobuf_c_message_free_unpacked(*out, NULL); errs (if not NULL) has
 * count 0. On failure returns LT_ERR_INVALID, sets *out to NULL and fills
 * errs (if not NULL); nothing is left allocated. */
int lt_pbjson_to_message(const ProtobufCMessageDescriptor *d, const json_t *j,
                         ProtobufCMessage **out, struct lt_pbjson_errors *errs)
    __attribute__((warn_unused_result));

/* The stored errors as a JSON array of {"field", "code", "message"} objects,
 * ready for a problem+json body ("field" is the path). New reference; the
 * caller json_decref()s it. */
json_t *lt_pbjson_errors_to_json(const struct lt_pbjson_errors *errs);

/* The lowerCamelCase JSON name of a proto field name, derived as protoc does
 * ('_' dropped, the letter after it upper-cased): "occurred_at_ms" ->
 * "occurredAtMs". Writes at most cap bytes including the NUL; returns the
 * full length (like snprintf), so a result >= cap means it was cut. */
size_t lt_pbjson_json_name(const char *proto_name, char *buf, size_t cap);

#endif
