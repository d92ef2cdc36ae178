/* fold.c — the deterministic, order-independent fold of one subject's events
 * (fold.h). Three steps: sort a private copy of the event pointers into the
 * canonical order, fold each event into per-subject scratch tables (permits,
 * contracts, departures, protection cases, demands) and the row, then derive
 * the time-dependent state and the alerts from those tables as of the as-of
 * date. Nothing here reads a clock or a global; the events are only read. */
#include "fold/fold.h"
#include "registry/units.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "event/validate.h"

#define BODY(x) LIENTHONG__V1__EVENT__BODY_##x

void lt_fold_params_default(struct lt_fold_params *p)
{
    memset(p, 0, sizeof *p);
    p->labour_visa_grace_days = 30;
    p->no_return_grace_days = 90;
}

const char *lt_fold_permit_state_name(enum lt_fold_permit_state s)
{
    switch (s) {
    case LT_FOLD_PERMIT_NONE: return "none";
    case LT_FOLD_PERMIT_PENDING: return "pending";
    case LT_FOLD_PERMIT_VALID: return "valid";
    case LT_FOLD_PERMIT_EXPIRED: return "expired";
    case LT_FOLD_PERMIT_REVOKED: return "revoked";
    case LT_FOLD_PERMIT_EXEMPT: return "exempt";
    }
    return "unknown";
}

struct lt_fold_result *lt_fold_result_new(void)
{
    return lt_calloc(1, sizeof(struct lt_fold_result));
}

void lt_fold_result_free(struct lt_fold_result *r)
{
    free(r);
}

/* --- small helpers ------------------------------------------------------- */

/* Copies src into the zeroed buffer dst[cap], cut at a UTF-8 character
 * boundary when too long. NULL copies nothing. */
static void copy_str(char *dst, size_t cap, const char *src)
{
    if (src == NULL || cap == 0)
        return;
    size_t len = strlen(src);
    if (len >= cap) {
        len = cap - 1;
        while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
            len--;
    }
    memset(dst, 0, cap);
    memcpy(dst, src, len);
}
#define COPY(dst, src) copy_str((dst), sizeof(dst), (src))

static int nonempty(const char *s)
{
    return s != NULL && s[0] != '\0';
}

/* Day number of an optional "YYYY-MM-DD"; LT_DATE_NONE when absent or bad
 * (the validator has refused bad dates at admission). */
static int32_t day_of(const char *s)
{
    int32_t d;
    char e[8];
    if (!nonempty(s) || lt_date_parse(s, &d, e, sizeof e) != LT_OK)
        return LT_DATE_NONE;
    return d;
}

static int32_t ev_day(const Lienthong__V1__Event *ev)
{
    return lt_date_vn_from_unix_ms(ev->header->occurred_at_ms);
}

static int32_t max_day(int32_t a, int32_t b)
{
    return a > b ? a : b;
}

/* Rank of a body case among events at the same instant (fold.h). */
static int type_rank(int body_case)
{
    static const struct { int body, rank; } ranks[] = {
        {BODY(EMPLOYER_REGISTERED), 0},       {BODY(LABOUR_DEMAND_DECLARED), 1},
        {BODY(LABOUR_DEMAND_APPROVED), 2},    {BODY(LABOUR_DEMAND_REJECTED), 3},
        {BODY(WORK_PERMIT_EXEMPTION_CERTIFIED), 4}, {BODY(WORK_PERMIT_EXEMPTION_REPORTED), 5},
        {BODY(WORK_PERMIT_ISSUED), 6},        {BODY(WORK_PERMIT_REISSUED), 7},
        {BODY(WORK_PERMIT_EXTENDED), 8},      {BODY(ENTRY), 9},
        {BODY(RESIDENCE_REGISTERED), 10},     {BODY(RESIDENCE_CARD_ISSUED), 11},
        {BODY(VIOLATION_RECORDED), 12},       {BODY(EXIT), 13},
        {BODY(WORK_PERMIT_REVOKED), 14},      {BODY(OUTBOUND_REGISTERED), 20},
        {BODY(CITIZEN_IDENTITY_VERIFIED), 21}, {BODY(TRAINING_COMPLETED), 22},
        {BODY(CONTRACT_REGISTERED), 23},      {BODY(LOAN_DISBURSED), 24},
        {BODY(SUPPORT_PAID), 25},             {BODY(DEPARTURE), 26},
        {BODY(CITIZEN_PROTECTION_CASE), 27},  {BODY(CONTRACT_ENDED), 28},
        {BODY(RETURN_HOME), 29},              {BODY(LOAN_REPAID), 30},
        {BODY(REEMPLOYMENT_SUPPORTED), 31},
    };
    for (size_t i = 0; i < sizeof ranks / sizeof ranks[0]; i++)
        if (ranks[i].body == body_case)
            return ranks[i].rank;
    return 99;
}

static int cmp_input(const void *a, const void *b)
{
    const struct lt_fold_input *x = *(const struct lt_fold_input *const *)a;
    const struct lt_fold_input *y = *(const struct lt_fold_input *const *)b;
    const Lienthong__V1__Header *hx = x->ev->header, *hy = y->ev->header;
    if (hx->occurred_at_ms != hy->occurred_at_ms)
        return hx->occurred_at_ms < hy->occurred_at_ms ? -1 : 1;
    int rx = type_rank((int)x->ev->body_case), ry = type_rank((int)y->ev->body_case);
    if (rx != ry)
        return rx < ry ? -1 : 1;
    int c = strcmp(hx->agency_code ? hx->agency_code : "", hy->agency_code ? hy->agency_code : "");
    if (c != 0)
        return c < 0 ? -1 : 1;
    if (hx->sequence != hy->sequence)
        return hx->sequence < hy->sequence ? -1 : 1;
    return memcmp(x->event_id, y->event_id, 16);
}

/* --- scratch tables ------------------------------------------------------ */

/* One permit or exemption, keyed by its number (or a renumbering). Strings
 * and ids are borrowed from the events. */
struct permit {
    const char *no, *renamed;
    int exemption;
    int32_t from, until;
    unsigned ext;
    int revoked, reason;
    int32_t revoked_on;
    const uint8_t *issue_id, *ext_id, *revoke_id;
    const Lienthong__V1__PermitTerms *terms;
    const char *demand_decision_no; /* the demand approval it cites (Decree 152) */
    int rule_set;                   /* of the issuing event */
};

/* Facts of one extension whose legality the alerts report. */
struct ext_finding {
    const char *code;
    int32_t day;
    const char *permit_no;
    const uint8_t *id, *issue_id;
};

struct contract {
    const char *no;
    int32_t day;
};

struct departure {
    const char *contract_no;
    int32_t day;
    const uint8_t *id;
};

struct pcase {
    const char *no;
    int status;
};

struct demand {
    const char *id;
    const char *decision_no; /* of the approval */
    int decision; /* 0 none, 1 approved, 2 rejected */
    uint64_t positions;
};

/* A growable array of fixed-size items. */
struct vec {
    void *v;
    size_t n, cap, size;
};

static void *vec_push(struct vec *a)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 8;
        a->v = lt_realloc(a->v, a->cap * a->size);
    }
    void *p = (char *)a->v + a->n++ * a->size;
    memset(p, 0, a->size);
    return p;
}

struct state {
    const struct lt_fold_params *p;
    int32_t as_of;
    struct lt_fold_result *out;
    struct vec permits, exts, contracts, departures, cases, demands;
    long current; /* index of the current permit, -1 none */
    const uint8_t *entry_id, *exit_id, *ended_id, *depart_id;
    int64_t ended_ms, departed_ms, returned_ms;
};

static struct permit *permit_find(struct state *s, const char *no)
{
    struct permit *ps = s->permits.v;
    if (!nonempty(no))
        return NULL;
    for (size_t i = 0; i < s->permits.n; i++)
        if (strcmp(ps[i].no, no) == 0 || (ps[i].renamed && strcmp(ps[i].renamed, no) == 0))
            return &ps[i];
    return NULL;
}

static struct permit *permit_get(struct state *s, const char *no)
{
    struct permit *p = permit_find(s, no);
    if (p == NULL) {
        p = vec_push(&s->permits);
        p->no = no;
        p->from = p->until = p->revoked_on = LT_DATE_NONE;
    }
    return p;
}

/* --- alerts -------------------------------------------------------------- */

static struct lt_fold_alert *alert_add(struct state *s, const char *code, int32_t opened,
                                       const uint8_t *const ids[], size_t nids)
{
    struct lt_fold_result *r = s->out;
    r->alert_count++;
    if (r->alert_count > LT_FOLD_MAX_ALERTS)
        return NULL;
    struct lt_fold_alert *a = &r->alerts[r->alert_count - 1];
    COPY(a->code, code);
    COPY(a->subject_id, r->subject_id);
    a->opened_on = opened;
    for (size_t i = 0; i < nids && a->event_count < LT_FOLD_ALERT_EVENTS; i++) {
        size_t j;
        if (ids[i] == NULL)
            continue;
        for (j = 0; j < a->event_count; j++)
            if (memcmp(a->event_ids[j], ids[i], 16) == 0)
                break;
        if (j == a->event_count)
            memcpy(a->event_ids[a->event_count++], ids[i], 16);
    }
    return a;
}

static int cmp_alert(const void *a, const void *b)
{
    const struct lt_fold_alert *x = a, *y = b;
    int c = strcmp(x->code, y->code);
    if (c != 0)
        return c;
    if (x->opened_on != y->opened_on)
        return x->opened_on < y->opened_on ? -1 : 1;
    return memcmp(x->event_ids, y->event_ids, sizeof x->event_ids);
}

/* --- foreign workers ----------------------------------------------------- */

static void take_person(struct lt_fold_foreign_worker *w, const Lienthong__V1__PersonDetails *pd)
{
    if (pd == NULL)
        return;
    if (nonempty(pd->full_name))
        COPY(w->full_name, pd->full_name);
    if (nonempty(pd->birth_date))
        COPY(w->birth_date, pd->birth_date);
    if (pd->sex != 0)
        w->sex = (int)pd->sex;
}

static void take_terms(struct state *s, struct permit *p, const Lienthong__V1__PermitTerms *t,
                       const uint8_t *id)
{
    p->issue_id = id;
    p->terms = t;
    if (t != NULL) {
        p->from = day_of(t->valid_from);
        /* An extension folded earlier (dated before its permit) keeps its later day. */
        p->until = max_day(p->until, day_of(t->valid_until));
        take_person(&s->out->foreign, t->person);
    }
    s->current = p - (struct permit *)s->permits.v;
}

static void fold_extension(struct state *s, const struct lt_fold_input *in)
{
    const Lienthong__V1__WorkPermitExtended *x = in->ev->work_permit_extended;
    struct permit *p = permit_get(s, x->permit_no);
    int32_t old_until = p->until != LT_DATE_NONE ? p->until : day_of(x->previous_valid_until);
    int32_t applied = day_of(x->application_date), new_until = day_of(x->valid_until);
    struct lt_validate_result *vr = lt_malloc(sizeof *vr);
    lt_validate_result_init(vr);
    if (old_until != LT_DATE_NONE && applied != LT_DATE_NONE && new_until != LT_DATE_NONE &&
        lt_validate_extension(p->ext, old_until, applied, new_until, in->ev->header->rule_set,
                              vr) != LT_OK) {
        const char *code = NULL;
        if (lt_validate_find(vr, LT_V_SECOND_EXTENSION, NULL))
            code = "second_extension";
        else if (lt_validate_find(vr, LT_V_EXTENSION_OUTSIDE_WINDOW, NULL) ||
                 lt_validate_find(vr, LT_V_EXTENSION_AFTER_EXPIRY, NULL))
            code = "extension_outside_window";
        if (code != NULL) {
            struct ext_finding *f = vec_push(&s->exts);
            f->code = code;
            f->day = ev_day(in->ev);
            f->permit_no = x->permit_no;
            f->id = in->event_id;
            f->issue_id = p->issue_id;
        }
    }
    free(vr);
    if (new_until != LT_DATE_NONE)
        p->until = max_day(p->until, new_until);
    p->ext++;
    p->ext_id = in->event_id;
    if (nonempty(x->new_permit_no))
        p->renamed = x->new_permit_no;
}

/* Returns 0 when the body concerns a foreigner, 1 otherwise. */
static int fold_foreign_event(struct state *s, const struct lt_fold_input *in)
{
    const Lienthong__V1__Event *ev = in->ev;
    struct lt_fold_foreign_worker *w = &s->out->foreign;
    struct permit *p;
    switch (ev->body_case) {
    case BODY(WORK_PERMIT_ISSUED):
        p = permit_get(s, ev->work_permit_issued->permit_no);
        p->exemption = 0;
        p->demand_decision_no = ev->work_permit_issued->demand_decision_no;
        p->rule_set = (int)ev->header->rule_set;
        take_terms(s, p, ev->work_permit_issued->terms, in->event_id);
        w->permits_issued++;
        return 0;
    case BODY(WORK_PERMIT_REISSUED): {
        const Lienthong__V1__WorkPermitReissued *r = ev->work_permit_reissued;
        p = permit_get(s, r->permit_no);
        /* permit_get may move the table: look the replaced one up after. */
        const struct permit *prev = permit_find(s, r->previous_permit_no);
        if (prev != NULL && prev != p) {
            p->ext += prev->ext;
            /* A reissue keeps the authorization of the permit it replaces. */
            p->demand_decision_no = prev->demand_decision_no;
            p->rule_set = prev->rule_set;
        } else {
            p->rule_set = (int)ev->header->rule_set;
        }
        p->exemption = 0;
        take_terms(s, p, r->terms, in->event_id);
        w->permits_issued++;
        return 0;
    }
    case BODY(WORK_PERMIT_EXTENDED):
        fold_extension(s, in);
        return 0;
    case BODY(WORK_PERMIT_REVOKED): {
        const Lienthong__V1__WorkPermitRevoked *r = ev->work_permit_revoked;
        p = permit_get(s, r->permit_no);
        int32_t eff = day_of(r->effective_date);
        p->revoked = 1;
        p->reason = (int)r->reason;
        p->revoked_on = eff != LT_DATE_NONE ? eff : ev_day(ev);
        p->revoke_id = in->event_id;
        return 0;
    }
    case BODY(WORK_PERMIT_EXEMPTION_CERTIFIED):
        p = permit_get(s, ev->work_permit_exemption_certified->certificate_no);
        p->exemption = 1;
        take_terms(s, p, ev->work_permit_exemption_certified->terms, in->event_id);
        return 0;
    case BODY(WORK_PERMIT_EXEMPTION_REPORTED):
        p = permit_get(s, ev->work_permit_exemption_reported->report_ref);
        p->exemption = 1;
        take_terms(s, p, ev->work_permit_exemption_reported->terms, in->event_id);
        return 0;
    case BODY(ENTRY):
        w->last_entry_at_ms = ev->header->occurred_at_ms;
        COPY(w->last_entry_gate, ev->entry->border_gate_code);
        w->last_entry_visa_purpose = (int)ev->entry->visa_purpose;
        take_person(w, ev->entry->person);
        s->entry_id = in->event_id;
        return 0;
    case BODY(EXIT):
        w->last_exit_at_ms = ev->header->occurred_at_ms;
        COPY(w->last_exit_gate, ev->exit->border_gate_code);
        s->exit_id = in->event_id;
        return 0;
    case BODY(RESIDENCE_REGISTERED): {
        const Lienthong__V1__Address *a = ev->residence_registered->address;
        if (a != NULL && a->area != NULL) {
            COPY(w->residence_province, a->area->province_code);
            COPY(w->residence_district, a->area->district_code);
            COPY(w->residence_commune, a->area->commune_code);
            w->residence_on = ev_day(ev);
        }
        return 0;
    }
    case BODY(RESIDENCE_CARD_ISSUED): {
        const Lienthong__V1__ResidenceCardIssued *c = ev->residence_card_issued;
        if (c->address != NULL && c->address->area != NULL) {
            COPY(w->residence_province, c->address->area->province_code);
            COPY(w->residence_district, c->address->area->district_code);
            COPY(w->residence_commune, c->address->area->commune_code);
            w->residence_on = ev_day(ev);
        }
        COPY(w->residence_card_no, c->card_no);
        w->residence_card_valid_from = day_of(c->valid_from);
        w->residence_card_valid_until = day_of(c->valid_until);
        return 0;
    }
    case BODY(VIOLATION_RECORDED):
        w->violations++;
        return 0;
    default:
        return 1;
    }
}

static void finish_foreign(struct state *s)
{
    struct lt_fold_foreign_worker *w = &s->out->foreign;
    const struct permit *p = s->current >= 0 ? &((struct permit *)s->permits.v)[s->current] : NULL;
    int32_t as_of = s->as_of;

    w->permit_state = LT_FOLD_PERMIT_NONE;
    if (p != NULL) {
        COPY(w->permit_no, p->renamed ? p->renamed : p->no);
        if (p->terms != NULL)
            COPY(w->employer_enterprise_code, p->terms->employer_enterprise_code);
        if (p->demand_decision_no != NULL)
            COPY(w->permit_demand_decision_no, p->demand_decision_no);
        w->permit_rule_set = p->rule_set;
        w->permit_is_exemption = p->exemption;
        w->permit_valid_from = p->from;
        w->permit_valid_until = p->until;
        w->permit_extensions = p->ext;
        if (p->revoked) {
            w->revocation_reason = p->reason;
            w->revoked_on = p->revoked_on;
        }
        if (p->revoked && p->revoked_on <= as_of)
            w->permit_state = LT_FOLD_PERMIT_REVOKED;
        else if (p->until != LT_DATE_NONE && as_of > p->until)
            w->permit_state = LT_FOLD_PERMIT_EXPIRED;
        else if (p->from != LT_DATE_NONE && as_of < p->from)
            w->permit_state = LT_FOLD_PERMIT_PENDING;
        else
            w->permit_state = p->exemption ? LT_FOLD_PERMIT_EXEMPT : LT_FOLD_PERMIT_VALID;
    }
    w->present = w->last_entry_at_ms != 0 && w->last_entry_at_ms > w->last_exit_at_ms;

    /* Alerts, recomputed from the facts. */
    char a_[LT_DATE_STRLEN + 1], b_[LT_DATE_STRLEN + 1];
    int32_t entry_day = w->present ? lt_date_vn_from_unix_ms(w->last_entry_at_ms) : LT_DATE_NONE;
    if (w->present && w->permit_state == LT_FOLD_PERMIT_EXPIRED) {
        const uint8_t *ids[] = {p->issue_id, p->ext_id, s->entry_id};
        struct lt_fold_alert *a = alert_add(s, "present_expired_permit",
                                            max_day(p->until + 1, entry_day), ids, 3);
        if (a != NULL) {
            lt_date_format(p->until, a_);
            snprintf(a->message, sizeof a->message,
                     "The foreigner is present in the province but work permit %s expired after %s.",
                     w->permit_no, a_);
        }
    }
    if (w->present && w->permit_state == LT_FOLD_PERMIT_REVOKED) {
        const uint8_t *ids[] = {p->revoke_id, p->issue_id, s->entry_id};
        struct lt_fold_alert *a = alert_add(s, "present_revoked_permit",
                                            max_day(p->revoked_on, entry_day), ids, 3);
        if (a != NULL) {
            lt_date_format(p->revoked_on, a_);
            snprintf(a->message, sizeof a->message,
                     "The foreigner is present in the province but work permit %s was revoked on %s.",
                     w->permit_no, a_);
        }
    }
    if (w->present &&
        (w->last_entry_visa_purpose == LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_LD1 ||
         w->last_entry_visa_purpose == LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_LD2) &&
        (w->permit_state == LT_FOLD_PERMIT_NONE || w->permit_state == LT_FOLD_PERMIT_PENDING) &&
        as_of - entry_day >= s->p->labour_visa_grace_days) {
        const uint8_t *ids[] = {s->entry_id, p ? p->issue_id : NULL};
        struct lt_fold_alert *a = alert_add(s, "labour_visa_no_permit",
                                            entry_day + s->p->labour_visa_grace_days, ids, 2);
        if (a != NULL) {
            lt_date_format(entry_day, a_);
            snprintf(a->message, sizeof a->message,
                     "The foreigner entered on a labour visa on %s and has had no valid work "
                     "permit for %d days or more.",
                     a_, s->p->labour_visa_grace_days);
        }
    }
    const struct ext_finding *fs = s->exts.v;
    for (size_t i = 0; i < s->exts.n; i++) {
        const uint8_t *ids[] = {fs[i].id, fs[i].issue_id};
        struct lt_fold_alert *a = alert_add(s, fs[i].code, fs[i].day, ids, 2);
        if (a != NULL) {
            lt_date_format(fs[i].day, b_);
            if (strcmp(fs[i].code, "second_extension") == 0)
                snprintf(a->message, sizeof a->message,
                         "Work permit %s was extended again on %s, beyond the one extension "
                         "the law allows.", fs[i].permit_no, b_);
            else
                snprintf(a->message, sizeof a->message,
                         "Work permit %s was extended on %s on a dossier filed outside the "
                         "legal window.", fs[i].permit_no, b_);
        }
    }
}

/* --- outbound workers ---------------------------------------------------- */

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int fold_outbound_event(struct state *s, const struct lt_fold_input *in)
{
    const Lienthong__V1__Event *ev = in->ev;
    struct lt_fold_outbound_worker *o = &s->out->outbound;
    int32_t day = ev_day(ev);
    switch (ev->body_case) {
    case BODY(OUTBOUND_REGISTERED): {
        const Lienthong__V1__OutboundRegistered *r = ev->outbound_registered;
        if (o->registered_on == LT_DATE_NONE)
            o->registered_on = day;
        if (r->person != NULL) {
            COPY(o->full_name, r->person->full_name);
            COPY(o->birth_date, r->person->birth_date);
            o->sex = (int)r->person->sex;
        }
        if (r->residence_area != NULL) {
            COPY(o->province, r->residence_area->province_code);
            COPY(o->district, r->residence_area->district_code);
            COPY(o->commune, r->residence_area->commune_code);
            o->area_on = ev_day(ev);
        }
        memset(o->priority_groups, 0, sizeof o->priority_groups);
        o->priority_group_count = 0;
        for (size_t i = 0; i < r->n_priority_groups; i++) {
            size_t j;
            for (j = 0; j < o->priority_group_count; j++)
                if (o->priority_groups[j] == (int)r->priority_groups[i])
                    break;
            if (j == o->priority_group_count && j < LT_FOLD_MAX_PRIORITY)
                o->priority_groups[o->priority_group_count++] = (int)r->priority_groups[i];
        }
        qsort(o->priority_groups, o->priority_group_count, sizeof(int), cmp_int);
        return 0;
    }
    case BODY(CITIZEN_IDENTITY_VERIFIED):
        o->identity_result = (int)ev->citizen_identity_verified->result;
        return 0;
    case BODY(TRAINING_COMPLETED):
        o->trainings++;
        o->last_training_on = day;
        o->last_training_kind = (int)ev->training_completed->kind;
        return 0;
    case BODY(CONTRACT_REGISTERED): {
        const Lienthong__V1__ContractRegistered *c = ev->contract_registered;
        struct contract *k = vec_push(&s->contracts);
        k->no = c->contract_no;
        k->day = day;
        o->contracts++;
        COPY(o->contract_no, c->contract_no);
        COPY(o->contract_country, c->destination_country);
        o->contract_start = day_of(c->start_date);
        o->contract_duration_months = c->duration_months;
        COPY(o->contract_enterprise, c->service_enterprise_code);
        return 0;
    }
    case BODY(LOAN_DISBURSED):
        o->loans_disbursed_vnd += ev->loan_disbursed->amount_vnd;
        return 0;
    case BODY(LOAN_REPAID):
        o->loans_repaid_vnd += ev->loan_repaid->principal_vnd;
        return 0;
    case BODY(SUPPORT_PAID):
        o->support_paid_vnd += ev->support_paid->amount_vnd;
        return 0;
    case BODY(DEPARTURE): {
        struct departure *d = vec_push(&s->departures);
        d->contract_no = ev->departure->contract_no;
        d->day = day;
        d->id = in->event_id;
        o->departed_on = day;
        COPY(o->departed_country, ev->departure->destination_country);
        s->departed_ms = ev->header->occurred_at_ms;
        s->depart_id = in->event_id;
        return 0;
    }
    case BODY(RETURN_HOME):
        o->returned_on = day;
        s->returned_ms = ev->header->occurred_at_ms;
        return 0;
    case BODY(CONTRACT_ENDED):
        o->contract_ended_on = day;
        o->contract_end_reason = (int)ev->contract_ended->reason;
        s->ended_ms = ev->header->occurred_at_ms;
        s->ended_id = in->event_id;
        return 0;
    case BODY(CITIZEN_PROTECTION_CASE): {
        const Lienthong__V1__CitizenProtectionCase *c = ev->citizen_protection_case;
        struct pcase *pc = s->cases.v;
        size_t i;
        for (i = 0; i < s->cases.n; i++)
            if (strcmp(pc[i].no, c->case_no) == 0)
                break;
        if (i == s->cases.n) {
            pc = vec_push(&s->cases);
            pc->no = c->case_no;
        } else {
            pc = &pc[i];
        }
        pc->status = (int)c->status;
        return 0;
    }
    case BODY(REEMPLOYMENT_SUPPORTED):
        o->reemployment_supports++;
        o->last_reemployment_outcome = (int)ev->reemployment_supported->outcome;
        return 0;
    default:
        return 1;
    }
}

static void finish_outbound(struct state *s)
{
    struct lt_fold_outbound_worker *o = &s->out->outbound;
    char d_[LT_DATE_STRLEN + 1];
    o->loans_outstanding_vnd = o->loans_disbursed_vnd - o->loans_repaid_vnd;
    if (o->loans_outstanding_vnd < 0)
        o->loans_outstanding_vnd = 0;
    o->abroad = s->departed_ms != 0 && s->departed_ms > s->returned_ms;
    const struct pcase *pc = s->cases.v;
    for (size_t i = 0; i < s->cases.n; i++)
        if (pc[i].status == LIENTHONG__V1__PROTECTION_CASE_STATUS__PROTECTION_CASE_STATUS_OPENED ||
            pc[i].status == LIENTHONG__V1__PROTECTION_CASE_STATUS__PROTECTION_CASE_STATUS_IN_PROGRESS)
            o->protection_cases_open++;

    const struct departure *dp = s->departures.v;
    const struct contract *cs = s->contracts.v;
    for (size_t i = 0; i < s->departures.n; i++) {
        int found = 0;
        for (size_t j = 0; j < s->contracts.n && !found; j++)
            found = cs[j].day <= dp[i].day &&
                    (!nonempty(dp[i].contract_no) || strcmp(cs[j].no, dp[i].contract_no) == 0);
        if (found)
            continue;
        const uint8_t *ids[] = {dp[i].id};
        struct lt_fold_alert *a = alert_add(s, "departed_without_contract", dp[i].day, ids, 1);
        if (a != NULL) {
            lt_date_format(dp[i].day, d_);
            snprintf(a->message, sizeof a->message,
                     "The worker departed on %s with no registered contract%s%s.", d_,
                     nonempty(dp[i].contract_no) ? " " : "",
                     nonempty(dp[i].contract_no) ? dp[i].contract_no : "");
        }
    }
    if (o->abroad && s->ended_id != NULL && s->ended_ms >= s->departed_ms &&
        s->as_of - o->contract_ended_on >= s->p->no_return_grace_days) {
        const uint8_t *ids[] = {s->ended_id, s->depart_id};
        struct lt_fold_alert *a = alert_add(
            s, "no_return_after_contract_end", o->contract_ended_on + s->p->no_return_grace_days,
            ids, 2);
        if (a != NULL) {
            lt_date_format(o->contract_ended_on, d_);
            snprintf(a->message, sizeof a->message,
                     "The worker's contract ended on %s and no return has been recorded "
                     "within %d days.", d_, s->p->no_return_grace_days);
        }
    }
}

/* --- employers ----------------------------------------------------------- */

static uint64_t positions_total(Lienthong__V1__DemandPosition *const *ps, size_t n)
{
    uint64_t t = 0;
    for (size_t i = 0; i < n; i++)
        if (ps[i] != NULL)
            t += ps[i]->count;
    return t;
}

static void demand_decide(struct state *s, const char *id, int decision, uint64_t positions,
                          const char *decision_no)
{
    struct demand *d = s->demands.v;
    size_t i;
    for (i = 0; i < s->demands.n; i++)
        if (strcmp(d[i].id, id) == 0)
            break;
    if (i == s->demands.n) {
        d = vec_push(&s->demands);
        d->id = id;
    } else {
        d = &d[i];
    }
    d->decision = decision;
    d->positions = positions;
    d->decision_no = decision_no;
}

static int fold_employer_event(struct state *s, const struct lt_fold_input *in)
{
    const Lienthong__V1__Event *ev = in->ev;
    struct lt_fold_employer *e = &s->out->employer;
    switch (ev->body_case) {
    case BODY(EMPLOYER_REGISTERED): {
        const Lienthong__V1__EmployerRegistered *r = ev->employer_registered;
        COPY(e->name, r->name);
        if (r->head_office != NULL && r->head_office->area != NULL) {
            COPY(e->province, r->head_office->area->province_code);
            COPY(e->district, r->head_office->area->district_code);
            COPY(e->commune, r->head_office->area->commune_code);
            e->office_on = ev_day(ev);
        }
        COPY(e->sector_code, r->main_sector_code);
        return 0;
    }
    case BODY(LABOUR_DEMAND_DECLARED):
        e->demands_declared++;
        return 0;
    case BODY(LABOUR_DEMAND_APPROVED): {
        const Lienthong__V1__LabourDemandApproved *a = ev->labour_demand_approved;
        demand_decide(s, a->demand_id, 1, positions_total(a->positions, a->n_positions),
                      a->decision_no);
        return 0;
    }
    case BODY(LABOUR_DEMAND_REJECTED):
        demand_decide(s, ev->labour_demand_rejected->demand_id, 2, 0, NULL);
        return 0;
    case BODY(VIOLATION_RECORDED):
        return 0;
    default:
        return 1;
    }
}

static void finish_employer(struct state *s)
{
    struct lt_fold_employer *e = &s->out->employer;
    const struct demand *d = s->demands.v;
    for (size_t i = 0; i < s->demands.n; i++) {
        if (d[i].decision == 1) {
            e->demands_approved++;
            e->approved_positions += d[i].positions;
            if (e->approved_decision_count < LT_FOLD_MAX_DECISIONS && nonempty(d[i].decision_no))
                COPY(e->approved_decisions[e->approved_decision_count++], d[i].decision_no);
        } else if (d[i].decision == 2) {
            e->demands_rejected++;
        }
    }
}

/* --- the fold ------------------------------------------------------------ */

/* --- administrative areas ------------------------------------------------ */

/* The units that stand on as_of for an area given by codes on day `on`: the
 * most specific code that maps (commune, else district, else province) is
 * carried through the mergers (registry/units.h lt_units_map), and its
 * enclosing units are read from it. Leaves *out unresolved without units, a
 * province code or a day, or when no code maps. */
static void resolve_area(const struct lt_units *units, const char *province,
                         const char *district, const char *commune, int32_t on, int32_t as_of,
                         struct lt_fold_area *out)
{
    memset(out, 0, sizeof *out);
    if (units == NULL || !nonempty(province) || on == LT_DATE_NONE)
        return;
    char d_on[LT_DATE_STRLEN + 1], d_as_of[LT_DATE_STRLEN + 1], err[256];
    lt_date_format(on, d_on);
    lt_date_format(as_of, d_as_of);
    const char *codes[] = { commune, district, province };
    const struct lt_unit *u = NULL;
    for (size_t i = 0; i < 3 && u == NULL; i++)
        if (nonempty(codes[i]) &&
            lt_units_map(units, codes[i], d_on, d_as_of, &u, err, sizeof err) != LT_UNITS_OK)
            u = NULL;
    for (; u != NULL; u = lt_units_parent(units, u)) {
        struct lt_fold_unit *t = u->level == LT_UNIT_PROVINCE ? &out->province
                               : u->level == LT_UNIT_DISTRICT ? &out->district : &out->commune;
        COPY(t->code, u->code);
        COPY(t->name, u->name);
    }
    out->resolved = nonempty(out->province.code);
}

int lt_fold_subject(const struct lt_fold_input *in, size_t n, int32_t as_of,
                    const struct lt_fold_params *params, struct lt_fold_result *out,
                    char *err, size_t errlen)
{
    struct lt_fold_params defaults;
    const struct lt_fold_input **order = NULL;
    struct state s;
    int rc = LT_OK;

    assert(out != NULL);
    memset(out, 0, sizeof *out);
    memset(&s, 0, sizeof s);
    if (params == NULL) {
        lt_fold_params_default(&defaults);
        params = &defaults;
    }
    s.p = params;
    s.as_of = as_of;
    s.out = out;
    s.current = -1;
    s.permits.size = sizeof(struct permit);
    s.exts.size = sizeof(struct ext_finding);
    s.contracts.size = sizeof(struct contract);
    s.departures.size = sizeof(struct departure);
    s.cases.size = sizeof(struct pcase);
    s.demands.size = sizeof(struct demand);
    out->as_of = as_of;

    if (n == 0 || in == NULL) {
        rc = lt_err_set(err, errlen, LT_ERR_INVALID, "no events to fold");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        char id[LT_SUBJECT_ID_MAX];
        enum lt_subject_fault fault;
        char e2[128];
        if (in[i].ev == NULL || in[i].ev->header == NULL) {
            rc = lt_err_set(err, errlen, LT_ERR_INVALID, "event %zu has no header", i);
            goto out;
        }
        if (lt_subject_canonical_id(in[i].ev->header->subject, id, &fault, e2, sizeof e2) !=
            LT_OK) {
            rc = lt_err_set(err, errlen, LT_ERR_INVALID, "event %zu: %s", i, e2);
            goto out;
        }
        if (i == 0) {
            COPY(out->subject_id, id);
            out->kind = (enum lt_subject_kind)in[i].ev->header->subject->kind_case;
        } else if (strcmp(out->subject_id, id) != 0) {
            rc = lt_err_set(err, errlen, LT_ERR_INVALID,
                            "event %zu is about %s, not %s", i, id, out->subject_id);
            goto out;
        }
    }

    order = lt_malloc(n * sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = &in[i];
    qsort(order, n, sizeof *order, cmp_input);

    switch (out->kind) {
    case LT_SUBJECT_FOREIGNER: {
        const Lienthong__V1__Foreigner *f = in[0].ev->header->subject->foreigner;
        COPY(out->foreign.subject_id, out->subject_id);
        COPY(out->foreign.nationality, f->nationality);
        COPY(out->foreign.passport_number, f->passport_number);
        out->foreign.permit_valid_from = out->foreign.permit_valid_until = LT_DATE_NONE;
        out->foreign.revoked_on = LT_DATE_NONE;
        out->foreign.residence_card_valid_from = LT_DATE_NONE;
        out->foreign.residence_card_valid_until = LT_DATE_NONE;
        out->foreign.residence_on = LT_DATE_NONE;
        break;
    }
    case LT_SUBJECT_CITIZEN: {
        struct lt_fold_outbound_worker *o = &out->outbound;
        COPY(o->subject_id, out->subject_id);
        o->registered_on = o->last_training_on = o->contract_start = LT_DATE_NONE;
        o->departed_on = o->returned_on = o->contract_ended_on = LT_DATE_NONE;
        o->area_on = LT_DATE_NONE;
        break;
    }
    case LT_SUBJECT_ENTERPRISE:
        COPY(out->employer.subject_id, out->subject_id);
        COPY(out->employer.enterprise_code, in[0].ev->header->subject->enterprise_code);
        out->employer.office_on = LT_DATE_NONE;
        break;
    default:
        assert(0 && "lt_subject_canonical_id accepted a subject with no kind");
        break;
    }

    for (size_t i = 0; i < n; i++) {
        if (i > 0 && memcmp(order[i]->event_id, order[i - 1]->event_id, 16) == 0) {
            out->events_repeated++;
            continue;
        }
        if (ev_day(order[i]->ev) > as_of) {
            out->events_later++;
            continue;
        }
        int skipped = 1;
        if (out->kind == LT_SUBJECT_FOREIGNER)
            skipped = fold_foreign_event(&s, order[i]);
        else if (out->kind == LT_SUBJECT_CITIZEN)
            skipped = fold_outbound_event(&s, order[i]);
        else if (out->kind == LT_SUBJECT_ENTERPRISE)
            skipped = fold_employer_event(&s, order[i]);
        if (skipped)
            out->events_foreign++;
        else
            out->events_folded++;
    }

    if (out->kind == LT_SUBJECT_FOREIGNER) {
        struct lt_fold_foreign_worker *w = &out->foreign;
        finish_foreign(&s);
        resolve_area(s.p->units, w->residence_province, w->residence_district,
                     w->residence_commune, w->residence_on, as_of, &w->residence_area);
    } else if (out->kind == LT_SUBJECT_CITIZEN) {
        struct lt_fold_outbound_worker *o = &out->outbound;
        finish_outbound(&s);
        resolve_area(s.p->units, o->province, o->district, o->commune, o->area_on, as_of,
                     &o->area);
    } else {
        struct lt_fold_employer *e = &out->employer;
        finish_employer(&s);
        resolve_area(s.p->units, e->province, e->district, e->commune, e->office_on, as_of,
                     &e->office_area);
    }
    qsort(out->alerts, out->alert_count < LT_FOLD_MAX_ALERTS ? out->alert_count : LT_FOLD_MAX_ALERTS,
          sizeof out->alerts[0], cmp_alert);

out:
    free(order);
    free(s.permits.v);
    free(s.exts.v);
    free(s.contracts.v);
    free(s.departures.v);
    free(s.cases.v);
    free(s.demands.v);
    return rc;
}

/* --- cross-subject ------------------------------------------------------- */

void lt_fold_employer_count_worker(struct lt_fold_employer *e,
                                   const struct lt_fold_foreign_worker *w)
{
    if (!w->permit_is_exemption && nonempty(w->permit_no) &&
        strcmp(w->employer_enterprise_code, e->enterprise_code) == 0)
        e->permits_issued++;
}

int lt_fold_employer_approved(const struct lt_fold_employer *e, const char *decision_no)
{
    for (size_t i = 0; i < e->approved_decision_count && i < LT_FOLD_MAX_DECISIONS; i++)
        if (strcmp(e->approved_decisions[i], decision_no) == 0)
            return 1;
    return 0;
}

int lt_fold_employer_alert(const struct lt_fold_foreign_worker *w, const struct lt_fold_employer *e,
                           int32_t as_of, struct lt_fold_alert *out)
{
    (void)as_of; /* the worker's row is already as of that date */
    if (!w->present || w->permit_state != LT_FOLD_PERMIT_VALID)
        return 0;
    /* Decree 219: demand and permit are one procedure, the permit approves it. */
    if (w->permit_rule_set == LIENTHONG__V1__RULE_SET__RULE_SET_DECREE_219_2025)
        return 0;
    const char *cited = w->permit_demand_decision_no;
    if (e != NULL && (nonempty(cited) ? lt_fold_employer_approved(e, cited)
                                      : e->demands_approved > 0))
        return 0;
    memset(out, 0, sizeof *out);
    COPY(out->code, "employer_no_approved_demand");
    COPY(out->subject_id, w->subject_id);
    out->opened_on = max_day(w->permit_valid_from, lt_date_vn_from_unix_ms(w->last_entry_at_ms));
    if (nonempty(cited))
        snprintf(out->message, sizeof out->message,
                 "The foreigner's permit cites demand approval %s, which is not an approved demand "
                 "of employer %s.", cited, w->employer_enterprise_code);
    else
        snprintf(out->message, sizeof out->message,
                 "The foreigner works for employer %s, which has no approved demand for foreign "
                 "workers.", w->employer_enterprise_code);
    return 1;
}

/* ---- the row as JSON ------------------------------------------------------ */

static json_t *j_day(int32_t d)
{
    if (d == LT_DATE_NONE)
        return json_null();
    char buf[LT_DATE_STRLEN + 1];
    lt_date_format(d, buf);
    return json_string(buf);
}

static json_t *j_instant(int64_t ms)
{
    if (!ms)
        return json_null();
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(buf);
}

static json_t *j_unit(const struct lt_fold_unit *u)
{
    if (!u->code[0])
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "code", json_string(u->code));
    json_object_set_new(o, "name", json_string(u->name));
    return o;
}

/* {"province": {code, name}, "district": …|null, "commune": …|null}, or null. */
static json_t *j_area(const struct lt_fold_area *a)
{
    if (!a->resolved)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "province", j_unit(&a->province));
    json_object_set_new(o, "district", j_unit(&a->district));
    json_object_set_new(o, "commune", j_unit(&a->commune));
    return o;
}

static json_t *j_str(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

/* An enum value by its contract name (the number if it has none); null for 0. */
static json_t *j_enum(const ProtobufCEnumDescriptor *d, int v)
{
    if (!v)
        return json_null();
    const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(d, v);
    return ev ? json_string(ev->name) : json_integer(v);
}

json_t *lt_fold_row_json(const struct lt_fold_result *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "subject", json_string(r->subject_id));
    if (r->kind == LT_SUBJECT_FOREIGNER) {
        const struct lt_fold_foreign_worker *f = &r->foreign;
        json_object_set_new(o, "nationality", j_str(f->nationality));
        json_object_set_new(o, "passportNumber", j_str(f->passport_number));
        json_object_set_new(o, "fullName", j_str(f->full_name));
        json_object_set_new(o, "birthDate", j_str(f->birth_date));
        json_object_set_new(o, "sex", j_enum(&lienthong__v1__sex__descriptor, f->sex));
        json_object_set_new(o, "employer", j_str(f->employer_enterprise_code));
        json_object_set_new(o, "permitNo", j_str(f->permit_no));
        json_object_set_new(o, "permitDemandDecisionNo", j_str(f->permit_demand_decision_no));
        json_object_set_new(o, "permitRuleSet", j_enum(&lienthong__v1__rule_set__descriptor,
                                                       f->permit_rule_set));
        json_object_set_new(o, "permitState",
                            json_string(lt_fold_permit_state_name((enum lt_fold_permit_state)f->permit_state)));
        json_object_set_new(o, "permitIsExemption", json_boolean(f->permit_is_exemption));
        json_object_set_new(o, "permitValidFrom", j_day(f->permit_valid_from));
        json_object_set_new(o, "permitValidUntil", j_day(f->permit_valid_until));
        json_object_set_new(o, "permitExtensions", json_integer(f->permit_extensions));
        json_object_set_new(o, "revocationReason",
                            j_enum(&lienthong__v1__permit_revocation_reason__descriptor,
                                   f->revocation_reason));
        json_object_set_new(o, "revokedOn", j_day(f->revoked_on));
        json_object_set_new(o, "permitsIssued", json_integer(f->permits_issued));
        json_object_set_new(o, "violations", json_integer(f->violations));
        json_object_set_new(o, "present", json_boolean(f->present));
        json_object_set_new(o, "lastEntryAt", j_instant(f->last_entry_at_ms));
        json_object_set_new(o, "lastEntryGate", j_str(f->last_entry_gate));
        json_object_set_new(o, "lastEntryVisaPurpose",
                            j_enum(&lienthong__v1__visa_purpose__descriptor, f->last_entry_visa_purpose));
        json_object_set_new(o, "lastExitAt", j_instant(f->last_exit_at_ms));
        json_object_set_new(o, "lastExitGate", j_str(f->last_exit_gate));
        json_object_set_new(o, "residenceProvince", j_str(f->residence_province));
        json_object_set_new(o, "residenceDistrict", j_str(f->residence_district));
        json_object_set_new(o, "residenceCommune", j_str(f->residence_commune));
        json_object_set_new(o, "residenceOn", j_day(f->residence_on));
        json_object_set_new(o, "residenceArea", j_area(&f->residence_area));
        json_object_set_new(o, "residenceCardNo", j_str(f->residence_card_no));
        json_object_set_new(o, "residenceCardValidFrom", j_day(f->residence_card_valid_from));
        json_object_set_new(o, "residenceCardValidUntil", j_day(f->residence_card_valid_until));
    } else if (r->kind == LT_SUBJECT_CITIZEN) {
        const struct lt_fold_outbound_worker *w = &r->outbound;
        json_object_set_new(o, "fullName", j_str(w->full_name));
        json_object_set_new(o, "birthDate", j_str(w->birth_date));
        json_object_set_new(o, "sex", j_enum(&lienthong__v1__sex__descriptor, w->sex));
        json_object_set_new(o, "registeredOn", j_day(w->registered_on));
        json_object_set_new(o, "province", j_str(w->province));
        json_object_set_new(o, "district", j_str(w->district));
        json_object_set_new(o, "commune", j_str(w->commune));
        json_object_set_new(o, "areaOn", j_day(w->area_on));
        json_object_set_new(o, "area", j_area(&w->area));
        json_t *pg = json_array();
        for (size_t i = 0; i < w->priority_group_count; i++)
            json_array_append_new(pg, j_enum(&lienthong__v1__priority_group__descriptor,
                                             w->priority_groups[i]));
        json_object_set_new(o, "priorityGroups", pg);
        json_object_set_new(o, "identityResult",
                            j_enum(&lienthong__v1__identity_check_result__descriptor, w->identity_result));
        json_object_set_new(o, "trainings", json_integer(w->trainings));
        json_object_set_new(o, "lastTrainingOn", j_day(w->last_training_on));
        json_object_set_new(o, "contracts", json_integer(w->contracts));
        json_object_set_new(o, "contractNo", j_str(w->contract_no));
        json_object_set_new(o, "contractCountry", j_str(w->contract_country));
        json_object_set_new(o, "contractStart", j_day(w->contract_start));
        json_object_set_new(o, "contractDurationMonths", json_integer(w->contract_duration_months));
        json_object_set_new(o, "contractEnterprise", j_str(w->contract_enterprise));
        json_object_set_new(o, "loansDisbursedVnd", json_integer(w->loans_disbursed_vnd));
        json_object_set_new(o, "loansRepaidVnd", json_integer(w->loans_repaid_vnd));
        json_object_set_new(o, "loansOutstandingVnd", json_integer(w->loans_outstanding_vnd));
        json_object_set_new(o, "supportPaidVnd", json_integer(w->support_paid_vnd));
        json_object_set_new(o, "departedOn", j_day(w->departed_on));
        json_object_set_new(o, "departedCountry", j_str(w->departed_country));
        json_object_set_new(o, "abroad", json_boolean(w->abroad));
        json_object_set_new(o, "returnedOn", j_day(w->returned_on));
        json_object_set_new(o, "contractEndedOn", j_day(w->contract_ended_on));
        json_object_set_new(o, "contractEndReason",
                            j_enum(&lienthong__v1__contract_end_reason__descriptor, w->contract_end_reason));
        json_object_set_new(o, "protectionCasesOpen", json_integer(w->protection_cases_open));
        json_object_set_new(o, "reemploymentSupports", json_integer(w->reemployment_supports));
    } else if (r->kind == LT_SUBJECT_ENTERPRISE) {
        const struct lt_fold_employer *e = &r->employer;
        json_object_set_new(o, "enterpriseCode", j_str(e->enterprise_code));
        json_object_set_new(o, "name", j_str(e->name));
        json_object_set_new(o, "province", j_str(e->province));
        json_object_set_new(o, "district", j_str(e->district));
        json_object_set_new(o, "commune", j_str(e->commune));
        json_object_set_new(o, "officeOn", j_day(e->office_on));
        json_object_set_new(o, "officeArea", j_area(&e->office_area));
        json_object_set_new(o, "sectorCode", j_str(e->sector_code));
        json_object_set_new(o, "demandsDeclared", json_integer(e->demands_declared));
        json_object_set_new(o, "demandsApproved", json_integer(e->demands_approved));
        json_object_set_new(o, "demandsRejected", json_integer(e->demands_rejected));
        json_t *dec = json_array();
        for (size_t i = 0; i < e->approved_decision_count && i < LT_FOLD_MAX_DECISIONS; i++)
            json_array_append_new(dec, json_string(e->approved_decisions[i]));
        json_object_set_new(o, "approvedDecisions", dec);
        json_object_set_new(o, "approvedPositions", json_integer((json_int_t)e->approved_positions));
    }
    json_object_set_new(o, "asOf", j_day(r->as_of));
    json_object_set_new(o, "eventsFolded", json_integer((json_int_t)r->events_folded));
    return o;
}
