/* test_migrate — the hub schema's migrations against the project's own
 * PostgreSQL 15. The schema name is fixed (lienthong), so every run works in
 * its own scratch DATABASE, created and dropped here. Proves: a fresh database
 * is brought to the latest version and a re-run changes nothing; edited
 * history, gaps and duplicate versions are refused; a failing migration leaves
 * nothing behind; a second migrator waits for the lock; event_store is
 * append-only even for its owner; the consolidator cannot UPDATE events, the
 * reader cannot write nor read raw dead letters; (agency, sequence) is
 * unique. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/mem.h"
#include "db/db.h"
#include "db/migrate.h"

static const char *url;     /* the stack's database, as superuser */
static char *scratch_url;   /* the scratch database */
static char *scratch_name;
static char *hub_dir;       /* deploy/sql/hub of this source tree */
static int hub_files;

static PGconn *connect_to(const char *u)
{
    char err[512] = "";
    PGconn *db = lt_db_connect(u, "test_migrate", NULL, err, sizeof err);
    if (!db)
        fail_msg("connect: %s", err);
    return db;
}

/* The URL with its database name replaced: postgresql://u@h:p/NAME?x → …/name?x */
static char *url_with_db(const char *u, const char *name)
{
    const char *p = strstr(u, "://");
    assert_non_null(p);
    const char *slash = strchr(p + 3, '/');
    const char *q = strchr(p + 3, '?');
    if (!slash || (q && slash > q))
        slash = q ? q : u + strlen(u);
    const char *tail = strchr(slash, '?');
    return lt_asprintf("%.*s/%s%s", (int)(slash - u), u, name, tail ? tail : "");
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = lt_malloc(1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* A new temporary directory holding copies of the hub migrations. */
static char *copy_of_hub(void)
{
    char *dir = lt_strdup("/tmp/lt_test_migrate_XXXXXX");
    assert_non_null(mkdtemp(dir));
    DIR *d = opendir(hub_dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 4 || strcmp(e->d_name + n - 4, ".sql") != 0)
            continue;
        char *src = lt_asprintf("%s/%s", hub_dir, e->d_name);
        char *dst = lt_asprintf("%s/%s", dir, e->d_name);
        char *text = slurp(src);
        write_file(dst, text);
        free(text);
        free(src);
        free(dst);
    }
    closedir(d);
    return dir;
}

static void remove_dir(char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *p = lt_asprintf("%s/%s", dir, e->d_name);
        unlink(p);
        free(p);
    }
    closedir(d);
    rmdir(dir);
    free(dir);
}

static int count_hub_files(void)
{
    DIR *d = opendir(hub_dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        n += len > 4 && strcmp(e->d_name + len - 4, ".sql") == 0;
    }
    closedir(d);
    return n;
}

static char *query1(PGconn *db, const char *sql)
{
    PGresult *r = PQexec(db, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(r));
    char *v = lt_strdup(PQgetisnull(r, 0, 0) ? "(null)" : PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

static void expect1(PGconn *db, const char *sql, const char *want)
{
    char *got = query1(db, sql);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got %s, want %s", sql, got, want);
    free(got);
}

/* Runs sql and expects it to fail with sqlstate and a message containing
 * needle (NULL: any message). */
static void expect_refused(PGconn *db, const char *sql, const char *sqlstate, const char *needle)
{
    PGresult *r = PQexec(db, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_FATAL_ERROR)
        fail_msg("%s: expected an error, got %s", sql, PQresStatus(st));
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    if (!state || strcmp(state, sqlstate) != 0 || (needle && (!msg || !strstr(msg, needle))))
        fail_msg("%s: got %s \"%s\", want %s \"%s\"", sql, state ? state : "?", msg ? msg : "?",
                 sqlstate, needle ? needle : "");
    PQclear(r);
}

static void exec_ok(PGconn *db, const char *sql)
{
    char err[512];
    if (lt_db_exec(db, sql, err, sizeof err) != LT_OK)
        fail_msg("%s: %s", sql, err);
}

/* An event row; seq and offset vary, everything else is fixed. */
static void insert_event(PGconn *db, const char *id, const char *agency, const char *seq,
                         const char *offset, ExecStatusType want, const char *want_state)
{
    const char *vals[] = { id, agency, seq, offset };
    PGresult *r = PQexecParams(
        db,
        "INSERT INTO lienthong.event_store (event_id, agency_code, sequence, event_type, "
        " subject_key, subject, occurred_at, recorded_at, rule_set, signed_bytes, event_hash, "
        " kafka_topic, kafka_partition, kafka_offset) "
        "VALUES ($1::uuid, $2, $3::bigint, 'foreign_worker_entry', "
        " decode(repeat('ab', 32), 'hex'), 'P:C1234567', '2026-01-02T03:04:05Z', "
        " '2026-01-02T03:05:00Z', 'vn-2025-08', '\\x0a0b0c'::bytea, decode(repeat('cd', 32), 'hex'), "
        " 'lienthong.agency.police', 0, $4::bigint)",
        4, NULL, vals, NULL, NULL, 0);
    if (PQresultStatus(r) != want)
        fail_msg("insert event %s: %s", id, PQresultErrorMessage(r));
    if (want_state)
        assert_string_equal(PQresultErrorField(r, PG_DIAG_SQLSTATE), want_state);
    PQclear(r);
}

static int setup(void **s)
{
    (void)s;
    PGconn *su = connect_to(url);
    scratch_name = lt_asprintf("lt_test_migrate_%ld", (long)getpid());
    char *sql = lt_asprintf("DROP DATABASE IF EXISTS %s", scratch_name);
    exec_ok(su, sql);
    free(sql);
    sql = lt_asprintf("CREATE DATABASE %s", scratch_name);
    exec_ok(su, sql);
    free(sql);
    PQfinish(su);
    scratch_url = url_with_db(url, scratch_name);
    return 0;
}

static int teardown(void **s)
{
    (void)s;
    PGconn *su = connect_to(url);
    char *sql = lt_asprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", scratch_name);
    exec_ok(su, sql);
    free(sql);
    PQfinish(su);
    free(scratch_url);
    free(scratch_name);
    return 0;
}

static void applies_from_empty(void **s)
{
    (void)s;
    char err[1024] = "";
    PGconn *db = connect_to(scratch_url);
    struct lt_migrate_result res;
    struct lt_migrate_opts dry = { 1, 5000 };
    assert_int_equal(lt_migrate_run(db, hub_dir, &dry, &res, err, sizeof err), LT_OK);
    assert_int_equal(res.files, hub_files);
    assert_int_equal(res.pending, hub_files);
    assert_int_equal(res.applied_now, 0);
    expect1(db, "SELECT to_regnamespace('lienthong') IS NULL", "t"); /* dry run touched nothing */

    struct lt_migrate_opts opts = { 0, 5000 };
    int rc = lt_migrate_run(db, hub_dir, &opts, &res, err, sizeof err);
    if (rc != LT_OK)
        fail_msg("migrate: %s", err);
    assert_int_equal(res.applied_before, 0);
    assert_int_equal(res.applied_now, hub_files);
    assert_int_equal(res.pending, 0);
    char want[16];
    snprintf(want, sizeof want, "%d", hub_files);
    expect1(db, "SELECT count(*) FROM lienthong.schema_migrations", want);
    expect1(db, "SELECT name FROM lienthong.schema_migrations WHERE version = 1", "001_event_store.sql");
    expect1(db, "SELECT sha256 ~ '^[0-9a-f]{64}$' FROM lienthong.schema_migrations WHERE version = 1", "t");
    /* The migrator owns the schema and every table; no role logs in. */
    expect1(db, "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'lienthong'",
            "lienthong_migrator");
    expect1(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'lienthong' "
                "AND tableowner <> 'lienthong_migrator'", "0");
    expect1(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'lienthong' AND tablename IN "
                "('event_store','dead_letter','consumer_offsets','chain_heads','forks','schema_migrations')",
            "6");
    expect1(db, "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'lienthong\\_%' "
                "AND (rolcanlogin OR rolsuper)", "0");
    /* Every table and column is documented. */
    expect1(db, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'lienthong' AND c.relkind = 'r' "
                "AND obj_description(c.oid, 'pg_class') IS NULL", "0");
    expect1(db, "SELECT string_agg(c.relname || '.' || a.attname, ', ') FROM pg_attribute a "
                "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'lienthong' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped "
                "AND col_description(c.oid, a.attnum) IS NULL", "(null)");
    PQfinish(db);
}

static void rerun_applies_nothing(void **s)
{
    (void)s;
    char err[1024] = "";
    PGconn *db = connect_to(scratch_url);
    struct lt_migrate_result res;
    struct lt_migrate_opts opts = { 0, 5000 };
    assert_int_equal(lt_migrate_run(db, hub_dir, &opts, &res, err, sizeof err), LT_OK);
    assert_int_equal(res.applied_before, hub_files);
    assert_int_equal(res.applied_now, 0);
    assert_int_equal(res.pending, 0);
    char *before = query1(db, "SELECT max(applied_at)::text FROM lienthong.schema_migrations");
    assert_int_equal(lt_migrate_run(db, hub_dir, &opts, &res, err, sizeof err), LT_OK);
    char *after = query1(db, "SELECT max(applied_at)::text FROM lienthong.schema_migrations");
    assert_string_equal(before, after);
    free(before);
    free(after);
    PQfinish(db);
}

static void edited_history_gaps_and_duplicates_refused(void **s)
{
    (void)s;
    char err[1024] = "";
    PGconn *db = connect_to(scratch_url);
    struct lt_migrate_opts opts = { 0, 5000 };

    char *dir = copy_of_hub();
    char *p = lt_asprintf("%s/001_event_store.sql", dir);
    char *text = slurp(p);
    char *edited = lt_asprintf("%s-- a harmless-looking edit\n", text);
    write_file(p, edited);
    assert_int_equal(lt_migrate_run(db, dir, &opts, NULL, err, sizeof err), LT_ERR_INVALID);
    assert_non_null(strstr(err, "edited after it was applied"));
    write_file(p, text); /* restored: accepted again */
    assert_int_equal(lt_migrate_run(db, dir, &opts, NULL, err, sizeof err), LT_OK);
    free(edited);
    free(text);
    free(p);

    /* A gap: version n+2 without n+1. Nothing is applied. */
    p = lt_asprintf("%s/%03d_after_gap.sql", dir, hub_files + 2);
    write_file(p, "CREATE TABLE lienthong.after_gap (x int);\n");
    assert_int_equal(lt_migrate_run(db, dir, &opts, NULL, err, sizeof err), LT_ERR_INVALID);
    assert_non_null(strstr(err, "without gaps"));
    expect1(db, "SELECT to_regclass('lienthong.after_gap') IS NULL", "t");
    unlink(p);
    free(p);

    /* Two files with one version. */
    char *p1 = lt_asprintf("%s/%03d_one.sql", dir, hub_files + 1);
    char *p2 = lt_asprintf("%s/%03d_two.sql", dir, hub_files + 1);
    write_file(p1, "SELECT 1;\n");
    write_file(p2, "SELECT 2;\n");
    assert_int_equal(lt_migrate_run(db, dir, &opts, NULL, err, sizeof err), LT_ERR_INVALID);
    assert_non_null(strstr(err, "duplicate migration version"));
    unlink(p1);
    unlink(p2);
    free(p1);
    free(p2);

    /* A badly named .sql file. */
    p = lt_asprintf("%s/latest.sql", dir);
    write_file(p, "SELECT 1;\n");
    assert_int_equal(lt_migrate_run(db, dir, &opts, NULL, err, sizeof err), LT_ERR_INVALID);
    assert_non_null(strstr(err, "NNN_description.sql"));
    unlink(p);
    free(p);
    remove_dir(dir);
    PQfinish(db);
}

static void failing_migration_leaves_nothing_then_next_applies(void **s)
{
    (void)s;
    char err[1024] = "";
    PGconn *db = connect_to(scratch_url);
    struct lt_migrate_opts opts = { 0, 5000 };
    struct lt_migrate_result res;
    char *dir = copy_of_hub();
    char *p = lt_asprintf("%s/%03d_broken.sql", dir, hub_files + 1);
    write_file(p, "CREATE TABLE lienthong.half_done (x int);\nSELEC broken;\n");
    assert_int_equal(lt_migrate_run(db, dir, &opts, &res, err, sizeof err), LT_ERR_DB);
    assert_non_null(strstr(err, "_broken.sql"));
    assert_non_null(strstr(err, "syntax error"));
    expect1(db, "SELECT to_regclass('lienthong.half_done') IS NULL", "t");
    char want[16];
    snprintf(want, sizeof want, "%d", hub_files);
    expect1(db, "SELECT count(*) FROM lienthong.schema_migrations", want);
    unlink(p);
    free(p);

    /* A migration that tries to manage the transaction itself is refused. */
    p = lt_asprintf("%s/%03d_commits.sql", dir, hub_files + 1);
    write_file(p, "COMMIT;\n");
    assert_int_equal(lt_migrate_run(db, dir, &opts, &res, err, sizeof err), LT_ERR_INVALID);
    assert_non_null(strstr(err, "BEGIN/COMMIT"));
    unlink(p);
    free(p);

    /* A good next migration is applied on its own. */
    p = lt_asprintf("%s/%03d_add_note.sql", dir, hub_files + 1);
    write_file(p, "SET LOCAL ROLE lienthong_migrator;\n"
                  "CREATE TABLE lienthong.note (x int);\n"
                  "COMMENT ON TABLE lienthong.note IS 'test';\n");
    assert_int_equal(lt_migrate_run(db, dir, &opts, &res, err, sizeof err), LT_OK);
    assert_int_equal(res.applied_before, hub_files);
    assert_int_equal(res.applied_now, 1);
    /* The auditor reads tables added later (default privileges). */
    expect1(db, "SELECT has_table_privilege('lienthong_auditor', 'lienthong.note', 'SELECT')", "t");
    expect1(db, "SELECT has_table_privilege('lienthong_reader', 'lienthong.note', 'SELECT')", "f");
    /* Now the source directory lacks an applied migration: refused. */
    assert_int_equal(lt_migrate_run(db, hub_dir, &opts, &res, err, sizeof err), LT_ERR_INVALID);
    assert_non_null(strstr(err, "missing"));
    /* Undo for the other tests (as superuser, outside the tool). */
    exec_ok(db, "DROP TABLE lienthong.note");
    char *sql = lt_asprintf("DELETE FROM lienthong.schema_migrations WHERE version = %d", hub_files + 1);
    exec_ok(db, sql);
    free(sql);
    unlink(p);
    free(p);
    remove_dir(dir);
    PQfinish(db);
}

static void second_migrator_waits_for_the_lock(void **s)
{
    (void)s;
    char err[1024] = "";
    PGconn *holder = connect_to(scratch_url);
    PGconn *db = connect_to(scratch_url);
    char *sql = lt_asprintf("SELECT pg_advisory_lock(%lld)", (long long)LT_MIGRATE_LOCK_KEY);
    free(query1(holder, sql));
    free(sql);
    struct lt_migrate_opts opts = { 0, 300 };
    assert_int_equal(lt_migrate_run(db, hub_dir, &opts, NULL, err, sizeof err), LT_ERR_TIMEOUT);
    assert_non_null(strstr(err, "another migrator"));
    assert_int_equal(PQtransactionStatus(db), PQTRANS_IDLE);
    PQfinish(holder); /* releases the lock */
    assert_int_equal(lt_migrate_run(db, hub_dir, &opts, NULL, err, sizeof err), LT_OK);
    PQfinish(db);
}

static void event_store_is_append_only(void **s)
{
    (void)s;
    PGconn *db = connect_to(scratch_url); /* superuser: privileges do not stop it, the trigger does */
    insert_event(db, "018f0000-0000-7000-8000-000000000001", "POLICE.HN", "1", "10", PGRES_COMMAND_OK, NULL);
    expect_refused(db, "UPDATE lienthong.event_store SET subject = 'x'", "42501", "append-only: UPDATE");
    expect_refused(db, "DELETE FROM lienthong.event_store", "42501", "append-only: DELETE");
    expect_refused(db, "TRUNCATE lienthong.event_store CASCADE", "42501", "append-only: TRUNCATE");
    expect1(db, "SELECT count(*) || ' ' || min(subject) FROM lienthong.event_store", "1 P:C1234567");
    PQfinish(db);
}

static void agency_sequence_is_unique(void **s)
{
    (void)s;
    PGconn *db = connect_to(scratch_url);
    insert_event(db, "018f0000-0000-7000-8000-000000000002", "POLICE.HN", "2", "11", PGRES_COMMAND_OK, NULL);
    /* Another event id at the same agency + sequence: a fork, not a row. */
    insert_event(db, "018f0000-0000-7000-8000-000000000003", "POLICE.HN", "2", "12", PGRES_FATAL_ERROR, "23505");
    expect_refused(db,
                   "INSERT INTO lienthong.event_store SELECT '018f0000-0000-7000-8000-0000000000ff', "
                   "agency_code, sequence, event_type, subject_key, subject, occurred_at, recorded_at, "
                   "rule_set, signed_bytes, event_hash, kafka_topic, kafka_partition, 99 "
                   "FROM lienthong.event_store WHERE sequence = 2",
                   "23505", "event_store_agency_sequence_key");
    /* Same sequence at another agency is fine; the same event id twice is not. */
    insert_event(db, "018f0000-0000-7000-8000-000000000004", "BORDER.LC", "2", "13", PGRES_COMMAND_OK, NULL);
    insert_event(db, "018f0000-0000-7000-8000-000000000004", "BORDER.LC", "3", "14", PGRES_FATAL_ERROR, "23505");
    expect1(db, "SELECT count(*) FROM lienthong.event_store", "3");
    expect1(db, "SELECT max(ingest_seq) > min(ingest_seq) FROM lienthong.event_store", "t");
    PQfinish(db);
}

static void consolidator_appends_but_cannot_change_events(void **s)
{
    (void)s;
    PGconn *db = connect_to(scratch_url);
    exec_ok(db, "SET ROLE lienthong_consolidator");
    insert_event(db, "018f0000-0000-7000-8000-000000000005", "POLICE.HN", "3", "20", PGRES_COMMAND_OK, NULL);
    expect_refused(db, "UPDATE lienthong.event_store SET subject = 'x'", "42501",
                   "permission denied for table event_store");
    expect_refused(db, "DELETE FROM lienthong.event_store", "42501",
                   "permission denied for table event_store");
    expect_refused(db, "TRUNCATE lienthong.event_store", "42501", "permission denied");
    expect_refused(db, "DROP TABLE lienthong.forks", "42501", "must be owner");
    /* Offsets and chain heads move, in one transaction with the data. */
    exec_ok(db, "BEGIN");
    exec_ok(db, "INSERT INTO lienthong.consumer_offsets (group_id, topic, partition, next_offset) "
                "VALUES ('lienthong-consolidator', 'lienthong.agency.police', 0, 21) "
                "ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, "
                "updated_at = now()");
    exec_ok(db, "INSERT INTO lienthong.chain_heads (agency_code, last_sequence, last_hash) "
                "VALUES ('POLICE.HN', 3, decode(repeat('cd', 32), 'hex')) "
                "ON CONFLICT (agency_code) DO UPDATE SET last_sequence = EXCLUDED.last_sequence, "
                "last_hash = EXCLUDED.last_hash");
    exec_ok(db, "UPDATE lienthong.consumer_offsets SET next_offset = 22");
    exec_ok(db, "INSERT INTO lienthong.dead_letter (kafka_topic, kafka_partition, kafka_offset, raw, "
                "code, reason) VALUES ('lienthong.agency.police', 0, 21, '\\xdead'::bytea, "
                "'bad_signature', 'test')");
    exec_ok(db, "INSERT INTO lienthong.forks (agency_code, sequence, stored_event_id, stored_event_hash, "
                "rival_event_id, rival_event_hash, rival_signed_bytes, kafka_topic, kafka_partition, "
                "kafka_offset) VALUES ('POLICE.HN', 3, '018f0000-0000-7000-8000-000000000005', "
                "decode(repeat('cd', 32), 'hex'), '018f0000-0000-7000-8000-000000000006', "
                "decode(repeat('ef', 32), 'hex'), '\\x01'::bytea, 'lienthong.agency.police', 0, 22)");
    exec_ok(db, "COMMIT");
    expect_refused(db, "DELETE FROM lienthong.dead_letter", "42501", "permission denied");
    expect_refused(db, "DELETE FROM lienthong.schema_migrations", "42501", "permission denied");
    exec_ok(db, "RESET ROLE");
    expect1(db, "SELECT next_offset FROM lienthong.consumer_offsets", "22");
    PQfinish(db);
}

static void reader_reads_but_cannot_write(void **s)
{
    (void)s;
    PGconn *db = connect_to(scratch_url);
    exec_ok(db, "SET ROLE lienthong_reader");
    expect1(db, "SELECT count(*) FROM lienthong.event_store", "4");
    expect1(db, "SELECT code FROM lienthong.dead_letter", "bad_signature");
    expect_refused(db, "SELECT raw FROM lienthong.dead_letter", "42501", "permission denied");
    insert_event(db, "018f0000-0000-7000-8000-000000000007", "POLICE.HN", "4", "30", PGRES_FATAL_ERROR, "42501");
    expect_refused(db, "UPDATE lienthong.chain_heads SET last_sequence = 1", "42501", "permission denied");
    expect_refused(db, "INSERT INTO lienthong.consumer_offsets VALUES ('g', 't', 0, 0)", "42501",
                   "permission denied");
    exec_ok(db, "SET ROLE lienthong_auditor");
    expect1(db, "SELECT encode(raw, 'hex') FROM lienthong.dead_letter", "dead");
    expect_refused(db, "INSERT INTO lienthong.forks (agency_code) VALUES ('x')", "42501", "permission denied");
    exec_ok(db, "RESET ROLE");
    PQfinish(db);
}

int main(void)
{
    url = getenv("LT_PG_URL");
    if (!url) {
        fprintf(stderr, "LT_PG_URL is not set: run under tests/harness/with-stack.sh\n");
        return 1;
    }
    const char *self = __FILE__;
    const char *suffix = "tests/integration/test_migrate.c";
    size_t n = strlen(self), k = strlen(suffix);
    if (n < k || strcmp(self + n - k, suffix) != 0) {
        fprintf(stderr, "cannot locate the source tree from %s\n", self);
        return 1;
    }
    hub_dir = lt_asprintf("%.*sdeploy/sql/hub", (int)(n - k), self);
    hub_files = count_hub_files();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(applies_from_empty),
        cmocka_unit_test(rerun_applies_nothing),
        cmocka_unit_test(edited_history_gaps_and_duplicates_refused),
        cmocka_unit_test(failing_migration_leaves_nothing_then_next_applies),
        cmocka_unit_test(second_migrator_waits_for_the_lock),
        cmocka_unit_test(event_store_is_append_only),
        cmocka_unit_test(agency_sequence_is_unique),
        cmocka_unit_test(consolidator_appends_but_cannot_change_events),
        cmocka_unit_test(reader_reads_but_cannot_write),
    };
    int failed = cmocka_run_group_tests(tests, setup, teardown);
    free(hub_dir);
    return failed;
}
