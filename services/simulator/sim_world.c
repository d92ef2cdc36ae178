/* sim_world.c — the simulator's shared plumbing: weighted draws, unique
 * number scrambling, the agency table, plan assembly, administrative places
 * and the JSON helpers every event builder uses. See sim_world.h. */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_world.h"

size_t sim_weighted(struct sim_rng *r, const unsigned *weights, size_t n)
{
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += weights[i];
    assert(total > 0);
    uint64_t x = sim_below(r, total);
    for (size_t i = 0; i < n; i++) {
        if (x < weights[i])
            return i;
        x -= weights[i];
    }
    return n - 1;
}

uint64_t sim_scramble(uint64_t x, unsigned digits, uint64_t salt)
{
    uint64_t m = 1;
    for (unsigned i = 0; i < digits; i++)
        m *= 10;
    assert(digits <= 9 && x < m);
    /* 2654435761 is odd and not a multiple of 5: invertible modulo 10^d. */
    uint64_t a = 2654435761ULL % m;
    return (x * a + salt % m) % m;
}

/* ---- agencies ------------------------------------------------------------ */

static const struct {
    const char *code;
    int lag_min;       /* export lag in minutes */
    int in_demo;       /* in deploy/registry/agencies.example.json */
} agencies[AG_COUNT] = {
    [AG_BD_PLANNING] = { "bdinh.planning_investment", 15 * 60, 1 },
    [AG_BD_LABOUR] = { "bdinh.labour", 10 * 60, 1 },
    [AG_BD_COMMITTEE] = { "bdinh.people_committee", 14 * 60, 1 },
    [AG_BD_POLICE] = { "bdinh.police", 4, 1 },
    [AG_BD_BORDER_GUARD] = { "bdinh.border_guard", 2, 1 },
    [AG_QN_POLICE] = { "qnam.police", 3, 1 },
    [AG_QN_LABOUR] = { "qnam.labour", 11 * 60, 1 },
    [AG_QN_BANK] = { "qnam.social_policy_bank", 16 * 60, 1 },
    [AG_QN_ETHNIC] = { "qnam.ethnic_affairs", 15 * 60 + 30, 1 },
    [AG_QN_DISTRICT_502] = { "qnam.district.502", 9 * 60, 1 },
    [AG_QN_DISTRICT_513] = { "qnam.district.513", 9 * 60 + 30, 1 },
    [AG_DN_WARD_20335] = { "dnang.commune.20335", 8 * 60 + 30, 1 },
    [AG_QN_SCHOOL] = { "qnam.school.demo2", 13 * 60, 1 },
    [AG_BD_SCHOOL] = { "bdinh.school.demo1", 13 * 60 + 30, 1 },
    [AG_SVC1] = { "svc.demo1", 12 * 60, 1 },
    [AG_SVC2] = { "svc.demo2", 12 * 60 + 30, 1 },
    [AG_SVC_COL] = { "svc.col", 17 * 60, 1 },
    [AG_QN_FOREIGN] = { "qnam.foreign_affairs", 30, 1 },
};

const char *sim_agency_code(enum sim_agency a)
{
    assert((unsigned)a < AG_COUNT);
    return agencies[a].code;
}

int64_t sim_agency_lag_ms(enum sim_agency a)
{
    assert((unsigned)a < AG_COUNT);
    return agencies[a].lag_min * SIM_MIN_MS;
}

size_t lt_sim_agency_count(void)
{
    return AG_COUNT;
}

const char *lt_sim_agency_code(size_t i)
{
    return i < AG_COUNT ? agencies[i].code : NULL;
}

int lt_sim_agency_in_demo_registry(size_t i)
{
    return i < AG_COUNT && agencies[i].in_demo;
}

/* ---- plans --------------------------------------------------------------- */

void sim_plan_add(struct sim_plan *p, int64_t occ, unsigned type, enum sim_agency agency,
                  uint32_t arg)
{
    assert(p->n < SIM_MAX_STEPS);
    struct sim_step *s = &p->s[p->n++];
    s->occ = occ;
    s->emit = occ + sim_agency_lag_ms(agency);
    s->type = (uint16_t)type;
    s->agency = (uint8_t)agency;
    s->late = 0;
    s->arg = arg;
}

void sim_plan_mark(struct sim_plan *p, int64_t occ, enum lt_sim_messy m)
{
    assert(p->n < SIM_MAX_STEPS);
    struct sim_step *s = &p->s[p->n++];
    s->occ = occ;
    s->emit = occ;
    s->type = SIM_STEP_MARK;
    s->agency = 0;
    s->late = 0;
    s->arg = (uint32_t)m;
}

void sim_plan_finish(struct sim_plan *p, struct sim_rng *r, int late_permille)
{
    for (int i = 0; i < p->n; i++) {
        struct sim_step *s = &p->s[i];
        /* Draw for every step, used or not, so one step's fate never shifts
         * another's. */
        int late = sim_chance(r, late_permille);
        int64_t delay = sim_range(r, 2 * SIM_DAY_MS, 30 * SIM_DAY_MS);
        if (s->type >= 100 && late) {
            s->late = 1;
            s->emit += delay;
        }
    }
    /* Insertion sort by (emit, occ, position): plans are short and nearly
     * sorted already. */
    for (int i = 1; i < p->n; i++) {
        struct sim_step x = p->s[i];
        int j = i - 1;
        while (j >= 0 && (p->s[j].emit > x.emit ||
                          (p->s[j].emit == x.emit && p->s[j].occ > x.occ))) {
            p->s[j + 1] = p->s[j];
            j--;
        }
        p->s[j + 1] = x;
    }
}

/* ---- administrative places ---------------------------------------------- */

static int in_force(const struct lt_unit *u, int32_t day)
{
    return day >= u->valid_from && day <= u->valid_until;
}

const struct lt_unit *sim_unit(const struct sim_world *w, const char *code, int32_t day)
{
    for (size_t i = 0; i < w->n_units; i++)
        if (in_force(w->units[i], day) && strcmp(w->units[i]->code, code) == 0)
            return w->units[i];
    return NULL;
}

static int matches(const struct lt_unit *u, enum lt_unit_level level, const char *parent,
                   int32_t day)
{
    return u->level == level && in_force(u, day) && (!parent || strcmp(u->parent, parent) == 0);
}

size_t sim_count_units(const struct sim_world *w, enum lt_unit_level level, const char *parent,
                       int32_t day)
{
    size_t n = 0;
    for (size_t i = 0; i < w->n_units; i++)
        n += matches(w->units[i], level, parent, day);
    return n;
}

const struct lt_unit *sim_pick_unit(const struct sim_world *w, struct sim_rng *r,
                                    enum lt_unit_level level, const char *parent, int32_t day,
                                    unsigned (*code_weight)(const char *code))
{
    uint64_t total = 0;
    for (size_t i = 0; i < w->n_units; i++)
        if (matches(w->units[i], level, parent, day))
            total += code_weight ? code_weight(w->units[i]->code) : 1;
    if (total == 0)
        return NULL;
    uint64_t x = sim_below(r, total);
    for (size_t i = 0; i < w->n_units; i++) {
        if (!matches(w->units[i], level, parent, day))
            continue;
        uint64_t wt = code_weight ? code_weight(w->units[i]->code) : 1;
        if (x < wt)
            return w->units[i];
        x -= wt;
    }
    return NULL;
}

/* The unit that stands for u on day, following successors; NULL when the
 * chain ends (lt_units_successor, without the date strings). */
static const struct lt_unit *successor_on(const struct sim_world *w, const struct lt_unit *u,
                                          int32_t day)
{
    while (u && day > u->valid_until) {
        if (!u->successor[0])
            return NULL;
        u = sim_unit(w, u->successor, u->valid_until + 1);
    }
    return u;
}

void sim_area_codes(const struct sim_world *w, const struct sim_place *pl, int32_t day,
                    const char **province, const char **district, const char **commune)
{
    const struct lt_unit *p = successor_on(w, pl->province, day);
    const struct lt_unit *d = pl->district ? successor_on(w, pl->district, day) : NULL;
    const struct lt_unit *c = pl->commune ? successor_on(w, pl->commune, day) : NULL;
    assert(p && p->level == LT_UNIT_PROVINCE);
    *province = p->code;
    *district = d && d->level == LT_UNIT_DISTRICT && day < SIM_REFORM_DAY ? d->code : "";
    *commune = c && c->level == LT_UNIT_COMMUNE ? c->code : "";
}

json_t *sim_area_json(const struct sim_world *w, const struct sim_place *pl, int32_t day)
{
    const char *p, *d, *c;
    sim_area_codes(w, pl, day, &p, &d, &c);
    json_t *o = json_object();
    sim_set_str(o, "provinceCode", p);
    sim_set_str(o, "districtCode", d);
    sim_set_str(o, "communeCode", c);
    return o;
}

/* ---- JSON ---------------------------------------------------------------- */

void sim_set_str(json_t *o, const char *key, const char *v)
{
    if (v && *v)
        json_object_set_new(o, key, json_string(v));
}

void sim_set_fmt(json_t *o, const char *key, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    json_object_set_new(o, key, json_string(buf));
}

void sim_set_int(json_t *o, const char *key, long long v)
{
    json_object_set_new(o, key, json_integer((json_int_t)v));
}

void sim_set_i64(json_t *o, const char *key, int64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    json_object_set_new(o, key, json_string(buf));
}

void sim_set_date(json_t *o, const char *key, int32_t day)
{
    char buf[LT_DATE_STRLEN + 1];
    lt_date_format(day, buf);
    json_object_set_new(o, key, json_string(buf));
}

void sim_set_obj(json_t *o, const char *key, json_t *v)
{
    json_object_set_new(o, key, v);
}

json_t *sim_event(int64_t occ, json_t *subject, const char *body_key, json_t *body)
{
    json_t *h = json_object();
    sim_set_i64(h, "occurredAtMs", occ);
    sim_set_obj(h, "subject", subject);
    json_t *ev = json_object();
    sim_set_obj(ev, "header", h);
    sim_set_obj(ev, body_key, body);
    return ev;
}

json_t *sim_subject_citizen(const char *id)
{
    json_t *s = json_object();
    sim_set_str(s, "citizenId", id);
    return s;
}

json_t *sim_subject_foreigner(const char *nationality, const char *passport)
{
    json_t *f = json_object();
    sim_set_str(f, "nationality", nationality);
    sim_set_str(f, "passportNumber", passport);
    json_t *s = json_object();
    sim_set_obj(s, "foreigner", f);
    return s;
}

json_t *sim_subject_enterprise(const char *code)
{
    json_t *s = json_object();
    sim_set_str(s, "enterpriseCode", code);
    return s;
}

json_t *sim_person(const char *name, int32_t birth, int male)
{
    json_t *p = json_object();
    sim_set_str(p, "fullName", name);
    sim_set_date(p, "birthDate", birth);
    sim_set_str(p, "sex", male ? "SEX_MALE" : "SEX_FEMALE");
    return p;
}
