/* subject.h — who an event is about: canonical subject ids, identity-number
 * structure, nationality and passport checks, and person names.
 *
 * The contract (proto/lienthong/v1/event.proto, message Subject) fixes three
 * kinds of subject and one ASCII canonical id for each:
 *   citizen     "VNM:" + 12-digit personal ID       VNM:001203012345
 *   foreigner   nationality ":" passport number      JPN:TK1234567
 *   enterprise  "enterprise:" + enterprise code      enterprise:0101234567
 * The canonical id is what the Kafka record key hashes, what the shared
 * database joins on and what the query service takes in its URLs. Publishers
 * send canonical forms; these functions reject anything else rather than
 * normalising it.
 *
 * Names are stored in Unicode NFC; search keys fold case and diacritics
 * (Vietnamese đ/Đ included, which Unicode does not decompose) and collapse
 * white space, so "Nguyễn Thị Đào" and "NGUYEN  THI DAO" meet.
 *
 * Every check returns LT_OK or LT_ERR_INVALID (core/err.h), sets *fault (when
 * fault is not NULL) to the precise stable reason, and writes one sentence
 * into err. */
#ifndef LT_EVENT_SUBJECT_H
#define LT_EVENT_SUBJECT_H

#include <stddef.h>

#include "lienthong/v1/event.pb-c.h"

/* Longest canonical id plus its NUL ("enterprise:" + "0101234567-001"). */
#define LT_SUBJECT_ID_MAX 32

/* The kinds, numbered as the Subject oneof cases. */
enum lt_subject_kind {
    LT_SUBJECT_NONE = 0,
    LT_SUBJECT_CITIZEN = 1,
    LT_SUBJECT_FOREIGNER = 2,
    LT_SUBJECT_ENTERPRISE = 3,
};

/* Why a subject, identity number or name was refused. Stable: the names from
 * lt_subject_fault_name appear in dead-letter records and tests. Append only. */
enum lt_subject_fault {
    LT_SUBJECT_OK = 0,
    LT_SUBJECT_KIND_MISSING,           /* "subject_kind_missing": no oneof case set */
    LT_SUBJECT_ID_SYNTAX,              /* "subject_id_syntax": canonical text has no known form */
    LT_SUBJECT_CITIZEN_ID_FORMAT,      /* "citizen_id_format": not exactly 12 ASCII digits */
    LT_SUBJECT_CITIZEN_ID_PROVINCE,    /* "citizen_id_province_unknown": digits 1-3 unassigned */
    LT_SUBJECT_CITIZEN_ID_CENTURY,     /* "citizen_id_century_mismatch": digit 4 vs birth century */
    LT_SUBJECT_CITIZEN_ID_SEX,         /* "citizen_id_sex_mismatch": digit 4 parity vs sex */
    LT_SUBJECT_CITIZEN_ID_BIRTH_YEAR,  /* "citizen_id_birth_year_mismatch": digits 5-6 vs year */
    LT_SUBJECT_CITIZEN_SEX_UNSTATED,   /* "citizen_sex_unstated": a citizen's sex is stated */
    LT_SUBJECT_NATIONALITY_FORMAT,     /* "nationality_format": not 3 upper-case ASCII letters */
    LT_SUBJECT_NATIONALITY_UNKNOWN,    /* "nationality_unknown": not ISO 3166-1 nor ICAO XX* */
    LT_SUBJECT_NATIONALITY_VNM,        /* "nationality_vnm": never a foreigner's nationality */
    LT_SUBJECT_PASSPORT_FORMAT,        /* "passport_number_format": not 1-20 of [A-Z0-9] */
    LT_SUBJECT_ENTERPRISE_CODE_FORMAT, /* "enterprise_code_format": not 10 digits [-3 digits] */
    LT_SUBJECT_UTF8_INVALID,           /* "utf8_invalid": text is not well-formed UTF-8 */
    LT_SUBJECT_TEXT_NOT_NFC,           /* "text_not_nfc": text is not in Unicode NFC */
    LT_SUBJECT_TEXT_UNTRIMMED,         /* "text_untrimmed": leading or trailing white space */
};

/* Stable snake_case name of a fault ("citizen_id_format", …); "unknown" for
 * a value not in the enum. */
const char *lt_subject_fault_name(enum lt_subject_fault fault);

/* A canonical id taken apart (lt_subject_parse_id). Only the fields of `kind`
 * are set; the others are empty strings. */
struct lt_subject_id {
    enum lt_subject_kind kind;
    char citizen_id[13];
    char nationality[4];
    char passport_number[21];
    char enterprise_code[15];
};

/* --- identity numbers and codes ------------------------------------------ */

/* Checks a Vietnamese 12-digit personal ID on its own: 12 ASCII digits and an
 * assigned province-of-birth code in digits 1-3. Digit 4 (century and sex)
 * and digits 5-6 (birth year) can only be checked against a birth date and
 * sex: lt_subject_check_citizen_birth. */
int lt_subject_check_citizen_id(const char *id, enum lt_subject_fault *fault, char *err,
                                size_t errlen) __attribute__((warn_unused_result));

/* Checks that a structurally valid personal ID agrees with a stated birth
 * year and sex (Circular 59/2021/TT-BCA): digit 4 is 0/1 for births in
 * 1900-1999 (male/female), 2/3 for 2000-2099, 4/5 2100-2199, 6/7 2200-2299,
 * 8/9 2300-2399; digits 5-6 are the last two digits of the birth year.
 * birth_year 0 means "unknown" and skips the century and year checks;
 * LIENTHONG__V1__SEX__SEX_UNSPECIFIED skips the sex check;
 * SEX_UNSTATED is refused (LT_SUBJECT_CITIZEN_SEX_UNSTATED). Checks in the
 * order century, birth year, sex and reports the first disagreement. Also
 * runs lt_subject_check_citizen_id first. */
int lt_subject_check_citizen_birth(const char *id, int birth_year, Lienthong__V1__Sex sex,
                                   enum lt_subject_fault *fault, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Name of the province or centrally-run city with this 3-digit
 * province-of-birth code ("001" -> "Hà Nội"), or NULL when the code is not
 * one of the 63 assigned codes. */
const char *lt_subject_province_name(const char *code3);

/* 1 if code is an officially assigned ISO 3166-1 alpha-3 code (upper case,
 * "VNM" included), else 0. ICAO's XXA/XXB/XXC/XXX are not countries: 0. */
int lt_subject_country_is_assigned(const char *code);

/* Checks a foreigner's nationality: an assigned ISO 3166-1 alpha-3 code or
 * one of ICAO's XXA, XXB, XXC, XXX, and never "VNM". */
int lt_subject_check_nationality(const char *code, enum lt_subject_fault *fault, char *err,
                                 size_t errlen) __attribute__((warn_unused_result));

/* Checks a passport number as in the machine-readable zone: 1-20 upper-case
 * ASCII letters and digits, nothing else. */
int lt_subject_check_passport(const char *number, enum lt_subject_fault *fault, char *err,
                              size_t errlen) __attribute__((warn_unused_result));

/* Checks an enterprise (tax) code: 10 ASCII digits, or for a branch or
 * dependent unit 10 digits + "-" + 3 digits. */
int lt_subject_check_enterprise_code(const char *code, enum lt_subject_fault *fault, char *err,
                                     size_t errlen) __attribute__((warn_unused_result));

/* --- whole subjects and canonical ids ------------------------------------ */

/* Checks whichever case of the Subject is set, as the functions above do. */
int lt_subject_check(const Lienthong__V1__Subject *s, enum lt_subject_fault *fault, char *err,
                     size_t errlen) __attribute__((warn_unused_result));

/* Writes the canonical id of a valid Subject into out (NUL-terminated).
 * Refuses (LT_ERR_INVALID, out set to "") any subject lt_subject_check
 * refuses. */
int lt_subject_canonical_id(const Lienthong__V1__Subject *s, char out[LT_SUBJECT_ID_MAX],
                            enum lt_subject_fault *fault, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Parses a canonical id (as from a URL path, already percent-decoded) into
 * *out, checking its parts exactly as lt_subject_check does. The text must be
 * exactly canonical: no white space, no lower-case nationality, no other
 * separators. */
int lt_subject_parse_id(const char *text, struct lt_subject_id *out, enum lt_subject_fault *fault,
                        char *err, size_t errlen) __attribute__((warn_unused_result));

/* Points *s (and *f for a foreigner) at the strings inside *id, so a parsed
 * id can be handed to code that takes a Subject. Nothing is allocated or
 * copied: *s and *f borrow from *id and must not outlive it, nor be freed
 * with __free_unpacked. */
void lt_subject_id_to_proto(const struct lt_subject_id *id, Lienthong__V1__Subject *s,
                            Lienthong__V1__Foreigner *f);

/* --- names and text ------------------------------------------------------ */

/* The Unicode NFC form of UTF-8 text. On success *out is a new NUL-terminated
 * string owned by the caller (release with free()). Invalid UTF-8 is refused
 * with LT_SUBJECT_UTF8_INVALID and *out set to NULL. */
int lt_subject_name_nfc(const char *in, char **out, enum lt_subject_fault *fault, char *err,
                        size_t errlen) __attribute__((warn_unused_result));

/* The search key of a name: compatibility-decomposed, case-folded, every
 * combining mark removed, đ/Đ mapped to d, control characters dropped, runs
 * of white space collapsed to one ASCII space and trimmed. "Nguyễn Thị Đào"
 * -> "nguyen thi dao". Composed and decomposed spellings give the same key.
 * *out is owned by the caller (free()); invalid UTF-8 is refused as in
 * lt_subject_name_nfc. */
int lt_subject_name_key(const char *in, char **out, enum lt_subject_fault *fault, char *err,
                        size_t errlen) __attribute__((warn_unused_result));

/* Checks text the contract says is "UTF-8 in NFC, no leading or trailing
 * white space": LT_SUBJECT_UTF8_INVALID, LT_SUBJECT_TEXT_NOT_NFC or
 * LT_SUBJECT_TEXT_UNTRIMMED. The empty string passes. */
int lt_subject_text_check(const char *s, enum lt_subject_fault *fault, char *err, size_t errlen)
    __attribute__((warn_unused_result));

#endif
