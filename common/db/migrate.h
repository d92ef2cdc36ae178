/* migrate.h — versioned schema migrations for the hub's shared database.
 *
 * A migrations directory holds files named NNN_description.sql (NNN: one or
 * more digits, the version; description: [A-Za-z0-9_-]+). Versions must run
 * 1, 2, 3… without gaps or duplicates. Each pending file is applied in its own
 * transaction together with its row in lienthong.schema_migrations (version,
 * name, SHA-256 of the file, applied_at, applied_by), so a migration is either
 * wholly applied and recorded or not at all. A file that was applied and has
 * since changed (someone edited history) stops everything. Running again
 * applies nothing. A session advisory lock keeps two migrators from running
 * at once on one database.
 *
 * Files must not contain transaction control (BEGIN/COMMIT): the migrator owns
 * the transaction. Other names in the directory (README.md…) are ignored; a
 * name ending in .sql that does not match the pattern is an error. */
#ifndef LT_DB_MIGRATE_H
#define LT_DB_MIGRATE_H

#include <libpq-fe.h>
#include <stddef.h>

/* Key of the pg_advisory_lock the migrator holds while it works. */
#define LT_MIGRATE_LOCK_KEY 0x4c54204d49475241LL /* "LT MIGRA" */

struct lt_migrate_opts {
    int dry_run;             /* only report what is pending; change nothing */
    long lock_timeout_ms;    /* give up waiting for another migrator; 0 = wait forever */
};

struct lt_migrate_result {
    int files;               /* migration files found in the directory */
    int applied_before;      /* versions already recorded when we started */
    int applied_now;         /* versions this run applied (0 on a dry run) */
    int pending;             /* versions still not applied when we stopped */
};

/* Applies the pending migrations of dir to db, in order, logging each one.
 * Fills *res (may be NULL). Returns LT_OK; LT_ERR_INVALID when the directory
 * breaks the rules (bad name, gap, duplicate) or history was edited (an applied
 * file's checksum changed, or it disappeared); LT_ERR_IO when the directory or
 * a file cannot be read; LT_ERR_TIMEOUT when another migrator held the lock
 * longer than opts->lock_timeout_ms; LT_ERR_DB when PostgreSQL refused (the
 * failing migration is rolled back and those before it stay applied). err
 * names the file at fault. The connection must not be inside a transaction;
 * it is left outside one. */
int lt_migrate_run(PGconn *db, const char *dir, const struct lt_migrate_opts *opts,
                   struct lt_migrate_result *res, char *err, size_t errlen)
    __attribute__((warn_unused_result));

#endif
