/* migrate.c — applies deploy/sql/hub/NNN_*.sql to the shared database.
 *
 * The order of work: read and check the whole directory first (names,
 * versions 1..n, checksums), take the advisory lock, compare with what
 * lienthong.schema_migrations says was applied (refusing edited history), then
 * apply each pending file in its own transaction with its bookkeeping row.
 * Checking everything before touching the database means a bad directory
 * changes nothing. */
#include <assert.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "db/migrate.h"

#define MIGRATE_MAX_VERSION 999999
#define MIGRATE_MAX_FILE (16 * 1024 * 1024)

struct migration {
    int version;
    char *name;                                    /* file name, owned */
    char *sql;                                     /* file text, owned, NUL-terminated */
    char sha256[crypto_hash_sha256_BYTES * 2 + 1]; /* hex */
};

struct migration_set {
    struct migration *v;
    size_t n, cap;
};

static void set_free(struct migration_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].name);
        free(s->v[i].sql);
    }
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

/* Parses "NNN_description.sql". Returns the version, 0 when the name is not a
 * .sql file at all (ignored), -1 when it is a .sql file with a bad name. */
static int parse_name(const char *name)
{
    size_t len = strlen(name);
    if (len < 4 || strcmp(name + len - 4, ".sql") != 0)
        return 0;
    const char *p = name;
    long v = 0;
    int digits = 0;
    while (isdigit((unsigned char)*p)) {
        v = v * 10 + (*p - '0');
        if (++digits > 6)
            return -1;
        p++;
    }
    if (digits == 0 || v < 1 || v > MIGRATE_MAX_VERSION || *p != '_')
        return -1;
    p++;
    const char *end = name + len - 4;
    if (p == end)
        return -1;
    for (; p < end; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
            return -1;
    return (int)v;
}

/* Reads a whole file into a new NUL-terminated string (caller frees). */
static int read_file(const char *path, char **out, size_t *outlen, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return lt_err_set(err, errlen, LT_ERR_IO, "open %s: %s", path, strerror(errno));
    size_t cap = 8192, len = 0;
    char *buf = lt_malloc(cap);
    for (;;) {
        if (len + 1 >= cap) {
            if (cap >= MIGRATE_MAX_FILE) {
                fclose(f);
                free(buf);
                return lt_err_set(err, errlen, LT_ERR_INVALID, "%s: larger than %d bytes", path,
                                  MIGRATE_MAX_FILE);
            }
            cap *= 2;
            buf = lt_realloc(buf, cap);
        }
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return lt_err_set(err, errlen, LT_ERR_IO, "read %s failed", path);
    }
    buf[len] = '\0';
    if (memchr(buf, '\0', len)) {
        free(buf);
        return lt_err_set(err, errlen, LT_ERR_INVALID, "%s: contains a NUL byte", path);
    }
    *out = buf;
    *outlen = len;
    return LT_OK;
}

static int cmp_version(const void *a, const void *b)
{
    const struct migration *x = a, *y = b;
    return (x->version > y->version) - (x->version < y->version);
}

/* Loads every migration of dir, sorted, and checks versions run 1..n. */
static int load_dir(const char *dir, struct migration_set *set, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d)
        return lt_err_set(err, errlen, LT_ERR_IO, "open migrations directory %s: %s", dir,
                          strerror(errno));
    int rc = LT_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        int v = parse_name(e->d_name);
        if (v == 0)
            continue;
        if (v < 0) {
            rc = lt_err_set(err, errlen, LT_ERR_INVALID,
                            "%s/%s: a migration is named NNN_description.sql (version 1..%d, "
                            "description of [A-Za-z0-9_-])", dir, e->d_name, MIGRATE_MAX_VERSION);
            goto out;
        }
        if (set->n == set->cap) {
            set->cap = set->cap ? set->cap * 2 : 16;
            set->v = lt_realloc(set->v, set->cap * sizeof *set->v);
        }
        struct migration *m = &set->v[set->n];
        memset(m, 0, sizeof *m);
        char *path = lt_asprintf("%s/%s", dir, e->d_name);
        size_t len = 0;
        rc = read_file(path, &m->sql, &len, err, errlen);
        free(path);
        if (rc != LT_OK)
            goto out;
        m->version = v;
        m->name = lt_strdup(e->d_name);
        set->n++;
        unsigned char h[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(h, (const unsigned char *)m->sql, len);
        sodium_bin2hex(m->sha256, sizeof m->sha256, h, sizeof h);
    }
    if (set->n)
        qsort(set->v, set->n, sizeof *set->v, cmp_version);
    for (size_t i = 0; i < set->n; i++) {
        if (i > 0 && set->v[i].version == set->v[i - 1].version) {
            rc = lt_err_set(err, errlen, LT_ERR_INVALID, "%s: duplicate migration version %d (%s, %s)",
                            dir, set->v[i].version, set->v[i - 1].name, set->v[i].name);
            goto out;
        }
        if (set->v[i].version != (int)i + 1) {
            rc = lt_err_set(err, errlen, LT_ERR_INVALID,
                            "%s: migration versions must run 1, 2, 3… without gaps; version %d is "
                            "missing before %s", dir, (int)i + 1, set->v[i].name);
            goto out;
        }
    }
out:
    closedir(d);
    return rc;
}

/* Sets err from a failed result (the server's primary message) and clears it. */
static int result_error(PGconn *db, PGresult *r, const char *what, char *err, size_t errlen)
{
    const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!m)
        m = PQerrorMessage(db);
    size_t n = strlen(m);
    while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
        n--;
    int rc = lt_err_set(err, errlen, LT_ERR_DB, "%s: %.*s", what, (int)n, m);
    PQclear(r);
    return rc;
}

/* Runs a parameterized statement expecting status want; clears the result. */
static int exec_params(PGconn *db, const char *sql, int n, const char *const *vals,
                       ExecStatusType want, const char *what, char *err, size_t errlen)
{
    PGresult *r = PQexecParams(db, sql, n, NULL, vals, NULL, NULL, 0);
    if (PQresultStatus(r) != want)
        return result_error(db, r, what, err, errlen);
    PQclear(r);
    return LT_OK;
}

static void rollback_quietly(PGconn *db)
{
    if (PQtransactionStatus(db) != PQTRANS_IDLE)
        PQclear(PQexec(db, "ROLLBACK"));
}

/* Takes the migrators' session advisory lock, waiting at most timeout_ms. */
static int take_lock(PGconn *db, long timeout_ms, char *err, size_t errlen)
{
    char key[32], tmo[32];
    snprintf(key, sizeof key, "%lld", (long long)LT_MIGRATE_LOCK_KEY);
    snprintf(tmo, sizeof tmo, "%ld", timeout_ms > 0 ? timeout_ms : 0);
    const char *kv[] = { key };
    PGresult *r = PQexecParams(db, "SELECT pg_catalog.pg_try_advisory_lock($1::bigint)", 1, NULL,
                               kv, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        return result_error(db, r, "advisory lock", err, errlen);
    int got = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    if (got)
        return LT_OK;
    lt_info("migrate", "another migrator holds the lock; waiting (lock_timeout_ms=%ld)", timeout_ms);
    /* lock_timeout set LOCAL to a transaction; the session lock outlives it. */
    if (PQresultStatus(r = PQexec(db, "BEGIN")) != PGRES_COMMAND_OK)
        return result_error(db, r, "BEGIN", err, errlen);
    PQclear(r);
    const char *tv[] = { tmo };
    int rc = exec_params(db, "SELECT pg_catalog.set_config('lock_timeout', $1, true)", 1, tv,
                         PGRES_TUPLES_OK, "set lock_timeout", err, errlen);
    if (rc == LT_OK) {
        r = PQexecParams(db, "SELECT pg_catalog.pg_advisory_lock($1::bigint)", 1, NULL, kv, NULL,
                         NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
            if (state && strcmp(state, "55P03") == 0) {
                PQclear(r);
                rc = lt_err_set(err, errlen, LT_ERR_TIMEOUT,
                                "another migrator still holds the lock after %ld ms", timeout_ms);
            } else {
                rc = result_error(db, r, "advisory lock", err, errlen);
            }
        } else {
            PQclear(r);
        }
    }
    if (rc != LT_OK) {
        rollback_quietly(db);
        return rc;
    }
    if (PQresultStatus(r = PQexec(db, "COMMIT")) != PGRES_COMMAND_OK)
        return result_error(db, r, "COMMIT", err, errlen);
    PQclear(r);
    return LT_OK;
}

static void release_lock(PGconn *db)
{
    char key[32];
    snprintf(key, sizeof key, "%lld", (long long)LT_MIGRATE_LOCK_KEY);
    const char *kv[] = { key };
    PQclear(PQexecParams(db, "SELECT pg_catalog.pg_advisory_unlock($1::bigint)", 1, NULL, kv, NULL,
                         NULL, 0));
}

static const char bootstrap_sql[] =
    "CREATE SCHEMA IF NOT EXISTS lienthong;"
    "CREATE TABLE lienthong.schema_migrations ("
    "  version    integer     PRIMARY KEY CHECK (version >= 1),"
    "  name       text        NOT NULL UNIQUE,"
    "  sha256     text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),"
    "  applied_at timestamptz NOT NULL DEFAULT now(),"
    "  applied_by text        NOT NULL DEFAULT session_user)";

/* Compares the recorded history with the files. Sets *applied to the number
 * of recorded versions (0 when the bookkeeping table does not exist yet) and
 * *exists to whether it does. */
static int check_history(PGconn *db, const struct migration_set *set, const char *dir,
                         int *applied, int *exists, char *err, size_t errlen)
{
    *applied = 0;
    PGresult *r = PQexecParams(db, "SELECT pg_catalog.to_regclass('lienthong.schema_migrations') IS NOT NULL",
                               0, NULL, NULL, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        return result_error(db, r, "look for lienthong.schema_migrations", err, errlen);
    *exists = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    if (!*exists)
        return LT_OK;
    r = PQexecParams(db, "SELECT version, name, sha256 FROM lienthong.schema_migrations ORDER BY version",
                     0, NULL, NULL, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        return result_error(db, r, "read lienthong.schema_migrations", err, errlen);
    int rc = LT_OK, rows = PQntuples(r);
    for (int i = 0; i < rows; i++) {
        int v = atoi(PQgetvalue(r, i, 0));
        const char *name = PQgetvalue(r, i, 1), *sha = PQgetvalue(r, i, 2);
        if (v != i + 1) {
            rc = lt_err_set(err, errlen, LT_ERR_INVALID,
                            "lienthong.schema_migrations has a gap: version %d recorded without %d",
                            v, i + 1);
            break;
        }
        if ((size_t)i >= set->n) {
            rc = lt_err_set(err, errlen, LT_ERR_INVALID,
                            "applied migration %d (%s) is missing from %s", v, name, dir);
            break;
        }
        const struct migration *m = &set->v[i];
        if (strcmp(m->name, name) != 0) {
            rc = lt_err_set(err, errlen, LT_ERR_INVALID,
                            "migration %d was applied as %s but the file is now %s/%s", v, name, dir,
                            m->name);
            break;
        }
        if (strcmp(m->sha256, sha) != 0) {
            rc = lt_err_set(err, errlen, LT_ERR_INVALID,
                            "%s/%s was edited after it was applied (sha256 %.16s… recorded, "
                            "%.16s… now): never edit an applied migration, add a new one",
                            dir, name, sha, m->sha256);
            break;
        }
    }
    PQclear(r);
    if (rc == LT_OK)
        *applied = rows;
    return rc;
}

/* Applies one migration and records it, in one transaction. */
static int apply_one(PGconn *db, const struct migration *m, char *err, size_t errlen)
{
    char what[320];
    snprintf(what, sizeof what, "migration %s", m->name);
    PGresult *r = PQexec(db, "BEGIN");
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        return result_error(db, r, "BEGIN", err, errlen);
    PQclear(r);
    int rc = LT_OK;
    r = PQexec(db, m->sql); /* multi-statement: the file is trusted deployment code */
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
        rc = result_error(db, r, what, err, errlen);
        goto out;
    }
    PQclear(r);
    if (PQtransactionStatus(db) != PQTRANS_INTRANS) {
        rc = lt_err_set(err, errlen, LT_ERR_INVALID,
                        "%s ended the transaction itself: migrations must not contain BEGIN/COMMIT",
                        what);
        goto out;
    }
    char ver[16];
    snprintf(ver, sizeof ver, "%d", m->version);
    const char *vals[] = { ver, m->name, m->sha256 };
    rc = exec_params(db, "INSERT INTO lienthong.schema_migrations (version, name, sha256) "
                         "VALUES ($1::integer, $2, $3)",
                     3, vals, PGRES_COMMAND_OK, "record migration", err, errlen);
    if (rc != LT_OK)
        goto out;
    r = PQexec(db, "COMMIT");
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        rc = result_error(db, r, what, err, errlen);
        goto out;
    }
    PQclear(r);
out:
    if (rc != LT_OK)
        rollback_quietly(db);
    return rc;
}

int lt_migrate_run(PGconn *db, const char *dir, const struct lt_migrate_opts *opts,
                   struct lt_migrate_result *res, char *err, size_t errlen)
{
    assert(db && dir);
    static const struct lt_migrate_opts defaults = { 0, 0 };
    if (!opts)
        opts = &defaults;
    struct lt_migrate_result local;
    if (!res)
        res = &local;
    memset(res, 0, sizeof *res);
    if (PQtransactionStatus(db) != PQTRANS_IDLE)
        return lt_err_set(err, errlen, LT_ERR_INVALID, "lt_migrate_run: connection is busy or in a transaction");
    if (sodium_init() < 0)
        return lt_err_set(err, errlen, LT_ERR_CRYPTO, "libsodium failed to initialise");

    struct migration_set set = { 0 };
    int locked = 0, exists = 0, applied = 0;
    int rc = load_dir(dir, &set, err, errlen);
    if (rc != LT_OK)
        goto out;
    res->files = (int)set.n;
    rc = take_lock(db, opts->lock_timeout_ms, err, errlen);
    if (rc != LT_OK)
        goto out;
    locked = 1;
    rc = check_history(db, &set, dir, &applied, &exists, err, errlen);
    if (rc != LT_OK)
        goto out;
    res->applied_before = applied;
    res->pending = (int)set.n - applied;
    if (opts->dry_run) {
        for (size_t i = (size_t)applied; i < set.n; i++)
            lt_info("migrate", "pending %s (version %d, sha256 %s)", set.v[i].name,
                    set.v[i].version, set.v[i].sha256);
        goto out;
    }
    if (!exists && set.n > 0) {
        PGresult *r = PQexec(db, bootstrap_sql);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            rc = result_error(db, r, "create lienthong.schema_migrations", err, errlen);
            goto out;
        }
        PQclear(r);
        lt_info("migrate", "created lienthong.schema_migrations");
    }
    for (size_t i = (size_t)applied; i < set.n; i++) {
        rc = apply_one(db, &set.v[i], err, errlen);
        if (rc != LT_OK)
            goto out;
        res->applied_now++;
        res->pending--;
        lt_info("migrate", "applied %s (version %d, sha256 %s)", set.v[i].name, set.v[i].version,
                set.v[i].sha256);
    }
    lt_info("migrate", "schema at version %d (%d applied now)", (int)set.n, res->applied_now);
out:
    if (locked) {
        rollback_quietly(db);
        release_lock(db);
    }
    set_free(&set);
    return rc;
}
