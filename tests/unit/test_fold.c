/* test_fold — the fold of one subject's events (common/fold): a full
 * foreign-worker life gives the expected row, and the same row byte for byte
 * in all 120 arrival orders of its 5 events; a revocation that arrives before
 * its permit; each single-subject alert raised and cleared by the event that
 * resolves it; an outbound life and its two alerts; the as-of date moving
 * state and alerts; the employer row and the cross-subject alert; the same
 * fold from stored SignedEvent bytes (fold/stored.h), as the consolidator
 * and the audit run it.
 *
 * Events are built from the generated protobuf-c structs in a small pool
 * (the fold reads decoded events; no encoding needed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/date.h"
#include "core/err.h"
#include "crypto/sign.h"
#include "event/envelope.h"
#include "fold/fold.h"
#include "fold/stored.h"
#include "registry/units.h"

#define S(x) ((char *)(x))
#define RS219 LIENTHONG__V1__RULE_SET__RULE_SET_DECREE_219_2025
#define RS69 LIENTHONG__V1__RULE_SET__RULE_SET_LAW_69_2020_DECREE_112_2021
#define DAY(y, m, d) LT_DATE_CONST(y, m, d)
#define HOUR INT64_C(3600000)

/* One event and everything it points at. */
struct tev {
    Lienthong__V1__Event ev;
    Lienthong__V1__Header h;
    Lienthong__V1__Subject subj;
    Lienthong__V1__Foreigner fo;
    Lienthong__V1__PersonDetails person;
    Lienthong__V1__PermitTerms terms;
    Lienthong__V1__AdminArea area;
    Lienthong__V1__Address addr;
    Lienthong__V1__DemandPosition pos[2];
    Lienthong__V1__DemandPosition *posp[2];
    Lienthong__V1__PriorityGroup groups[3];
    char d1[LT_DATE_STRLEN + 1], d2[LT_DATE_STRLEN + 1], d3[LT_DATE_STRLEN + 1];
    union {
        Lienthong__V1__EmployerRegistered employer;
        Lienthong__V1__LabourDemandDeclared declared;
        Lienthong__V1__LabourDemandApproved approved;
        Lienthong__V1__LabourDemandRejected rejected;
        Lienthong__V1__WorkPermitIssued issued;
        Lienthong__V1__WorkPermitExtended extended;
        Lienthong__V1__WorkPermitRevoked revoked;
        Lienthong__V1__Entry entry;
        Lienthong__V1__Exit exit;
        Lienthong__V1__ResidenceCardIssued card;
        Lienthong__V1__OutboundRegistered reg;
        Lienthong__V1__CitizenIdentityVerified idv;
        Lienthong__V1__TrainingCompleted training;
        Lienthong__V1__ContractRegistered contract;
        Lienthong__V1__LoanDisbursed loan;
        Lienthong__V1__LoanRepaid repaid;
        Lienthong__V1__SupportPaid support;
        Lienthong__V1__Departure departure;
        Lienthong__V1__Return ret;
        Lienthong__V1__ContractEnded ended;
        Lienthong__V1__CitizenProtectionCase pcase;
    } b;
};

#define POOL 64
static struct tev *pool[POOL];
static size_t npool;
static uint64_t next_id = 1;

static int teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < npool; i++)
        free(pool[i]);
    npool = 0;
    return 0;
}

enum who { FOREIGNER, CITIZEN, ENTERPRISE };

/* A new event about the test subject of kind `who`, at 10:00 Vietnam time
 * of `day`; its id is the next counter value. */
static struct tev *mk(enum who who, int32_t day, int hour)
{
    assert_true(npool < POOL);
    struct tev *t = calloc(1, sizeof *t);
    assert_non_null(t);
    pool[npool++] = t;
    lienthong__v1__event__init(&t->ev);
    lienthong__v1__header__init(&t->h);
    lienthong__v1__subject__init(&t->subj);
    lienthong__v1__foreigner__init(&t->fo);
    t->ev.header = &t->h;
    t->h.agency_code = S("test.agency");
    t->h.sequence = next_id;
    t->h.occurred_at_ms = lt_date_vn_midnight_ms(day) + hour * HOUR;
    t->h.recorded_at_ms = t->h.occurred_at_ms;
    t->h.subject = &t->subj;
    t->h.schema_version = 1;
    t->h.rule_set = who == CITIZEN ? RS69 : RS219;
    if (who == FOREIGNER) {
        t->subj.kind_case = LIENTHONG__V1__SUBJECT__KIND_FOREIGNER;
        t->fo.nationality = S("JPN");
        t->fo.passport_number = S("TK1234567");
        t->subj.foreigner = &t->fo;
    } else if (who == CITIZEN) {
        t->subj.kind_case = LIENTHONG__V1__SUBJECT__KIND_CITIZEN_ID;
        t->subj.citizen_id = S("049095001234");
    } else {
        t->subj.kind_case = LIENTHONG__V1__SUBJECT__KIND_ENTERPRISE_CODE;
        t->subj.enterprise_code = S("4100123456");
    }
    lienthong__v1__admin_area__init(&t->area);
    t->area.province_code = S("52");
    t->area.commune_code = S("21553");
    lienthong__v1__address__init(&t->addr);
    t->addr.line = S("Lô A1");
    t->addr.area = &t->area;
    lienthong__v1__person_details__init(&t->person);
    t->person.full_name = S("Tanaka Hiroshi");
    t->person.birth_date = S("1985-04-12");
    t->person.sex = LIENTHONG__V1__SEX__SEX_MALE;
    next_id++;
    return t;
}

static void id_of(const struct tev *t, uint8_t id[16])
{
    memset(id, 0, 16);
    for (int i = 0; i < 8; i++)
        id[15 - i] = (uint8_t)(t->h.sequence >> (8 * i));
}

/* --- foreign-worker builders --- */

static struct tev *permit(int32_t day, const char *no, int32_t from, int32_t until)
{
    struct tev *t = mk(FOREIGNER, day, 9);
    lienthong__v1__permit_terms__init(&t->terms);
    lt_date_format(from, t->d1);
    lt_date_format(until, t->d2);
    t->terms.employer_enterprise_code = S("4100123456");
    t->terms.person = &t->person;
    t->terms.valid_from = t->d1;
    t->terms.valid_until = t->d2;
    lienthong__v1__work_permit_issued__init(&t->b.issued);
    t->b.issued.permit_no = S(no);
    t->b.issued.terms = &t->terms;
    t->ev.body_case = LIENTHONG__V1__EVENT__BODY_WORK_PERMIT_ISSUED;
    t->ev.work_permit_issued = &t->b.issued;
    return t;
}

static struct tev *extend(int32_t day, const char *no, int32_t applied, int32_t old_until,
                          int32_t new_until)
{
    struct tev *t = mk(FOREIGNER, day, 9);
    lienthong__v1__work_permit_extended__init(&t->b.extended);
    lt_date_format(applied, t->d1);
    lt_date_format(old_until, t->d2);
    lt_date_format(new_until, t->d3);
    t->b.extended.permit_no = S(no);
    t->b.extended.application_date = t->d1;
    t->b.extended.previous_valid_until = t->d2;
    t->b.extended.valid_until = t->d3;
    t->ev.body_case = LIENTHONG__V1__EVENT__BODY_WORK_PERMIT_EXTENDED;
    t->ev.work_permit_extended = &t->b.extended;
    return t;
}

static struct tev *revoke(int32_t day, const char *no, int32_t effective)
{
    struct tev *t = mk(FOREIGNER, day, 9);
    lienthong__v1__work_permit_revoked__init(&t->b.revoked);
    lt_date_format(effective, t->d1);
    t->b.revoked.permit_no = S(no);
    t->b.revoked.reason = (Lienthong__V1__PermitRevocationReason)3;
    t->b.revoked.effective_date = t->d1;
    t->ev.body_case = LIENTHONG__V1__EVENT__BODY_WORK_PERMIT_REVOKED;
    t->ev.work_permit_revoked = &t->b.revoked;
    return t;
}

static struct tev *entry(int32_t day, int hour, Lienthong__V1__VisaPurpose visa)
{
    struct tev *t = mk(FOREIGNER, day, hour);
    lienthong__v1__entry__init(&t->b.entry);
    t->b.entry.border_gate_code = S("SBNB");
    t->b.entry.visa_purpose = visa;
    t->ev.body_case = LIENTHONG__V1__EVENT__BODY_ENTRY;
    t->ev.entry = &t->b.entry;
    return t;
}

static struct tev *leave(int32_t day, int hour)
{
    struct tev *t = mk(FOREIGNER, day, hour);
    lienthong__v1__exit__init(&t->b.exit);
    t->b.exit.border_gate_code = S("CKQN");
    t->ev.body_case = LIENTHONG__V1__EVENT__BODY_EXIT;
    t->ev.exit = &t->b.exit;
    return t;
}

static struct tev *card(int32_t day, int32_t from, int32_t until)
{
    struct tev *t = mk(FOREIGNER, day, 9);
    lienthong__v1__residence_card_issued__init(&t->b.card);
    lt_date_format(from, t->d1);
    lt_date_format(until, t->d2);
    t->b.card.card_no = S("TT-0001");
    t->b.card.address = &t->addr;
    t->b.card.valid_from = t->d1;
    t->b.card.valid_until = t->d2;
    t->ev.body_case = LIENTHONG__V1__EVENT__BODY_RESIDENCE_CARD_ISSUED;
    t->ev.residence_card_issued = &t->b.card;
    return t;
}

/* Folds evs[] in the given order as of `as_of`; asserts success. */
static void fold(struct tev **evs, size_t n, int32_t as_of, struct lt_fold_result *r)
{
    struct lt_fold_input in[POOL];
    char err[256];
    for (size_t i = 0; i < n; i++) {
        in[i].ev = &evs[i]->ev;
        id_of(evs[i], in[i].event_id);
    }
    int rc = lt_fold_subject(in, n, as_of, NULL, r, err, sizeof err);
    if (rc != LT_OK)
        fail_msg("fold: %s", err);
}

static const struct lt_fold_alert *find_alert(const struct lt_fold_result *r, const char *code)
{
    for (size_t i = 0; i < r->alert_count && i < LT_FOLD_MAX_ALERTS; i++)
        if (strcmp(r->alerts[i].code, code) == 0)
            return &r->alerts[i];
    return NULL;
}

static int has_id(const struct lt_fold_alert *a, const struct tev *t)
{
    uint8_t id[16];
    id_of(t, id);
    for (size_t i = 0; i < a->event_count; i++)
        if (memcmp(a->event_ids[i], id, 16) == 0)
            return 1;
    return 0;
}

/* --- tests --- */

static struct tev *life[5];

static void make_life(void)
{
    life[0] = permit(DAY(2026, 1, 2), "52/2026/GPLĐ-0001", DAY(2026, 1, 5), DAY(2027, 1, 4));
    life[1] = entry(DAY(2026, 1, 10), 10, LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_LD1);
    life[2] = card(DAY(2026, 1, 15), DAY(2026, 1, 15), DAY(2027, 1, 4));
    life[3] = extend(DAY(2026, 12, 10), "52/2026/GPLĐ-0001", DAY(2026, 12, 1), DAY(2027, 1, 4),
                     DAY(2028, 1, 4));
    life[4] = leave(DAY(2027, 3, 1), 15);
}

static void test_foreign_life(void **state)
{
    (void)state;
    make_life();
    struct lt_fold_result *r = lt_fold_result_new();
    fold(life, 5, DAY(2027, 6, 1), r);
    const struct lt_fold_foreign_worker *w = &r->foreign;
    assert_int_equal(r->kind, LT_SUBJECT_FOREIGNER);
    assert_int_equal(r->events_folded, 5);
    assert_string_equal(w->subject_id, "JPN:TK1234567");
    assert_string_equal(w->nationality, "JPN");
    assert_string_equal(w->passport_number, "TK1234567");
    assert_string_equal(w->full_name, "Tanaka Hiroshi");
    assert_string_equal(w->birth_date, "1985-04-12");
    assert_string_equal(w->employer_enterprise_code, "4100123456");
    assert_string_equal(w->permit_no, "52/2026/GPLĐ-0001");
    assert_int_equal(w->permit_state, LT_FOLD_PERMIT_VALID);
    assert_int_equal(w->permit_valid_from, DAY(2026, 1, 5));
    assert_int_equal(w->permit_valid_until, DAY(2028, 1, 4));
    assert_int_equal(w->permit_extensions, 1);
    assert_int_equal(w->revocation_reason, 0);
    assert_int_equal(w->present, 0);
    assert_int_equal(w->last_entry_at_ms, life[1]->h.occurred_at_ms);
    assert_string_equal(w->last_entry_gate, "SBNB");
    assert_int_equal(w->last_entry_visa_purpose, LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_LD1);
    assert_int_equal(w->last_exit_at_ms, life[4]->h.occurred_at_ms);
    assert_string_equal(w->last_exit_gate, "CKQN");
    assert_string_equal(w->residence_province, "52");
    assert_string_equal(w->residence_commune, "21553");
    assert_string_equal(w->residence_card_no, "TT-0001");
    assert_int_equal(w->residence_card_valid_until, DAY(2027, 1, 4));
    assert_int_equal(r->alert_count, 0);

    /* Before the exit: present, still no alert (the permit is valid). */
    fold(life, 5, DAY(2027, 2, 1), r);
    assert_int_equal(r->events_later, 1);
    assert_int_equal(r->foreign.present, 1);
    assert_int_equal(r->alert_count, 0);
    lt_fold_result_free(r);
}

/* Heap's algorithm over all orders of a[0..n-1]; each fold equals *ref. */
static void permute(struct tev **a, size_t n, size_t k, const struct lt_fold_result *ref,
                    struct lt_fold_result *r, unsigned *count)
{
    if (k == 1) {
        fold(a, n, DAY(2027, 6, 1), r);
        assert_memory_equal(r, ref, sizeof *r);
        (*count)++;
        return;
    }
    for (size_t i = 0; i < k; i++) {
        permute(a, n, k - 1, ref, r, count);
        size_t j = (k % 2 == 0) ? i : 0;
        struct tev *t = a[j];
        a[j] = a[k - 1];
        a[k - 1] = t;
    }
}

static void test_any_arrival_order(void **state)
{
    (void)state;
    make_life();
    struct lt_fold_result *ref = lt_fold_result_new(), *r = lt_fold_result_new();
    fold(life, 5, DAY(2027, 6, 1), ref);
    struct tev *a[5];
    memcpy(a, life, sizeof a);
    unsigned count = 0;
    permute(a, 5, 5, ref, r, &count);
    assert_int_equal(count, 120);

    /* The exit alone, then exit before entry: the same as entry before exit. */
    struct tev *ee[2] = {life[4], life[1]}, *ee2[2] = {life[1], life[4]};
    fold(ee, 2, DAY(2027, 6, 1), ref);
    fold(ee2, 2, DAY(2027, 6, 1), r);
    assert_memory_equal(r, ref, sizeof *r);
    assert_int_equal(r->foreign.present, 0);

    /* A repeated event changes nothing but the repeat count. */
    struct tev *dup[6] = {life[0], life[1], life[2], life[3], life[4], life[1]};
    fold(dup, 6, DAY(2027, 6, 1), r);
    assert_int_equal(r->events_repeated, 1);
    assert_int_equal(r->foreign.permit_extensions, 1);
    lt_fold_result_free(ref);
    lt_fold_result_free(r);
}

static void test_revocation_before_permit(void **state)
{
    (void)state;
    struct tev *p = permit(DAY(2026, 1, 2), "P1", DAY(2026, 1, 5), DAY(2027, 1, 4));
    struct tev *v = revoke(DAY(2026, 5, 1), "P1", DAY(2026, 5, 1));
    struct tev *a[2] = {v, p}, *b[2] = {p, v};
    struct lt_fold_result *r1 = lt_fold_result_new(), *r2 = lt_fold_result_new();
    fold(a, 2, DAY(2026, 6, 1), r1);
    fold(b, 2, DAY(2026, 6, 1), r2);
    assert_memory_equal(r1, r2, sizeof *r1);
    assert_int_equal(r1->foreign.permit_state, LT_FOLD_PERMIT_REVOKED);
    assert_int_equal(r1->foreign.revocation_reason, 3);
    assert_int_equal(r1->foreign.revoked_on, DAY(2026, 5, 1));
    /* Before the revocation happened: valid. */
    fold(a, 2, DAY(2026, 4, 30), r1);
    assert_int_equal(r1->foreign.permit_state, LT_FOLD_PERMIT_VALID);
    lt_fold_result_free(r1);
    lt_fold_result_free(r2);
}

static void test_alert_present_revoked(void **state)
{
    (void)state;
    struct tev *evs[4];
    evs[0] = permit(DAY(2026, 1, 2), "P1", DAY(2026, 1, 5), DAY(2027, 1, 4));
    evs[1] = entry(DAY(2026, 1, 10), 10, LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_LD1);
    evs[2] = revoke(DAY(2026, 6, 1), "P1", DAY(2026, 6, 1));
    evs[3] = leave(DAY(2026, 6, 20), 8);
    struct lt_fold_result *r = lt_fold_result_new();
    fold(evs, 3, DAY(2026, 6, 10), r);
    const struct lt_fold_alert *a = find_alert(r, "present_revoked_permit");
    assert_non_null(a);
    assert_int_equal(r->alert_count, 1);
    assert_int_equal(a->opened_on, DAY(2026, 6, 1));
    assert_string_equal(a->subject_id, "JPN:TK1234567");
    assert_true(has_id(a, evs[0]) && has_id(a, evs[1]) && has_id(a, evs[2]));
    assert_non_null(strstr(a->message, "revoked"));
    /* The exit arrives: cleared. */
    fold(evs, 4, DAY(2026, 7, 1), r);
    assert_int_equal(r->alert_count, 0);
    lt_fold_result_free(r);
}

static void test_alert_present_expired(void **state)
{
    (void)state;
    struct tev *evs[3];
    evs[0] = permit(DAY(2026, 1, 2), "P1", DAY(2026, 1, 5), DAY(2027, 1, 4));
    evs[1] = entry(DAY(2026, 1, 10), 10, LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_LD1);
    evs[2] = extend(DAY(2026, 12, 10), "P1", DAY(2026, 12, 1), DAY(2027, 1, 4), DAY(2028, 1, 4));
    struct lt_fold_result *r = lt_fold_result_new();
    fold(evs, 2, DAY(2027, 1, 4), r); /* last valid day */
    assert_int_equal(r->alert_count, 0);
    fold(evs, 2, DAY(2027, 1, 5), r);
    assert_int_equal(r->foreign.permit_state, LT_FOLD_PERMIT_EXPIRED);
    const struct lt_fold_alert *a = find_alert(r, "present_expired_permit");
    assert_non_null(a);
    assert_int_equal(a->opened_on, DAY(2027, 1, 5));
    assert_true(has_id(a, evs[0]) && has_id(a, evs[1]));
    /* The extension (folded late) resolves it. */
    fold(evs, 3, DAY(2027, 1, 5), r);
    assert_int_equal(r->foreign.permit_state, LT_FOLD_PERMIT_VALID);
    assert_int_equal(r->alert_count, 0);
    lt_fold_result_free(r);
}

static void test_alert_labour_visa_no_permit(void **state)
{
    (void)state;
    struct tev *evs[2];
    evs[0] = entry(DAY(2026, 1, 10), 10, LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_LD2);
    evs[1] = permit(DAY(2026, 2, 20), "P1", DAY(2026, 2, 20), DAY(2027, 2, 19));
    struct lt_fold_result *r = lt_fold_result_new();
    fold(evs, 1, DAY(2026, 2, 8), r); /* 29 days */
    assert_int_equal(r->alert_count, 0);
    fold(evs, 1, DAY(2026, 2, 9), r); /* 30 days */
    const struct lt_fold_alert *a = find_alert(r, "labour_visa_no_permit");
    assert_non_null(a);
    assert_int_equal(a->opened_on, DAY(2026, 2, 9));
    assert_true(has_id(a, evs[0]));
    /* A tighter parameter raises it earlier. */
    struct lt_fold_params p;
    lt_fold_params_default(&p);
    p.labour_visa_grace_days = 10;
    struct lt_fold_input in[1] = {{.ev = &evs[0]->ev}};
    id_of(evs[0], in[0].event_id);
    char err[128];
    assert_int_equal(lt_fold_subject(in, 1, DAY(2026, 1, 20), &p, r, err, sizeof err), LT_OK);
    assert_int_equal(r->alert_count, 1);
    /* A tourist entry never raises it. */
    struct tev *dl = entry(DAY(2026, 1, 10), 10, LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_DN1);
    fold(&dl, 1, DAY(2026, 6, 1), r);
    assert_int_equal(r->alert_count, 0);
    /* The permit arrives: cleared. */
    fold(evs, 2, DAY(2026, 3, 1), r);
    assert_int_equal(r->alert_count, 0);
    lt_fold_result_free(r);
}

static void test_alert_extensions(void **state)
{
    (void)state;
    struct tev *evs[3];
    evs[0] = permit(DAY(2026, 1, 2), "P1", DAY(2026, 1, 5), DAY(2027, 1, 4));
    /* 95 days left: outside the 10-45 day window of Decree 219. */
    evs[1] = extend(DAY(2026, 10, 5), "P1", DAY(2026, 10, 1), DAY(2027, 1, 4), DAY(2028, 1, 4));
    evs[2] = extend(DAY(2027, 12, 1), "P1", DAY(2027, 11, 25), DAY(2028, 1, 4), DAY(2029, 1, 4));
    struct lt_fold_result *r = lt_fold_result_new();
    fold(evs, 2, DAY(2026, 11, 1), r);
    const struct lt_fold_alert *a = find_alert(r, "extension_outside_window");
    assert_non_null(a);
    assert_int_equal(a->opened_on, DAY(2026, 10, 5));
    assert_true(has_id(a, evs[1]) && has_id(a, evs[0]));
    assert_null(find_alert(r, "second_extension"));
    fold(evs, 3, DAY(2027, 12, 5), r);
    assert_int_equal(r->alert_count, 2);
    a = find_alert(r, "second_extension");
    assert_non_null(a);
    assert_true(has_id(a, evs[2]));
    assert_int_equal(r->foreign.permit_extensions, 2);
    /* Sorted by code. */
    assert_string_equal(r->alerts[0].code, "extension_outside_window");
    lt_fold_result_free(r);
}

/* --- outbound --- */

static struct tev *ob(int32_t day, int hour, Lienthong__V1__Event__BodyCase bc)
{
    struct tev *t = mk(CITIZEN, day, hour);
    t->ev.body_case = bc;
    return t;
}

static struct tev *ob_contract(int32_t day, const char *no)
{
    struct tev *t = ob(day, 9, LIENTHONG__V1__EVENT__BODY_CONTRACT_REGISTERED);
    lienthong__v1__contract_registered__init(&t->b.contract);
    lt_date_format(day + 30, t->d1);
    t->b.contract.contract_no = S(no);
    t->b.contract.destination_country = S("JPN");
    t->b.contract.service_enterprise_code = S("0101234567");
    t->b.contract.start_date = t->d1;
    t->b.contract.duration_months = 36;
    t->ev.contract_registered = &t->b.contract;
    return t;
}

static struct tev *ob_departure(int32_t day, const char *no)
{
    struct tev *t = ob(day, 7, LIENTHONG__V1__EVENT__BODY_DEPARTURE);
    lienthong__v1__departure__init(&t->b.departure);
    t->b.departure.border_gate_code = S("NBA");
    t->b.departure.destination_country = S("JPN");
    t->b.departure.contract_no = S(no);
    t->ev.departure = &t->b.departure;
    return t;
}

static struct tev *ob_ended(int32_t day)
{
    struct tev *t = ob(day, 9, LIENTHONG__V1__EVENT__BODY_CONTRACT_ENDED);
    lienthong__v1__contract_ended__init(&t->b.ended);
    t->b.ended.contract_no = S("HD-1");
    t->b.ended.reason = LIENTHONG__V1__CONTRACT_END_REASON__CONTRACT_END_REASON_COMPLETED;
    t->ev.contract_ended = &t->b.ended;
    return t;
}

static struct tev *ob_return(int32_t day)
{
    struct tev *t = ob(day, 20, LIENTHONG__V1__EVENT__BODY_RETURN_HOME);
    lienthong__v1__return__init(&t->b.ret);
    t->b.ret.border_gate_code = S("NBA");
    t->ev.return_home = &t->b.ret;
    return t;
}

static void test_outbound_life(void **state)
{
    (void)state;
    struct tev *e[11];
    e[0] = ob(DAY(2026, 1, 5), 9, LIENTHONG__V1__EVENT__BODY_OUTBOUND_REGISTERED);
    lienthong__v1__outbound_registered__init(&e[0]->b.reg);
    e[0]->b.reg.person = &e[0]->person;
    e[0]->b.reg.residence_area = &e[0]->area;
    e[0]->groups[0] = LIENTHONG__V1__PRIORITY_GROUP__PRIORITY_GROUP_POOR_HOUSEHOLD;
    e[0]->groups[1] = LIENTHONG__V1__PRIORITY_GROUP__PRIORITY_GROUP_ETHNIC_MINORITY;
    e[0]->groups[2] = LIENTHONG__V1__PRIORITY_GROUP__PRIORITY_GROUP_POOR_HOUSEHOLD;
    e[0]->b.reg.n_priority_groups = 3;
    e[0]->b.reg.priority_groups = e[0]->groups;
    e[0]->ev.outbound_registered = &e[0]->b.reg;
    e[1] = ob(DAY(2026, 1, 20), 9, LIENTHONG__V1__EVENT__BODY_CITIZEN_IDENTITY_VERIFIED);
    lienthong__v1__citizen_identity_verified__init(&e[1]->b.idv);
    e[1]->b.idv.result = LIENTHONG__V1__IDENTITY_CHECK_RESULT__IDENTITY_CHECK_RESULT_MATCH;
    e[1]->ev.citizen_identity_verified = &e[1]->b.idv;
    e[2] = ob(DAY(2026, 4, 1), 9, LIENTHONG__V1__EVENT__BODY_TRAINING_COMPLETED);
    lienthong__v1__training_completed__init(&e[2]->b.training);
    e[2]->b.training.kind = LIENTHONG__V1__TRAINING_KIND__TRAINING_KIND_ORIENTATION;
    e[2]->ev.training_completed = &e[2]->b.training;
    e[3] = ob_contract(DAY(2026, 4, 10), "HD-1");
    e[4] = ob(DAY(2026, 4, 15), 9, LIENTHONG__V1__EVENT__BODY_LOAN_DISBURSED);
    lienthong__v1__loan_disbursed__init(&e[4]->b.loan);
    e[4]->b.loan.amount_vnd = 100000000;
    e[4]->ev.loan_disbursed = &e[4]->b.loan;
    e[5] = ob(DAY(2026, 4, 16), 9, LIENTHONG__V1__EVENT__BODY_SUPPORT_PAID);
    lienthong__v1__support_paid__init(&e[5]->b.support);
    e[5]->b.support.amount_vnd = 5000000;
    e[5]->ev.support_paid = &e[5]->b.support;
    e[6] = ob_departure(DAY(2026, 5, 1), "HD-1");
    e[7] = ob(DAY(2027, 5, 1), 9, LIENTHONG__V1__EVENT__BODY_LOAN_REPAID);
    lienthong__v1__loan_repaid__init(&e[7]->b.repaid);
    e[7]->b.repaid.principal_vnd = 40000000;
    e[7]->ev.loan_repaid = &e[7]->b.repaid;
    e[8] = ob(DAY(2027, 6, 1), 9, LIENTHONG__V1__EVENT__BODY_CITIZEN_PROTECTION_CASE);
    lienthong__v1__citizen_protection_case__init(&e[8]->b.pcase);
    e[8]->b.pcase.case_no = S("PC-1");
    e[8]->b.pcase.status = LIENTHONG__V1__PROTECTION_CASE_STATUS__PROTECTION_CASE_STATUS_OPENED;
    e[8]->ev.citizen_protection_case = &e[8]->b.pcase;
    e[9] = ob_ended(DAY(2029, 4, 30));
    e[10] = ob_return(DAY(2029, 5, 10));

    struct lt_fold_result *r = lt_fold_result_new(), *r2 = lt_fold_result_new();
    fold(e, 11, DAY(2029, 6, 1), r);
    const struct lt_fold_outbound_worker *o = &r->outbound;
    assert_int_equal(r->kind, LT_SUBJECT_CITIZEN);
    assert_string_equal(o->subject_id, "VNM:049095001234");
    assert_int_equal(o->registered_on, DAY(2026, 1, 5));
    assert_string_equal(o->province, "52");
    assert_int_equal(o->priority_group_count, 2);
    assert_int_equal(o->priority_groups[0], 1);
    assert_int_equal(o->priority_groups[1], 2);
    assert_int_equal(o->identity_result, 1);
    assert_int_equal(o->trainings, 1);
    assert_int_equal(o->last_training_on, DAY(2026, 4, 1));
    assert_string_equal(o->contract_no, "HD-1");
    assert_string_equal(o->contract_country, "JPN");
    assert_int_equal(o->contract_start, DAY(2026, 5, 10));
    assert_int_equal(o->contract_duration_months, 36);
    assert_string_equal(o->contract_enterprise, "0101234567");
    assert_int_equal(o->loans_disbursed_vnd, 100000000);
    assert_int_equal(o->loans_repaid_vnd, 40000000);
    assert_int_equal(o->loans_outstanding_vnd, 60000000);
    assert_int_equal(o->support_paid_vnd, 5000000);
    assert_int_equal(o->departed_on, DAY(2026, 5, 1));
    assert_string_equal(o->departed_country, "JPN");
    assert_int_equal(o->abroad, 0);
    assert_int_equal(o->returned_on, DAY(2029, 5, 10));
    assert_int_equal(o->contract_ended_on, DAY(2029, 4, 30));
    assert_int_equal(o->contract_end_reason, 1);
    assert_int_equal(o->protection_cases_open, 1);
    assert_int_equal(r->alert_count, 0);

    /* Reversed arrival: byte-identical. */
    struct tev *rev[11];
    for (int i = 0; i < 11; i++)
        rev[i] = e[10 - i];
    fold(rev, 11, DAY(2029, 6, 1), r2);
    assert_memory_equal(r, r2, sizeof *r);

    /* As of mid-2027: abroad, no return yet, no end yet. */
    fold(e, 11, DAY(2027, 1, 1), r);
    assert_int_equal(r->outbound.abroad, 1);
    assert_int_equal(r->outbound.returned_on, LT_DATE_NONE);
    assert_int_equal(r->outbound.loans_outstanding_vnd, 100000000);
    assert_int_equal(r->alert_count, 0);
    lt_fold_result_free(r);
    lt_fold_result_free(r2);
}

static void test_alert_departed_without_contract(void **state)
{
    (void)state;
    struct tev *e[2];
    e[0] = ob_departure(DAY(2026, 5, 1), "HD-9");
    e[1] = ob_contract(DAY(2026, 4, 10), "HD-9");
    struct lt_fold_result *r = lt_fold_result_new();
    fold(e, 1, DAY(2026, 6, 1), r);
    const struct lt_fold_alert *a = find_alert(r, "departed_without_contract");
    assert_non_null(a);
    assert_int_equal(a->opened_on, DAY(2026, 5, 1));
    assert_true(has_id(a, e[0]));
    assert_string_equal(a->subject_id, "VNM:049095001234");
    /* The contract (registered before the departure) arrives late: cleared. */
    fold(e, 2, DAY(2026, 6, 1), r);
    assert_int_equal(r->alert_count, 0);
    /* A contract of another number does not clear it. */
    struct tev *other[2] = {e[0], ob_contract(DAY(2026, 4, 10), "HD-8")};
    fold(other, 2, DAY(2026, 6, 1), r);
    assert_int_equal(r->alert_count, 1);
    lt_fold_result_free(r);
}

static void test_alert_no_return(void **state)
{
    (void)state;
    struct tev *e[4];
    e[0] = ob_contract(DAY(2026, 4, 10), "HD-1");
    e[1] = ob_departure(DAY(2026, 5, 1), "HD-1");
    e[2] = ob_ended(DAY(2029, 4, 30));
    e[3] = ob_return(DAY(2029, 9, 1));
    struct lt_fold_result *r = lt_fold_result_new();
    fold(e, 3, DAY(2029, 7, 28), r); /* 89 days */
    assert_int_equal(r->alert_count, 0);
    fold(e, 3, DAY(2029, 7, 29), r); /* 90 days */
    const struct lt_fold_alert *a = find_alert(r, "no_return_after_contract_end");
    assert_non_null(a);
    assert_int_equal(a->opened_on, DAY(2029, 7, 29));
    assert_true(has_id(a, e[1]) && has_id(a, e[2]));
    /* The return, arriving first, resolves it. */
    struct tev *f[4] = {e[3], e[2], e[1], e[0]};
    fold(f, 4, DAY(2029, 10, 1), r);
    assert_int_equal(r->alert_count, 0);
    /* As of a date before the return the alert held. */
    fold(f, 4, DAY(2029, 8, 15), r);
    assert_int_equal(r->alert_count, 1);
    lt_fold_result_free(r);
}

/* --- employer and cross-subject --- */

static void test_employer(void **state)
{
    (void)state;
    struct tev *e[4];
    e[0] = mk(ENTERPRISE, DAY(2026, 1, 1), 9);
    lienthong__v1__employer_registered__init(&e[0]->b.employer);
    e[0]->b.employer.name = S("Công ty TNHH Điện Phú Tài");
    e[0]->b.employer.head_office = &e[0]->addr;
    e[0]->b.employer.main_sector_code = S("2710");
    e[0]->ev.body_case = LIENTHONG__V1__EVENT__BODY_EMPLOYER_REGISTERED;
    e[0]->ev.employer_registered = &e[0]->b.employer;
    e[1] = mk(ENTERPRISE, DAY(2026, 2, 1), 9);
    lienthong__v1__labour_demand_declared__init(&e[1]->b.declared);
    e[1]->b.declared.demand_id = S("D1");
    e[1]->ev.body_case = LIENTHONG__V1__EVENT__BODY_LABOUR_DEMAND_DECLARED;
    e[1]->ev.labour_demand_declared = &e[1]->b.declared;
    e[2] = mk(ENTERPRISE, DAY(2026, 3, 1), 9);
    lienthong__v1__labour_demand_approved__init(&e[2]->b.approved);
    for (int i = 0; i < 2; i++) {
        lienthong__v1__demand_position__init(&e[2]->pos[i]);
        e[2]->pos[i].count = (uint32_t)(3 - i);
        e[2]->posp[i] = &e[2]->pos[i];
    }
    e[2]->b.approved.demand_id = S("D1");
    e[2]->b.approved.decision_no = S("QD-1");
    e[2]->b.approved.positions = e[2]->posp;
    e[2]->b.approved.n_positions = 2;
    e[2]->ev.body_case = LIENTHONG__V1__EVENT__BODY_LABOUR_DEMAND_APPROVED;
    e[2]->ev.labour_demand_approved = &e[2]->b.approved;
    e[3] = mk(ENTERPRISE, DAY(2026, 3, 2), 9);
    lienthong__v1__labour_demand_rejected__init(&e[3]->b.rejected);
    e[3]->b.rejected.demand_id = S("D2");
    e[3]->ev.body_case = LIENTHONG__V1__EVENT__BODY_LABOUR_DEMAND_REJECTED;
    e[3]->ev.labour_demand_rejected = &e[3]->b.rejected;

    struct lt_fold_result *r = lt_fold_result_new(), *w = lt_fold_result_new();
    fold(e, 4, DAY(2026, 6, 1), r);
    const struct lt_fold_employer *em = &r->employer;
    assert_string_equal(em->subject_id, "enterprise:4100123456");
    assert_string_equal(em->name, "Công ty TNHH Điện Phú Tài");
    assert_string_equal(em->commune, "21553");
    assert_string_equal(em->sector_code, "2710");
    assert_int_equal(em->demands_declared, 1);
    assert_int_equal(em->demands_approved, 1);
    assert_int_equal(em->demands_rejected, 1);
    assert_int_equal(em->approved_positions, 5);

    assert_int_equal(em->approved_decision_count, 1);
    assert_string_equal(em->approved_decisions[0], "QD-1");
    assert_int_equal(lt_fold_employer_approved(em, "QD-1"), 1);
    assert_int_equal(lt_fold_employer_approved(em, "QD-9"), 0);

    /* A present worker with a valid Decree 152 permit citing approval QD-1. */
    struct tev *fw[2] = {permit(DAY(2026, 1, 2), "P1", DAY(2026, 1, 5), DAY(2027, 1, 4)),
                         entry(DAY(2026, 1, 10), 10, LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_LD1)};
    fw[0]->h.rule_set = LIENTHONG__V1__RULE_SET__RULE_SET_DECREE_152_2020;
    fw[0]->b.issued.demand_decision_no = S("QD-1");
    fold(fw, 2, DAY(2026, 6, 1), w);
    assert_string_equal(w->foreign.permit_demand_decision_no, "QD-1");
    lt_fold_employer_count_worker(&r->employer, &w->foreign);
    assert_int_equal(r->employer.permits_issued, 1);
    struct lt_fold_alert al;
    assert_int_equal(lt_fold_employer_alert(&w->foreign, &r->employer, DAY(2026, 6, 1), &al), 0);
    /* As of before the approval: QD-1 approves nothing yet -> alert. */
    fold(e, 4, DAY(2026, 2, 15), r);
    assert_int_equal(lt_fold_employer_alert(&w->foreign, &r->employer, DAY(2026, 2, 15), &al), 1);
    assert_string_equal(al.code, "employer_no_approved_demand");
    assert_int_equal(al.opened_on, DAY(2026, 1, 10));
    assert_non_null(strstr(al.message, "QD-1"));
    assert_int_equal(lt_fold_employer_alert(&w->foreign, NULL, DAY(2026, 2, 15), &al), 1);
    /* Citing a number the employer never got: alert even after QD-1. */
    fold(e, 4, DAY(2026, 6, 1), r);
    fw[0]->b.issued.demand_decision_no = S("QD-9");
    fold(fw, 2, DAY(2026, 6, 1), w);
    assert_int_equal(lt_fold_employer_alert(&w->foreign, &r->employer, DAY(2026, 6, 1), &al), 1);
    /* A Decree 219 permit is its own demand approval: never alerted. */
    fw[0]->h.rule_set = LIENTHONG__V1__RULE_SET__RULE_SET_DECREE_219_2025;
    fw[0]->b.issued.demand_decision_no = S("");
    fold(fw, 2, DAY(2026, 6, 1), w);
    assert_int_equal(lt_fold_employer_alert(&w->foreign, NULL, DAY(2026, 6, 1), &al), 0);
    lt_fold_result_free(r);
    lt_fold_result_free(w);
}

/* Areas are given by codes valid on their event's day and resolved on the
 * as-of date: before the 2025 mergers to the old province, district and
 * commune, after them to the new province and the commune that took over. */
static const char units_json[] =
    "{\"format\": \"lienthong.units/1\", \"units\": ["
    "{\"code\": \"52\", \"level\": \"province\", \"name\": \"Tỉnh Bình Định\","
    " \"valid_until\": \"2025-06-30\", \"successor\": \"52\"},"
    "{\"code\": \"52\", \"level\": \"province\", \"name\": \"Tỉnh Gia Lai\","
    " \"valid_from\": \"2025-07-01\"},"
    "{\"code\": \"540\", \"level\": \"district\", \"name\": \"Thành phố Quy Nhơn\","
    " \"parent\": \"52\", \"valid_until\": \"2025-06-30\", \"successor\": \"52\"},"
    "{\"code\": \"21559\", \"level\": \"commune\", \"name\": \"Phường Trần Quang Diệu\","
    " \"parent\": \"540\", \"valid_until\": \"2025-06-30\", \"successor\": \"21553\"},"
    "{\"code\": \"21553\", \"level\": \"commune\", \"name\": \"Phường Quy Nhơn Bắc\","
    " \"parent\": \"52\", \"valid_from\": \"2025-07-01\"}]}";

static void test_area_resolution(void **state)
{
    (void)state;
    struct lt_units *units = NULL;
    char err[512];
    assert_int_equal(lt_units_new_from_string(units_json, "test", &units, err, sizeof err), LT_OK);
    struct tev *e[1];
    e[0] = mk(ENTERPRISE, DAY(2024, 3, 1), 9);
    e[0]->h.rule_set = LIENTHONG__V1__RULE_SET__RULE_SET_DECREE_152_2020;
    lienthong__v1__employer_registered__init(&e[0]->b.employer);
    e[0]->area.province_code = S("52");
    e[0]->area.district_code = S("540");
    e[0]->area.commune_code = S("21559");
    e[0]->b.employer.name = S("Công ty Cổ phần Quy Nhơn");
    e[0]->b.employer.head_office = &e[0]->addr;
    e[0]->ev.body_case = LIENTHONG__V1__EVENT__BODY_EMPLOYER_REGISTERED;
    e[0]->ev.employer_registered = &e[0]->b.employer;
    struct lt_fold_input in[1];
    in[0].ev = &e[0]->ev;
    id_of(e[0], in[0].event_id);
    struct lt_fold_params p;
    lt_fold_params_default(&p);
    p.units = units;
    struct lt_fold_result *r = lt_fold_result_new();

    assert_int_equal(lt_fold_subject(in, 1, DAY(2024, 12, 1), &p, r, err, sizeof err), LT_OK);
    const struct lt_fold_area *a = &r->employer.office_area;
    assert_int_equal(r->employer.office_on, DAY(2024, 3, 1));
    assert_int_equal(a->resolved, 1);
    assert_string_equal(a->province.name, "Tỉnh Bình Định");
    assert_string_equal(a->district.code, "540");
    assert_string_equal(a->commune.name, "Phường Trần Quang Diệu");

    assert_int_equal(lt_fold_subject(in, 1, DAY(2026, 6, 1), &p, r, err, sizeof err), LT_OK);
    assert_int_equal(a->resolved, 1);
    assert_string_equal(a->province.code, "52");
    assert_string_equal(a->province.name, "Tỉnh Gia Lai");
    assert_string_equal(a->district.code, "");
    assert_string_equal(a->commune.code, "21553");
    assert_string_equal(a->commune.name, "Phường Quy Nhơn Bắc");
    /* The codes as given stay in the row. */
    assert_string_equal(r->employer.commune, "21559");
    json_t *row = lt_fold_row_json(r);
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(
                            row, "officeArea"), "commune"), "name")), "Phường Quy Nhơn Bắc");
    json_decref(row);

    /* An unknown code, or no units: the area stays unresolved. */
    e[0]->area.commune_code = S("99999");
    e[0]->area.district_code = S("");
    e[0]->area.province_code = S("98");
    assert_int_equal(lt_fold_subject(in, 1, DAY(2026, 6, 1), &p, r, err, sizeof err), LT_OK);
    assert_int_equal(r->employer.office_area.resolved, 0);
    assert_int_equal(lt_fold_subject(in, 1, DAY(2026, 6, 1), NULL, r, err, sizeof err), LT_OK);
    assert_int_equal(r->employer.office_area.resolved, 0);
    lt_fold_result_free(r);
    lt_units_free(units);
}

static void test_refusals(void **state)
{
    (void)state;
    struct tev *a = permit(DAY(2026, 1, 2), "P1", DAY(2026, 1, 5), DAY(2027, 1, 4));
    struct tev *b = ob_return(DAY(2026, 1, 2));
    struct lt_fold_input in[2] = {{.ev = &a->ev}, {.ev = &b->ev}};
    struct lt_fold_result *r = lt_fold_result_new();
    char err[128];
    assert_int_equal(lt_fold_subject(in, 2, DAY(2026, 2, 1), NULL, r, err, sizeof err),
                     LT_ERR_INVALID);
    assert_non_null(strstr(err, "not JPN:TK1234567"));
    assert_int_equal(lt_fold_subject(in, 0, DAY(2026, 2, 1), NULL, r, err, sizeof err),
                     LT_ERR_INVALID);
    lt_fold_result_free(r);
    lt_fold_result_free(NULL);
    assert_string_equal(lt_fold_permit_state_name(LT_FOLD_PERMIT_EXEMPT), "exempt");
}

/* Seals t (with its 16-byte id) as a SignedEvent; the caller frees *buf. */
static void seal(struct tev *t, const uint8_t sk[LT_SIGN_SECRETKEYBYTES], uint8_t **buf,
                 size_t *len)
{
    static uint8_t ids[POOL][16];
    uint8_t *id = ids[t->h.sequence % POOL];
    id_of(t, id);
    t->h.event_id.data = id;
    t->h.event_id.len = 16;
    size_t n = lienthong__v1__event__get_packed_size(&t->ev);
    uint8_t *ev = malloc(n + 1);
    assert_non_null(ev);
    lienthong__v1__event__pack(&t->ev, ev);
    char err[128];
    assert_int_equal(lt_envelope_seal(ev, n, "test.agency:k1", sk, buf, len, err, sizeof err),
                     LT_OK);
    free(ev);
}

/* The stored-bytes fold equals the direct fold, row for row; the employer
 * alert goes through it; a stored row reads back into the alert's fields;
 * bytes that do not decode are refused. */
static void test_stored(void **state)
{
    (void)state;
    assert_int_equal(lt_sign_init(), LT_OK);
    uint8_t pk[LT_SIGN_PUBLICKEYBYTES], sk[LT_SIGN_SECRETKEYBYTES];
    lt_sign_keypair(pk, sk);
    make_life();
    uint8_t *bufs[5];
    size_t lens[5];
    for (int i = 0; i < 5; i++)
        seal(life[i], sk, &bufs[i], &lens[i]);
    struct lt_fold_result *r = lt_fold_result_new();
    fold(life, 5, DAY(2027, 6, 1), r);
    json_t *row = lt_fold_row_json(r);
    char *want = json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(row);
    struct lt_fold_stored f;
    memset(&f, 0, sizeof f);
    char err[256];
    /* Stored order is not fold order: reversed. */
    const uint8_t *rev[5] = { bufs[4], bufs[3], bufs[2], bufs[1], bufs[0] };
    size_t revl[5] = { lens[4], lens[3], lens[2], lens[1], lens[0] };
    assert_int_equal(lt_fold_stored_signed(rev, revl, 5, DAY(2027, 6, 1), NULL, &f, err,
                                           sizeof err), LT_OK);
    assert_int_equal(f.ok, 1);
    assert_int_equal(f.kind, LT_SUBJECT_FOREIGNER);
    assert_int_equal(f.events, 5);
    assert_string_equal(f.row_text, want);
    assert_non_null(f.fw);
    assert_null(f.em);
    assert_int_equal(f.n_alerts, r->alert_count);
    /* Present on a Decree 152 permit citing QD-7 (as of before the exit),
     * with no employer events: the cross-subject alert is appended once. */
    life[0]->h.rule_set = LIENTHONG__V1__RULE_SET__RULE_SET_DECREE_152_2020;
    life[0]->b.issued.demand_decision_no = S("QD-7");
    free(bufs[0]);
    seal(life[0], sk, &bufs[0], &lens[0]);
    assert_int_equal(lt_fold_stored_signed((const uint8_t *const *)bufs, lens, 3,
                                           DAY(2026, 6, 1), NULL, &f, err, sizeof err), LT_OK);
    size_t before = f.n_alerts;
    assert_int_equal(lt_fold_stored_employer_alert(&f, NULL, DAY(2026, 6, 1)), 1);
    assert_int_equal(f.n_alerts, before + 1);
    assert_string_equal(f.alerts[before].code, "employer_no_approved_demand");
    /* An employer whose stored row approves QD-7: no alert. */
    struct lt_fold_employer em;
    memset(&em, 0, sizeof em);
    const char *row_text = "{\"demandsApproved\": 1, \"approvedDecisions\": [\"QD-7\"]}";
    assert_int_equal(lt_fold_stored_employer_from_row(row_text, &em), LT_OK);
    assert_int_equal(em.demands_approved, 1);
    assert_int_equal(lt_fold_employer_approved(&em, "QD-7"), 1);
    f.n_alerts = before;
    assert_int_equal(lt_fold_stored_employer_alert(&f, &em, DAY(2026, 6, 1)), 0);
    assert_int_equal(lt_fold_stored_employer_from_row("not json", &em), LT_ERR_INVALID);
    /* Bytes that are not a SignedEvent: refused, nothing kept. */
    bufs[1][0] ^= 0xff;
    assert_int_equal(lt_fold_stored_signed((const uint8_t *const *)bufs, lens, 2,
                                           DAY(2026, 6, 1), NULL, &f, err, sizeof err),
                     LT_ERR_INVALID);
    assert_int_equal(f.ok, 0);
    assert_null(f.row_text);
    assert_int_equal(lt_fold_stored_employer_alert(&f, NULL, DAY(2026, 6, 1)), 0);
    lt_fold_stored_clear(&f);
    lt_fold_stored_clear(NULL);
    for (int i = 0; i < 5; i++)
        free(bufs[i]);
    free(want);
    lt_fold_result_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_foreign_life, teardown),
        cmocka_unit_test_teardown(test_any_arrival_order, teardown),
        cmocka_unit_test_teardown(test_revocation_before_permit, teardown),
        cmocka_unit_test_teardown(test_alert_present_revoked, teardown),
        cmocka_unit_test_teardown(test_alert_present_expired, teardown),
        cmocka_unit_test_teardown(test_alert_labour_visa_no_permit, teardown),
        cmocka_unit_test_teardown(test_alert_extensions, teardown),
        cmocka_unit_test_teardown(test_outbound_life, teardown),
        cmocka_unit_test_teardown(test_alert_departed_without_contract, teardown),
        cmocka_unit_test_teardown(test_alert_no_return, teardown),
        cmocka_unit_test_teardown(test_employer, teardown),
        cmocka_unit_test_teardown(test_area_resolution, teardown),
        cmocka_unit_test_teardown(test_refusals, teardown),
        cmocka_unit_test_teardown(test_stored, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
