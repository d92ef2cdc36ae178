/* registry.c — loading and querying the agency registry (see registry.h).
 *
 * Loading is two passes over the JSON: agencies first (so keys can name
 * them), then keys. Every entry is checked completely and every problem is
 * recorded with its JSON path before the verdict on the whole file, so one
 * run shows an operator all that is wrong. The event type names an agency may
 * publish are checked against the generated descriptor of lienthong.v1.Event:
 * the fields of its `body` oneof are the event types, so the registry and the
 * contract cannot drift apart. */
#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "core/err.h"
#include "core/mem.h"
#include "lienthong/v1/event.pb-c.h"
#include "registry/regload.h"
#include "registry/registry.h"

struct agency {
    struct lt_registry_agency pub;
    size_t json_index;         /* position in $.agencies, for messages */
    uint8_t *allowed_by_field; /* per Event field index: 1 = may publish */
    UT_hash_handle hh;         /* by code */
    UT_hash_handle hh_topic;   /* by topic */
};

struct key {
    struct lt_registry_key pub;
    size_t json_index; /* position in $.keys */
    UT_hash_handle hh;    /* by key id */
    UT_hash_handle hh_pk; /* by public key (not pending ones) */
};

struct lt_registry {
    struct agency *agencies; /* array in file order */
    size_t n_agencies;
    struct agency *by_code;
    struct agency *by_topic;
    struct key *keys;
    size_t n_keys;
    struct key *by_id;
    struct key *by_pk;
};

const char *lt_registry_verdict_name(enum lt_registry_verdict v)
{
    switch (v) {
    case LT_REGISTRY_OK: return "ok";
    case LT_REGISTRY_KEY_UNKNOWN: return "key_unknown";
    case LT_REGISTRY_KEY_WRONG_AGENCY: return "key_wrong_agency";
    case LT_REGISTRY_KEY_NOT_YET_VALID: return "key_not_yet_valid";
    case LT_REGISTRY_KEY_EXPIRED: return "key_expired";
    case LT_REGISTRY_KEY_REVOKED: return "key_revoked";
    case LT_REGISTRY_AGENCY_UNKNOWN: return "agency_unknown";
    case LT_REGISTRY_AGENCY_INACTIVE: return "agency_inactive";
    case LT_REGISTRY_TYPE_NOT_ALLOWED: return "type_not_allowed";
    case LT_REGISTRY_TYPE_UNKNOWN: return "type_unknown";
    case LT_REGISTRY_KEY_PENDING: return "key_pending";
    }
    return "unknown";
}

/* ---- the event types: the body oneof of lienthong.v1.Event ------------- */

static const ProtobufCMessageDescriptor *event_desc(void)
{
    return &lienthong__v1__event__descriptor;
}

static bool is_body_field(const ProtobufCFieldDescriptor *f)
{
    return f && (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
           f->quantifier_offset == offsetof(Lienthong__V1__Event, body_case);
}

/* The body field named `name`, or NULL. */
static const ProtobufCFieldDescriptor *body_field(const char *name)
{
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(event_desc(), name);
    return is_body_field(f) ? f : NULL;
}

const char *lt_registry_event_type_name(uint32_t body_case)
{
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field(event_desc(), body_case);
    return is_body_field(f) ? f->name : NULL;
}

uint32_t lt_registry_event_type_case(const char *event_type)
{
    const ProtobufCFieldDescriptor *f = event_type ? body_field(event_type) : NULL;
    return f ? f->id : 0;
}

/* For an error message: the body field whose message type is called `name`
 * ("WorkPermitIssued" → "work_permit_issued"), or NULL. */
static const char *field_for_message_name(const char *name)
{
    const ProtobufCMessageDescriptor *d = event_desc();
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (is_body_field(f) && f->type == PROTOBUF_C_TYPE_MESSAGE && f->descriptor &&
            !strcmp(((const ProtobufCMessageDescriptor *)f->descriptor)->short_name, name))
            return f->name;
    }
    return NULL;
}

/* ---- syntax checks ------------------------------------------------------ */

static bool charset_ok(const char *s, size_t max, const char *extra)
{
    size_t n = strlen(s);
    if (n < 1 || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr(extra, c)))
            return false;
    }
    return true;
}

static bool code_ok(const char *s)
{
    return charset_ok(s, LT_REGISTRY_CODE_MAX, "._-");
}

static bool key_id_ok(const char *s)
{
    return charset_ok(s, LT_REGISTRY_KEY_ID_MAX, "._:-");
}

/* Kafka's own rule for topic names. */
static bool topic_ok(const char *s)
{
    return charset_ok(s, 249, "._-") && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

static bool kind_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 64 || !(s[0] >= 'a' && s[0] <= 'z'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

static bool unit_code_ok(const char *s)
{
    size_t n = strlen(s);
    if (n != 2 && n != 3 && n != 5)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* Decodes a 32-byte public key given as 64 hex digits or as standard base64
 * (44 characters with padding). Returns 0 or -1. */
static int decode_pk(const char *s, uint8_t pk[LT_REGISTRY_PK_BYTES])
{
    size_t n = strlen(s), bin_len = 0;
    if (n == 2 * LT_REGISTRY_PK_BYTES) {
        if (sodium_hex2bin(pk, LT_REGISTRY_PK_BYTES, s, n, NULL, &bin_len, NULL) != 0)
            return -1;
    } else if (sodium_base642bin(pk, LT_REGISTRY_PK_BYTES, s, n, NULL, &bin_len, NULL,
                                 sodium_base64_VARIANT_ORIGINAL) != 0) {
        return -1;
    }
    return bin_len == LT_REGISTRY_PK_BYTES ? 0 : -1;
}

/* ---- loading -------------------------------------------------------------- */

/* A member that is there and not null. */
static bool present(const json_t *obj, const char *name)
{
    json_t *v = json_object_get(obj, name);
    return v && !json_is_null(v);
}

static char *dup_or_empty(const char *s)
{
    return lt_strdup(s ? s : "");
}

static void parse_agency(struct lt_registry *reg, struct lt_regload_errs *e, json_t *jv, size_t i)
{
    static const char *const members[] = {
        "code", "kind", "name", "valid_from", "valid_until", "allowed_event_types",
        "topic", "unit_code", "note", NULL,
    };
    static const char *const name_members[] = { "vi", "en", NULL };
    struct agency *a = &reg->agencies[reg->n_agencies];
    char path[96];
    snprintf(path, sizeof path, "$.agencies[%zu]", i);
    if (!json_is_object(jv)) {
        lt_regload_errf(e, "%s: must be an object", path);
        return;
    }
    const char *code = lt_regload_str(e, jv, path, "code", true);
    if (code && !code_ok(code)) {
        lt_regload_errf(e, "%s.code: \"%s\" is not 1-64 characters of [A-Za-z0-9._-]", path,
                        code);
        code = NULL;
    }
    if (code) {
        struct agency *dup = NULL;
        HASH_FIND_STR(reg->by_code, code, dup);
        if (dup) {
            lt_regload_errf(e, "%s.code: duplicate agency code \"%s\" (also at $.agencies[%zu])",
                            path, code, dup->json_index);
            code = NULL;
        }
        /* From here on the path names the agency too. */
        snprintf(path, sizeof path, "$.agencies[%zu] (\"%s\")", i, code ? code : "?");
    }
    lt_regload_only(e, jv, path, members);
    const char *kind = lt_regload_str(e, jv, path, "kind", true);
    if (kind && !kind_ok(kind))
        lt_regload_errf(e, "%s.kind: \"%s\" is not a snake_case kind (e.g. \"police\", "
                        "\"vocational_school\")", path, kind);

    const char *name_vi = NULL, *name_en = NULL;
    json_t *jname = json_object_get(jv, "name");
    if (!jname) {
        lt_regload_errf(e, "%s: missing required member \"name\"", path);
    } else if (!json_is_object(jname)) {
        lt_regload_errf(e, "%s.name: must be an object {\"vi\": …, \"en\": …}", path);
    } else {
        char npath[128];
        snprintf(npath, sizeof npath, "%s.name", path);
        lt_regload_only(e, jname, npath, name_members);
        name_vi = lt_regload_str(e, jname, npath, "vi", true);
        name_en = lt_regload_str(e, jname, npath, "en", false);
        if (name_vi && !lt_regload_is_clean_text(name_vi))
            lt_regload_errf(e, "%s.vi: must be Unicode NFC without leading or trailing spaces",
                            npath);
        if (name_en && !lt_regload_is_clean_text(name_en))
            lt_regload_errf(e, "%s.en: must be Unicode NFC without leading or trailing spaces",
                            npath);
    }

    int64_t from = LT_REGLOAD_MS_MIN, until = LT_REGLOAD_MS_MAX;
    bool has_from = lt_regload_instant(e, jv, path, "valid_from", &from);
    bool has_until = lt_regload_instant(e, jv, path, "valid_until", &until);
    if (has_from && has_until && until <= from)
        lt_regload_errf(e, "%s.valid_until: must be later than valid_from", path);

    const char *topic = lt_regload_str(e, jv, path, "topic", false);
    char *topic_own = NULL;
    if (topic && !topic_ok(topic))
        lt_regload_errf(e, "%s.topic: \"%s\" is not a Kafka topic name (1-249 characters of "
                        "[A-Za-z0-9._-])", path, topic);
    else if (topic)
        topic_own = lt_strdup(topic);
    else if (code)
        topic_own = lt_asprintf(LT_REGISTRY_TOPIC_PREFIX "%s", code);
    if (topic_own) {
        struct agency *dup = NULL;
        HASH_FIND(hh_topic, reg->by_topic, topic_own, strlen(topic_own), dup);
        if (dup) {
            lt_regload_errf(e, "%s.topic: topic \"%s\" is already used by agency \"%s\"", path,
                            topic_own, dup->pub.code);
            free(topic_own);
            topic_own = NULL;
        }
    }

    const char *unit = lt_regload_str(e, jv, path, "unit_code", false);
    if (unit && !unit_code_ok(unit))
        lt_regload_errf(e, "%s.unit_code: \"%s\" is not an administrative unit code (2, 3 or 5 "
                        "digits)", path, unit);
    lt_regload_str(e, jv, path, "note", false);

    const ProtobufCMessageDescriptor *d = event_desc();
    uint8_t *allowed = lt_calloc(d->n_fields ? d->n_fields : 1, 1);
    json_t *types = json_object_get(jv, "allowed_event_types");
    if (!types) {
        lt_regload_errf(e, "%s: missing required member \"allowed_event_types\"", path);
    } else if (!json_is_array(types)) {
        lt_regload_errf(e, "%s.allowed_event_types: must be an array of event type names",
                        path);
    } else {
        size_t j;
        json_t *t;
        json_array_foreach(types, j, t) {
            const char *tn = json_string_value(t);
            if (!tn) {
                lt_regload_errf(e, "%s.allowed_event_types[%zu]: must be a string", path, j);
                continue;
            }
            const ProtobufCFieldDescriptor *f = body_field(tn);
            if (!f) {
                const char *hint = field_for_message_name(tn);
                if (hint)
                    lt_regload_errf(e, "%s.allowed_event_types[%zu]: unknown event type \"%s\": "
                                    "use the Event body field name \"%s\"", path, j, tn, hint);
                else
                    lt_regload_errf(e, "%s.allowed_event_types[%zu]: unknown event type \"%s\" "
                                    "(not a body field of lienthong.v1.Event)", path, j, tn);
                continue;
            }
            size_t idx = (size_t)(f - d->fields);
            if (allowed[idx])
                lt_regload_errf(e, "%s.allowed_event_types[%zu]: \"%s\" is listed twice", path,
                                j, tn);
            allowed[idx] = 1;
        }
    }

    /* Only a fully valid code is entered; other fields may still be in error,
     * in which case the registry will not load but key checks stay accurate. */
    if (!code) {
        free(allowed);
        free(topic_own);
        return;
    }
    a->json_index = i;
    a->pub.code = lt_strdup(code);
    a->pub.kind = dup_or_empty(kind);
    a->pub.name_vi = dup_or_empty(name_vi);
    a->pub.name_en = dup_or_empty(name_en);
    a->pub.topic = topic_own ? topic_own : lt_strdup("");
    a->pub.unit_code = dup_or_empty(unit);
    a->pub.valid_from_ms = from;
    a->pub.valid_until_ms = until;
    a->allowed_by_field = allowed;
    size_t n = 0;
    for (unsigned k = 0; k < d->n_fields; k++)
        n += allowed[k];
    const char **names = lt_calloc(n ? n : 1, sizeof *names);
    n = 0;
    for (unsigned k = 0; k < d->n_fields; k++)
        if (allowed[k])
            names[n++] = d->fields[k].name;
    a->pub.allowed = names;
    a->pub.n_allowed = n;
    HASH_ADD_KEYPTR(hh, reg->by_code, a->pub.code, strlen(a->pub.code), a);
    if (topic_own)
        HASH_ADD_KEYPTR(hh_topic, reg->by_topic, a->pub.topic, strlen(a->pub.topic), a);
    reg->n_agencies++;
}

static void parse_key(struct lt_registry *reg, struct lt_regload_errs *e, json_t *jv, size_t i)
{
    static const char *const members[] = {
        "key_id", "agency", "public_key", "valid_from", "valid_until",
        "revoked_at", "revocation_reason", "note", NULL,
    };
    struct key *k = &reg->keys[reg->n_keys];
    char path[200];
    snprintf(path, sizeof path, "$.keys[%zu]", i);
    if (!json_is_object(jv)) {
        lt_regload_errf(e, "%s: must be an object", path);
        return;
    }
    const char *key_id = lt_regload_str(e, jv, path, "key_id", true);
    if (key_id && !key_id_ok(key_id)) {
        lt_regload_errf(e, "%s.key_id: \"%s\" is not 1-128 characters of [A-Za-z0-9._:-]", path,
                        key_id);
        key_id = NULL;
    }
    if (key_id) {
        struct key *dup = NULL;
        HASH_FIND_STR(reg->by_id, key_id, dup);
        if (dup) {
            lt_regload_errf(e, "%s.key_id: duplicate key id \"%s\" (also at $.keys[%zu]); a key "
                            "id is never reused", path, key_id, dup->json_index);
            key_id = NULL;
        }
        snprintf(path, sizeof path, "$.keys[%zu] (\"%s\")", i, key_id ? key_id : "?");
    }
    lt_regload_only(e, jv, path, members);

    const char *agency = lt_regload_str(e, jv, path, "agency", true);
    if (agency) {
        struct agency *a = NULL;
        HASH_FIND_STR(reg->by_code, agency, a);
        if (!a) {
            lt_regload_errf(e, "%s.agency: no agency with code \"%s\" in $.agencies", path,
                            agency);
            agency = NULL;
        }
    }

    bool pending = false;
    uint8_t pk[LT_REGISTRY_PK_BYTES] = { 0 };
    bool pk_ok = false;
    json_t *jpk = json_object_get(jv, "public_key");
    if (!jpk) {
        lt_regload_errf(e, "%s: missing required member \"public_key\" (null while the key pair "
                        "is not generated yet)", path);
    } else if (json_is_null(jpk)) {
        pending = true;
    } else if (!json_is_string(jpk)) {
        lt_regload_errf(e, "%s.public_key: must be a string (base64 or hex) or null", path);
    } else if (decode_pk(json_string_value(jpk), pk) != 0) {
        lt_regload_errf(e, "%s.public_key: not a 32-byte key in base64 (44 characters) or hex "
                        "(64 digits)", path);
    } else if (crypto_core_ed25519_is_valid_point(pk) != 1) {
        lt_regload_errf(e, "%s.public_key: not a valid Ed25519 public key (not a canonical "
                        "point of the main subgroup)", path);
    } else {
        struct key *dup = NULL;
        HASH_FIND(hh_pk, reg->by_pk, pk, sizeof pk, dup);
        if (dup)
            lt_regload_errf(e, "%s.public_key: the same public key is already registered as key "
                            "\"%s\"", path, dup->pub.key_id);
        else
            pk_ok = true;
    }

    int64_t from = LT_REGLOAD_MS_MIN, until = LT_REGLOAD_MS_MAX, revoked = LT_REGLOAD_MS_MAX;
    bool has_from = lt_regload_instant(e, jv, path, "valid_from", &from);
    if (!present(jv, "valid_from"))
        lt_regload_errf(e, "%s: missing required member \"valid_from\"", path);
    bool has_until = lt_regload_instant(e, jv, path, "valid_until", &until);
    if (has_from && has_until && until <= from)
        lt_regload_errf(e, "%s.valid_until: must be later than valid_from", path);
    bool has_revoked = lt_regload_instant(e, jv, path, "revoked_at", &revoked);
    const char *reason = lt_regload_str(e, jv, path, "revocation_reason", false);
    if (has_revoked && !reason)
        lt_regload_errf(e, "%s: revoked_at needs a revocation_reason", path);
    if (reason && !present(jv, "revoked_at"))
        lt_regload_errf(e, "%s: revocation_reason without revoked_at", path);
    if (has_revoked && pending)
        lt_regload_errf(e, "%s: a pending key (public_key null) cannot be revoked; delete the "
                        "entry instead", path);
    lt_regload_str(e, jv, path, "note", false);

    if (!key_id || !agency)
        return;
    k->json_index = i;
    k->pub.key_id = lt_strdup(key_id);
    k->pub.agency_code = lt_strdup(agency);
    k->pub.pending = pending;
    memcpy(k->pub.public_key, pk, sizeof pk);
    k->pub.valid_from_ms = from;
    k->pub.valid_until_ms = until;
    k->pub.revoked_at_ms = revoked;
    k->pub.revocation_reason = dup_or_empty(reason);
    HASH_ADD_KEYPTR(hh, reg->by_id, k->pub.key_id, strlen(k->pub.key_id), k);
    if (pk_ok)
        HASH_ADD(hh_pk, reg->by_pk, pub.public_key, LT_REGISTRY_PK_BYTES, k);
    reg->n_keys++;
}

static int load_root(json_t *root, const char *origin, struct lt_registry **out, char *err,
                     size_t errlen)
{
    static const char *const members[] = { "format", "description", "agencies", "keys", NULL };
    struct lt_regload_errs e = { .origin = origin };
    struct lt_registry *reg = lt_calloc(1, sizeof *reg);
    int rc;

    if (!json_is_object(root)) {
        lt_regload_errf(&e, "$: the registry must be a JSON object");
        goto out;
    }
    lt_regload_only(&e, root, "$", members);
    const char *format = lt_regload_str(&e, root, "$", "format", true);
    if (format && strcmp(format, LT_REGISTRY_FORMAT) != 0)
        lt_regload_errf(&e, "$.format: \"%s\" is not \"" LT_REGISTRY_FORMAT "\"", format);
    lt_regload_str(&e, root, "$", "description", false);

    json_t *agencies = json_object_get(root, "agencies");
    json_t *keys = json_object_get(root, "keys");
    if (!json_is_array(agencies))
        lt_regload_errf(&e, "$.agencies: required, an array of agencies");
    if (keys && !json_is_array(keys))
        lt_regload_errf(&e, "$.keys: must be an array of keys");

    if (json_is_array(agencies)) {
        reg->agencies = lt_calloc(json_array_size(agencies) + 1, sizeof *reg->agencies);
        size_t i;
        json_t *v;
        json_array_foreach(agencies, i, v)
            parse_agency(reg, &e, v, i);
    }
    if (json_is_array(keys)) {
        reg->keys = lt_calloc(json_array_size(keys) + 1, sizeof *reg->keys);
        size_t i;
        json_t *v;
        json_array_foreach(keys, i, v)
            parse_key(reg, &e, v, i);
    }

out:
    rc = lt_regload_errs_finish(&e, err, errlen);
    if (rc != LT_OK) {
        lt_registry_free(reg);
        reg = NULL;
    }
    *out = reg;
    return rc;
}

/* Both constructors: read the document, then load it. */
static int load_from(const char *path, const char *text, const char *origin, struct lt_registry **out,
                     char *err, size_t errlen)
{
    *out = NULL;
    int rc;
    json_t *root = lt_regload_read(path, text, origin, &rc, err, errlen);
    if (!root)
        return rc;
    rc = load_root(root, text ? origin : path, out, err, errlen);
    json_decref(root);
    return rc;
}

int lt_registry_new(const char *path, struct lt_registry **out, char *err, size_t errlen)
{
    return load_from(path, NULL, NULL, out, err, errlen);
}

int lt_registry_new_from_string(const char *json, const char *origin, struct lt_registry **out,
                                char *err, size_t errlen)
{
    return load_from(NULL, json, origin ? origin : "(registry)", out, err, errlen);
}

void lt_registry_free(struct lt_registry *reg)
{
    if (!reg)
        return;
    HASH_CLEAR(hh, reg->by_code);
    HASH_CLEAR(hh_topic, reg->by_topic);
    HASH_CLEAR(hh, reg->by_id);
    HASH_CLEAR(hh_pk, reg->by_pk);
    for (size_t i = 0; i < reg->n_agencies; i++) {
        struct agency *a = &reg->agencies[i];
        free((char *)a->pub.code);
        free((char *)a->pub.kind);
        free((char *)a->pub.name_vi);
        free((char *)a->pub.name_en);
        free((char *)a->pub.topic);
        free((char *)a->pub.unit_code);
        free((void *)a->pub.allowed);
        free(a->allowed_by_field);
    }
    for (size_t i = 0; i < reg->n_keys; i++) {
        struct key *k = &reg->keys[i];
        free((char *)k->pub.key_id);
        free((char *)k->pub.agency_code);
        free((char *)k->pub.revocation_reason);
    }
    free(reg->agencies);
    free(reg->keys);
    free(reg);
}

/* ---- lookups -------------------------------------------------------------- */

static const struct agency *find_agency(const struct lt_registry *reg, const char *code)
{
    struct agency *a = NULL;
    if (code)
        HASH_FIND_STR(reg->by_code, code, a);
    return a;
}

static const struct key *find_key(const struct lt_registry *reg, const char *key_id)
{
    struct key *k = NULL;
    if (key_id)
        HASH_FIND_STR(reg->by_id, key_id, k);
    return k;
}

const struct lt_registry_agency *lt_registry_agency(const struct lt_registry *reg,
                                                    const char *code)
{
    const struct agency *a = find_agency(reg, code);
    return a ? &a->pub : NULL;
}

size_t lt_registry_agency_count(const struct lt_registry *reg)
{
    return reg->n_agencies;
}

const struct lt_registry_agency *lt_registry_agency_at(const struct lt_registry *reg, size_t i)
{
    return i < reg->n_agencies ? &reg->agencies[i].pub : NULL;
}

const struct lt_registry_key *lt_registry_key(const struct lt_registry *reg, const char *key_id)
{
    const struct key *k = find_key(reg, key_id);
    return k ? &k->pub : NULL;
}

size_t lt_registry_key_count(const struct lt_registry *reg)
{
    return reg->n_keys;
}

const struct lt_registry_key *lt_registry_key_at(const struct lt_registry *reg, size_t i)
{
    return i < reg->n_keys ? &reg->keys[i].pub : NULL;
}

bool lt_registry_may_emit(const struct lt_registry *reg, const char *agency_code,
                          const char *event_type)
{
    const struct agency *a = find_agency(reg, agency_code);
    const ProtobufCFieldDescriptor *f = event_type ? body_field(event_type) : NULL;
    return a && f && a->allowed_by_field[f - event_desc()->fields];
}

static enum lt_registry_verdict refuse(enum lt_registry_verdict v, char *err, size_t errlen,
                                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum lt_registry_verdict refuse(enum lt_registry_verdict v, char *err, size_t errlen,
                                       const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return v;
}

/* The whole check; event_type NULL skips the permission step. */
static enum lt_registry_verdict check(const struct lt_registry *reg, const char *key_id,
                                      const char *agency_code, const char *event_type,
                                      int64_t at_ms, uint8_t pk_out[LT_REGISTRY_PK_BYTES],
                                      char *err, size_t errlen)
{
    char at[LT_REGLOAD_INSTANT_LEN], t1[LT_REGLOAD_INSTANT_LEN], t2[LT_REGLOAD_INSTANT_LEN];
    lt_regload_format_instant(at_ms, at);

    const struct key *k = find_key(reg, key_id);
    if (!k)
        return refuse(LT_REGISTRY_KEY_UNKNOWN, err, errlen, "no key \"%s\" in the registry",
                      key_id ? key_id : "(null)");
    const struct agency *a = find_agency(reg, agency_code);
    if (!a)
        return refuse(LT_REGISTRY_AGENCY_UNKNOWN, err, errlen,
                      "no agency \"%s\" in the registry", agency_code ? agency_code : "(null)");
    if (strcmp(k->pub.agency_code, a->pub.code) != 0)
        return refuse(LT_REGISTRY_KEY_WRONG_AGENCY, err, errlen,
                      "key \"%s\" belongs to agency \"%s\", not to \"%s\"", k->pub.key_id,
                      k->pub.agency_code, a->pub.code);
    if (at_ms < a->pub.valid_from_ms || at_ms >= a->pub.valid_until_ms) {
        lt_regload_format_instant(a->pub.valid_from_ms, t1);
        lt_regload_format_instant(a->pub.valid_until_ms, t2);
        return refuse(LT_REGISTRY_AGENCY_INACTIVE, err, errlen,
                      "agency \"%s\" is active from %s until %s, not at %s", a->pub.code, t1, t2,
                      at);
    }
    if (event_type) {
        const ProtobufCFieldDescriptor *f = body_field(event_type);
        if (!f)
            return refuse(LT_REGISTRY_TYPE_UNKNOWN, err, errlen,
                          "\"%s\" is not an event type (a body field of lienthong.v1.Event)",
                          event_type);
        if (!a->allowed_by_field[f - event_desc()->fields])
            return refuse(LT_REGISTRY_TYPE_NOT_ALLOWED, err, errlen,
                          "agency \"%s\" may not publish %s events", a->pub.code, event_type);
    }
    if (k->pub.pending)
        return refuse(LT_REGISTRY_KEY_PENDING, err, errlen,
                      "key \"%s\" of agency \"%s\" has no public key yet (pending)",
                      k->pub.key_id, a->pub.code);
    if (k->pub.revoked_at_ms <= at_ms) {
        lt_regload_format_instant(k->pub.revoked_at_ms, t1);
        return refuse(LT_REGISTRY_KEY_REVOKED, err, errlen,
                      "key \"%s\" of agency \"%s\" was revoked at %s (%s), at or before %s",
                      k->pub.key_id, a->pub.code, t1, k->pub.revocation_reason, at);
    }
    if (at_ms < k->pub.valid_from_ms) {
        lt_regload_format_instant(k->pub.valid_from_ms, t1);
        return refuse(LT_REGISTRY_KEY_NOT_YET_VALID, err, errlen,
                      "key \"%s\" of agency \"%s\" is valid from %s, not yet at %s",
                      k->pub.key_id, a->pub.code, t1, at);
    }
    if (at_ms >= k->pub.valid_until_ms) {
        lt_regload_format_instant(k->pub.valid_until_ms, t1);
        return refuse(LT_REGISTRY_KEY_EXPIRED, err, errlen,
                      "key \"%s\" of agency \"%s\" expired at %s, before %s", k->pub.key_id,
                      a->pub.code, t1, at);
    }
    if (pk_out)
        memcpy(pk_out, k->pub.public_key, LT_REGISTRY_PK_BYTES);
    if (err && errlen)
        err[0] = '\0';
    return LT_REGISTRY_OK;
}

enum lt_registry_verdict lt_registry_key_check(const struct lt_registry *reg, const char *key_id,
                                               const char *agency_code, int64_t at_ms,
                                               uint8_t pk_out[LT_REGISTRY_PK_BYTES], char *err,
                                               size_t errlen)
{
    return check(reg, key_id, agency_code, NULL, at_ms, pk_out, err, errlen);
}

enum lt_registry_verdict lt_registry_authorize(const struct lt_registry *reg, const char *key_id,
                                               const char *agency_code, const char *event_type,
                                               int64_t at_ms,
                                               uint8_t pk_out[LT_REGISTRY_PK_BYTES], char *err,
                                               size_t errlen)
{
    if (!event_type)
        return refuse(LT_REGISTRY_TYPE_UNKNOWN, err, errlen, "no event type given");
    return check(reg, key_id, agency_code, event_type, at_ms, pk_out, err, errlen);
}
