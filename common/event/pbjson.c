/* pbjson.c — protobuf-c messages <-> proto3 JSON, driven by the descriptors.
 *
 * One walker per direction handles every field type and label protobuf-c
 * knows, so the whole contract (and any message added later) converts
 * without code per message. Output mirrors protobuf_c_message_pack()'s idea
 * of which fields are present, so JSON -> message -> pack gives the bytes the
 * original message packs to. Input is built with malloc (through lt_malloc)
 * exactly as protobuf_c_message_unpack() would build it, so the caller frees
 * it with protobuf_c_message_free_unpacked(m, NULL); while building, every
 * pointer stored in the message is made reachable for that function at once
 * (oneof case, repeated count), so a half-built message is freed whole when
 * the input had errors. */
#include "event/pbjson.h"

#include <assert.h>
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/err.h"
#include "core/mem.h"

/* ------------------------------------------------------------------------ */
/* Names                                                                    */

size_t lt_pbjson_json_name(const char *proto_name, char *buf, size_t cap)
{
    size_t n = 0;
    bool upper_next = false;
    for (const char *p = proto_name; *p; p++) {
        char ch = *p;
        if (ch == '_') {
            upper_next = true;
            continue;
        }
        if (upper_next && ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        upper_next = false;
        if (n + 1 < cap)
            buf[n] = ch;
        n++;
    }
    if (cap > 0)
        buf[n < cap ? n : cap - 1] = '\0';
    return n;
}

/* Whether key is the JSON name of the proto field name. */
static bool json_name_equals(const char *proto_name, const char *key)
{
    char buf[256];
    size_t n = lt_pbjson_json_name(proto_name, buf, sizeof buf);
    return n < sizeof buf && strcmp(buf, key) == 0;
}

/* Length of the longest prefix of s[0..len) that is at most max bytes and
 * does not end inside a UTF-8 sequence (s is valid UTF-8: jansson checks). */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

/* Length of s[0..len) without a trailing incomplete UTF-8 sequence, for text
 * that vsnprintf cut where it pleased. */
static size_t utf8_complete(const char *s, size_t len)
{
    size_t i = len;
    while (i > 0 && len - i < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return len;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : 4;
    return len - (i - 1) < need ? i - 1 : len;
}

/* Copies at most 48 bytes of user text into buf (cut on a character
 * boundary, "…" appended when cut) so messages quoting input stay short. */
static const char *clip(const char *s, char *buf, size_t cap)
{
    size_t len = strlen(s);
    size_t k = utf8_cut(s, len, 48 < cap - 4 ? 48 : cap - 4);
    memcpy(buf, s, k);
    if (k < len) {
        memcpy(buf + k, "\xE2\x80\xA6", 3); /* U+2026 */
        k += 3;
    }
    buf[k] = '\0';
    return buf;
}

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "an unknown JSON value";
}

static const char *type_name(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_INT32: return "int32";
    case PROTOBUF_C_TYPE_SINT32: return "sint32";
    case PROTOBUF_C_TYPE_SFIXED32: return "sfixed32";
    case PROTOBUF_C_TYPE_INT64: return "int64";
    case PROTOBUF_C_TYPE_SINT64: return "sint64";
    case PROTOBUF_C_TYPE_SFIXED64: return "sfixed64";
    case PROTOBUF_C_TYPE_UINT32: return "uint32";
    case PROTOBUF_C_TYPE_FIXED32: return "fixed32";
    case PROTOBUF_C_TYPE_UINT64: return "uint64";
    case PROTOBUF_C_TYPE_FIXED64: return "fixed64";
    case PROTOBUF_C_TYPE_FLOAT: return "float";
    case PROTOBUF_C_TYPE_DOUBLE: return "double";
    case PROTOBUF_C_TYPE_BOOL: return "bool";
    case PROTOBUF_C_TYPE_ENUM: return "enum";
    case PROTOBUF_C_TYPE_STRING: return "string";
    case PROTOBUF_C_TYPE_BYTES: return "bytes";
    case PROTOBUF_C_TYPE_MESSAGE: return "message";
    }
    return "?";
}

/* Size of one element of a repeated field's array, as protobuf-c lays it out. */
static size_t element_size(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_ENUM:
        return 4;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return 8;
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(void *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    }
    assert(!"unknown protobuf-c type");
    return 0;
}

static bool is_pointer_type(ProtobufCType t)
{
    return t == PROTOBUF_C_TYPE_STRING || t == PROTOBUF_C_TYPE_MESSAGE;
}

/* ------------------------------------------------------------------------ */
/* Message -> JSON                                                          */

static json_t *emit_message(const ProtobufCMessage *m, unsigned flags, int depth);

/* The same test protobuf-c's field_is_zeroish() makes for proto3 scalars. */
static bool is_zeroish(const ProtobufCFieldDescriptor *f, const void *member)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_BOOL:
        return *(const protobuf_c_boolean *)member == 0;
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_ENUM:
        return *(const uint32_t *)member == 0;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        return *(const uint64_t *)member == 0;
    case PROTOBUF_C_TYPE_FLOAT:
        return *(const float *)member == 0;
    case PROTOBUF_C_TYPE_DOUBLE:
        return *(const double *)member == 0;
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)member;
        return s == NULL || *s == '\0';
    }
    case PROTOBUF_C_TYPE_BYTES:
        return ((const ProtobufCBinaryData *)member)->len == 0;
    case PROTOBUF_C_TYPE_MESSAGE:
        return *(ProtobufCMessage *const *)member == NULL;
    }
    return false;
}

static json_t *emit_double(double v)
{
    if (isnan(v))
        return json_string("NaN");
    if (isinf(v))
        return json_string(v > 0 ? "Infinity" : "-Infinity");
    return json_real(v);
}

/* One value of field f stored at p (the member, or one array element). */
static json_t *emit_value(const ProtobufCFieldDescriptor *f, const void *p, unsigned flags,
                          int depth)
{
    char num[32];
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        return json_integer(*(const int32_t *)p);
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        return json_integer(*(const uint32_t *)p);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        snprintf(num, sizeof num, "%" PRId64, *(const int64_t *)p);
        return json_string(num);
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        snprintf(num, sizeof num, "%" PRIu64, *(const uint64_t *)p);
        return json_string(num);
    case PROTOBUF_C_TYPE_FLOAT:
        return emit_double(*(const float *)p);
    case PROTOBUF_C_TYPE_DOUBLE:
        return emit_double(*(const double *)p);
    case PROTOBUF_C_TYPE_BOOL:
        return json_boolean(*(const protobuf_c_boolean *)p != 0);
    case PROTOBUF_C_TYPE_ENUM: {
        int32_t v = *(const int32_t *)p;
        const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(f->descriptor, v);
        return ev ? json_string(ev->name) : json_integer(v); /* open enum: keep the number */
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)p;
        return json_string(s ? s : ""); /* NULL unless valid UTF-8 */
    }
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *bd = p;
        if (bd->len == 0)
            return json_string("");
        size_t cap = sodium_base64_encoded_len(bd->len, sodium_base64_VARIANT_ORIGINAL);
        char *b64 = lt_malloc(cap);
        sodium_bin2base64(b64, cap, bd->data, bd->len, sodium_base64_VARIANT_ORIGINAL);
        json_t *s = json_string(b64);
        free(b64);
        return s;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *sub = *(ProtobufCMessage *const *)p;
        if (sub == NULL) /* packs as an empty message */
            return json_object();
        if (depth + 1 > LT_PBJSON_MAX_DEPTH)
            return NULL;
        return emit_message(sub, flags, depth + 1);
    }
    }
    return NULL;
}

/* Whether a singular field is present, by protobuf_c_message_pack()'s rules
 * (plus EMIT_DEFAULTS for proto3 scalars). */
static bool singular_present(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
                             unsigned flags)
{
    const char *base = (const char *)m;
    const void *member = base + f->offset;
    const void *ptr = is_pointer_type(f->type) ? *(void *const *)member : NULL;

    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
        if (*(const uint32_t *)(base + f->quantifier_offset) != f->id)
            return false;
        return !is_pointer_type(f->type) || (ptr != NULL && ptr != f->default_value);
    }
    switch (f->label) {
    case PROTOBUF_C_LABEL_REQUIRED:
        return true;
    case PROTOBUF_C_LABEL_OPTIONAL:
        if (is_pointer_type(f->type))
            return ptr != NULL && ptr != f->default_value;
        return *(const protobuf_c_boolean *)(base + f->quantifier_offset) != 0;
    case PROTOBUF_C_LABEL_NONE:
        if (f->type == PROTOBUF_C_TYPE_MESSAGE)
            return ptr != NULL;
        return (flags & LT_PBJSON_EMIT_DEFAULTS) || !is_zeroish(f, member);
    case PROTOBUF_C_LABEL_REPEATED:
        break;
    }
    assert(!"repeated field in singular_present");
    return false;
}

static json_t *emit_message(const ProtobufCMessage *m, unsigned flags, int depth)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    assert(d && d->magic == PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC);
    json_t *obj = json_object();
    if (!obj)
        return NULL;

    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const char *base = (const char *)m;
        json_t *val;

        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(base + f->quantifier_offset);
            if (n == 0 && !(flags & LT_PBJSON_EMIT_DEFAULTS))
                continue;
            const char *arr = *(char *const *)(base + f->offset);
            size_t esz = element_size(f->type);
            val = json_array();
            for (size_t k = 0; val && k < n; k++) {
                json_t *e = emit_value(f, arr + k * esz, flags, depth);
                if (!e || json_array_append_new(val, e) != 0) {
                    json_decref(val);
                    val = NULL;
                }
            }
        } else {
            if (!singular_present(m, f, flags))
                continue;
            val = emit_value(f, base + f->offset, flags, depth);
        }
        if (!val)
            goto fail;

        size_t len = strlen(f->name);
        char small[96];
        char *key = len < sizeof small ? small : lt_malloc(len + 1);
        if (flags & LT_PBJSON_PROTO_NAMES)
            memcpy(key, f->name, len + 1);
        else
            lt_pbjson_json_name(f->name, key, len + 1);
        int rc = json_object_set_new(obj, key, val);
        if (key != small)
            free(key);
        if (rc != 0)
            goto fail;
    }
    return obj;

fail:
    json_decref(obj);
    return NULL;
}

json_t *lt_pbjson_from_message(const ProtobufCMessage *m, unsigned flags)
{
    assert(m);
    return emit_message(m, flags, 1);
}

/* ------------------------------------------------------------------------ */
/* JSON -> message                                                          */

struct parse_ctx {
    struct lt_pbjson_errors *errs; /* may be NULL: then only counted */
    size_t count;
    int depth;
    size_t path_len;
    char path[512]; /* always valid UTF-8, cut at a character boundary */
};

static void add_error(struct parse_ctx *c, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_error(struct parse_ctx *c, const char *code, const char *fmt, ...)
{
    c->count++;
    struct lt_pbjson_errors *e = c->errs;
    if (!e)
        return;
    e->count = c->count;
    if (e->n_stored >= LT_PBJSON_MAX_ERRORS)
        return;
    struct lt_pbjson_error *it = &e->items[e->n_stored++];
    size_t k = utf8_cut(c->path, c->path_len, LT_PBJSON_PATH_MAX - 1);
    memcpy(it->path, c->path, k);
    it->path[k] = '\0';
    it->code = code;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(it->message, sizeof it->message, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof it->message) /* cut: do not leave half a character */
        it->message[utf8_complete(it->message, sizeof it->message - 1)] = '\0';
}

static void path_append(struct parse_ctx *c, const char *s, size_t n)
{
    size_t room = sizeof c->path - 1 - c->path_len;
    size_t k = utf8_cut(s, n, room);
    memcpy(c->path + c->path_len, s, k);
    c->path_len += k;
    c->path[c->path_len] = '\0';
}

/* Appends ".key" (or "key" at the root); returns the length to restore. */
static size_t path_push_key(struct parse_ctx *c, const char *key, size_t n)
{
    size_t old = c->path_len;
    if (old > 0)
        path_append(c, ".", 1);
    path_append(c, key, n);
    return old;
}

/* Appends the JSON name of field f: paths always use JSON names. */
static size_t path_push_field(struct parse_ctx *c, const ProtobufCFieldDescriptor *f)
{
    char small[96];
    size_t len = strlen(f->name);
    char *name = len < sizeof small ? small : lt_malloc(len + 1);
    size_t n = lt_pbjson_json_name(f->name, name, len + 1);
    size_t old = path_push_key(c, name, n);
    if (name != small)
        free(name);
    return old;
}

static size_t path_push_index(struct parse_ctx *c, size_t i)
{
    size_t old = c->path_len;
    char buf[32];
    int n = snprintf(buf, sizeof buf, "[%zu]", i);
    path_append(c, buf, (size_t)n);
    return old;
}

static void path_pop(struct parse_ctx *c, size_t old)
{
    c->path_len = old;
    c->path[old] = '\0';
}

/* Whether s is a JSON number: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)? — also
 * accepting leading zeros, which protobuf's own parsers take in strings. */
static bool is_number_syntax(const char *s)
{
    const char *p = s;
    if (*p == '-')
        p++;
    if (*p < '0' || *p > '9')
        return false;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p == '\0';
}

enum num_status { NUM_OK, NUM_WRONG_TYPE, NUM_BAD, NUM_NOT_INTEGER, NUM_RANGE };

/* Integral doubles go exactly into sign + magnitude; 2^53 and beyond are
 * all integral, smaller ones are checked through a round trip via int64. */
static enum num_status integer_from_real(double d, bool *neg, uint64_t *mag)
{
    if (!isfinite(d))
        return NUM_BAD;
    double a = d < 0 ? -d : d;
    if (a < 9007199254740992.0 && (double)(int64_t)d != d)
        return NUM_NOT_INTEGER;
    if (d >= 18446744073709551616.0 || d < -9223372036854775808.0)
        return NUM_RANGE;
    *neg = d < 0;
    *mag = (uint64_t)a;
    return NUM_OK;
}

/* Reads an integer from a JSON number or a decimal string (exponent form
 * accepted if the value is integral) as sign + magnitude. */
static enum num_status read_integer(const json_t *v, bool *neg, uint64_t *mag)
{
    if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        *neg = x < 0;
        *mag = x < 0 ? (uint64_t)(-(x + 1)) + 1 : (uint64_t)x;
        return NUM_OK;
    }
    if (json_is_real(v))
        return integer_from_real(json_real_value(v), neg, mag);
    if (!json_is_string(v))
        return NUM_WRONG_TYPE;

    const char *s = json_string_value(v);
    if (strlen(s) != json_string_length(v) || !is_number_syntax(s))
        return NUM_BAD;
    const char *p = s + (*s == '-');
    uint64_t acc = 0;
    bool overflow = false;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned dgt = (unsigned)(*p - '0');
        if (acc > (UINT64_MAX - dgt) / 10)
            overflow = true;
        else
            acc = acc * 10 + dgt;
    }
    if (*p == '\0') { /* plain decimal integer: exact, any size */
        if (overflow)
            return NUM_RANGE;
        *neg = *s == '-';
        *mag = acc;
        return NUM_OK;
    }
    errno = 0;
    double d = strtod(s, NULL);
    if (errno == ERANGE && isinf(d))
        return NUM_RANGE;
    return integer_from_real(d, neg, mag);
}

/* Reads a float or double: number, numeric string, "NaN", "Infinity" or
 * "-Infinity". */
static enum num_status read_double(const json_t *v, double *out)
{
    if (json_is_integer(v)) {
        *out = (double)json_integer_value(v);
        return NUM_OK;
    }
    if (json_is_real(v)) {
        *out = json_real_value(v);
        return NUM_OK;
    }
    if (!json_is_string(v))
        return NUM_WRONG_TYPE;
    const char *s = json_string_value(v);
    if (strlen(s) != json_string_length(v))
        return NUM_BAD;
    if (strcmp(s, "NaN") == 0) {
        *out = NAN;
        return NUM_OK;
    }
    if (strcmp(s, "Infinity") == 0 || strcmp(s, "-Infinity") == 0) {
        *out = *s == '-' ? -INFINITY : INFINITY;
        return NUM_OK;
    }
    if (!is_number_syntax(s))
        return NUM_BAD;
    errno = 0;
    double d = strtod(s, NULL);
    if (errno == ERANGE && isinf(d))
        return NUM_RANGE;
    *out = d;
    return NUM_OK;
}

/* Reports a failed numeric read; always returns false for the caller. */
static bool number_error(struct parse_ctx *c, enum num_status st, const json_t *v,
                         ProtobufCType t, const char *range)
{
    switch (st) {
    case NUM_OK:
        break;
    case NUM_WRONG_TYPE:
        add_error(c, LT_PBJSON_E_WRONG_TYPE, "expected a number or a numeric string for %s, got %s",
                  type_name(t), json_kind(v));
        break;
    case NUM_BAD: {
        char clipped[64];
        if (json_is_string(v))
            add_error(c, LT_PBJSON_E_BAD_NUMBER, "\"%s\" is not a number (%s expected)",
                      clip(json_string_value(v), clipped, sizeof clipped), type_name(t));
        else
            add_error(c, LT_PBJSON_E_BAD_NUMBER, "not a finite number (%s expected)",
                      type_name(t));
        break;
    }
    case NUM_NOT_INTEGER:
        add_error(c, LT_PBJSON_E_NOT_INTEGER, "expected an integer for %s, got a fractional number",
                  type_name(t));
        break;
    case NUM_RANGE:
        add_error(c, LT_PBJSON_E_OUT_OF_RANGE, "value out of range for %s (%s)", type_name(t),
                  range);
        break;
    }
    return false;
}

static bool get_signed(struct parse_ctx *c, const json_t *v, ProtobufCType t, int64_t min,
                       int64_t max, const char *range, int64_t *out)
{
    bool neg = false;
    uint64_t mag = 0;
    enum num_status st = read_integer(v, &neg, &mag);
    if (st == NUM_OK) {
        uint64_t lim = neg ? (uint64_t)(-(min + 1)) + 1 : (uint64_t)max;
        if (mag > lim)
            st = NUM_RANGE;
        else if (neg && mag > 0)
            *out = -(int64_t)(mag - 1) - 1;
        else
            *out = (int64_t)mag;
    }
    return st == NUM_OK || number_error(c, st, v, t, range);
}

static bool get_unsigned(struct parse_ctx *c, const json_t *v, ProtobufCType t, uint64_t max,
                         const char *range, uint64_t *out)
{
    bool neg = false;
    uint64_t mag = 0;
    enum num_status st = read_integer(v, &neg, &mag);
    if (st == NUM_OK) {
        if ((neg && mag > 0) || mag > max)
            st = NUM_RANGE;
        else
            *out = mag;
    }
    return st == NUM_OK || number_error(c, st, v, t, range);
}

static bool get_enum(struct parse_ctx *c, const ProtobufCEnumDescriptor *ed, const json_t *v,
                     int32_t *out)
{
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        const ProtobufCEnumValue *ev = strlen(s) == json_string_length(v)
            ? protobuf_c_enum_descriptor_get_value_by_name(ed, s) : NULL;
        if (!ev) {
            char clipped[64];
            add_error(c, LT_PBJSON_E_UNKNOWN_ENUM, "\"%s\" is not a value of %s",
                      clip(s, clipped, sizeof clipped), ed->name);
            return false;
        }
        *out = ev->value;
        return true;
    }
    if (!json_is_number(v)) {
        add_error(c, LT_PBJSON_E_WRONG_TYPE, "expected a value name of %s or its number, got %s",
                  ed->name, json_kind(v));
        return false;
    }
    int64_t x;
    if (!get_signed(c, v, PROTOBUF_C_TYPE_ENUM, INT32_MIN, INT32_MAX,
                    "-2147483648 to 2147483647", &x))
        return false;
    *out = (int32_t)x; /* proto3 enums are open: an unknown number is kept */
    return true;
}

/* Decodes standard or URL-safe base64, padded or not, into a new buffer
 * (never NULL, so an empty but present value is still a distinct value). */
static bool decode_base64(const char *s, size_t n, ProtobufCBinaryData *out)
{
    bool ok = false;
    char *norm = NULL;
    uint8_t *bin = NULL;

    size_t pad = 0;
    while (pad < 2 && pad < n && s[n - 1 - pad] == '=')
        pad++;
    if (pad > 0 && n % 4 != 0)
        goto out;
    n -= pad;

    norm = lt_malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        norm[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
    size_t cap = n / 4 * 3 + 3;
    bin = lt_malloc(cap);
    size_t len = 0;
    const char *end = NULL;
    if (sodium_base642bin(bin, cap, norm, n, NULL, &len, &end,
                          sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0 ||
        end != norm + n)
        goto out;
    out->data = bin;
    out->len = len;
    bin = NULL; /* now the caller's */
    ok = true;
out:
    free(norm);
    free(bin);
    return ok;
}

static void parse_message(struct parse_ctx *c, const ProtobufCMessageDescriptor *d,
                          const json_t *j, ProtobufCMessage *m);

/* Stores one value of field f at dst (the member or an array element).
 * Returns true if it stored something — then dst may own memory and the
 * caller must make it reachable for protobuf_c_message_free_unpacked (set
 * the oneof case or has_ flag) — even if errors were found deeper down. */
static bool parse_value(struct parse_ctx *c, const ProtobufCFieldDescriptor *f, const json_t *v,
                        void *dst)
{
    int64_t i64;
    uint64_t u64;
    double dbl;
    enum num_status st;

    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        if (!get_signed(c, v, f->type, INT32_MIN, INT32_MAX, "-2147483648 to 2147483647", &i64))
            return false;
        *(int32_t *)dst = (int32_t)i64;
        return true;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        if (!get_signed(c, v, f->type, INT64_MIN, INT64_MAX,
                        "-9223372036854775808 to 9223372036854775807", &i64))
            return false;
        *(int64_t *)dst = i64;
        return true;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        if (!get_unsigned(c, v, f->type, UINT32_MAX, "0 to 4294967295", &u64))
            return false;
        *(uint32_t *)dst = (uint32_t)u64;
        return true;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        if (!get_unsigned(c, v, f->type, UINT64_MAX, "0 to 18446744073709551615", &u64))
            return false;
        *(uint64_t *)dst = u64;
        return true;
    case PROTOBUF_C_TYPE_FLOAT:
        st = read_double(v, &dbl);
        /* protoc's parsers allow a relative 1e-6 beyond FLT_MAX (printing
         * rounds), and we clamp so the conversion stays defined. */
        if (st == NUM_OK && isfinite(dbl) && (dbl > FLT_MAX * (1.0 + 1e-6) ||
                                              dbl < -FLT_MAX * (1.0 + 1e-6)))
            st = NUM_RANGE;
        if (st != NUM_OK)
            return number_error(c, st, v, f->type, "magnitude at most 3.4028235e38");
        if (isfinite(dbl) && dbl > FLT_MAX)
            dbl = FLT_MAX;
        else if (isfinite(dbl) && dbl < -FLT_MAX)
            dbl = -FLT_MAX;
        *(float *)dst = (float)dbl;
        return true;
    case PROTOBUF_C_TYPE_DOUBLE:
        st = read_double(v, &dbl);
        if (st != NUM_OK)
            return number_error(c, st, v, f->type, "magnitude at most 1.7976931348623157e308");
        *(double *)dst = dbl;
        return true;
    case PROTOBUF_C_TYPE_BOOL:
        if (!json_is_boolean(v)) {
            add_error(c, LT_PBJSON_E_WRONG_TYPE, "expected true or false, got %s", json_kind(v));
            return false;
        }
        *(protobuf_c_boolean *)dst = json_is_true(v);
        return true;
    case PROTOBUF_C_TYPE_ENUM: {
        int32_t e;
        if (!get_enum(c, f->descriptor, v, &e))
            return false;
        *(int32_t *)dst = e;
        return true;
    }
    case PROTOBUF_C_TYPE_STRING: {
        if (!json_is_string(v)) {
            add_error(c, LT_PBJSON_E_WRONG_TYPE, "expected a string, got %s", json_kind(v));
            return false;
        }
        const char *s = json_string_value(v);
        if (strlen(s) != json_string_length(v)) {
            add_error(c, LT_PBJSON_E_BAD_STRING, "string contains the character U+0000");
            return false;
        }
        *(char **)dst = lt_strdup(s);
        return true;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        if (!json_is_string(v)) {
            add_error(c, LT_PBJSON_E_WRONG_TYPE, "expected a base64 string, got %s",
                      json_kind(v));
            return false;
        }
        ProtobufCBinaryData bd;
        if (!decode_base64(json_string_value(v), json_string_length(v), &bd)) {
            add_error(c, LT_PBJSON_E_BAD_BASE64,
                      "not valid base64 (standard or URL-safe alphabet, padding optional)");
            return false;
        }
        *(ProtobufCBinaryData *)dst = bd;
        return true;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessageDescriptor *sd = f->descriptor;
        if (!json_is_object(v)) {
            add_error(c, LT_PBJSON_E_WRONG_TYPE, "expected an object (%s), got %s", sd->name,
                      json_kind(v));
            return false;
        }
        if (c->depth + 1 > LT_PBJSON_MAX_DEPTH) {
            add_error(c, LT_PBJSON_E_TOO_DEEP, "messages nested deeper than %d levels",
                      LT_PBJSON_MAX_DEPTH);
            return false;
        }
        ProtobufCMessage *sub = lt_malloc(sd->sizeof_message);
        protobuf_c_message_init(sd, sub);
        *(ProtobufCMessage **)dst = sub;
        c->depth++;
        parse_message(c, sd, v, sub);
        c->depth--;
        return true;
    }
    }
    assert(!"unknown protobuf-c type");
    return false;
}

static void parse_repeated(struct parse_ctx *c, const ProtobufCFieldDescriptor *f,
                           const json_t *v, ProtobufCMessage *m)
{
    if (!json_is_array(v)) {
        add_error(c, LT_PBJSON_E_WRONG_TYPE, "expected an array, got %s", json_kind(v));
        return;
    }
    size_t n = json_array_size(v);
    if (n == 0)
        return;
    size_t esz = element_size(f->type);
    char *arr = lt_calloc(n, esz);
    /* Reachable for free_unpacked from now on; zeroed elements free as no-ops. */
    *(void **)((char *)m + f->offset) = arr;
    *(size_t *)((char *)m + f->quantifier_offset) = n;
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(v, i);
        size_t old = path_push_index(c, i);
        if (json_is_null(e))
            add_error(c, LT_PBJSON_E_WRONG_TYPE, "null is not allowed in a repeated field");
        else
            (void)parse_value(c, f, e, arr + i * esz);
        path_pop(c, old);
    }
}

static void parse_singular(struct parse_ctx *c, const ProtobufCFieldDescriptor *f,
                           const json_t *v, ProtobufCMessage *m)
{
    char *base = (char *)m;
    if (!parse_value(c, f, v, base + f->offset))
        return;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        *(uint32_t *)(base + f->quantifier_offset) = f->id;
    else if (f->label == PROTOBUF_C_LABEL_OPTIONAL && !is_pointer_type(f->type))
        *(protobuf_c_boolean *)(base + f->quantifier_offset) = 1;
}

static const ProtobufCFieldDescriptor *find_field(const ProtobufCMessageDescriptor *d,
                                                  const char *key, size_t key_len)
{
    if (strlen(key) != key_len) /* a key with U+0000 in it names nothing */
        return NULL;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (strcmp(f->name, key) == 0 || json_name_equals(f->name, key))
            return f;
    }
    return NULL;
}

enum { SEEN = 1, GIVEN = 2, ONEOF_SET = 4 }; /* per-field marks in parse_message */

/* The other member of f's oneof that already has a non-null value, if any. */
static const ProtobufCFieldDescriptor *oneof_rival(const ProtobufCMessageDescriptor *d,
                                                   const ProtobufCFieldDescriptor *f,
                                                   const uint8_t *marks)
{
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *g = &d->fields[i];
        if (g != f && (g->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
            g->quantifier_offset == f->quantifier_offset && (marks[i] & ONEOF_SET))
            return g;
    }
    return NULL;
}

/* Fills m (initialised, of type d) from the object j, recording errors. */
static void parse_message(struct parse_ctx *c, const ProtobufCMessageDescriptor *d,
                          const json_t *j, ProtobufCMessage *m)
{
    uint8_t *marks = lt_calloc(d->n_fields, 1);

    json_t *obj = (json_t *)j; /* jansson's iterator API is not const-correct */
    for (void *it = json_object_iter(obj); it; it = json_object_iter_next(obj, it)) {
        const char *key = json_object_iter_key(it);
        size_t key_len = json_object_iter_key_len(it);
        const json_t *v = json_object_iter_value(it);
        const ProtobufCFieldDescriptor *f = find_field(d, key, key_len);

        if (!f) {
            size_t old = path_push_key(c, key, strlen(key));
            add_error(c, LT_PBJSON_E_UNKNOWN_FIELD, "%s has no such field", d->name);
            path_pop(c, old);
            continue;
        }
        size_t idx = (size_t)(f - d->fields);
        size_t old = path_push_field(c, f);
        if (marks[idx] & SEEN) {
            add_error(c, LT_PBJSON_E_DUPLICATE_FIELD,
                      "field given twice (under its JSON name and its proto name \"%s\")",
                      f->name);
            path_pop(c, old);
            continue;
        }
        marks[idx] |= SEEN;
        if (json_is_null(v)) { /* null: the field keeps its default */
            path_pop(c, old);
            continue;
        }
        marks[idx] |= GIVEN;

        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            const ProtobufCFieldDescriptor *rival = oneof_rival(d, f, marks);
            if (rival) {
                char small[96];
                lt_pbjson_json_name(rival->name, small, sizeof small);
                add_error(c, LT_PBJSON_E_ONEOF_CONFLICT,
                          "only one member of this oneof may be set, and \"%s\" is set already",
                          small);
                path_pop(c, old);
                continue;
            }
            marks[idx] |= ONEOF_SET;
        }

        if (f->label == PROTOBUF_C_LABEL_REPEATED)
            parse_repeated(c, f, v, m);
        else
            parse_singular(c, f, v, m);
        path_pop(c, old);
    }

    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->label == PROTOBUF_C_LABEL_REQUIRED && !(marks[i] & GIVEN)) {
            size_t old = path_push_field(c, f);
            add_error(c, LT_PBJSON_E_MISSING_REQUIRED, "required field of %s is missing",
                      d->name);
            path_pop(c, old);
        }
    }
    free(marks);
}

int lt_pbjson_to_message(const ProtobufCMessageDescriptor *d, const json_t *j,
                         ProtobufCMessage **out, struct lt_pbjson_errors *errs)
{
    assert(d && d->magic == PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC);
    assert(out);
    *out = NULL;
    if (errs) {
        errs->count = 0;
        errs->n_stored = 0;
    }
    struct parse_ctx c = { .errs = errs, .depth = 1 };

    if (!j || !json_is_object(j)) {
        add_error(&c, LT_PBJSON_E_WRONG_TYPE, "expected a JSON object (%s), got %s", d->name,
                  j ? json_kind(j) : "nothing");
        return LT_ERR_INVALID;
    }
    ProtobufCMessage *m = lt_malloc(d->sizeof_message);
    protobuf_c_message_init(d, m);
    parse_message(&c, d, j, m);
    if (c.count > 0) {
        protobuf_c_message_free_unpacked(m, NULL);
        return LT_ERR_INVALID;
    }
    *out = m;
    return LT_OK;
}

json_t *lt_pbjson_errors_to_json(const struct lt_pbjson_errors *errs)
{
    json_t *arr = json_array();
    if (!arr || !errs)
        return arr;
    for (size_t i = 0; i < errs->n_stored; i++) {
        const struct lt_pbjson_error *e = &errs->items[i];
        json_t *o = json_pack("{s:s, s:s, s:s}", "field", e->path, "code", e->code,
                              "message", e->message);
        if (!o || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}
