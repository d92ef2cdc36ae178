/* tokens.c — the token subcommands of lt-query (tokens.h). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth.h"
#include "core/config.h"
#include "core/err.h"
#include "db/db.h"
#include "params.h"
#include "tokens.h"

struct token_config {
    char *pg_url, *role, *name, *agency;
    long long expires_days;
};

#define O(f) offsetof(struct token_config, f)
static const struct lt_opt token_opts[] = {
    { "pg-url", LT_OPT_STRING, NULL, 0, 0, "LT_PG_URL", O(pg_url), 1,
      "the shared database, as a login that may change lienthong.api_tokens" },
    { "role", LT_OPT_STRING, NULL, 0, 0, NULL, O(role), 0,
      "token-add: agency, staff, leader or auditor" },
    { "name", LT_OPT_STRING, NULL, 0, 0, NULL, O(name), 0,
      "token-add, token-revoke: who holds the token (1-64 of A-Z a-z 0-9 . _ @ -)" },
    { "agency", LT_OPT_STRING, NULL, 0, 0, NULL, O(agency), 0,
      "token-add with --role agency: the agency's registry code" },
    { "expires-days", LT_OPT_INT, "0", 0, 3650, NULL, O(expires_days), 0,
      "token-add: days until the token expires (0: never)" },
};
#undef O

static int add(PGconn *db, const struct token_config *c)
{
    char err[256], token[LQ_TOKEN_LEN + 1], days[24];
    enum lq_role role = lq_role_parse(c->role);
    if (!role || !c->name) {
        fprintf(stderr, "lt-query token-add: give --name and --role agency|staff|leader|auditor\n");
        return 2;
    }
    if (lq_params_code("--name", c->name, 64, err, sizeof err) != LT_OK ||
        strchr(c->name, ':')) {
        fprintf(stderr, "lt-query token-add: --name must be 1-64 of A-Z a-z 0-9 . _ @ -\n");
        return 2;
    }
    if ((role == LQ_ROLE_AGENCY) != (c->agency != NULL) ||
        (c->agency && lq_params_code("--agency", c->agency, 64, err, sizeof err) != LT_OK)) {
        fprintf(stderr, "lt-query token-add: --agency CODE is needed with --role agency, and "
                        "only then\n");
        return 2;
    }
    lq_auth_token_new(token);
    uint8_t hash[LQ_TOKEN_HASH_BYTES];
    lq_auth_token_hash(token, hash);
    snprintf(days, sizeof days, "%lld", c->expires_days);
    const char *v[] = { (const char *)hash, c->name, lq_role_name(role), c->agency,
                        c->expires_days ? days : NULL };
    int lens[] = { LQ_TOKEN_HASH_BYTES, 0, 0, 0, 0 };
    int fmts[] = { 1, 0, 0, 0, 0 };
    PGresult *r = PQexecParams(db,
                               "INSERT INTO api_tokens (token_hash, name, role, agency_code, "
                               "expires_at) VALUES ($1, $2, $3, $4, now() + $5::int * "
                               "interval '1 day') RETURNING id",
                               5, NULL, v, lens, fmts, 0);
    int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "lt-query token-add: %s", PQresultErrorMessage(r));
    else
        fprintf(stderr, "token %s for %s (role %s) stored as a hash; it is shown only now\n",
                PQgetvalue(r, 0, 0), c->name, lq_role_name(role));
    PQclear(r);
    if (ok)
        printf("%s\n", token);
    sodium_memzero(token, sizeof token);
    return ok ? 0 : 1;
}

static int revoke(PGconn *db, const struct token_config *c)
{
    if (!c->name) {
        fprintf(stderr, "lt-query token-revoke: give --name\n");
        return 2;
    }
    const char *v[] = { c->name };
    PGresult *r = PQexecParams(db,
                               "UPDATE api_tokens SET revoked_at = now() WHERE name = $1 AND "
                               "revoked_at IS NULL RETURNING id",
                               1, NULL, v, NULL, NULL, 0);
    int st = 1;
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fprintf(stderr, "lt-query token-revoke: %s", PQresultErrorMessage(r));
    else if (PQntuples(r) == 0)
        fprintf(stderr, "lt-query token-revoke: no live token named %s\n", c->name);
    else {
        fprintf(stderr, "token of %s revoked\n", c->name);
        st = 0;
    }
    PQclear(r);
    return st;
}

static int list(PGconn *db)
{
    PGresult *r = PQexec(db,
                         "SELECT json_build_object('id', id, 'name', name, 'role', role, "
                         "'agency', agency_code, 'createdAt', created_at, 'expiresAt', expires_at, "
                         "'revokedAt', revoked_at)::text FROM api_tokens ORDER BY id");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "lt-query token-list: %s", PQresultErrorMessage(r));
        PQclear(r);
        return 1;
    }
    for (int i = 0; i < PQntuples(r); i++)
        printf("%s\n", PQgetvalue(r, i, 0));
    PQclear(r);
    return 0;
}

int lq_tokens_main(int argc, char **argv)
{
    const char *cmd = argv[0];
    char program[64], err[1024];
    snprintf(program, sizeof program, "lt-query %s", cmd);
    const struct lt_config_spec spec = {
        program, "[options]",
        "Manages the query service's bearer tokens: token-add prints a new token once\n"
        "(only its BLAKE2b hash is stored), token-revoke --name revokes one, token-list\n"
        "prints every token's holder, role and dates as JSON lines.",
        token_opts, sizeof token_opts / sizeof token_opts[0],
    };
    struct token_config c = { 0 };
    int st = 2;
    PGconn *db = NULL;
    int rc = lt_config_load(&spec, &c, argc, argv, NULL, err, sizeof err);
    if (rc == 1) {
        st = 0;
        goto out;
    }
    if (rc != LT_OK) {
        fprintf(stderr, "%s: %s\n", program, err);
        goto out;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "%s: libsodium failed to initialise\n", program);
        st = 1;
        goto out;
    }
    if (!(db = lt_db_connect(c.pg_url, "lt-query-tokens", "lienthong, pg_catalog", err, sizeof err))) {
        fprintf(stderr, "%s: %s\n", program, err);
        st = 1;
        goto out;
    }
    if (!strcmp(cmd, "token-add"))
        st = add(db, &c);
    else if (!strcmp(cmd, "token-revoke"))
        st = revoke(db, &c);
    else
        st = list(db);
out:
    PQfinish(db);
    lt_config_free(&spec, &c);
    return st;
}
