/* validate.c — the contract and the law, applied to one decoded Event.
 *
 * Three tables drive it: the rule sets (legal numbers by period of force),
 * the violation codes (stable names, reject or park), and the bodies (JSON
 * name, subject kind expected, the check). The checks walk the event once,
 * field by field, and record every finding with its JSON path; nothing stops
 * at the first error, so a dead-lettered event tells its publisher all that
 * is wrong at once.
 *
 * Which rule set applies: the one the event names, once it is shown that the
 * event was allowed to name it (proto/README.md "Rule sets"). The choice is
 * made on the Vietnam-time (UTC+07:00) date of header.occurred_at_ms. */
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/err.h"
#include "core/uuid.h"
#include "event/subject.h"
#include "event/validate.h"

/* ===========================================================================
 * The rule sets
 * ===========================================================================
 *
 * RULE_SET_DECREE_152_2020 — inbound, 2021-02-15 .. 2025-08-06.
 *   Labour Code 2019 Art. 155: a work permit lasts at most 2 years and may be
 *   extended once, for at most 2 years. Decree 152/2020/ND-CP (in force
 *   2021-02-15) Art. 10: permit term; Art. 16(1): extension only while the
 *   permit has at least 5 and at most 45 days left; Art. 20: revocation
 *   grounds. Decree 70/2023/ND-CP (in force 2023-09-18) amended it without
 *   changing these numbers. A permit needs an approved demand (Art. 4), so
 *   WorkPermitIssued carries demand_decision_no.
 *   The exemption certificate: at most 2 years (Art. 8, event.proto).
 * RULE_SET_DECREE_219_2025 — inbound, from 2025-08-07 (issued and in force
 *   that day; it repealed the foreign-worker provisions of 152 and 70).
 *   Permit and extension lengths are the Labour Code's, unchanged. Demand
 *   approval and permit are one procedure, so demand_decision_no is empty.
 *   ASSUMPTION: the extension window is 10-45 days before expiry. We could
 *   not read the gazetted text; secondary summaries of Decree 219 (the
 *   extension dossier article, cited as Art. 27) give "at least 10 days but
 *   not more than 45 days before the permit expires". Confirm and, if wrong,
 *   change only extension_window_min_days below.
 *   ASSUMPTION: the revocation grounds of Decree 219 are those of 152 Art. 20
 *   (the PermitRevocationReason enum); every listed reason is accepted.
 * Transition 152 -> 219. event.proto lets a dossier filed before 2025-08-07
 *   and decided later under Decree 219's transitional article carry
 *   RULE_SET_DECREE_152_2020. We could not read that article either. Our
 *   rule (project policy, not law): an inbound *decision on a dossier*
 *   (demand approved / rejected, permit issued / reissued / extended,
 *   exemption certified) dated up to transition_days = 90 days after
 *   2025-08-06 may name 152; when the body states its filing date
 *   (WorkPermitExtended.application_date) that date must be on or before
 *   2025-08-06. Other inbound events (entries, exits, residence, violations,
 *   revocations, reports) must name the rule set in force on their date.
 * RULE_SET_LAW_69_2020_DECREE_112_2021 — outbound, from 2022-01-01 (both
 *   texts in force that day). The numbers this validator could apply (service
 *   fee caps in months of salary) need an exchange rate between the VND fees
 *   and the foreign-currency salary, which an event does not carry: not
 *   checked here.
 * Events dated before their programme's first rule set have none and are
 * rejected (rule_set_none_in_force). */
static const struct lt_rule_set rule_sets[] = {
    {
        .id = LIENTHONG__V1__RULE_SET__RULE_SET_DECREE_152_2020,
        .name = "decree_152_2020",
        .basis = "Labour Code 2019 and Decree 152/2020/ND-CP as amended by Decree 70/2023/ND-CP",
        .programme = LT_PROGRAMME_INBOUND,
        .first_day = LT_DATE_CONST(2021, 2, 15),
        .last_day = LT_DATE_CONST(2025, 8, 6),
        .permit_max_years = 2,
        .exemption_max_years = 2,
        .max_extensions = 1,
        .extension_max_years = 2,
        .extension_window_min_days = 5,
        .extension_window_max_days = 45,
        .permit_needs_demand_decision = 1,
        .transition_days = 90,
    },
    {
        .id = LIENTHONG__V1__RULE_SET__RULE_SET_DECREE_219_2025,
        .name = "decree_219_2025",
        .basis = "Labour Code 2019 and Decree 219/2025/ND-CP",
        .programme = LT_PROGRAMME_INBOUND,
        .first_day = LT_DATE_CONST(2025, 8, 7),
        .last_day = INT32_MAX,
        .permit_max_years = 2,
        .exemption_max_years = 2,
        .max_extensions = 1,
        .extension_max_years = 2,
        .extension_window_min_days = 10, /* ASSUMPTION, see above */
        .extension_window_max_days = 45,
        .permit_needs_demand_decision = 0,
        .transition_days = 0,
    },
    {
        .id = LIENTHONG__V1__RULE_SET__RULE_SET_LAW_69_2020_DECREE_112_2021,
        .name = "law_69_2020_decree_112_2021",
        .basis = "Law 69/2020/QH14 and Decree 112/2021/ND-CP",
        .programme = LT_PROGRAMME_OUTBOUND,
        .first_day = LT_DATE_CONST(2022, 1, 1),
        .last_day = INT32_MAX,
    },
};

/* The two-tier local government reform: no district level from this day
 * (event.proto, AdminArea). Not a rule set: it concerns every programme. */
static const int32_t district_level_abolished = LT_DATE_CONST(2025, 7, 1);

/* Temporary residence cards (Law 47/2014 Art. 36 and 38 as amended by Law
 * 51/2019; event.proto, ResidenceCardIssued): the symbols a card is issued
 * for and the longest card for each. 0: no card for that symbol. -1: not
 * checkable (VISA_PURPOSE_OTHER). NG stands for NG1-NG4, of which NG3 gets a
 * card. Cards must also end 30 days before the passport does; the event
 * does not carry the passport's expiry, so that is not checked. */
static int residence_card_max_years(Lienthong__V1__VisaPurpose p)
{
    switch (p) {
    case LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_LD1:
    case LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_LD2:
    case LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_PV1:
        return 2;
    case LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_NN1:
    case LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_NN2:
    case LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_DT3:
    case LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_TT:
        return 3;
    case LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_NG:
    case LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_LV1:
    case LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_LV2:
    case LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_LS:
    case LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_DT2:
    case LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_DH:
        return 5;
    case LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_DT1:
        return 10;
    case LIENTHONG__V1__VISA_PURPOSE__VISA_PURPOSE_OTHER:
        return -1;
    default:
        return 0;
    }
}

/* ISO 4217 currencies a salary can be paid in: the list in Debian iso-codes
 * 4.15.0 without fund codes (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW),
 * precious metals, bond-market units, SDR, XSU, XUA, XTS and XXX. Sorted. */
static const char iso4217[][4] = {
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP",
    "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF",
    "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK",
    "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK",
    "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU",
    "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR",
    "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR",
    "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STN", "SVC",
    "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX",
    "USD", "UYU", "UZS", "VED", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER",
    "ZAR", "ZMW", "ZWL",
};

/* ISO 639-1 two-letter language codes (Debian iso-codes 4.15.0, the alpha_2
 * entries of ISO 639-2). Sorted. */
static const char iso639_1[][3] = {
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bh",
    "bi", "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da",
    "de", "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr",
    "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz",
    "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj",
    "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln",
    "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb",
    "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi",
    "pl", "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk",
    "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti",
    "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo",
    "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu",
};

/* ===========================================================================
 * Codes and results
 * =========================================================================== */

static const struct code_info {
    const char *name;
    int parks;
} codes[LT_V_CODE_COUNT] = {
    [LT_V_NONE] = { "none", 0 },
    [LT_V_HEADER_MISSING] = { "header_missing", 0 },
    [LT_V_EVENT_ID_LENGTH] = { "event_id_length", 0 },
    [LT_V_EVENT_ID_NOT_UUID7] = { "event_id_not_uuid7", 0 },
    [LT_V_AGENCY_CODE_FORMAT] = { "agency_code_format", 0 },
    [LT_V_SEQUENCE_ZERO] = { "sequence_zero", 0 },
    [LT_V_PREV_HASH_LENGTH] = { "prev_hash_length", 0 },
    [LT_V_PREV_HASH_NOT_ZERO] = { "prev_hash_not_zero", 0 },
    [LT_V_PREV_HASH_ZERO] = { "prev_hash_zero", 0 },
    [LT_V_OCCURRED_AFTER_RECORDED] = { "occurred_after_recorded", 0 },
    [LT_V_SCHEMA_VERSION_MISSING] = { "schema_version_missing", 0 },
    [LT_V_SUBJECT_MISSING] = { "subject_missing", 0 },
    [LT_V_SUBJECT_KIND_MISMATCH] = { "subject_kind_mismatch", 0 },
    [LT_V_CITIZEN_ID_FORMAT] = { "citizen_id_format", 0 },
    [LT_V_CITIZEN_ID_PROVINCE] = { "citizen_id_province_unknown", 0 },
    [LT_V_CITIZEN_ID_CENTURY] = { "citizen_id_century_mismatch", 0 },
    [LT_V_CITIZEN_ID_SEX] = { "citizen_id_sex_mismatch", 0 },
    [LT_V_CITIZEN_ID_BIRTH_YEAR] = { "citizen_id_birth_year_mismatch", 0 },
    [LT_V_CITIZEN_SEX_UNSTATED] = { "citizen_sex_unstated", 0 },
    [LT_V_NATIONALITY_FORMAT] = { "nationality_format", 0 },
    [LT_V_NATIONALITY_UNKNOWN] = { "nationality_unknown", 0 },
    [LT_V_NATIONALITY_VNM] = { "nationality_vnm", 0 },
    [LT_V_PASSPORT_FORMAT] = { "passport_number_format", 0 },
    [LT_V_ENTERPRISE_CODE_FORMAT] = { "enterprise_code_format", 0 },
    [LT_V_RULE_SET_MISSING] = { "rule_set_missing", 0 },
    [LT_V_RULE_SET_NONE_IN_FORCE] = { "rule_set_none_in_force", 0 },
    [LT_V_RULE_SET_MISMATCH] = { "rule_set_mismatch", 0 },
    [LT_V_BODY_MISSING] = { "body_missing", 0 },
    [LT_V_BODY_CASE_UNKNOWN] = { "body_case_unknown", 1 },
    [LT_V_FIELD_MISSING] = { "field_missing", 0 },
    [LT_V_FIELD_NOT_APPLICABLE] = { "field_not_applicable", 0 },
    [LT_V_ENUM_UNSPECIFIED] = { "enum_unspecified", 0 },
    [LT_V_ENUM_UNKNOWN] = { "enum_unknown", 0 },
    [LT_V_ENUM_NEWER_SCHEMA] = { "enum_unknown_newer_schema", 1 },
    [LT_V_DUPLICATE_VALUE] = { "duplicate_value", 0 },
    [LT_V_DATE_INVALID] = { "date_invalid", 0 },
    [LT_V_DATE_RANGE_REVERSED] = { "date_range_reversed", 0 },
    [LT_V_DATE_AFTER_EVENT] = { "date_after_event", 0 },
    [LT_V_DATE_BEFORE_EVENT] = { "date_before_event", 0 },
    [LT_V_COUNTRY_INVALID] = { "country_invalid", 0 },
    [LT_V_COUNTRY_VIETNAM] = { "country_is_vietnam", 0 },
    [LT_V_CURRENCY_INVALID] = { "currency_invalid", 0 },
    [LT_V_LANGUAGE_INVALID] = { "language_invalid", 0 },
    [LT_V_ADMIN_CODE_FORMAT] = { "admin_code_format", 0 },
    [LT_V_DISTRICT_MISSING] = { "district_missing", 0 },
    [LT_V_DISTRICT_AFTER_REFORM] = { "district_after_reform", 0 },
    [LT_V_SECTOR_CODE_FORMAT] = { "sector_code_format", 0 },
    [LT_V_OCCUPATION_CODE_FORMAT] = { "occupation_code_format", 0 },
    [LT_V_TEXT_INVALID_UTF8] = { "text_invalid_utf8", 0 },
    [LT_V_TEXT_NOT_NFC] = { "text_not_nfc", 0 },
    [LT_V_TEXT_UNTRIMMED] = { "text_untrimmed", 0 },
    [LT_V_AMOUNT_NEGATIVE] = { "amount_negative", 0 },
    [LT_V_PERMIT_TOO_LONG] = { "permit_too_long", 0 },
    [LT_V_EXEMPTION_TOO_LONG] = { "exemption_too_long", 0 },
    [LT_V_EXTENSION_OUTSIDE_WINDOW] = { "extension_outside_window", 0 },
    [LT_V_EXTENSION_AFTER_EXPIRY] = { "extension_after_expiry", 0 },
    [LT_V_EXTENSION_TOO_LONG] = { "extension_too_long", 0 },
    [LT_V_EXTENSION_NOT_LATER] = { "extension_not_later", 0 },
    [LT_V_SECOND_EXTENSION] = { "second_extension", 0 },
    [LT_V_REISSUE_EXTENDS_VALIDITY] = { "reissue_extends_validity", 0 },
    [LT_V_REVOCATION_REASON_MISSING] = { "revocation_reason_missing", 0 },
    [LT_V_RESIDENCE_CARD_TOO_LONG] = { "residence_card_too_long", 0 },
    [LT_V_RESIDENCE_CARD_PURPOSE] = { "residence_card_purpose_invalid", 0 },
    [LT_V_FINE_INCONSISTENT] = { "fine_inconsistent", 0 },
    [LT_V_IDENTITY_RESULT_INCONSISTENT] = { "identity_result_inconsistent", 0 },
    [LT_V_DEPARTURE_BEFORE_CONTRACT] = { "departure_before_contract", 0 },
    [LT_V_DEPARTURE_AFTER_CONTRACT_END] = { "departure_after_contract_end", 0 },
    [LT_V_RETURN_BEFORE_DEPARTURE] = { "return_before_departure", 0 },
    [LT_V_CONTRACT_ENDED_BEFORE_START] = { "contract_ended_before_start", 0 },
};

void lt_validate_result_init(struct lt_validate_result *r)
{
    memset(r, 0, sizeof *r);
}

const char *lt_validate_code_name(enum lt_violation_code code)
{
    if ((unsigned)code < LT_V_CODE_COUNT && codes[code].name)
        return codes[code].name;
    return "unknown";
}

int lt_validate_code_parks(enum lt_violation_code code)
{
    return (unsigned)code < LT_V_CODE_COUNT && codes[code].parks;
}

enum lt_validate_verdict lt_validate_verdict(const struct lt_validate_result *r)
{
    if (r->rejects)
        return LT_VALIDATE_REJECT;
    return r->parks ? LT_VALIDATE_PARK : LT_VALIDATE_ACCEPT;
}

const struct lt_violation *lt_validate_find(const struct lt_validate_result *r,
                                            enum lt_violation_code code, const char *path)
{
    for (size_t i = 0; i < r->stored; i++)
        if (r->v[i].code == code && (!path || strcmp(r->v[i].path, path) == 0))
            return &r->v[i];
    return NULL;
}

/* Appends n bytes of text at *len into buf (bounded), always counting. */
static void put(char *buf, size_t buflen, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t buflen, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *at = *len < buflen ? buf + *len : NULL;
    int n = vsnprintf(at, at ? buflen - *len : 0, fmt, ap);
    va_end(ap);
    if (n > 0)
        *len += (size_t)n;
}

size_t lt_validate_render(const struct lt_validate_result *r, char *buf, size_t buflen)
{
    size_t len = 0;
    if (buflen)
        buf[0] = '\0';
    for (size_t i = 0; i < r->stored; i++) {
        const struct lt_violation *v = &r->v[i];
        put(buf, buflen, &len, "%s %s: %s\n", lt_validate_code_name(v->code),
            v->path[0] ? v->path : "(event)", v->message);
    }
    if (r->count > r->stored)
        put(buf, buflen, &len, "... and %zu more\n", r->count - r->stored);
    return len;
}

json_t *lt_validate_result_json(const struct lt_validate_result *r)
{
    static const char *const verdicts[] = { "accept", "park", "reject" };
    json_t *list = json_array();
    for (size_t i = 0; i < r->stored; i++)
        json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "code",
                                              lt_validate_code_name(r->v[i].code), "path",
                                              r->v[i].path, "message", r->v[i].message));
    return json_pack("{s:s, s:I, s:o}", "verdict", verdicts[lt_validate_verdict(r)], "count",
                     (json_int_t)r->count, "violations", list);
}

/* The one place findings are recorded. path may be NULL ("" = whole event). */
static void vadd(struct lt_validate_result *r, enum lt_violation_code code, const char *path,
                 const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static void vadd(struct lt_validate_result *r, enum lt_violation_code code, const char *path,
                 const char *fmt, va_list ap)
{
    assert(code > LT_V_NONE && code < LT_V_CODE_COUNT);
    r->count++;
    if (codes[code].parks)
        r->parks++;
    else
        r->rejects++;
    if (r->stored >= LT_VALIDATE_MAX_STORED)
        return;
    struct lt_violation *v = &r->v[r->stored++];
    v->code = code;
    snprintf(v->path, sizeof v->path, "%s", path ? path : "");
    vsnprintf(v->message, sizeof v->message, fmt, ap);
}

void lt_validate_add(struct lt_validate_result *r, enum lt_violation_code code, const char *path,
                     const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vadd(r, code, path, fmt, ap);
    va_end(ap);
}

static void add(struct lt_validate_result *r, enum lt_violation_code code, const char *path,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void add(struct lt_validate_result *r, enum lt_violation_code code, const char *path,
                const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vadd(r, code, path, fmt, ap);
    va_end(ap);
}

/* ===========================================================================
 * Rule-set lookup
 * =========================================================================== */

enum lt_programme lt_validate_programme_of(int body_case)
{
    if (body_case >= 100 && body_case <= 199)
        return LT_PROGRAMME_INBOUND;
    if (body_case >= 200 && body_case <= 299)
        return LT_PROGRAMME_OUTBOUND;
    return LT_PROGRAMME_NONE;
}

const struct lt_rule_set *lt_validate_rule_set(Lienthong__V1__RuleSet id)
{
    for (size_t i = 0; i < sizeof rule_sets / sizeof rule_sets[0]; i++)
        if (rule_sets[i].id == id)
            return &rule_sets[i];
    return NULL;
}

Lienthong__V1__RuleSet lt_validate_rule_set_for(int32_t date, enum lt_programme programme)
{
    for (size_t i = 0; i < sizeof rule_sets / sizeof rule_sets[0]; i++) {
        const struct lt_rule_set *rs = &rule_sets[i];
        if (rs->programme == programme && date >= rs->first_day && date <= rs->last_day)
            return rs->id;
    }
    return LIENTHONG__V1__RULE_SET__RULE_SET_UNSPECIFIED;
}

/* ===========================================================================
 * Field checks
 * =========================================================================== */

/* What every check needs to know about the event. */
struct ctx {
    struct lt_validate_result *r;
    int32_t date;                 /* Vietnam date of occurred_at; LT_DATE_NONE if unknown */
    const struct lt_rule_set *rs; /* the rule set applied to the body; NULL if none */
    int newer_schema;             /* schema_version above ours: unknown enums park */
    const Lienthong__V1__Subject *subject;
};

/* Builds "prefix.field" (or either alone) into buf; returns buf. */
static const char *join(char buf[LT_VALIDATE_PATH_MAX], const char *prefix, const char *field)
{
    if (!field || !field[0])
        snprintf(buf, LT_VALIDATE_PATH_MAX, "%s", prefix ? prefix : "");
    else if (!prefix || !prefix[0])
        snprintf(buf, LT_VALIDATE_PATH_MAX, "%s", field);
    else
        snprintf(buf, LT_VALIDATE_PATH_MAX, "%s.%s", prefix, field);
    return buf;
}

/* Records a finding at prefix.field. */
static void addf(struct ctx *c, enum lt_violation_code code, const char *prefix, const char *field,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void addf(struct ctx *c, enum lt_violation_code code, const char *prefix, const char *field,
                 const char *fmt, ...)
{
    char path[LT_VALIDATE_PATH_MAX];
    va_list ap;
    va_start(ap, fmt);
    vadd(c->r, code, join(path, prefix, field), fmt, ap);
    va_end(ap);
}

static void missing(struct ctx *c, const char *prefix, const char *field)
{
    addf(c, LT_V_FIELD_MISSING, prefix, field, "Required field %s is missing or empty.", field);
}

static int empty(const char *s)
{
    return !s || !s[0];
}

static int is_digits(const char *s, size_t min, size_t max)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (s[n] < '0' || s[n] > '9' || n >= max)
            return 0;
    return n >= min;
}

static int cmp3(const void *a, const void *b) { return memcmp(a, b, 3); }
static int cmp2(const void *a, const void *b) { return memcmp(a, b, 2); }

static enum lt_violation_code from_fault(enum lt_subject_fault f)
{
    switch (f) {
    case LT_SUBJECT_KIND_MISSING: return LT_V_SUBJECT_MISSING;
    case LT_SUBJECT_CITIZEN_ID_FORMAT: return LT_V_CITIZEN_ID_FORMAT;
    case LT_SUBJECT_CITIZEN_ID_PROVINCE: return LT_V_CITIZEN_ID_PROVINCE;
    case LT_SUBJECT_CITIZEN_ID_CENTURY: return LT_V_CITIZEN_ID_CENTURY;
    case LT_SUBJECT_CITIZEN_ID_SEX: return LT_V_CITIZEN_ID_SEX;
    case LT_SUBJECT_CITIZEN_ID_BIRTH_YEAR: return LT_V_CITIZEN_ID_BIRTH_YEAR;
    case LT_SUBJECT_CITIZEN_SEX_UNSTATED: return LT_V_CITIZEN_SEX_UNSTATED;
    case LT_SUBJECT_NATIONALITY_FORMAT: return LT_V_NATIONALITY_FORMAT;
    case LT_SUBJECT_NATIONALITY_UNKNOWN: return LT_V_NATIONALITY_UNKNOWN;
    case LT_SUBJECT_NATIONALITY_VNM: return LT_V_NATIONALITY_VNM;
    case LT_SUBJECT_PASSPORT_FORMAT: return LT_V_PASSPORT_FORMAT;
    case LT_SUBJECT_ENTERPRISE_CODE_FORMAT: return LT_V_ENTERPRISE_CODE_FORMAT;
    case LT_SUBJECT_UTF8_INVALID: return LT_V_TEXT_INVALID_UTF8;
    case LT_SUBJECT_TEXT_NOT_NFC: return LT_V_TEXT_NOT_NFC;
    case LT_SUBJECT_TEXT_UNTRIMMED: return LT_V_TEXT_UNTRIMMED;
    case LT_SUBJECT_ID_SYNTAX: return LT_V_SUBJECT_MISSING;
    case LT_SUBJECT_OK: break;
    }
    return LT_V_NONE;
}

/* Records a subject.c refusal (fault + sentence) at prefix.field. */
static void subject_fault(struct ctx *c, const char *prefix, const char *field,
                          enum lt_subject_fault f, const char *msg)
{
    addf(c, from_fault(f), prefix, field, "%s", msg);
}

/* Text: UTF-8, NFC, trimmed. Returns 1 when present (non-empty). */
static int text(struct ctx *c, const char *prefix, const char *field, const char *s, int required)
{
    if (empty(s)) {
        if (required)
            missing(c, prefix, field);
        return 0;
    }
    enum lt_subject_fault f;
    char msg[LT_VALIDATE_MESSAGE_MAX];
    if (lt_subject_text_check(s, &f, msg, sizeof msg) != LT_OK)
        subject_fault(c, prefix, field, f, msg);
    return 1;
}

/* A calendar date. Returns its day number, or LT_DATE_NONE when absent or
 * invalid (recorded). */
static int32_t date(struct ctx *c, const char *prefix, const char *field, const char *s,
                    int required)
{
    if (empty(s)) {
        if (required)
            missing(c, prefix, field);
        return LT_DATE_NONE;
    }
    int32_t d;
    char msg[LT_VALIDATE_MESSAGE_MAX];
    if (lt_date_parse(s, &d, msg, sizeof msg) != LT_OK) {
        addf(c, LT_V_DATE_INVALID, prefix, field, "%s.", msg);
        return LT_DATE_NONE;
    }
    return d;
}

/* from <= until, when both are known. */
static void range(struct ctx *c, const char *prefix, const char *until_field, int32_t from,
                  int32_t until)
{
    if (from == LT_DATE_NONE || until == LT_DATE_NONE || from <= until)
        return;
    char a[LT_DATE_STRLEN + 1], b[LT_DATE_STRLEN + 1];
    lt_date_format(from, a);
    lt_date_format(until, b);
    addf(c, LT_V_DATE_RANGE_REVERSED, prefix, until_field,
         "The period ends (%s) before it starts (%s).", b, a);
}

/* A date that cannot lie after the event's own date (a filing, a course
 * start, a birth). */
static void not_after_event(struct ctx *c, const char *prefix, const char *field, int32_t d)
{
    if (d == LT_DATE_NONE || c->date == LT_DATE_NONE || d <= c->date)
        return;
    char a[LT_DATE_STRLEN + 1], b[LT_DATE_STRLEN + 1];
    lt_date_format(d, a);
    lt_date_format(c->date, b);
    addf(c, LT_V_DATE_AFTER_EVENT, prefix, field, "%s is after the event's date %s.", a, b);
}

/* A date that cannot lie before the event's own date (a stay granted at
 * entry, a loan's maturity, a liquidation). */
static void not_before_event(struct ctx *c, const char *prefix, const char *field, int32_t d)
{
    if (d == LT_DATE_NONE || c->date == LT_DATE_NONE || d >= c->date)
        return;
    char a[LT_DATE_STRLEN + 1], b[LT_DATE_STRLEN + 1];
    lt_date_format(d, a);
    lt_date_format(c->date, b);
    addf(c, LT_V_DATE_BEFORE_EVENT, prefix, field, "%s is before the event's date %s.", a, b);
}

/* An enum field. Returns 1 when it holds a known value other than 0. */
static int enumv(struct ctx *c, const char *prefix, const char *field,
                 const ProtobufCEnumDescriptor *d, int value, int required)
{
    if (value == 0) {
        if (required)
            addf(c, LT_V_ENUM_UNSPECIFIED, prefix, field,
                 "Required field %s holds %s_UNSPECIFIED.", field, d->short_name);
        return 0;
    }
    if (!protobuf_c_enum_descriptor_get_value(d, value)) {
        if (c->newer_schema)
            addf(c, LT_V_ENUM_NEWER_SCHEMA, prefix, field,
                 "Value %d is not a %s this reader knows; the event's schema_version is newer, "
                 "so it waits for an upgraded reader.", value, d->short_name);
        else
            addf(c, LT_V_ENUM_UNKNOWN, prefix, field,
                 "Value %d is not a %s of this schema version.", value, d->short_name);
        return 0;
    }
    return 1;
}

/* A repeated enum: each element known and not 0, each at most once. */
static void enum_list(struct ctx *c, const char *prefix, const char *field,
                      const ProtobufCEnumDescriptor *d, const int *values, size_t n,
                      int at_least_one)
{
    char elem[LT_VALIDATE_PATH_MAX];
    if (n == 0 && at_least_one)
        missing(c, prefix, field);
    for (size_t i = 0; i < n; i++) {
        snprintf(elem, sizeof elem, "%s[%zu]", field, i);
        if (!enumv(c, prefix, elem, d, values[i], 1))
            continue;
        for (size_t j = 0; j < i; j++)
            if (values[j] == values[i]) {
                addf(c, LT_V_DUPLICATE_VALUE, prefix, elem, "%s is listed more than once.",
                     protobuf_c_enum_descriptor_get_value(d, values[i])->name);
                break;
            }
    }
}

static void money(struct ctx *c, const char *prefix, const char *field, int64_t v)
{
    if (v < 0)
        addf(c, LT_V_AMOUNT_NEGATIVE, prefix, field, "The amount %" PRId64 " is negative.", v);
}

/* A required positive amount ("> 0"): 0 is the missing default. */
static void positive(struct ctx *c, const char *prefix, const char *field, int64_t v)
{
    if (v == 0)
        missing(c, prefix, field);
    else
        money(c, prefix, field, v);
}

static void enterprise(struct ctx *c, const char *prefix, const char *field, const char *s,
                       int required)
{
    if (empty(s)) {
        if (required)
            missing(c, prefix, field);
        return;
    }
    enum lt_subject_fault f;
    char msg[LT_VALIDATE_MESSAGE_MAX];
    if (lt_subject_check_enterprise_code(s, &f, msg, sizeof msg) != LT_OK)
        subject_fault(c, prefix, field, f, msg);
}

static int agency_code_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-'))
            return 0;
    }
    return 1;
}

static void agency(struct ctx *c, const char *prefix, const char *field, const char *s,
                   int required)
{
    if (empty(s)) {
        if (required)
            missing(c, prefix, field);
        return;
    }
    if (!agency_code_ok(s))
        addf(c, LT_V_AGENCY_CODE_FORMAT, prefix, field,
             "An agency code is 1-64 ASCII characters of [A-Za-z0-9._-].");
}

/* A country code; foreign: must be a country other than Vietnam. */
static void country(struct ctx *c, const char *prefix, const char *field, const char *s,
                    int required, int foreign)
{
    if (empty(s)) {
        if (required)
            missing(c, prefix, field);
        return;
    }
    if (!lt_subject_country_is_assigned(s))
        addf(c, LT_V_COUNTRY_INVALID, prefix, field,
             "\"%.8s\" is not an assigned ISO 3166-1 alpha-3 country code in upper case.", s);
    else if (foreign && strcmp(s, "VNM") == 0)
        addf(c, LT_V_COUNTRY_VIETNAM, prefix, field, "A country abroad is required, not VNM.");
}

static void nationality(struct ctx *c, const char *prefix, const char *field, const char *s,
                        int required)
{
    if (empty(s)) {
        if (required)
            missing(c, prefix, field);
        return;
    }
    enum lt_subject_fault f;
    char msg[LT_VALIDATE_MESSAGE_MAX];
    if (lt_subject_check_nationality(s, &f, msg, sizeof msg) != LT_OK)
        subject_fault(c, prefix, field, f, msg);
}

static void passport(struct ctx *c, const char *prefix, const char *field, const char *s,
                     int required)
{
    if (empty(s)) {
        if (required)
            missing(c, prefix, field);
        return;
    }
    enum lt_subject_fault f;
    char msg[LT_VALIDATE_MESSAGE_MAX];
    if (lt_subject_check_passport(s, &f, msg, sizeof msg) != LT_OK)
        subject_fault(c, prefix, field, f, msg);
}

static void currency(struct ctx *c, const char *prefix, const char *field, const char *s)
{
    if (empty(s)) {
        missing(c, prefix, field);
        return;
    }
    if (strlen(s) != 3 || !bsearch(s, iso4217, sizeof iso4217 / sizeof iso4217[0],
                                   sizeof iso4217[0], cmp3))
        addf(c, LT_V_CURRENCY_INVALID, prefix, field,
             "\"%.8s\" is not an ISO 4217 currency code in upper case.", s);
}

static void language(struct ctx *c, const char *prefix, const char *field, const char *s,
                     int required)
{
    if (empty(s)) {
        if (required)
            missing(c, prefix, field);
        return;
    }
    if (strlen(s) != 2 || !bsearch(s, iso639_1, sizeof iso639_1 / sizeof iso639_1[0],
                                   sizeof iso639_1[0], cmp2))
        addf(c, LT_V_LANGUAGE_INVALID, prefix, field,
             "\"%.8s\" is not an ISO 639-1 language code in lower case.", s);
}

/* VSIC 2018 business line: 4 or 5 digits (event.proto). */
static void sector(struct ctx *c, const char *prefix, const char *field, const char *s,
                   int required)
{
    if (empty(s)) {
        if (required)
            missing(c, prefix, field);
        return;
    }
    if (!is_digits(s, 4, 5))
        addf(c, LT_V_SECTOR_CODE_FORMAT, prefix, field,
             "A VSIC 2018 business-line code is 4 or 5 digits.");
}

/* VSCO occupation code (Decision 34/2020/QĐ-TTg): 1 to 5 digits, one per
 * level of the classification. */
static void occupation(struct ctx *c, const char *prefix, const char *field, const char *s)
{
    if (!empty(s) && !is_digits(s, 1, 5))
        addf(c, LT_V_OCCUPATION_CODE_FORMAT, prefix, field,
             "A VSCO occupation code is 1 to 5 digits.");
}

/* An administrative area. district_rule: the body asks for a district before
 * the 2025 reform. Every area must leave the district empty from the reform
 * on. */
static void area(struct ctx *c, const char *prefix, const char *field,
                 const Lienthong__V1__AdminArea *a, int required, int district_rule,
                 int commune_required)
{
    char p[LT_VALIDATE_PATH_MAX];
    join(p, prefix, field);
    if (!a) {
        if (required)
            missing(c, prefix, field);
        return;
    }
    if (empty(a->province_code))
        missing(c, p, "provinceCode");
    else if (!is_digits(a->province_code, 2, 2))
        addf(c, LT_V_ADMIN_CODE_FORMAT, p, "provinceCode", "A province code is 2 digits.");
    int after_reform = c->date != LT_DATE_NONE && c->date >= district_level_abolished;
    if (!empty(a->district_code)) {
        if (!is_digits(a->district_code, 3, 3))
            addf(c, LT_V_ADMIN_CODE_FORMAT, p, "districtCode", "A district code is 3 digits.");
        if (after_reform)
            addf(c, LT_V_DISTRICT_AFTER_REFORM, p, "districtCode",
                 "There is no district level from 2025-07-01; leave the district empty.");
    } else if (district_rule && c->date != LT_DATE_NONE && !after_reform) {
        addf(c, LT_V_DISTRICT_MISSING, p, "districtCode",
             "A district code is required for events dated before 2025-07-01.");
    }
    if (!empty(a->commune_code)) {
        if (!is_digits(a->commune_code, 5, 5))
            addf(c, LT_V_ADMIN_CODE_FORMAT, p, "communeCode", "A commune code is 5 digits.");
    } else if (commune_required) {
        missing(c, p, "communeCode");
    }
}

static void address(struct ctx *c, const char *prefix, const char *field,
                    const Lienthong__V1__Address *a, int required, int district_rule)
{
    char p[LT_VALIDATE_PATH_MAX];
    join(p, prefix, field);
    if (!a) {
        if (required)
            missing(c, prefix, field);
        return;
    }
    text(c, p, "line", a->line, 1);
    area(c, p, "area", a->area, 1, district_rule, 0);
}

/* PersonDetails. citizen: the subject is a Vietnamese citizen, so the birth
 * date is complete, the sex is male or female, and both must agree with the
 * personal ID. */
static void person(struct ctx *c, const char *prefix, const char *field,
                   const Lienthong__V1__PersonDetails *pd, int required, int citizen)
{
    char p[LT_VALIDATE_PATH_MAX];
    join(p, prefix, field);
    if (!pd) {
        if (required)
            missing(c, prefix, field);
        return;
    }
    text(c, p, "fullName", pd->full_name, 1);
    int year = 0;
    unsigned month = 0, day = 0;
    if (empty(pd->birth_date)) {
        missing(c, p, "birthDate");
    } else {
        char msg[LT_VALIDATE_MESSAGE_MAX];
        if (lt_date_parse_partial(pd->birth_date, &year, &month, &day, msg, sizeof msg) != LT_OK) {
            addf(c, LT_V_DATE_INVALID, p, "birthDate", "%s.", msg);
            year = 0;
        } else if (citizen && (month == 0 || day == 0)) {
            addf(c, LT_V_DATE_INVALID, p, "birthDate",
                 "A citizen's birth date is complete (YYYY-MM-DD) on the citizen ID card.");
        } else if (month && day) {
            not_after_event(c, p, "birthDate", lt_date_from_civil(year, month, day));
        }
    }
    int sex_ok = enumv(c, p, "sex", &lienthong__v1__sex__descriptor, pd->sex, 1);
    if (!citizen || !c->subject || c->subject->kind_case != LIENTHONG__V1__SUBJECT__KIND_CITIZEN_ID)
        return;
    enum lt_subject_fault f;
    char msg[LT_VALIDATE_MESSAGE_MAX];
    Lienthong__V1__Sex sex = sex_ok ? pd->sex : LIENTHONG__V1__SEX__SEX_UNSPECIFIED;
    if (lt_subject_check_citizen_id(c->subject->citizen_id, NULL, NULL, 0) != LT_OK)
        return; /* already reported on header.subject */
    if (lt_subject_check_citizen_birth(c->subject->citizen_id, year, sex, &f, msg, sizeof msg) !=
        LT_OK) {
        int on_sex = f == LT_SUBJECT_CITIZEN_ID_SEX || f == LT_SUBJECT_CITIZEN_SEX_UNSTATED;
        subject_fault(c, p, on_sex ? "sex" : "birthDate", f, msg);
    }
}

/* PermitTerms; *from / *until receive the validity (LT_DATE_NONE if bad). */
static void terms(struct ctx *c, const char *prefix, const char *field,
                  const Lienthong__V1__PermitTerms *t, int32_t *from, int32_t *until)
{
    char p[LT_VALIDATE_PATH_MAX], w[LT_VALIDATE_PATH_MAX];
    join(p, prefix, field);
    *from = *until = LT_DATE_NONE;
    if (!t) {
        missing(c, prefix, field);
        return;
    }
    enterprise(c, p, "employerEnterpriseCode", t->employer_enterprise_code, 1);
    person(c, p, "person", t->person, 1, 0);
    text(c, p, "jobTitle", t->job_title, 1);
    enumv(c, p, "category", &lienthong__v1__work_category__descriptor, t->category, 1);
    enumv(c, p, "workForm", &lienthong__v1__work_form__descriptor, t->work_form, 1);
    occupation(c, p, "occupationCode", t->occupation_code);
    area(c, p, "workArea", t->work_area, 1, 1, 0);
    for (size_t i = 0; i < t->n_workplaces; i++) {
        snprintf(w, sizeof w, "workplaces[%zu]", i);
        address(c, p, w, t->workplaces[i], 1, 0);
    }
    *from = date(c, p, "validFrom", t->valid_from, 1);
    *until = date(c, p, "validUntil", t->valid_until, 1);
    range(c, p, "validUntil", *from, *until);
}

/* A period [from, until] of at most `years` (lt_date_period_end). */
static void max_years(struct ctx *c, enum lt_violation_code code, const char *prefix,
                      const char *field, const char *what, int32_t from, int32_t until, int years)
{
    if (years <= 0 || from == LT_DATE_NONE || until == LT_DATE_NONE || until < from)
        return;
    int32_t last = lt_date_period_end(from, years);
    if (until <= last)
        return;
    char a[LT_DATE_STRLEN + 1], b[LT_DATE_STRLEN + 1], l[LT_DATE_STRLEN + 1];
    lt_date_format(from, a);
    lt_date_format(until, b);
    lt_date_format(last, l);
    addf(c, code, prefix, field,
         "%s valid from %s may last at most %d years, to %s inclusive, not to %s.", what, a, years,
         l, b);
}

static void demand_position(struct ctx *c, const char *prefix, const char *field,
                            const Lienthong__V1__DemandPosition *dp)
{
    char p[LT_VALIDATE_PATH_MAX];
    join(p, prefix, field);
    if (!dp) {
        missing(c, prefix, field);
        return;
    }
    text(c, p, "jobTitle", dp->job_title, 1);
    enumv(c, p, "category", &lienthong__v1__work_category__descriptor, dp->category, 1);
    enumv(c, p, "workForm", &lienthong__v1__work_form__descriptor, dp->work_form, 1);
    occupation(c, p, "occupationCode", dp->occupation_code);
    if (dp->count == 0)
        missing(c, p, "count");
    int32_t s = date(c, p, "startDate", dp->start_date, 1);
    int32_t e = date(c, p, "endDate", dp->end_date, 1);
    range(c, p, "endDate", s, e);
    area(c, p, "workArea", dp->work_area, 1, 1, 0);
    text(c, p, "justification", dp->justification, 0);
}

static void positions(struct ctx *c, const char *prefix, Lienthong__V1__DemandPosition **v,
                      size_t n, int at_least_one)
{
    char f[LT_VALIDATE_PATH_MAX];
    if (n == 0 && at_least_one)
        missing(c, prefix, "positions");
    for (size_t i = 0; i < n; i++) {
        snprintf(f, sizeof f, "positions[%zu]", i);
        demand_position(c, prefix, f, v[i]);
    }
}

/* ===========================================================================
 * History rules, shared by the single-event checks and the public API
 * =========================================================================== */

static void extension_rules(struct lt_validate_result *r, const struct lt_rule_set *rs,
                            unsigned prior, int32_t old_until, int32_t app, int32_t new_until)
{
    char a[LT_DATE_STRLEN + 1], b[LT_DATE_STRLEN + 1];
    if (prior >= (unsigned)rs->max_extensions)
        add(r, LT_V_SECOND_EXTENSION, "workPermitExtended",
            "The permit was already extended %u time(s); %s allows %d extension in a permit's "
            "life.", prior, rs->name, rs->max_extensions);
    if (old_until != LT_DATE_NONE && app != LT_DATE_NONE) {
        int64_t left = (int64_t)old_until - app;
        lt_date_format(app, a);
        lt_date_format(old_until, b);
        if (left < 0)
            add(r, LT_V_EXTENSION_AFTER_EXPIRY, "workPermitExtended.applicationDate",
                "The extension was filed on %s, after the permit expired on %s; an expired permit "
                "cannot be extended.", a, b);
        else if (left < rs->extension_window_min_days || left > rs->extension_window_max_days)
            add(r, LT_V_EXTENSION_OUTSIDE_WINDOW, "workPermitExtended.applicationDate",
                "The extension was filed on %s with %" PRId64 " days of validity left (to %s); "
                "%s requires %d to %d days.", a, left, b, rs->name,
                rs->extension_window_min_days, rs->extension_window_max_days);
    }
    if (old_until != LT_DATE_NONE && new_until != LT_DATE_NONE) {
        lt_date_format(old_until, a);
        lt_date_format(new_until, b);
        if (new_until <= old_until) {
            add(r, LT_V_EXTENSION_NOT_LATER, "workPermitExtended.validUntil",
                "The new last day %s is not after the previous last day %s.", b, a);
        } else {
            int32_t last = lt_date_period_end(old_until + 1, rs->extension_max_years);
            if (new_until > last) {
                char l[LT_DATE_STRLEN + 1];
                lt_date_format(last, l);
                add(r, LT_V_EXTENSION_TOO_LONG, "workPermitExtended.validUntil",
                    "An extension of a permit valid to %s may run at most %d years, to %s "
                    "inclusive, not to %s.", a, rs->extension_max_years, l, b);
            }
        }
    }
}

int lt_validate_extension(unsigned prior_extensions, int32_t old_valid_until,
                          int32_t application_date, int32_t new_valid_until,
                          Lienthong__V1__RuleSet rule_set, struct lt_validate_result *out)
{
    size_t before = out->rejects;
    const struct lt_rule_set *rs = lt_validate_rule_set(rule_set);
    if (!rs || rs->programme != LT_PROGRAMME_INBOUND || rs->max_extensions <= 0)
        add(out, LT_V_RULE_SET_MISSING, "header.ruleSet",
            "Rule set %d has no work-permit extension rules.", (int)rule_set);
    else
        extension_rules(out, rs, prior_extensions, old_valid_until, application_date,
                        new_valid_until);
    return out->rejects > before ? LT_ERR_INVALID : LT_OK;
}

int lt_validate_reissue(int32_t replaced_valid_until, int32_t new_valid_until,
                        struct lt_validate_result *out)
{
    if (replaced_valid_until == LT_DATE_NONE || new_valid_until == LT_DATE_NONE ||
        new_valid_until <= replaced_valid_until)
        return LT_OK;
    char a[LT_DATE_STRLEN + 1], b[LT_DATE_STRLEN + 1];
    lt_date_format(replaced_valid_until, a);
    lt_date_format(new_valid_until, b);
    add(out, LT_V_REISSUE_EXTENDS_VALIDITY, "workPermitReissued.terms.validUntil",
        "A reissued permit keeps the validity of the permit it replaces (to %s), not to %s.", a, b);
    return LT_ERR_INVALID;
}

/* a < b, both known: "a" happened before "b". */
static int before(int32_t a, int32_t b)
{
    return a != LT_DATE_NONE && b != LT_DATE_NONE && a < b;
}

int lt_validate_outbound_timeline(const struct lt_outbound_facts *f,
                                  struct lt_validate_result *out)
{
    size_t n = out->rejects;
    char a[LT_DATE_STRLEN + 1], b[LT_DATE_STRLEN + 1];
    if (before(f->departure, f->contract_registered)) {
        lt_date_format(f->departure, a);
        lt_date_format(f->contract_registered, b);
        add(out, LT_V_DEPARTURE_BEFORE_CONTRACT, "departure",
            "The worker departed on %s, before the contract was registered on %s.", a, b);
    }
    if (before(f->contract_ended, f->departure)) {
        lt_date_format(f->departure, a);
        lt_date_format(f->contract_ended, b);
        add(out, LT_V_DEPARTURE_AFTER_CONTRACT_END, "departure",
            "The worker departed on %s, after the contract ended on %s.", a, b);
    }
    if (before(f->return_home, f->departure)) {
        lt_date_format(f->return_home, a);
        lt_date_format(f->departure, b);
        add(out, LT_V_RETURN_BEFORE_DEPARTURE, "returnHome",
            "The return on %s is before the departure on %s.", a, b);
    }
    if (before(f->contract_ended, f->contract_start_date)) {
        lt_date_format(f->contract_ended, a);
        lt_date_format(f->contract_start_date, b);
        add(out, LT_V_CONTRACT_ENDED_BEFORE_START, "contractEnded",
            "The contract ended on %s, before its start date %s.", a, b);
    }
    return out->rejects > n ? LT_ERR_INVALID : LT_OK;
}

/* ===========================================================================
 * Bodies
 * =========================================================================== */

typedef void (*body_check)(struct ctx *c, const Lienthong__V1__Event *ev, const char *p);

static void v_employer_registered(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__EmployerRegistered *b = ev->employer_registered;
    char f[LT_VALIDATE_PATH_MAX];
    text(c, p, "name", b->name, 1);
    text(c, p, "foreignName", b->foreign_name, 0);
    address(c, p, "headOffice", b->head_office, 1, 1);
    sector(c, p, "mainSectorCode", b->main_sector_code, 1);
    for (size_t i = 0; i < b->n_other_sector_codes; i++) {
        snprintf(f, sizeof f, "otherSectorCodes[%zu]", i);
        sector(c, p, f, b->other_sector_codes[i], 1);
    }
    text(c, p, "investmentProjectCode", b->investment_project_code, 0);
    text(c, p, "investmentProjectName", b->investment_project_name, 0);
    text(c, p, "investmentCertificateNo", b->investment_certificate_no, 0);
    enterprise(c, p, "parentEnterpriseCode", b->parent_enterprise_code, 0);
}

static void v_labour_demand_declared(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__LabourDemandDeclared *b = ev->labour_demand_declared;
    text(c, p, "demandId", b->demand_id, 1);
    positions(c, p, b->positions, b->n_positions, 1);
    text(c, p, "changesDecisionNo", b->changes_decision_no, 0);
}

static void v_labour_demand_approved(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__LabourDemandApproved *b = ev->labour_demand_approved;
    text(c, p, "demandId", b->demand_id, 1);
    text(c, p, "decisionNo", b->decision_no, 1);
    positions(c, p, b->positions, b->n_positions, 1);
    agency(c, p, "approvingAgencyCode", b->approving_agency_code, 0);
}

static void v_labour_demand_rejected(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__LabourDemandRejected *b = ev->labour_demand_rejected;
    text(c, p, "demandId", b->demand_id, 1);
    text(c, p, "decisionNo", b->decision_no, 0);
    text(c, p, "reason", b->reason, 1);
    positions(c, p, b->positions, b->n_positions, 0);
}

/* Under a rule set where the permit approves the demand itself, a demand
 * decision number is not applicable; where a separate approval is needed it
 * is required (required_here) or optional. */
static void demand_decision(struct ctx *c, const char *p, const char *s, int required_here)
{
    if (!c->rs)
        return;
    if (c->rs->permit_needs_demand_decision)
        text(c, p, "demandDecisionNo", s, required_here);
    else if (!empty(s))
        addf(c, LT_V_FIELD_NOT_APPLICABLE, p, "demandDecisionNo",
             "Under %s the permit approves the demand itself; demandDecisionNo must be empty.",
             c->rs->name);
}

static void v_work_permit_issued(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__WorkPermitIssued *b = ev->work_permit_issued;
    char tp[LT_VALIDATE_PATH_MAX];
    int32_t from, until;
    text(c, p, "permitNo", b->permit_no, 1);
    terms(c, p, "terms", b->terms, &from, &until);
    if (c->rs)
        max_years(c, LT_V_PERMIT_TOO_LONG, join(tp, p, "terms"), "validUntil", "A work permit",
                  from, until, c->rs->permit_max_years);
    text(c, p, "demandId", b->demand_id, 0);
    demand_decision(c, p, b->demand_decision_no, 1);
}

static void v_work_permit_reissued(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__WorkPermitReissued *b = ev->work_permit_reissued;
    char tp[LT_VALIDATE_PATH_MAX];
    int32_t from, until;
    text(c, p, "permitNo", b->permit_no, 1);
    text(c, p, "previousPermitNo", b->previous_permit_no, 1);
    enumv(c, p, "reason", &lienthong__v1__permit_reissue_reason__descriptor, b->reason, 1);
    terms(c, p, "terms", b->terms, &from, &until);
    if (c->rs)
        max_years(c, LT_V_PERMIT_TOO_LONG, join(tp, p, "terms"), "validUntil",
                  "A reissued work permit", from, until, c->rs->permit_max_years);
    if (b->reason == LIENTHONG__V1__PERMIT_REISSUE_REASON__PERMIT_REISSUE_REASON_PASSPORT_CHANGED)
        passport(c, p, "previousPassportNumber", b->previous_passport_number, 1);
    else if (!empty(b->previous_passport_number))
        addf(c, LT_V_FIELD_NOT_APPLICABLE, p, "previousPassportNumber",
             "previousPassportNumber is only given when the reason is "
             "PERMIT_REISSUE_REASON_PASSPORT_CHANGED.");
    nationality(c, p, "previousNationality", b->previous_nationality, 0);
}

static void v_work_permit_extended(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__WorkPermitExtended *b = ev->work_permit_extended;
    text(c, p, "permitNo", b->permit_no, 1);
    int32_t app = date(c, p, "applicationDate", b->application_date, 1);
    int32_t old_until = date(c, p, "previousValidUntil", b->previous_valid_until, 1);
    int32_t new_until = date(c, p, "validUntil", b->valid_until, 1);
    not_after_event(c, p, "applicationDate", app);
    text(c, p, "newPermitNo", b->new_permit_no, 0);
    demand_decision(c, p, b->demand_decision_no, 0);
    if (c->rs && c->rs->max_extensions > 0)
        extension_rules(c->r, c->rs, 0, old_until, app, new_until);
}

static void v_work_permit_revoked(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__WorkPermitRevoked *b = ev->work_permit_revoked;
    text(c, p, "permitNo", b->permit_no, 1);
    if (b->reason == 0)
        addf(c, LT_V_REVOCATION_REASON_MISSING, p, "reason",
             "A revocation must carry one of the listed reasons (Decree 152/2020 Art. 20).");
    else
        enumv(c, p, "reason", &lienthong__v1__permit_revocation_reason__descriptor, b->reason, 1);
    text(c, p, "decisionNo", b->decision_no, 0);
    date(c, p, "effectiveDate", b->effective_date, 1);
    text(c, p, "note", b->note, 0);
}

static void exemption_common(struct ctx *c, const char *p, Lienthong__V1__ExemptionGround ground,
                             const char *legal_basis)
{
    enumv(c, p, "ground", &lienthong__v1__exemption_ground__descriptor, ground, 1);
    text(c, p, "legalBasis", legal_basis,
         ground == LIENTHONG__V1__EXEMPTION_GROUND__EXEMPTION_GROUND_OTHER);
}

static void v_exemption_certified(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__WorkPermitExemptionCertified *b = ev->work_permit_exemption_certified;
    char tp[LT_VALIDATE_PATH_MAX];
    int32_t from, until;
    text(c, p, "certificateNo", b->certificate_no, 1);
    exemption_common(c, p, b->ground, b->legal_basis);
    terms(c, p, "terms", b->terms, &from, &until);
    if (c->rs)
        max_years(c, LT_V_EXEMPTION_TOO_LONG, join(tp, p, "terms"), "validUntil",
                  "An exemption certificate", from, until, c->rs->exemption_max_years);
}

static void v_exemption_reported(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__WorkPermitExemptionReported *b = ev->work_permit_exemption_reported;
    int32_t from, until;
    text(c, p, "reportRef", b->report_ref, 1);
    exemption_common(c, p, b->ground, b->legal_basis);
    terms(c, p, "terms", b->terms, &from, &until);
}

static void v_entry(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__Entry *b = ev->entry;
    text(c, p, "borderGateCode", b->border_gate_code, 1);
    enumv(c, p, "visaPurpose", &lienthong__v1__visa_purpose__descriptor, b->visa_purpose, 1);
    text(c, p, "visaNo", b->visa_no, 0);
    date(c, p, "visaValidUntil", b->visa_valid_until, 0);
    not_before_event(c, p, "permittedStayUntil",
                     date(c, p, "permittedStayUntil", b->permitted_stay_until, 1));
    enterprise(c, p, "sponsorEnterpriseCode", b->sponsor_enterprise_code, 0);
    text(c, p, "sponsorName", b->sponsor_name, 0);
    person(c, p, "person", b->person, 0, 0);
}

static void v_exit(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__Exit *b = ev->exit;
    text(c, p, "borderGateCode", b->border_gate_code, 1);
    enumv(c, p, "visaPurpose", &lienthong__v1__visa_purpose__descriptor, b->visa_purpose, 0);
    country(c, p, "destinationCountry", b->destination_country, 0, 1);
}

static void v_residence_registered(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__ResidenceRegistered *b = ev->residence_registered;
    address(c, p, "address", b->address, 1, 1);
    text(c, p, "accommodationName", b->accommodation_name, 0);
    int32_t from = date(c, p, "validFrom", b->valid_from, 1);
    int32_t until = date(c, p, "validUntil", b->valid_until, 0);
    range(c, p, "validUntil", from, until);
}

static void v_residence_card_issued(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__ResidenceCardIssued *b = ev->residence_card_issued;
    text(c, p, "cardNo", b->card_no, 1);
    int years = -1;
    if (enumv(c, p, "cardPurpose", &lienthong__v1__visa_purpose__descriptor, b->card_purpose, 1)) {
        years = residence_card_max_years(b->card_purpose);
        if (years == 0)
            addf(c, LT_V_RESIDENCE_CARD_PURPOSE, p, "cardPurpose",
                 "No temporary residence card is issued for %s (Law 47/2014 Art. 36).",
                 protobuf_c_enum_descriptor_get_value(&lienthong__v1__visa_purpose__descriptor,
                                                      b->card_purpose)->name);
    }
    enterprise(c, p, "sponsorEnterpriseCode", b->sponsor_enterprise_code, 0);
    text(c, p, "sponsorName", b->sponsor_name, 0);
    address(c, p, "address", b->address, 0, 0);
    int32_t from = date(c, p, "validFrom", b->valid_from, 1);
    int32_t until = date(c, p, "validUntil", b->valid_until, 1);
    range(c, p, "validUntil", from, until);
    if (years > 0)
        max_years(c, LT_V_RESIDENCE_CARD_TOO_LONG, p, "validUntil",
                  "A temporary residence card with this symbol", from, until, years);
    text(c, p, "permitNo", b->permit_no, 0);
}

static void v_violation_recorded(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__ViolationRecorded *b = ev->violation_recorded;
    char fp[LT_VALIDATE_PATH_MAX];
    enumv(c, p, "violationType", &lienthong__v1__violation_type__descriptor, b->violation_type, 1);
    text(c, p, "decisionNo", b->decision_no, 0);
    enum_list(c, p, "sanctions", &lienthong__v1__sanction__descriptor, (const int *)b->sanctions,
              b->n_sanctions, 0);
    money(c, p, "fineVnd", b->fine_vnd);
    int fined = 0;
    for (size_t i = 0; i < b->n_sanctions; i++)
        fined |= b->sanctions[i] == LIENTHONG__V1__SANCTION__SANCTION_FINE;
    if ((b->fine_vnd > 0) != fined)
        addf(c, LT_V_FINE_INCONSISTENT, p, "fineVnd",
             fined ? "SANCTION_FINE is listed but fineVnd is not above 0."
                   : "fineVnd is above 0 but SANCTION_FINE is not listed.");
    text(c, p, "legalBasis", b->legal_basis,
         b->violation_type == LIENTHONG__V1__VIOLATION_TYPE__VIOLATION_TYPE_OTHER);
    enterprise(c, p, "employerEnterpriseCode", b->employer_enterprise_code, 0);
    if (b->foreign_worker) {
        join(fp, p, "foreignWorker");
        nationality(c, fp, "nationality", b->foreign_worker->nationality, 1);
        passport(c, fp, "passportNumber", b->foreign_worker->passport_number, 1);
    }
    text(c, p, "permitNo", b->permit_no, 0);
    area(c, p, "area", b->area, 0, 0, 0);
    text(c, p, "note", b->note, 0);
}

static void v_outbound_registered(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__OutboundRegistered *b = ev->outbound_registered;
    char f[LT_VALIDATE_PATH_MAX];
    person(c, p, "person", b->person, 1, 1);
    area(c, p, "residenceArea", b->residence_area, 1, 1, 1);
    enum_list(c, p, "priorityGroups", &lienthong__v1__priority_group__descriptor,
              (const int *)b->priority_groups, b->n_priority_groups, 0);
    for (size_t i = 0; i < b->n_wanted_countries; i++) {
        snprintf(f, sizeof f, "wantedCountries[%zu]", i);
        country(c, p, f, b->wanted_countries[i], 1, 1);
    }
    text(c, p, "wantedOccupation", b->wanted_occupation, 0);
    enumv(c, p, "wantedForm", &lienthong__v1__outbound_form__descriptor, b->wanted_form, 0);
}

static void v_citizen_identity_verified(struct ctx *c, const Lienthong__V1__Event *ev,
                                        const char *p)
{
    const Lienthong__V1__CitizenIdentityVerified *b = ev->citizen_identity_verified;
    const ProtobufCEnumDescriptor *fc = &lienthong__v1__field_check__descriptor;
    int res =
        enumv(c, p, "result", &lienthong__v1__identity_check_result__descriptor, b->result, 1);
    enumv(c, p, "fullNameCheck", fc, b->full_name_check, 1);
    enumv(c, p, "birthDateCheck", fc, b->birth_date_check, 1);
    enumv(c, p, "sexCheck", fc, b->sex_check, 1);
    int mismatch = b->full_name_check == LIENTHONG__V1__FIELD_CHECK__FIELD_CHECK_MISMATCH ||
                   b->birth_date_check == LIENTHONG__V1__FIELD_CHECK__FIELD_CHECK_MISMATCH ||
                   b->sex_check == LIENTHONG__V1__FIELD_CHECK__FIELD_CHECK_MISMATCH;
    if (res && b->result == LIENTHONG__V1__IDENTITY_CHECK_RESULT__IDENTITY_CHECK_RESULT_MATCH &&
        mismatch)
        addf(c, LT_V_IDENTITY_RESULT_INCONSISTENT, p, "result",
             "The result is MATCH but a checked field is MISMATCH.");
    if (res && b->result == LIENTHONG__V1__IDENTITY_CHECK_RESULT__IDENTITY_CHECK_RESULT_MISMATCH &&
        !mismatch)
        addf(c, LT_V_IDENTITY_RESULT_INCONSISTENT, p, "result",
             "The result is MISMATCH but no checked field is MISMATCH.");
    agency(c, p, "requestedByAgencyCode", b->requested_by_agency_code, 0);
    text(c, p, "requestRef", b->request_ref, 0);
}

static void v_training_completed(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__TrainingCompleted *b = ev->training_completed;
    enumv(c, p, "kind", &lienthong__v1__training_kind__descriptor, b->kind, 1);
    text(c, p, "courseName", b->course_name, 1);
    text(c, p, "certificateNo", b->certificate_no,
         b->kind == LIENTHONG__V1__TRAINING_KIND__TRAINING_KIND_ORIENTATION);
    not_after_event(c, p, "startDate", date(c, p, "startDate", b->start_date, 0));
    occupation(c, p, "occupationCode", b->occupation_code);
    enumv(c, p, "vocationalLevel", &lienthong__v1__vocational_level__descriptor,
          b->vocational_level, 0);
    language(c, p, "language", b->language,
             b->kind == LIENTHONG__V1__TRAINING_KIND__TRAINING_KIND_FOREIGN_LANGUAGE);
    enumv(c, p, "languageTest", &lienthong__v1__language_test__descriptor, b->language_test, 0);
    text(c, p, "languageLevel", b->language_level, 0);
    country(c, p, "destinationCountry", b->destination_country, 0, 1);
    enterprise(c, p, "serviceEnterpriseCode", b->service_enterprise_code, 0);
}

static void v_contract_registered(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__ContractRegistered *b = ev->contract_registered;
    char sp[LT_VALIDATE_PATH_MAX];
    text(c, p, "contractNo", b->contract_no, 1);
    enumv(c, p, "form", &lienthong__v1__outbound_form__descriptor, b->form, 1);
    int sending_unit = b->form >= LIENTHONG__V1__OUTBOUND_FORM__OUTBOUND_FORM_SERVICE_ENTERPRISE &&
                       b->form <= LIENTHONG__V1__OUTBOUND_FORM__OUTBOUND_FORM_SKILL_INTERNSHIP;
    enterprise(c, p, "serviceEnterpriseCode", b->service_enterprise_code, sending_unit);
    text(c, p, "serviceLicenceNo", b->service_licence_no,
         b->form == LIENTHONG__V1__OUTBOUND_FORM__OUTBOUND_FORM_SERVICE_ENTERPRISE);
    text(c, p, "supplyContractNo", b->supply_contract_no, 0);
    country(c, p, "destinationCountry", b->destination_country, 1, 1);
    text(c, p, "foreignEmployerName", b->foreign_employer_name, 1);
    text(c, p, "foreignEmployerRef", b->foreign_employer_ref, 0);
    text(c, p, "workLocation", b->work_location, 0);
    text(c, p, "jobTitle", b->job_title, 1);
    occupation(c, p, "occupationCode", b->occupation_code);
    text(c, p, "scheme", b->scheme, 0);
    date(c, p, "startDate", b->start_date, 1);
    if (b->duration_months == 0)
        missing(c, p, "durationMonths");
    if (!b->monthly_salary) {
        missing(c, p, "monthlySalary");
    } else {
        join(sp, p, "monthlySalary");
        currency(c, sp, "currency", b->monthly_salary->currency);
        positive(c, sp, "amountMinor", b->monthly_salary->amount_minor);
    }
    money(c, p, "serviceFeeVnd", b->service_fee_vnd);
    money(c, p, "brokerageFeeVnd", b->brokerage_fee_vnd);
    money(c, p, "depositVnd", b->deposit_vnd);
    text(c, p, "depositBank", b->deposit_bank, b->deposit_vnd > 0);
}

static void v_loan_disbursed(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__LoanDisbursed *b = ev->loan_disbursed;
    text(c, p, "loanNo", b->loan_no, 1);
    enumv(c, p, "programme", &lienthong__v1__loan_programme__descriptor, b->programme, 1);
    text(c, p, "programmeNote", b->programme_note,
         b->programme == LIENTHONG__V1__LOAN_PROGRAMME__LOAN_PROGRAMME_OTHER);
    positive(c, p, "amountVnd", b->amount_vnd);
    if (b->term_months == 0)
        missing(c, p, "termMonths");
    not_before_event(c, p, "maturityDate", date(c, p, "maturityDate", b->maturity_date, 0));
    text(c, p, "contractNo", b->contract_no, 0);
}

static void v_loan_repaid(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__LoanRepaid *b = ev->loan_repaid;
    text(c, p, "loanNo", b->loan_no, 1);
    money(c, p, "principalVnd", b->principal_vnd);
    money(c, p, "interestVnd", b->interest_vnd);
    money(c, p, "outstandingPrincipalVnd", b->outstanding_principal_vnd);
}

static void v_support_paid(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__SupportPaid *b = ev->support_paid;
    enumv(c, p, "programme", &lienthong__v1__support_programme__descriptor, b->programme, 1);
    text(c, p, "programmeNote", b->programme_note,
         b->programme == LIENTHONG__V1__SUPPORT_PROGRAMME__SUPPORT_PROGRAMME_OTHER);
    enumv(c, p, "kind", &lienthong__v1__support_kind__descriptor, b->kind, 1);
    positive(c, p, "amountVnd", b->amount_vnd);
    text(c, p, "decisionNo", b->decision_no, 0);
    text(c, p, "contractNo", b->contract_no, 0);
}

static void v_departure(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__Departure *b = ev->departure;
    text(c, p, "borderGateCode", b->border_gate_code, 1);
    country(c, p, "destinationCountry", b->destination_country, 1, 1);
    text(c, p, "contractNo", b->contract_no, 0);
    enterprise(c, p, "serviceEnterpriseCode", b->service_enterprise_code, 0);
    passport(c, p, "passportNumber", b->passport_number, 0);
}

static void v_return(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__Return *b = ev->return_home;
    text(c, p, "borderGateCode", b->border_gate_code, 1);
    country(c, p, "fromCountry", b->from_country, 0, 1);
    text(c, p, "contractNo", b->contract_no, 0);
    passport(c, p, "passportNumber", b->passport_number, 0);
}

static void v_contract_ended(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__ContractEnded *b = ev->contract_ended;
    text(c, p, "contractNo", b->contract_no, 1);
    enumv(c, p, "reason", &lienthong__v1__contract_end_reason__descriptor, b->reason, 1);
    int32_t liquidated = date(c, p, "liquidationDate", b->liquidation_date, 0);
    not_before_event(c, p, "liquidationDate", liquidated);
    money(c, p, "depositRefundedVnd", b->deposit_refunded_vnd);
    text(c, p, "note", b->note,
         b->reason == LIENTHONG__V1__CONTRACT_END_REASON__CONTRACT_END_REASON_EARLY_OTHER);
}

static void v_citizen_protection_case(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__CitizenProtectionCase *b = ev->citizen_protection_case;
    text(c, p, "caseNo", b->case_no, 1);
    country(c, p, "country", b->country, 1, 1);
    enumv(c, p, "incidentType", &lienthong__v1__protection_case_type__descriptor, b->incident_type,
          1);
    enumv(c, p, "status", &lienthong__v1__protection_case_status__descriptor, b->status, 1);
    text(c, p, "mission", b->mission, 0);
    text(c, p, "contractNo", b->contract_no, 0);
    enterprise(c, p, "serviceEnterpriseCode", b->service_enterprise_code, 0);
    text(c, p, "summary", b->summary, 0);
}

static void v_reemployment_supported(struct ctx *c, const Lienthong__V1__Event *ev, const char *p)
{
    const Lienthong__V1__ReemploymentSupported *b = ev->reemployment_supported;
    text(c, p, "jobCentreCode", b->job_centre_code, 1);
    enum_list(c, p, "kinds", &lienthong__v1__reemployment_support_kind__descriptor,
              (const int *)b->kinds, b->n_kinds, 1);
    enumv(c, p, "outcome", &lienthong__v1__reemployment_outcome__descriptor, b->outcome, 1);
    enterprise(c, p, "employerEnterpriseCode", b->employer_enterprise_code, 0);
    text(c, p, "jobTitle", b->job_title, 0);
    occupation(c, p, "occupationCode", b->occupation_code);
}

#define KIND(k) (1u << (k))
#define BODY(kase, json, kinds, dossier, check) \
    { LIENTHONG__V1__EVENT__BODY_##kase, json, kinds, dossier, check }
#define FOREIGNER KIND(LT_SUBJECT_FOREIGNER)
#define CITIZEN KIND(LT_SUBJECT_CITIZEN)
#define ENTERPRISE KIND(LT_SUBJECT_ENTERPRISE)

/* Every body this reader knows: its JSON name, the subject kinds it accepts
 * (event.proto, on each message), whether it is a decision on a dossier (may
 * name the previous rule set during a transition), and its check. */
static const struct body {
    Lienthong__V1__Event__BodyCase kase;
    const char *json;
    unsigned kinds;
    int dossier_decision;
    body_check check;
} bodies[] = {
    BODY(EMPLOYER_REGISTERED, "employerRegistered", ENTERPRISE, 0, v_employer_registered),
    BODY(LABOUR_DEMAND_DECLARED, "labourDemandDeclared", ENTERPRISE, 0, v_labour_demand_declared),
    BODY(LABOUR_DEMAND_APPROVED, "labourDemandApproved", ENTERPRISE, 1, v_labour_demand_approved),
    BODY(LABOUR_DEMAND_REJECTED, "labourDemandRejected", ENTERPRISE, 1, v_labour_demand_rejected),
    BODY(WORK_PERMIT_ISSUED, "workPermitIssued", FOREIGNER, 1, v_work_permit_issued),
    BODY(WORK_PERMIT_REISSUED, "workPermitReissued", FOREIGNER, 1, v_work_permit_reissued),
    BODY(WORK_PERMIT_EXTENDED, "workPermitExtended", FOREIGNER, 1, v_work_permit_extended),
    BODY(WORK_PERMIT_REVOKED, "workPermitRevoked", FOREIGNER, 0, v_work_permit_revoked),
    BODY(WORK_PERMIT_EXEMPTION_CERTIFIED, "workPermitExemptionCertified",
         FOREIGNER, 1, v_exemption_certified),
    BODY(WORK_PERMIT_EXEMPTION_REPORTED, "workPermitExemptionReported",
         FOREIGNER, 0, v_exemption_reported),
    BODY(ENTRY, "entry", FOREIGNER, 0, v_entry),
    BODY(EXIT, "exit", FOREIGNER, 0, v_exit),
    BODY(RESIDENCE_REGISTERED, "residenceRegistered", FOREIGNER, 0, v_residence_registered),
    BODY(RESIDENCE_CARD_ISSUED, "residenceCardIssued", FOREIGNER, 0, v_residence_card_issued),
    BODY(VIOLATION_RECORDED, "violationRecorded", FOREIGNER | ENTERPRISE, 0, v_violation_recorded),
    BODY(OUTBOUND_REGISTERED, "outboundRegistered", CITIZEN, 0, v_outbound_registered),
    BODY(CITIZEN_IDENTITY_VERIFIED, "citizenIdentityVerified",
         CITIZEN, 0, v_citizen_identity_verified),
    BODY(TRAINING_COMPLETED, "trainingCompleted", CITIZEN, 0, v_training_completed),
    BODY(CONTRACT_REGISTERED, "contractRegistered", CITIZEN, 0, v_contract_registered),
    BODY(LOAN_DISBURSED, "loanDisbursed", CITIZEN, 0, v_loan_disbursed),
    BODY(LOAN_REPAID, "loanRepaid", CITIZEN, 0, v_loan_repaid),
    BODY(SUPPORT_PAID, "supportPaid", CITIZEN, 0, v_support_paid),
    BODY(DEPARTURE, "departure", CITIZEN, 0, v_departure),
    BODY(RETURN_HOME, "returnHome", CITIZEN, 0, v_return),
    BODY(CONTRACT_ENDED, "contractEnded", CITIZEN, 0, v_contract_ended),
    BODY(CITIZEN_PROTECTION_CASE, "citizenProtectionCase", CITIZEN, 0, v_citizen_protection_case),
    BODY(REEMPLOYMENT_SUPPORTED, "reemploymentSupported", CITIZEN, 0, v_reemployment_supported),
};

static const struct body *body_of(Lienthong__V1__Event__BodyCase kase)
{
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++)
        if (bodies[i].kase == kase)
            return &bodies[i];
    return NULL;
}

/* The body message pointer of the set case (all cases share one union, so
 * any member reads it). */
static const void *body_ptr(const Lienthong__V1__Event *ev)
{
    return ev->employer_registered;
}

/* ===========================================================================
 * Header, subject, rule set
 * =========================================================================== */

/* "citizen", "foreigner or enterprise", … */
static const char *kind_names(unsigned kinds, char *buf, size_t n)
{
    static const struct {
        unsigned bit;
        const char *name;
    } k[] = { { CITIZEN, "citizen" }, { FOREIGNER, "foreigner" }, { ENTERPRISE, "enterprise" } };
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
        if (kinds & k[i].bit) {
            int w = snprintf(buf + len, n - len, "%s%s", len ? " or " : "", k[i].name);
            if (w > 0 && (size_t)w < n - len)
                len += (size_t)w;
        }
    return buf;
}

static void check_header(struct ctx *c, const Lienthong__V1__Header *h)
{
    static const uint8_t zero[32];
    const char *p = "header";
    if (h->event_id.len != LT_UUID_BYTES)
        addf(c, LT_V_EVENT_ID_LENGTH, p, "eventId", "The event id is %zu bytes; a UUIDv7 is 16.",
             h->event_id.len);
    else if (!lt_uuid_is_v7(h->event_id.data))
        addf(c, LT_V_EVENT_ID_NOT_UUID7, p, "eventId",
             "The event id is not a UUIDv7 (version nibble 7, variant 10).");
    agency(c, p, "agencyCode", h->agency_code, 1);
    if (h->sequence == 0)
        addf(c, LT_V_SEQUENCE_ZERO, p, "sequence", "Sequences start at 1; 0 is not a sequence.");
    if (h->prev_hash.len != sizeof zero) {
        addf(c, LT_V_PREV_HASH_LENGTH, p, "prevHash",
             "prevHash is %zu bytes; a BLAKE2b-256 hash is 32.", h->prev_hash.len);
    } else {
        int is_zero = memcmp(h->prev_hash.data, zero, sizeof zero) == 0;
        if (h->sequence == 1 && !is_zero)
            addf(c, LT_V_PREV_HASH_NOT_ZERO, p, "prevHash",
                 "The first event of an agency (sequence 1) carries 32 zero bytes as prevHash.");
        else if (h->sequence > 1 && is_zero)
            addf(c, LT_V_PREV_HASH_ZERO, p, "prevHash",
                 "Event %" PRIu64 " carries the zero hash; only sequence 1 may.", h->sequence);
    }
    if (h->occurred_at_ms == 0)
        missing(c, p, "occurredAtMs");
    if (h->recorded_at_ms == 0)
        missing(c, p, "recordedAtMs");
    if (h->occurred_at_ms && h->recorded_at_ms && h->occurred_at_ms > h->recorded_at_ms) {
        /* Unsigned: any two int64 instants, however absurd, subtract safely
         * (an overflow here was found by fuzz_event). */
        uint64_t ahead = (uint64_t)h->occurred_at_ms - (uint64_t)h->recorded_at_ms;
        if (ahead > (uint64_t)LT_VALIDATE_CLOCK_SKEW_MS)
            addf(c, LT_V_OCCURRED_AFTER_RECORDED, p, "occurredAtMs",
                 "The event happened %" PRIu64 " ms after it was recorded; at most %d ms of "
                 "clock skew is allowed.", ahead, LT_VALIDATE_CLOCK_SKEW_MS);
    }
    if (h->schema_version == 0)
        addf(c, LT_V_SCHEMA_VERSION_MISSING, p, "schemaVersion",
             "schemaVersion is required (1 for the first release).");
}

static void check_subject(struct ctx *c, const Lienthong__V1__Subject *s, const struct body *b)
{
    char kinds[48];
    if (!s || s->kind_case == LIENTHONG__V1__SUBJECT__KIND__NOT_SET) {
        addf(c, LT_V_SUBJECT_MISSING, "header", "subject",
             "The subject (citizen, foreigner or enterprise) is missing.");
        return;
    }
    enum lt_subject_fault f;
    char msg[LT_VALIDATE_MESSAGE_MAX];
    switch (s->kind_case) {
    case LIENTHONG__V1__SUBJECT__KIND_CITIZEN_ID:
        if (lt_subject_check_citizen_id(s->citizen_id, &f, msg, sizeof msg) != LT_OK)
            add(c->r, from_fault(f), "header.subject.citizenId", "%s", msg);
        break;
    case LIENTHONG__V1__SUBJECT__KIND_FOREIGNER:
        /* Both parts, so a publisher learns everything at once. */
        if (!s->foreigner) {
            missing(c, "header.subject", "foreigner");
            break;
        }
        nationality(c, "header.subject.foreigner", "nationality", s->foreigner->nationality, 1);
        passport(c, "header.subject.foreigner", "passportNumber", s->foreigner->passport_number,
                 1);
        break;
    default:
        if (lt_subject_check_enterprise_code(s->enterprise_code, &f, msg, sizeof msg) != LT_OK)
            add(c->r, from_fault(f), "header.subject.enterpriseCode", "%s", msg);
        break;
    }
    if (b && !(b->kinds & KIND(s->kind_case)))
        add(c->r, LT_V_SUBJECT_KIND_MISMATCH, "header.subject",
            "A %s event is about a %s; this subject is a %s.", b->json,
            kind_names(b->kinds, kinds, sizeof kinds),
            s->kind_case == LIENTHONG__V1__SUBJECT__KIND_CITIZEN_ID  ? "citizen"
            : s->kind_case == LIENTHONG__V1__SUBJECT__KIND_FOREIGNER ? "foreigner"
                                                                     : "enterprise");
}

/* The filing date a body states, for the transition rule (LT_DATE_NONE when
 * it states none or it does not parse: the field check reports that). */
static int32_t filing_date(const Lienthong__V1__Event *ev)
{
    int32_t d;
    if (ev->body_case == LIENTHONG__V1__EVENT__BODY_WORK_PERMIT_EXTENDED &&
        ev->work_permit_extended &&
        lt_date_parse(ev->work_permit_extended->application_date, &d, NULL, 0) == LT_OK)
        return d;
    return LT_DATE_NONE;
}

/* Decides whether the event may name its rule set; sets c->rs to the rule
 * set to apply to the body. */
static void check_rule_set(struct ctx *c, const Lienthong__V1__Event *ev,
                           const Lienthong__V1__Header *h, enum lt_programme prog,
                           const struct body *b)
{
    const char *p = "header";
    if (h->rule_set == 0) {
        addf(c, LT_V_RULE_SET_MISSING, p, "ruleSet", "ruleSet is required.");
        return;
    }
    if (!enumv(c, p, "ruleSet", &lienthong__v1__rule_set__descriptor, h->rule_set, 1))
        return;
    const struct lt_rule_set *named = lt_validate_rule_set(h->rule_set);
    if (!named) { /* known to the schema but absent from our table: a bug here */
        addf(c, LT_V_RULE_SET_MISSING, p, "ruleSet", "Rule set %d has no table entry.",
             (int)h->rule_set);
        return;
    }
    if (prog != LT_PROGRAMME_NONE && named->programme != prog) {
        addf(c, LT_V_RULE_SET_MISMATCH, p, "ruleSet",
             "%s is a rule set of the other programme; this body is %s.", named->name,
             prog == LT_PROGRAMME_INBOUND ? "inbound (foreign workers)"
                                          : "outbound (workers abroad)");
        return;
    }
    if (prog == LT_PROGRAMME_NONE || c->date == LT_DATE_NONE) {
        c->rs = named; /* no date or no body to compare against: apply what it names */
        return;
    }
    char d[LT_DATE_STRLEN + 1];
    lt_date_format(c->date, d);
    Lienthong__V1__RuleSet in_force = lt_validate_rule_set_for(c->date, prog);
    if (in_force == LIENTHONG__V1__RULE_SET__RULE_SET_UNSPECIFIED) {
        addf(c, LT_V_RULE_SET_NONE_IN_FORCE, p, "ruleSet",
             "No rule set of this programme was in force on %s (Vietnam time).", d);
        return;
    }
    c->rs = named;
    if (in_force == named->id)
        return;
    /* The transition allowance (see the rule-set table). */
    int32_t filed = filing_date(ev);
    if (b && b->dossier_decision && named->transition_days > 0 && c->date > named->last_day &&
        c->date <= named->last_day + named->transition_days &&
        (filed == LT_DATE_NONE || filed <= named->last_day))
        return;
    addf(c, LT_V_RULE_SET_MISMATCH, p, "ruleSet",
         "On %s (Vietnam time) the rule set in force is %s, not %s.", d,
         lt_validate_rule_set(in_force)->name, named->name);
}

/* The body case number carried by an unknown field (a case this reader's
 * generated code does not know), or 0. */
static uint32_t unknown_body_case(const Lienthong__V1__Event *ev)
{
    for (unsigned i = 0; i < ev->base.n_unknown_fields; i++)
        if (ev->base.unknown_fields[i].tag >= 100)
            return ev->base.unknown_fields[i].tag;
    return 0;
}

int lt_validate_event(const Lienthong__V1__Event *ev, struct lt_validate_result *out)
{
    lt_validate_result_init(out);
    struct ctx c = { .r = out, .date = LT_DATE_NONE };
    assert(ev);
    const Lienthong__V1__Header *h = ev->header;
    if (h) {
        c.newer_schema = h->schema_version > LT_VALIDATE_SCHEMA_VERSION;
        c.subject = h->subject;
        if (h->occurred_at_ms)
            c.date = lt_date_vn_from_unix_ms(h->occurred_at_ms);
    }

    const struct body *b = NULL;
    int kase = ev->body_case;
    if (ev->body_case == LIENTHONG__V1__EVENT__BODY__NOT_SET) {
        kase = (int)unknown_body_case(ev);
        if (kase)
            add(out, LT_V_BODY_CASE_UNKNOWN, "",
                "Body case %d is not known to this reader; the event waits for an upgrade.", kase);
        else
            add(out, LT_V_BODY_MISSING, "", "The event has no body.");
    } else if (!(b = body_of(ev->body_case))) {
        /* Generated code newer than this table: treat as unknown, never drop. */
        add(out, LT_V_BODY_CASE_UNKNOWN, "",
            "Body case %d has no validator in this reader; the event waits for an upgrade.",
            kase);
    } else if (!body_ptr(ev)) {
        b = NULL;
        add(out, LT_V_BODY_MISSING, "", "Body case %d is set but carries no message.", kase);
    }

    if (!h) {
        add(out, LT_V_HEADER_MISSING, "header", "The event has no header.");
    } else {
        check_header(&c, h);
        check_subject(&c, h->subject, b);
        check_rule_set(&c, ev, h, lt_validate_programme_of(kase), b);
    }
    if (b)
        b->check(&c, ev, b->json);
    return out->rejects ? LT_ERR_INVALID : LT_OK;
}
