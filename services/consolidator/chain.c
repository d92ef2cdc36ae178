/* chain.c — each agency's chain head, moved over contiguous, linking events,
 * and the gap at the head while a missing sequence has not arrived.
 *
 * An advisory lock per agency, held to the commit, makes instances that
 * share the agency's partitions move its head one at a time. The walk reads the
 * stored events above the head in sequence order, in growing chunks, and
 * stops at the first missing sequence or the first link that does not match
 * (a chain_breaks alarm); its cost follows the progress made, not the
 * backlog waiting behind a gap. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cons.h"
#include "core/log.h"

#define CHAIN_LOCK_CLASS "74111" /* advisory lock class of chain heads */
#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/* Records the gap at the head: missing head+1 .. next-1 (next = the next
 * stored sequence), or closes the open gap when next is 0 (none above). */
static int note_gap(struct cons *c, const char *agency, long long head, long long next)
{
    char from[24], to[24];
    snprintf(from, sizeof from, "%lld", head + 1);
    snprintf(to, sizeof to, "%lld", next - 1);
    PGresult *r;
    if (next > head + 1) {
        const char *v[] = { agency, from, to };
        r = cons_q(c->db, "INSERT INTO chain_gaps (agency_code, from_sequence, to_sequence) "
                   "VALUES ($1, $2, $3) ON CONFLICT (agency_code) WHERE filled_at IS NULL DO "
                   "UPDATE SET from_sequence = EXCLUDED.from_sequence, to_sequence = "
                   "EXCLUDED.to_sequence, updated_at = now() WHERE (chain_gaps.from_sequence, "
                   "chain_gaps.to_sequence) IS DISTINCT FROM (EXCLUDED.from_sequence, "
                   "EXCLUDED.to_sequence)", 3, v, NULL, NULL);
    } else {
        const char *v[] = { agency };
        r = cons_q(c->db, "UPDATE chain_gaps SET filled_at = now(), updated_at = now() WHERE "
                   "agency_code = $1 AND filled_at IS NULL", 1, v, NULL, NULL);
    }
    int ok = cons_ok(r, PGRES_COMMAND_OK, "note chain gap");
    PQclear(r);
    return ok ? 0 : -1;
}

static int advance_head(struct cons *c, const char *agency)
{
    /* One walker per agency at a time, until commit: an advisory lock, since
     * before its first event an agency has no head row to lock. The last of
     * two instances to walk then sees the other's committed events. */
    const char *v[] = { agency };
    PGresult *r = cons_q(c->db, "SELECT pg_advisory_xact_lock(" CHAIN_LOCK_CLASS ", hashtext($1))",
                         1, v, NULL, NULL);
    int locked = cons_ok(r, PGRES_TUPLES_OK, "lock chain head");
    PQclear(r);
    if (!locked)
        return -1;
    r = cons_q(c->db, "SELECT last_sequence, encode(last_hash, 'hex') FROM chain_heads "
               "WHERE agency_code = $1", 1, v, NULL, NULL);
    if (!cons_ok(r, PGRES_TUPLES_OK, "read chain head")) {
        PQclear(r);
        return -1;
    }
    long long head = 0, next = 0;
    char hash[65] = ZERO_HASH;
    if (PQntuples(r) == 1) {
        head = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        snprintf(hash, sizeof hash, "%s", PQgetvalue(r, 0, 1));
    }
    PQclear(r);
    long long start = head;
    int broken = 0;
    for (int chunk = 64; !broken;) {
        char from[24], lim[16];
        snprintf(from, sizeof from, "%lld", head);
        snprintf(lim, sizeof lim, "%d", chunk);
        const char *v2[] = { agency, from, lim };
        r = cons_q(c->db, "SELECT sequence, event_id, encode(event_hash, 'hex'), "
                   "encode(prev_hash, 'hex') FROM event_store WHERE agency_code = $1 AND "
                   "sequence > $2 ORDER BY sequence LIMIT $3", 3, v2, NULL, NULL);
        if (!cons_ok(r, PGRES_TUPLES_OK, "follow chain")) {
            PQclear(r);
            return -1;
        }
        int rows = PQntuples(r), i;
        next = 0;
        for (i = 0; i < rows; i++) {
            long long s = strtoll(PQgetvalue(r, i, 0), NULL, 10);
            if (s != head + 1) {
                next = s; /* a gap: the head waits for the missing event */
                break;
            }
            if (strcmp(PQgetvalue(r, i, 3), hash) != 0) {
                const char *v3[] = { agency, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), hash,
                                     PQgetvalue(r, i, 3) };
                PGresult *r3 = cons_q(c->db, "INSERT INTO chain_breaks (agency_code, sequence, "
                                      "event_id, expected_hash, found_hash) VALUES ($1, $2, $3, "
                                      "decode($4, 'hex'), decode($5, 'hex')) ON CONFLICT DO NOTHING",
                                      5, v3, NULL, NULL);
                int ok = cons_ok(r3, PGRES_COMMAND_OK, "record chain break");
                PQclear(r3);
                if (!ok) {
                    PQclear(r);
                    return -1;
                }
                c->n.chain_breaks++;
                if (c->m.chain_breaks)
                    lt_metrics_counter_inc(c->m.chain_breaks);
                lt_error("consolidator", "CHAIN BREAK: agency %s sequence %s does not link to "
                         "%lld", agency, PQgetvalue(r, i, 0), head);
                broken = 1;
                break;
            }
            snprintf(hash, sizeof hash, "%s", PQgetvalue(r, i, 2));
            head++;
        }
        PQclear(r);
        if (i < rows || rows < chunk)
            break; /* stopped inside the chunk, or read everything above */
        if (chunk < 16384)
            chunk *= 4;
    }
    if (!broken && note_gap(c, agency, head, next) != 0)
        return -1;
    if (head == start)
        return 0;
    char hs[24];
    snprintf(hs, sizeof hs, "%lld", head);
    const char *v4[] = { agency, hs, hash };
    r = cons_q(c->db, "INSERT INTO chain_heads (agency_code, last_sequence, last_hash) VALUES "
               "($1, $2, decode($3, 'hex')) ON CONFLICT (agency_code) DO UPDATE SET "
               "last_sequence = EXCLUDED.last_sequence, last_hash = EXCLUDED.last_hash, "
               "updated_at = now()", 3, v4, NULL, NULL);
    int ok = cons_ok(r, PGRES_COMMAND_OK, "move chain head");
    PQclear(r);
    return ok ? 0 : -1;
}

int cons_advance_heads(struct cons *c, char **agencies, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (advance_head(c, agencies[i]) != 0)
            return -1;
    return 0;
}

long cons_report_gaps(struct cons *c)
{
    char secs[24];
    snprintf(secs, sizeof secs, "%lld", c->cfg.gap_report_after_s);
    const char *v[] = { secs };
    PGresult *r = cons_q(c->db, "UPDATE chain_gaps SET reported_at = now() WHERE filled_at IS NULL "
                         "AND reported_at IS NULL AND opened_at < now() - make_interval(secs => $1)"
                         " RETURNING agency_code, from_sequence, to_sequence, opened_at", 1, v,
                         NULL, NULL);
    if (!cons_ok(r, PGRES_TUPLES_OK, "report chain gaps")) {
        PQclear(r);
        return -1;
    }
    long k = PQntuples(r);
    for (long i = 0; i < k; i++)
        lt_error("consolidator", "CHAIN GAP NOT FILLED: agency %s is missing sequence(s) %s..%s "
                 "since %s; its later events are stored but its chain head waits (ask the agency "
                 "to re-send, see lienthong.chain_gaps)", PQgetvalue(r, (int)i, 0),
                 PQgetvalue(r, (int)i, 1), PQgetvalue(r, (int)i, 2), PQgetvalue(r, (int)i, 3));
    PQclear(r);
    c->n.gaps_reported += (uint64_t)k;
    return k;
}
