/* sim.h — the province simulator as a library: a deterministic synthetic
 * province that produces the events agency software would send.
 *
 * One run generates, from a seed, a period and a scale: employers of foreign
 * workers in Bình Định (planning & investment, labour, the People's
 * Committee under Decree 219), the foreign workers they hire (demand, work
 * permit or exemption, entry, residence, cards, trips, extension,
 * revocation, reissue, exit) and Quảng Nam citizens working abroad
 * (registration, identity check, training, contract, loan and repayments,
 * support, departure, protection cases, contract end, return,
 * re-employment), plus the messy cases the consolidator's alerts must catch.
 *
 * Generation streams actor by actor: every actor's whole story is a pure
 * function of (seed, actor kind, actor number), recomputed whenever one of
 * its events is due, so memory holds only a small heap entry per actor with
 * events still to come — never the events themselves. Events come out in
 * one global order, by the instant the agency's software would send them;
 * so each agency's own stream is in time order, while different agencies'
 * events about one person interleave as their export lags dictate, and a
 * configurable share of events is sent late.
 *
 * Every event is checked with lt_validate_event (service-owned header fields
 * filled with placeholders) before it is handed out; an event that fails is
 * a bug in the simulator and aborts the process with the event and its
 * findings on stderr. */
#ifndef LT_SIM_H
#define LT_SIM_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "registry/units.h"

/* The messy cases, each at its own rate, each counted in the summary. */
enum lt_sim_messy {
    LT_SIM_MESSY_PRESENT_EXPIRED_PERMIT = 0, /* entered, permit expired, never left */
    LT_SIM_MESSY_PRESENT_REVOKED_PERMIT,     /* permit revoked, never left */
    LT_SIM_MESSY_LABOUR_VISA_NO_PERMIT,      /* LD2 entry, no permit for > no_permit_days */
    LT_SIM_MESSY_EMPLOYER_NO_DEMAND,         /* permit (Decree 152) for an employer with no
                                                approved demand */
    LT_SIM_MESSY_DEPARTURE_NO_CONTRACT,      /* departed abroad with no registered contract */
    LT_SIM_MESSY_CONTRACT_ENDED_NO_RETURN,   /* contract ended, no return after
                                                no_return_days */
    LT_SIM_MESSY_SECOND_EXTENSION,           /* a permit extended twice */
    LT_SIM_MESSY_LATE_EVENT,                 /* an event sent days after later ones */
    LT_SIM_MESSY_COUNT
};

/* Stable snake_case name of a messy case ("present_expired_permit", …). */
const char *lt_sim_messy_name(enum lt_sim_messy m);

/* The agencies the simulator publishes for, by index. Codes are those of
 * deploy/registry/agencies.example.json where that file has a suitable
 * agency; lt_sim_agency_in_demo_registry says which are not in it. */
size_t lt_sim_agency_count(void);
const char *lt_sim_agency_code(size_t i);
/* 1 when the agency is in deploy/registry/agencies.example.json. */
int lt_sim_agency_in_demo_registry(size_t i);

/* The event types (Event body case numbers) the simulator produces: all of
 * the catalogue. */
size_t lt_sim_type_count(void);
int lt_sim_type_case(size_t i);
/* The body field name of a case ("work_permit_issued"), or NULL. */
const char *lt_sim_type_name(int body_case);

/* Who registers outbound workers before the district level ended. */
enum lt_sim_registrar {
    /* The district (before 2025-07-01) or ward agency of the worker's
     * residence when the registry has one, else the labour department. */
    LT_SIM_REGISTRAR_LOCAL = 0,
    /* Always the labour department: for replaying years-old history through
     * live agency services, where the closed district agencies could no
     * longer sign. */
    LT_SIM_REGISTRAR_LABOUR,
};

/* What to generate. Fill with lt_sim_config_init, then set fields. */
struct lt_sim_config {
    uint64_t seed;
    int32_t first_day;            /* day number (core/date.h), >= 2022-01-01 */
    int32_t days;                 /* length of the period, >= 1 */
    long employers;               /* employers over the period (first 30 days: most) */
    long foreign_workers;         /* foreign workers hired over the period */
    long outbound_workers;        /* citizens registering to work abroad */
    int rate_permille[LT_SIM_MESSY_COUNT]; /* per mille of eligible actors (late: of events) */
    int no_permit_days;           /* LD2 entry with no permit: gap built is longer than this */
    int no_return_days;           /* contract ended, no return: gap built is longer than this */
    enum lt_sim_registrar registrar;
    /* Borrowed: the administrative units (deploy/registry/units.json); every
     * area the simulator writes is a unit of this file in force on the
     * event's date. Must outlive lt_sim_run. */
    const struct lt_units *units;
};

/* Defaults: seed 1, 2023-01-01 for 1096 days, the "demo" scale, default
 * rates, no_permit_days 30, no_return_days 90, local registrars. units NULL. */
void lt_sim_config_init(struct lt_sim_config *c);

/* Per-year rates of a named scale ("demo", "small", "large") turned into
 * totals for the configured period; returns LT_ERR_INVALID for another
 * name. demo: a few thousand events over three years; small: a whole
 * province (~1,500 departures a year); large: millions of events. */
int lt_sim_config_scale(struct lt_sim_config *c, const char *scale)
    __attribute__((warn_unused_result));

/* Checks a configuration as lt_sim_run would (period, counts, rates, and
 * that the units file has the units the model needs on every day of the
 * period). Returns LT_OK, or LT_ERR_INVALID with a sentence in err. */
int lt_sim_config_check(const struct lt_sim_config *c, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* One event as handed to the caller. */
struct lt_sim_event {
    const char *agency;   /* agency code */
    size_t agency_index;  /* index for lt_sim_agency_code */
    int body_case;        /* Event body case number */
    int64_t occurred_ms;  /* header.occurredAtMs */
    int64_t emit_ms;      /* when the agency's software sends it (>= occurred_ms) */
    int late;             /* 1: sent late (after events that happened later) */
    /* The Event in the protobuf JSON mapping, without the header fields the
     * agency service owns (eventId, sequence, prevHash, recordedAtMs,
     * agencyCode, ruleSet, schemaVersion). Borrowed: valid during the
     * callback only; json_incref to keep it. */
    json_t *json;
};

/* Called for every event in emission order; return 0 to go on, anything
 * else to stop the run (lt_sim_run then returns LT_ERR_INVALID with
 * "stopped by the caller"). */
typedef int (*lt_sim_emit_fn)(const struct lt_sim_event *ev, void *arg);

struct lt_sim_summary {
    uint64_t events;
    uint64_t per_agency[32];       /* by agency index */
    uint64_t per_type[300];        /* by body case number */
    uint64_t messy[LT_SIM_MESSY_COUNT];
    uint64_t employers;            /* actors that produced at least one event */
    uint64_t foreign_workers;
    uint64_t outbound_workers;
    uint64_t departures;
    size_t max_active;             /* largest number of actors waiting at once */
    int64_t last_emit_ms;          /* emission instant of the last event */
};

/* Runs the simulation, calling fn for every event. Fills *sum (zeroed
 * first). Returns LT_OK; LT_ERR_INVALID for a bad configuration (sentence
 * in err) or when fn stopped the run. Aborts on a generated event that
 * fails validation (a simulator bug). */
int lt_sim_run(const struct lt_sim_config *cfg, lt_sim_emit_fn fn, void *arg,
               struct lt_sim_summary *sum, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* A fingerprint of everything that shapes the output besides the seed
 * (period, counts, rates, registrar, the units file's contents): two runs
 * with the same seed and fingerprint produce the same events. The sender
 * puts it in its Idempotency-Keys so that a different run with the same seed
 * is never mistaken for a repeat. */
uint32_t lt_sim_fingerprint(const struct lt_sim_config *cfg);

/* Fraction 0..1 of the simulated period an emission instant stands at: for
 * progress and ETA. */
double lt_sim_progress(const struct lt_sim_config *cfg, int64_t emit_ms);

/* The summary as JSON (per agency and type by name, messy cases, persons,
 * seed, period, rates). New reference, caller json_decref()s. */
json_t *lt_sim_summary_json(const struct lt_sim_config *cfg, const struct lt_sim_summary *sum);

#endif
