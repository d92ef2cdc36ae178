/* test_registry — the agency registry: every verdict of a key/permission
 * check with its stable name, key rotation and revocation at an exact
 * instant, every way a registry file is refused (each message naming the
 * entry by JSON path), and the shipped demo registry in deploy/registry/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "core/err.h"
#include "crypto/sign.h"
#include "registry/registry.h"
#include "registry/units.h"

/* Instants used below, ms since the epoch. */
#define T2024 1704067200000LL    /* 2024-01-01T00:00:00Z */
#define T_ROTATE 1735689600000LL /* 2025-01-01T00:00:00Z: lab:k1 ends, lab:k2 starts */
#define T_REVOKE 1740830400000LL /* 2025-03-01T12:00:00Z: pol:k1 revoked */
#define T2026 1767225600000LL    /* 2026-01-01T00:00:00Z: agency lab ends */

static uint8_t pk[4][LT_SIGN_PUBLICKEYBYTES];
static char pk_b64[4][64];
static char pk_hex[4][2 * LT_SIGN_PUBLICKEYBYTES + 1];

static void make_keys(void)
{
    assert_int_equal(lt_sign_init(), LT_OK);
    for (int i = 0; i < 4; i++) {
        uint8_t seed[LT_SIGN_SEEDBYTES], sk[LT_SIGN_SECRETKEYBYTES];
        memset(seed, 0x41 + i, sizeof seed);
        lt_sign_seed_keypair(pk[i], sk, seed);
        sodium_bin2base64(pk_b64[i], sizeof pk_b64[i], pk[i], sizeof pk[i],
                          sodium_base64_VARIANT_ORIGINAL);
        sodium_bin2hex(pk_hex[i], sizeof pk_hex[i], pk[i], sizeof pk[i]);
    }
}

/* Two agencies and four keys: lab rotates k1 → k2 at T_ROTATE, pol:k1 is
 * revoked at T_REVOKE, pol:k0 is a pending placeholder. lab:k2's key is hex,
 * the others base64. */
static json_t *base_registry(void)
{
    char text[4096];
    snprintf(text, sizeof text,
             "{\"format\": \"lienthong.registry/1\", \"description\": \"test\","
             " \"agencies\": ["
             "  {\"code\": \"lab\", \"kind\": \"labour\","
             "   \"name\": {\"vi\": \"Sở Lao động\", \"en\": \"Labour\"},"
             "   \"valid_from\": \"2024-01-01T00:00:00Z\", \"valid_until\": \"2026-01-01T00:00:00Z\","
             "   \"allowed_event_types\": [\"work_permit_extended\", \"work_permit_issued\"],"
             "   \"unit_code\": \"52\", \"note\": \"n\"},"
             "  {\"code\": \"pol\", \"kind\": \"police\", \"name\": {\"vi\": \"Công an\"},"
             "   \"topic\": \"custom.police\", \"allowed_event_types\": [\"entry\", \"exit\"]}"
             " ],"
             " \"keys\": ["
             "  {\"key_id\": \"lab:k1\", \"agency\": \"lab\", \"public_key\": \"%s\","
             "   \"valid_from\": \"2024-01-01T00:00:00Z\", \"valid_until\": \"2025-01-01T00:00:00Z\"},"
             "  {\"key_id\": \"lab:k2\", \"agency\": \"lab\", \"public_key\": \"%s\","
             "   \"valid_from\": \"2025-01-01T00:00:00.000Z\"},"
             "  {\"key_id\": \"pol:k1\", \"agency\": \"pol\", \"public_key\": \"%s\","
             "   \"valid_from\": \"2024-01-01T00:00:00Z\", \"revoked_at\": \"2025-03-01T12:00:00Z\","
             "   \"revocation_reason\": \"compromised\"},"
             "  {\"key_id\": \"pol:k0\", \"agency\": \"pol\", \"public_key\": null,"
             "   \"valid_from\": \"2024-01-01T00:00:00Z\"}"
             " ]}",
             pk_b64[0], pk_hex[1], pk_b64[2]);
    json_error_t jerr;
    json_t *root = json_loads(text, 0, &jerr);
    if (!root)
        fail_msg("base registry: %s", jerr.text);
    return root;
}

/* Writes text to a new temporary file; returns its path (static buffer). */
static const char *temp_file(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/lt_test_registry_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t n = strlen(text);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
    return path;
}

/* Loads root through a temporary file, as a deployment would. */
static int load(json_t *root, struct lt_registry **reg, char *err, size_t errlen)
{
    char *text = json_dumps(root, JSON_INDENT(1));
    const char *path = temp_file(text);
    free(text);
    int rc = lt_registry_new(path, reg, err, errlen);
    unlink(path);
    return rc;
}

static struct lt_registry *load_base(void)
{
    json_t *root = base_registry();
    struct lt_registry *reg = NULL;
    char err[2048];
    int rc = load(root, &reg, err, sizeof err);
    json_decref(root);
    if (rc != LT_OK)
        fail_msg("base registry refused: %s", err);
    return reg;
}

static void loads_and_looks_up(void **s)
{
    (void)s;
    struct lt_registry *reg = load_base();
    assert_int_equal(lt_registry_agency_count(reg), 2);
    assert_int_equal(lt_registry_key_count(reg), 4);

    const struct lt_registry_agency *lab = lt_registry_agency(reg, "lab");
    assert_non_null(lab);
    assert_ptr_equal(lab, lt_registry_agency_at(reg, 0));
    assert_string_equal(lab->kind, "labour");
    assert_string_equal(lab->name_vi, "Sở Lao động");
    assert_string_equal(lab->name_en, "Labour");
    assert_string_equal(lab->topic, "lienthong.agency.lab"); /* the default */
    assert_string_equal(lab->unit_code, "52");
    assert_true(lab->valid_from_ms == T2024);
    assert_true(lab->valid_until_ms == T2026);
    /* Listed in the proto's body-case order, whatever the file's order. */
    assert_int_equal(lab->n_allowed, 2);
    assert_string_equal(lab->allowed[0], "work_permit_issued");
    assert_string_equal(lab->allowed[1], "work_permit_extended");

    const struct lt_registry_agency *pol = lt_registry_agency_at(reg, 1);
    assert_string_equal(pol->code, "pol");
    assert_string_equal(pol->topic, "custom.police");
    assert_string_equal(pol->name_en, "");
    assert_true(pol->valid_from_ms == INT64_MIN && pol->valid_until_ms == INT64_MAX);
    assert_null(lt_registry_agency(reg, "nope"));
    assert_null(lt_registry_agency_at(reg, 2));

    /* base64 and hex both decode to the generated keys. */
    const struct lt_registry_key *k1 = lt_registry_key(reg, "lab:k1");
    const struct lt_registry_key *k2 = lt_registry_key(reg, "lab:k2");
    assert_memory_equal(k1->public_key, pk[0], 32);
    assert_memory_equal(k2->public_key, pk[1], 32);
    assert_true(k2->valid_from_ms == T_ROTATE && k2->valid_until_ms == INT64_MAX);
    assert_true(k2->revoked_at_ms == INT64_MAX);
    const struct lt_registry_key *r = lt_registry_key(reg, "pol:k1");
    assert_true(r->revoked_at_ms == T_REVOKE);
    assert_string_equal(r->revocation_reason, "compromised");
    assert_true(lt_registry_key(reg, "pol:k0")->pending);
    assert_string_equal(lt_registry_key_at(reg, 3)->key_id, "pol:k0");
    assert_null(lt_registry_key(reg, "pol:k9"));
    lt_registry_free(reg);
    lt_registry_free(NULL);
}

struct verdict_case {
    const char *key_id, *agency, *type; /* type NULL: lt_registry_key_check */
    int64_t at;
    enum lt_registry_verdict want;
    const char *name, *says;
};

static void every_verdict(void **s)
{
    (void)s;
    struct lt_registry *reg = load_base();
    static const struct verdict_case cases[] = {
        { "lab:k1", "lab", NULL, T2024, LT_REGISTRY_OK, "ok", "" },
        { "lab:k9", "lab", NULL, T2024, LT_REGISTRY_KEY_UNKNOWN, "key_unknown", "no key \"lab:k9\"" },
        { "lab:k1", "xyz", NULL, T2024, LT_REGISTRY_AGENCY_UNKNOWN, "agency_unknown",
          "no agency \"xyz\"" },
        { "lab:k1", "pol", NULL, T2024, LT_REGISTRY_KEY_WRONG_AGENCY, "key_wrong_agency",
          "belongs to agency \"lab\", not to \"pol\"" },
        { "lab:k1", "lab", NULL, T2024 - 1, LT_REGISTRY_AGENCY_INACTIVE, "agency_inactive",
          "active from 2024-01-01T00:00:00.000Z until 2026-01-01T00:00:00.000Z" },
        { "lab:k2", "lab", NULL, T2026, LT_REGISTRY_AGENCY_INACTIVE, "agency_inactive",
          "not at 2026-01-01T00:00:00.000Z" },
        { "lab:k2", "lab", NULL, T_ROTATE - 1, LT_REGISTRY_KEY_NOT_YET_VALID, "key_not_yet_valid",
          "valid from 2025-01-01T00:00:00.000Z" },
        { "lab:k1", "lab", NULL, T_ROTATE, LT_REGISTRY_KEY_EXPIRED, "key_expired",
          "expired at 2025-01-01T00:00:00.000Z" },
        { "pol:k1", "pol", NULL, T_REVOKE, LT_REGISTRY_KEY_REVOKED, "key_revoked",
          "revoked at 2025-03-01T12:00:00.000Z (compromised)" },
        { "pol:k0", "pol", NULL, T2024, LT_REGISTRY_KEY_PENDING, "key_pending", "pending" },
        { "lab:k1", "lab", "work_permit_issued", T2024, LT_REGISTRY_OK, "ok", "" },
        { "lab:k1", "lab", "entry", T2024, LT_REGISTRY_TYPE_NOT_ALLOWED, "type_not_allowed",
          "may not publish entry events" },
        { "lab:k1", "lab", "WorkPermitIssued", T2024, LT_REGISTRY_TYPE_UNKNOWN, "type_unknown",
          "is not an event type" },
        { "lab:k1", "lab", "header", T2024, LT_REGISTRY_TYPE_UNKNOWN, "type_unknown", "header" },
        /* The permission is checked before the key's own validity. */
        { "lab:k1", "lab", "exit", T_ROTATE, LT_REGISTRY_TYPE_NOT_ALLOWED, "type_not_allowed", "" },
        { "lab:k1", "lab", "work_permit_issued", T_ROTATE, LT_REGISTRY_KEY_EXPIRED, "key_expired",
          "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct verdict_case *c = &cases[i];
        char err[256] = "unset";
        uint8_t out[32];
        memset(out, 0xEE, sizeof out);
        enum lt_registry_verdict v =
            c->type ? lt_registry_authorize(reg, c->key_id, c->agency, c->type, c->at, out, err,
                                            sizeof err)
                    : lt_registry_key_check(reg, c->key_id, c->agency, c->at, out, err,
                                            sizeof err);
        if (v != c->want)
            fail_msg("case %zu: %s, want %s (%s)", i, lt_registry_verdict_name(v), c->name, err);
        assert_string_equal(lt_registry_verdict_name(v), c->name);
        if (!strstr(err, c->says))
            fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err, c->says);
        if (v == LT_REGISTRY_OK) {
            assert_memory_equal(out, pk[0], 32);
            assert_string_equal(err, "");
        } else {
            uint8_t untouched[32];
            memset(untouched, 0xEE, sizeof untouched);
            assert_memory_equal(out, untouched, 32);
        }
    }
    /* NULL outputs are allowed. */
    assert_int_equal(lt_registry_key_check(reg, "lab:k2", "lab", T_ROTATE, NULL, NULL, 0),
                     LT_REGISTRY_OK);
    assert_int_equal(lt_registry_authorize(reg, "lab:k2", "lab", NULL, T_ROTATE, NULL, NULL, 0),
                     LT_REGISTRY_TYPE_UNKNOWN);
    assert_string_equal(lt_registry_verdict_name((enum lt_registry_verdict)99), "unknown");
    lt_registry_free(reg);
}

/* Two keys with adjacent validity: exactly one is valid at every instant. */
static void key_rotation(void **s)
{
    (void)s;
    struct lt_registry *reg = load_base();
    uint8_t out[32];
    int64_t probes[] = { T2024, T_ROTATE - 1, T_ROTATE, T_ROTATE + 1, T2026 - 1 };
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        enum lt_registry_verdict v1 = lt_registry_key_check(reg, "lab:k1", "lab", probes[i], out,
                                                            NULL, 0);
        enum lt_registry_verdict v2 = lt_registry_key_check(reg, "lab:k2", "lab", probes[i], out,
                                                            NULL, 0);
        bool before = probes[i] < T_ROTATE;
        assert_int_equal(v1, before ? LT_REGISTRY_OK : LT_REGISTRY_KEY_EXPIRED);
        assert_int_equal(v2, before ? LT_REGISTRY_KEY_NOT_YET_VALID : LT_REGISTRY_OK);
        assert_memory_equal(out, before ? pk[0] : pk[1], 32);
    }
    lt_registry_free(reg);
}

/* Valid until the instant before revoked_at; refused at it and after. */
static void revocation_instant(void **s)
{
    (void)s;
    struct lt_registry *reg = load_base();
    assert_int_equal(lt_registry_key_check(reg, "pol:k1", "pol", T_REVOKE - 1, NULL, NULL, 0),
                     LT_REGISTRY_OK);
    assert_int_equal(lt_registry_authorize(reg, "pol:k1", "pol", "entry", T_REVOKE - 1, NULL,
                                           NULL, 0),
                     LT_REGISTRY_OK);
    assert_int_equal(lt_registry_key_check(reg, "pol:k1", "pol", T_REVOKE, NULL, NULL, 0),
                     LT_REGISTRY_KEY_REVOKED);
    assert_int_equal(lt_registry_key_check(reg, "pol:k1", "pol", T_REVOKE + 1, NULL, NULL, 0),
                     LT_REGISTRY_KEY_REVOKED);
    assert_int_equal(lt_registry_key_check(reg, "pol:k1", "pol", T2026 * 2, NULL, NULL, 0),
                     LT_REGISTRY_KEY_REVOKED);
    lt_registry_free(reg);

    /* Revoked takes precedence over expired and not-yet-valid. */
    json_t *root = base_registry();
    json_t *k1 = json_array_get(json_object_get(root, "keys"), 0);
    json_object_set_new(k1, "revoked_at", json_string("2023-06-01T00:00:00Z"));
    json_object_set_new(k1, "revocation_reason", json_string("never used"));
    char err[512];
    assert_int_equal(load(root, &reg, err, sizeof err), LT_OK);
    json_decref(root);
    assert_int_equal(lt_registry_key_check(reg, "lab:k1", "lab", T2024, NULL, err, sizeof err),
                     LT_REGISTRY_KEY_REVOKED);
    assert_int_equal(lt_registry_key_check(reg, "lab:k1", "lab", T_ROTATE, NULL, NULL, 0),
                     LT_REGISTRY_KEY_REVOKED);
    lt_registry_free(reg);
}

static void permissions(void **s)
{
    (void)s;
    struct lt_registry *reg = load_base();
    assert_true(lt_registry_may_emit(reg, "lab", "work_permit_issued"));
    assert_true(lt_registry_may_emit(reg, "lab", "work_permit_extended"));
    assert_false(lt_registry_may_emit(reg, "lab", "work_permit_revoked"));
    assert_false(lt_registry_may_emit(reg, "lab", "entry"));
    assert_true(lt_registry_may_emit(reg, "pol", "exit"));
    assert_false(lt_registry_may_emit(reg, "nope", "exit"));
    assert_false(lt_registry_may_emit(reg, "pol", "nope"));
    assert_false(lt_registry_may_emit(reg, "pol", NULL));
    lt_registry_free(reg);

    assert_string_equal(lt_registry_event_type_name(120), "work_permit_issued");
    assert_string_equal(lt_registry_event_type_name(241), "return_home");
    assert_null(lt_registry_event_type_name(1)); /* header: not a body case */
    assert_null(lt_registry_event_type_name(999));
    assert_int_equal(lt_registry_event_type_case("entry"), 140);
    assert_int_equal(lt_registry_event_type_case("header"), 0);
    assert_int_equal(lt_registry_event_type_case(NULL), 0);
}

/* One change to the base registry and the error it must produce. path is
 * "member.index.member…"; index "+" appends; value is JSON text, NULL deletes. */
struct load_case {
    const char *path, *value;
    const char *expect, *expect2;
};

static void apply(json_t *root, const char *path, const char *value)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *node = root;
    char *save = NULL, *tok = strtok_r(buf, ".", &save);
    json_t *v = NULL;
    if (value) {
        json_error_t jerr;
        v = json_loads(value, JSON_DECODE_ANY, &jerr);
        if (!v)
            fail_msg("bad test value %s: %s", value, jerr.text);
    }
    while (tok) {
        char *next = strtok_r(NULL, ".", &save);
        if (json_is_array(node)) {
            if (!next && !strcmp(tok, "+")) {
                json_array_append_new(node, v);
                return;
            }
            if (!next) {
                json_array_set_new(node, strtoul(tok, NULL, 10), v);
                return;
            }
            node = json_array_get(node, strtoul(tok, NULL, 10));
        } else {
            if (!next) {
                if (v)
                    json_object_set_new(node, tok, v);
                else
                    json_object_del(node, tok);
                return;
            }
            node = json_object_get(node, tok);
        }
        assert_non_null(node);
        tok = next;
    }
}

static void load_errors(void **s)
{
    (void)s;
    char dup_b64[128], wrong_len[80], dup_key[512];
    snprintf(dup_b64, sizeof dup_b64, "\"%s\"", pk_b64[0]);
    snprintf(wrong_len, sizeof wrong_len, "\"%.62s\"", pk_hex[3]);
    snprintf(dup_key, sizeof dup_key,
             "{\"key_id\": \"lab:k3\", \"agency\": \"lab\", \"public_key\": \"%s\","
             " \"valid_from\": \"2024-01-01T00:00:00Z\"}", pk_hex[0]);
    const struct load_case cases[] = {
        { "format", "\"lienthong.registry/2\"", "$.format: \"lienthong.registry/2\"", NULL },
        { "format", NULL, "$: missing required member \"format\"", NULL },
        { "agencies", "{}", "$.agencies: required, an array", NULL },
        { "keys", "7", "$.keys: must be an array", NULL },
        { "extra", "1", "$: unknown member \"extra\"", NULL },
        { "agencies.0", "\"lab\"", "$.agencies[0]: must be an object", NULL },
        { "agencies.1.code", "\"lab\"", "$.agencies[1].code: duplicate agency code \"lab\" (also at "
          "$.agencies[0])", NULL },
        { "agencies.1.code", "\"po l\"", "$.agencies[1].code: \"po l\" is not 1-64 characters",
          NULL },
        { "agencies.1.code",
          "\"a1234567890123456789012345678901234567890123456789012345678901234\"",
          "is not 1-64 characters", NULL },
        { "agencies.1.code", "\"\"", "$.agencies[1].code: must not be empty", NULL },
        { "agencies.1.code", "5", "$.agencies[1].code: must be a string", NULL },
        { "agencies.0.kind", "\"Labour\"", "$.agencies[0] (\"lab\").kind: \"Labour\" is not a "
          "snake_case kind", NULL },
        { "agencies.0.kind", NULL, "$.agencies[0] (\"lab\"): missing required member \"kind\"",
          NULL },
        { "agencies.0.name", "\"Sở\"", "$.agencies[0] (\"lab\").name: must be an object", NULL },
        { "agencies.0.name.vi", NULL, "$.agencies[0] (\"lab\").name: missing required member "
          "\"vi\"", NULL },
        /* "Sở" with a combining hook above: valid UTF-8, not NFC. */
        { "agencies.0.name.vi", "\"So\\u031b\\u0309 Lao \\u0111o\\u0323\\u0302ng\"",
          "$.agencies[0] (\"lab\").name.vi: must be Unicode NFC", NULL },
        { "agencies.0.name.en", "\" Labour\"", "name.en: must be Unicode NFC without leading", NULL },
        { "agencies.0.name.fr", "\"Travail\"", "name: unknown member \"fr\"", NULL },
        { "agencies.0.valid_untill", "\"2026-01-01T00:00:00Z\"",
          "$.agencies[0] (\"lab\"): unknown member \"valid_untill\"", NULL },
        { "agencies.0.valid_from", "\"2024-02-30T00:00:00Z\"",
          "$.agencies[0] (\"lab\").valid_from: \"2024-02-30T00:00:00Z\" is not an RFC 3339 UTC "
          "instant", NULL },
        { "agencies.0.valid_from", "\"2024-01-01T07:00:00+07:00\"", "is not an RFC 3339 UTC",
          NULL },
        { "agencies.0.valid_from", "\"2024-01-01\"", "is not an RFC 3339 UTC", NULL },
        { "agencies.0.valid_from", "\"2024-01-01T24:00:00Z\"", "is not an RFC 3339 UTC", NULL },
        { "agencies.0.valid_from", "\"2024-01-01T00:00:00.1234Z\"", "is not an RFC 3339 UTC",
          NULL },
        { "agencies.0.valid_until", "\"2024-01-01T00:00:00Z\"",
          "$.agencies[0] (\"lab\").valid_until: must be later than valid_from", NULL },
        { "agencies.0.allowed_event_types", NULL, "missing required member "
          "\"allowed_event_types\"", NULL },
        { "agencies.0.allowed_event_types", "\"entry\"", "allowed_event_types: must be an array",
          NULL },
        { "agencies.0.allowed_event_types.+", "\"work_permit\"",
          "$.agencies[0] (\"lab\").allowed_event_types[2]: unknown event type \"work_permit\" "
          "(not a body field of lienthong.v1.Event)", NULL },
        { "agencies.0.allowed_event_types.+", "\"WorkPermitRevoked\"",
          "unknown event type \"WorkPermitRevoked\": use the Event body field name "
          "\"work_permit_revoked\"", NULL },
        { "agencies.0.allowed_event_types.+", "\"header\"", "unknown event type \"header\"",
          NULL },
        { "agencies.0.allowed_event_types.+", "\"work_permit_issued\"",
          "allowed_event_types[2]: \"work_permit_issued\" is listed twice", NULL },
        { "agencies.0.allowed_event_types.+", "3", "allowed_event_types[2]: must be a string",
          NULL },
        { "agencies.0.topic", "\"bad topic\"", "$.agencies[0] (\"lab\").topic: \"bad topic\" is "
          "not a Kafka topic name", NULL },
        { "agencies.1.topic", "\"lienthong.agency.lab\"", "$.agencies[1] (\"pol\").topic: topic "
          "\"lienthong.agency.lab\" is already used by agency \"lab\"", NULL },
        { "agencies.0.unit_code", "\"5200\"", "unit_code: \"5200\" is not an administrative unit "
          "code", NULL },
        { "keys.0", "[]", "$.keys[0]: must be an object", NULL },
        { "keys.1.key_id", "\"lab:k1\"", "$.keys[1].key_id: duplicate key id \"lab:k1\" (also at "
          "$.keys[0]); a key id is never reused", NULL },
        { "keys.1.key_id", "\"lab k2\"", "$.keys[1].key_id: \"lab k2\" is not 1-128 characters",
          NULL },
        { "keys.1.key_id", NULL, "$.keys[1]: missing required member \"key_id\"", NULL },
        { "keys.1.agency", "\"nope\"", "$.keys[1] (\"lab:k2\").agency: no agency with code "
          "\"nope\"", NULL },
        { "keys.1.public_key", "\"not base64!\"", "$.keys[1] (\"lab:k2\").public_key: not a "
          "32-byte key", NULL },
        { "keys.1.public_key", wrong_len, "public_key: not a 32-byte key", NULL },
        { "keys.1.public_key", "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"",
          "public_key: not a valid Ed25519 public key", NULL },
        { "keys.1.public_key", "7", "public_key: must be a string (base64 or hex) or null", NULL },
        { "keys.1.public_key", NULL, "missing required member \"public_key\"", NULL },
        { "keys.1.public_key", dup_b64, "$.keys[1] (\"lab:k2\").public_key: the same public key "
          "is already registered as key \"lab:k1\"", NULL },
        { "keys.+", dup_key, "$.keys[4] (\"lab:k3\").public_key: the same public key is already "
          "registered as key \"lab:k1\"", NULL },
        { "keys.1.valid_from", NULL, "$.keys[1] (\"lab:k2\"): missing required member "
          "\"valid_from\"", NULL },
        { "keys.1.valid_from", "null", "missing required member \"valid_from\"", NULL },
        { "keys.0.valid_until", "\"2023-12-31T23:59:59.999Z\"",
          "$.keys[0] (\"lab:k1\").valid_until: must be later than valid_from", NULL },
        { "keys.0.revoked_at", "\"2024-06-01T00:00:00Z\"",
          "$.keys[0] (\"lab:k1\"): revoked_at needs a revocation_reason", NULL },
        { "keys.0.revocation_reason", "\"lost\"", "revocation_reason without revoked_at", NULL },
        { "keys.2.revoked_at", "\"2025-03-01\"", "$.keys[2] (\"pol:k1\").revoked_at: "
          "\"2025-03-01\" is not an RFC 3339 UTC instant", NULL },
        { "keys.3.revoked_at", "\"2025-03-01T00:00:00Z\"", "a pending key (public_key null) "
          "cannot be revoked", "needs a revocation_reason" },
        { "keys.0.comment", "\"x\"", "$.keys[0] (\"lab:k1\"): unknown member \"comment\"", NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct load_case *c = &cases[i];
        json_t *root = base_registry();
        apply(root, c->path, c->value);
        struct lt_registry *reg = (struct lt_registry *)1;
        char err[4096] = "";
        int rc = load(root, &reg, err, sizeof err);
        json_decref(root);
        if (rc != LT_ERR_INVALID)
            fail_msg("case %zu (%s): loaded (rc %d), want an error with \"%s\"", i, c->path, rc,
                     c->expect);
        assert_null(reg);
        if (!strstr(err, c->expect) || (c->expect2 && !strstr(err, c->expect2)))
            fail_msg("case %zu (%s): error\n%s\nlacks \"%s\"", i, c->path, err, c->expect);
        /* Every message names the file it came from. */
        assert_non_null(strstr(err, "/tmp/lt_test_registry_"));
    }
}

static void load_errors_all_reported(void **s)
{
    (void)s;
    json_t *root = base_registry();
    apply(root, "agencies.0.kind", "\"Bad Kind\"");
    apply(root, "keys.2.agency", "\"ghost\"");
    apply(root, "agencies.1.allowed_event_types.+", "\"teleport\"");
    struct lt_registry *reg;
    char err[4096];
    assert_int_equal(load(root, &reg, err, sizeof err), LT_ERR_INVALID);
    json_decref(root);
    assert_non_null(strstr(err, "3 errors:"));
    assert_non_null(strstr(err, "$.agencies[0] (\"lab\").kind"));
    assert_non_null(strstr(err, "$.agencies[1] (\"pol\").allowed_event_types[2]"));
    assert_non_null(strstr(err, "$.keys[2] (\"pol:k1\").agency"));

    /* Files that are not registries at all. */
    assert_int_equal(lt_registry_new("/nonexistent/registry.json", &reg, err, sizeof err),
                     LT_ERR_IO);
    assert_null(reg);
    const char *path = temp_file("{\"format\": \"lienthong.registry/1\",");
    assert_int_equal(lt_registry_new(path, &reg, err, sizeof err), LT_ERR_INVALID);
    assert_non_null(strstr(err, path));
    unlink(path);
    path = temp_file("{\"format\": \"a\", \"format\": \"b\"}");
    assert_int_equal(lt_registry_new(path, &reg, err, sizeof err), LT_ERR_INVALID);
    assert_non_null(strstr(err, "duplicate object key"));
    unlink(path);
    assert_int_equal(lt_registry_new_from_string("[1]", "inline", &reg, err, sizeof err),
                     LT_ERR_INVALID);
    assert_non_null(strstr(err, "inline: $: the registry must be a JSON object"));
    assert_int_equal(lt_registry_new_from_string("{\"format\": \"lienthong.registry/1\", "
                                                 "\"agencies\": []}", NULL, &reg, err,
                                                 sizeof err),
                     LT_OK);
    assert_int_equal(lt_registry_agency_count(reg), 0);
    lt_registry_free(reg);
}

/* ---- the shipped demo files ------------------------------------------------ */

/* The repository root, from this file's path (CMake compiles it by absolute
 * path: <root>/tests/unit/test_registry.c). */
static void repo_path(char *out, size_t len, const char *rel)
{
    const char *f = __FILE__;
    const char *tail = strstr(f, "tests/unit/test_registry.c");
    int n = tail ? (int)(tail - f) : 0;
    snprintf(out, len, "%.*s%s", n, f, rel);
}

static void shipped_demo_registry(void **s)
{
    (void)s;
    char path[1024], upath[1024], err[4096];
    repo_path(path, sizeof path, "deploy/registry/agencies.example.json");
    repo_path(upath, sizeof upath, "deploy/registry/units.json");
    struct lt_registry *reg;
    struct lt_units *units;
    if (lt_registry_new(path, &reg, err, sizeof err) != LT_OK)
        fail_msg("%s", err);
    if (lt_units_new(upath, &units, err, sizeof err) != LT_OK)
        fail_msg("%s", err);

    size_t n = lt_registry_agency_count(reg);
    assert_true(n >= 12);
    /* One agency of every kind the design names. */
    static const char *const kinds[] = {
        "police", "border_guard", "labour", "foreign_affairs", "planning_investment",
        "social_policy_bank", "ethnic_affairs", "vocational_school", "service_enterprise",
        "district", "people_committee", "commune", NULL,
    };
    for (size_t k = 0; kinds[k]; k++) {
        bool found = false;
        for (size_t i = 0; i < n; i++)
            found |= !strcmp(lt_registry_agency_at(reg, i)->kind, kinds[k]);
        if (!found)
            fail_msg("no agency of kind %s", kinds[k]);
    }
    /* Every event type has at least one publisher. */
    for (uint32_t c = 1; c < 400; c++) {
        const char *t = lt_registry_event_type_name(c);
        if (!t)
            continue;
        bool found = false;
        for (size_t i = 0; i < n; i++)
            found |= lt_registry_may_emit(reg, lt_registry_agency_at(reg, i)->code, t);
        if (!found)
            fail_msg("no agency may publish %s", t);
    }
    /* Spot checks of the proto/README.md default table. */
    assert_true(lt_registry_may_emit(reg, "bdinh.police", "entry"));
    assert_true(lt_registry_may_emit(reg, "bdinh.police", "citizen_identity_verified"));
    assert_false(lt_registry_may_emit(reg, "bdinh.police", "work_permit_issued"));
    assert_true(lt_registry_may_emit(reg, "bdinh.labour", "work_permit_revoked"));
    assert_false(lt_registry_may_emit(reg, "bdinh.border_guard", "residence_registered"));
    assert_true(lt_registry_may_emit(reg, "svc.demo1", "contract_ended"));
    assert_false(lt_registry_may_emit(reg, "svc.demo1", "loan_disbursed"));
    assert_true(lt_registry_may_emit(reg, "qnam.social_policy_bank", "loan_repaid"));

    for (size_t i = 0; i < n; i++) {
        const struct lt_registry_agency *a = lt_registry_agency_at(reg, i);
        char topic[128];
        snprintf(topic, sizeof topic, "lienthong.agency.%s", a->code);
        assert_string_equal(a->topic, topic);
        /* Its unit, if any, is in force on a day the agency is active. */
        if (a->unit_code[0]) {
            char date[11] = "2025-06-30";
            if (a->valid_until_ms != INT64_MAX)
                lt_units_date_of_ms(a->valid_until_ms - 1, date);
            else if (a->valid_from_ms != INT64_MIN)
                lt_units_date_of_ms(a->valid_from_ms, date);
            const struct lt_unit *u;
            if (lt_units_resolve(units, a->unit_code, date, &u, err, sizeof err) != LT_UNITS_OK)
                fail_msg("agency %s: %s", a->code, err);
        }
    }
    /* The keys are placeholders, one per agency, refused until filled in. */
    assert_int_equal(lt_registry_key_count(reg), n);
    for (size_t i = 0; i < lt_registry_key_count(reg); i++) {
        const struct lt_registry_key *k = lt_registry_key_at(reg, i);
        assert_true(k->pending);
        assert_int_equal(lt_registry_key_check(reg, k->key_id, k->agency_code,
                                               k->valid_from_ms, NULL, NULL, 0),
                         LT_REGISTRY_KEY_PENDING);
    }
    /* Districts end when the district level does, 00:00 Vietnam time. */
    const struct lt_registry_agency *d = lt_registry_agency(reg, "bdinh.district.550");
    assert_non_null(d);
    assert_true(d->valid_until_ms == 1751302800000LL); /* 2025-06-30T17:00:00Z */
    lt_units_free(units);
    lt_registry_free(reg);
}

int main(void)
{
    make_keys();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loads_and_looks_up),
        cmocka_unit_test(every_verdict),
        cmocka_unit_test(key_rotation),
        cmocka_unit_test(revocation_instant),
        cmocka_unit_test(permissions),
        cmocka_unit_test(load_errors),
        cmocka_unit_test(load_errors_all_reported),
        cmocka_unit_test(shipped_demo_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
