/* sim.c — the simulator's engine: configuration, the streaming scheduler,
 * validation of every event, and the summary.
 *
 * The scheduler is a binary heap with one entry per actor that still has
 * steps to come, keyed by the emission instant of its next step (then the
 * instant it happened, the actor kind, number and step: a total order, so a
 * seed always gives the same output). Three arrival streams (employers,
 * hiring rounds, outbound citizens) each keep one entry for their next
 * actor; arrivals fall on midnights and are non-decreasing in the actor's
 * number, and every actor's steps come at or after its arrival, so popping
 * the heap yields every step in non-decreasing emission order without ever
 * holding more than the actors in progress. When a step is due its actor is
 * planned again from scratch (sim_inbound.c, sim_outbound.c), which costs a
 * little CPU and saves all the memory a stored plan would take. */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/uuid.h"
#include "event/pbjson.h"
#include "event/validate.h"
#include "registry/registry.h"
#include "sim.h"
#include "sim_world.h"

#define COMP "simulator"

static const char *const messy_names[LT_SIM_MESSY_COUNT] = {
    [LT_SIM_MESSY_PRESENT_EXPIRED_PERMIT] = "present_expired_permit",
    [LT_SIM_MESSY_PRESENT_REVOKED_PERMIT] = "present_revoked_permit",
    [LT_SIM_MESSY_LABOUR_VISA_NO_PERMIT] = "labour_visa_no_permit",
    [LT_SIM_MESSY_EMPLOYER_NO_DEMAND] = "employer_no_approved_demand",
    [LT_SIM_MESSY_DEPARTURE_NO_CONTRACT] = "departure_no_contract",
    [LT_SIM_MESSY_CONTRACT_ENDED_NO_RETURN] = "contract_ended_no_return",
    [LT_SIM_MESSY_SECOND_EXTENSION] = "second_extension",
    [LT_SIM_MESSY_LATE_EVENT] = "late_event",
};

/* Default rates, per mille: of foreign workers, of hiring rounds (no
 * demand), of outbound citizens, of events (late). */
static const int default_rates[LT_SIM_MESSY_COUNT] = {
    [LT_SIM_MESSY_PRESENT_EXPIRED_PERMIT] = 15,
    [LT_SIM_MESSY_PRESENT_REVOKED_PERMIT] = 10,
    [LT_SIM_MESSY_LABOUR_VISA_NO_PERMIT] = 15,
    [LT_SIM_MESSY_EMPLOYER_NO_DEMAND] = 20,
    [LT_SIM_MESSY_DEPARTURE_NO_CONTRACT] = 10,
    [LT_SIM_MESSY_CONTRACT_ENDED_NO_RETURN] = 15,
    [LT_SIM_MESSY_SECOND_EXTENSION] = 15,
    [LT_SIM_MESSY_LATE_EVENT] = 5,
};

static const int body_cases[] = {
    100, 110, 111, 112, 120, 121, 122, 123, 130, 131, 140, 141, 150, 151,
    160, 200, 205, 210, 220, 230, 231, 235, 240, 241, 250, 260, 270,
};

const char *lt_sim_messy_name(enum lt_sim_messy m)
{
    return (unsigned)m < LT_SIM_MESSY_COUNT ? messy_names[m] : "unknown";
}

size_t lt_sim_type_count(void)
{
    return sizeof body_cases / sizeof body_cases[0];
}

int lt_sim_type_case(size_t i)
{
    return i < lt_sim_type_count() ? body_cases[i] : 0;
}

const char *lt_sim_type_name(int body_case)
{
    return body_case > 0 ? lt_registry_event_type_name((uint32_t)body_case) : NULL;
}

/* ---- configuration -------------------------------------------------------- */

void lt_sim_config_init(struct lt_sim_config *c)
{
    memset(c, 0, sizeof *c);
    c->seed = 1;
    c->first_day = LT_DATE_CONST(2023, 1, 1);
    c->days = 1096;
    memcpy(c->rate_permille, default_rates, sizeof default_rates);
    c->no_permit_days = 30;
    c->no_return_days = 90;
    c->registrar = LT_SIM_REGISTRAR_LOCAL;
    int rc = lt_sim_config_scale(c, "demo");
    assert(rc == LT_OK);
    (void)rc;
}

int lt_sim_config_scale(struct lt_sim_config *c, const char *scale)
{
    static const struct {
        const char *name;
        double employers0, employers, foreign, outbound; /* initial, then per year */
    } scales[] = {
        { "demo", 20, 5, 60, 60 },
        { "small", 150, 40, 1000, 2150 },   /* a whole province: ~1,500 departures a year */
        { "large", 2000, 600, 60000, 60000 },
    };
    for (size_t i = 0; i < sizeof scales / sizeof scales[0]; i++) {
        if (strcmp(scales[i].name, scale) != 0)
            continue;
        double years = c->days / 365.25;
        c->employers = (long)(scales[i].employers0 + scales[i].employers * years + 0.5);
        c->foreign_workers = (long)(scales[i].foreign * years + 0.5);
        c->outbound_workers = (long)(scales[i].outbound * years + 0.5);
        if (c->foreign_workers < 1)
            c->foreign_workers = 1;
        if (c->outbound_workers < 1)
            c->outbound_workers = 1;
        return LT_OK;
    }
    return LT_ERR_INVALID;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

uint32_t lt_sim_fingerprint(const struct lt_sim_config *cfg)
{
    char buf[512];
    int n = snprintf(buf, sizeof buf, "v1 from=%d days=%d e=%ld f=%ld o=%ld np=%d nr=%d reg=%d",
                     (int)cfg->first_day, (int)cfg->days, cfg->employers, cfg->foreign_workers,
                     cfg->outbound_workers, cfg->no_permit_days, cfg->no_return_days,
                     (int)cfg->registrar);
    uint64_t h = fnv(0xcbf29ce484222325ULL, buf, (size_t)n);
    h = fnv(h, cfg->rate_permille, sizeof cfg->rate_permille);
    size_t nu = cfg->units ? lt_units_count(cfg->units) : 0;
    for (size_t i = 0; i < nu; i++) {
        const struct lt_unit *u = lt_units_at(cfg->units, i);
        n = snprintf(buf, sizeof buf, "%s|%d|%s|%s|%d|%d", u->code, (int)u->level, u->parent,
                     u->successor, (int)u->valid_from, (int)u->valid_until);
        h = fnv(h, buf, (size_t)n);
    }
    return (uint32_t)(h ^ (h >> 32));
}

double lt_sim_progress(const struct lt_sim_config *cfg, int64_t emit_ms)
{
    int64_t a = sim_day_ms(cfg->first_day), b = sim_day_ms(cfg->first_day + cfg->days);
    double x = (double)(emit_ms - a) / (double)(b - a);
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* ---- the world -------------------------------------------------------------- */

/* The units the simulator needs on day d: Bình Định (52) always, its
 * districts before the reform, and a home commune of the former Quảng Nam
 * (in a district of 49 before the reform, in 48 after). */
static int world_check_day(const struct sim_world *w, int32_t d, char *err, size_t errlen)
{
    char ds[LT_DATE_STRLEN + 1];
    lt_date_format(d, ds);
    if (!sim_unit(w, "52", d))
        return lt_err_set(err, errlen, LT_ERR_INVALID,
                          "the units file has no province 52 in force on %s", ds);
    if (d < SIM_REFORM_DAY) {
        if (!sim_count_units(w, LT_UNIT_DISTRICT, "52", d))
            return lt_err_set(err, errlen, LT_ERR_INVALID,
                              "the units file has no district of 52 in force on %s", ds);
        if (!sim_unit(w, "49", d))
            return lt_err_set(err, errlen, LT_ERR_INVALID,
                              "the units file has no province 49 in force on %s", ds);
        size_t n = 0;
        for (size_t i = 0; i < w->n_units; i++) {
            const struct lt_unit *u = w->units[i];
            if (u->level == LT_UNIT_DISTRICT && strcmp(u->parent, "49") == 0 &&
                d >= u->valid_from && d <= u->valid_until)
                n += sim_count_units(w, LT_UNIT_COMMUNE, u->code, d);
        }
        if (!n)
            return lt_err_set(err, errlen, LT_ERR_INVALID,
                              "the units file has no commune in a district of 49 in force on %s",
                              ds);
    } else {
        if (!sim_unit(w, "48", d) || !sim_count_units(w, LT_UNIT_COMMUNE, "48", d))
            return lt_err_set(err, errlen, LT_ERR_INVALID,
                              "the units file has no province 48 with a commune in force on %s",
                              ds);
    }
    return LT_OK;
}

static int world_init(struct sim_world *w, const struct lt_sim_config *cfg, char *err,
                      size_t errlen)
{
    memset(w, 0, sizeof *w);
    w->cfg = cfg;
    if (!cfg->units)
        return lt_err_set(err, errlen, LT_ERR_INVALID, "no administrative units given");
    if (cfg->first_day < LT_DATE_CONST(2022, 1, 1))
        return lt_err_set(err, errlen, LT_ERR_INVALID,
                          "the period must start on or after 2022-01-01 (the outbound rule set, "
                          "Law 69/2020, is in force from then)");
    if (cfg->days < 1 || cfg->days > 36500)
        return lt_err_set(err, errlen, LT_ERR_INVALID, "days must be 1..36500, not %d",
                          (int)cfg->days);
    if (cfg->employers < 0 || cfg->employers > 1000000 || cfg->foreign_workers < 0 ||
        cfg->foreign_workers > 4000000 || cfg->outbound_workers < 0 ||
        cfg->outbound_workers > 1000000)
        return lt_err_set(err, errlen, LT_ERR_INVALID,
                          "counts out of range: employers 0..1000000, foreign workers "
                          "0..4000000, outbound workers 0..1000000");
    if (cfg->foreign_workers > 0 && cfg->employers < 1)
        return lt_err_set(err, errlen, LT_ERR_INVALID,
                          "foreign workers need at least one employer");
    for (int i = 0; i < LT_SIM_MESSY_COUNT; i++)
        if (cfg->rate_permille[i] < 0 || cfg->rate_permille[i] > 1000)
            return lt_err_set(err, errlen, LT_ERR_INVALID, "rate %s must be 0..1000 per mille",
                              messy_names[i]);
    if (cfg->no_permit_days < 1 || cfg->no_permit_days > 365 || cfg->no_return_days < 1 ||
        cfg->no_return_days > 365)
        return lt_err_set(err, errlen, LT_ERR_INVALID,
                          "no_permit_days and no_return_days must be 1..365");
    w->first_day = cfg->first_day;
    w->last_day = cfg->first_day + cfg->days - 1;
    w->start_ms = sim_day_ms(w->first_day);
    w->end_ms = sim_day_ms(w->last_day + 1) - 1;
    w->employers_initial =
        cfg->days > 60 ? (cfg->employers * 6 + 9) / 10 : cfg->employers;
    if (cfg->employers > 0 && w->employers_initial < 1)
        w->employers_initial = 1;
    w->n_units = lt_units_count(cfg->units);
    const struct lt_unit **list = lt_calloc(w->n_units ? w->n_units : 1, sizeof *list);
    for (size_t i = 0; i < w->n_units; i++)
        list[i] = lt_units_at(cfg->units, i);
    w->units = list;
    /* Check every day on which a unit begins or ends, and the first. */
    int rc = world_check_day(w, w->first_day, err, errlen);
    for (size_t i = 0; rc == LT_OK && i < w->n_units; i++) {
        int32_t until = list[i]->valid_until;
        int32_t d[2] = { list[i]->valid_from, until == INT32_MAX ? INT32_MAX : until + 1 };
        for (int k = 0; k < 2 && rc == LT_OK; k++)
            if (d[k] > w->first_day && d[k] <= w->last_day)
                rc = world_check_day(w, d[k], err, errlen);
    }
    if (rc != LT_OK) {
        free(list);
        w->units = NULL;
    }
    return rc;
}

static void world_free(struct sim_world *w)
{
    free((void *)w->units);
    w->units = NULL;
}

int lt_sim_config_check(const struct lt_sim_config *c, char *err, size_t errlen)
{
    struct sim_world w;
    int rc = world_init(&w, c, err, errlen);
    if (rc == LT_OK)
        world_free(&w);
    return rc;
}

/* ---- the heap --------------------------------------------------------------- */

struct hent {
    int64_t key;    /* emission instant */
    int64_t occ;
    uint32_t id;
    uint16_t step;
    uint8_t kind;   /* enum sim_kind */
};

struct heap {
    struct hent *v;
    size_t n, cap;
};

static int hless(const struct hent *a, const struct hent *b)
{
    if (a->key != b->key)
        return a->key < b->key;
    if (a->occ != b->occ)
        return a->occ < b->occ;
    if (a->kind != b->kind)
        return a->kind < b->kind;
    if (a->id != b->id)
        return a->id < b->id;
    return a->step < b->step;
}

static void heap_push(struct heap *h, struct hent e)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 1024;
        h->v = lt_realloc(h->v, h->cap * sizeof *h->v);
    }
    size_t i = h->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!hless(&e, &h->v[parent]))
            break;
        h->v[i] = h->v[parent];
        i = parent;
    }
    h->v[i] = e;
}

static struct hent heap_pop(struct heap *h)
{
    assert(h->n > 0);
    struct hent top = h->v[0], last = h->v[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && hless(&h->v[c + 1], &h->v[c]))
            c++;
        if (!hless(&h->v[c], &last))
            break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (h->n > 0)
        h->v[i] = last;
    return top;
}

/* ---- one run ---------------------------------------------------------------- */

struct run {
    const struct lt_sim_config *cfg;
    struct sim_world w;
    struct heap h;
    struct sim_plan plan;
    lt_sim_emit_fn fn;
    void *arg;
    struct lt_sim_summary *sum;
    struct lt_pbjson_errors perrs;
    struct lt_validate_result vr;
    uint64_t n_validated;
};

/* Plans actor (kind, id) and returns step i's JSON (or NULL). */
static json_t *actor_event(struct run *r, unsigned kind, long id, int i)
{
    switch (kind) {
    case SIM_EMPLOYER:
        return sim_employer_event(&r->w, id, i, &r->plan);
    case SIM_ROUND:
        return sim_round_event(&r->w, id, i, &r->plan);
    case SIM_WORKER:
        return sim_worker_event(&r->w, id, i, &r->plan);
    case SIM_OUTBOUND:
        return sim_outbound_event(&r->w, id, i, &r->plan);
    default:
        assert(0 && "not an actor");
        return NULL;
    }
}

/* Pushes step i of the plan just made for (kind, id), if it exists. */
static void push_step(struct run *r, unsigned kind, long id, int i)
{
    if (i >= r->plan.n)
        return;
    struct hent e = { r->plan.s[i].emit, r->plan.s[i].occ, (uint32_t)id, (uint16_t)i,
                      (uint8_t)kind };
    heap_push(&r->h, e);
}

static void start_actor(struct run *r, unsigned kind, long id)
{
    json_t *j = actor_event(r, kind, id, -1);
    assert(!j);
    (void)j;
    push_step(r, kind, id, 0);
}

static void push_arrival(struct run *r, unsigned kind, long id)
{
    int64_t at;
    switch (kind) {
    case SIM_ARRIVE_EMPLOYER:
        if (id >= r->cfg->employers)
            return;
        at = sim_employer_arrival(&r->w, id);
        break;
    case SIM_ARRIVE_ROUND:
        if (id < 0)
            return;
        at = sim_round_arrival(&r->w, id);
        break;
    default:
        if (id >= r->cfg->outbound_workers)
            return;
        at = sim_outbound_arrival(&r->w, id);
        break;
    }
    if (at > r->w.end_ms)
        return;
    struct hent e = { at, at, (uint32_t)id, 0, (uint8_t)kind };
    heap_push(&r->h, e);
}

/* An event the simulator made does not pass validation: a bug here. */
static void die_invalid(const char *agency, json_t *j, const char *what)
{
    char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    lt_error(COMP, "BUG: a generated event failed validation (agency %s)", agency);
    fprintf(stderr, "lt-simulator: BUG: generated event for agency %s is invalid:\n%s\n%s\n",
            agency, text ? text : "(unprintable)", what);
    free(text);
    abort();
}

/* Checks one event as its agency service would: the JSON mapping, then
 * lt_validate_event with the service-owned header fields filled in. */
static void validate(struct run *r, const struct sim_step *st, json_t *j)
{
    const char *agency = sim_agency_code((enum sim_agency)st->agency);
    ProtobufCMessage *m = NULL;
    if (lt_pbjson_to_message(&lienthong__v1__event__descriptor, j, &m, &r->perrs) != LT_OK) {
        char what[1024];
        size_t len = 0;
        for (size_t i = 0; i < r->perrs.n_stored && len < sizeof what; i++)
            len += (size_t)snprintf(what + len, sizeof what - len, "%s %s: %s\n",
                                    r->perrs.items[i].code, r->perrs.items[i].path,
                                    r->perrs.items[i].message);
        die_invalid(agency, j, what);
    }
    Lienthong__V1__Event *ev = (Lienthong__V1__Event *)m;
    Lienthong__V1__Header *h = ev->header;
    assert(h);
    uint8_t rnd[8];
    uint64_t n = ++r->n_validated;
    for (int i = 0; i < 8; i++)
        rnd[i] = (uint8_t)(n >> (8 * i));
    h->event_id.data = lt_malloc(LT_UUID_BYTES);
    h->event_id.len = LT_UUID_BYTES;
    lt_uuid7_from(h->event_id.data, st->emit, 0, rnd);
    if (h->agency_code && h->agency_code != protobuf_c_empty_string)
        free(h->agency_code);
    h->agency_code = lt_strdup(agency);
    h->sequence = 1;
    h->prev_hash.data = lt_calloc(1, 32);
    h->prev_hash.len = 32;
    h->recorded_at_ms = st->emit;
    h->rule_set = lt_validate_rule_set_for(lt_date_vn_from_unix_ms(st->occ),
                                           lt_validate_programme_of((int)ev->body_case));
    h->schema_version = LT_VALIDATE_SCHEMA_VERSION;
    if (lt_validate_event(ev, &r->vr) != LT_OK) {
        char what[2048];
        lt_validate_render(&r->vr, what, sizeof what);
        die_invalid(agency, j, what);
    }
    protobuf_c_message_free_unpacked(m, NULL);
}

/* 1 when no earlier step of the current plan was an emitted event: this
 * step's event is the actor's first. */
static int first_event(const struct run *r, int i)
{
    for (int k = 0; k < i; k++)
        if (r->plan.s[k].type >= 100 && r->plan.s[k].occ <= r->w.end_ms)
            return 0;
    return 1;
}

int lt_sim_run(const struct lt_sim_config *cfg, lt_sim_emit_fn fn, void *arg,
               struct lt_sim_summary *sum, char *err, size_t errlen)
{
    struct run *r = lt_calloc(1, sizeof *r);
    int rc = world_init(&r->w, cfg, err, errlen);
    memset(sum, 0, sizeof *sum);
    if (rc != LT_OK)
        goto out;
    assert(AG_COUNT <= sizeof sum->per_agency / sizeof sum->per_agency[0]);
    r->cfg = cfg;
    r->fn = fn;
    r->arg = arg;
    r->sum = sum;
    push_arrival(r, SIM_ARRIVE_EMPLOYER, 0);
    push_arrival(r, SIM_ARRIVE_ROUND, sim_round_first(&r->w));
    push_arrival(r, SIM_ARRIVE_OUTBOUND, 0);

    while (r->h.n > 0) {
        if (r->h.n > sum->max_active)
            sum->max_active = r->h.n;
        struct hent e = heap_pop(&r->h);
        long id = (long)e.id;
        switch (e.kind) {
        case SIM_ARRIVE_EMPLOYER:
            start_actor(r, SIM_EMPLOYER, id);
            push_arrival(r, e.kind, id + 1);
            continue;
        case SIM_ARRIVE_ROUND:
            start_actor(r, SIM_ROUND, id);
            push_arrival(r, e.kind, sim_round_next(&r->w, id));
            continue;
        case SIM_ARRIVE_OUTBOUND:
            start_actor(r, SIM_OUTBOUND, id);
            push_arrival(r, e.kind, id + 1);
            continue;
        default:
            break;
        }
        json_t *j = actor_event(r, e.kind, id, e.step);
        const struct sim_step st = r->plan.s[e.step];
        /* A re-plan must give the same step the heap was promised. */
        assert(st.emit == e.key && st.occ == e.occ);
        if (st.occ <= r->w.end_ms) {
            if (st.type == SIM_STEP_SPAWN) {
                start_actor(r, SIM_WORKER, (long)st.arg);
                /* start_actor re-planned: plan the current actor again. */
                json_decref(j);
                j = actor_event(r, e.kind, id, e.step);
            } else if (st.type == SIM_STEP_MARK) {
                sum->messy[st.arg]++;
            } else {
                assert(j && st.type < 300);
                validate(r, &st, j);
                if (first_event(r, e.step)) {
                    if (e.kind == SIM_EMPLOYER)
                        sum->employers++;
                    else if (e.kind == SIM_WORKER)
                        sum->foreign_workers++;
                    else if (e.kind == SIM_OUTBOUND)
                        sum->outbound_workers++;
                }
                sum->events++;
                sum->per_agency[st.agency]++;
                sum->per_type[st.type]++;
                if (st.late)
                    sum->messy[LT_SIM_MESSY_LATE_EVENT]++;
                if (st.type == LIENTHONG__V1__EVENT__BODY_DEPARTURE)
                    sum->departures++;
                sum->last_emit_ms = st.emit;
                struct lt_sim_event ev = {
                    .agency = sim_agency_code((enum sim_agency)st.agency),
                    .agency_index = st.agency,
                    .body_case = st.type,
                    .occurred_ms = st.occ,
                    .emit_ms = st.emit,
                    .late = st.late,
                    .json = j,
                };
                if (fn && fn(&ev, arg) != 0) {
                    json_decref(j);
                    rc = lt_err_set(err, errlen, LT_ERR_INVALID, "stopped by the caller");
                    goto out;
                }
            }
        }
        json_decref(j);
        push_step(r, e.kind, id, e.step + 1);
    }
    rc = LT_OK;
out:
    free(r->h.v);
    world_free(&r->w);
    free(r);
    return rc;
}

/* ---- the summary ---------------------------------------------------------- */

json_t *lt_sim_summary_json(const struct lt_sim_config *cfg, const struct lt_sim_summary *sum)
{
    char from[LT_DATE_STRLEN + 1], until[LT_DATE_STRLEN + 1];
    lt_date_format(cfg->first_day, from);
    lt_date_format(cfg->first_day + cfg->days - 1, until);
    json_t *period = json_pack("{s:s, s:s, s:i}", "from", from, "until", until, "days",
                               (int)cfg->days);
    json_t *scale = json_pack("{s:I, s:I, s:I}", "employers", (json_int_t)cfg->employers,
                              "foreignWorkers", (json_int_t)cfg->foreign_workers,
                              "outboundWorkers", (json_int_t)cfg->outbound_workers);
    json_t *rates = json_object(), *messy = json_object();
    for (int i = 0; i < LT_SIM_MESSY_COUNT; i++) {
        json_object_set_new(rates, messy_names[i], json_integer(cfg->rate_permille[i]));
        json_object_set_new(messy, messy_names[i], json_integer((json_int_t)sum->messy[i]));
    }
    json_t *agencies = json_object();
    for (size_t i = 0; i < AG_COUNT; i++)
        if (sum->per_agency[i])
            json_object_set_new(agencies, sim_agency_code((enum sim_agency)i),
                                json_integer((json_int_t)sum->per_agency[i]));
    json_t *types = json_object();
    for (size_t i = 0; i < lt_sim_type_count(); i++) {
        int c = body_cases[i];
        json_object_set_new(types, lt_sim_type_name(c), json_integer((json_int_t)sum->per_type[c]));
    }
    json_t *persons = json_pack("{s:I, s:I, s:I}", "employers", (json_int_t)sum->employers,
                                "foreignWorkers", (json_int_t)sum->foreign_workers,
                                "outboundWorkers", (json_int_t)sum->outbound_workers);
    return json_pack("{s:I, s:o, s:o, s:o, s:i, s:i, s:s, s:I, s:o, s:I, s:o, s:o, s:o, s:I}",
                     "seed", (json_int_t)cfg->seed, "period", period, "scale", scale, "rates",
                     rates, "noPermitDays", cfg->no_permit_days, "noReturnDays",
                     cfg->no_return_days, "registrar",
                     cfg->registrar == LT_SIM_REGISTRAR_LABOUR ? "labour" : "local", "events",
                     (json_int_t)sum->events, "persons", persons, "departures",
                     (json_int_t)sum->departures, "perAgency", agencies, "perType", types,
                     "messy", messy, "maxActiveActors", (json_int_t)sum->max_active);
}
