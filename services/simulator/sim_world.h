/* sim_world.h — what the simulator's parts share (internal to
 * services/simulator): the random streams, the agencies, the shape of an
 * actor's plan, the administrative places and small JSON helpers.
 *
 * An actor (an employer, a hiring round, a foreign worker, a citizen going
 * abroad) is planned by a pure function of (seed, kind, number): the plan
 * lists every step of its story with the instant it happened (occ) and the
 * instant its agency sends it (emit), sorted by emit. The engine (sim.c)
 * keeps one heap entry per actor pointing at its next step, re-plans the
 * actor when the step is due and asks the actor's module for that step's
 * JSON (sim_inbound.c, sim_outbound.c). */
#ifndef LT_SIM_WORLD_H
#define LT_SIM_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/date.h"
#include "lienthong/v1/event.pb-c.h"
#include "registry/units.h"
#include "sim.h"

/* ---- random streams: splitmix64 ------------------------------------------ */

struct sim_rng {
    uint64_t s;
};

static inline uint64_t sim_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The stream of one purpose of one actor: independent of every other. */
static inline struct sim_rng sim_rng_for(uint64_t seed, unsigned kind, uint64_t id,
                                         unsigned purpose)
{
    uint64_t z = sim_mix64(seed + 0x9e3779b97f4a7c15ULL * (kind + 1));
    z = sim_mix64(z ^ (id * 0xd1342543de82ef95ULL));
    z = sim_mix64(z + purpose * 0x9e3779b97f4a7c15ULL);
    struct sim_rng r = { z };
    return r;
}

static inline uint64_t sim_next(struct sim_rng *r)
{
    r->s += 0x9e3779b97f4a7c15ULL;
    return sim_mix64(r->s);
}

/* Uniform in [0, n); n >= 1. */
static inline uint64_t sim_below(struct sim_rng *r, uint64_t n)
{
    return n <= 1 ? 0 : sim_next(r) % n;
}

/* Uniform in [lo, hi] (inclusive); hi >= lo. */
static inline int64_t sim_range(struct sim_rng *r, int64_t lo, int64_t hi)
{
    return hi <= lo ? lo : lo + (int64_t)sim_below(r, (uint64_t)(hi - lo) + 1);
}

/* Uniform in [0, 1). */
static inline double sim_uniform(struct sim_rng *r)
{
    return (double)(sim_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* 1 with probability permille / 1000. */
static inline int sim_chance(struct sim_rng *r, int permille)
{
    return (int)sim_below(r, 1000) < permille;
}

/* An index drawn with the given weights (n >= 1, sum > 0). */
size_t sim_weighted(struct sim_rng *r, const unsigned *weights, size_t n);

/* A bijection of [0, 10^digits) used to make identity numbers unique by
 * construction while looking random: (x * odd-non-multiple-of-5 + c) mod 10^d. */
uint64_t sim_scramble(uint64_t x, unsigned digits, uint64_t salt);

/* ---- agencies ------------------------------------------------------------ */

enum sim_agency {
    AG_BD_PLANNING = 0,   /* bdinh.planning_investment */
    AG_BD_LABOUR,         /* bdinh.labour */
    AG_BD_COMMITTEE,      /* bdinh.people_committee (permits under Decree 219) */
    AG_BD_POLICE,         /* bdinh.police */
    AG_BD_BORDER_GUARD,   /* bdinh.border_guard */
    AG_QN_POLICE,         /* qnam.police */
    AG_QN_LABOUR,         /* qnam.labour */
    AG_QN_BANK,           /* qnam.social_policy_bank */
    AG_QN_ETHNIC,         /* qnam.ethnic_affairs */
    AG_QN_DISTRICT_502,   /* qnam.district.502 (until 2025-06-30) */
    AG_QN_DISTRICT_513,   /* qnam.district.513 (until 2025-06-30) */
    AG_DN_WARD_20335,     /* dnang.commune.20335 (from 2025-07-01) */
    AG_QN_SCHOOL,         /* qnam.school.demo2 */
    AG_BD_SCHOOL,         /* bdinh.school.demo1 */
    AG_SVC1,              /* svc.demo1 */
    AG_SVC2,              /* svc.demo2 */
    AG_SVC_COL,           /* svc.col: the Centre of Overseas Labour (Korea EPS) */
    AG_QN_FOREIGN,        /* qnam.foreign_affairs */
    AG_COUNT
};

/* The agency code of an AG_* value. */
const char *sim_agency_code(enum sim_agency a);
/* Milliseconds between a fact and the moment the agency's software sends it:
 * a fixed lag per agency, so each agency's stream keeps time order. */
int64_t sim_agency_lag_ms(enum sim_agency a);

/* ---- plans --------------------------------------------------------------- */

/* Actor kinds (also the heap's tie-break order). */
enum sim_kind {
    SIM_EMPLOYER = 1,
    SIM_ROUND,
    SIM_WORKER,
    SIM_OUTBOUND,
    SIM_ARRIVE_EMPLOYER,
    SIM_ARRIVE_ROUND,
    SIM_ARRIVE_OUTBOUND,
};

/* Step types besides body case numbers (which are >= 100). */
#define SIM_STEP_SPAWN 1 /* arg: worker number to start */
#define SIM_STEP_MARK 2  /* arg: enum lt_sim_messy realised at occ */

#define SIM_MAX_STEPS 56

struct sim_step {
    int64_t occ;     /* header.occurredAtMs */
    int64_t emit;    /* when the agency sends it */
    uint16_t type;   /* body case number, SIM_STEP_SPAWN or SIM_STEP_MARK */
    uint8_t agency;  /* enum sim_agency */
    uint8_t late;    /* sent late */
    uint32_t arg;    /* type-specific: which trip, which repayment, … */
};

struct sim_plan {
    struct sim_step s[SIM_MAX_STEPS];
    int n;
};

/* ---- the world every plan sees ------------------------------------------- */

/* A place as chosen on the day an actor was created: units of that day;
 * sim_area_* carries them forward through mergers to an event's day. */
struct sim_place {
    const struct lt_unit *province;
    const struct lt_unit *district; /* NULL when none (after 2025-07-01) */
    const struct lt_unit *commune;  /* NULL when none */
};

struct sim_world {
    const struct lt_sim_config *cfg;
    int32_t first_day, last_day;  /* the period, inclusive */
    int64_t start_ms, end_ms;     /* 00:00 of first_day .. last instant of last_day */
    long employers_initial;       /* employers registered in the first 30 days */
    const struct lt_unit *const *units; /* every unit, for filtering */
    size_t n_units;
};

/* Day number constants. */
#define SIM_REFORM_DAY LT_DATE_CONST(2025, 7, 1)  /* district level abolished */
#define SIM_D219_DAY LT_DATE_CONST(2025, 8, 7)    /* Decree 219/2025 in force */

#define SIM_DAY_MS INT64_C(86400000)
#define SIM_HOUR_MS INT64_C(3600000)
#define SIM_MIN_MS INT64_C(60000)

/* 00:00 Vietnam time of a day, in Unix ms. */
static inline int64_t sim_day_ms(int32_t day)
{
    return lt_date_vn_midnight_ms(day);
}

/* The Vietnamese date of an instant. */
static inline int32_t sim_day_of(int64_t ms)
{
    return lt_date_vn_from_unix_ms(ms);
}

/* Appends a step (asserts room). emit is occ + the agency's lag. */
void sim_plan_add(struct sim_plan *p, int64_t occ, unsigned type, enum sim_agency agency,
                  uint32_t arg);
/* Appends a mark (no event) at occ. */
void sim_plan_mark(struct sim_plan *p, int64_t occ, enum lt_sim_messy m);
/* Makes some steps late (rate per mille, delays of 2-30 days) from stream r,
 * then sorts the steps by (emit, occ, insertion) — the plan's final form. */
void sim_plan_finish(struct sim_plan *p, struct sim_rng *r, int late_permille);

/* A unit of `level` in force on day, with parent code `parent` (NULL: any),
 * picked with r (weights: code_weight, default 1); NULL when there is none. */
const struct lt_unit *sim_pick_unit(const struct sim_world *w, struct sim_rng *r,
                                    enum lt_unit_level level, const char *parent, int32_t day,
                                    unsigned (*code_weight)(const char *code));
/* Number of units of level in force on day within parent. */
size_t sim_count_units(const struct sim_world *w, enum lt_unit_level level, const char *parent,
                       int32_t day);
/* The unit with code in force on day, or NULL. */
const struct lt_unit *sim_unit(const struct sim_world *w, const char *code, int32_t day);

/* The AdminArea of a place on day (its units carried forward through
 * mergers; no district from 2025-07-01). New JSON object. */
json_t *sim_area_json(const struct sim_world *w, const struct sim_place *pl, int32_t day);
/* The codes the area of sim_area_json would hold ("" for none). */
void sim_area_codes(const struct sim_world *w, const struct sim_place *pl, int32_t day,
                    const char **province, const char **district, const char **commune);

/* ---- JSON helpers -------------------------------------------------------- */

void sim_set_str(json_t *o, const char *key, const char *v);          /* skips NULL / "" */
void sim_set_fmt(json_t *o, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sim_set_int(json_t *o, const char *key, long long v);            /* JSON number */
void sim_set_i64(json_t *o, const char *key, int64_t v);              /* 64-bit: string */
void sim_set_date(json_t *o, const char *key, int32_t day);           /* "YYYY-MM-DD" */
void sim_set_obj(json_t *o, const char *key, json_t *v);              /* steals v */
/* The Event skeleton: {"header": {"occurredAtMs", "subject"}, <body_key>: body};
 * steals subject and body. */
json_t *sim_event(int64_t occ, json_t *subject, const char *body_key, json_t *body);
json_t *sim_subject_citizen(const char *id);
json_t *sim_subject_foreigner(const char *nationality, const char *passport);
json_t *sim_subject_enterprise(const char *code);
json_t *sim_person(const char *name, int32_t birth, int male);

/* ---- the actor modules --------------------------------------------------- */

/* Each *_event function plans actor `id` into *p (always) and, when i >= 0
 * and step i is an event, returns that event's JSON (new reference; NULL
 * otherwise). Planning is a pure function of (seed, id) and the period. */

/* Inbound (sim_inbound.c). Arrival instants increase with the number. */
int64_t sim_employer_arrival(const struct sim_world *w, long e);
json_t *sim_employer_event(const struct sim_world *w, long e, int i, struct sim_plan *p);

/* Hiring rounds: a round is named by its first worker's number; workers
 * [r, next round) belong to it. */
long sim_round_first(const struct sim_world *w);          /* -1 when no workers */
long sim_round_next(const struct sim_world *w, long r);   /* next round's number, or -1 */
int64_t sim_round_arrival(const struct sim_world *w, long r);
json_t *sim_round_event(const struct sim_world *w, long r, int i, struct sim_plan *p);
json_t *sim_worker_event(const struct sim_world *w, long k, int i, struct sim_plan *p);

/* Outbound (sim_outbound.c). */
int64_t sim_outbound_arrival(const struct sim_world *w, long o);
json_t *sim_outbound_event(const struct sim_world *w, long o, int i, struct sim_plan *p);

#endif
