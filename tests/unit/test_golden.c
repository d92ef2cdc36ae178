/* test_golden — known answers for the contract (libsodium's .exp style).
 *
 * For each event in tests/golden/events/ (one .json each): the protobuf JSON is
 * converted generically to an Event and serialized; the bytes must equal
 * tests/golden/kat/<name>.event.hex. Sealed with the fixed test key (seed
 * 00 01 … 1f, key id "<agency>:golden"), the SignedEvent must equal
 * <name>.envelope.hex, and its Kafka key and CloudEvents headers (subject-key
 * secret 20 21 … 3f) must equal <name>.record.txt. Any change to the
 * encoding, the signing or the record conventions shows here.
 *
 * The known answers were made by this code and checked independently: by
 * Google's protoc (`protoc --decode`) and by the Node.js verifier in
 * tests/interop. To remake them after a deliberate change:
 * LT_GOLDEN_UPDATE=1 build/.../test_golden, then review the diff. */
#include <assert.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "core/err.h"
#include "core/mem.h"
#include "event/envelope.h"
#include "event/pbjson.h"
#include "event/record.h"

static const char *names[] = { "permit_issued", "entry", "outbound_registered",
                               "contract_registered", "departure" };
static char golden_dir[1024];

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = lt_malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    fclose(f);
    s[got] = '\0';
    return s;
}

/* Compares text with the known answer in file, or writes it when updating. */
static void known_answer(const char *name, const char *suffix, const char *text)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/kat/%s.%s", golden_dir, name, suffix);
    if (getenv("LT_GOLDEN_UPDATE")) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
        return;
    }
    char *want = slurp(path);
    if (!want)
        fail_msg("missing known answer %s (LT_GOLDEN_UPDATE=1 makes it)", path);
    if (strcmp(want, text) != 0)
        fail_msg("%s differs from the known answer:\n got  %s\n want %s", path, text, want);
    free(want);
}

static char *hex_line(const uint8_t *b, size_t n)
{
    char *h = lt_malloc(2 * n + 2);
    sodium_bin2hex(h, 2 * n + 1, b, n);
    strcat(h, "\n");
    return h;
}

static void one(const char *name)
{
    char path[1200], err[256];
    snprintf(path, sizeof path, "%s/events/%s.json", golden_dir, name);
    json_error_t je;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        fail_msg("%s: %s", path, je.text);
    static struct lt_pbjson_errors errs;
    ProtobufCMessage *m;
    assert_int_equal(lt_pbjson_to_message(&lienthong__v1__event__descriptor, j, &m, &errs), LT_OK);
    Lienthong__V1__Event *ev = (Lienthong__V1__Event *)m;

    size_t n = protobuf_c_message_get_packed_size(m);
    uint8_t *bytes = lt_malloc(n);
    protobuf_c_message_pack(m, bytes);
    char *h = hex_line(bytes, n);
    known_answer(name, "event.hex", h);
    free(h);

    uint8_t seed[32], pk[32], sk[64], secret[32];
    for (int i = 0; i < 32; i++) {
        seed[i] = (uint8_t)i;
        secret[i] = (uint8_t)(32 + i);
    }
    lt_sign_seed_keypair(pk, sk, seed);
    char key_id[160];
    snprintf(key_id, sizeof key_id, "%s:golden", ev->header->agency_code);
    uint8_t *env;
    size_t env_len;
    assert_int_equal(lt_envelope_seal(bytes, n, key_id, sk, &env, &env_len, err, sizeof err), LT_OK);
    h = hex_line(env, env_len);
    known_answer(name, "envelope.hex", h);
    free(h);

    /* The sealed envelope opens, verifies and decodes back to the same JSON. */
    Lienthong__V1__SignedEvent *se;
    Lienthong__V1__Event *back;
    assert_int_equal(lt_envelope_open(env, env_len, &se), LT_ENVELOPE_OK);
    assert_int_equal(lt_envelope_verify(se, pk), LT_ENVELOPE_OK);
    assert_int_equal(lt_envelope_event(se, &back), LT_ENVELOPE_OK);
    json_t *j2 = lt_pbjson_from_message(&back->base, 0);
    assert_true(json_equal(j, j2));

    struct lt_record_meta rm;
    assert_int_equal(lt_record_meta_of(back, secret, &rm, err, sizeof err), LT_OK);
    char rec[1024], keyhex[65];
    sodium_bin2hex(keyhex, sizeof keyhex, rm.key, sizeof rm.key);
    snprintf(rec, sizeof rec, "key %s\nce_id %s\nce_source %s\nce_type %s\nce_time %s\nce_subject %s\n",
             keyhex, rm.ce_id, rm.ce_source, rm.ce_type, rm.ce_time, rm.ce_subject);
    known_answer(name, "record.txt", rec);

    json_decref(j2);
    lienthong__v1__event__free_unpacked(back, NULL);
    lienthong__v1__signed_event__free_unpacked(se, NULL);
    free(env);
    free(bytes);
    protobuf_c_message_free_unpacked(m, NULL);
    json_decref(j);
}

static void all_known_answers(void **s)
{
    (void)s;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        one(names[i]);
}

static void signature_is_deterministic_over_exact_bytes(void **s)
{
    (void)s;
    /* The envelope's signature field is Ed25519(seed 00..1f) over the context
     * and the event bytes of the known answer: recompute it from the hex. */
    char path[1200];
    snprintf(path, sizeof path, "%s/kat/permit_issued.event.hex", golden_dir);
    char *hex = slurp(path);
    assert_non_null(hex);
    size_t n = 0;
    uint8_t bytes[4096], seed[32], pk[32], sk[64], sig[64];
    assert_int_equal(sodium_hex2bin(bytes, sizeof bytes, hex, strlen(hex), "\n", &n, NULL), 0);
    for (int i = 0; i < 32; i++)
        seed[i] = (uint8_t)i;
    lt_sign_seed_keypair(pk, sk, seed);
    lt_sign_detached(sig, "lienthong.v1.SignedEvent\n", bytes, n, sk);
    snprintf(path, sizeof path, "%s/kat/permit_issued.envelope.hex", golden_dir);
    char *envhex = slurp(path);
    char sighex[129];
    sodium_bin2hex(sighex, sizeof sighex, sig, sizeof sig);
    assert_non_null(strstr(envhex, sighex));
    free(hex);
    free(envhex);
}

int main(void)
{
    if (lt_sign_init() != LT_OK)
        return 1;
    /* __FILE__ is tests/unit/test_golden.c: the golden data is ../golden. */
    snprintf(golden_dir, sizeof golden_dir, "%s", __FILE__);
    char *slash = strrchr(golden_dir, '/');
    assert(slash);
    strcpy(slash, "/../golden");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(all_known_answers),
        cmocka_unit_test(signature_is_deterministic_over_exact_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
