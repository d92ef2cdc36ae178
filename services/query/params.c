/* params.c — the rules for what callers send the query service (params.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>
#include <utf8proc.h>

#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "event/subject.h"
#include "params.h"

int lq_params_int(const char *name, const char *s, long long min, long long max, long long *out,
                  char *err, size_t errlen)
{
    const char *p = s;
    if (*p == '-')
        p++;
    size_t digits = strspn(p, "0123456789");
    if (digits == 0 || p[digits] != '\0' || digits > 18 || (p[0] == '0' && digits > 1) ||
        (s[0] == '-' && p[0] == '0'))
        return lt_err_set(err, errlen, LT_ERR_INVALID, "%s must be a whole number", name);
    long long v = strtoll(s, NULL, 10);
    if (v < min || v > max)
        return lt_err_set(err, errlen, LT_ERR_INVALID, "%s must be between %lld and %lld", name,
                          min, max);
    *out = v;
    return LT_OK;
}

int lq_params_bool(const char *name, const char *s, int *out, char *err, size_t errlen)
{
    if (!strcmp(s, "true") || !strcmp(s, "false")) {
        *out = s[0] == 't';
        return LT_OK;
    }
    return lt_err_set(err, errlen, LT_ERR_INVALID, "%s must be true or false", name);
}

int lq_params_date(const char *name, const char *s, int *days, char *err, size_t errlen)
{
    int32_t d;
    char why[128];
    if (lt_date_parse(s, &d, why, sizeof why) != LT_OK)
        return lt_err_set(err, errlen, LT_ERR_INVALID, "%s must be a date YYYY-MM-DD", name);
    *days = (int)d;
    return LT_OK;
}

int lq_params_code(const char *name, const char *s, size_t max, char *err, size_t errlen)
{
    size_t n = strlen(s);
    if (n == 0 || n > max ||
        strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") != n)
        return lt_err_set(err, errlen, LT_ERR_INVALID,
                          "%s must be 1 to %zu letters, digits or . _ : -", name, max);
    return LT_OK;
}

int lq_params_choice(const char *name, const char *s, const char *const *choices, char *err,
                     size_t errlen)
{
    char list[256] = "";
    size_t len = 0;
    for (size_t i = 0; choices[i]; i++) {
        if (!strcmp(s, choices[i]))
            return LT_OK;
        int w = snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", choices[i]);
        if (w > 0 && (size_t)w < sizeof list - len)
            len += (size_t)w;
    }
    return lt_err_set(err, errlen, LT_ERR_INVALID, "%s must be one of: %s", name, list);
}

int lq_params_known(const char *name, const char *const *known)
{
    for (size_t i = 0; known[i]; i++)
        if (!strcmp(name, known[i]))
            return 1;
    return 0;
}

int lq_params_purpose(const char *s, char *err, size_t errlen)
{
    if (!s)
        return lt_err_set(err, errlen, LT_ERR_INVALID,
                          "reading personal data needs a purpose: send an X-Purpose header or a "
                          "purpose parameter");
    size_t n = strlen(s);
    if (n < LQ_PURPOSE_MIN || n > LQ_PURPOSE_MAX)
        return lt_err_set(err, errlen, LT_ERR_INVALID, "the purpose must be %d to %d bytes long",
                          LQ_PURPOSE_MIN, LQ_PURPOSE_MAX);
    /* Headers arrive as raw bytes: the purpose must be well-formed UTF-8. */
    const utf8proc_uint8_t *u = (const utf8proc_uint8_t *)s;
    while (*u) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t len = utf8proc_iterate(u, -1, &cp);
        if (len <= 0)
            return lt_err_set(err, errlen, LT_ERR_INVALID, "the purpose must be UTF-8 text");
        u += len;
    }
    int visible = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return lt_err_set(err, errlen, LT_ERR_INVALID,
                              "the purpose must not hold control characters");
        if (*p != ' ')
            visible = 1;
    }
    if (!visible)
        return lt_err_set(err, errlen, LT_ERR_INVALID, "the purpose must not be blank");
    return LT_OK;
}

int lq_params_name_key(const char *s, char **key, char *err, size_t errlen)
{
    char *k = NULL;
    enum lt_subject_fault fault;
    char why[128];
    *key = NULL;
    if (strlen(s) > 400 || lt_subject_name_key(s, &k, &fault, why, sizeof why) != LT_OK)
        return lt_err_set(err, errlen, LT_ERR_INVALID, "name must be UTF-8 text of at most 400 bytes");
    size_t chars = 0;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)k;
    while (*p) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t len = utf8proc_iterate(p, -1, &cp);
        if (len <= 0) { /* lt_subject_name_key re-encoded it: cannot happen */
            free(k);
            return lt_err_set(err, errlen, LT_ERR_INVALID, "name is not UTF-8");
        }
        utf8proc_category_t cat = utf8proc_category(cp);
        int letter = cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
        int digit = cat == UTF8PROC_CATEGORY_ND;
        if (!letter && !digit && cp != ' ' && cp != '-' && cp != '\'' && cp != '.') {
            free(k);
            return lt_err_set(err, errlen, LT_ERR_INVALID,
                              "name may hold only letters, digits, spaces and - ' .");
        }
        chars++;
        p += len;
    }
    if (chars < 2 || chars > 100) {
        free(k);
        return lt_err_set(err, errlen, LT_ERR_INVALID, "name must be 2 to 100 characters long");
    }
    *key = k;
    return LT_OK;
}

char *lq_cursor_encode(const char *const *keys, size_t n)
{
    json_t *a = json_array();
    json_array_append_new(a, json_string("v1"));
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(keys[i]));
    char *text = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    if (!text)
        abort(); /* only out of memory: the keys are valid UTF-8 */
    size_t len = strlen(text);
    size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = lt_malloc(cap);
    sodium_bin2base64(out, cap, (const unsigned char *)text, len,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    free(text);
    return out;
}

int lq_cursor_decode(const char *text, char keys[][LQ_CURSOR_KEY_MAX], size_t n, char *err,
                     size_t errlen)
{
    unsigned char bin[LQ_CURSOR_TEXT_MAX];
    size_t len = 0;
    size_t tlen = strlen(text);
    int rc = LT_ERR_INVALID;
    json_t *j = NULL;
    if (tlen == 0 || tlen > LQ_CURSOR_TEXT_MAX ||
        sodium_base642bin(bin, sizeof bin - 1, text, tlen, NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        goto out;
    bin[len] = '\0';
    j = json_loadb((const char *)bin, len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_array(j) || json_array_size(j) != n + 1 ||
        !json_is_string(json_array_get(j, 0)) ||
        strcmp(json_string_value(json_array_get(j, 0)), "v1") != 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        json_t *k = json_array_get(j, i + 1);
        if (!json_is_string(k) || json_string_length(k) >= LQ_CURSOR_KEY_MAX ||
            strlen(json_string_value(k)) != json_string_length(k))
            goto out;
        for (const unsigned char *p = (const unsigned char *)json_string_value(k); *p; p++)
            if (*p < 0x20 || *p == 0x7f)
                goto out;
        memcpy(keys[i], json_string_value(k), json_string_length(k) + 1);
    }
    rc = LT_OK;
out:
    json_decref(j);
    if (rc != LT_OK)
        lt_err_set(err, errlen, LT_ERR_INVALID,
                   "cursor is not one this list gave out (pass the nextCursor value unchanged)");
    return rc;
}
