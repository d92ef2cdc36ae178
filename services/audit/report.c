/* report.c — the signed audit report.
 *
 * The file is {"report": {...}, "signature": {"algorithm": "ed25519",
 * "context": AU_REPORT_CONTEXT, "keyId", "publicKey", "value"}}; the
 * signature (crypto/sign.h, domain-separated) covers the report's canonical
 * form: jansson's compact output with sorted keys, which re-reading and
 * re-writing reproduces byte for byte (the report holds no reals). Keys and
 * the signature are base64 (libsodium's original variant). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit.h"
#include "core/err.h"
#include "core/mem.h"

static char *b64(const uint8_t *b, size_t n)
{
    size_t len = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
    char *s = lt_malloc(len);
    sodium_bin2base64(s, len, b, n, sodium_base64_VARIANT_ORIGINAL);
    return s;
}

static int unb64(const char *s, uint8_t *out, size_t want)
{
    size_t got = 0;
    if (!s || sodium_base642bin(out, want, s, strlen(s), NULL, &got, NULL,
                                sodium_base64_VARIANT_ORIGINAL) != 0 || got != want)
        return -1;
    return 0;
}

/* 1 when o's field is the string want. */
static int field_is(json_t *o, const char *field, const char *want)
{
    const char *v = json_string_value(json_object_get(o, field));
    return v && strcmp(v, want) == 0;
}

json_t *au_report_sign(json_t *report, const struct lt_key *k)
{
    char *canon = json_dumps(report, JSON_COMPACT | JSON_SORT_KEYS);
    uint8_t sig[LT_SIGN_BYTES];
    lt_sign_detached(sig, AU_REPORT_CONTEXT, (const uint8_t *)canon, strlen(canon), k->sk);
    free(canon);
    char *pk = b64(k->pk, sizeof k->pk), *sv = b64(sig, sizeof sig);
    json_t *out = json_pack("{s:o, s:{s:s, s:s, s:s, s:s, s:s}}", "report", report, "signature",
                            "algorithm", "ed25519", "context", AU_REPORT_CONTEXT, "keyId",
                            k->key_id, "publicKey", pk, "value", sv);
    free(pk);
    free(sv);
    return out;
}

int au_report_verify(const char *path, const char *expect_pk, json_t **report, char *err,
                     size_t errlen)
{
    json_error_t je;
    *report = NULL;
    json_t *doc = json_load_file(path, 0, &je);
    if (!doc)
        return lt_err_set(err, errlen, LT_ERR_IO, "%s: %s (line %d)", path, je.text, je.line);
    int rc = LT_ERR_CRYPTO;
    json_t *rep = json_object_get(doc, "report"), *sig = json_object_get(doc, "signature");
    const char *pk_s = json_string_value(json_object_get(sig, "publicKey"));
    uint8_t pk[LT_SIGN_PUBLICKEYBYTES], sv[LT_SIGN_BYTES];
    if (!json_is_object(rep) || !json_is_object(sig) ||
        !field_is(sig, "algorithm", "ed25519") || !field_is(sig, "context", AU_REPORT_CONTEXT) ||
        unb64(pk_s, pk, sizeof pk) != 0 ||
        unb64(json_string_value(json_object_get(sig, "value")), sv, sizeof sv) != 0) {
        lt_err_set(err, errlen, LT_ERR_INVALID, "%s is not a signed audit report", path);
        rc = LT_ERR_INVALID;
        goto out;
    }
    if (expect_pk && *expect_pk && strcmp(expect_pk, pk_s) != 0) {
        lt_err_set(err, errlen, LT_ERR_CRYPTO, "signed by key %s (%s), not the expected auditor "
                   "key %s", json_string_value(json_object_get(sig, "keyId")), pk_s, expect_pk);
        goto out;
    }
    char *canon = json_dumps(rep, JSON_COMPACT | JSON_SORT_KEYS);
    int ok = canon && lt_sign_verify(sv, AU_REPORT_CONTEXT, (const uint8_t *)canon,
                                     strlen(canon), pk) == LT_OK;
    free(canon);
    if (!ok) {
        lt_err_set(err, errlen, LT_ERR_CRYPTO, "the signature of %s does not verify: the report "
                   "was changed after signing, or signed by another key", path);
        goto out;
    }
    *report = json_incref(rep);
    rc = LT_OK;
out:
    json_decref(doc);
    return rc;
}
