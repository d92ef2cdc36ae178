/* test_envelope — sealing and opening SignedEvent envelopes: a sealed event
 * opens and verifies; every shape defect has its own result; a flipped bit
 * anywhere in the envelope is rejected; verification uses the received bytes
 * (never a re-encoding). Also the secret key files: 0600, never overwritten,
 * refused when others may read them. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/err.h"
#include "crypto/keyfile.h"
#include "event/envelope.h"

static uint8_t pk[32], sk[64];

static void seal_open_verify(void **s)
{
    (void)s;
    const uint8_t ev[] = { 0x0a, 0x03, 'a', 'b', 'c' }; /* any bytes: the envelope does not parse them */
    uint8_t *buf;
    size_t len;
    char err[256];
    assert_int_equal(lt_envelope_seal(ev, sizeof ev, "agency-1:2026", sk, &buf, &len, err, sizeof err), LT_OK);
    Lienthong__V1__SignedEvent *se;
    assert_int_equal(lt_envelope_open(buf, len, &se), LT_ENVELOPE_OK);
    assert_string_equal(se->key_id, "agency-1:2026");
    assert_int_equal(se->envelope_version, 1);
    assert_int_equal(se->event.len, sizeof ev);
    assert_memory_equal(se->event.data, ev, sizeof ev);
    assert_int_equal(lt_envelope_verify(se, pk), LT_ENVELOPE_OK);
    /* The signature is plain Ed25519 over context || event bytes. */
    assert_int_equal(lt_sign_verify(se->signature.data, "lienthong.v1.SignedEvent\n", ev, sizeof ev, pk), LT_OK);
    uint8_t other_pk[32], other_sk[64];
    lt_sign_keypair(other_pk, other_sk);
    assert_int_equal(lt_envelope_verify(se, other_pk), LT_ENVELOPE_BAD_SIGNATURE);
    lienthong__v1__signed_event__free_unpacked(se, NULL);

    /* Every single flipped bit is caught, by decoding, shape or signature. */
    for (size_t bit = 0; bit < len * 8; bit++) {
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        enum lt_envelope_result r = lt_envelope_open(buf, len, &se);
        if (r == LT_ENVELOPE_OK) {
            int same_id = strcmp(se->key_id, "agency-1:2026") == 0;
            r = lt_envelope_verify(se, pk);
            lienthong__v1__signed_event__free_unpacked(se, NULL);
            /* A flip inside the key id still verifies but names another key,
             * which the registry then does not give this public key for. */
            if (r == LT_ENVELOPE_OK)
                assert_false(same_id);
        }
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    free(buf);
}

static void shape_defects(void **s)
{
    (void)s;
    Lienthong__V1__SignedEvent *se;
    uint8_t sig[64] = { 0 }, ev[] = { 1, 2, 3 };
    Lienthong__V1__SignedEvent m = LIENTHONG__V1__SIGNED_EVENT__INIT;
    uint8_t buf[512];
    size_t n;

    const uint8_t garbage[] = { 0xff, 0xff, 0xff };
    assert_int_equal(lt_envelope_open(garbage, sizeof garbage, &se), LT_ENVELOPE_UNDECODABLE);
    assert_null(se);

    m.event.data = ev; m.event.len = 3; m.signature.data = sig; m.signature.len = 64;
    m.key_id = "k"; m.envelope_version = 2;
    n = lienthong__v1__signed_event__pack(&m, buf);
    assert_int_equal(lt_envelope_open(buf, n, &se), LT_ENVELOPE_VERSION_UNKNOWN);

    m.envelope_version = 1; m.signature.len = 63;
    n = lienthong__v1__signed_event__pack(&m, buf);
    assert_int_equal(lt_envelope_open(buf, n, &se), LT_ENVELOPE_SIGNATURE_SIZE);

    m.signature.len = 64; m.key_id = "bad key";
    n = lienthong__v1__signed_event__pack(&m, buf);
    assert_int_equal(lt_envelope_open(buf, n, &se), LT_ENVELOPE_KEY_ID_INVALID);

    m.key_id = "k"; m.event.len = 0;
    n = lienthong__v1__signed_event__pack(&m, buf);
    assert_int_equal(lt_envelope_open(buf, n, &se), LT_ENVELOPE_EVENT_EMPTY);

    m.event.len = 3;
    n = lienthong__v1__signed_event__pack(&m, buf);
    assert_int_equal(lt_envelope_open(buf, n, &se), LT_ENVELOPE_OK);
    Lienthong__V1__Event *e;
    /* 01 02 03 is not a valid Event encoding (field 0). */
    assert_int_equal(lt_envelope_event(se, &e), LT_ENVELOPE_EVENT_UNDECODABLE);
    assert_null(e);
    lienthong__v1__signed_event__free_unpacked(se, NULL);

    char err[256];
    uint8_t *out;
    size_t outlen;
    assert_int_equal(lt_envelope_seal(ev, 3, "", sk, &out, &outlen, err, sizeof err), LT_ERR_INVALID);
    assert_int_equal(lt_envelope_seal(ev, 0, "k", sk, &out, &outlen, err, sizeof err), LT_ERR_INVALID);
    assert_string_equal(lt_envelope_result_name(LT_ENVELOPE_BAD_SIGNATURE), "bad_signature");
}

static void key_files(void **s)
{
    (void)s;
    char dir[] = "/tmp/lt-keyfile-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], err[512];
    snprintf(path, sizeof path, "%s/police.key", dir);
    struct lt_key k, r;
    uint8_t seed[32];
    memset(seed, 7, sizeof seed);
    assert_int_equal(lt_keyfile_create(path, "BD-CA:2026-1", "BD-CA", seed, &k, err, sizeof err), LT_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(lt_keyfile_read(path, &r, err, sizeof err), LT_OK);
    assert_memory_equal(r.pk, k.pk, 32);
    assert_memory_equal(r.sk, k.sk, 64);
    assert_string_equal(r.key_id, "BD-CA:2026-1");
    assert_string_equal(r.agency_code, "BD-CA");
    char *pub = lt_keyfile_public_json(&r);
    assert_non_null(strstr(pub, "\"public_key\""));
    assert_null(strstr(pub, "seed"));
    free(pub);

    /* Never overwritten. */
    assert_int_equal(lt_keyfile_create(path, "x", "BD-CA", NULL, &k, err, sizeof err), LT_ERR_IO);
    assert_non_null(strstr(err, "never overwritten"));
    /* Readable by others: refused. */
    chmod(path, 0644);
    assert_int_equal(lt_keyfile_read(path, &r, err, sizeof err), LT_ERR_INVALID);
    assert_non_null(strstr(err, "refusing"));
    chmod(path, 0600);
    /* Damaged: public key not matching the seed. */
    char bad[256];
    snprintf(bad, sizeof bad, "%s/bad.key", dir);
    int fd = open(bad, O_WRONLY | O_CREAT | O_EXCL, 0600);
    const char *txt = "{\"format\":\"lienthong-ed25519-secret-v1\",\"key_id\":\"k\",\"agency_code\":\"A\","
                      "\"seed\":\"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\","
                      "\"public_key\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}";
    assert_int_equal(write(fd, txt, strlen(txt)), (ssize_t)strlen(txt));
    close(fd);
    assert_int_equal(lt_keyfile_read(bad, &r, err, sizeof err), LT_ERR_INVALID);
    assert_non_null(strstr(err, "does not belong"));
    assert_int_equal(lt_keyfile_read("/nonexistent/k", &r, err, sizeof err), LT_ERR_IO);
    assert_int_equal(lt_keyfile_create(path, "ok", "bad code!", NULL, &k, err, sizeof err), LT_ERR_INVALID);
    unlink(bad);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    if (lt_sign_init() != LT_OK)
        return 1;
    lt_sign_keypair(pk, sk);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seal_open_verify),
        cmocka_unit_test(shape_defects),
        cmocka_unit_test(key_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
