/* test_db_roundtrip — libpq against the project's own PostgreSQL 15: the
 * connection helper, parameterized SQL keeps hostile text as data, bytea
 * survives byte for byte, a rolled-back transaction leaves nothing, and the
 * server really checks passwords. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "db/db.h"

static const char *url;

static PGconn *connect_or_fail(void)
{
    char err[512] = "";
    PGconn *db = lt_db_connect(url, "test_db_roundtrip", "pg_temp, public", err, sizeof err);
    if (!db)
        fail_msg("connect: %s", err);
    return db;
}

static void server_is_ours_and_15(void **s)
{
    (void)s;
    PGconn *db = connect_or_fail();
    assert_true(PQserverVersion(db) >= 150000 && PQserverVersion(db) < 160000);
    PGresult *r = PQexec(db, "SELECT current_setting('application_name'), current_database()");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_string_equal(PQgetvalue(r, 0, 0), "test_db_roundtrip");
    assert_string_equal(PQgetvalue(r, 0, 1), "lienthong");
    PQclear(r);
    PQfinish(db);
}

static void parameters_stay_data_and_bytes_survive(void **s)
{
    (void)s;
    char err[512];
    PGconn *db = connect_or_fail();
    assert_int_equal(lt_db_exec(db, "CREATE TEMP TABLE t (name text, blob bytea)", err, sizeof err), LT_OK);
    const char *hostile = "Nguyễn'); DROP TABLE t; --";
    unsigned char blob[256];
    for (int i = 0; i < 256; i++) blob[i] = (unsigned char)i;
    const char *vals[] = { hostile, (const char *)blob };
    int lens[] = { 0, 256 }, fmts[] = { 0, 1 };
    PGresult *r = PQexecParams(db, "INSERT INTO t VALUES ($1, $2)", 2, NULL, vals, lens, fmts, 0);
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    r = PQexecParams(db, "SELECT name, blob FROM t", 0, NULL, NULL, NULL, NULL, 1);
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_int_equal(PQntuples(r), 1);
    assert_int_equal(PQgetlength(r, 0, 0), (int)strlen(hostile));
    assert_memory_equal(PQgetvalue(r, 0, 0), hostile, strlen(hostile));
    assert_int_equal(PQgetlength(r, 0, 1), 256);
    assert_memory_equal(PQgetvalue(r, 0, 1), blob, 256);
    PQclear(r);
    PQfinish(db);
}

static void rollback_leaves_nothing(void **s)
{
    (void)s;
    char err[512];
    PGconn *db = connect_or_fail();
    assert_int_equal(lt_db_exec(db, "CREATE TEMP TABLE r (x int)", err, sizeof err), LT_OK);
    assert_int_equal(lt_db_exec(db, "BEGIN", err, sizeof err), LT_OK);
    assert_int_equal(lt_db_exec(db, "INSERT INTO r VALUES (1)", err, sizeof err), LT_OK);
    assert_int_equal(lt_db_exec(db, "ROLLBACK", err, sizeof err), LT_OK);
    PGresult *res = PQexec(db, "SELECT count(*) FROM r");
    assert_string_equal(PQgetvalue(res, 0, 0), "0");
    PQclear(res);
    assert_int_equal(lt_db_exec(db, "SELEC nonsense", err, sizeof err), LT_ERR_DB);
    assert_non_null(strstr(err, "syntax error"));
    PQfinish(db);
}

static void password_is_really_checked(void **s)
{
    (void)s;
    char err[512] = "";
    const char *saved = getenv("PGPASSFILE");
    char *copy = saved ? strdup(saved) : NULL;
    setenv("PGPASSFILE", "/dev/null", 1);
    PGconn *db = lt_db_connect(url, "t", NULL, err, sizeof err);
    assert_null(db);
    assert_non_null(strstr(err, "password"));
    if (copy) { setenv("PGPASSFILE", copy, 1); free(copy); }

    assert_null(lt_db_connect("", "t", NULL, err, sizeof err));
    assert_non_null(strstr(err, "no PostgreSQL connection string"));
    assert_null(lt_db_connect("postgresql://nobody@127.0.0.1:1/x", "t", NULL, err, sizeof err));
    assert_non_null(strstr(err, "cannot connect"));
}

int main(void)
{
    url = getenv("LT_PG_URL");
    if (!url) {
        fprintf(stderr, "LT_PG_URL is not set: run under tests/harness/with-stack.sh\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(server_is_ours_and_15),
        cmocka_unit_test(parameters_stay_data_and_bytes_survive),
        cmocka_unit_test(rollback_leaves_nothing),
        cmocka_unit_test(password_is_really_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
