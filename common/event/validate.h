/* validate.h — checks one decoded Event against the contract and the law in
 * force on its date, and the few legal rules that need the subject's history.
 *
 * lt_validate_event collects every finding, not just the first: each has a
 * stable machine code (lt_validate_code_name, snake_case, never renamed),
 * the path of the offending field in proto JSON lowerCamelCase
 * ("workPermitIssued.terms.validUntil", "header.prevHash",
 * "labourDemandDeclared.positions[1].count") and one English sentence.
 *
 * The legal numbers (permit length, extension window, …) live in one table
 * of rule sets (lt_validate_rule_set), chosen by the Vietnam-time date of
 * header.occurred_at_ms and the body's programme; see validate.c for the
 * sources and the assumptions made where the decrees could not be checked.
 *
 * Findings are of two classes. Most reject the event (dead-letter topic).
 * A few only park it: an unknown body case, or an unknown enum value in an
 * event whose schema_version is newer than this reader's (proto/README.md
 * "How readers treat what they do not know"); the event is kept and folded
 * once the reader is upgraded. lt_validate_verdict tells which applies.
 *
 * Rules that need history (a second extension, a reissued permit outliving
 * the one it replaces, a departure before the contract) cannot be decided
 * from one event. The consolidator, which holds the history, calls
 * lt_validate_extension, lt_validate_reissue and lt_validate_outbound_timeline
 * with the facts; they append to the same result type. */
#ifndef LT_EVENT_VALIDATE_H
#define LT_EVENT_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "lienthong/v1/event.pb-c.h"

/* The schema_version this reader was built against (proto/README.md). */
#define LT_VALIDATE_SCHEMA_VERSION 1
/* How far occurred_at_ms may lie after recorded_at_ms (clock skew between an
 * agency's source system and its service): 5 minutes. */
#define LT_VALIDATE_CLOCK_SKEW_MS (5 * 60 * 1000)

/* Findings stored in a result; more are counted but not kept. */
#define LT_VALIDATE_MAX_STORED 32
#define LT_VALIDATE_PATH_MAX 96
#define LT_VALIDATE_MESSAGE_MAX 256

/* Every finding's code. Append only; the names are the stable interface. */
enum lt_violation_code {
    LT_V_NONE = 0,
    /* header */
    LT_V_HEADER_MISSING,             /* header_missing */
    LT_V_EVENT_ID_LENGTH,            /* event_id_length: not 16 bytes */
    LT_V_EVENT_ID_NOT_UUID7,         /* event_id_not_uuid7: wrong version or variant */
    LT_V_AGENCY_CODE_FORMAT,         /* agency_code_format: not 1-64 of [A-Za-z0-9._-] */
    LT_V_SEQUENCE_ZERO,              /* sequence_zero */
    LT_V_PREV_HASH_LENGTH,           /* prev_hash_length: not 32 bytes */
    LT_V_PREV_HASH_NOT_ZERO,         /* prev_hash_not_zero: sequence 1 with a non-zero hash */
    LT_V_PREV_HASH_ZERO,             /* prev_hash_zero: sequence > 1 with the zero hash */
    LT_V_OCCURRED_AFTER_RECORDED,    /* occurred_after_recorded: beyond the skew allowance */
    LT_V_SCHEMA_VERSION_MISSING,     /* schema_version_missing: 0 */
    /* subject */
    LT_V_SUBJECT_MISSING,            /* subject_missing: no subject or no case set */
    LT_V_SUBJECT_KIND_MISMATCH,      /* subject_kind_mismatch: not the kind the body expects */
    LT_V_CITIZEN_ID_FORMAT,          /* citizen_id_format */
    LT_V_CITIZEN_ID_PROVINCE,        /* citizen_id_province_unknown */
    LT_V_CITIZEN_ID_CENTURY,         /* citizen_id_century_mismatch */
    LT_V_CITIZEN_ID_SEX,             /* citizen_id_sex_mismatch */
    LT_V_CITIZEN_ID_BIRTH_YEAR,      /* citizen_id_birth_year_mismatch */
    LT_V_CITIZEN_SEX_UNSTATED,       /* citizen_sex_unstated */
    LT_V_NATIONALITY_FORMAT,         /* nationality_format */
    LT_V_NATIONALITY_UNKNOWN,        /* nationality_unknown */
    LT_V_NATIONALITY_VNM,            /* nationality_vnm */
    LT_V_PASSPORT_FORMAT,            /* passport_number_format */
    LT_V_ENTERPRISE_CODE_FORMAT,     /* enterprise_code_format */
    /* rule set */
    LT_V_RULE_SET_MISSING,           /* rule_set_missing: UNSPECIFIED, or no rule set given */
    LT_V_RULE_SET_NONE_IN_FORCE,     /* rule_set_none_in_force: before the programme's first */
    LT_V_RULE_SET_MISMATCH,          /* rule_set_mismatch: not the rule set in force on that date */
    /* body and fields */
    LT_V_BODY_MISSING,               /* body_missing: no body case and no unknown body field */
    LT_V_BODY_CASE_UNKNOWN,          /* body_case_unknown: parks */
    LT_V_FIELD_MISSING,              /* field_missing: a required field holds its default */
    LT_V_FIELD_NOT_APPLICABLE,       /* field_not_applicable: must be empty here, is set */
    LT_V_ENUM_UNSPECIFIED,           /* enum_unspecified: *_UNSPECIFIED where a value is required */
    LT_V_ENUM_UNKNOWN,               /* enum_unknown: not defined by this schema version */
    LT_V_ENUM_NEWER_SCHEMA,          /* enum_unknown_newer_schema: parks */
    LT_V_DUPLICATE_VALUE,            /* duplicate_value: "each at most once" list repeats */
    LT_V_DATE_INVALID,               /* date_invalid: not "YYYY-MM-DD" or not a real date */
    LT_V_DATE_RANGE_REVERSED,        /* date_range_reversed: a period ends before it starts */
    LT_V_DATE_AFTER_EVENT,           /* date_after_event: should precede the event, follows it */
    LT_V_DATE_BEFORE_EVENT,          /* date_before_event: should follow the event, precedes it */
    LT_V_COUNTRY_INVALID,            /* country_invalid: not an assigned ISO 3166-1 alpha-3 code */
    LT_V_COUNTRY_VIETNAM,            /* country_is_vietnam: a foreign country is required */
    LT_V_CURRENCY_INVALID,           /* currency_invalid: not an ISO 4217 currency */
    LT_V_LANGUAGE_INVALID,           /* language_invalid: not an ISO 639-1 code */
    LT_V_ADMIN_CODE_FORMAT,          /* admin_code_format: province 2, district 3, commune 5 */
    LT_V_DISTRICT_MISSING,           /* district_missing: required before 2025-07-01 */
    LT_V_DISTRICT_AFTER_REFORM,      /* district_after_reform: no district level from 2025-07-01 */
    LT_V_SECTOR_CODE_FORMAT,         /* sector_code_format: VSIC 2018, 4 or 5 digits */
    LT_V_OCCUPATION_CODE_FORMAT,     /* occupation_code_format: VSCO, 1-5 digits */
    LT_V_TEXT_INVALID_UTF8,          /* text_invalid_utf8 */
    LT_V_TEXT_NOT_NFC,               /* text_not_nfc */
    LT_V_TEXT_UNTRIMMED,             /* text_untrimmed */
    LT_V_AMOUNT_NEGATIVE,            /* amount_negative: money or amount < 0 */
    /* legal rules */
    LT_V_PERMIT_TOO_LONG,            /* permit_too_long: longer than the rule set's maximum */
    LT_V_EXEMPTION_TOO_LONG,         /* exemption_too_long */
    LT_V_EXTENSION_OUTSIDE_WINDOW,   /* extension_outside_window: filed too early or too late */
    LT_V_EXTENSION_AFTER_EXPIRY,     /* extension_after_expiry: filed after the permit expired */
    LT_V_EXTENSION_TOO_LONG,         /* extension_too_long */
    LT_V_EXTENSION_NOT_LATER,        /* extension_not_later: new last day not after the old one */
    LT_V_SECOND_EXTENSION,           /* second_extension: history */
    LT_V_REISSUE_EXTENDS_VALIDITY,   /* reissue_extends_validity: history */
    LT_V_REVOCATION_REASON_MISSING,  /* revocation_reason_missing */
    LT_V_RESIDENCE_CARD_TOO_LONG,    /* residence_card_too_long */
    LT_V_RESIDENCE_CARD_PURPOSE,     /* residence_card_purpose_invalid: no card for that symbol */
    LT_V_FINE_INCONSISTENT,          /* fine_inconsistent: fine_vnd > 0 iff SANCTION_FINE */
    LT_V_IDENTITY_RESULT_INCONSISTENT, /* identity_result_inconsistent */
    /* outbound timeline (history) */
    LT_V_DEPARTURE_BEFORE_CONTRACT,  /* departure_before_contract */
    LT_V_DEPARTURE_AFTER_CONTRACT_END, /* departure_after_contract_end */
    LT_V_RETURN_BEFORE_DEPARTURE,    /* return_before_departure */
    LT_V_CONTRACT_ENDED_BEFORE_START, /* contract_ended_before_start */
    LT_V_CODE_COUNT
};

struct lt_violation {
    enum lt_violation_code code;
    char path[LT_VALIDATE_PATH_MAX];       /* proto JSON path; "" for the whole event */
    char message[LT_VALIDATE_MESSAGE_MAX]; /* one English sentence */
};

/* All findings of one validation. Storage is capped; counts are not. */
struct lt_validate_result {
    size_t count;   /* every finding, stored or not */
    size_t rejects; /* findings that reject the event */
    size_t parks;   /* findings that only park it */
    size_t stored;  /* entries in v[] (<= LT_VALIDATE_MAX_STORED), in the order found */
    struct lt_violation v[LT_VALIDATE_MAX_STORED];
};

enum lt_validate_verdict {
    LT_VALIDATE_ACCEPT = 0, /* no finding */
    LT_VALIDATE_PARK,       /* only park findings: keep, fold after an upgrade */
    LT_VALIDATE_REJECT,     /* at least one reject finding: dead-letter */
};

/* The two programmes, by body case number (100-199 inbound, 200-299 outbound). */
enum lt_programme {
    LT_PROGRAMME_NONE = 0,
    LT_PROGRAMME_INBOUND,  /* foreign workers in Vietnam */
    LT_PROGRAMME_OUTBOUND, /* Vietnamese workers abroad */
};

/* One rule set: its period of force and the numbers the validator applies.
 * Dates are day numbers (core/date.h); last_day is INT32_MAX while open. */
struct lt_rule_set {
    Lienthong__V1__RuleSet id;
    const char *name;  /* "decree_152_2020", … */
    const char *basis; /* the legal texts, in words */
    enum lt_programme programme;
    int32_t first_day, last_day;
    int permit_max_years;            /* work permit and its reissue */
    int exemption_max_years;         /* exemption certificate */
    int max_extensions;              /* extensions in a permit's life */
    int extension_max_years;         /* length of the one extension */
    int extension_window_min_days;   /* days of validity left when the dossier is filed, */
    int extension_window_max_days;   /*   previous_valid_until - application_date */
    /* 1: WorkPermitIssued.demand_decision_no is required; 0: it must be empty. */
    int permit_needs_demand_decision;
    /* Days after last_day during which a decision on a dossier filed while
     * this rule set was in force may still name it (0: none). */
    int transition_days;
};

/* Empties a result. */
void lt_validate_result_init(struct lt_validate_result *r);

/* Records one finding in r, as the checks below do; for callers that refuse
 * an event for a reason of their own (e.g. a field the service owns). */
void lt_validate_add(struct lt_validate_result *r, enum lt_violation_code code, const char *path,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Stable snake_case name of a code; "unknown" for a value not in the enum. */
const char *lt_validate_code_name(enum lt_violation_code code);

/* 1 if findings with this code park the event instead of rejecting it. */
int lt_validate_code_parks(enum lt_violation_code code);

/* What to do with an event given its findings. */
enum lt_validate_verdict lt_validate_verdict(const struct lt_validate_result *r);

/* The first stored finding with this code (and, unless path is NULL, this
 * exact path), or NULL. */
const struct lt_violation *lt_validate_find(const struct lt_validate_result *r,
                                            enum lt_violation_code code, const char *path);

/* Renders the findings as text, one per line: "code path: message", then
 * "... and N more" when some were not stored. Writes at most buflen bytes
 * (always NUL-terminated when buflen > 0) and returns the length the whole
 * text needs, as snprintf does. */
size_t lt_validate_render(const struct lt_validate_result *r, char *buf, size_t buflen);

/* The findings as JSON: {"verdict": "accept"|"park"|"reject", "count": n,
 * "violations": [{"code", "path", "message"}, …]}. New reference owned by the
 * caller (json_decref). */
json_t *lt_validate_result_json(const struct lt_validate_result *r);

/* The programme a body case belongs to; LT_PROGRAMME_NONE for NOT_SET. Works
 * for case numbers this reader does not know, by their range. */
enum lt_programme lt_validate_programme_of(int body_case);

/* The table row of a rule set, or NULL for UNSPECIFIED and unknown values. */
const struct lt_rule_set *lt_validate_rule_set(Lienthong__V1__RuleSet id);

/* The rule set in force for a programme on a Vietnamese legal date (day
 * number, core/date.h); RULE_SET_UNSPECIFIED before the programme's first
 * rule set or for LT_PROGRAMME_NONE. */
Lienthong__V1__RuleSet lt_validate_rule_set_for(int32_t date, enum lt_programme programme);

/* Validates one decoded event: header, subject, rule set and body, against
 * the contract and the rule set the event names (after checking it was
 * allowed to name it). Initialises *out and fills it with every finding.
 * Returns LT_OK when nothing rejects the event (verdict accept or park),
 * LT_ERR_INVALID otherwise. The event is only read. */
int lt_validate_event(const Lienthong__V1__Event *ev, struct lt_validate_result *out)
    __attribute__((warn_unused_result));

/* --- rules that need history: the consolidator supplies the facts -------- */
/* Each appends its findings to *out (initialise it, or pass the result of
 * lt_validate_event to collect everything in one place) and returns LT_OK
 * when it added no rejecting finding, LT_ERR_INVALID when it did. Dates are
 * day numbers (core/date.h, lt_date_parse). */

/* A work-permit extension (WorkPermitExtended), given how many extensions the
 * same permit already had (prior_extensions; count the earlier
 * WorkPermitExtended events for the permit number and for any number it was
 * renumbered from). Under rule_set's numbers it checks:
 *   second_extension          prior_extensions >= max_extensions (1);
 *   extension_after_expiry    application_date > old_valid_until;
 *   extension_outside_window  days_left = old_valid_until - application_date
 *                             (the filing day not counted, the last valid day
 *                             counted) outside [window_min, window_max];
 *   extension_not_later       new_valid_until <= old_valid_until;
 *   extension_too_long        new_valid_until after the last day of a period
 *                             of extension_max_years starting the day after
 *                             old_valid_until (lt_date_period_end).
 * lt_validate_event calls it with prior_extensions 0. */
int lt_validate_extension(unsigned prior_extensions, int32_t old_valid_until,
                          int32_t application_date, int32_t new_valid_until,
                          Lienthong__V1__RuleSet rule_set, struct lt_validate_result *out)
    __attribute__((warn_unused_result));

/* A reissued permit (WorkPermitReissued) keeps the validity of the permit it
 * replaces: reissue_extends_validity when new_valid_until is after
 * replaced_valid_until (the last valid day of the permit previous_permit_no). */
int lt_validate_reissue(int32_t replaced_valid_until, int32_t new_valid_until,
                        struct lt_validate_result *out) __attribute__((warn_unused_result));

/* What the consolidator knows of one overseas contract and the worker's
 * movements around it; LT_DATE_NONE for what it does not know. Dates are the
 * Vietnamese legal dates of the events' occurred_at (contract_start_date is
 * ContractRegistered.start_date). */
struct lt_outbound_facts {
    int32_t contract_registered; /* ContractRegistered occurred date */
    int32_t contract_start_date; /* ContractRegistered.start_date */
    int32_t departure;           /* Departure for this contract */
    int32_t return_home;         /* the Return that follows that departure */
    int32_t contract_ended;      /* ContractEnded occurred date */
};

/* Coherence of an outbound contract's dates:
 *   departure_before_contract     departure < contract_registered;
 *   departure_after_contract_end  departure > contract_ended;
 *   return_before_departure       return_home < departure;
 *   contract_ended_before_start   contract_ended < contract_start_date. */
int lt_validate_outbound_timeline(const struct lt_outbound_facts *f,
                                  struct lt_validate_result *out)
    __attribute__((warn_unused_result));

#endif
