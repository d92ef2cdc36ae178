/* test_outbox — the transactional outbox against the real PostgreSQL and
 * Kafka the harness started.
 *
 * A scratch schema gets the agency contract (deploy/sql/agency-outbox.sql,
 * loaded twice: it is idempotent) and the outbox drains it into a real
 * publisher (key, journal, topic of its own). It shows: the roles get exactly
 * the privileges the contract promises; rows committed alone, several in one
 * business transaction, and two transactions committing out of id order are
 * all published (the late, smaller id too) while a rolled-back transaction's
 * rows never appear; invalid rows are marked 'rejected' with {field, code,
 * message} errors and never published; NOTIFY wakes the service well inside
 * its poll interval. A plain consumer then reads the topic and checks every
 * record: signature with the key's public half, a gapless chain from 1 with
 * prev_hash links, record key and CloudEvents headers, content equal to the
 * rows, each accepted row exactly once. Crash safety: accepted rows set back
 * to 'new' (a lost mark), even with their JSON broken since, come back
 * 'accepted' with the SAME sequence and event id — after an outbox restart
 * and after a full publisher restart from its journal — and nothing new
 * reaches Kafka. The service's backend is killed with pg_terminate_backend and
 * it reconnects and goes on; a second service on the same table waits until
 * the first is gone; stopping is prompt while waiting for a notification and
 * while backing off from a database that is not there. A full journal (Kafka unreachable) leaves rows
 * 'new' until there is room, then they go through in id order. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/uuid.h"
#include "crypto/chain.h"
#include "crypto/hash.h"
#include "crypto/keyfile.h"
#include "db/db.h"
#include "event/envelope.h"
#include "event/record.h"
#include "kafka/kafka.h"
#include "publish/outbox.h"
#include "publish/publisher.h"

#define AGENCY "test.outbox"
#define MAX_ROWS 64
#define LONG_POLL_MS 30000 /* the main outbox: anything faster is NOTIFY's doing */

/* A row expected in Kafka, with what the table says about it. */
struct expect {
    long long id;
    char passport[24];
    long long seq;
    char event_id[LT_UUID_STRLEN + 1];
};

static struct {
    const char *url, *bootstrap;
    int64_t t0;
    char dir[128], journal[192], keyfile[192];
    char schema[64], qname[160], topic[96];
    struct lt_key key;
    uint8_t secret[32];
    struct lt_publisher *pub;
    struct lt_outbox *ob;
    PGconn *db; /* administration, search_path = the scratch schema */
    json_t *golden;
    int passport_n;
    struct expect acc[MAX_ROWS];
    size_t n_acc;
    char never[MAX_ROWS][24]; /* passports that must never reach Kafka */
    size_t n_never;
} T;

/* ---- PostgreSQL helpers ------------------------------------------------- */

static PGconn *connect_in(const char *schema)
{
    char err[512];
    PGconn *db = lt_db_connect(T.url, "test_outbox", schema, err, sizeof err);
    if (!db)
        fail_msg("connect: %s", err);
    return db;
}

static void sql(PGconn *db, const char *q)
{
    PGresult *r = PQexec(db, q);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("SQL failed: %s\n%s", PQerrorMessage(db), q);
    PQclear(r);
}

/* A one-row, one-column query with up to two text parameters; the value is
 * copied into buf ("" for NULL). */
static void query1(PGconn *db, const char *q, const char *p1, const char *p2, char *buf,
                   size_t bufsize)
{
    const char *params[] = { p1, p2 };
    int n = p2 ? 2 : p1 ? 1 : 0;
    PGresult *r = PQexecParams(db, q, n, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        fail_msg("query failed (%d rows): %s\n%s", PQntuples(r), PQerrorMessage(db), q);
    snprintf(buf, bufsize, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
}

static long long query_ll(PGconn *db, const char *q, const char *p1)
{
    char buf[64];
    query1(db, q, p1, NULL, buf, sizeof buf);
    return strtoll(buf, NULL, 10);
}

static void load_contract(PGconn *db)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", __FILE__);
    strcpy(strrchr(path, '/'), "/../../deploy/sql/agency-outbox.sql");
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    static char text[65536];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    assert_true(n > 0 && n < sizeof text - 1);
    text[n] = '\0';
    sql(db, text);
}

/* Creates schema s holding the contract (loaded twice: it is idempotent) and
 * returns an administration connection whose search_path is s. */
static PGconn *scratch_schema(const char *s)
{
    PGconn *db = connect_in(NULL);
    char q[256];
    snprintf(q, sizeof q, "CREATE SCHEMA \"%s\"", s);
    sql(db, q);
    PQfinish(db);
    db = connect_in(s);
    load_contract(db);
    load_contract(db);
    return db;
}

/* ---- events -------------------------------------------------------------- */

static void load_golden(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", __FILE__);
    strcpy(strrchr(path, '/'), "/../golden/events/entry.json");
    json_error_t je;
    T.golden = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!T.golden)
        fail_msg("%s: %s", path, je.text);
    /* What the service sets must not come from the input. */
    json_t *h = json_object_get(T.golden, "header");
    const char *owned[] = { "eventId", "agencyCode", "sequence", "prevHash", "recordedAtMs" };
    for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++)
        json_object_del(h, owned[i]);
}

enum tweak { VALID, UNKNOWN_FIELD, BAD_NATIONALITY, SETS_SEQUENCE };

/* A new Entry event as JSON text (caller frees) for a fresh passport number,
 * written to passport. */
static char *event_json(enum tweak tw, char passport[24])
{
    json_t *ev = json_deep_copy(T.golden);
    json_t *h = json_object_get(ev, "header");
    json_t *fo = json_object_get(json_object_get(h, "subject"), "foreigner");
    snprintf(passport, 24, "TK%07d", 1000000 + ++T.passport_n);
    json_object_set_new(fo, "passportNumber", json_string(passport));
    if (tw == UNKNOWN_FIELD)
        json_object_set_new(json_object_get(ev, "entry"), "colour", json_string("blue"));
    if (tw == BAD_NATIONALITY)
        json_object_set_new(fo, "nationality", json_string("ZZZ"));
    if (tw == SETS_SEQUENCE)
        json_object_set_new(h, "sequence", json_string("5"));
    char *text = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    return text;
}

static long long insert_event(PGconn *db, enum tweak tw, char passport[24])
{
    char *text = event_json(tw, passport);
    long long id = query_ll(db, "INSERT INTO lienthong_outbox (event) VALUES ($1::jsonb) "
                                "RETURNING id", text);
    free(text);
    return id;
}

/* Inserts a valid event and records it as expected in Kafka. */
static long long insert_valid(PGconn *db)
{
    assert_true(T.n_acc < MAX_ROWS);
    struct expect *e = &T.acc[T.n_acc++];
    e->id = insert_event(db, VALID, e->passport);
    return e->id;
}

/* Inserts an event that must never be published. */
static long long insert_never(PGconn *db, enum tweak tw)
{
    assert_true(T.n_never < MAX_ROWS);
    return insert_event(db, tw, T.never[T.n_never++]);
}

struct row_state {
    char status[16];
    long long seq;
    char event_id[64];
    char error[4096];
};

static int row_get(PGconn *db, long long id, struct row_state *r)
{
    char ids[32];
    snprintf(ids, sizeof ids, "%lld", id);
    const char *params[] = { ids };
    PGresult *res = PQexecParams(db, "SELECT status, coalesce(sequence, 0), "
                                     "coalesce(event_id::text, ''), coalesce(error::text, '') "
                                     "FROM lienthong_outbox WHERE id = $1",
                                 1, NULL, params, NULL, NULL, 0);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    int found = PQntuples(res) == 1;
    if (found) {
        snprintf(r->status, sizeof r->status, "%s", PQgetvalue(res, 0, 0));
        r->seq = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
        snprintf(r->event_id, sizeof r->event_id, "%s", PQgetvalue(res, 0, 2));
        snprintf(r->error, sizeof r->error, "%s", PQgetvalue(res, 0, 3));
    }
    PQclear(res);
    return found;
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Waits until row id has status; returns the milliseconds it took or fails. */
static int64_t wait_status(PGconn *db, long long id, const char *status, int timeout_ms)
{
    int64_t start = lt_mono_ms();
    struct row_state r;
    while (lt_mono_ms() - start < timeout_ms) {
        if (row_get(db, id, &r) && !strcmp(r.status, status))
            return lt_mono_ms() - start;
        sleep_ms(50);
    }
    fail_msg("row %lld did not become '%s' within %d ms", id, status, timeout_ms);
    return -1;
}

static int64_t wait_none_new(PGconn *db, int timeout_ms)
{
    int64_t start = lt_mono_ms();
    while (lt_mono_ms() - start < timeout_ms) {
        if (query_ll(db, "SELECT count(*) FROM lienthong_outbox WHERE status = 'new'", NULL) == 0)
            return lt_mono_ms() - start;
        sleep_ms(50);
    }
    fail_msg("rows still 'new' after %d ms", timeout_ms);
    return -1;
}

/* Fills the expectation of every accepted row from the table. */
static void refresh_expectations(PGconn *db)
{
    for (size_t i = 0; i < T.n_acc; i++) {
        struct row_state r;
        assert_true(row_get(db, T.acc[i].id, &r));
        if (strcmp(r.status, "accepted") != 0)
            fail_msg("row %lld is '%s', not accepted: %s", T.acc[i].id, r.status, r.error);
        assert_true(r.seq > 0);
        assert_int_equal(strlen(r.event_id), LT_UUID_STRLEN);
        assert_string_equal(r.error, "");
        T.acc[i].seq = r.seq;
        snprintf(T.acc[i].event_id, sizeof T.acc[i].event_id, "%.36s", r.event_id);
    }
}

/* ---- publisher and outbox ---------------------------------------------- */

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

static struct lt_outbox *outbox(struct lt_publisher *pub, const char *table, int poll_ms)
{
    char err[512];
    struct lt_outbox *o = NULL;
    if (lt_outbox_start(pub, T.url, table, poll_ms, &o, err, sizeof err) != LT_OK)
        fail_msg("outbox: %s", err);
    return o;
}

static void wait_connected(struct lt_outbox *o, uint64_t connects, int timeout_ms)
{
    int64_t start = lt_mono_ms();
    struct lt_outbox_stats st;
    for (;;) {
        lt_outbox_stats(o, &st);
        if (st.connected && st.connects >= connects)
            return;
        if (lt_mono_ms() - start > timeout_ms)
            fail_msg("the outbox did not connect (%" PRIu64 " connects) within %d ms",
                     st.connects, timeout_ms);
        sleep_ms(50);
    }
}

/* ---- Kafka ----------------------------------------------------------------- */

struct rec {
    struct lt_chain_link link;
    char event_id[LT_UUID_STRLEN + 1];
    char passport[24];
};

static int rec_cmp(const void *a, const void *b)
{
    const struct rec *x = a, *y = b;
    return x->link.seq < y->link.seq ? -1 : x->link.seq > y->link.seq;
}

/* Reads topic from the start with a new consumer group until want records
 * came, then quiet_ms more to catch any extra one; verifies each record
 * (signature, headers) and returns how many it read, sorted by sequence. */
static size_t consume(const char *topic, size_t want, int quiet_ms, struct rec *out, size_t cap)
{
    static int groups;
    char err[512], group[160];
    snprintf(group, sizeof group, "%s-check-%d", topic, ++groups);
    rd_kafka_t *c = lt_kafka_consumer_new(T.bootstrap, group, "test-outbox", NULL, err, sizeof err);
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
        assert_int_equal(ev->header->event_id.len, 16);
        lt_uuid_format(ev->header->event_id.data, r->event_id);
        assert_string_equal(ev->header->agency_code, AGENCY);
        assert_int_equal(ev->body_case, LIENTHONG__V1__EVENT__BODY_ENTRY);
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

/* The topic holds exactly the expected rows, once each, as one unbroken
 * chain from sequence 1, each record carrying its row's content, sequence
 * and event id; no record carries a passport of the "never" list. */
static void check_topic(const char *topic, const struct expect *acc, size_t n_acc)
{
    static struct rec recs[4 * MAX_ROWS];
    size_t n = consume(topic, n_acc, 5000, recs, sizeof recs / sizeof recs[0]);
    assert_int_equal(n, n_acc);
    struct lt_chain_link links[4 * MAX_ROWS];
    for (size_t i = 0; i < n; i++) {
        links[i] = recs[i].link;
        assert_int_equal(recs[i].link.seq, i + 1);
    }
    struct lt_chain_report rep;
    if (lt_chain_verify(links, n, 0, NULL, &rep) != LT_OK)
        fail_msg("chain: %s", rep.message);
    assert_int_equal(rep.duplicates, 0);
    for (size_t i = 0; i < n_acc; i++) {
        size_t found = 0;
        for (size_t k = 0; k < n; k++)
            if (!strcmp(recs[k].passport, acc[i].passport)) {
                found++;
                assert_int_equal(recs[k].link.seq, acc[i].seq);
                assert_string_equal(recs[k].event_id, acc[i].event_id);
            }
        if (found != 1)
            fail_msg("row %lld (%s) is in the topic %zu times", acc[i].id, acc[i].passport, found);
    }
    for (size_t i = 0; i < T.n_never; i++)
        for (size_t k = 0; k < n; k++)
            if (!strcmp(recs[k].passport, T.never[i]))
                fail_msg("%s must never have been published", T.never[i]);
}

/* ---- the tests -------------------------------------------------------------- */

static void table_names_are_validated(void **s)
{
    (void)s;
    char buf[160], err[256];
    assert_int_equal(lt_outbox_table_name("lienthong_outbox", buf, sizeof buf, err, sizeof err), LT_OK);
    assert_string_equal(buf, "public.lienthong_outbox");
    assert_int_equal(lt_outbox_table_name("agency_1.outbox_2", buf, sizeof buf, err, sizeof err), LT_OK);
    assert_string_equal(buf, "agency_1.outbox_2");
    const char *bad[] = { "", "Outbox", "1outbox", "a.b.c", "a.", ".a", "x;drop table y",
                          "a b", "\"q\"", "a-b",
                          "a234567890123456789012345678901234567890123456789012345678901234" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (lt_outbox_table_name(bad[i], buf, sizeof buf, err, sizeof err) != LT_ERR_INVALID)
            fail_msg("\"%s\" was accepted as a table name", bad[i]);
    struct lt_outbox *o = NULL;
    assert_int_equal(lt_outbox_start(T.pub, T.url, "x;y", 1000, &o, err, sizeof err), LT_ERR_INVALID);
    assert_int_equal(lt_outbox_start(T.pub, T.url, "t", 0, &o, err, sizeof err), LT_ERR_CONFIG);
    assert_int_equal(lt_outbox_start(T.pub, "", "t", 1000, &o, err, sizeof err), LT_ERR_CONFIG);
    assert_null(o);
    lt_outbox_stop(NULL);
}

/* Runs q as role inside a transaction that is rolled back; 1 if it worked. */
static int as_role(const char *role, const char *q)
{
    char set[128];
    snprintf(set, sizeof set, "SET LOCAL ROLE %s", role);
    sql(T.db, "BEGIN");
    sql(T.db, set);
    PGresult *r = PQexec(T.db, q);
    ExecStatusType st = PQresultStatus(r);
    int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok && !strstr(PQerrorMessage(T.db), "permission denied"))
        fail_msg("%s as %s failed, but not for lack of privilege: %s", q, role,
                 PQerrorMessage(T.db));
    PQclear(r);
    sql(T.db, "ROLLBACK");
    return ok;
}

static void roles_get_least_privilege(void **s)
{
    (void)s;
    const char *svc = "lienthong_outbox_service", *wr = "lienthong_outbox_writer";
    assert_true(as_role(svc, "SELECT id, event, status FROM lienthong_outbox"));
    assert_true(as_role(svc, "UPDATE lienthong_outbox SET status = 'rejected', error = '[]', "
                             "processed_at = now(), sequence = NULL, event_id = NULL WHERE id = -1"));
    assert_false(as_role(svc, "UPDATE lienthong_outbox SET event = '{}' WHERE id = -1"));
    assert_false(as_role(svc, "UPDATE lienthong_outbox SET created_at = now() WHERE id = -1"));
    assert_false(as_role(svc, "INSERT INTO lienthong_outbox (event) VALUES ('{}')"));
    assert_false(as_role(svc, "DELETE FROM lienthong_outbox WHERE id = -1"));
    assert_true(as_role(wr, "INSERT INTO lienthong_outbox (event) VALUES ('{\"x\": 1}')"));
    assert_true(as_role(wr, "SELECT id, status, error FROM lienthong_outbox"));
    assert_false(as_role(wr, "INSERT INTO lienthong_outbox (event, status) VALUES ('{}', 'accepted')"));
    assert_false(as_role(wr, "UPDATE lienthong_outbox SET status = 'accepted' WHERE id = -1"));
    assert_false(as_role(wr, "DELETE FROM lienthong_outbox WHERE id = -1"));

    /* The constraints refuse what cannot be right, in the agency's transaction. */
    const char *refused[] = {
        "INSERT INTO lienthong_outbox (event) VALUES ('[1, 2]')",
        "INSERT INTO lienthong_outbox (event, status) VALUES ('{}', 'done')",
        "INSERT INTO lienthong_outbox (event, status, processed_at) VALUES ('{}', 'accepted', now())",
        "INSERT INTO lienthong_outbox (event, status) VALUES ('{}', 'rejected')",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        PGresult *r = PQexec(T.db, refused[i]);
        assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
        assert_non_null(strstr(PQerrorMessage(T.db), "check constraint"));
        PQclear(r);
    }
    /* One trigger, one partial index, however often the script ran. */
    assert_int_equal(query_ll(T.db, "SELECT count(*) FROM pg_trigger WHERE tgrelid = "
                                    "'lienthong_outbox'::regclass AND NOT tgisinternal", NULL), 1);
    assert_int_equal(query_ll(T.db, "SELECT count(*) FROM pg_indexes WHERE schemaname = "
                                    "current_schema() AND indexname = 'lienthong_outbox_new_idx'",
                              NULL), 1);
}

static void rows_of_every_kind_are_published_or_rejected(void **s)
{
    (void)s;
    T.ob = outbox(T.pub, T.qname, LONG_POLL_MS);
    wait_connected(T.ob, 1, 20000);

    /* Alone, twice. */
    long long first = insert_valid(T.db);
    insert_valid(T.db);
    /* Three events and the business change they describe, in one transaction. */
    sql(T.db, "BEGIN");
    sql(T.db, "INSERT INTO permits (passport) VALUES ('business row')");
    for (int i = 0; i < 3; i++)
        insert_valid(T.db);
    sql(T.db, "COMMIT");
    /* Rolled back: the ids are used up, the rows never exist. */
    sql(T.db, "BEGIN");
    long long gone1 = insert_never(T.db, VALID);
    long long gone2 = insert_never(T.db, VALID);
    sql(T.db, "ROLLBACK");
    /* Invalid: refused by the JSON mapping, by validation, and for setting
     * what the service owns. */
    long long bad_json = insert_never(T.db, UNKNOWN_FIELD);
    long long bad_nat = insert_never(T.db, BAD_NATIONALITY);
    long long bad_seq = insert_never(T.db, SETS_SEQUENCE);

    /* Everything so far is handled long before the 30 s poll: NOTIFY. */
    int64_t took = wait_none_new(T.db, 20000);
    assert_true(took < LONG_POLL_MS / 2);
    assert_true(query_ll(T.db, "SELECT count(*) FROM permits", NULL) == 1);
    char ids[32];
    snprintf(ids, sizeof ids, "%lld", gone1);
    assert_int_equal(query_ll(T.db, "SELECT count(*) FROM lienthong_outbox WHERE id = $1", ids), 0);
    snprintf(ids, sizeof ids, "%lld", gone2);
    assert_int_equal(query_ll(T.db, "SELECT count(*) FROM lienthong_outbox WHERE id = $1", ids), 0);

    struct row_state r;
    assert_true(row_get(T.db, bad_json, &r));
    assert_string_equal(r.status, "rejected");
    assert_int_equal(r.seq, 0);
    assert_string_equal(r.event_id, "");
    json_error_t je;
    json_t *e = json_loads(r.error, 0, &je);
    assert_non_null(e);
    assert_true(json_is_array(e) && json_array_size(e) >= 1);
    json_t *f0 = json_array_get(e, 0);
    assert_string_equal(json_string_value(json_object_get(f0, "code")), "unknown_field");
    assert_non_null(strstr(json_string_value(json_object_get(f0, "field")), "colour"));
    assert_true(strlen(json_string_value(json_object_get(f0, "message"))) > 0);
    json_decref(e);

    assert_true(row_get(T.db, bad_nat, &r));
    assert_string_equal(r.status, "rejected");
    e = json_loads(r.error, 0, &je);
    assert_non_null(e);
    int seen = 0;
    size_t i;
    json_t *f;
    json_array_foreach(e, i, f) {
        if (!strcmp(json_string_value(json_object_get(f, "code")), "nationality_unknown") &&
            !strcmp(json_string_value(json_object_get(f, "field")), "header.subject.foreigner.nationality"))
            seen = 1;
    }
    if (!seen)
        fail_msg("no nationality_unknown finding in %s", r.error);
    json_decref(e);

    assert_true(row_get(T.db, bad_seq, &r));
    assert_string_equal(r.status, "rejected");
    assert_non_null(strstr(r.error, "field_not_applicable"));
    assert_non_null(strstr(r.error, "\"header\""));

    /* Accepted rows are numbered in id order within what was visible. */
    refresh_expectations(T.db);
    assert_true(T.acc[0].id == first);
    for (size_t k = 1; k < T.n_acc; k++)
        assert_true(T.acc[k].seq > T.acc[k - 1].seq);
}

static void a_smaller_id_committed_later_is_not_skipped(void **s)
{
    (void)s;
    PGconn *a = connect_in(T.schema), *b = connect_in(T.schema);
    sql(a, "BEGIN");
    long long id_a = insert_valid(a); /* takes the smaller id */
    sql(b, "BEGIN");
    long long id_b = insert_valid(b);
    assert_true(id_a < id_b);
    sql(b, "COMMIT");
    /* The service sees id_b while id_a is still invisible, and handles it. */
    wait_status(T.db, id_b, "accepted", 20000);
    struct row_state r;
    assert_false(row_get(T.db, id_a, &r));
    sql(a, "COMMIT");
    wait_status(T.db, id_a, "accepted", 20000);
    PQfinish(a);
    PQfinish(b);
    refresh_expectations(T.db);
    struct row_state ra, rb;
    assert_true(row_get(T.db, id_a, &ra) && row_get(T.db, id_b, &rb));
    assert_true(ra.seq > rb.seq); /* published when it became visible */
}

static void kafka_holds_each_accepted_row_once(void **s)
{
    (void)s;
    check_topic(T.topic, T.acc, T.n_acc);
}

/* Sets rows back to 'new' as if the service had crashed after journaling
 * and before marking; returns how many. */
static size_t lose_marks(size_t from, size_t count, int break_json)
{
    for (size_t i = from; i < from + count; i++) {
        char ids[32];
        snprintf(ids, sizeof ids, "%lld", T.acc[i].id);
        const char *params[] = { ids };
        PGresult *r = PQexecParams(T.db, "UPDATE lienthong_outbox SET status = 'new', "
                                         "sequence = NULL, event_id = NULL, processed_at = NULL "
                                         "WHERE id = $1", 1, NULL, params, NULL, NULL, 0);
        assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
        assert_string_equal(PQcmdTuples(r), "1");
        PQclear(r);
        if (break_json && i == from) {
            /* Its JSON no longer even maps to an Event: still its event went
             * out, so it must still be marked with it. */
            r = PQexecParams(T.db, "UPDATE lienthong_outbox SET event = '{\"nope\": true}' "
                                   "WHERE id = $1", 1, NULL, params, NULL, NULL, 0);
            assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
            PQclear(r);
        }
        if (break_json && i == from + 1) {
            /* Valid JSON that would now fail validation. */
            r = PQexecParams(T.db, "UPDATE lienthong_outbox SET event = jsonb_set(event, "
                                   "'{header,subject,foreigner,nationality}', '\"ZZZ\"') "
                                   "WHERE id = $1", 1, NULL, params, NULL, NULL, 0);
            assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
            PQclear(r);
        }
    }
    return count;
}

static void check_marks_restored(size_t from, size_t count, const struct expect *before,
                                 struct lt_outbox *o)
{
    wait_none_new(T.db, 20000);
    for (size_t i = from; i < from + count; i++) {
        struct row_state r;
        assert_true(row_get(T.db, T.acc[i].id, &r));
        if (strcmp(r.status, "accepted") != 0)
            fail_msg("row %lld is %s: %s", T.acc[i].id, r.status, r.error);
        assert_int_equal(r.seq, before[i].seq);
        assert_string_equal(r.event_id, before[i].event_id);
    }
    struct lt_outbox_stats st;
    lt_outbox_stats(o, &st);
    assert_int_equal(st.duplicates, count);
    assert_int_equal(st.accepted, 0);
    assert_int_equal(st.rejected, 0);
}

static void lost_marks_come_back_with_the_same_event(void **s)
{
    (void)s;
    struct expect before[MAX_ROWS];
    memcpy(before, T.acc, sizeof before);
    struct lt_publisher_health h0, h1;
    lt_publisher_health(T.pub, &h0);

    /* 1. The outbox restarts, the publisher keeps running. */
    lt_outbox_stop(T.ob);
    T.ob = NULL;
    size_t n = lose_marks(2, 3, 1);
    T.ob = outbox(T.pub, T.qname, LONG_POLL_MS);
    check_marks_restored(2, n, before, T.ob);

    /* 2. Both restart: the publisher rebuilds its source ids from the journal. */
    lt_outbox_stop(T.ob);
    T.ob = NULL;
    lt_publisher_free(T.pub, 10000);
    n = lose_marks(0, 2, 0);
    T.pub = publisher(T.journal, T.bootstrap, T.topic, 64u << 20);
    T.ob = outbox(T.pub, T.qname, LONG_POLL_MS);
    check_marks_restored(0, n, before, T.ob);

    lt_publisher_health(T.pub, &h1);
    assert_int_equal(h1.last_sequence, h0.last_sequence); /* nothing new journaled */
    check_topic(T.topic, T.acc, T.n_acc);
}

static void reconnects_after_its_backend_is_killed(void **s)
{
    (void)s;
    struct lt_outbox_stats st;
    lt_outbox_stats(T.ob, &st);
    assert_int_equal(st.connected, 1);
    uint64_t connects = st.connects;
    long long killed = query_ll(T.db, "SELECT count(pg_terminate_backend(pid)) FROM "
                                      "pg_stat_activity WHERE application_name = "
                                      "'lienthong-outbox' AND datname = current_database()", NULL);
    assert_true(killed >= 1);
    wait_connected(T.ob, connects + 1, 40000);
    long long id = insert_valid(T.db);
    wait_status(T.db, id, "accepted", 20000);
    refresh_expectations(T.db);
    check_topic(T.topic, T.acc, T.n_acc);
}

static void a_second_service_on_the_same_table_waits_its_turn(void **s)
{
    (void)s;
    struct lt_outbox *second = outbox(T.pub, T.qname, LONG_POLL_MS);
    sleep_ms(2500);
    struct lt_outbox_stats st;
    lt_outbox_stats(second, &st);
    assert_int_equal(st.connected, 0); /* the advisory lock is held */
    assert_int_equal(st.rows, 0);
    /* The first one goes away: the second takes over. */
    lt_outbox_stop(T.ob);
    T.ob = second;
    wait_connected(T.ob, 1, 40000);
    long long id = insert_valid(T.db);
    wait_status(T.db, id, "accepted", 20000);
    refresh_expectations(T.db);
}

static void stop_is_prompt_while_waiting(void **s)
{
    (void)s;
    sleep_ms(300); /* let it settle into its 30 s wait */
    int64_t start = lt_mono_ms();
    lt_outbox_stop(T.ob);
    T.ob = NULL;
    assert_true(lt_mono_ms() - start < 2000);

    /* A database that is not there: it keeps retrying, and stops promptly
     * in the middle of a backoff too. */
    char err[256];
    struct lt_outbox *o = NULL;
    assert_int_equal(lt_outbox_start(T.pub, "postgresql://nobody@127.0.0.1:1/none", T.qname, 1000,
                                     &o, err, sizeof err), LT_OK);
    sleep_ms(1500);
    struct lt_outbox_stats st;
    lt_outbox_stats(o, &st);
    assert_int_equal(st.connected, 0);
    assert_int_equal(st.connects, 0);
    start = lt_mono_ms();
    lt_outbox_stop(o);
    assert_true(lt_mono_ms() - start < 2000);
    check_topic(T.topic, T.acc, T.n_acc);
}

static void a_full_journal_holds_rows_until_there_is_room(void **s)
{
    (void)s;
    char schema2[80], qname2[160], topic2[128], journal2[256];
    snprintf(schema2, sizeof schema2, "%s_full", T.schema);
    snprintf(qname2, sizeof qname2, "%s.lienthong_outbox", schema2);
    snprintf(topic2, sizeof topic2, "%s-full", T.topic);
    snprintf(journal2, sizeof journal2, "%s/journal-full", T.dir);
    PGconn *db2 = scratch_schema(schema2);

    /* Kafka unreachable and room for about three events. A first batch goes
     * in whole even though it is larger than the limit (nothing was waiting,
     * and a batch must always be able to fit); after it, rows wait. */
    struct lt_publisher *pub = publisher(journal2, "127.0.0.1:1", topic2, 2000);
    struct lt_outbox *o = outbox(pub, qname2, 500);
    struct expect rows[16];
    sql(db2, "BEGIN");
    for (size_t i = 0; i < 8; i++)
        rows[i].id = insert_event(db2, VALID, rows[i].passport);
    sql(db2, "COMMIT");
    int64_t deadline = lt_mono_ms() + 30000;
    struct lt_outbox_stats st;
    do {
        sleep_ms(100);
        lt_outbox_stats(o, &st);
    } while (st.accepted < 8 && lt_mono_ms() < deadline);
    assert_int_equal(st.accepted, 8);

    sql(db2, "BEGIN");
    for (size_t i = 8; i < 16; i++)
        rows[i].id = insert_event(db2, VALID, rows[i].passport);
    sql(db2, "COMMIT");
    deadline = lt_mono_ms() + 30000;
    do {
        sleep_ms(100);
        lt_outbox_stats(o, &st);
    } while (st.retries < 3 && lt_mono_ms() < deadline);
    assert_true(st.retries >= 3);
    long long waiting = query_ll(db2, "SELECT count(*) FROM lienthong_outbox WHERE status = 'new'",
                                 NULL);
    assert_int_equal(waiting, 8);
    assert_int_equal(st.accepted, 8);
    assert_int_equal(st.rejected, 0);

    /* Kafka comes back (a restart with the real broker): the journal drains
     * and the rows that waited go through, after the ones already in. */
    lt_outbox_stop(o);
    lt_publisher_free(pub, 0);
    pub = publisher(journal2, T.bootstrap, topic2, 2000);
    o = outbox(pub, qname2, 500);
    wait_none_new(db2, 60000);
    for (size_t i = 0; i < 16; i++) {
        struct row_state r;
        assert_true(row_get(db2, rows[i].id, &r));
        assert_string_equal(r.status, "accepted");
        assert_int_equal(r.seq, (long long)i + 1); /* id order, gapless */
        rows[i].seq = r.seq;
        snprintf(rows[i].event_id, sizeof rows[i].event_id, "%.36s", r.event_id);
    }
    lt_outbox_stop(o);
    check_topic(topic2, rows, 16);
    lt_publisher_free(pub, 10000);
    char q[256];
    snprintf(q, sizeof q, "DROP SCHEMA \"%s\" CASCADE", schema2);
    sql(db2, q);
    PQfinish(db2);
}

/* ---- set-up ------------------------------------------------------------------ */

static int setup(void **s)
{
    (void)s;
    T.url = getenv("LT_PG_URL");
    T.bootstrap = getenv("LT_KAFKA_BOOTSTRAP");
    if (!T.url || !T.bootstrap) {
        fprintf(stderr, "LT_PG_URL / LT_KAFKA_BOOTSTRAP not set: run under tests/harness/with-stack.sh\n");
        return -1;
    }
    T.t0 = lt_now_ms();
    snprintf(T.schema, sizeof T.schema, "lt_outbox_test_%" PRId64, T.t0);
    snprintf(T.qname, sizeof T.qname, "%s.lienthong_outbox", T.schema);
    snprintf(T.topic, sizeof T.topic, "lt-test-outbox-%" PRId64, T.t0);
    snprintf(T.dir, sizeof T.dir, "/tmp/lt-test-outbox-XXXXXX");
    if (!mkdtemp(T.dir))
        return -1;
    snprintf(T.journal, sizeof T.journal, "%s/journal", T.dir);
    snprintf(T.keyfile, sizeof T.keyfile, "%s/agency.key", T.dir);
    char err[512];
    if (lt_keyfile_create(T.keyfile, "test.outbox:key-1", AGENCY, NULL, &T.key, err, sizeof err) != LT_OK) {
        fprintf(stderr, "key: %s\n", err);
        return -1;
    }
    for (int i = 0; i < 32; i++)
        T.secret[i] = (uint8_t)(0xA0 + i);
    load_golden();
    T.db = scratch_schema(T.schema);
    sql(T.db, "CREATE TABLE permits (id serial PRIMARY KEY, passport text NOT NULL)");
    T.pub = publisher(T.journal, T.bootstrap, T.topic, 64u << 20);
    return 0;
}

static int teardown(void **s)
{
    (void)s;
    lt_outbox_stop(T.ob);
    lt_publisher_free(T.pub, 10000);
    if (T.db) {
        char q[256];
        snprintf(q, sizeof q, "DROP SCHEMA IF EXISTS \"%s\" CASCADE", T.schema);
        PGresult *r = PQexec(T.db, q);
        PQclear(r);
        PQfinish(T.db);
    }
    json_decref(T.golden);
    lt_key_wipe(&T.key);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", T.dir);
    if (T.dir[0] && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", T.dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_names_are_validated),
        cmocka_unit_test(roles_get_least_privilege),
        cmocka_unit_test(rows_of_every_kind_are_published_or_rejected),
        cmocka_unit_test(a_smaller_id_committed_later_is_not_skipped),
        cmocka_unit_test(kafka_holds_each_accepted_row_once),
        cmocka_unit_test(lost_marks_come_back_with_the_same_event),
        cmocka_unit_test(reconnects_after_its_backend_is_killed),
        cmocka_unit_test(a_second_service_on_the_same_table_waits_its_turn),
        cmocka_unit_test(stop_is_prompt_while_waiting),
        cmocka_unit_test(a_full_journal_holds_rows_until_there_is_room),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
