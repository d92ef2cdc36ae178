/* test_validate — one valid event of every body type passes clean; every
 * violation code is produced at least once, at its JSON path; the legal
 * boundaries (rule-set switch 2025-08-06/07, the 2-year limit, the extension
 * window at 4/5/45/46 days, the district reform) fall on the right day; the
 * history API, rendering and the storage cap behave.
 *
 * Events are built in one static fixture from the generated protobuf-c
 * structs (no encoding needed: the validator reads decoded events). */
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
#include "core/uuid.h"
#include "event/validate.h"

#define S(x) ((char *)(x))
#define RS152 LIENTHONG__V1__RULE_SET__RULE_SET_DECREE_152_2020
#define RS219 LIENTHONG__V1__RULE_SET__RULE_SET_DECREE_219_2025
#define RS69 LIENTHONG__V1__RULE_SET__RULE_SET_LAW_69_2020_DECREE_112_2021
#define HOUR INT64_C(3600000)

/* Everything one event needs, reset by header(). */
static struct fx {
    Lienthong__V1__Event ev;
    Lienthong__V1__Header h;
    Lienthong__V1__Subject subj;
    Lienthong__V1__Foreigner fo, worker;
    uint8_t id[16], prev[32];
    Lienthong__V1__PersonDetails person;
    Lienthong__V1__AdminArea area, area2;
    Lienthong__V1__Address addr, workplace;
    Lienthong__V1__Address *workplaces[1];
    Lienthong__V1__PermitTerms terms;
    Lienthong__V1__DemandPosition pos[40];
    Lienthong__V1__DemandPosition *posp[40];
    Lienthong__V1__CurrencyAmount salary;
    char from[LT_DATE_STRLEN + 1], until[LT_DATE_STRLEN + 1];
    char *sectors[2];
    char *countries[2];
    Lienthong__V1__PriorityGroup groups[2];
    Lienthong__V1__Sanction sanctions[2];
    Lienthong__V1__ReemploymentSupportKind kinds[2];
    ProtobufCMessageUnknownField unknown;
    Lienthong__V1__EmployerRegistered employer;
    Lienthong__V1__LabourDemandDeclared declared;
    Lienthong__V1__LabourDemandApproved approved;
    Lienthong__V1__LabourDemandRejected rejected;
    Lienthong__V1__WorkPermitIssued issued;
    Lienthong__V1__WorkPermitReissued reissued;
    Lienthong__V1__WorkPermitExtended extended;
    Lienthong__V1__WorkPermitRevoked revoked;
    Lienthong__V1__WorkPermitExemptionCertified certified;
    Lienthong__V1__WorkPermitExemptionReported reported;
    Lienthong__V1__Entry entry;
    Lienthong__V1__Exit exit_;
    Lienthong__V1__ResidenceRegistered residence;
    Lienthong__V1__ResidenceCardIssued card;
    Lienthong__V1__ViolationRecorded violation;
    Lienthong__V1__OutboundRegistered outbound;
    Lienthong__V1__CitizenIdentityVerified verified;
    Lienthong__V1__TrainingCompleted training;
    Lienthong__V1__ContractRegistered contract;
    Lienthong__V1__LoanDisbursed loan;
    Lienthong__V1__LoanRepaid repaid;
    Lienthong__V1__SupportPaid support;
    Lienthong__V1__Departure departure;
    Lienthong__V1__Return ret;
    Lienthong__V1__ContractEnded ended;
    Lienthong__V1__CitizenProtectionCase protection;
    Lienthong__V1__ReemploymentSupported reemployment;
} X;

static struct lt_validate_result R;
static unsigned char seen[LT_V_CODE_COUNT];

static int32_t D(const char *s)
{
    int32_t d = LT_DATE_NONE;
    assert_int_equal(lt_date_parse(s, &d, NULL, 0), LT_OK);
    return d;
}

/* 09:00 Vietnam time on a date. */
static int64_t at(const char *date)
{
    return lt_date_vn_midnight_ms(D(date)) + 9 * HOUR;
}

/* Moves the event to an exact instant (recorded an hour later). */
static void occurred(int64_t ms)
{
    X.h.occurred_at_ms = ms;
    X.h.recorded_at_ms = ms + HOUR;
}

static void header(const char *date, Lienthong__V1__RuleSet rs)
{
    memset(&X, 0, sizeof X);
    lienthong__v1__event__init(&X.ev);
    lienthong__v1__header__init(&X.h);
    lienthong__v1__subject__init(&X.subj);
    lienthong__v1__foreigner__init(&X.fo);
    const uint8_t rnd[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    occurred(at(date));
    lt_uuid7_from(X.id, X.h.recorded_at_ms, 0, rnd);
    memset(X.prev, 0x11, sizeof X.prev);
    X.h.event_id = (ProtobufCBinaryData){ sizeof X.id, X.id };
    X.h.agency_code = S("sldtbxh-52");
    X.h.sequence = 2;
    X.h.prev_hash = (ProtobufCBinaryData){ sizeof X.prev, X.prev };
    X.h.subject = &X.subj;
    X.h.rule_set = rs;
    X.h.schema_version = 1;
    X.ev.header = &X.h;
}

static void foreigner(void)
{
    X.fo.nationality = S("JPN");
    X.fo.passport_number = S("TK1234567");
    X.subj.kind_case = LIENTHONG__V1__SUBJECT__KIND_FOREIGNER;
    X.subj.foreigner = &X.fo;
}

static void citizen(const char *id)
{
    X.subj.kind_case = LIENTHONG__V1__SUBJECT__KIND_CITIZEN_ID;
    X.subj.citizen_id = S(id);
}

static void enterprise(const char *code)
{
    X.subj.kind_case = LIENTHONG__V1__SUBJECT__KIND_ENTERPRISE_CODE;
    X.subj.enterprise_code = S(code);
}

static int before_reform(void)
{
    return lt_date_vn_from_unix_ms(X.h.occurred_at_ms) < D("2025-07-01");
}

/* An area as the event's date wants it: a district before the reform only. */
static Lienthong__V1__AdminArea *area(Lienthong__V1__AdminArea *a, int commune)
{
    lienthong__v1__admin_area__init(a);
    a->province_code = S("52");
    a->district_code = S(before_reform() ? "540" : "");
    a->commune_code = S(commune ? "21550" : "");
    return a;
}

static void person(const char *name, const char *birth, Lienthong__V1__Sex sex)
{
    lienthong__v1__person_details__init(&X.person);
    X.person.full_name = S(name);
    X.person.birth_date = S(birth);
    X.person.sex = sex;
}

/* Permit terms valid from `from` for exactly `years` (the longest allowed). */
static Lienthong__V1__PermitTerms *terms(const char *from, int years)
{
    lienthong__v1__permit_terms__init(&X.terms);
    person("TANAKA HIROSHI", "1980-04-01", LIENTHONG__V1__SEX__SEX_MALE);
    snprintf(X.from, sizeof X.from, "%s", from);
    lt_date_format(lt_date_period_end(D(from), years), X.until);
    lienthong__v1__address__init(&X.workplace);
    X.workplace.line = S("Lô A2, KCN Phú Tài");
    X.workplace.area = area(&X.area2, 1);
    X.workplaces[0] = &X.workplace;
    X.terms.employer_enterprise_code = S("4100123456");
    X.terms.person = &X.person;
    X.terms.job_title = S("Kỹ sư điện");
    X.terms.category = LIENTHONG__V1__WORK_CATEGORY__WORK_CATEGORY_EXPERT;
    X.terms.work_form = LIENTHONG__V1__WORK_FORM__WORK_FORM_LABOUR_CONTRACT;
    X.terms.occupation_code = S("2151");
    X.terms.work_area = area(&X.area, 0);
    X.terms.n_workplaces = 1;
    X.terms.workplaces = X.workplaces;
    X.terms.valid_from = X.from;
    X.terms.valid_until = X.until;
    return &X.terms;
}

/* ---- one builder per body: each makes a valid event ---------------------- */

static void permit_issued(const char *date, Lienthong__V1__RuleSet rs)
{
    header(date, rs);
    foreigner();
    lienthong__v1__work_permit_issued__init(&X.issued);
    X.issued.permit_no = S("GP-52-2024-0001");
    X.issued.terms = terms(date, 2);
    X.issued.demand_id = S("NC-2024-17");
    X.issued.demand_decision_no = S(rs == RS152 ? "123/SLĐTBXH-VL" : "");
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_WORK_PERMIT_ISSUED;
    X.ev.work_permit_issued = &X.issued;
}

static void permit_reissued(void)
{
    header("2025-10-02", RS219);
    foreigner();
    lienthong__v1__work_permit_reissued__init(&X.reissued);
    X.reissued.permit_no = S("GP-52-2025-0101");
    X.reissued.previous_permit_no = S("GP-52-2024-0001");
    X.reissued.reason =
        LIENTHONG__V1__PERMIT_REISSUE_REASON__PERMIT_REISSUE_REASON_PASSPORT_CHANGED;
    X.reissued.terms = terms("2025-10-02", 1);
    X.reissued.previous_passport_number = S("TZ7654321");
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_WORK_PERMIT_REISSUED;
    X.ev.work_permit_reissued = &X.reissued;
}

static void permit_extended(const char *date, Lienthong__V1__RuleSet rs, const char *app,
                            const char *old_until, const char *new_until)
{
    header(date, rs);
    foreigner();
    lienthong__v1__work_permit_extended__init(&X.extended);
    X.extended.permit_no = S("GP-52-2023-0042");
    X.extended.application_date = S(app);
    X.extended.previous_valid_until = S(old_until);
    X.extended.valid_until = S(new_until);
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_WORK_PERMIT_EXTENDED;
    X.ev.work_permit_extended = &X.extended;
}

static void permit_revoked(const char *date, Lienthong__V1__RuleSet rs)
{
    header(date, rs);
    foreigner();
    lienthong__v1__work_permit_revoked__init(&X.revoked);
    X.revoked.permit_no = S("GP-52-2024-0001");
    X.revoked.reason =
        LIENTHONG__V1__PERMIT_REVOCATION_REASON__PERMIT_REVOCATION_REASON_LABOUR_CONTRACT_TERMINATED;
    X.revoked.decision_no = S("45/QĐ-SLĐTBXH");
    X.revoked.effective_date = S(date);
    X.revoked.permit_recovered = 1;
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_WORK_PERMIT_REVOKED;
    X.ev.work_permit_revoked = &X.revoked;
}

static void exemption_certified(void)
{
    header("2024-03-12", RS152);
    foreigner();
    lienthong__v1__work_permit_exemption_certified__init(&X.certified);
    X.certified.certificate_no = S("XN-52-2024-007");
    X.certified.ground = LIENTHONG__V1__EXEMPTION_GROUND__EXEMPTION_GROUND_CAPITAL_CONTRIBUTOR;
    X.certified.terms = terms("2024-03-15", 2);
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_WORK_PERMIT_EXEMPTION_CERTIFIED;
    X.ev.work_permit_exemption_certified = &X.certified;
}

static void exemption_reported(void)
{
    header("2025-09-01", RS219);
    foreigner();
    lienthong__v1__work_permit_exemption_reported__init(&X.reported);
    X.reported.report_ref = S("TB-2025-88");
    X.reported.ground = LIENTHONG__V1__EXEMPTION_GROUND__EXEMPTION_GROUND_OTHER;
    X.reported.legal_basis = S("NĐ 219/2025 Đ7 k3");
    X.reported.terms = terms("2025-09-05", 3); /* no length limit on a report */
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_WORK_PERMIT_EXEMPTION_REPORTED;
    X.ev.work_permit_exemption_reported = &X.reported;
}

static void entry(void)
{
    header("2024-05-20", RS152);
    foreigner();
    lienthong__v1__entry__init(&X.entry);
    X.entry.border_gate_code = S("SBQT-CAMRANH");
    X.entry.visa_purpose = LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_LD2;
    X.entry.visa_no = S("LD2-123456");
    X.entry.visa_valid_until = S("2026-05-14");
    X.entry.permitted_stay_until = S("2026-05-14");
    X.entry.sponsor_enterprise_code = S("4100123456");
    person("TANAKA HIROSHI", "1980", LIENTHONG__V1__SEX__SEX_UNSTATED); /* partial date, X */
    X.entry.person = &X.person;
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_ENTRY;
    X.ev.entry = &X.entry;
}

static void exit_(void)
{
    header("2025-12-24", RS219);
    foreigner();
    lienthong__v1__exit__init(&X.exit_);
    X.exit_.border_gate_code = S("SBQT-NOIBAI");
    X.exit_.visa_purpose = LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_LD2;
    X.exit_.destination_country = S("JPN");
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_EXIT;
    X.ev.exit = &X.exit_;
}

static void residence_registered(void)
{
    header("2024-05-21", RS152);
    foreigner();
    lienthong__v1__residence_registered__init(&X.residence);
    lienthong__v1__address__init(&X.addr);
    X.addr.line = S("12 Nguyễn Huệ");
    X.addr.area = area(&X.area, 1);
    X.residence.address = &X.addr;
    X.residence.accommodation_name = S("Khách sạn Hải Âu");
    X.residence.valid_from = S("2024-05-21");
    X.residence.valid_until = S("2024-06-20");
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_RESIDENCE_REGISTERED;
    X.ev.residence_registered = &X.residence;
}

static void residence_card(Lienthong__V1__VisaPurpose purpose, const char *from, int years)
{
    header("2024-06-01", RS152);
    foreigner();
    lienthong__v1__residence_card_issued__init(&X.card);
    X.card.card_no = S("TT-0012345");
    X.card.card_purpose = purpose;
    X.card.sponsor_enterprise_code = S("4100123456");
    snprintf(X.from, sizeof X.from, "%s", from);
    lt_date_format(lt_date_period_end(D(from), years), X.until);
    X.card.valid_from = X.from;
    X.card.valid_until = X.until;
    X.card.permit_no = S("GP-52-2024-0001");
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_RESIDENCE_CARD_ISSUED;
    X.ev.residence_card_issued = &X.card;
}

static void violation(void)
{
    header("2025-03-03", RS152);
    enterprise("4100123456");
    lienthong__v1__violation_recorded__init(&X.violation);
    lienthong__v1__foreigner__init(&X.worker);
    X.violation.violation_type =
        LIENTHONG__V1__VIOLATION_TYPE__VIOLATION_TYPE_EMPLOYER_UNPERMITTED_WORKER;
    X.violation.decision_no = S("12/QĐ-XPVPHC");
    X.sanctions[0] = LIENTHONG__V1__SANCTION__SANCTION_FINE;
    X.sanctions[1] = LIENTHONG__V1__SANCTION__SANCTION_REMEDIAL_MEASURE;
    X.violation.n_sanctions = 2;
    X.violation.sanctions = X.sanctions;
    X.violation.fine_vnd = 45000000;
    X.worker.nationality = S("CHN");
    X.worker.passport_number = S("E12345678");
    X.violation.foreign_worker = &X.worker;
    X.violation.area = area(&X.area, 0);
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_VIOLATION_RECORDED;
    X.ev.violation_recorded = &X.violation;
}

static void employer_registered(void)
{
    header("2024-01-15", RS152);
    enterprise("4100123456");
    lienthong__v1__employer_registered__init(&X.employer);
    X.employer.name = S("Công ty TNHH Điện tử Phú Tài");
    X.employer.foreign_name = S("Phu Tai Electronics Co., Ltd.");
    lienthong__v1__address__init(&X.addr);
    X.addr.line = S("Lô A2, KCN Phú Tài");
    X.addr.area = area(&X.area, 1);
    X.employer.head_office = &X.addr;
    X.employer.main_sector_code = S("26100");
    X.sectors[0] = S("4652");
    X.employer.n_other_sector_codes = 1;
    X.employer.other_sector_codes = X.sectors;
    X.employer.foreign_invested = 1;
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_EMPLOYER_REGISTERED;
    X.ev.employer_registered = &X.employer;
}

static void positions(size_t n)
{
    for (size_t i = 0; i < n; i++) {
        Lienthong__V1__DemandPosition *p = &X.pos[i];
        lienthong__v1__demand_position__init(p);
        p->job_title = S("Kỹ sư điện");
        p->category = LIENTHONG__V1__WORK_CATEGORY__WORK_CATEGORY_EXPERT;
        p->work_form = LIENTHONG__V1__WORK_FORM__WORK_FORM_LABOUR_CONTRACT;
        p->count = 2;
        p->start_date = S("2024-05-01");
        p->end_date = S("2026-04-30");
        p->work_area = area(&X.area, 0);
        X.posp[i] = p;
    }
}

static void demand_declared(size_t n)
{
    header("2024-02-01", RS152);
    enterprise("4100123456");
    lienthong__v1__labour_demand_declared__init(&X.declared);
    X.declared.demand_id = S("NC-2024-17");
    positions(n);
    X.declared.n_positions = n;
    X.declared.positions = X.posp;
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_LABOUR_DEMAND_DECLARED;
    X.ev.labour_demand_declared = &X.declared;
}

static void demand_approved(void)
{
    header("2024-02-20", RS152);
    enterprise("4100123456");
    lienthong__v1__labour_demand_approved__init(&X.approved);
    X.approved.demand_id = S("NC-2024-17");
    X.approved.decision_no = S("123/SLĐTBXH-VL");
    positions(1);
    X.approved.n_positions = 1;
    X.approved.positions = X.posp;
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_LABOUR_DEMAND_APPROVED;
    X.ev.labour_demand_approved = &X.approved;
}

static void demand_rejected(void)
{
    header("2024-02-20", RS152);
    enterprise("4100123456");
    lienthong__v1__labour_demand_rejected__init(&X.rejected);
    X.rejected.demand_id = S("NC-2024-18");
    X.rejected.reason = S("Vị trí có thể tuyển lao động Việt Nam.");
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_LABOUR_DEMAND_REJECTED;
    X.ev.labour_demand_rejected = &X.rejected;
}

/* 052 Bình Định, digit 2 = male born 2000-2099, 03 = 2003. */
#define CITIZEN_ID "052203012345"

static void outbound_registered(void)
{
    header("2024-09-10", RS69);
    citizen(CITIZEN_ID);
    lienthong__v1__outbound_registered__init(&X.outbound);
    person("Nguyễn Văn Đức", "2003-05-20", LIENTHONG__V1__SEX__SEX_MALE);
    X.outbound.person = &X.person;
    X.outbound.residence_area = area(&X.area, 1);
    X.groups[0] = LIENTHONG__V1__PRIORITY_GROUP__PRIORITY_GROUP_ETHNIC_MINORITY;
    X.groups[1] = LIENTHONG__V1__PRIORITY_GROUP__PRIORITY_GROUP_POOR_HOUSEHOLD;
    X.outbound.n_priority_groups = 2;
    X.outbound.priority_groups = X.groups;
    X.countries[0] = S("JPN");
    X.countries[1] = S("KOR");
    X.outbound.n_wanted_countries = 2;
    X.outbound.wanted_countries = X.countries;
    X.outbound.wanted_form = LIENTHONG__V1__OUTBOUND_FORM__OUTBOUND_FORM_SERVICE_ENTERPRISE;
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_OUTBOUND_REGISTERED;
    X.ev.outbound_registered = &X.outbound;
}

static void identity_verified(void)
{
    header("2024-09-11", RS69);
    citizen(CITIZEN_ID);
    lienthong__v1__citizen_identity_verified__init(&X.verified);
    X.verified.result = LIENTHONG__V1__IDENTITY_CHECK_RESULT__IDENTITY_CHECK_RESULT_MATCH;
    X.verified.full_name_check = LIENTHONG__V1__FIELD_CHECK__FIELD_CHECK_MATCH;
    X.verified.birth_date_check = LIENTHONG__V1__FIELD_CHECK__FIELD_CHECK_MATCH;
    X.verified.sex_check = LIENTHONG__V1__FIELD_CHECK__FIELD_CHECK_NOT_CHECKED;
    X.verified.requested_by_agency_code = S("huyen-tuyphuoc");
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_CITIZEN_IDENTITY_VERIFIED;
    X.ev.citizen_identity_verified = &X.verified;
}

static void training(void)
{
    header("2024-12-20", RS69);
    citizen(CITIZEN_ID);
    lienthong__v1__training_completed__init(&X.training);
    X.training.kind = LIENTHONG__V1__TRAINING_KIND__TRAINING_KIND_FOREIGN_LANGUAGE;
    X.training.course_name = S("Tiếng Nhật sơ cấp N4");
    X.training.start_date = S("2024-09-16");
    X.training.hours = 480;
    X.training.language = S("ja");
    X.training.language_test = LIENTHONG__V1__LANGUAGE_TEST__LANGUAGE_TEST_JLPT;
    X.training.language_level = S("N4");
    X.training.destination_country = S("JPN");
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_TRAINING_COMPLETED;
    X.ev.training_completed = &X.training;
}

static void contract(void)
{
    header("2025-01-15", RS69);
    citizen(CITIZEN_ID);
    lienthong__v1__contract_registered__init(&X.contract);
    lienthong__v1__currency_amount__init(&X.salary);
    X.contract.contract_no = S("HĐ-2025-0031");
    X.contract.form = LIENTHONG__V1__OUTBOUND_FORM__OUTBOUND_FORM_SERVICE_ENTERPRISE;
    X.contract.service_enterprise_code = S("0101234567");
    X.contract.service_licence_no = S("123/LĐTBXH-GP");
    X.contract.destination_country = S("JPN");
    X.contract.foreign_employer_name = S("Kabushiki Kaisha Yamada Seiko");
    X.contract.job_title = S("Thực tập sinh cơ khí");
    X.contract.occupation_code = S("7223");
    X.contract.scheme = S("TITP");
    X.contract.start_date = S("2025-04-01");
    X.contract.duration_months = 36;
    X.salary.currency = S("JPY");
    X.salary.amount_minor = 180000;
    X.contract.monthly_salary = &X.salary;
    X.contract.service_fee_vnd = 30000000;
    X.contract.deposit_vnd = 20000000;
    X.contract.deposit_bank = S("VietinBank Quy Nhơn");
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_CONTRACT_REGISTERED;
    X.ev.contract_registered = &X.contract;
}

static void loan_disbursed(void)
{
    header("2025-02-10", RS69);
    citizen(CITIZEN_ID);
    lienthong__v1__loan_disbursed__init(&X.loan);
    X.loan.loan_no = S("NHCSXH-52-0001");
    X.loan.programme = LIENTHONG__V1__LOAN_PROGRAMME__LOAN_PROGRAMME_EMPLOYMENT_FUND;
    X.loan.amount_vnd = 100000000;
    X.loan.term_months = 36;
    X.loan.monthly_interest_rate_bp = 55;
    X.loan.maturity_date = S("2028-02-10");
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_LOAN_DISBURSED;
    X.ev.loan_disbursed = &X.loan;
}

static void loan_repaid(void)
{
    header("2025-08-10", RS69);
    citizen(CITIZEN_ID);
    lienthong__v1__loan_repaid__init(&X.repaid);
    X.repaid.loan_no = S("NHCSXH-52-0001");
    X.repaid.principal_vnd = 5000000;
    X.repaid.interest_vnd = 550000;
    X.repaid.outstanding_principal_vnd = 95000000;
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_LOAN_REPAID;
    X.ev.loan_repaid = &X.repaid;
}

static void support_paid(void)
{
    header("2025-02-01", RS69);
    citizen(CITIZEN_ID);
    lienthong__v1__support_paid__init(&X.support);
    X.support.programme = LIENTHONG__V1__SUPPORT_PROGRAMME__SUPPORT_PROGRAMME_OTHER;
    X.support.programme_note = S("Nghị quyết HĐND tỉnh 05/2023");
    X.support.kind = LIENTHONG__V1__SUPPORT_KIND__SUPPORT_KIND_LANGUAGE_TRAINING;
    X.support.amount_vnd = 3000000;
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_SUPPORT_PAID;
    X.ev.support_paid = &X.support;
}

static void departure(void)
{
    header("2025-03-28", RS69);
    citizen(CITIZEN_ID);
    lienthong__v1__departure__init(&X.departure);
    X.departure.border_gate_code = S("SBQT-NOIBAI");
    X.departure.destination_country = S("JPN");
    X.departure.contract_no = S("HĐ-2025-0031");
    X.departure.service_enterprise_code = S("0101234567");
    X.departure.passport_number = S("C1234567");
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_DEPARTURE;
    X.ev.departure = &X.departure;
}

static void return_home(void)
{
    header("2028-04-02", RS69);
    citizen(CITIZEN_ID);
    lienthong__v1__return__init(&X.ret);
    X.ret.border_gate_code = S("SBQT-TANSONNHAT");
    X.ret.from_country = S("JPN");
    X.ret.passport_number = S("C1234567");
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_RETURN_HOME;
    X.ev.return_home = &X.ret;
}

static void contract_ended(void)
{
    header("2028-03-31", RS69);
    citizen(CITIZEN_ID);
    lienthong__v1__contract_ended__init(&X.ended);
    X.ended.contract_no = S("HĐ-2025-0031");
    X.ended.reason = LIENTHONG__V1__CONTRACT_END_REASON__CONTRACT_END_REASON_COMPLETED;
    X.ended.liquidation_date = S("2028-04-15");
    X.ended.deposit_refunded_vnd = 20000000;
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_CONTRACT_ENDED;
    X.ev.contract_ended = &X.ended;
}

static void protection_case(void)
{
    header("2026-06-01", RS69);
    citizen(CITIZEN_ID);
    lienthong__v1__citizen_protection_case__init(&X.protection);
    X.protection.case_no = S("BHCD-2026-014");
    X.protection.country = S("JPN");
    X.protection.incident_type =
        LIENTHONG__V1__PROTECTION_CASE_TYPE__PROTECTION_CASE_TYPE_UNPAID_WAGES;
    X.protection.status = LIENTHONG__V1__PROTECTION_CASE_STATUS__PROTECTION_CASE_STATUS_OPENED;
    X.protection.mission = S("Đại sứ quán Việt Nam tại Nhật Bản");
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_CITIZEN_PROTECTION_CASE;
    X.ev.citizen_protection_case = &X.protection;
}

static void reemployment(void)
{
    header("2028-06-01", RS69);
    citizen(CITIZEN_ID);
    lienthong__v1__reemployment_supported__init(&X.reemployment);
    X.reemployment.job_centre_code = S("TTDVVL-52");
    X.kinds[0] = LIENTHONG__V1__REEMPLOYMENT_SUPPORT_KIND__REEMPLOYMENT_SUPPORT_KIND_COUNSELLING;
    X.kinds[1] = LIENTHONG__V1__REEMPLOYMENT_SUPPORT_KIND__REEMPLOYMENT_SUPPORT_KIND_JOB_REFERRAL;
    X.reemployment.n_kinds = 2;
    X.reemployment.kinds = X.kinds;
    X.reemployment.outcome = LIENTHONG__V1__REEMPLOYMENT_OUTCOME__REEMPLOYMENT_OUTCOME_EMPLOYED;
    X.reemployment.employer_enterprise_code = S("4100123456");
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY_REEMPLOYMENT_SUPPORTED;
    X.ev.reemployment_supported = &X.reemployment;
}

/* ---- running and expecting --------------------------------------------- */

static int run(void)
{
    return lt_validate_event(&X.ev, &R);
}

static void show(const struct lt_validate_result *r)
{
    char buf[8192];
    lt_validate_render(r, buf, sizeof buf);
    print_error("%s", buf);
}

static void expect_clean(void)
{
    int rc = run();
    if (R.count)
        show(&R);
    assert_int_equal(R.count, 0);
    assert_int_equal(rc, LT_OK);
    assert_int_equal(lt_validate_verdict(&R), LT_VALIDATE_ACCEPT);
}

/* The finding `code` at `path` is in r (and is remembered for coverage). */
static void expect_in(const struct lt_validate_result *r, enum lt_violation_code code,
                      const char *path)
{
    if (!lt_validate_find(r, code, path)) {
        show(r);
        fail_msg("expected %s at \"%s\"", lt_validate_code_name(code), path);
    }
    const struct lt_violation *v = lt_validate_find(r, code, path);
    assert_true(strlen(v->message) > 10); /* a sentence, not a placeholder */
    seen[code] = 1;
}

/* Runs the current event and expects `code` at `path`, rejecting it. */
static void expect(enum lt_violation_code code, const char *path)
{
    int rc = run();
    expect_in(&R, code, path);
    if (!lt_validate_code_parks(code)) {
        assert_int_equal(rc, LT_ERR_INVALID);
        assert_int_equal(lt_validate_verdict(&R), LT_VALIDATE_REJECT);
    }
}

/* Runs the current event and expects exactly one finding. */
static void expect_only(enum lt_violation_code code, const char *path)
{
    expect(code, path);
    if (R.count != 1)
        show(&R);
    assert_int_equal(R.count, 1);
}

/* ---- tests ------------------------------------------------------------- */

static void valid_events_pass(void **s)
{
    (void)s;
    void (*const simple[])(void) = {
        permit_reissued, exemption_certified, exemption_reported, entry, exit_,
        residence_registered, violation, employer_registered, demand_approved, demand_rejected,
        outbound_registered, identity_verified, training, contract, loan_disbursed,
        loan_repaid, support_paid, departure, return_home, contract_ended, protection_case,
        reemployment,
    };
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++) {
        simple[i]();
        expect_clean();
    }
    permit_issued("2024-05-10", RS152);
    expect_clean();
    permit_issued("2025-09-10", RS219);
    expect_clean();
    permit_extended("2025-03-31", RS152, "2025-03-20", "2025-03-31", "2027-03-31");
    expect_clean();
    permit_revoked("2025-10-01", RS219);
    expect_clean();
    demand_declared(3);
    expect_clean();
    residence_card(LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_DT1, "2024-06-01", 10);
    expect_clean();
    residence_card(LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_LD2, "2024-06-01", 2);
    expect_clean();
    /* Sequence 1 with the zero hash; occurred exactly at the skew limit. */
    permit_issued("2024-05-10", RS152);
    X.h.sequence = 1;
    memset(X.prev, 0, sizeof X.prev);
    X.h.occurred_at_ms = X.h.recorded_at_ms + LT_VALIDATE_CLOCK_SKEW_MS;
    expect_clean();
    /* A schema_version newer than ours is not an error in itself. */
    X.h.schema_version = 7;
    expect_clean();
}

static void header_findings(void **s)
{
    (void)s;
    permit_issued("2024-05-10", RS152);
    X.ev.header = NULL;
    expect(LT_V_HEADER_MISSING, "header");

    permit_issued("2024-05-10", RS152);
    X.h.event_id.len = 15;
    expect_only(LT_V_EVENT_ID_LENGTH, "header.eventId");
    X.h.event_id.len = 0;
    expect_only(LT_V_EVENT_ID_LENGTH, "header.eventId");

    permit_issued("2024-05-10", RS152);
    X.id[6] = (uint8_t)(0x40 | (X.id[6] & 0x0F)); /* version 4 */
    expect_only(LT_V_EVENT_ID_NOT_UUID7, "header.eventId");

    permit_issued("2024-05-10", RS152);
    X.h.agency_code = S("sở lao động");
    expect_only(LT_V_AGENCY_CODE_FORMAT, "header.agencyCode");
    X.h.agency_code = S("");
    expect_only(LT_V_FIELD_MISSING, "header.agencyCode");

    permit_issued("2024-05-10", RS152);
    X.h.sequence = 0;
    expect_only(LT_V_SEQUENCE_ZERO, "header.sequence");

    permit_issued("2024-05-10", RS152);
    X.h.prev_hash.len = 31;
    expect_only(LT_V_PREV_HASH_LENGTH, "header.prevHash");

    permit_issued("2024-05-10", RS152);
    X.h.sequence = 1;
    expect_only(LT_V_PREV_HASH_NOT_ZERO, "header.prevHash");

    permit_issued("2024-05-10", RS152);
    memset(X.prev, 0, sizeof X.prev);
    expect_only(LT_V_PREV_HASH_ZERO, "header.prevHash");

    permit_issued("2024-05-10", RS152);
    X.h.occurred_at_ms = X.h.recorded_at_ms + LT_VALIDATE_CLOCK_SKEW_MS + 1;
    expect_only(LT_V_OCCURRED_AFTER_RECORDED, "header.occurredAtMs");

    permit_issued("2024-05-10", RS152);
    X.h.recorded_at_ms = 0;
    expect_only(LT_V_FIELD_MISSING, "header.recordedAtMs");

    permit_issued("2024-05-10", RS152);
    X.h.schema_version = 0;
    expect_only(LT_V_SCHEMA_VERSION_MISSING, "header.schemaVersion");
}

static void subject_findings(void **s)
{
    (void)s;
    permit_issued("2024-05-10", RS152);
    X.h.subject = NULL;
    expect_only(LT_V_SUBJECT_MISSING, "header.subject");
    X.h.subject = &X.subj;
    X.subj.kind_case = LIENTHONG__V1__SUBJECT__KIND__NOT_SET;
    expect_only(LT_V_SUBJECT_MISSING, "header.subject");

    permit_issued("2024-05-10", RS152);
    citizen(CITIZEN_ID);
    expect_only(LT_V_SUBJECT_KIND_MISMATCH, "header.subject");
    violation();
    citizen(CITIZEN_ID);
    expect_only(LT_V_SUBJECT_KIND_MISMATCH, "header.subject");
    assert_non_null(strstr(R.v[0].message, "about a foreigner or enterprise; this subject is a "
                                           "citizen."));

    permit_issued("2024-05-10", RS152);
    X.fo.nationality = S("jp");
    expect_only(LT_V_NATIONALITY_FORMAT, "header.subject.foreigner.nationality");
    X.fo.nationality = S("ZZZ");
    expect_only(LT_V_NATIONALITY_UNKNOWN, "header.subject.foreigner.nationality");
    X.fo.nationality = S("VNM");
    expect_only(LT_V_NATIONALITY_VNM, "header.subject.foreigner.nationality");
    X.fo.nationality = S("JPN");
    X.fo.passport_number = S("tk-1234567");
    expect_only(LT_V_PASSPORT_FORMAT, "header.subject.foreigner.passportNumber");
    X.fo.nationality = S("D"); /* both parts wrong: both reported */
    expect(LT_V_NATIONALITY_FORMAT, "header.subject.foreigner.nationality");
    expect(LT_V_PASSPORT_FORMAT, "header.subject.foreigner.passportNumber");
    assert_int_equal(R.count, 2);

    employer_registered();
    enterprise("41001234");
    expect_only(LT_V_ENTERPRISE_CODE_FORMAT, "header.subject.enterpriseCode");

    departure();
    citizen("05220301234");
    expect_only(LT_V_CITIZEN_ID_FORMAT, "header.subject.citizenId");
    citizen("003203012345");
    expect_only(LT_V_CITIZEN_ID_PROVINCE, "header.subject.citizenId");
}

/* The personal ID's digits 4-6 against the stated birth date and sex. */
static void personal_id_against_person(void **s)
{
    (void)s;
    outbound_registered();
    citizen("052003012345"); /* 0 = born 1900-1999 */
    expect_only(LT_V_CITIZEN_ID_CENTURY, "outboundRegistered.person.birthDate");
    citizen("052204012345"); /* 04 = 2004 */
    expect_only(LT_V_CITIZEN_ID_BIRTH_YEAR, "outboundRegistered.person.birthDate");
    citizen("052303012345"); /* 3 = female */
    expect_only(LT_V_CITIZEN_ID_SEX, "outboundRegistered.person.sex");
    citizen(CITIZEN_ID);
    X.person.sex = LIENTHONG__V1__SEX__SEX_UNSTATED;
    expect_only(LT_V_CITIZEN_SEX_UNSTATED, "outboundRegistered.person.sex");
    X.person.sex = LIENTHONG__V1__SEX__SEX_MALE;
    X.person.birth_date = S("2003-05");
    expect_only(LT_V_DATE_INVALID, "outboundRegistered.person.birthDate");
    X.person.birth_date = S("2025-05-20"); /* after the registration */
    citizen("052225012345");
    expect_only(LT_V_DATE_AFTER_EVENT, "outboundRegistered.person.birthDate");
}

static void rule_set_table(void **s)
{
    (void)s;
    const enum lt_programme IN = LT_PROGRAMME_INBOUND, OUT = LT_PROGRAMME_OUTBOUND;
    assert_int_equal(lt_validate_rule_set_for(D("2021-02-14"), IN), 0);
    assert_int_equal(lt_validate_rule_set_for(D("2021-02-15"), IN), RS152);
    assert_int_equal(lt_validate_rule_set_for(D("2025-08-06"), IN), RS152);
    assert_int_equal(lt_validate_rule_set_for(D("2025-08-07"), IN), RS219);
    assert_int_equal(lt_validate_rule_set_for(D("2099-01-01"), IN), RS219);
    assert_int_equal(lt_validate_rule_set_for(D("2021-12-31"), OUT), 0);
    assert_int_equal(lt_validate_rule_set_for(D("2022-01-01"), OUT), RS69);
    assert_int_equal(lt_validate_rule_set_for(D("2025-08-07"), OUT), RS69);
    assert_int_equal(lt_validate_rule_set_for(D("2025-08-07"), LT_PROGRAMME_NONE), 0);
    const struct lt_rule_set *a = lt_validate_rule_set(RS152), *b = lt_validate_rule_set(RS219);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->last_day + 1, b->first_day); /* no gap, no overlap */
    assert_int_equal(a->extension_window_min_days, 5);
    assert_int_equal(a->extension_window_max_days, 45);
    assert_int_equal(a->permit_max_years, 2);
    assert_string_equal(lt_validate_rule_set(RS69)->name, "law_69_2020_decree_112_2021");
    assert_null(lt_validate_rule_set(LIENTHONG__V1__RULE_SET__RULE_SET_UNSPECIFIED));
    assert_int_equal(lt_validate_programme_of(120), IN);
    assert_int_equal(lt_validate_programme_of(199), IN);
    assert_int_equal(lt_validate_programme_of(241), OUT);
    assert_int_equal(lt_validate_programme_of(0), LT_PROGRAMME_NONE);
    assert_int_equal(lt_validate_programme_of(300), LT_PROGRAMME_NONE);
}

/* 2025-08-06 is the last day of Decree 152, 2025-08-07 the first of 219, in
 * Vietnam time: the instant 2025-08-06T17:00:00Z is already the 7th. */
static void rule_set_boundary(void **s)
{
    (void)s;
    int64_t first219 = lt_date_vn_midnight_ms(D("2025-08-07"));
    /* A revocation (not a dossier decision: no transition allowance). */
    permit_revoked("2025-08-06", RS152);
    occurred(first219 - 1);
    expect_clean();
    X.h.rule_set = RS219;
    expect_only(LT_V_RULE_SET_MISMATCH, "header.ruleSet");
    occurred(first219);
    expect_clean();
    X.h.rule_set = RS152;
    expect_only(LT_V_RULE_SET_MISMATCH, "header.ruleSet");

    /* Rule set missing, unknown, of the other programme, none in force. */
    X.h.rule_set = 0;
    expect_only(LT_V_RULE_SET_MISSING, "header.ruleSet");
    X.h.rule_set = (Lienthong__V1__RuleSet)9;
    expect_only(LT_V_ENUM_UNKNOWN, "header.ruleSet");
    X.h.rule_set = RS69;
    expect_only(LT_V_RULE_SET_MISMATCH, "header.ruleSet");
    departure();
    X.h.rule_set = RS219;
    expect_only(LT_V_RULE_SET_MISMATCH, "header.ruleSet");
    permit_revoked("2021-02-14", RS152);
    expect_only(LT_V_RULE_SET_NONE_IN_FORCE, "header.ruleSet");
    permit_revoked("2021-02-15", RS152);
    expect_clean();
    departure();
    occurred(at("2021-12-31"));
    expect_only(LT_V_RULE_SET_NONE_IN_FORCE, "header.ruleSet");
}

/* A dossier decision may name Decree 152 for 90 days after it ended. */
static void rule_set_transition(void **s)
{
    (void)s;
    permit_issued("2025-08-07", RS152);
    expect_clean();
    permit_issued("2025-11-04", RS152);
    expect_clean();
    permit_issued("2025-11-05", RS152);
    expect_only(LT_V_RULE_SET_MISMATCH, "header.ruleSet");
    /* Filed before the switch: fine; filed after: not under 152. */
    permit_extended("2025-08-12", RS152, "2025-08-01", "2025-08-31", "2027-08-31");
    expect_clean();
    permit_extended("2025-08-12", RS152, "2025-08-07", "2025-09-06", "2027-09-06");
    expect_only(LT_V_RULE_SET_MISMATCH, "header.ruleSet");
    /* Decree 219 never reaches back before 2025-08-07. */
    permit_issued("2025-08-06", RS219);
    expect_only(LT_V_RULE_SET_MISMATCH, "header.ruleSet");
}

/* valid_until <= valid_from + 2 years - 1 day, both days inclusive. */
static void permit_two_years(void **s)
{
    (void)s;
    static const struct {
        const char *from, *last_ok, *first_bad;
    } cases[] = {
        { "2024-03-01", "2026-02-28", "2026-03-01" },
        { "2024-02-29", "2026-02-28", "2026-03-01" },
        { "2023-03-01", "2025-02-28", "2025-03-01" },
        { "2024-05-10", "2026-05-09", "2026-05-10" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        permit_issued("2024-05-10", RS152);
        X.terms.valid_from = S(cases[i].from);
        X.terms.valid_until = S(cases[i].last_ok);
        expect_clean();
        X.terms.valid_until = S(cases[i].first_bad);
        expect_only(LT_V_PERMIT_TOO_LONG, "workPermitIssued.terms.validUntil");
    }
    permit_issued("2025-09-10", RS219);
    X.terms.valid_until = S("2027-09-10");
    expect_only(LT_V_PERMIT_TOO_LONG, "workPermitIssued.terms.validUntil");
    permit_reissued();
    X.terms.valid_until = S("2027-10-02");
    expect(LT_V_PERMIT_TOO_LONG, "workPermitReissued.terms.validUntil");

    exemption_certified();
    X.terms.valid_until = S("2026-03-15");
    expect_only(LT_V_EXEMPTION_TOO_LONG, "workPermitExemptionCertified.terms.validUntil");
    X.terms.valid_until = S("2026-03-14");
    expect_clean();
}

/* Decree 152: 5 <= previous_valid_until - application_date <= 45. */
static void extension_window_152(void **s)
{
    (void)s;
    static const struct {
        const char *app;
        int ok;
    } cases[] = {
        { "2025-03-27", 0 }, /* 4 days left */
        { "2025-03-26", 1 }, /* 5 */
        { "2025-02-14", 1 }, /* 45 */
        { "2025-02-13", 0 }, /* 46 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        permit_extended("2025-03-31", RS152, cases[i].app, "2025-03-31", "2027-03-31");
        if (cases[i].ok)
            expect_clean();
        else
            expect_only(LT_V_EXTENSION_OUTSIDE_WINDOW, "workPermitExtended.applicationDate");
    }
}

/* Decree 219 (assumed 10-45 days, see validate.c). */
static void extension_window_219(void **s)
{
    (void)s;
    static const struct {
        const char *app;
        int ok;
    } cases[] = {
        { "2025-10-22", 0 }, /* 9 days left */
        { "2025-10-21", 1 }, /* 10 */
        { "2025-09-16", 1 }, /* 45 */
        { "2025-09-15", 0 }, /* 46 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        permit_extended("2025-10-31", RS219, cases[i].app, "2025-10-31", "2027-10-31");
        if (cases[i].ok)
            expect_clean();
        else
            expect_only(LT_V_EXTENSION_OUTSIDE_WINDOW, "workPermitExtended.applicationDate");
    }
}

static void extension_other_rules(void **s)
{
    (void)s;
    /* At most 2 more years, counted from the day after the old last day. */
    permit_extended("2025-03-31", RS152, "2025-03-20", "2025-03-31", "2027-04-01");
    expect_only(LT_V_EXTENSION_TOO_LONG, "workPermitExtended.validUntil");
    permit_extended("2024-02-28", RS152, "2024-02-20", "2024-02-29", "2026-02-28");
    expect_clean();
    permit_extended("2024-02-28", RS152, "2024-02-20", "2024-02-29", "2026-03-01");
    expect_only(LT_V_EXTENSION_TOO_LONG, "workPermitExtended.validUntil");
    permit_extended("2025-03-31", RS152, "2025-03-20", "2025-03-31", "2025-03-31");
    expect_only(LT_V_EXTENSION_NOT_LATER, "workPermitExtended.validUntil");
    /* Filed after expiry. */
    permit_extended("2025-04-10", RS152, "2025-04-01", "2025-03-31", "2027-03-31");
    expect_only(LT_V_EXTENSION_AFTER_EXPIRY, "workPermitExtended.applicationDate");
    /* Filed after the decision it led to. */
    permit_extended("2025-03-20", RS152, "2025-03-21", "2025-03-31", "2027-03-31");
    expect_only(LT_V_DATE_AFTER_EVENT, "workPermitExtended.applicationDate");
    /* Under 219 no demand decision number. */
    permit_extended("2025-10-31", RS219, "2025-10-01", "2025-10-31", "2027-10-31");
    X.extended.demand_decision_no = S("123/SLĐTBXH-VL");
    expect_only(LT_V_FIELD_NOT_APPLICABLE, "workPermitExtended.demandDecisionNo");
}

/* The consolidator's entry points for rules that need history. */
static void history_api(void **s)
{
    (void)s;
    struct lt_validate_result r;
    lt_validate_result_init(&r);
    int32_t old = D("2025-03-31");
    assert_int_equal(lt_validate_extension(0, old, D("2025-03-20"), D("2027-03-31"), RS152, &r),
                     LT_OK);
    assert_int_equal(r.count, 0);
    assert_int_equal(lt_validate_extension(1, old, D("2025-03-20"), D("2027-03-31"), RS152, &r),
                     LT_ERR_INVALID);
    expect_in(&r, LT_V_SECOND_EXTENSION, "workPermitExtended");
    assert_int_equal(r.count, 1);
    assert_int_equal(lt_validate_extension(0, old, D("2025-03-27"), D("2027-03-31"), RS219, &r),
                     LT_ERR_INVALID);
    expect_in(&r, LT_V_EXTENSION_OUTSIDE_WINDOW, "workPermitExtended.applicationDate");
    assert_int_equal(lt_validate_extension(0, old, D("2025-03-20"), D("2027-03-31"), RS69, &r),
                     LT_ERR_INVALID);
    expect_in(&r, LT_V_RULE_SET_MISSING, "header.ruleSet");

    lt_validate_result_init(&r);
    assert_int_equal(lt_validate_reissue(D("2026-05-14"), D("2026-05-14"), &r), LT_OK);
    assert_int_equal(lt_validate_reissue(D("2026-05-14"), D("2026-05-13"), &r), LT_OK);
    assert_int_equal(lt_validate_reissue(D("2026-05-14"), D("2026-05-15"), &r), LT_ERR_INVALID);
    expect_in(&r, LT_V_REISSUE_EXTENDS_VALIDITY, "workPermitReissued.terms.validUntil");

    struct lt_outbound_facts f = {
        .contract_registered = D("2025-01-15"),
        .contract_start_date = D("2025-04-01"),
        .departure = D("2025-03-28"),
        .return_home = D("2028-04-02"),
        .contract_ended = D("2028-03-31"),
    };
    lt_validate_result_init(&r);
    assert_int_equal(lt_validate_outbound_timeline(&f, &r), LT_OK);
    assert_int_equal(r.count, 0);
    f.departure = D("2025-01-14");
    assert_int_equal(lt_validate_outbound_timeline(&f, &r), LT_ERR_INVALID);
    expect_in(&r, LT_V_DEPARTURE_BEFORE_CONTRACT, "departure");
    f.departure = D("2028-04-01");
    assert_int_equal(lt_validate_outbound_timeline(&f, &r), LT_ERR_INVALID);
    expect_in(&r, LT_V_DEPARTURE_AFTER_CONTRACT_END, "departure");
    f.departure = D("2025-03-28");
    f.return_home = D("2025-03-27");
    assert_int_equal(lt_validate_outbound_timeline(&f, &r), LT_ERR_INVALID);
    expect_in(&r, LT_V_RETURN_BEFORE_DEPARTURE, "returnHome");
    f.return_home = LT_DATE_NONE; /* not back yet: nothing to compare */
    f.contract_ended = D("2025-03-31");
    lt_validate_result_init(&r);
    assert_int_equal(lt_validate_outbound_timeline(&f, &r), LT_ERR_INVALID);
    expect_in(&r, LT_V_CONTRACT_ENDED_BEFORE_START, "contractEnded");
    assert_int_equal(r.count, 1);
}

static void body_presence(void **s)
{
    (void)s;
    permit_issued("2024-05-10", RS152);
    X.ev.body_case = LIENTHONG__V1__EVENT__BODY__NOT_SET;
    X.ev.work_permit_issued = NULL;
    expect_only(LT_V_BODY_MISSING, "");

    /* A body case from a newer schema: parked, not rejected. */
    X.unknown.tag = 199;
    X.unknown.wire_type = PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED;
    X.ev.base.n_unknown_fields = 1;
    X.ev.base.unknown_fields = &X.unknown;
    assert_int_equal(run(), LT_OK);
    expect_in(&R, LT_V_BODY_CASE_UNKNOWN, "");
    assert_int_equal(R.count, 1);
    assert_int_equal(lt_validate_verdict(&R), LT_VALIDATE_PARK);
}

static void field_findings(void **s)
{
    (void)s;
    permit_issued("2024-05-10", RS152);
    X.issued.permit_no = S("");
    expect_only(LT_V_FIELD_MISSING, "workPermitIssued.permitNo");
    X.issued.permit_no = S("\xff");
    expect_only(LT_V_TEXT_INVALID_UTF8, "workPermitIssued.permitNo");
    X.issued.permit_no = S(" GP-52-2024-0001");
    expect_only(LT_V_TEXT_UNTRIMMED, "workPermitIssued.permitNo");
    X.issued.permit_no = S("GP-52-2024-0001");
    X.terms.job_title = S("Ky\xcc\x83 su\xcc\x9b \xc4\x91ie\xcc\xa3\xcc\x82n"); /* NFD */
    expect_only(LT_V_TEXT_NOT_NFC, "workPermitIssued.terms.jobTitle");

    permit_issued("2024-05-10", RS152);
    X.issued.terms = NULL;
    expect_only(LT_V_FIELD_MISSING, "workPermitIssued.terms");
    permit_issued("2024-05-10", RS152);
    X.issued.demand_decision_no = S("");
    expect_only(LT_V_FIELD_MISSING, "workPermitIssued.demandDecisionNo");
    permit_issued("2025-09-10", RS219);
    X.issued.demand_decision_no = S("123/SLĐTBXH-VL");
    expect_only(LT_V_FIELD_NOT_APPLICABLE, "workPermitIssued.demandDecisionNo");

    permit_issued("2024-05-10", RS152);
    X.terms.category = 0;
    expect_only(LT_V_ENUM_UNSPECIFIED, "workPermitIssued.terms.category");
    X.terms.category = (Lienthong__V1__WorkCategory)42;
    expect_only(LT_V_ENUM_UNKNOWN, "workPermitIssued.terms.category");
    /* The same value from a newer publisher parks the event. */
    X.h.schema_version = LT_VALIDATE_SCHEMA_VERSION + 1;
    assert_int_equal(run(), LT_OK);
    expect_in(&R, LT_V_ENUM_NEWER_SCHEMA, "workPermitIssued.terms.category");
    assert_int_equal(lt_validate_verdict(&R), LT_VALIDATE_PARK);

    permit_issued("2024-05-10", RS152);
    X.terms.valid_until = S("2026-02-30");
    expect_only(LT_V_DATE_INVALID, "workPermitIssued.terms.validUntil");
    X.terms.valid_until = S("14/05/2026");
    expect_only(LT_V_DATE_INVALID, "workPermitIssued.terms.validUntil");
    X.terms.valid_until = S("2024-05-09");
    expect_only(LT_V_DATE_RANGE_REVERSED, "workPermitIssued.terms.validUntil");

    permit_issued("2024-05-10", RS152);
    X.terms.occupation_code = S("21A1");
    expect_only(LT_V_OCCUPATION_CODE_FORMAT, "workPermitIssued.terms.occupationCode");
    X.terms.occupation_code = S("2151");
    X.terms.employer_enterprise_code = S("4100-123456");
    expect_only(LT_V_ENTERPRISE_CODE_FORMAT, "workPermitIssued.terms.employerEnterpriseCode");

    permit_reissued();
    X.reissued.reason = LIENTHONG__V1__PERMIT_REISSUE_REASON__PERMIT_REISSUE_REASON_LOST;
    expect_only(LT_V_FIELD_NOT_APPLICABLE, "workPermitReissued.previousPassportNumber");
    X.reissued.reason =
        LIENTHONG__V1__PERMIT_REISSUE_REASON__PERMIT_REISSUE_REASON_PASSPORT_CHANGED;
    X.reissued.previous_passport_number = S("");
    expect_only(LT_V_FIELD_MISSING, "workPermitReissued.previousPassportNumber");

    permit_revoked("2024-08-01", RS152);
    X.revoked.reason = 0;
    expect_only(LT_V_REVOCATION_REASON_MISSING, "workPermitRevoked.reason");
    X.revoked.reason = (Lienthong__V1__PermitRevocationReason)77;
    expect_only(LT_V_ENUM_UNKNOWN, "workPermitRevoked.reason");
}

/* Province 2, district 3, commune 5 digits; a district before 2025-07-01
 * where the body asks for one, and never from that day on. */
static void admin_areas(void **s)
{
    (void)s;
    permit_issued("2024-05-10", RS152);
    X.area.province_code = S("520");
    expect_only(LT_V_ADMIN_CODE_FORMAT, "workPermitIssued.terms.workArea.provinceCode");
    X.area.province_code = S("52");
    X.area.district_code = S("");
    expect_only(LT_V_DISTRICT_MISSING, "workPermitIssued.terms.workArea.districtCode");

    permit_issued("2025-06-30", RS152);
    expect_clean();
    X.area.district_code = S("");
    expect_only(LT_V_DISTRICT_MISSING, "workPermitIssued.terms.workArea.districtCode");
    permit_issued("2025-07-01", RS152);
    expect_clean();
    X.area.district_code = S("540");
    expect_only(LT_V_DISTRICT_AFTER_REFORM, "workPermitIssued.terms.workArea.districtCode");

    outbound_registered();
    X.area.commune_code = S("");
    expect_only(LT_V_FIELD_MISSING, "outboundRegistered.residenceArea.communeCode");
    X.area.commune_code = S("2155");
    expect_only(LT_V_ADMIN_CODE_FORMAT, "outboundRegistered.residenceArea.communeCode");
}

static void inbound_bodies(void **s)
{
    (void)s;
    entry();
    X.entry.permitted_stay_until = S("2024-05-19");
    expect_only(LT_V_DATE_BEFORE_EVENT, "entry.permittedStayUntil");
    entry();
    X.entry.visa_purpose = 0;
    expect_only(LT_V_ENUM_UNSPECIFIED, "entry.visaPurpose");

    exit_();
    X.exit_.destination_country = S("VNM");
    expect_only(LT_V_COUNTRY_VIETNAM, "exit.destinationCountry");

    residence_card(LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_LD2, "2024-06-01", 2);
    X.card.valid_until = S("2026-06-01");
    expect_only(LT_V_RESIDENCE_CARD_TOO_LONG, "residenceCardIssued.validUntil");
    residence_card(LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_DL, "2024-06-01", 1);
    expect_only(LT_V_RESIDENCE_CARD_PURPOSE, "residenceCardIssued.cardPurpose");
    residence_card(LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_DT4, "2024-06-01", 1);
    expect_only(LT_V_RESIDENCE_CARD_PURPOSE, "residenceCardIssued.cardPurpose");

    violation();
    X.violation.fine_vnd = 0;
    expect_only(LT_V_FINE_INCONSISTENT, "violationRecorded.fineVnd");
    X.violation.n_sanctions = 1;
    X.sanctions[0] = LIENTHONG__V1__SANCTION__SANCTION_WARNING;
    X.violation.fine_vnd = 1000000;
    expect_only(LT_V_FINE_INCONSISTENT, "violationRecorded.fineVnd");
    violation();
    X.violation.fine_vnd = -5;
    expect(LT_V_AMOUNT_NEGATIVE, "violationRecorded.fineVnd");
    violation();
    X.worker.nationality = S("VNM");
    expect_only(LT_V_NATIONALITY_VNM, "violationRecorded.foreignWorker.nationality");
    violation();
    foreigner(); /* a violation may be about a foreigner too */
    expect_clean();
    violation();
    X.violation.violation_type = LIENTHONG__V1__VIOLATION_TYPE__VIOLATION_TYPE_OTHER;
    expect_only(LT_V_FIELD_MISSING, "violationRecorded.legalBasis");

    employer_registered();
    X.employer.main_sector_code = S("26");
    expect_only(LT_V_SECTOR_CODE_FORMAT, "employerRegistered.mainSectorCode");
    employer_registered();
    X.sectors[0] = S("465200");
    expect_only(LT_V_SECTOR_CODE_FORMAT, "employerRegistered.otherSectorCodes[0]");

    demand_declared(2);
    X.pos[1].count = 0;
    expect_only(LT_V_FIELD_MISSING, "labourDemandDeclared.positions[1].count");
    demand_declared(0);
    expect_only(LT_V_FIELD_MISSING, "labourDemandDeclared.positions");

    exemption_reported();
    X.reported.legal_basis = S("");
    expect_only(LT_V_FIELD_MISSING, "workPermitExemptionReported.legalBasis");
}

static void outbound_bodies(void **s)
{
    (void)s;
    outbound_registered();
    X.groups[1] = X.groups[0];
    expect_only(LT_V_DUPLICATE_VALUE, "outboundRegistered.priorityGroups[1]");
    outbound_registered();
    X.countries[1] = S("KR");
    expect_only(LT_V_COUNTRY_INVALID, "outboundRegistered.wantedCountries[1]");

    identity_verified();
    X.verified.sex_check = LIENTHONG__V1__FIELD_CHECK__FIELD_CHECK_MISMATCH;
    expect_only(LT_V_IDENTITY_RESULT_INCONSISTENT, "citizenIdentityVerified.result");
    X.verified.result = LIENTHONG__V1__IDENTITY_CHECK_RESULT__IDENTITY_CHECK_RESULT_MISMATCH;
    expect_clean();
    X.verified.sex_check = LIENTHONG__V1__FIELD_CHECK__FIELD_CHECK_MATCH;
    expect_only(LT_V_IDENTITY_RESULT_INCONSISTENT, "citizenIdentityVerified.result");
    identity_verified();
    X.verified.requested_by_agency_code = S("huyện tuy phước");
    expect_only(LT_V_AGENCY_CODE_FORMAT, "citizenIdentityVerified.requestedByAgencyCode");

    training();
    X.training.language = S("jp");
    expect_only(LT_V_LANGUAGE_INVALID, "trainingCompleted.language");
    X.training.language = S("");
    expect_only(LT_V_FIELD_MISSING, "trainingCompleted.language");
    training();
    X.training.start_date = S("2024-12-21");
    expect_only(LT_V_DATE_AFTER_EVENT, "trainingCompleted.startDate");
    training();
    X.training.kind = LIENTHONG__V1__TRAINING_KIND__TRAINING_KIND_ORIENTATION;
    expect_only(LT_V_FIELD_MISSING, "trainingCompleted.certificateNo");

    contract();
    X.contract.destination_country = S("XYZ");
    expect_only(LT_V_COUNTRY_INVALID, "contractRegistered.destinationCountry");
    contract();
    X.salary.currency = S("YEN");
    expect_only(LT_V_CURRENCY_INVALID, "contractRegistered.monthlySalary.currency");
    contract();
    X.salary.amount_minor = 0;
    expect_only(LT_V_FIELD_MISSING, "contractRegistered.monthlySalary.amountMinor");
    contract();
    X.contract.service_fee_vnd = -1;
    expect_only(LT_V_AMOUNT_NEGATIVE, "contractRegistered.serviceFeeVnd");
    contract();
    X.contract.deposit_bank = S("");
    expect_only(LT_V_FIELD_MISSING, "contractRegistered.depositBank");
    contract();
    X.contract.service_licence_no = S("");
    expect_only(LT_V_FIELD_MISSING, "contractRegistered.serviceLicenceNo");
    X.contract.form = LIENTHONG__V1__OUTBOUND_FORM__OUTBOUND_FORM_INDIVIDUAL_CONTRACT;
    X.contract.service_enterprise_code = S("");
    expect_clean();

    loan_disbursed();
    X.loan.maturity_date = S("2025-02-09");
    expect_only(LT_V_DATE_BEFORE_EVENT, "loanDisbursed.maturityDate");
    loan_disbursed();
    X.loan.amount_vnd = 0;
    expect_only(LT_V_FIELD_MISSING, "loanDisbursed.amountVnd");
    loan_repaid();
    X.repaid.outstanding_principal_vnd = -1;
    expect_only(LT_V_AMOUNT_NEGATIVE, "loanRepaid.outstandingPrincipalVnd");
    support_paid();
    X.support.programme_note = S("");
    expect_only(LT_V_FIELD_MISSING, "supportPaid.programmeNote");

    departure();
    X.departure.destination_country = S("VNM");
    expect_only(LT_V_COUNTRY_VIETNAM, "departure.destinationCountry");
    departure();
    X.departure.passport_number = S("c1234567");
    expect_only(LT_V_PASSPORT_FORMAT, "departure.passportNumber");
    contract_ended();
    X.ended.liquidation_date = S("2028-03-30");
    expect_only(LT_V_DATE_BEFORE_EVENT, "contractEnded.liquidationDate");
    contract_ended();
    X.ended.reason = LIENTHONG__V1__CONTRACT_END_REASON__CONTRACT_END_REASON_EARLY_OTHER;
    expect_only(LT_V_FIELD_MISSING, "contractEnded.note");
    protection_case();
    X.protection.country = S("VNM");
    expect_only(LT_V_COUNTRY_VIETNAM, "citizenProtectionCase.country");
    reemployment();
    X.kinds[1] = (Lienthong__V1__ReemploymentSupportKind)0;
    expect_only(LT_V_ENUM_UNSPECIFIED, "reemploymentSupported.kinds[1]");
    reemployment();
    X.reemployment.n_kinds = 0;
    expect_only(LT_V_FIELD_MISSING, "reemploymentSupported.kinds");
}

static void render_and_cap(void **s)
{
    (void)s;
    /* 40 positions, each without a job title: more findings than stored. */
    demand_declared(40);
    for (int i = 0; i < 40; i++)
        X.pos[i].job_title = S("");
    assert_int_equal(run(), LT_ERR_INVALID);
    assert_int_equal(R.count, 40);
    assert_int_equal(R.rejects, 40);
    assert_int_equal(R.stored, LT_VALIDATE_MAX_STORED);
    expect_in(&R, LT_V_FIELD_MISSING, "labourDemandDeclared.positions[31].jobTitle");
    assert_null(lt_validate_find(&R, LT_V_FIELD_MISSING,
                                 "labourDemandDeclared.positions[32].jobTitle"));
    char buf[16384];
    size_t n = lt_validate_render(&R, buf, sizeof buf);
    assert_int_equal(n, strlen(buf));
    assert_non_null(strstr(buf, "field_missing labourDemandDeclared.positions[0].jobTitle: "));
    assert_non_null(strstr(buf, "... and 8 more\n"));
    /* Truncation reports the full length, like snprintf. */
    char small[16];
    assert_int_equal(lt_validate_render(&R, small, sizeof small), n);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_int_equal(lt_validate_render(&R, NULL, 0), n);

    json_t *j = lt_validate_result_json(&R);
    assert_string_equal(json_string_value(json_object_get(j, "verdict")), "reject");
    assert_int_equal(json_integer_value(json_object_get(j, "count")), 40);
    assert_int_equal(json_array_size(json_object_get(j, "violations")), LT_VALIDATE_MAX_STORED);
    json_t *first = json_array_get(json_object_get(j, "violations"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "code")), "field_missing");
    json_decref(j);

    permit_issued("2024-05-10", RS152);
    expect_clean();
    j = lt_validate_result_json(&R);
    assert_string_equal(json_string_value(json_object_get(j, "verdict")), "accept");
    json_decref(j);
    assert_int_equal(lt_validate_render(&R, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
}

/* Every code has a distinct snake_case name. */
static void code_names(void **s)
{
    (void)s;
    for (int i = 1; i < LT_V_CODE_COUNT; i++) {
        const char *name = lt_validate_code_name((enum lt_violation_code)i);
        assert_string_not_equal(name, "unknown");
        for (const char *p = name; *p; p++)
            assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_');
        for (int j = 1; j < i; j++)
            assert_string_not_equal(name, lt_validate_code_name((enum lt_violation_code)j));
    }
    assert_string_equal(lt_validate_code_name(LT_V_PERMIT_TOO_LONG), "permit_too_long");
    assert_string_equal(lt_validate_code_name(LT_V_EXTENSION_OUTSIDE_WINDOW),
                        "extension_outside_window");
    assert_string_equal(lt_validate_code_name(LT_V_SECOND_EXTENSION), "second_extension");
    assert_string_equal(lt_validate_code_name(LT_V_CODE_COUNT), "unknown");
    assert_true(lt_validate_code_parks(LT_V_BODY_CASE_UNKNOWN));
    assert_true(lt_validate_code_parks(LT_V_ENUM_NEWER_SCHEMA));
    assert_false(lt_validate_code_parks(LT_V_PERMIT_TOO_LONG));
}

/* Runs last: every code was produced by some test above. */
static void every_code_covered(void **s)
{
    (void)s;
    int missing = 0;
    for (int i = 1; i < LT_V_CODE_COUNT; i++)
        if (!seen[i]) {
            print_error("never produced: %s\n", lt_validate_code_name((enum lt_violation_code)i));
            missing++;
        }
    assert_int_equal(missing, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_events_pass),
        cmocka_unit_test(header_findings),
        cmocka_unit_test(subject_findings),
        cmocka_unit_test(personal_id_against_person),
        cmocka_unit_test(rule_set_table),
        cmocka_unit_test(rule_set_boundary),
        cmocka_unit_test(rule_set_transition),
        cmocka_unit_test(permit_two_years),
        cmocka_unit_test(extension_window_152),
        cmocka_unit_test(extension_window_219),
        cmocka_unit_test(extension_other_rules),
        cmocka_unit_test(history_api),
        cmocka_unit_test(body_presence),
        cmocka_unit_test(field_findings),
        cmocka_unit_test(admin_areas),
        cmocka_unit_test(inbound_bodies),
        cmocka_unit_test(outbound_bodies),
        cmocka_unit_test(render_and_cap),
        cmocka_unit_test(code_names),
        cmocka_unit_test(every_code_covered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
