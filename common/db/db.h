/* db.h — connecting to PostgreSQL the Lienthong way.
 *
 * Takes any libpq connection string or URI (the embedded stack prints one as
 * LT_PG_URL; passwords come from PGPASSFILE, never the command line), names
 * the application so pg_stat_activity says who is connected, routes server
 * notices into the project logger, and sets the search path explicitly. */
#ifndef LT_DB_DB_H
#define LT_DB_DB_H

#include <libpq-fe.h>
#include <stddef.h>

/* Connects; search_path may be NULL to leave the server's default. Returns
 * NULL and fills err (without the password) on failure. The caller owns the
 * connection: PQfinish(). */
PGconn *lt_db_connect(const char *conninfo, const char *app_name, const char *search_path,
                      char *err, size_t errlen);

/* Runs one parameterless command (DDL, BEGIN/COMMIT) and checks it succeeded.
 * Returns LT_OK or LT_ERR_DB with the server's message in err. */
int lt_db_exec(PGconn *db, const char *sql, char *err, size_t errlen)
    __attribute__((warn_unused_result));

#endif
