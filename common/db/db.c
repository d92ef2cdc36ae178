/* db.c — libpq connection set-up shared by every program. */
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "db/db.h"

static void notice_cb(void *arg, const char *message)
{
    (void)arg;
    size_t n = strlen(message);
    lt_info("postgres", "%.*s", (int)(n && message[n - 1] == '\n' ? n - 1 : n), message);
}

/* Copies libpq's error message without its trailing newline. */
static int db_error(PGconn *db, char *err, size_t errlen, const char *what)
{
    const char *m = db ? PQerrorMessage(db) : "out of memory";
    size_t n = strlen(m);
    while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
        n--;
    return lt_err_set(err, errlen, LT_ERR_DB, "%s: %.*s", what, (int)n, m);
}

PGconn *lt_db_connect(const char *conninfo, const char *app_name, const char *search_path,
                      char *err, size_t errlen)
{
    if (!conninfo || !*conninfo) {
        lt_err_set(err, errlen, LT_ERR_CONFIG, "no PostgreSQL connection string given");
        return NULL;
    }
    const char *keys[] = { "dbname", "application_name", "connect_timeout", NULL };
    const char *vals[] = { conninfo, app_name ? app_name : "lienthong", "10", NULL };
    PGconn *db = PQconnectdbParams(keys, vals, 1 /* expand dbname as a conninfo */);
    if (!db || PQstatus(db) != CONNECTION_OK) {
        db_error(db, err, errlen, "cannot connect to PostgreSQL");
        PQfinish(db);
        return NULL;
    }
    PQsetNoticeProcessor(db, notice_cb, NULL);
    if (search_path) {
        const char *params[] = { search_path };
        PGresult *r = PQexecParams(db, "SELECT pg_catalog.set_config('search_path', $1, false)",
                                   1, NULL, params, NULL, NULL, 0);
        int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
        PQclear(r);
        if (!ok) {
            db_error(db, err, errlen, "cannot set search_path");
            PQfinish(db);
            return NULL;
        }
    }
    return db;
}

int lt_db_exec(PGconn *db, const char *sql, char *err, size_t errlen)
{
    PGresult *r = PQexec(db, sql);
    ExecStatusType st = PQresultStatus(r);
    PQclear(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return LT_OK;
    return db_error(db, err, errlen, "SQL failed");
}
