/* fold.h — the deterministic fold of one subject's events into projection
 * rows and alerts, shared by the consolidator (live tables) and the audit
 * tool (re-fold of the whole history, diffed against those tables).
 *
 * Pure C: no database, no Kafka, no clock, no globals. The caller hands over
 * every admitted event of ONE subject (decoded, each with its 16-byte event
 * id), in any order, and a Vietnamese legal date "as of" which the state is
 * wanted. lt_fold_subject sorts a private copy of the pointers into the
 * canonical order
 *     (occurred_at_ms, type rank, agency_code, sequence, event_id)
 * drops repeated event ids and events that happened after the as-of date,
 * folds, then derives the alerts from the folded facts as of that date. So
 * the same set of events and the same as-of date give a byte-identical
 * result (every struct is zeroed first and strings are fixed, zero-padded
 * arrays), whatever the arrival order: an exit that arrives before its
 * entry, a revocation that arrives before its permit.
 *
 * The type rank orders events at the same instant: an employer before its
 * demand, a demand before its decision, a permit before its extension and
 * its revocation, an entry before an exit (same-instant entry+exit: not
 * present), a contract before the departure, a departure before a return.
 *
 * Rows map 1:1 to the future tables: one lt_fold_foreign_worker per
 * foreigner, one lt_fold_outbound_worker per citizen, one lt_fold_employer
 * per enterprise, and lt_fold_alert rows. Dates are day numbers
 * (core/date.h), LT_DATE_NONE when unknown; instants are Unix ms, 0 when
 * unknown; strings are "" when unknown. Enum-valued fields hold the
 * protobuf enum values. */
#ifndef LT_FOLD_FOLD_H
#define LT_FOLD_FOLD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "event/subject.h"
#include "lienthong/v1/event.pb-c.h"

/* Sizes of the fixed string fields (including the NUL). Longer values are
 * cut at a UTF-8 character boundary. */
#define LT_FOLD_CODE_MAX 72  /* codes, document numbers, agency codes */
#define LT_FOLD_TEXT_MAX 256 /* names */
#define LT_FOLD_MAX_ALERTS 16
#define LT_FOLD_ALERT_EVENTS 4
#define LT_FOLD_MAX_PRIORITY 12
#define LT_FOLD_MAX_DECISIONS 32

struct lt_units;

/* Tunable thresholds of the time-dependent alerts, and the administrative
 * units to resolve areas with. */
struct lt_fold_params {
    /* labour_visa_no_permit: days after an entry on a labour visa (LĐ1/LĐ2)
     * after which a foreigner still present with no permit ever valid (nor an
     * exemption) is alerted. Default 30. */
    int labour_visa_grace_days;
    /* no_return_after_contract_end: days after the contract ended while the
     * worker is still abroad. Default 90. */
    int no_return_grace_days;
    /* Administrative units (registry/units.h), borrowed; NULL: areas keep
     * the codes their events gave and are not resolved. */
    const struct lt_units *units;
};

/* One unit of a resolved area: its code and official name. "" when none. */
struct lt_fold_unit {
    char code[8];
    char name[LT_FOLD_TEXT_MAX];
};

/* An area given by codes on some day, resolved to the units that stand for
 * it on the as-of date (after the 2025 mergers: the new province and
 * commune; the district only while districts existed). */
struct lt_fold_area {
    int resolved; /* 1: at least the province is known */
    struct lt_fold_unit province, district, commune;
};

/* Fills *p with the defaults above. */
void lt_fold_params_default(struct lt_fold_params *p);

/* The state of a foreigner's current permit as of the as-of date. */
enum lt_fold_permit_state {
    LT_FOLD_PERMIT_NONE = 0, /* "none": no permit or exemption on record */
    LT_FOLD_PERMIT_PENDING,  /* "pending": issued, valid_from still ahead */
    LT_FOLD_PERMIT_VALID,    /* "valid" */
    LT_FOLD_PERMIT_EXPIRED,  /* "expired": as-of date after valid_until */
    LT_FOLD_PERMIT_REVOKED,  /* "revoked": revocation effective on or before as-of */
    LT_FOLD_PERMIT_EXEMPT,   /* "exempt": an exemption within its validity */
};

/* Stable lower-case name of a permit state ("valid", …). */
const char *lt_fold_permit_state_name(enum lt_fold_permit_state s);

/* One row per foreigner (canonical id NAT:PASSPORT). */
struct lt_fold_foreign_worker {
    char subject_id[LT_SUBJECT_ID_MAX]; /* "JPN:TK1234567" */
    char nationality[4];                /* ISO 3166-1 alpha-3 */
    char passport_number[24];
    /* Identity as last stated (permit terms, exemption terms, entry). */
    char full_name[LT_FOLD_TEXT_MAX];
    char birth_date[16];                /* as printed: "YYYY", "YYYY-MM" or "YYYY-MM-DD" */
    int sex;                            /* Lienthong__V1__Sex */
    /* The current permit: the last issued, reissued or exemption (by canonical order). */
    char employer_enterprise_code[LT_FOLD_CODE_MAX]; /* of the current permit */
    char permit_no[LT_FOLD_CODE_MAX];   /* after any renumbering by extension */
    int permit_state;                   /* enum lt_fold_permit_state as of the as-of date */
    int permit_is_exemption;            /* 1: the current "permit" is an exemption */
    int32_t permit_valid_from;          /* day; LT_DATE_NONE */
    int32_t permit_valid_until;         /* day, after extensions; LT_DATE_NONE */
    unsigned permit_extensions;         /* extensions of this permit (and those it replaced) */
    char permit_demand_decision_no[LT_FOLD_CODE_MAX]; /* demand approval the permit cites
                                                         (Decree 152; "" under Decree 219) */
    int permit_rule_set;                /* Lienthong__V1__RuleSet of the issuing event */
    int revocation_reason;              /* Lienthong__V1__PermitRevocationReason, 0 if none */
    int32_t revoked_on;                 /* effective day of the revocation; LT_DATE_NONE */
    unsigned permits_issued;            /* WorkPermitIssued + Reissued events */
    unsigned violations;                /* ViolationRecorded events about this person */
    /* Presence in the province: last entry strictly later than last exit. */
    int present;
    int64_t last_entry_at_ms;           /* 0: none */
    char last_entry_gate[LT_FOLD_CODE_MAX];
    int last_entry_visa_purpose;        /* Lienthong__V1__VisaPurpose */
    int64_t last_exit_at_ms;            /* 0: none */
    char last_exit_gate[LT_FOLD_CODE_MAX];
    /* Residence: last ResidenceRegistered / ResidenceCardIssued address. */
    char residence_province[8];
    char residence_district[8];
    char residence_commune[8];
    int32_t residence_on;               /* day of the event that gave the codes above */
    struct lt_fold_area residence_area; /* those codes resolved on the as-of date */
    char residence_card_no[LT_FOLD_CODE_MAX];
    int32_t residence_card_valid_from;  /* day; LT_DATE_NONE */
    int32_t residence_card_valid_until; /* day; LT_DATE_NONE */
};

/* One row per citizen registered to work abroad ("VNM:" + 12 digits). */
struct lt_fold_outbound_worker {
    char subject_id[LT_SUBJECT_ID_MAX];
    char full_name[LT_FOLD_TEXT_MAX];   /* as last stated at registration */
    char birth_date[16];
    int sex;
    int32_t registered_on;              /* day of the first OutboundRegistered */
    char province[8], district[8], commune[8]; /* residence area, last registration */
    int32_t area_on;                    /* day of that registration */
    struct lt_fold_area area;           /* the area resolved on the as-of date */
    /* Priority groups of the last registration, ascending, no repeats. */
    size_t priority_group_count;
    int priority_groups[LT_FOLD_MAX_PRIORITY];
    int identity_result;                /* last CitizenIdentityVerified result, 0 none */
    unsigned trainings;                 /* TrainingCompleted events */
    int32_t last_training_on;           /* day; LT_DATE_NONE */
    int last_training_kind;             /* Lienthong__V1__TrainingKind */
    /* The last registered contract (canonical order). */
    unsigned contracts;                 /* ContractRegistered events */
    char contract_no[LT_FOLD_CODE_MAX];
    char contract_country[4];
    int32_t contract_start;             /* day; LT_DATE_NONE */
    unsigned contract_duration_months;
    char contract_enterprise[LT_FOLD_CODE_MAX]; /* service enterprise code */
    /* Money, whole VND. outstanding = disbursed - repaid principal, >= 0. */
    int64_t loans_disbursed_vnd, loans_repaid_vnd, loans_outstanding_vnd;
    int64_t support_paid_vnd;
    /* Movements. abroad = last departure strictly later than last return. */
    int32_t departed_on;                /* day of the last departure; LT_DATE_NONE */
    char departed_country[4];
    int abroad;
    int32_t returned_on;                /* day of the last return; LT_DATE_NONE */
    int32_t contract_ended_on;          /* day of the last ContractEnded; LT_DATE_NONE */
    int contract_end_reason;            /* Lienthong__V1__ContractEndReason */
    unsigned protection_cases_open;     /* cases whose latest status is opened / in progress */
    unsigned reemployment_supports;     /* ReemploymentSupported events */
    int last_reemployment_outcome;      /* Lienthong__V1__ReemploymentOutcome */
};

/* One row per enterprise ("enterprise:" + code). */
struct lt_fold_employer {
    char subject_id[LT_SUBJECT_ID_MAX];
    char enterprise_code[16];
    char name[LT_FOLD_TEXT_MAX];        /* last EmployerRegistered */
    char province[8], district[8], commune[8]; /* head office */
    int32_t office_on;                  /* day of the registration that gave it */
    struct lt_fold_area office_area;    /* the head office's area on the as-of date */
    char sector_code[8];                /* main VSIC sector */
    unsigned demands_declared;          /* LabourDemandDeclared events */
    unsigned demands_approved;          /* demand ids whose latest decision is approval */
    unsigned demands_rejected;          /* demand ids whose latest decision is rejection */
    uint64_t approved_positions;        /* sum of counts of the approved demands' positions */
    /* Decision numbers of the approved demands (the first LT_FOLD_MAX_DECISIONS). */
    size_t approved_decision_count;
    char approved_decisions[LT_FOLD_MAX_DECISIONS][LT_FOLD_CODE_MAX];
    /* Cross-subject: permits naming this employer. lt_fold_subject leaves it
     * 0; a caller holding the workers' rows adds them with
     * lt_fold_employer_count_worker. Not in the stored row (lt_fold_row_json),
     * which depends on the employer's own events only: the database's
     * employers view counts it from the workers' rows. */
    unsigned permits_issued;
};

/* One alert row: a rule of DESIGN §4 that holds as of the as-of date. */
struct lt_fold_alert {
    char code[40];                      /* stable snake_case, see lt_fold_subject */
    char subject_id[LT_SUBJECT_ID_MAX];
    int32_t opened_on;                  /* day the rule started to hold */
    size_t event_count;                 /* ids in event_ids[] */
    uint8_t event_ids[LT_FOLD_ALERT_EVENTS][16]; /* the events behind it */
    char message[LT_FOLD_TEXT_MAX];     /* one English sentence */
};

/* One input event. The event is borrowed, never modified or freed. */
struct lt_fold_input {
    const Lienthong__V1__Event *ev;
    uint8_t event_id[16];
};

/* Everything one fold produces. Only the row of `kind` is filled; the
 * others stay zero. */
struct lt_fold_result {
    enum lt_subject_kind kind;
    char subject_id[LT_SUBJECT_ID_MAX];
    int32_t as_of;
    size_t events_folded;   /* distinct events on or before the as-of date */
    size_t events_later;    /* events after the as-of date, left out */
    size_t events_repeated; /* repeated event ids, left out */
    size_t events_foreign;  /* bodies of another programme than the subject's, left out */
    struct lt_fold_foreign_worker foreign;
    struct lt_fold_outbound_worker outbound;
    struct lt_fold_employer employer;
    size_t alert_count;     /* alerts that hold (may exceed LT_FOLD_MAX_ALERTS) */
    struct lt_fold_alert alerts[LT_FOLD_MAX_ALERTS]; /* the first ones, sorted by code */
};

/* A zeroed result owned by the caller; release with lt_fold_result_free. */
struct lt_fold_result *lt_fold_result_new(void);
/* Releases r; NULL is a no-op. */
void lt_fold_result_free(struct lt_fold_result *r);

/* Folds the n events of in[] — all about the same subject — as of the
 * Vietnamese legal date as_of (day number). params NULL means the defaults.
 * *out is overwritten completely. Returns LT_OK, or LT_ERR_INVALID (sentence
 * in err) when n is 0, an event has no header or no valid subject, or the
 * events are about different subjects.
 *
 * Alert codes (each one subject; cleared by the event that resolves it):
 *   present_expired_permit       present, current permit expired
 *   present_revoked_permit       present, current permit revoked
 *   labour_visa_no_permit        present, last entry on LĐ1/LĐ2 at least
 *                                labour_visa_grace_days ago, no permit or
 *                                exemption valid on or before as-of
 *   extension_outside_window     an extension filed outside the legal window
 *                                or after expiry (lt_validate_extension)
 *   second_extension             an extension beyond the rule set's maximum
 *   departed_without_contract    a departure with no ContractRegistered (of
 *                                its contract_no) on or before its day
 *   no_return_after_contract_end abroad, the contract ended at least
 *                                no_return_grace_days ago (after departing)
 * The cross-subject "employer_no_approved_demand" is lt_fold_employer_alert. */
int lt_fold_subject(const struct lt_fold_input *in, size_t n, int32_t as_of,
                    const struct lt_fold_params *params, struct lt_fold_result *out,
                    char *err, size_t errlen) __attribute__((warn_unused_result));

/* Cross-subject: counts worker w toward e->permits_issued when w's current
 * permit names e's enterprise code. The consolidator calls it for every
 * folded foreign worker of the employer. */
void lt_fold_employer_count_worker(struct lt_fold_employer *e,
                                   const struct lt_fold_foreign_worker *w);

/* 1 when decision_no is one of e's approved demands' decision numbers. */
int lt_fold_employer_approved(const struct lt_fold_employer *e, const char *decision_no);

/* Cross-subject alert "employer_no_approved_demand": a foreign worker
 * present with a valid permit issued under Decree 152 (which requires the
 * employer's demand to be approved first) whose employer (e, the employer's
 * folded row, or NULL when the employer has no events) has not approved the
 * demand the permit cites — or, when the permit cites none, has no approved
 * demand at all. Permits issued under Decree 219 are the demand approval
 * themselves and never raise it. Writes the alert into *out and returns 1,
 * or returns 0 when the rule does not hold. The alert's opened_on is the
 * later of the permit's valid_from and the last entry day; it carries no
 * event ids (the rows behind it are the two subjects' rows). */
int lt_fold_employer_alert(const struct lt_fold_foreign_worker *w, const struct lt_fold_employer *e,
                           int32_t as_of, struct lt_fold_alert *out);

/* The subject's row as a JSON object (field names as in the structs above;
 * days as "YYYY-MM-DD", instants as RFC 3339, unknown values as null; enum
 * values by their contract names). New reference; the caller json_decref()s.
 * This is the form the consolidator stores and the query service returns. */
json_t *lt_fold_row_json(const struct lt_fold_result *r);

#endif
