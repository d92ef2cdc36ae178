/* keyfile.c — create and read agency secret key files (see keyfile.h).
 *
 * Permissions are checked on the open descriptor (fstat), not the path, so the
 * file checked is the file read. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/mem.h"
#include "crypto/keyfile.h"
#include "event/envelope.h"

static int agency_code_ok(const char *c)
{
    size_t n = c ? strlen(c) : 0;
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((c[i] >= 'a' && c[i] <= 'z') || (c[i] >= 'A' && c[i] <= 'Z') ||
              (c[i] >= '0' && c[i] <= '9') || c[i] == '.' || c[i] == '_' || c[i] == '-'))
            return 0;
    return 1;
}

static void rfc3339(char out[32], int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void b64(char *out, size_t outlen, const uint8_t *in, size_t n)
{
    sodium_bin2base64(out, outlen, in, n, sodium_base64_VARIANT_ORIGINAL);
}

int lt_keyfile_create(const char *path, const char *key_id, const char *agency_code,
                      const uint8_t *seed_or_null, struct lt_key *out, char *err, size_t errlen)
{
    if (!lt_envelope_key_id_ok(key_id))
        return lt_err_set(err, errlen, LT_ERR_INVALID,
                          "key id must be 1-128 characters of A-Z a-z 0-9 . _ : -");
    if (!agency_code_ok(agency_code))
        return lt_err_set(err, errlen, LT_ERR_INVALID,
                          "agency code must be 1-64 characters of A-Z a-z 0-9 . _ -");
    uint8_t seed[LT_SIGN_SEEDBYTES];
    if (seed_or_null)
        memcpy(seed, seed_or_null, sizeof seed);
    else
        randombytes_buf(seed, sizeof seed);
    memset(out, 0, sizeof *out);
    snprintf(out->key_id, sizeof out->key_id, "%s", key_id);
    snprintf(out->agency_code, sizeof out->agency_code, "%s", agency_code);
    lt_sign_seed_keypair(out->pk, out->sk, seed);
    out->created_at_ms = lt_now_ms();

    char seed64[64], pk64[64], created[32];
    b64(seed64, sizeof seed64, seed, sizeof seed);
    b64(pk64, sizeof pk64, out->pk, sizeof out->pk);
    rfc3339(created, out->created_at_ms);
    sodium_memzero(seed, sizeof seed);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "format", LT_KEYFILE_FORMAT,
                          "key_id", key_id, "agency_code", agency_code, "seed", seed64,
                          "public_key", pk64, "created_at", created);
    char *text = json_dumps(j, JSON_INDENT(2));
    json_decref(j);
    sodium_memzero(seed64, sizeof seed64);

    int rc = LT_OK;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = lt_err_set(err, errlen, LT_ERR_IO, "cannot create key file %s: %s%s", path,
                        strerror(errno), errno == EEXIST ? " (a key file is never overwritten)" : "");
        goto out;
    }
    size_t len = strlen(text);
    if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1 || fsync(fd) != 0) {
        rc = lt_err_set(err, errlen, LT_ERR_IO, "cannot write key file %s: %s", path, strerror(errno));
        close(fd);
        unlink(path);
        goto out;
    }
    close(fd);
out:
    sodium_memzero(text, strlen(text));
    free(text);
    if (rc != LT_OK)
        lt_key_wipe(out);
    return rc;
}

/* Opens a secret file for reading after checking, on the descriptor, that it
 * is a regular file no one but its owner may access. Returns the fd or -1. */
static int open_secret(const char *path, int *rc, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *rc = lt_err_set(err, errlen, LT_ERR_IO, "cannot open key file %s: %s", path,
                         strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        *rc = lt_err_set(err, errlen, LT_ERR_INVALID, "key file %s is not a regular file", path);
        return -1;
    }
    if (st.st_mode & 077) {
        close(fd);
        *rc = lt_err_set(err, errlen, LT_ERR_INVALID,
                         "key file %s has mode %03o: group or others may access it; "
                         "refusing to use it (chmod 600 it if it was never exposed, "
                         "else revoke the key)", path, (unsigned)(st.st_mode & 0777));
        return -1;
    }
    return fd;
}

int lt_keyfile_read_secret32(const char *path, uint8_t out[32], char *err, size_t errlen)
{
    int rc = LT_OK;
    int fd = open_secret(path, &rc, err, errlen);
    if (fd < 0)
        return rc;
    char text[256];
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n < 0)
        return lt_err_set(err, errlen, LT_ERR_IO, "cannot read %s: %s", path, strerror(errno));
    text[n] = '\0';
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
        text[--n] = '\0';
    size_t got = 0;
    if (!((n == 64 && sodium_hex2bin(out, 32, text, (size_t)n, NULL, &got, NULL) == 0 && got == 32) ||
          (sodium_base642bin(out, 32, text, (size_t)n, NULL, &got, NULL,
                             sodium_base64_VARIANT_ORIGINAL) == 0 && got == 32))) {
        sodium_memzero(text, sizeof text);
        return lt_err_set(err, errlen, LT_ERR_INVALID,
                          "%s must hold a 32-byte secret as 64 hex digits or base64", path);
    }
    sodium_memzero(text, sizeof text);
    return LT_OK;
}

int lt_keyfile_read(const char *path, struct lt_key *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    int rc = LT_OK;
    json_t *j = NULL;
    FILE *f = NULL;
    int fd = open_secret(path, &rc, err, errlen);
    if (fd < 0)
        return rc;
    f = fdopen(fd, "r");
    json_error_t je;
    j = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        rc = lt_err_set(err, errlen, LT_ERR_INVALID, "key file %s: not JSON (line %d: %s)",
                        path, je.line, je.text);
        goto out;
    }
    const char *format = NULL, *key_id = NULL, *agency = NULL, *seed64 = NULL, *pk64 = NULL;
    if (json_unpack(j, "{s:s, s:s, s:s, s:s, s:s}", "format", &format, "key_id", &key_id,
                    "agency_code", &agency, "seed", &seed64, "public_key", &pk64) != 0 ||
        strcmp(format, LT_KEYFILE_FORMAT) != 0) {
        rc = lt_err_set(err, errlen, LT_ERR_INVALID,
                        "key file %s: not a %s file (needs format, key_id, agency_code, seed, "
                        "public_key)", path, LT_KEYFILE_FORMAT);
        goto out;
    }
    uint8_t seed[LT_SIGN_SEEDBYTES], pk[LT_SIGN_PUBLICKEYBYTES];
    size_t n1 = 0, n2 = 0;
    if (sodium_base642bin(seed, sizeof seed, seed64, strlen(seed64), NULL, &n1, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 || n1 != sizeof seed ||
        sodium_base642bin(pk, sizeof pk, pk64, strlen(pk64), NULL, &n2, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 || n2 != sizeof pk) {
        rc = lt_err_set(err, errlen, LT_ERR_INVALID, "key file %s: seed or public_key is not "
                        "32 bytes of base64", path);
        goto out;
    }
    if (!lt_envelope_key_id_ok(key_id) || !agency_code_ok(agency)) {
        rc = lt_err_set(err, errlen, LT_ERR_INVALID, "key file %s: bad key_id or agency_code", path);
        goto out;
    }
    lt_sign_seed_keypair(out->pk, out->sk, seed);
    sodium_memzero(seed, sizeof seed);
    if (memcmp(out->pk, pk, sizeof pk) != 0) {
        rc = lt_err_set(err, errlen, LT_ERR_INVALID, "key file %s: public_key does not belong "
                        "to seed (file damaged?)", path);
        goto out;
    }
    snprintf(out->key_id, sizeof out->key_id, "%s", key_id);
    snprintf(out->agency_code, sizeof out->agency_code, "%s", agency);
out:
    if (j) {
        /* Overwrite the seed text inside jansson's copy before freeing it. */
        json_t *s = json_object_get(j, "seed");
        if (json_is_string(s))
            sodium_memzero((char *)json_string_value(s), json_string_length(s));
        json_decref(j);
    }
    if (f)
        fclose(f);
    else
        close(fd);
    if (rc != LT_OK)
        lt_key_wipe(out);
    return rc;
}

void lt_key_wipe(struct lt_key *k)
{
    sodium_memzero(k->sk, sizeof k->sk);
}

char *lt_keyfile_public_json(const struct lt_key *k)
{
    char pk64[64], created[32];
    b64(pk64, sizeof pk64, k->pk, sizeof k->pk);
    rfc3339(created, k->created_at_ms);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "key_id", k->key_id, "agency",
                          k->agency_code, "public_key", pk64, "valid_from", created);
    char *text = json_dumps(j, JSON_INDENT(2));
    json_decref(j);
    return text;
}
