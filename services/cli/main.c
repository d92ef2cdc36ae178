/* lienthong — the contract's command-line tools for agency integrators and
 * inspectors:
 *
 *   lienthong keygen  make an agency signing key (secret file 0600) and print
 *                     its registry entry
 *   lienthong sign    Event in the protobuf JSON mapping → signed envelope
 *   lienthong verify  envelope → JSON verdict, checked against the registry
 *                     (or one public key) the way the consolidator checks it
 *   lienthong inspect envelope → JSON, without checking any key
 *   lienthong topic-check  read a whole agency topic from Kafka and verify
 *                     every record and the agency's chain end to end
 *
 * JSON is converted generically through protobuf-c's descriptors (event/
 * pbjson), never by a per-message mapper. Exit status: 0 success (for verify:
 * every envelope valid), 1 a rejected input, 2 a usage or setup error. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/config.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/clock.h"
#include "core/uuid.h"
#include "crypto/chain.h"
#include "crypto/hash.h"
#include "crypto/keyfile.h"
#include "event/admit.h"
#include "event/envelope.h"
#include "event/pbjson.h"
#include "event/record.h"
#include "kafka/kafka.h"
#include "event/validate.h"
#include "registry/registry.h"

#define EXIT_REJECTED 1
#define EXIT_USAGE 2
#define LT_CLI_MAX_INPUT (16u << 20) /* 16 MiB: far above any event */

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: lienthong COMMAND [options] [arguments]\n\n"
            "Commands:\n"
            "  keygen   make an agency signing key; prints its registry entry\n"
            "  sign     sign an Event given as protobuf JSON; writes a SignedEvent\n"
            "  verify   check SignedEvent files against the registry; prints verdicts\n"
            "  inspect  print SignedEvent files as JSON without checking keys\n"
            "  publish  publish SignedEvent files to Kafka with the record key and headers\n"
            "  topic-check  read an agency topic from Kafka; verify every record and the chain\n"
            "  witness  check the hub's signed checkpoints extend each other; co-sign them\n\n"
            "'lienthong COMMAND --help' explains each. Exit status: 0 success, 1 an input\n"
            "was rejected, 2 usage or setup error.\n");
}

/* Reads all of path ("-" = stdin) into a new buffer. Returns LT_OK. */
static int read_all(const char *path, uint8_t **out, size_t *len, char *err, size_t errlen)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f)
        return lt_err_set(err, errlen, LT_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 4096, n = 0;
    uint8_t *buf = lt_malloc(cap);
    size_t r;
    while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n > LT_CLI_MAX_INPUT) {
            free(buf);
            if (f != stdin)
                fclose(f);
            return lt_err_set(err, errlen, LT_ERR_INVALID, "%s is larger than %u bytes", path,
                              LT_CLI_MAX_INPUT);
        }
        if (n == cap)
            buf = lt_realloc(buf, cap *= 2);
    }
    int bad = ferror(f);
    if (f != stdin)
        fclose(f);
    if (bad) {
        free(buf);
        return lt_err_set(err, errlen, LT_ERR_IO, "cannot read %s", path);
    }
    *out = buf;
    *len = n;
    return LT_OK;
}

static void print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    puts(s);
    free(s);
}

/* ---- keygen ----------------------------------------------------------- */

struct keygen_cfg { char *agency, *key_id, *out; };
static const struct lt_opt keygen_opts[] = {
    { "agency", LT_OPT_STRING, NULL, 0, 0, NULL, offsetof(struct keygen_cfg, agency), 1,
      "agency code the key signs for (as in the registry)" },
    { "key-id", LT_OPT_STRING, NULL, 0, 0, NULL, offsetof(struct keygen_cfg, key_id), 1,
      "identifier of the new key, never reused (e.g. bdinh.police:2026-1)" },
    { "out", LT_OPT_STRING, NULL, 0, 0, NULL, offsetof(struct keygen_cfg, out), 1,
      "secret key file to create (mode 0600; an existing file is never replaced)" },
};
static const struct lt_config_spec keygen_spec = {
    "lienthong keygen", "--agency CODE --key-id ID --out FILE",
    "Makes a new Ed25519 signing key for an agency. The secret goes to FILE (mode\n"
    "0600); the public half is printed as a registry key entry to add to the\n"
    "registry file (deploy/registry/README.md).",
    keygen_opts, sizeof keygen_opts / sizeof keygen_opts[0],
};

static int cmd_keygen(int argc, char **argv)
{
    struct keygen_cfg c = { 0 };
    char err[1024];
    int rc = lt_config_load(&keygen_spec, &c, argc, argv, NULL, err, sizeof err);
    if (rc == 1)
        return 0;
    if (rc != LT_OK) {
        fprintf(stderr, "lienthong keygen: %s\n", err);
        lt_config_free(&keygen_spec, &c);
        return EXIT_USAGE;
    }
    struct lt_key k;
    rc = lt_keyfile_create(c.out, c.key_id, c.agency, NULL, &k, err, sizeof err);
    if (rc != LT_OK) {
        fprintf(stderr, "lienthong keygen: %s\n", err);
        lt_config_free(&keygen_spec, &c);
        return EXIT_USAGE;
    }
    char *pub = lt_keyfile_public_json(&k);
    puts(pub);
    free(pub);
    fprintf(stderr, "lienthong keygen: secret key written to %s (mode 0600); add the entry "
                    "above to the registry's \"keys\"\n", c.out);
    lt_key_wipe(&k);
    lt_config_free(&keygen_spec, &c);
    return 0;
}

/* ---- sign ------------------------------------------------------------- */

struct sign_cfg { char *key, *out; int no_validate, new_id; };
static const struct lt_opt sign_opts[] = {
    { "key", LT_OPT_STRING, NULL, 0, 0, "LT_SIGNING_KEY_FILE", offsetof(struct sign_cfg, key), 1,
      "the agency's secret key file (from 'lienthong keygen')" },
    { "out", LT_OPT_STRING, "-", 0, 0, NULL, offsetof(struct sign_cfg, out), 0,
      "where to write the SignedEvent bytes ('-' = stdout, refused on a terminal)" },
    { "new-id", LT_OPT_BOOL, "false", 0, 0, NULL, offsetof(struct sign_cfg, new_id), 0,
      "give the event a fresh UUIDv7 id and recordedAt = now before signing" },
    { "no-validate", LT_OPT_BOOL, "false", 0, 0, NULL, offsetof(struct sign_cfg, no_validate), 0,
      "sign even when the event breaks a contract or legal rule (for test data only)" },
};
static const struct lt_config_spec sign_spec = {
    "lienthong sign", "--key FILE [options] [EVENT.json | -]",
    "Reads one Event in the protobuf JSON mapping (stdin by default), checks it\n"
    "against the contract and the legal rules of its date, serializes it once,\n"
    "signs those bytes and writes the SignedEvent. The header's agencyCode must be\n"
    "the key's agency. Every invalid field is reported, with its path.",
    sign_opts, sizeof sign_opts / sizeof sign_opts[0],
};

static int cmd_sign(int argc, char **argv)
{
    struct sign_cfg c = { 0 };
    char err[1024];
    int first = 0, status = EXIT_USAGE;
    uint8_t *text = NULL, *packed = NULL, *env = NULL;
    size_t text_len = 0, env_len = 0;
    json_t *j = NULL;
    ProtobufCMessage *msg = NULL;
    struct lt_key k;
    int have_key = 0;
    static struct lt_pbjson_errors perrs;

    int rc = lt_config_load(&sign_spec, &c, argc, argv, &first, err, sizeof err);
    if (rc == 1) {
        status = 0;
        goto out;
    }
    if (rc != LT_OK || argc - first > 1) {
        fprintf(stderr, "lienthong sign: %s\n", rc != LT_OK ? err : "give at most one input file");
        goto out;
    }
    if (lt_keyfile_read(c.key, &k, err, sizeof err) != LT_OK) {
        fprintf(stderr, "lienthong sign: %s\n", err);
        goto out;
    }
    have_key = 1;
    const char *in = first < argc ? argv[first] : "-";
    if (read_all(in, &text, &text_len, err, sizeof err) != LT_OK) {
        fprintf(stderr, "lienthong sign: %s\n", err);
        goto out;
    }
    status = EXIT_REJECTED;
    json_error_t je;
    j = json_loadb((const char *)text, text_len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        fprintf(stderr, "lienthong sign: %s is not JSON: line %d column %d: %s\n", in, je.line,
                je.column, je.text);
        goto out;
    }
    if (lt_pbjson_to_message(&lienthong__v1__event__descriptor, j, &msg, &perrs) != LT_OK) {
        fprintf(stderr, "lienthong sign: %s is not a valid Event (%zu error%s):\n", in,
                perrs.count, perrs.count == 1 ? "" : "s");
        for (size_t i = 0; i < perrs.n_stored; i++)
            fprintf(stderr, "  %s: %s [%s]\n", perrs.items[i].path[0] ? perrs.items[i].path : "(document)",
                    perrs.items[i].message, perrs.items[i].code);
        goto out;
    }
    Lienthong__V1__Event *ev = (Lienthong__V1__Event *)msg;
    if (c.new_id) {
        if (!ev->header) {
            fprintf(stderr, "lienthong sign: the event has no header\n");
            goto out;
        }
        free(ev->header->event_id.data);
        ev->header->event_id.data = lt_malloc(LT_UUID_BYTES);
        ev->header->event_id.len = LT_UUID_BYTES;
        lt_uuid7(ev->header->event_id.data);
        ev->header->recorded_at_ms = lt_uuid7_time_ms(ev->header->event_id.data);
    }
    if (!ev->header || !ev->header->agency_code || strcmp(ev->header->agency_code, k.agency_code)) {
        fprintf(stderr, "lienthong sign: header.agencyCode '%s' is not the key's agency '%s'\n",
                ev->header && ev->header->agency_code ? ev->header->agency_code : "",
                k.agency_code);
        goto out;
    }
    if (!c.no_validate) {
        static struct lt_validate_result vr;
        lt_validate_result_init(&vr);
        if (lt_validate_event(ev, &vr) != LT_OK) {
            char buf[8192];
            lt_validate_render(&vr, buf, sizeof buf);
            fprintf(stderr, "lienthong sign: the event breaks the contract or the law of its "
                            "date; not signed:\n%s\n", buf);
            goto out;
        }
    }
    size_t n = protobuf_c_message_get_packed_size(msg);
    packed = lt_malloc(n);
    protobuf_c_message_pack(msg, packed);
    if (lt_envelope_seal(packed, n, k.key_id, k.sk, &env, &env_len, err, sizeof err) != LT_OK) {
        fprintf(stderr, "lienthong sign: %s\n", err);
        goto out;
    }
    status = EXIT_USAGE;
    if (!strcmp(c.out, "-")) {
        if (isatty(STDOUT_FILENO)) {
            fprintf(stderr, "lienthong sign: refusing to write binary to a terminal; use --out FILE\n");
            goto out;
        }
        if (fwrite(env, 1, env_len, stdout) != env_len || fflush(stdout) != 0) {
            fprintf(stderr, "lienthong sign: cannot write stdout\n");
            goto out;
        }
    } else {
        FILE *f = fopen(c.out, "wb");
        if (!f || fwrite(env, 1, env_len, f) != env_len || fclose(f) != 0) {
            fprintf(stderr, "lienthong sign: cannot write %s: %s\n", c.out, strerror(errno));
            goto out;
        }
    }
    uint8_t h[LT_HASH_BYTES];
    char hex[2 * LT_HASH_BYTES + 1], id[LT_UUID_STRLEN + 1] = "-";
    lt_hash_event(h, packed, n);
    if (ev->header->event_id.len == LT_UUID_BYTES)
        lt_uuid_format(ev->header->event_id.data, id);
    fprintf(stderr, "lienthong sign: signed event %s (agency %s, sequence %" PRIu64
                    ", %zu bytes, hash %s) with key %s\n", id, ev->header->agency_code,
            ev->header->sequence, n, lt_hex(hex, h, sizeof h), k.key_id);
    status = 0;
out:
    if (have_key)
        lt_key_wipe(&k);
    if (msg)
        protobuf_c_message_free_unpacked(msg, NULL);
    json_decref(j);
    free(text);
    free(packed);
    free(env);
    lt_config_free(&sign_spec, &c);
    return status;
}

/* ---- verify / inspect -------------------------------------------------- */

struct verify_cfg { char *registry, *public_key; };
static const struct lt_opt verify_opts[] = {
    { "registry", LT_OPT_STRING, NULL, 0, 0, "LT_REGISTRY", offsetof(struct verify_cfg, registry), 0,
      "the agency registry file: keys, their validity and revocation, permissions" },
    { "public-key", LT_OPT_STRING, NULL, 0, 0, NULL, offsetof(struct verify_cfg, public_key), 0,
      "instead of a registry: one public key entry (as printed by keygen); then "
      "key validity and permissions are not checked" },
};
static const struct lt_config_spec verify_spec = {
    "lienthong verify", "(--registry FILE | --public-key FILE) ENVELOPE...",
    "Checks each SignedEvent file as the consolidator does, in the order of\n"
    "envelope.proto: envelope shape, key, signature over the bytes as received,\n"
    "decoding, the agency's key validity and permission at recordedAt, then the\n"
    "contract and legal rules. Prints one JSON verdict per file; exit 0 only if\n"
    "every file is valid.",
    verify_opts, sizeof verify_opts / sizeof verify_opts[0],
};

/* One public key given on the command line instead of a registry. */
struct single_key { char key_id[LT_KEY_ID_MAX + 1]; char agency[65]; uint8_t pk[32]; };

static int load_single_key(const char *path, struct single_key *sk, char *err, size_t errlen)
{
    json_error_t je;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    const char *id, *agency, *pk64;
    size_t n = 0;
    int rc = LT_OK;
    if (!j)
        return lt_err_set(err, errlen, LT_ERR_INVALID, "%s: %s", path, je.text);
    if (json_unpack(j, "{s:s, s:s, s:s}", "key_id", &id, "agency", &agency,
                    "public_key", &pk64) != 0 ||
        sodium_base642bin(sk->pk, sizeof sk->pk, pk64, strlen(pk64), NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 || n != sizeof sk->pk ||
        strlen(id) > LT_KEY_ID_MAX || strlen(agency) > 64)
        rc = lt_err_set(err, errlen, LT_ERR_INVALID,
                        "%s: needs key_id, agency and a 32-byte base64 public_key", path);
    else {
        snprintf(sk->key_id, sizeof sk->key_id, "%s", id);
        snprintf(sk->agency, sizeof sk->agency, "%s", agency);
    }
    json_decref(j);
    return rc;
}

/* The admission keys of the tool's options: a registry, or one public key. */
static void admit_keys(struct lt_admit_keys *k, const struct lt_registry *reg,
                       const struct single_key *single, const uint8_t *secret, int check_keys)
{
    memset(k, 0, sizeof *k);
    k->registry = reg;
    k->subject_secret = secret;
    k->skip_signature = !check_keys;
    if (!reg && single) {
        k->key_id = single->key_id;
        k->agency_code = single->agency;
        memcpy(k->pk, single->pk, sizeof k->pk);
    }
}

/* Fills verdict v for one envelope (msg: the Kafka record, or NULL); returns 1
 * when valid. check_keys = 0 for inspect. */
static int verdict_of(const uint8_t *buf, size_t len, const rd_kafka_message_t *msg,
                      const struct lt_admit_keys *k, json_t *v, struct lt_admission *a)
{
    int valid = lt_admit(k, buf, len, msg, a);
    if (a->se)
        json_object_set_new(v, "key_id", json_string(a->se->key_id));
    if (a->ev) {
        char hex[2 * LT_HASH_BYTES + 1];
        json_object_set_new(v, "event_hash", json_string(lt_hex(hex, a->event_hash,
                                                                sizeof a->event_hash)));
        json_t *ej = lt_pbjson_from_message(&a->ev->base, 0);
        json_object_set_new(v, "event", ej ? ej : json_null());
        json_object_set_new(v, "type", a->type ? json_string(a->type) : json_null());
    }
    if (k->skip_signature && valid)
        json_object_set_new(v, "signature", json_string("not checked"));
    if (!valid && !strcmp(a->stage, "validate"))
        json_object_set_new(v, "violations", lt_validate_result_json(&a->vr));
    json_object_set_new(v, "verdict", json_string(valid ? "valid" : "rejected"));
    if (!valid) {
        json_object_set_new(v, "stage", json_string(a->stage));
        json_object_set_new(v, "code", json_string(a->code));
        json_object_set_new(v, "reason", json_string(a->reason));
    } else if (!k->skip_signature && !k->registry) {
        json_object_set_new(v, "note", json_string("checked with one public key: key validity "
                                                   "period, revocation and permissions not checked"));
    }
    return valid;
}

static int cmd_verify(int argc, char **argv, int check_keys)
{
    struct verify_cfg c = { 0 };
    char err[4096];
    int first = 0, status = EXIT_USAGE;
    struct lt_registry *reg = NULL;
    struct single_key single;
    int rc = check_keys ? lt_config_load(&verify_spec, &c, argc, argv, &first, err, sizeof err)
                        : LT_OK;
    if (!check_keys) {
        first = 1;
        if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            printf("Usage: lienthong inspect ENVELOPE...\n\nPrints each SignedEvent file as "
                   "JSON (its event in the protobuf JSON mapping)\nwithout checking any key: "
                   "for looking, never for trusting.\n");
            return 0;
        }
    }
    if (rc == 1)
        return 0;
    if (rc != LT_OK) {
        fprintf(stderr, "lienthong verify: %s\n", err);
        goto out;
    }
    if (first >= argc) {
        fprintf(stderr, "lienthong %s: give at least one envelope file ('-' for stdin)\n",
                check_keys ? "verify" : "inspect");
        goto out;
    }
    if (check_keys) {
        if (!!c.registry == !!c.public_key) {
            fprintf(stderr, "lienthong verify: give exactly one of --registry or --public-key\n");
            goto out;
        }
        if (c.registry && lt_registry_new(c.registry, &reg, err, sizeof err) != LT_OK) {
            fprintf(stderr, "lienthong verify: %s\n", err);
            goto out;
        }
        if (c.public_key && load_single_key(c.public_key, &single, err, sizeof err) != LT_OK) {
            fprintf(stderr, "lienthong verify: %s\n", err);
            goto out;
        }
    }
    status = 0;
    for (int i = first; i < argc; i++) {
        uint8_t *buf;
        size_t len;
        json_t *v = json_object();
        json_object_set_new(v, "file", json_string(argv[i]));
        if (read_all(argv[i], &buf, &len, err, sizeof err) != LT_OK) {
            json_object_set_new(v, "verdict", json_string("unreadable"));
            json_object_set_new(v, "reason", json_string(err));
            status = EXIT_USAGE;
        } else {
            struct lt_admit_keys k;
            static struct lt_admission a;
            admit_keys(&k, reg, &single, NULL, check_keys);
            if (!verdict_of(buf, len, NULL, &k, v, &a) && status == 0)
                status = EXIT_REJECTED;
            lt_admission_clear(&a);
            free(buf);
        }
        print_json(v);
        json_decref(v);
    }
out:
    lt_registry_free(reg);
    lt_config_free(&verify_spec, &c);
    return status;
}

/* ---- publish ----------------------------------------------------------- */

struct publish_cfg { char *kafka_bootstrap, *topic, *subject_key_file; };
static const struct lt_opt publish_opts[] = {
    { "kafka-bootstrap", LT_OPT_STRING, NULL, 0, 0, "LT_KAFKA_BOOTSTRAP",
      offsetof(struct publish_cfg, kafka_bootstrap), 1, "Kafka bootstrap servers" },
    { "topic", LT_OPT_STRING, "", 0, 0, NULL, offsetof(struct publish_cfg, topic), 0,
      "the topic (default lienthong.agency.<the event's agency>)" },
    { "subject-key-file", LT_OPT_STRING, NULL, 0, 0, "LT_SUBJECT_KEY_FILE",
      offsetof(struct publish_cfg, subject_key_file), 1,
      "the province's subject-key secret (for the record key and ce_subject)" },
};
static const struct lt_config_spec publish_spec = {
    "lienthong publish", "--kafka-bootstrap B --subject-key-file FILE ENVELOPE...",
    "Publishes SignedEvent files as they are, each as one Kafka record with the\n"
    "record key and CloudEvents headers the contract prescribes (acks=all,\n"
    "idempotent). For agencies that sign elsewhere, and for re-publishing: the\n"
    "bytes are not checked or changed; readers verify them.",
    publish_opts, sizeof publish_opts / sizeof publish_opts[0],
};

static void publish_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    int *failed = opaque;
    if (m->err) {
        (*failed)++;
        fprintf(stderr, "lienthong publish: not delivered: %s\n", rd_kafka_err2str(m->err));
    }
}

static int cmd_publish(int argc, char **argv)
{
    struct publish_cfg c = { 0 };
    char err[1024];
    int first = 0, status = EXIT_USAGE, failed = 0;
    uint8_t secret[32];
    rd_kafka_t *p = NULL;
    int rc = lt_config_load(&publish_spec, &c, argc, argv, &first, err, sizeof err);
    if (rc == 1) {
        status = 0;
        goto out;
    }
    if (rc != LT_OK || first >= argc) {
        fprintf(stderr, "lienthong publish: %s\n", rc != LT_OK ? err : "give envelope files");
        goto out;
    }
    if (lt_keyfile_read_secret32(c.subject_key_file, secret, err, sizeof err) != LT_OK ||
        !(p = lt_kafka_producer_new(c.kafka_bootstrap, "lienthong-publish", NULL, publish_dr,
                                    &failed, err, sizeof err))) {
        fprintf(stderr, "lienthong publish: %s\n", err);
        goto out;
    }
    status = 0;
    for (int i = first; i < argc; i++) {
        uint8_t *buf;
        size_t len;
        Lienthong__V1__SignedEvent *se = NULL;
        Lienthong__V1__Event *ev = NULL;
        struct lt_record_meta meta;
        char topic[300];
        if (read_all(argv[i], &buf, &len, err, sizeof err) != LT_OK) {
            fprintf(stderr, "lienthong publish: %s\n", err);
            status = EXIT_USAGE;
            continue;
        }
        if (lt_envelope_open(buf, len, &se) != LT_ENVELOPE_OK ||
            lt_envelope_event(se, &ev) != LT_ENVELOPE_OK ||
            lt_record_meta_of(ev, secret, &meta, err, sizeof err) != LT_OK ||
            (*c.topic ? snprintf(topic, sizeof topic, "%s", c.topic) < 0
                      : lt_record_topic(ev->header->agency_code, topic, sizeof topic) != LT_OK)) {
            fprintf(stderr, "lienthong publish: %s: not a publishable SignedEvent\n", argv[i]);
            status = EXIT_REJECTED;
        } else {
            rd_kafka_headers_t *hs = lt_record_headers_new(&meta);
            rd_kafka_resp_err_t e = rd_kafka_producev(
                p, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(meta.key, sizeof meta.key),
                RD_KAFKA_V_VALUE(buf, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                RD_KAFKA_V_HEADERS(hs), RD_KAFKA_V_END);
            if (e) {
                rd_kafka_headers_destroy(hs);
                fprintf(stderr, "lienthong publish: %s: %s\n", argv[i], rd_kafka_err2str(e));
                status = EXIT_USAGE;
            }
        }
        if (ev)
            lienthong__v1__event__free_unpacked(ev, NULL);
        if (se)
            lienthong__v1__signed_event__free_unpacked(se, NULL);
        free(buf);
    }
    if (rd_kafka_flush(p, 30000) != RD_KAFKA_RESP_ERR_NO_ERROR || failed) {
        fprintf(stderr, "lienthong publish: %d record(s) not acknowledged by Kafka\n", failed);
        status = EXIT_USAGE;
    }
out:
    if (p)
        rd_kafka_destroy(p);
    sodium_memzero(secret, sizeof secret);
    lt_config_free(&publish_spec, &c);
    return status;
}

/* ---- topic-check ------------------------------------------------------ */

struct topic_cfg {
    char *kafka_bootstrap, *topic, *agency, *registry, *public_key, *subject_key_file, *expect_ids;
    long long timeout_ms;
};
static const struct lt_opt topic_opts[] = {
    { "kafka-bootstrap", LT_OPT_STRING, NULL, 0, 0, "LT_KAFKA_BOOTSTRAP",
      offsetof(struct topic_cfg, kafka_bootstrap), 1, "Kafka bootstrap servers" },
    { "agency", LT_OPT_STRING, NULL, 0, 0, NULL, offsetof(struct topic_cfg, agency), 1,
      "the agency whose chain the topic carries" },
    { "topic", LT_OPT_STRING, "", 0, 0, NULL, offsetof(struct topic_cfg, topic), 0,
      "the topic (default lienthong.agency.<agency>)" },
    { "registry", LT_OPT_STRING, NULL, 0, 0, "LT_REGISTRY", offsetof(struct topic_cfg, registry), 0,
      "check keys against this registry" },
    { "public-key", LT_OPT_STRING, NULL, 0, 0, NULL, offsetof(struct topic_cfg, public_key), 0,
      "or against one public key entry (as printed by keygen)" },
    { "subject-key-file", LT_OPT_STRING, NULL, 0, 0, "LT_SUBJECT_KEY_FILE",
      offsetof(struct topic_cfg, subject_key_file), 0,
      "also check each record's key and CloudEvents headers (needs the subject-key secret)" },
    { "expect-ids", LT_OPT_STRING, NULL, 0, 0, NULL, offsetof(struct topic_cfg, expect_ids), 0,
      "a file of event ids (UUID text, one per line) that must all be in the topic" },
    { "timeout-ms", LT_OPT_INT, "60000", 1000, 3600000, NULL, offsetof(struct topic_cfg, timeout_ms), 0,
      "give up reading after this long" },
};
static const struct lt_config_spec topic_spec = {
    "lienthong topic-check", "--agency CODE (--registry FILE | --public-key FILE) [options]",
    "Reads an agency topic from its beginning to its current end and checks every\n"
    "record as a reader must: the envelope, the signature over the bytes as\n"
    "received, the agency, and (with --subject-key-file) the record key and\n"
    "headers. Then it checks the agency's chain over all partitions: sequence\n"
    "numbers gapless from 1, each prev_hash the hash of the event before, no two\n"
    "different events with one number. Exact re-sends (same bytes) are counted,\n"
    "not errors. Prints a JSON summary; exit 0 only if everything held.",
    topic_opts, sizeof topic_opts / sizeof topic_opts[0],
};

struct seen_event {
    struct lt_chain_link link;
    char id[LT_UUID_STRLEN + 1];
};

static int cmp_seen(const void *a, const void *b)
{
    const struct seen_event *x = a, *y = b;
    if (x->link.seq != y->link.seq)
        return x->link.seq < y->link.seq ? -1 : 1;
    return memcmp(x->link.hash, y->link.hash, LT_HASH_BYTES);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmd_topic_check(int argc, char **argv)
{
    struct topic_cfg c = { 0 };
    char err[1024], topic[300];
    int status = EXIT_USAGE;
    struct lt_registry *reg = NULL;
    struct single_key single;
    uint8_t secret[32];
    int have_secret = 0;
    rd_kafka_t *rk = NULL;
    const struct rd_kafka_metadata *md = NULL;
    struct seen_event *seen = NULL;
    size_t n_seen = 0, cap = 0, records = 0, bad = 0, dups = 0, missing = 0, expected = 0;
    json_t *problems = json_array();
    char **want = NULL;

    int rc = lt_config_load(&topic_spec, &c, argc, argv, NULL, err, sizeof err);
    if (rc == 1) {
        status = 0;
        goto out;
    }
    if (rc != LT_OK) {
        fprintf(stderr, "lienthong topic-check: %s\n", err);
        goto out;
    }
    if (!!c.registry == !!c.public_key) {
        fprintf(stderr, "lienthong topic-check: give exactly one of --registry or --public-key\n");
        goto out;
    }
    if ((c.registry && lt_registry_new(c.registry, &reg, err, sizeof err) != LT_OK) ||
        (c.public_key && load_single_key(c.public_key, &single, err, sizeof err) != LT_OK) ||
        (c.subject_key_file &&
         lt_keyfile_read_secret32(c.subject_key_file, secret, err, sizeof err) != LT_OK)) {
        fprintf(stderr, "lienthong topic-check: %s\n", err);
        goto out;
    }
    have_secret = c.subject_key_file != NULL;
    if (*c.topic)
        snprintf(topic, sizeof topic, "%s", c.topic);
    else if (lt_record_topic(c.agency, topic, sizeof topic) != LT_OK) {
        fprintf(stderr, "lienthong topic-check: agency code too long\n");
        goto out;
    }
    const char *kv[] = { "enable.partition.eof", "true", NULL };
    char group[64];
    snprintf(group, sizeof group, "lienthong-topic-check-%lld", (long long)lt_now_ms());
    if (!(rk = lt_kafka_consumer_new(c.kafka_bootstrap, group, "lienthong-topic-check", kv, err,
                                     sizeof err))) {
        fprintf(stderr, "lienthong topic-check: %s\n", err);
        goto out;
    }
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    rd_kafka_resp_err_t me = rd_kafka_metadata(rk, 0, rkt, &md, (int)c.timeout_ms);
    rd_kafka_topic_destroy(rkt);
    if (me || md->topic_cnt != 1 || md->topics[0].err) {
        fprintf(stderr, "lienthong topic-check: topic %s: %s\n", topic,
                rd_kafka_err2str(me ? me : md->topic_cnt ? md->topics[0].err : RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC));
        goto out;
    }
    int parts = md->topics[0].partition_cnt;
    rd_kafka_topic_partition_list_t *asg = rd_kafka_topic_partition_list_new(parts);
    int open_parts = 0;
    for (int i = 0; i < parts; i++) {
        int64_t lo, hi;
        if (rd_kafka_query_watermark_offsets(rk, topic, i, &lo, &hi, (int)c.timeout_ms) ||
            hi <= lo)
            continue; /* empty partition */
        rd_kafka_topic_partition_list_add(asg, topic, i)->offset = RD_KAFKA_OFFSET_BEGINNING;
        open_parts++;
    }
    rd_kafka_assign(rk, asg);
    rd_kafka_topic_partition_list_destroy(asg);

    int64_t deadline = lt_mono_ms() + c.timeout_ms;
    while (open_parts > 0 && lt_mono_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            open_parts--;
        } else if (m->err) {
            fprintf(stderr, "lienthong topic-check: %s\n", rd_kafka_message_errstr(m));
        } else {
            records++;
            json_t *v = json_object();
            struct lt_admit_keys k;
            static struct lt_admission a;
            admit_keys(&k, reg, &single, have_secret ? secret : NULL, 1);
            int ok = verdict_of(m->payload, m->len, m, &k, v, &a);
            if (ok && strcmp(a.ev->header->agency_code, c.agency) != 0) {
                ok = 0;
                json_object_set_new(v, "code", json_string("wrong_agency_on_topic"));
            }
            if (ok) {
                if (n_seen == cap)
                    seen = lt_realloc(seen, (cap = cap ? cap * 2 : 1024) * sizeof *seen);
                struct seen_event *sv = &seen[n_seen++];
                sv->link.seq = a.ev->header->sequence;
                memset(sv->link.prev_hash, 0, LT_HASH_BYTES);
                if (a.ev->header->prev_hash.len == LT_HASH_BYTES)
                    memcpy(sv->link.prev_hash, a.ev->header->prev_hash.data, LT_HASH_BYTES);
                memcpy(sv->link.hash, a.event_hash, LT_HASH_BYTES);
                if (a.ev->header->event_id.len == LT_UUID_BYTES)
                    lt_uuid_format(a.ev->header->event_id.data, sv->id);
                else
                    sv->id[0] = '\0';
            }
            lt_admission_clear(&a);
            if (!ok) {
                bad++;
                json_object_del(v, "event");
                json_object_set_new(v, "partition", json_integer(m->partition));
                json_object_set_new(v, "offset", json_integer(m->offset));
                if (json_array_size(problems) < 50)
                    json_array_append(problems, v);
            }
            json_decref(v);
        }
        rd_kafka_message_destroy(m);
    }
    int complete = open_parts == 0;

    /* The chain, in sequence order; identical re-sends are not breaks. */
    qsort(seen, n_seen, sizeof *seen, cmp_seen);
    size_t w = 0;
    for (size_t i = 0; i < n_seen; i++) {
        if (w && seen[w - 1].link.seq == seen[i].link.seq &&
            !memcmp(seen[w - 1].link.hash, seen[i].link.hash, LT_HASH_BYTES)) {
            dups++;
            continue;
        }
        seen[w++] = seen[i];
    }
    n_seen = w;
    struct lt_chain_link *links = lt_calloc(n_seen ? n_seen : 1, sizeof *links);
    for (size_t i = 0; i < n_seen; i++)
        links[i] = seen[i].link;
    struct lt_chain_report cr;
    int chain_ok = lt_chain_verify(links, n_seen, 0, NULL, &cr) == LT_OK;
    free(links);

    if (c.expect_ids) {
        FILE *f = fopen(c.expect_ids, "r");
        if (!f) {
            fprintf(stderr, "lienthong topic-check: cannot open %s\n", c.expect_ids);
            goto out;
        }
        char **ids = lt_calloc(n_seen ? n_seen : 1, sizeof *ids);
        for (size_t i = 0; i < n_seen; i++)
            ids[i] = seen[i].id;
        qsort(ids, n_seen, sizeof *ids, cmp_str);
        char line[128];
        while (fgets(line, sizeof line, f)) {
            line[strcspn(line, " \r\n")] = '\0';
            if (!*line)
                continue;
            expected++;
            char *key = line;
            if (!bsearch(&key, ids, n_seen, sizeof *ids, cmp_str)) {
                if (missing < 20)
                    json_array_append_new(problems, json_pack("{s:s, s:s}", "code",
                                                               "acknowledged_event_missing",
                                                               "event_id", line));
                missing++;
            }
        }
        fclose(f);
        free(ids);
    }
    int all_ok = complete && bad == 0 && chain_ok && missing == 0;
    json_t *sum = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:b, s:s, s:I, s:I, s:s}",
                            "topic", topic, "agency", c.agency, "records", (json_int_t)records,
                            "events", (json_int_t)n_seen, "identical_resends", (json_int_t)dups,
                            "rejected_records", (json_int_t)bad, "chain_intact", chain_ok,
                            "chain", cr.message, "expected_ids", (json_int_t)expected,
                            "missing_ids", (json_int_t)missing,
                            "verdict", all_ok ? "ok" : complete ? "broken" : "incomplete");
    if (!chain_ok)
        json_object_set_new(sum, "chain_break", json_pack("{s:s, s:I, s:I}", "kind",
                                                          lt_chain_break_name(cr.kind), "sequence",
                                                          (json_int_t)cr.seq, "expected",
                                                          (json_int_t)cr.expected_seq));
    json_object_set(sum, "problems", problems);
    print_json(sum);
    json_decref(sum);
    status = all_ok ? 0 : EXIT_REJECTED;
out:
    if (md)
        rd_kafka_metadata_destroy(md);
    if (rk) {
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
    }
    free(seen);
    free(want);
    json_decref(problems);
    lt_registry_free(reg);
    if (have_secret)
        sodium_memzero(secret, sizeof secret);
    lt_config_free(&topic_spec, &c);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (lt_sign_init() != LT_OK) {
        fprintf(stderr, "lienthong: libsodium failed to initialise\n");
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "keygen"))
        return cmd_keygen(argc - 1, argv + 1);
    if (!strcmp(cmd, "sign"))
        return cmd_sign(argc - 1, argv + 1);
    if (!strcmp(cmd, "verify"))
        return cmd_verify(argc - 1, argv + 1, 1);
    if (!strcmp(cmd, "inspect"))
        return cmd_verify(argc - 1, argv + 1, 0);
    if (!strcmp(cmd, "publish"))
        return cmd_publish(argc - 1, argv + 1);
    if (!strcmp(cmd, "topic-check"))
        return cmd_topic_check(argc - 1, argv + 1);
    if (!strcmp(cmd, "witness"))
        return cmd_witness(argc - 1, argv + 1);
    fprintf(stderr, "lienthong: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
