/* test_dropdir — the drop folder against the real Kafka the harness started.
 *
 * A real publisher (a fresh key, a journal and a topic of its own) is fed
 * through a drop folder with the police agency's CSV layouts. It shows:
 *   * a JSON-lines file and a CSV file with good and bad lines end up in
 *     done/ with a result summary and an errors file naming every bad line
 *     precisely (line, column or field, stable code), while the good lines
 *     are published; hidden files and other names in inbox/ are left alone;
 *   * files that cannot be read as a whole (a bad CSV header, bytes that are
 *     not UTF-8, no layout for the name, a name already used) go to failed/
 *     with the reason, and nothing of them is published;
 *   * a file of several batches goes through whole, in line order;
 *   * a crash in the middle of a file: files left in processing/ whose first
 *     lines were already journaled (with and without a progress record) are
 *     read again by a new drop folder over a publisher restarted from the
 *     same journal, and no line reaches Kafka twice;
 *   * a full journal (Kafka unreachable, room for a few events) holds a
 *     file in processing/ without dropping or skipping a line; after a
 *     restart with Kafka back it completes, every line once, in order.
 * A plain consumer reads each topic from the start and checks every record:
 * the envelope's signature with the key's public half, the record key and
 * CloudEvents headers (lt_record_check), a gapless chain from sequence 1 with
 * prev_hash links, and the content of every good line exactly once. */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "core/clock.h"
#include "core/err.h"
#include "crypto/chain.h"
#include "crypto/hash.h"
#include "crypto/keyfile.h"
#include "event/envelope.h"
#include "event/pbjson.h"
#include "event/record.h"
#include "kafka/kafka.h"
#include "publish/dropdir.h"
#include "publish/publisher.h"

#include "../../services/agency-police/layouts.c"

#define AGENCY "test.dropdir"
#define POLL_MS 100
#define MAX_RECS 4096
#define BIG_LINES 2100 /* three batches: 1000, 1000, 100 */

static struct {
    const char *bootstrap;
    char dir[256];
    char topic[128];
    struct lt_key key;
    uint8_t secret[32];
} T;

/* ---- files -------------------------------------------------------------- */

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void write_raw(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        fail_msg("cannot write %s: %s", path, strerror(errno));
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Delivers a file the way agency software should: a dot-name in inbox/,
 * then an atomic rename. */
static void deliver(const char *drop, const char *name, const char *text, size_t len)
{
    char tmp[512], dst[512];
    snprintf(tmp, sizeof tmp, "%s/inbox/.%s.tmp", drop, name);
    snprintf(dst, sizeof dst, "%s/inbox/%s", drop, name);
    write_raw(tmp, text, len);
    assert_int_equal(rename(tmp, dst), 0);
}

static int file_exists(const char *drop, const char *sub, const char *name)
{
    char p[512];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s/%s", drop, sub, name);
    return stat(p, &st) == 0;
}

static void wait_file(const char *drop, const char *sub, const char *name, int timeout_ms)
{
    int64_t deadline = lt_mono_ms() + timeout_ms;
    while (!file_exists(drop, sub, name)) {
        if (lt_mono_ms() > deadline)
            fail_msg("%s/%s/%s did not appear within %d ms", drop, sub, name, timeout_ms);
        sleep_ms(50);
    }
}

/* The last steps of a file (its move, the removal of its progress record)
 * follow the result file: wait for them rather than race them. */
static void wait_gone(const char *drop, const char *sub, const char *name, int timeout_ms)
{
    int64_t deadline = lt_mono_ms() + timeout_ms;
    while (file_exists(drop, sub, name)) {
        if (lt_mono_ms() > deadline)
            fail_msg("%s/%s/%s is still there after %d ms", drop, sub, name, timeout_ms);
        sleep_ms(20);
    }
}

static json_t *load_json(const char *drop, const char *sub, const char *name)
{
    char p[512];
    json_error_t je;
    snprintf(p, sizeof p, "%s/%s/%s", drop, sub, name);
    json_t *j = json_load_file(p, 0, &je);
    if (!j)
        fail_msg("%s: %s", p, je.text);
    return j;
}

/* The lines of a .jsonl file as one JSON array. */
static json_t *load_jsonl(const char *drop, const char *sub, const char *name)
{
    char p[512], line[8192];
    snprintf(p, sizeof p, "%s/%s/%s", drop, sub, name);
    FILE *f = fopen(p, "r");
    if (!f)
        fail_msg("cannot open %s", p);
    json_t *a = json_array();
    while (fgets(line, sizeof line, f)) {
        json_error_t je;
        json_t *j = json_loads(line, 0, &je);
        if (!j)
            fail_msg("%s: not JSON lines: %s", p, je.text);
        json_array_append_new(a, j);
    }
    fclose(f);
    return a;
}

static void check_result(const char *drop, const char *name, long lines, long accepted,
                         long duplicates, long rejected)
{
    char rname[300];
    snprintf(rname, sizeof rname, "%s.result.json", name);
    json_t *r = load_json(drop, "done", rname);
    assert_string_equal(json_string_value(json_object_get(r, "file")), name);
    long got[4] = { (long)json_integer_value(json_object_get(r, "lines")),
                    (long)json_integer_value(json_object_get(r, "accepted")),
                    (long)json_integer_value(json_object_get(r, "duplicates")),
                    (long)json_integer_value(json_object_get(r, "rejected")) };
    if (got[0] != lines || got[1] != accepted || got[2] != duplicates || got[3] != rejected) {
        char *s = json_dumps(r, 0);
        fail_msg("%s: %s, want lines %ld accepted %ld duplicates %ld rejected %ld", name, s,
                 lines, accepted, duplicates, rejected);
    }
    json_decref(r);
}

/* Checks one entry of an errors file: its line, and that some error has the
 * code, the column or field (NULL: not checked) and a message starting with
 * msg_prefix. */
static void check_error(const json_t *e, long line, const char *code, const char *column,
                        const char *field, const char *msg_prefix)
{
    assert_int_equal(json_integer_value(json_object_get(e, "line")), line);
    json_t *errs = json_object_get(e, "errors");
    size_t i;
    json_t *x;
    json_array_foreach(errs, i, x) {
        const char *c = json_string_value(json_object_get(x, "code"));
        const char *col = json_string_value(json_object_get(x, "column"));
        const char *fld = json_string_value(json_object_get(x, "field"));
        const char *msg = json_string_value(json_object_get(x, "message"));
        if (!c || strcmp(c, code) != 0)
            continue;
        if (column && (!col || strcmp(col, column) != 0))
            continue;
        if (field && (!fld || strcmp(fld, field) != 0))
            continue;
        if (!msg || strncmp(msg, msg_prefix, strlen(msg_prefix)) != 0)
            continue;
        return;
    }
    char *s = json_dumps(e, 0);
    fail_msg("line %ld: no error %s column %s field %s \"%s…\" in %s", line, code,
             column ? column : "-", field ? field : "-", msg_prefix, s);
}

/* ---- publisher ---------------------------------------------------------- */

static struct lt_publisher *publisher(const char *journal, const char *bootstrap,
                                      const char *topic, uint64_t max_bytes)
{
    static const char *const allowed[] = { "entry", "exit" };
    struct lt_publisher_config cfg = {
        .agency_code = AGENCY,
        .key = &T.key,
        .subject_secret = T.secret,
        .allowed_types = allowed,
        .n_allowed = 2,
        .journal_dir = journal,
        .journal_max_bytes = max_bytes,
        .kafka_bootstrap = bootstrap,
        .kafka_extra = NULL,
        .topic = topic,
        .topic_partitions = 3,
        .metrics = NULL,
    };
    char err[512];
    struct lt_publisher *p = NULL;
    if (lt_publisher_new(&cfg, &p, err, sizeof err) != LT_OK)
        fail_msg("publisher: %s", err);
    return p;
}

static struct lt_dropdir *dropdir(struct lt_publisher *pub, const char *drop)
{
    char err[512];
    struct lt_dropdir *d = NULL;
    if (lt_dropdir_start(pub, drop, lt_agency_police_csv_layouts, POLL_MS, &d, err,
                         sizeof err) != LT_OK)
        fail_msg("dropdir: %s", err);
    return d;
}

/* A good entry event in the JSON mapping: passport and minute make it unique. */
static int entry_json(char *buf, size_t cap, const char *passport, int minute)
{
    return snprintf(buf, cap,
                    "{\"header\":{\"occurredAtMs\":\"%" PRId64 "\",\"subject\":{\"foreigner\":"
                    "{\"nationality\":\"JPN\",\"passportNumber\":\"%s\"}}},\"entry\":"
                    "{\"borderGateCode\":\"BD-QUYNHON-PORT\",\"visaPurpose\":\"VISA_PURPOSE_LD2\","
                    "\"permittedStayUntil\":\"2027-01-09\"}}",
                    INT64_C(1768029600000) + (int64_t)minute * 60000, passport);
}

/* Submits line `line` of a JSON-lines file as the drop folder would, under
 * the same source id: what a drop folder did before it crashed. */
static void submit_as_drop(struct lt_publisher *pub, const char *file, size_t line,
                           const char *json)
{
    json_error_t je;
    json_t *j = json_loads(json, 0, &je);
    assert_non_null(j);
    ProtobufCMessage *m = NULL;
    assert_int_equal(lt_pbjson_to_message(&lienthong__v1__event__descriptor, j, &m, NULL), LT_OK);
    json_decref(j);
    Lienthong__V1__Event *ev = (Lienthong__V1__Event *)m;
    struct lt_validate_result vr;
    assert_int_equal(lt_publisher_prepare(pub, ev, &vr), LT_OK);
    char id[300], err[512];
    snprintf(id, sizeof id, "drop:%s:%zu", file, line);
    const char *ids[1] = { id };
    struct lt_pub_result res;
    if (lt_publisher_submit(pub, &ev, ids, 1, &res, err, sizeof err) != LT_OK)
        fail_msg("submit: %s", err);
    assert_int_equal(res.status, LT_PUB_ACCEPTED);
    lienthong__v1__event__free_unpacked(ev, NULL);
}

/* ---- Kafka -------------------------------------------------------------- */

struct rec {
    struct lt_chain_link link;
    int body_case;
    char passport[24];
    int64_t occurred;
};

static int rec_cmp(const void *a, const void *b)
{
    const struct rec *x = a, *y = b;
    return x->link.seq < y->link.seq ? -1 : x->link.seq > y->link.seq;
}

/* Reads topic from the start with a new group until `want` records came and
 * then quiet_ms more (to catch any extra one); verifies each record's
 * signature and headers. Returns the records sorted by sequence. */
static size_t consume(const char *topic, size_t want, int quiet_ms, struct rec *out, size_t cap)
{
    static int groups;
    char err[512], group[160];
    snprintf(group, sizeof group, "%s-check-%d", topic, ++groups);
    rd_kafka_t *c = lt_kafka_consumer_new(T.bootstrap, group, "test-dropdir", NULL, err,
                                          sizeof err);
    if (!c)
        fail_msg("consumer: %s", err);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, topic, RD_KAFKA_PARTITION_UA);
    assert_int_equal(rd_kafka_subscribe(c, sub), 0);
    rd_kafka_topic_partition_list_destroy(sub);
    size_t n = 0;
    int64_t deadline = lt_mono_ms() + 90000, quiet_until = 0;
    while (lt_mono_ms() < deadline) {
        if (n >= want && !quiet_until)
            quiet_until = lt_mono_ms() + quiet_ms;
        if (quiet_until && lt_mono_ms() >= quiet_until)
            break;
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 200);
        if (!m)
            continue;
        if (m->err) {
            rd_kafka_message_destroy(m);
            continue;
        }
        assert_true(n < cap);
        Lienthong__V1__SignedEvent *se = NULL;
        Lienthong__V1__Event *ev = NULL;
        assert_int_equal(lt_envelope_open(m->payload, m->len, &se), LT_ENVELOPE_OK);
        assert_int_equal(lt_envelope_verify(se, T.key.pk), LT_ENVELOPE_OK);
        assert_string_equal(se->key_id, T.key.key_id);
        assert_int_equal(lt_envelope_event(se, &ev), LT_ENVELOPE_OK);
        struct lt_record_meta meta;
        assert_int_equal(lt_record_meta_of(ev, T.secret, &meta, err, sizeof err), LT_OK);
        if (lt_record_check(m, &meta, err, sizeof err) != LT_OK)
            fail_msg("record headers: %s", err);
        struct rec *r = &out[n++];
        r->link.seq = ev->header->sequence;
        assert_int_equal(ev->header->prev_hash.len, LT_HASH_BYTES);
        memcpy(r->link.prev_hash, ev->header->prev_hash.data, LT_HASH_BYTES);
        lt_hash_event(r->link.hash, se->event.data, se->event.len);
        assert_string_equal(ev->header->agency_code, AGENCY);
        r->body_case = (int)ev->body_case;
        r->occurred = ev->header->occurred_at_ms;
        assert_int_equal(ev->header->subject->kind_case, LIENTHONG__V1__SUBJECT__KIND_FOREIGNER);
        snprintf(r->passport, sizeof r->passport, "%s",
                 ev->header->subject->foreigner->passport_number);
        lienthong__v1__event__free_unpacked(ev, NULL);
        lienthong__v1__signed_event__free_unpacked(se, NULL);
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
    qsort(out, n, sizeof *out, rec_cmp);
    return n;
}

/* One expected event: body and subject, and when it happened. */
struct want {
    int body_case;
    const char *passport;
    int64_t occurred;
};

/* The topic holds exactly the expected events, each once, as one unbroken
 * chain from sequence 1. An exact re-delivery (the same sequence with the
 * same bytes, as a publisher restarted before Kafka's acknowledgement sends
 * again) is the same event, not a duplicate line; readers drop it. */
static void check_topic(const char *topic, const struct want *w, size_t n)
{
    static struct rec recs[MAX_RECS];
    size_t got = consume(topic, n, 3000, recs, MAX_RECS);
    struct lt_chain_link links[MAX_RECS];
    for (size_t i = 0; i < got; i++)
        links[i] = recs[i].link;
    struct lt_chain_report rep;
    if (lt_chain_verify(links, got, 0, NULL, &rep) != LT_OK)
        fail_msg("chain of %s: %s", topic, rep.message);
    if (got - rep.duplicates != n)
        fail_msg("%s holds %zu events (%zu records, %zu exact re-deliveries), want %zu", topic,
                 got - rep.duplicates, got, rep.duplicates, n);
    if (rep.duplicates)
        print_message("  %s: %zu exact re-deliveries (same sequence, same bytes)\n", topic,
                      rep.duplicates);
    assert_int_equal(recs[0].link.seq, 1);
    assert_int_equal(recs[got - 1].link.seq, n);
    int used[MAX_RECS] = { 0 };
    for (size_t i = 0; i < n; i++) {
        uint64_t seq = 0;
        for (size_t k = 0; k < got; k++)
            if (recs[k].body_case == w[i].body_case && recs[k].occurred == w[i].occurred &&
                !strcmp(recs[k].passport, w[i].passport)) {
                if (seq && recs[k].link.seq != seq)
                    fail_msg("%s: event %s at %" PRId64 " published twice (sequences %" PRIu64
                             " and %" PRIu64 ")", topic, w[i].passport, w[i].occurred, seq,
                             recs[k].link.seq);
                seq = recs[k].link.seq;
                used[k] = 1;
            }
        if (!seq)
            fail_msg("%s: event %s at %" PRId64 " missing", topic, w[i].passport, w[i].occurred);
    }
    for (size_t k = 0; k < got; k++)
        if (!used[k])
            fail_msg("%s: sequence %" PRIu64 " (%s) was not expected", topic, recs[k].link.seq,
                     recs[k].passport);
    /* The lines of the big file were published in line order. */
    const char *prev = NULL;
    for (size_t k = 0; k < got; k++) {
        if (strncmp(recs[k].passport, "TB", 2) != 0)
            continue;
        if (prev && strcmp(prev, recs[k].passport) > 0)
            fail_msg("%s published before %s", prev, recs[k].passport);
        prev = recs[k].passport;
    }
}

/* ---- the scenario ------------------------------------------------------- */

#define ENTRY LIENTHONG__V1__EVENT__BODY_ENTRY
#define EXIT LIENTHONG__V1__EVENT__BODY_EXIT
#define T0 INT64_C(1768029600000) /* 2026-01-10 14:20 Vietnam time */
#define MIN(m) (T0 + (int64_t)(m) * 60000)

static struct want expected[MAX_RECS];
static size_t n_expected;

static void expect(int body_case, const char *passport, int64_t occurred)
{
    expected[n_expected++] = (struct want){ body_case, passport, occurred };
}

static void drop_folder(void **s)
{
    (void)s;
    char journal[300], drop[300], buf[8192];
    snprintf(journal, sizeof journal, "%s/journal", T.dir);
    snprintf(drop, sizeof drop, "%s/drop", T.dir);
    struct lt_publisher *pub = publisher(journal, T.bootstrap, T.topic, 64u << 20);
    struct lt_dropdir *d = dropdir(pub, drop);
    assert_true(file_exists(T.dir, "drop", "inbox") && file_exists(T.dir, "drop", "processing") &&
                file_exists(T.dir, "drop", "done") && file_exists(T.dir, "drop", "failed"));

    /* Left alone: a file still being written (a dot name) and other names. */
    write_raw(strcat(strcpy(buf, drop), "/inbox/.half-written.jsonl"), "{", 1);
    write_raw(strcat(strcpy(buf, drop), "/inbox/readme.txt"), "hello\n", 6);

    /* ---- JSON lines: good and bad lines ---- */
    char e1[512], e2[512], e3[512];
    entry_json(e1, sizeof e1, "TK0000001", 0);
    entry_json(e2, sizeof e2, "TK0000002", 1);
    size_t o = 0;
    o += (size_t)snprintf(buf + o, sizeof buf - o, "\xEF\xBB\xBF%s\n", e1);        /* 1 good, BOM */
    o += (size_t)snprintf(buf + o, sizeof buf - o, "   \n");                      /* 2 blank */
    o += (size_t)snprintf(buf + o, sizeof buf - o, "{not json\n");                /* 3 */
    o += (size_t)snprintf(buf + o, sizeof buf - o, "[1, 2]\n");                   /* 4 */
    o += (size_t)snprintf(buf + o, sizeof buf - o, "%s\r\n", e2);                 /* 5 good */
    entry_json(e3, sizeof e3, "TK0000003", 2);
    e3[strlen(e3) - 2] = '\0'; /* "…2027-01-09\"}}" minus "}}" */
    o += (size_t)snprintf(buf + o, sizeof buf - o, "%s,\"bogusField\":1}}\n", e3); /* 6 */
    o += (size_t)snprintf(buf + o, sizeof buf - o,                                 /* 7 */
                          "{\"header\":{\"eventId\":\"AZumx7bocAKAAAAAAAAAAg==\",\"occurredAtMs\":"
                          "\"1768029600000\",\"subject\":{\"foreigner\":{\"nationality\":\"JPN\","
                          "\"passportNumber\":\"TK0000004\"}}},\"entry\":{\"borderGateCode\":\"G\","
                          "\"visaPurpose\":\"VISA_PURPOSE_LD2\",\"permittedStayUntil\":\"2027-01-09\"}}\n");
    o += (size_t)snprintf(buf + o, sizeof buf - o,                                 /* 8 */
                          "{\"header\":{\"occurredAtMs\":\"1768029600000\",\"subject\":{\"foreigner\":"
                          "{\"nationality\":\"Jpn\",\"passportNumber\":\"TK0000005\"}}},\"entry\":"
                          "{\"borderGateCode\":\"G\",\"visaPurpose\":\"VISA_PURPOSE_LD2\","
                          "\"permittedStayUntil\":\"2027-01-09\"}}\n");
    o += (size_t)snprintf(buf + o, sizeof buf - o,                                 /* 9 */
                          "{\"header\":{\"occurredAtMs\":\"1768029600000\",\"subject\":{\"foreigner\":"
                          "{\"nationality\":\"JPN\",\"passportNumber\":\"TK0000006\"}}},"
                          "\"workPermitRevoked\":{\"permitNo\":\"1\",\"reason\":"
                          "\"PERMIT_REVOCATION_REASON_EXPIRED\",\"effectiveDate\":\"2026-01-10\"}}\n");
    o += (size_t)snprintf(buf + o, sizeof buf - o,                                 /* 10 good */
                          "{\"header\":{\"occurredAtMs\":\"%" PRId64 "\",\"subject\":{\"foreigner\":"
                          "{\"nationality\":\"JPN\",\"passportNumber\":\"TK0000001\"}}},\"exit\":"
                          "{\"borderGateCode\":\"BD-PHUCAT-AIRPORT\"}}\n", MIN(600));
    o += (size_t)snprintf(buf + o, sizeof buf - o,                                 /* 11 */
                          "{\"header\":{\"occurredAtMs\":\"1768029600000\",\"subject\":{\"foreigner\":"
                          "{\"nationality\":\"JPN\",\"passportNumber\":\"TK0000007\"}}},\"entry\":"
                          "{\"borderGateCode\":\"G\",\"visaPurpose\":\"VISA_PURPOSE_NOPE\","
                          "\"permittedStayUntil\":\"2027-01-09\"}}");  /* no final newline */
    deliver(drop, "police-export-0001.jsonl", buf, o);
    expect(ENTRY, "TK0000001", MIN(0));
    expect(ENTRY, "TK0000002", MIN(1));
    expect(EXIT, "TK0000001", MIN(600));

    /* ---- CSV: good and bad rows, columns in their own order ---- */
    const char *csv =
        "\xEF\xBB\xBFnationality,passport_number,entry_time,border_gate_code,visa_purpose,"
        "permitted_stay_until,sponsor_name\r\n"
        "JPN,TK0000011,2026-01-10 15:00,BD-QUYNHON-PORT,LD2,2027-01-09,\r\n"           /* 2 */
        "JPN,TK0000099,2026-13-01 10:00,BD-QUYNHON-PORT,LD2,2027-01-09,\r\n"           /* 3 */
        "KOR,M0000012,2026-01-10 15:01:30,BD-QUYNHON-PORT,DN1,2026-04-09,"
        "\"Công ty TNHH Hải Long, Quy Nhơn\"\r\n"                                       /* 4 */
        "KOR,M0000098,2026-01-10 15:02,BD-QUYNHON-PORT,LX9,2026-04-09,\r\n"            /* 5 */
        "KOR,M0000097,2026-01-10 15:03\r\n"                                              /* 6 */
        "KOR,M0000096,2026-01-10 15:04,BD-QUYNHON-PORT,DN1,,\r\n"                      /* 7 */
        "VNM,C0000095,2026-01-10 15:05,BD-QUYNHON-PORT,DN1,2026-04-09,\r\n"            /* 8 */
        "CHN,E0000013,2026-01-10,BD-QUYNHON-PORT,LĐ1,2026-02-24,\r\n";                 /* 9 */
    deliver(drop, "entry-20260110.csv", csv, strlen(csv));
    expect(ENTRY, "TK0000011", MIN(40));
    expect(ENTRY, "M0000012", MIN(41) + 30000);
    expect(ENTRY, "E0000013", T0 - (14 * 60 + 20) * INT64_C(60000));

    wait_file(drop, "done", "police-export-0001.jsonl.result.json", 60000);
    wait_file(drop, "done", "entry-20260110.csv.result.json", 60000);
    wait_file(drop, "done", "police-export-0001.jsonl", 10000);
    wait_file(drop, "done", "entry-20260110.csv", 10000);
    wait_gone(drop, "processing", "entry-20260110.csv", 10000);
    wait_gone(drop, "processing", ".entry-20260110.csv.progress", 10000);
    check_result(drop, "police-export-0001.jsonl", 10, 3, 0, 7);
    check_result(drop, "entry-20260110.csv", 8, 3, 0, 5);

    json_t *ej = load_jsonl(drop, "done", "police-export-0001.jsonl.errors.jsonl");
    assert_int_equal(json_array_size(ej), 7);
    check_error(json_array_get(ej, 0), 3, "bad_json", NULL, NULL, "line 3, position");
    check_error(json_array_get(ej, 1), 4, "not_an_object", NULL, NULL, "line 4: an event is a JSON object");
    check_error(json_array_get(ej, 2), 6, "unknown_field", NULL, "entry.bogusField",
                "line 6, field entry.bogusField:");
    check_error(json_array_get(ej, 3), 7, "field_not_applicable", NULL, "header",
                "line 7, field header: eventId, sequence, prevHash and recordedAtMs are set by "
                "the agency service");
    check_error(json_array_get(ej, 4), 8, "nationality_format", NULL,
                "header.subject.foreigner.nationality",
                "line 8, field header.subject.foreigner.nationality:");
    check_error(json_array_get(ej, 5), 9, "field_not_applicable", NULL, "work_permit_revoked",
                "line 9, field work_permit_revoked: Agency test.dropdir may not publish "
                "work_permit_revoked events");
    check_error(json_array_get(ej, 6), 11, "unknown_enum", NULL, "entry.visaPurpose",
                "line 11, field entry.visaPurpose:");
    json_decref(ej);

    json_t *ec = load_jsonl(drop, "done", "entry-20260110.csv.errors.jsonl");
    assert_int_equal(json_array_size(ec), 5);
    check_error(json_array_get(ec, 0), 3, "csv_bad_time", "entry_time", NULL,
                "line 3, column entry_time: \"2026-13-01 10:00\" is not a Vietnam local time");
    check_error(json_array_get(ec, 1), 5, "csv_bad_enum", "visa_purpose", NULL,
                "line 5, column visa_purpose: \"LX9\" is not a VisaPurpose");
    check_error(json_array_get(ec, 2), 6, "csv_cell_count", "border_gate_code", NULL,
                "line 6, column border_gate_code: 3 cells where the header (line 1) has 7");
    check_error(json_array_get(ec, 3), 7, "csv_required_empty", "permitted_stay_until", NULL,
                "line 7, column permitted_stay_until: this column is required");
    check_error(json_array_get(ec, 4), 8, "nationality_vnm", "nationality",
                "header.subject.foreigner.nationality", "line 8, column nationality:");
    json_decref(ec);

    /* ---- files that cannot be read as a whole ---- */
    const char *bad_header = "entry_time,nationality,passport_number,bogus,visa_purpose\n"
                             "2026-01-10 15:00,JPN,TK0000021,x,LD2\n";
    deliver(drop, "entry-bad-header.csv", bad_header, strlen(bad_header));
    char notutf8[600];
    int nl = entry_json(notutf8, sizeof notutf8 - 40, "TK0000022", 20);
    nl += snprintf(notutf8 + nl, sizeof notutf8 - (size_t)nl, "\n{\"x\":\"\xC3\x28\"}\n");
    deliver(drop, "latin1.jsonl", notutf8, (size_t)nl);
    deliver(drop, "visa-list.csv", "a\n1\n", 4);
    deliver(drop, "entry-20260110.csv", csv, strlen(csv)); /* the same name again */
    wait_file(drop, "failed", "entry-bad-header.csv.errors.jsonl", 30000);
    wait_file(drop, "failed", "latin1.jsonl.errors.jsonl", 30000);
    wait_file(drop, "failed", "visa-list.csv.errors.jsonl", 30000);
    wait_file(drop, "failed", "entry-20260110.csv.errors.jsonl", 30000);
    wait_file(drop, "failed", "entry-bad-header.csv", 10000);
    wait_file(drop, "failed", "latin1.jsonl", 10000);
    wait_file(drop, "failed", "entry-20260110.csv", 10000);
    assert_true(file_exists(drop, "done", "entry-20260110.csv")); /* the first one stays */
    json_t *f = load_jsonl(drop, "failed", "entry-bad-header.csv.errors.jsonl");
    assert_int_equal(json_array_size(f), 1);
    check_error(json_array_get(f, 0), 1, "csv_unknown_column", "bogus", NULL,
                "line 1, column bogus: layout \"entry\" has no column \"bogus\"");
    check_error(json_array_get(f, 0), 1, "csv_missing_column", "border_gate_code", NULL,
                "line 1, column border_gate_code: required column missing");
    check_error(json_array_get(f, 0), 1, "csv_missing_column", "permitted_stay_until", NULL,
                "line 1, column permitted_stay_until: required column missing");
    json_decref(f);
    f = load_jsonl(drop, "failed", "latin1.jsonl.errors.jsonl");
    check_error(json_array_get(f, 0), 2, "not_utf8", NULL, NULL, "line 2: byte ");
    json_decref(f);
    f = load_jsonl(drop, "failed", "visa-list.csv.errors.jsonl");
    check_error(json_array_get(f, 0), 0, "no_layout", NULL, NULL, "no CSV layout for this file "
                "name: it must be <layout>.csv or <layout>-<anything>.csv, layouts: entry, exit");
    json_decref(f);
    f = load_jsonl(drop, "failed", "entry-20260110.csv.errors.jsonl");
    check_error(json_array_get(f, 0), 0, "name_reused", NULL, NULL, "a file named "
                "entry-20260110.csv was already read");
    json_decref(f);
    assert_true(file_exists(drop, "inbox", ".half-written.jsonl"));
    assert_true(file_exists(drop, "inbox", "readme.txt"));

    /* Only the good lines reached Kafka, each once, one chain. */
    check_topic(T.topic, expected, n_expected);

    /* ---- a file of several batches ---- */
    static char big_pass[BIG_LINES][16];
    char *big = malloc((size_t)BIG_LINES * 512);
    assert_non_null(big);
    o = 0;
    for (int i = 0; i < BIG_LINES; i++) {
        snprintf(big_pass[i], sizeof big_pass[i], "TB%07d", i + 1);
        o += (size_t)entry_json(big + o, 512, big_pass[i], 1000 + i);
        big[o++] = '\n';
        expect(ENTRY, big_pass[i], MIN(1000 + i));
    }
    deliver(drop, "police-export-big.jsonl", big, o);
    free(big);
    wait_file(drop, "done", "police-export-big.jsonl.result.json", 120000);
    check_result(drop, "police-export-big.jsonl", BIG_LINES, BIG_LINES, 0, 0);
    assert_false(file_exists(drop, "done", "police-export-big.jsonl.errors.jsonl"));
    wait_gone(drop, "processing", ".police-export-big.jsonl.progress", 10000);

    /* ---- a crash in the middle of two files ---- */
    lt_dropdir_stop(d);
    char lines[8][512];
    const char *a_name = "police-export-0002.jsonl", *b_name = "police-export-0003.jsonl";
    char pa[16][16];
    o = 0;
    for (int i = 0; i < 6; i++) {
        snprintf(pa[i], sizeof pa[i], "TK00001%02d", i + 1);
        entry_json(lines[i], sizeof lines[i], pa[i], 100 + i);
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s\n", lines[i]);
        expect(ENTRY, pa[i], MIN(100 + i));
    }
    /* File A: lines 1-3 were journaled, then the crash; no progress record. */
    for (size_t i = 0; i < 3; i++)
        submit_as_drop(pub, a_name, i + 1, lines[i]);
    char path[600];
    snprintf(path, sizeof path, "%s/processing/%s", drop, a_name);
    write_raw(path, buf, o);
    /* File B: lines 1-4 journaled, the progress record says 2 (the second
     * batch was journaled but the crash came before its record). */
    o = 0;
    for (int i = 0; i < 6; i++) {
        snprintf(pa[8 + i], sizeof pa[8 + i], "TK00002%02d", i + 1);
        entry_json(lines[i], sizeof lines[i], pa[8 + i], 200 + i);
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s\n", lines[i]);
        expect(ENTRY, pa[8 + i], MIN(200 + i));
    }
    for (size_t i = 0; i < 4; i++)
        submit_as_drop(pub, b_name, i + 1, lines[i]);
    snprintf(path, sizeof path, "%s/processing/%s", drop, b_name);
    write_raw(path, buf, o);
    snprintf(path, sizeof path, "%s/processing/.%s.progress", drop, b_name);
    write_raw(path, "2\n", 2);
    /* Leftovers of the interrupted pass: a stale errors file and a temp file. */
    snprintf(path, sizeof path, "%s/processing/.%s.errors.jsonl", drop, a_name);
    write_raw(path, "{\"line\":99}\n", 12);
    snprintf(path, sizeof path, "%s/processing/.gone.jsonl.progress", drop);
    write_raw(path, "7\n", 2);

    /* The process dies; a new one starts from the same journal. */
    lt_publisher_free(pub, 10000);
    pub = publisher(journal, T.bootstrap, T.topic, 64u << 20);
    d = dropdir(pub, drop);
    wait_file(drop, "done", "police-export-0002.jsonl.result.json", 60000);
    wait_file(drop, "done", "police-export-0003.jsonl.result.json", 60000);
    check_result(drop, a_name, 6, 3, 3, 0);
    check_result(drop, b_name, 6, 2, 4, 0);
    assert_false(file_exists(drop, "done", "police-export-0002.jsonl.errors.jsonl"));
    wait_gone(drop, "processing", ".police-export-0003.jsonl.progress", 10000);
    assert_false(file_exists(drop, "processing", ".gone.jsonl.progress"));
    lt_dropdir_stop(d);
    lt_dropdir_stop(NULL);

    check_topic(T.topic, expected, n_expected);
    lt_publisher_free(pub, 10000);
}

/* A JSON-lines file of n good entries, passports TK0000<base+i>, at minutes
 * base+i; their expectations appended to w. */
static size_t entries_file(char *buf, size_t cap, int base, int n, char pass[][16],
                           struct want *w)
{
    size_t o = 0;
    for (int i = 0; i < n; i++) {
        char line[512];
        snprintf(pass[i], 16, "TK%07d", base + i);
        entry_json(line, sizeof line, pass[i], base + i);
        o += (size_t)snprintf(buf + o, cap - o, "%s\n", line);
        w[i] = (struct want){ ENTRY, pass[i], MIN(base + i) };
    }
    return o;
}

static void full_journal(void **s)
{
    (void)s;
    char journal[300], drop[300], topic[160], buf[8192];
    snprintf(journal, sizeof journal, "%s/journal-full", T.dir);
    snprintf(drop, sizeof drop, "%s/drop-full", T.dir);
    snprintf(topic, sizeof topic, "%s-full", T.topic);

    /* Kafka unreachable and room for about three events: the first file goes
     * in whole (an empty journal takes any batch) and fills the journal. */
    struct lt_publisher *pub = publisher(journal, "127.0.0.1:1", topic, 2000);
    struct lt_dropdir *d = dropdir(pub, drop);
    struct want w[16];
    static char pass[16][16];
    size_t o = entries_file(buf, sizeof buf, 3000, 8, pass, w);
    deliver(drop, "police-export-full-1.jsonl", buf, o);
    wait_file(drop, "done", "police-export-full-1.jsonl.result.json", 30000);
    check_result(drop, "police-export-full-1.jsonl", 8, 8, 0, 0);

    /* The second file waits in processing/ for room: nothing dropped,
     * nothing skipped, nothing journaled. */
    o = entries_file(buf, sizeof buf, 3100, 8, pass + 8, w + 8);
    deliver(drop, "police-export-full-2.jsonl", buf, o);
    wait_file(drop, "processing", "police-export-full-2.jsonl", 30000);
    sleep_ms(20 * POLL_MS);
    assert_true(file_exists(drop, "processing", "police-export-full-2.jsonl"));
    assert_false(file_exists(drop, "processing", ".police-export-full-2.jsonl.progress"));
    assert_false(file_exists(drop, "done", "police-export-full-2.jsonl.result.json"));
    struct lt_publisher_health h;
    lt_publisher_health(pub, &h);
    assert_int_equal(h.last_sequence, 8);

    /* Kafka comes back (a restart with the real broker): the journal drains,
     * the file is read again and goes through after the first one. */
    lt_dropdir_stop(d);
    lt_publisher_free(pub, 0);
    pub = publisher(journal, T.bootstrap, topic, 2000);
    d = dropdir(pub, drop);
    wait_file(drop, "done", "police-export-full-2.jsonl.result.json", 60000);
    check_result(drop, "police-export-full-2.jsonl", 8, 8, 0, 0);
    lt_dropdir_stop(d);
    check_topic(topic, w, 16);
    static struct rec recs[64];
    size_t got = consume(topic, 16, 500, recs, 64);
    uint64_t seq = 0;
    for (size_t i = 0, k = 0; i < got; i++) { /* in file and line order */
        if (recs[i].link.seq == seq)
            continue; /* an exact re-delivery */
        seq = recs[i].link.seq;
        assert_string_equal(recs[i].passport, pass[k++]);
    }
    lt_publisher_free(pub, 10000);
}

/* ---- set-up ------------------------------------------------------------- */

static int setup(void **s)
{
    (void)s;
    T.bootstrap = getenv("LT_KAFKA_BOOTSTRAP");
    if (!T.bootstrap) {
        fprintf(stderr, "LT_KAFKA_BOOTSTRAP is not set: run under tests/harness/with-stack.sh\n");
        return -1;
    }
    if (lt_sign_init() != LT_OK)
        return -1;
    snprintf(T.dir, sizeof T.dir, "/tmp/lt-test-dropdir-XXXXXX");
    if (!mkdtemp(T.dir))
        return -1;
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/agency.key", T.dir);
    if (lt_keyfile_create(path, "test.dropdir.k1", AGENCY, NULL, &T.key, err, sizeof err) != LT_OK) {
        fprintf(stderr, "key: %s\n", err);
        return -1;
    }
    randombytes_buf(T.secret, sizeof T.secret);
    snprintf(T.topic, sizeof T.topic, "lt-test-dropdir-%" PRId64, lt_now_ms());
    return 0;
}

static int teardown(void **s)
{
    (void)s;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", T.dir);
    if (T.dir[0] && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", T.dir);
    lt_key_wipe(&T.key);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(drop_folder),
        cmocka_unit_test(full_journal),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
