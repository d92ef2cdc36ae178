/* auth.c — token shape, hashing and the role names (auth.h). */
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "auth.h"
#include "core/err.h"

static const struct {
    enum lq_role role;
    const char *name;
} roles[] = {
    { LQ_ROLE_AGENCY, "agency" },
    { LQ_ROLE_STAFF, "staff" },
    { LQ_ROLE_LEADER, "leader" },
    { LQ_ROLE_AUDITOR, "auditor" },
};

enum lq_role lq_role_parse(const char *s)
{
    for (size_t i = 0; s && i < sizeof roles / sizeof roles[0]; i++)
        if (!strcmp(s, roles[i].name))
            return roles[i].role;
    return 0;
}

const char *lq_role_name(enum lq_role r)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (roles[i].role == r)
            return roles[i].name;
    return "?";
}

int lq_role_masks_numbers(enum lq_role r)
{
    return r == LQ_ROLE_AGENCY;
}

int lq_auth_bearer(const char *header, const char **token)
{
    static const char b64url[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    if (!header || strncasecmp(header, "Bearer ", 7) != 0)
        return LT_ERR_INVALID;
    const char *t = header + 7;
    size_t plen = strlen(LQ_TOKEN_PREFIX);
    if (strlen(t) != LQ_TOKEN_LEN || strncmp(t, LQ_TOKEN_PREFIX, plen) != 0 ||
        strspn(t + plen, b64url) != LQ_TOKEN_LEN - plen)
        return LT_ERR_INVALID;
    *token = t;
    return LT_OK;
}

void lq_auth_token_new(char out[LQ_TOKEN_LEN + 1])
{
    unsigned char rnd[32];
    randombytes_buf(rnd, sizeof rnd);
    size_t plen = strlen(LQ_TOKEN_PREFIX);
    memcpy(out, LQ_TOKEN_PREFIX, plen);
    sodium_bin2base64(out + plen, LQ_TOKEN_LEN + 1 - plen, rnd, sizeof rnd,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(rnd, sizeof rnd);
}

void lq_auth_token_hash(const char *token, uint8_t out[LQ_TOKEN_HASH_BYTES])
{
    crypto_generichash(out, LQ_TOKEN_HASH_BYTES, (const unsigned char *)token, strlen(token),
                       NULL, 0);
}
