/* witness.c — `lienthong witness`: an agency co-signs the hub's checkpoints.
 *
 * The consolidator signs each head of the event-store Merkle tree with the
 * hub key and publishes it with the RFC 6962 consistency proof from the
 * previous head. A witness (any agency, with its own signing key) reads every
 * published head in order of tree size, checks the hub's signature, and
 * checks that each head extends the last one it witnessed (the proof, from
 * that exact size and root). Only then does it co-sign the head and publish
 * the co-signature; its state file remembers the head. A head that does not
 * extend the remembered one — history rewritten, even by someone holding the
 * hub key — is refused loudly and never co-signed: the witness stops there.
 *
 * Exit status: 0 every new head verified and co-signed, 1 a head refused,
 * 2 a usage or setup error. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "cli.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "core/mem.h"
#include "crypto/keyfile.h"
#include "crypto/merkle.h"
#include "crypto/sign.h"
#include "kafka/kafka.h"

#define HUB_CONTEXT "lienthong.v1.Checkpoint\n"
#define WITNESS_CONTEXT "lienthong.v1.Witness\n"

struct witness_cfg {
    char *kafka_bootstrap, *checkpoint_topic, *witness_topic, *hub_public_key, *key, *state;
    long long timeout_ms;
};
#define O(f) offsetof(struct witness_cfg, f)
static const struct lt_opt witness_opts[] = {
    { "kafka-bootstrap", LT_OPT_STRING, NULL, 0, 0, "LT_KAFKA_BOOTSTRAP", O(kafka_bootstrap), 1,
      "Kafka bootstrap servers" },
    { "checkpoint-topic", LT_OPT_STRING, "lienthong.checkpoints", 0, 0, NULL, O(checkpoint_topic),
      0, "where the hub publishes its signed heads" },
    { "witness-topic", LT_OPT_STRING, "lienthong.witness", 0, 0, NULL, O(witness_topic), 0,
      "where co-signatures are published ('' to print them only)" },
    { "hub-public-key", LT_OPT_STRING, NULL, 0, 0, "LT_HUB_PUBLIC_KEY", O(hub_public_key), 1,
      "the hub key's public half (base64)" },
    { "key", LT_OPT_STRING, NULL, 0, 0, "LT_SIGNING_KEY_FILE", O(key), 1,
      "this agency's signing key file (from 'lienthong keygen')" },
    { "state", LT_OPT_STRING, NULL, 0, 0, NULL, O(state), 1,
      "file remembering the last head witnessed (created on first run)" },
    { "timeout-ms", LT_OPT_INT, "30000", 1000, 3600000, NULL, O(timeout_ms), 0,
      "give up reading the checkpoint topic after this long" },
};
#undef O
static const struct lt_config_spec witness_spec = {
    "lienthong witness", "[options]",
    "Reads the hub's signed checkpoints, checks each extends the last head this\n"
    "witness co-signed (consistency proof), and co-signs and publishes the new\n"
    "ones. A head that rewrites history is refused (exit 1) and never co-signed.",
    witness_opts, sizeof witness_opts / sizeof witness_opts[0],
};

struct head {
    uint64_t size, from;
    uint8_t root[32];
    char *statement;
    json_t *msg; /* the published message */
};

static int cmp_head(const void *a, const void *b)
{
    const struct head *x = a, *y = b;
    return x->size < y->size ? -1 : x->size > y->size;
}

static int hex32(const char *s, uint8_t out[32])
{
    size_t n = 0;
    return s && strlen(s) == 64 && sodium_hex2bin(out, 32, s, 64, NULL, &n, NULL) == 0 && n == 32
               ? 0 : -1;
}

/* Reads the state file: {"tree_size": n, "root": hex}. A missing file is
 * the empty tree. Returns 0, -1 with err. */
static int state_read(const char *path, uint64_t *size, uint8_t root[32], char *err, size_t errlen)
{
    *size = 0;
    memset(root, 0, 32);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    json_error_t je;
    json_t *j = json_loadf(f, 0, &je);
    fclose(f);
    json_t *r = json_object_get(j, "root");
    int ok = j && json_is_integer(json_object_get(j, "tree_size")) &&
             hex32(json_string_value(r), root) == 0;
    if (ok)
        *size = (uint64_t)json_integer_value(json_object_get(j, "tree_size"));
    json_decref(j);
    if (!ok)
        snprintf(err, errlen, "%s is not a witness state file", path);
    return ok ? 0 : -1;
}

static int state_write(const char *path, uint64_t size, const uint8_t root[32])
{
    char hex[65], tmp[4096];
    sodium_bin2hex(hex, sizeof hex, root, 32);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    fprintf(f, "{\"tree_size\": %llu, \"root\": \"%s\"}\n", (unsigned long long)size, hex);
    if (fclose(f) != 0)
        return -1;
    return rename(tmp, path);
}

/* Parses and checks one published head: fields present, the hub's signature
 * over the statement, and the statement saying the same size and root. */
static int head_parse(json_t *m, const uint8_t hub_pk[32], struct head *h, char *why, size_t len)
{
    const char *stmt = json_string_value(json_object_get(m, "statement"));
    const char *sig64 = json_string_value(json_object_get(m, "signature"));
    json_t *size = json_object_get(m, "tree_size"), *from = json_object_get(m, "consistency_from");
    uint8_t sig[LT_SIGN_BYTES];
    size_t sl = 0;
    if (!stmt || !sig64 || !json_is_integer(size) ||
        hex32(json_string_value(json_object_get(m, "root")), h->root) != 0) {
        snprintf(why, len, "not a checkpoint message");
        return -1;
    }
    if (sodium_base642bin(sig, sizeof sig, sig64, strlen(sig64), NULL, &sl, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 || sl != sizeof sig ||
        lt_sign_verify(sig, HUB_CONTEXT, (const uint8_t *)stmt, strlen(stmt), hub_pk) != LT_OK) {
        snprintf(why, len, "the hub's signature does not verify");
        return -1;
    }
    h->size = (uint64_t)json_integer_value(size);
    h->from = json_is_integer(from) ? (uint64_t)json_integer_value(from) : UINT64_MAX;
    char want[128], hex[65];
    sodium_bin2hex(hex, sizeof hex, h->root, 32);
    snprintf(want, sizeof want, "tree_size %llu\nroot %s\n", (unsigned long long)h->size, hex);
    if (!strstr(stmt, want)) {
        snprintf(why, len, "the signed statement does not say tree size %llu and root %s",
                 (unsigned long long)h->size, hex);
        return -1;
    }
    h->statement = lt_strdup(stmt);
    return 0;
}

/* Checks that head h extends (size, root) with the proof it carries. */
static int extends(const struct head *h, uint64_t size, const uint8_t root[32], char *why,
                   size_t len)
{
    if (h->from != size) {
        snprintf(why, len, "its proof starts from tree size %llu, not from %llu (the last head "
                 "witnessed)", (unsigned long long)h->from, (unsigned long long)size);
        return -1;
    }
    json_t *p = json_object_get(h->msg, "consistency_proof");
    size_t n = json_array_size(p);
    if (!json_is_array(p) || n > LT_MERKLE_MAX_PROOF) {
        snprintf(why, len, "it carries no consistency proof");
        return -1;
    }
    uint8_t proof[LT_MERKLE_MAX_PROOF][32];
    for (size_t i = 0; i < n; i++)
        if (hex32(json_string_value(json_array_get(p, i)), proof[i]) != 0) {
            snprintf(why, len, "its consistency proof is malformed");
            return -1;
        }
    if (!lt_merkle_verify_consistency(size, h->size, root, h->root,
                                      (const uint8_t(*)[32])proof, n)) {
        snprintf(why, len, "the consistency proof fails: the head of %llu events is not an "
                 "extension of the head of %llu witnessed before",
                 (unsigned long long)h->size, (unsigned long long)size);
        return -1;
    }
    return 0;
}

/* Reads every message of the topic (all partitions, to their end). */
static int read_heads(rd_kafka_t *rk, const char *topic, long long timeout_ms, json_t *out,
                      char *err, size_t errlen)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    rd_kafka_resp_err_t me = rd_kafka_metadata(rk, 0, rkt, &md, (int)timeout_ms);
    rd_kafka_topic_destroy(rkt);
    if (me || md->topic_cnt != 1 || md->topics[0].err) {
        snprintf(err, errlen, "topic %s: %s", topic,
                 rd_kafka_err2str(me ? me : md->topic_cnt ? md->topics[0].err
                                                          : RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC));
        if (md)
            rd_kafka_metadata_destroy(md);
        return -1;
    }
    int parts = md->topics[0].partition_cnt, open = 0;
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_partition_list_t *asg = rd_kafka_topic_partition_list_new(parts);
    for (int i = 0; i < parts; i++) {
        int64_t lo, hi;
        if (rd_kafka_query_watermark_offsets(rk, topic, i, &lo, &hi, (int)timeout_ms) || hi <= lo)
            continue;
        rd_kafka_topic_partition_list_add(asg, topic, i)->offset = lo;
        open++;
    }
    rd_kafka_assign(rk, asg);
    rd_kafka_topic_partition_list_destroy(asg);
    int64_t deadline = lt_mono_ms() + timeout_ms;
    while (open > 0 && lt_mono_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            open--;
        } else if (!m->err) {
            json_error_t je;
            json_t *j = json_loadb(m->payload, m->len, 0, &je);
            if (j)
                json_array_append_new(out, j);
            else
                fprintf(stderr, "lienthong witness: skipping a record that is not JSON "
                        "(partition %d offset %lld)\n", m->partition, (long long)m->offset);
        }
        rd_kafka_message_destroy(m);
    }
    if (open > 0) {
        snprintf(err, errlen, "the checkpoint topic was not read to its end within %lld ms",
                 timeout_ms);
        return -1;
    }
    return 0;
}

int cmd_witness(int argc, char **argv)
{
    struct witness_cfg c;
    memset(&c, 0, sizeof c);
    char err[1024], why[512];
    int status = 2;
    struct lt_key key;
    memset(&key, 0, sizeof key);
    rd_kafka_t *consumer = NULL, *producer = NULL;
    json_t *msgs = json_array();
    struct head *heads = NULL;
    size_t nh = 0;
    uint8_t hub_pk[32];
    size_t pl = 0;
    int rc = lt_config_load(&witness_spec, &c, argc, argv, NULL, err, sizeof err);
    if (rc == 1) {
        status = 0;
        goto out;
    }
    if (rc != LT_OK)
        goto fail;
    if (sodium_base642bin(hub_pk, sizeof hub_pk, c.hub_public_key, strlen(c.hub_public_key), NULL,
                          &pl, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 || pl != sizeof hub_pk) {
        snprintf(err, sizeof err, "--hub-public-key: not a 32-byte key in base64");
        goto fail;
    }
    uint64_t last;
    uint8_t last_root[32];
    if (lt_keyfile_read(c.key, &key, err, sizeof err) != LT_OK ||
        state_read(c.state, &last, last_root, err, sizeof err) != 0)
        goto fail;
    char group[64];
    snprintf(group, sizeof group, "lienthong-witness-%lld", (long long)lt_now_ms());
    const char *kv[] = { "enable.partition.eof", "true", NULL };
    if (!(consumer = lt_kafka_consumer_new(c.kafka_bootstrap, group, "lienthong-witness", kv, err,
                                           sizeof err)) ||
        read_heads(consumer, c.checkpoint_topic, c.timeout_ms, msgs, err, sizeof err) != 0)
        goto fail;
    if (*c.witness_topic &&
        !(producer = lt_kafka_producer_new(c.kafka_bootstrap, "lienthong-witness", NULL, NULL, NULL,
                                           err, sizeof err)))
        goto fail;

    /* Every head, checked and sorted by tree size. */
    heads = lt_calloc(json_array_size(msgs) + 1, sizeof *heads);
    status = 0;
    for (size_t i = 0; i < json_array_size(msgs); i++) {
        json_t *m = json_array_get(msgs, i);
        if (head_parse(m, hub_pk, &heads[nh], why, sizeof why) != 0) {
            fprintf(stderr, "lienthong witness: REFUSED a published head: %s\n", why);
            status = 1;
            continue;
        }
        heads[nh++].msg = m;
    }
    qsort(heads, nh, sizeof *heads, cmp_head);
    size_t signed_now = 0;
    for (size_t i = 0; i < nh && status == 0; i++) {
        struct head *h = &heads[i];
        if (h->size < last)
            continue; /* witnessed before */
        if (h->size == last) {
            if (sodium_memcmp(h->root, last_root, 32) != 0) {
                fprintf(stderr, "lienthong witness: HISTORY REWRITTEN: a second head for tree size "
                        "%llu with another root\n", (unsigned long long)h->size);
                status = 1;
            }
            continue;
        }
        if (extends(h, last, last_root, why, sizeof why) != 0) {
            fprintf(stderr, "lienthong witness: HISTORY REWRITTEN: head of tree size %llu refused: "
                    "%s. Not co-signed; keep %s for the inquiry.\n", (unsigned long long)h->size,
                    why, c.state);
            status = 1;
            break;
        }
        uint8_t sig[LT_SIGN_BYTES];
        char sig64[LT_SIGN_BYTES * 2], hex[65];
        lt_sign_detached(sig, WITNESS_CONTEXT, (const uint8_t *)h->statement,
                         strlen(h->statement), key.sk);
        sodium_bin2base64(sig64, sizeof sig64, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
        sodium_bin2hex(hex, sizeof hex, h->root, 32);
        json_t *co = json_pack("{sIsssssss s}", "tree_size", (json_int_t)h->size, "root", hex,
                               "agency", key.agency_code, "key_id", key.key_id, "signature", sig64);
        char *body = json_dumps(co, JSON_COMPACT);
        puts(body);
        if (producer)
            rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(c.witness_topic),
                              RD_KAFKA_V_VALUE(body, strlen(body)),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        free(body);
        json_decref(co);
        last = h->size;
        memcpy(last_root, h->root, 32);
        if (state_write(c.state, last, last_root) != 0) {
            snprintf(err, sizeof err, "cannot write %s: %s", c.state, strerror(errno));
            goto fail;
        }
        signed_now++;
    }
    if (producer && rd_kafka_flush(producer, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(err, sizeof err, "co-signatures not all delivered to %s", c.witness_topic);
        goto fail;
    }
    fprintf(stderr, "lienthong witness: %zu new head(s) co-signed; last witnessed tree size %llu\n",
            signed_now, (unsigned long long)last);
    goto out;
fail:
    fprintf(stderr, "lienthong witness: %s\n", err);
    status = 2;
out:
    for (size_t i = 0; i < nh; i++)
        free(heads[i].statement);
    free(heads);
    json_decref(msgs);
    if (consumer) {
        rd_kafka_consumer_close(consumer);
        rd_kafka_destroy(consumer);
    }
    if (producer)
        rd_kafka_destroy(producer);
    lt_key_wipe(&key);
    lt_config_free(&witness_spec, &c);
    return status;
}
