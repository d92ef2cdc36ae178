/* lt-migrate — brings the hub's shared PostgreSQL database to the current
 * schema: applies the pending deploy/sql/hub/NNN_*.sql migrations in order,
 * each in its own transaction, and records them in lienthong.schema_migrations
 * (see common/db/migrate.h for the rules it enforces).
 *
 * It is a deployment step, run before the consolidator and query services
 * start, by a login that may create the schema (and, the very first time, the
 * lienthong_* group roles): typically the cluster's superuser or a DBA login
 * granted lienthong_migrator. The services themselves never need that.
 *
 * The migrations directory has no default on purpose: a migrator that guessed
 * the wrong directory would report "nothing to do" against the wrong history.
 * Give --migrations-dir (or LT_MIGRATIONS_DIR): deploy/sql/hub in a source
 * tree, the installed copy (e.g. /usr/share/lienthong/sql/hub) in production.
 *
 * Exit status: 0 when the database is at the directory's latest version (or,
 * with --dry-run, after listing what is pending), 1 on any refusal. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "db/db.h"
#include "db/migrate.h"

struct migrate_config {
    char *pg_url;
    char *migrations_dir;
    int dry_run;
    long long lock_timeout_ms;
};

static const struct lt_opt migrate_opts[] = {
    { "pg-url", LT_OPT_STRING, NULL, 0, 0, "LT_PG_URL",
      offsetof(struct migrate_config, pg_url), 1,
      "PostgreSQL connection string or URI of the hub database (password from PGPASSFILE)" },
    { "migrations-dir", LT_OPT_STRING, NULL, 0, 0, "LT_MIGRATIONS_DIR",
      offsetof(struct migrate_config, migrations_dir), 1,
      "directory of NNN_description.sql files (deploy/sql/hub in the source tree)" },
    { "dry-run", LT_OPT_BOOL, "0", 0, 0, NULL,
      offsetof(struct migrate_config, dry_run), 0,
      "list the pending migrations and change nothing" },
    { "lock-timeout-ms", LT_OPT_INT, "60000", 0, 3600000, NULL,
      offsetof(struct migrate_config, lock_timeout_ms), 0,
      "give up when another migrator holds the lock this long (0: wait forever)" },
};

static const struct lt_config_spec migrate_spec = {
    "lt-migrate", "[options]",
    "Applies the pending schema migrations of the hub's shared database, in order,\n"
    "each in one transaction recorded in lienthong.schema_migrations. Refuses edited\n"
    "history (a changed checksum), gaps and duplicate versions. Safe to run again.",
    migrate_opts, sizeof migrate_opts / sizeof migrate_opts[0],
};

int main(int argc, char **argv)
{
    char err[1024] = "";
    struct migrate_config cfg = { 0 };
    int first = 0;
    int rc = lt_config_load(&migrate_spec, &cfg, argc, argv, &first, err, sizeof err);
    if (rc == 1)
        return 0;
    if (rc != LT_OK) {
        lt_error("migrate", "%s", err);
        lt_config_free(&migrate_spec, &cfg);
        return 1;
    }
    if (first < argc) {
        lt_error("migrate", "unexpected argument '%s' (see --help)", argv[first]);
        lt_config_free(&migrate_spec, &cfg);
        return 1;
    }
    int status = 1;
    PGconn *db = lt_db_connect(cfg.pg_url, "lt-migrate", NULL, err, sizeof err);
    if (!db) {
        lt_error("migrate", "%s", err);
        goto out;
    }
    struct lt_migrate_opts opts = { cfg.dry_run, (long)cfg.lock_timeout_ms };
    struct lt_migrate_result res;
    rc = lt_migrate_run(db, cfg.migrations_dir, &opts, &res, err, sizeof err);
    if (rc != LT_OK) {
        lt_error("migrate", "refused (%s): %s", lt_err_name(rc), err);
        goto out;
    }
    if (cfg.dry_run)
        printf("%d migration(s) in %s, %d applied, %d pending\n", res.files, cfg.migrations_dir,
               res.applied_before, res.pending);
    else
        printf("%d migration(s) in %s, %d were applied, %d applied now\n", res.files,
               cfg.migrations_dir, res.applied_before, res.applied_now);
    status = 0;
out:
    PQfinish(db);
    lt_config_free(&migrate_spec, &cfg);
    return status;
}
