/* subject.c — canonical subject ids, personal-ID structure, nationality,
 * passport and enterprise-code formats, and NFC / search-key forms of names.
 *
 * The tables here are the closed lists the checks rest on: the 63 assigned
 * province-of-birth codes of the 12-digit personal ID and the officially
 * assigned ISO 3166-1 alpha-3 codes. Text work is done by utf8proc; this file
 * only adds what utf8proc lacks (đ/Đ, which has no Unicode decomposition)
 * and does its allocation through core/mem.h. */
#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "core/err.h"
#include "core/mem.h"
#include "event/subject.h"

/* --- tables --------------------------------------------------------------- */

/* Province-of-birth codes, digits 1-3 of the personal ID: Circular
 * 07/2016/TT-BCA, annex on province codes, kept by Circular 59/2021/TT-BCA.
 * Each is "0" + the province's two-digit code in the national list of
 * administrative units (Decision 124/2004/QĐ-TTg), for the 63 provinces and
 * centrally-run cities as they stood from 2008 to the 2025 mergers.
 * Uncertain, to confirm against the circular's annex before relying on it:
 *   - citizens whose birth was registered abroad carry a country code in
 *     digits 1-3; we do not hold that list, so their IDs are refused as
 *     citizen_id_province_unknown;
 *   - after the 2025 mergers (34 provinces) we assume new IDs keep using the
 *     code of the surviving province, which is in this list; numbers already
 *     issued never change, so old codes stay valid for ever. */
static const struct province {
    char code[4];
    const char *name;
} provinces[] = {
    { "001", "Hà Nội" },         { "002", "Hà Giang" },       { "004", "Cao Bằng" },
    { "006", "Bắc Kạn" },        { "008", "Tuyên Quang" },    { "010", "Lào Cai" },
    { "011", "Điện Biên" },      { "012", "Lai Châu" },       { "014", "Sơn La" },
    { "015", "Yên Bái" },        { "017", "Hòa Bình" },       { "019", "Thái Nguyên" },
    { "020", "Lạng Sơn" },       { "022", "Quảng Ninh" },     { "024", "Bắc Giang" },
    { "025", "Phú Thọ" },        { "026", "Vĩnh Phúc" },      { "027", "Bắc Ninh" },
    { "030", "Hải Dương" },      { "031", "Hải Phòng" },      { "033", "Hưng Yên" },
    { "034", "Thái Bình" },      { "035", "Hà Nam" },         { "036", "Nam Định" },
    { "037", "Ninh Bình" },      { "038", "Thanh Hóa" },      { "040", "Nghệ An" },
    { "042", "Hà Tĩnh" },        { "044", "Quảng Bình" },     { "045", "Quảng Trị" },
    { "046", "Thừa Thiên Huế" }, { "048", "Đà Nẵng" },        { "049", "Quảng Nam" },
    { "051", "Quảng Ngãi" },     { "052", "Bình Định" },      { "054", "Phú Yên" },
    { "056", "Khánh Hòa" },      { "058", "Ninh Thuận" },     { "060", "Bình Thuận" },
    { "062", "Kon Tum" },        { "064", "Gia Lai" },        { "066", "Đắk Lắk" },
    { "067", "Đắk Nông" },       { "068", "Lâm Đồng" },       { "070", "Bình Phước" },
    { "072", "Tây Ninh" },       { "074", "Bình Dương" },     { "075", "Đồng Nai" },
    { "077", "Bà Rịa - Vũng Tàu" }, { "079", "Hồ Chí Minh" }, { "080", "Long An" },
    { "082", "Tiền Giang" },     { "083", "Bến Tre" },        { "084", "Trà Vinh" },
    { "086", "Vĩnh Long" },      { "087", "Đồng Tháp" },      { "089", "An Giang" },
    { "091", "Kiên Giang" },     { "092", "Cần Thơ" },        { "093", "Hậu Giang" },
    { "094", "Sóc Trăng" },      { "095", "Bạc Liêu" },       { "096", "Cà Mau" },
};

/* ISO 3166-1 alpha-3, every officially assigned code (249), sorted for
 * bsearch. Source: the ISO 3166-1 list as shipped in Debian iso-codes 4.15.0
 * (/usr/share/iso-codes/json/iso_3166-1.json). User-assigned codes (e.g. XKX,
 * used by some for Kosovo) are not in it. */
static const char iso3166_alpha3[][4] = {
    "ABW", "AFG", "AGO", "AIA", "ALA", "ALB", "AND", "ARE", "ARG", "ARM", "ASM", "ATA", "ATF",
    "ATG", "AUS", "AUT", "AZE", "BDI", "BEL", "BEN", "BES", "BFA", "BGD", "BGR", "BHR", "BHS",
    "BIH", "BLM", "BLR", "BLZ", "BMU", "BOL", "BRA", "BRB", "BRN", "BTN", "BVT", "BWA", "CAF",
    "CAN", "CCK", "CHE", "CHL", "CHN", "CIV", "CMR", "COD", "COG", "COK", "COL", "COM", "CPV",
    "CRI", "CUB", "CUW", "CXR", "CYM", "CYP", "CZE", "DEU", "DJI", "DMA", "DNK", "DOM", "DZA",
    "ECU", "EGY", "ERI", "ESH", "ESP", "EST", "ETH", "FIN", "FJI", "FLK", "FRA", "FRO", "FSM",
    "GAB", "GBR", "GEO", "GGY", "GHA", "GIB", "GIN", "GLP", "GMB", "GNB", "GNQ", "GRC", "GRD",
    "GRL", "GTM", "GUF", "GUM", "GUY", "HKG", "HMD", "HND", "HRV", "HTI", "HUN", "IDN", "IMN",
    "IND", "IOT", "IRL", "IRN", "IRQ", "ISL", "ISR", "ITA", "JAM", "JEY", "JOR", "JPN", "KAZ",
    "KEN", "KGZ", "KHM", "KIR", "KNA", "KOR", "KWT", "LAO", "LBN", "LBR", "LBY", "LCA", "LIE",
    "LKA", "LSO", "LTU", "LUX", "LVA", "MAC", "MAF", "MAR", "MCO", "MDA", "MDG", "MDV", "MEX",
    "MHL", "MKD", "MLI", "MLT", "MMR", "MNE", "MNG", "MNP", "MOZ", "MRT", "MSR", "MTQ", "MUS",
    "MWI", "MYS", "MYT", "NAM", "NCL", "NER", "NFK", "NGA", "NIC", "NIU", "NLD", "NOR", "NPL",
    "NRU", "NZL", "OMN", "PAK", "PAN", "PCN", "PER", "PHL", "PLW", "PNG", "POL", "PRI", "PRK",
    "PRT", "PRY", "PSE", "PYF", "QAT", "REU", "ROU", "RUS", "RWA", "SAU", "SDN", "SEN", "SGP",
    "SGS", "SHN", "SJM", "SLB", "SLE", "SLV", "SMR", "SOM", "SPM", "SRB", "SSD", "STP", "SUR",
    "SVK", "SVN", "SWE", "SWZ", "SXM", "SYC", "SYR", "TCA", "TCD", "TGO", "THA", "TJK", "TKL",
    "TKM", "TLS", "TON", "TTO", "TUN", "TUR", "TUV", "TWN", "TZA", "UGA", "UKR", "UMI", "URY",
    "USA", "UZB", "VAT", "VCT", "VEN", "VGB", "VIR", "VNM", "VUT", "WLF", "WSM", "YEM", "ZAF",
    "ZMB", "ZWE",
};

/* ICAO Doc 9303 codes for travel documents of stateless persons and refugees
 * (XXA stateless, XXB refugee under the 1951 Convention, XXC other refugee,
 * XXX unspecified nationality): kept as printed (event.proto, Foreigner). */
static const char icao_nationality[][4] = { "XXA", "XXB", "XXC", "XXX" };

static const char *const fault_names[] = {
    [LT_SUBJECT_OK] = "ok",
    [LT_SUBJECT_KIND_MISSING] = "subject_kind_missing",
    [LT_SUBJECT_ID_SYNTAX] = "subject_id_syntax",
    [LT_SUBJECT_CITIZEN_ID_FORMAT] = "citizen_id_format",
    [LT_SUBJECT_CITIZEN_ID_PROVINCE] = "citizen_id_province_unknown",
    [LT_SUBJECT_CITIZEN_ID_CENTURY] = "citizen_id_century_mismatch",
    [LT_SUBJECT_CITIZEN_ID_SEX] = "citizen_id_sex_mismatch",
    [LT_SUBJECT_CITIZEN_ID_BIRTH_YEAR] = "citizen_id_birth_year_mismatch",
    [LT_SUBJECT_CITIZEN_SEX_UNSTATED] = "citizen_sex_unstated",
    [LT_SUBJECT_NATIONALITY_FORMAT] = "nationality_format",
    [LT_SUBJECT_NATIONALITY_UNKNOWN] = "nationality_unknown",
    [LT_SUBJECT_NATIONALITY_VNM] = "nationality_vnm",
    [LT_SUBJECT_PASSPORT_FORMAT] = "passport_number_format",
    [LT_SUBJECT_ENTERPRISE_CODE_FORMAT] = "enterprise_code_format",
    [LT_SUBJECT_UTF8_INVALID] = "utf8_invalid",
    [LT_SUBJECT_TEXT_NOT_NFC] = "text_not_nfc",
    [LT_SUBJECT_TEXT_UNTRIMMED] = "text_untrimmed",
};

const char *lt_subject_fault_name(enum lt_subject_fault fault)
{
    if ((unsigned)fault < sizeof fault_names / sizeof fault_names[0] && fault_names[fault])
        return fault_names[fault];
    return "unknown";
}

/* Sets *fault and err; returns LT_ERR_INVALID (LT_OK for LT_SUBJECT_OK). */
static int refuse(enum lt_subject_fault *fault, enum lt_subject_fault f, char *err, size_t errlen,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int refuse(enum lt_subject_fault *fault, enum lt_subject_fault f, char *err, size_t errlen,
                  const char *fmt, ...)
{
    if (fault)
        *fault = f;
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return f == LT_SUBJECT_OK ? LT_OK : LT_ERR_INVALID;
}

static int ok(enum lt_subject_fault *fault, char *err, size_t errlen)
{
    if (fault)
        *fault = LT_SUBJECT_OK;
    if (err && errlen)
        err[0] = '\0';
    return LT_OK;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_upper(char c) { return c >= 'A' && c <= 'Z'; }

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return 0;
    return 1;
}

/* Length of s, but stops counting past max (so hostile input costs little). */
static size_t bounded_len(const char *s, size_t max)
{
    size_t n = 0;
    while (n <= max && s[n])
        n++;
    return n;
}

static int cmp3(const void *a, const void *b)
{
    return memcmp(a, b, 3);
}

/* --- identity numbers and codes ------------------------------------------ */

const char *lt_subject_province_name(const char *code3)
{
    if (!code3 || bounded_len(code3, 3) != 3)
        return NULL;
    for (size_t i = 0; i < sizeof provinces / sizeof provinces[0]; i++)
        if (memcmp(provinces[i].code, code3, 3) == 0)
            return provinces[i].name;
    return NULL;
}

int lt_subject_check_citizen_id(const char *id, enum lt_subject_fault *fault, char *err,
                                size_t errlen)
{
    if (!id || bounded_len(id, 12) != 12 || !all_digits(id, 12))
        return refuse(fault, LT_SUBJECT_CITIZEN_ID_FORMAT, err, errlen,
                      "A personal ID must be exactly 12 ASCII digits.");
    char province[4] = { id[0], id[1], id[2], '\0' };
    if (!lt_subject_province_name(province))
        return refuse(fault, LT_SUBJECT_CITIZEN_ID_PROVINCE, err, errlen,
                      "Personal ID digits 1-3 (%.3s) are not an assigned province-of-birth code.",
                      id);
    return ok(fault, err, errlen);
}

int lt_subject_check_citizen_birth(const char *id, int birth_year, Lienthong__V1__Sex sex,
                                   enum lt_subject_fault *fault, char *err, size_t errlen)
{
    int rc = lt_subject_check_citizen_id(id, fault, err, errlen);
    if (rc != LT_OK)
        return rc;
    int digit = id[3] - '0';
    if (birth_year != 0) {
        int first = 1900 + 100 * (digit / 2);
        if (birth_year < first || birth_year > first + 99)
            return refuse(fault, LT_SUBJECT_CITIZEN_ID_CENTURY, err, errlen,
                          "Personal ID digit 4 (%d) means birth in %d-%d, but the birth year "
                          "is %d.", digit, first, first + 99, birth_year);
        int yy = (id[4] - '0') * 10 + (id[5] - '0');
        if (yy != birth_year % 100)
            return refuse(fault, LT_SUBJECT_CITIZEN_ID_BIRTH_YEAR, err, errlen,
                          "Personal ID digits 5-6 (%02d) do not match the birth year %d.", yy,
                          birth_year);
    }
    if (sex == LIENTHONG__V1__SEX__SEX_UNSTATED)
        return refuse(fault, LT_SUBJECT_CITIZEN_SEX_UNSTATED, err, errlen,
                      "A Vietnamese citizen's sex is always stated: the personal ID encodes it.");
    if (sex == LIENTHONG__V1__SEX__SEX_MALE || sex == LIENTHONG__V1__SEX__SEX_FEMALE) {
        int female = digit % 2;
        if (female != (sex == LIENTHONG__V1__SEX__SEX_FEMALE))
            return refuse(fault, LT_SUBJECT_CITIZEN_ID_SEX, err, errlen,
                          "Personal ID digit 4 (%d) means %s, but the stated sex is %s.", digit,
                          female ? "female" : "male", female ? "male" : "female");
    }
    return ok(fault, err, errlen);
}

int lt_subject_country_is_assigned(const char *code)
{
    if (!code || bounded_len(code, 3) != 3)
        return 0;
    return bsearch(code, iso3166_alpha3, sizeof iso3166_alpha3 / sizeof iso3166_alpha3[0],
                   sizeof iso3166_alpha3[0], cmp3) != NULL;
}

int lt_subject_check_nationality(const char *code, enum lt_subject_fault *fault, char *err,
                                 size_t errlen)
{
    if (!code || bounded_len(code, 3) != 3 || !is_upper(code[0]) || !is_upper(code[1]) ||
        !is_upper(code[2]))
        return refuse(fault, LT_SUBJECT_NATIONALITY_FORMAT, err, errlen,
                      "A nationality is an ISO 3166-1 alpha-3 code: 3 upper-case ASCII letters.");
    if (strcmp(code, "VNM") == 0)
        return refuse(fault, LT_SUBJECT_NATIONALITY_VNM, err, errlen,
                      "A foreigner's nationality is never VNM; a Vietnamese citizen is identified "
                      "by the personal ID.");
    if (lt_subject_country_is_assigned(code))
        return ok(fault, err, errlen);
    for (size_t i = 0; i < sizeof icao_nationality / sizeof icao_nationality[0]; i++)
        if (memcmp(icao_nationality[i], code, 3) == 0)
            return ok(fault, err, errlen);
    return refuse(fault, LT_SUBJECT_NATIONALITY_UNKNOWN, err, errlen,
                  "%s is neither an assigned ISO 3166-1 alpha-3 code nor XXA/XXB/XXC/XXX.", code);
}

int lt_subject_check_passport(const char *number, enum lt_subject_fault *fault, char *err,
                              size_t errlen)
{
    size_t n = number ? bounded_len(number, 20) : 0;
    int good = n >= 1 && n <= 20;
    for (size_t i = 0; good && i < n; i++)
        good = is_upper(number[i]) || is_digit(number[i]);
    if (!good)
        return refuse(fault, LT_SUBJECT_PASSPORT_FORMAT, err, errlen,
                      "A passport number is 1-20 upper-case ASCII letters and digits, as in the "
                      "machine-readable zone, with no spaces, dashes or '<'.");
    return ok(fault, err, errlen);
}

int lt_subject_check_enterprise_code(const char *code, enum lt_subject_fault *fault, char *err,
                                     size_t errlen)
{
    size_t n = code ? bounded_len(code, 14) : 0;
    int good = (n == 10 && all_digits(code, 10)) ||
               (n == 14 && all_digits(code, 10) && code[10] == '-' && all_digits(code + 11, 3));
    if (!good)
        return refuse(fault, LT_SUBJECT_ENTERPRISE_CODE_FORMAT, err, errlen,
                      "An enterprise code is 10 ASCII digits, or 10 digits, '-' and 3 digits for "
                      "a branch or dependent unit.");
    return ok(fault, err, errlen);
}

/* --- whole subjects and canonical ids ------------------------------------ */

int lt_subject_check(const Lienthong__V1__Subject *s, enum lt_subject_fault *fault, char *err,
                     size_t errlen)
{
    if (!s)
        return refuse(fault, LT_SUBJECT_KIND_MISSING, err, errlen, "The subject is missing.");
    switch (s->kind_case) {
    case LIENTHONG__V1__SUBJECT__KIND_CITIZEN_ID:
        return lt_subject_check_citizen_id(s->citizen_id, fault, err, errlen);
    case LIENTHONG__V1__SUBJECT__KIND_FOREIGNER: {
        if (!s->foreigner)
            return refuse(fault, LT_SUBJECT_NATIONALITY_FORMAT, err, errlen,
                          "The foreigner's nationality and passport are missing.");
        int rc = lt_subject_check_nationality(s->foreigner->nationality, fault, err, errlen);
        if (rc != LT_OK)
            return rc;
        return lt_subject_check_passport(s->foreigner->passport_number, fault, err, errlen);
    }
    case LIENTHONG__V1__SUBJECT__KIND_ENTERPRISE_CODE:
        return lt_subject_check_enterprise_code(s->enterprise_code, fault, err, errlen);
    default:
        return refuse(fault, LT_SUBJECT_KIND_MISSING, err, errlen,
                      "The subject has no citizen, foreigner or enterprise case set.");
    }
}

int lt_subject_canonical_id(const Lienthong__V1__Subject *s, char out[LT_SUBJECT_ID_MAX],
                            enum lt_subject_fault *fault, char *err, size_t errlen)
{
    out[0] = '\0';
    int rc = lt_subject_check(s, fault, err, errlen);
    if (rc != LT_OK)
        return rc;
    int n;
    switch (s->kind_case) {
    case LIENTHONG__V1__SUBJECT__KIND_CITIZEN_ID:
        n = snprintf(out, LT_SUBJECT_ID_MAX, "VNM:%s", s->citizen_id);
        break;
    case LIENTHONG__V1__SUBJECT__KIND_FOREIGNER:
        n = snprintf(out, LT_SUBJECT_ID_MAX, "%s:%s", s->foreigner->nationality,
                     s->foreigner->passport_number);
        break;
    default:
        n = snprintf(out, LT_SUBJECT_ID_MAX, "enterprise:%s", s->enterprise_code);
        break;
    }
    assert(n > 0 && n < LT_SUBJECT_ID_MAX); /* the checks bound every part */
    (void)n;
    return LT_OK;
}

int lt_subject_parse_id(const char *text, struct lt_subject_id *out, enum lt_subject_fault *fault,
                        char *err, size_t errlen)
{
    static const char ent[] = "enterprise:";
    memset(out, 0, sizeof *out);
    size_t n = text ? bounded_len(text, LT_SUBJECT_ID_MAX) : 0;
    if (n == 0 || n >= LT_SUBJECT_ID_MAX)
        return refuse(fault, LT_SUBJECT_ID_SYNTAX, err, errlen,
                      "A subject id is \"VNM:<12 digits>\", \"<nationality>:<passport>\" or "
                      "\"enterprise:<code>\".");
    int rc;
    if (strncmp(text, ent, sizeof ent - 1) == 0) {
        const char *code = text + sizeof ent - 1;
        if ((rc = lt_subject_check_enterprise_code(code, fault, err, errlen)) != LT_OK)
            return rc;
        out->kind = LT_SUBJECT_ENTERPRISE;
        memcpy(out->enterprise_code, code, strlen(code) + 1);
        return LT_OK;
    }
    if (n < 5 || text[3] != ':')
        return refuse(fault, LT_SUBJECT_ID_SYNTAX, err, errlen,
                      "A subject id is \"VNM:<12 digits>\", \"<nationality>:<passport>\" or "
                      "\"enterprise:<code>\".");
    if (strncmp(text, "VNM:", 4) == 0) {
        if ((rc = lt_subject_check_citizen_id(text + 4, fault, err, errlen)) != LT_OK)
            return rc;
        out->kind = LT_SUBJECT_CITIZEN;
        memcpy(out->citizen_id, text + 4, 13);
        return LT_OK;
    }
    char nat[4] = { text[0], text[1], text[2], '\0' };
    if ((rc = lt_subject_check_nationality(nat, fault, err, errlen)) != LT_OK)
        return rc;
    if ((rc = lt_subject_check_passport(text + 4, fault, err, errlen)) != LT_OK)
        return rc;
    out->kind = LT_SUBJECT_FOREIGNER;
    memcpy(out->nationality, nat, sizeof nat);
    memcpy(out->passport_number, text + 4, strlen(text + 4) + 1);
    return LT_OK;
}

void lt_subject_id_to_proto(const struct lt_subject_id *id, Lienthong__V1__Subject *s,
                            Lienthong__V1__Foreigner *f)
{
    lienthong__v1__subject__init(s);
    switch (id->kind) {
    case LT_SUBJECT_CITIZEN:
        s->kind_case = LIENTHONG__V1__SUBJECT__KIND_CITIZEN_ID;
        s->citizen_id = (char *)id->citizen_id;
        break;
    case LT_SUBJECT_FOREIGNER:
        lienthong__v1__foreigner__init(f);
        f->nationality = (char *)id->nationality;
        f->passport_number = (char *)id->passport_number;
        s->kind_case = LIENTHONG__V1__SUBJECT__KIND_FOREIGNER;
        s->foreigner = f;
        break;
    case LT_SUBJECT_ENTERPRISE:
        s->kind_case = LIENTHONG__V1__SUBJECT__KIND_ENTERPRISE_CODE;
        s->enterprise_code = (char *)id->enterprise_code;
        break;
    default:
        break;
    }
}

/* --- names and text ------------------------------------------------------ */

/* utf8proc decomposes đ (U+0111) and Đ (U+0110) to nothing: they are letters
 * of their own, not d + a mark. For search they must meet "d". */
static utf8proc_int32_t map_d_stroke(utf8proc_int32_t cp, void *data)
{
    (void)data;
    return (cp == 0x0110 || cp == 0x0111) ? 'd' : cp;
}

/* Runs utf8proc's decompose + normalize over in with options (and the custom
 * mapping, if any) into a new code-point buffer with room for reencoding.
 * Returns the number of code points, or a negative utf8proc error; *out is
 * set only on success (caller frees). */
static utf8proc_ssize_t to_codepoints(const char *in, utf8proc_option_t options,
                                      utf8proc_custom_func custom, utf8proc_int32_t **out)
{
    const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)in;
    utf8proc_ssize_t len = (utf8proc_ssize_t)strlen(in);
    utf8proc_int32_t probe[64];
    utf8proc_ssize_t n = utf8proc_decompose_custom(s, len, probe, 64, options, custom, NULL);
    if (n < 0)
        return n;
    /* +1: utf8proc_reencode needs one spare unit for the NUL. */
    utf8proc_int32_t *buf = lt_malloc(((size_t)n + 1) * sizeof *buf);
    utf8proc_ssize_t m = utf8proc_decompose_custom(s, len, buf, n, options, custom, NULL);
    assert(m == n);
    (void)m;
    n = utf8proc_normalize_utf32(buf, n, options);
    if (n < 0) {
        free(buf);
        return n;
    }
    *out = buf;
    return n;
}

static int utf8_refused(enum lt_subject_fault *fault, char *err, size_t errlen,
                        utf8proc_ssize_t code)
{
    if (code == UTF8PROC_ERROR_NOMEM) {
        fprintf(stderr, "{\"level\":\"fatal\",\"msg\":\"out of memory in utf8proc\"}\n");
        abort();
    }
    return refuse(fault, LT_SUBJECT_UTF8_INVALID, err, errlen, "The text is not valid UTF-8 (%s).",
                  utf8proc_errmsg(code));
}

int lt_subject_name_nfc(const char *in, char **out, enum lt_subject_fault *fault, char *err,
                        size_t errlen)
{
    *out = NULL;
    if (!in)
        return refuse(fault, LT_SUBJECT_UTF8_INVALID, err, errlen, "The text is missing.");
    utf8proc_int32_t *buf = NULL;
    utf8proc_option_t opts = UTF8PROC_STABLE | UTF8PROC_COMPOSE;
    utf8proc_ssize_t n = to_codepoints(in, opts, NULL, &buf);
    if (n < 0)
        return utf8_refused(fault, err, errlen, n);
    utf8proc_ssize_t bytes = utf8proc_reencode(buf, n, opts);
    assert(bytes >= 0);
    (void)bytes;
    *out = (char *)buf;
    return ok(fault, err, errlen);
}

static int is_space_cp(utf8proc_int32_t cp)
{
    if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0x85)
        return 1;
    utf8proc_category_t c = utf8proc_category(cp);
    return c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP;
}

int lt_subject_name_key(const char *in, char **out, enum lt_subject_fault *fault, char *err,
                        size_t errlen)
{
    *out = NULL;
    if (!in)
        return refuse(fault, LT_SUBJECT_UTF8_INVALID, err, errlen, "The text is missing.");
    utf8proc_int32_t *buf = NULL;
    utf8proc_option_t opts = UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                             UTF8PROC_STRIPMARK | UTF8PROC_LUMP | UTF8PROC_IGNORE |
                             UTF8PROC_STRIPCC;
    utf8proc_ssize_t n = to_codepoints(in, opts, map_d_stroke, &buf);
    if (n < 0)
        return utf8_refused(fault, err, errlen, n);
    /* Collapse white space in place: one ' ' between words, none at the ends. */
    utf8proc_ssize_t w = 0;
    int pending_space = 0;
    for (utf8proc_ssize_t r = 0; r < n; r++) {
        if (is_space_cp(buf[r])) {
            pending_space = w > 0;
            continue;
        }
        if (pending_space)
            buf[w++] = ' ';
        pending_space = 0;
        buf[w++] = buf[r];
    }
    utf8proc_ssize_t bytes = utf8proc_reencode(buf, w, 0);
    assert(bytes >= 0);
    (void)bytes;
    *out = (char *)buf;
    return ok(fault, err, errlen);
}

int lt_subject_text_check(const char *s, enum lt_subject_fault *fault, char *err, size_t errlen)
{
    char *nfc = NULL;
    int rc = lt_subject_name_nfc(s, &nfc, fault, err, errlen);
    if (rc != LT_OK)
        return rc;
    int same = strcmp(nfc, s) == 0;
    free(nfc);
    if (!same)
        return refuse(fault, LT_SUBJECT_TEXT_NOT_NFC, err, errlen,
                      "The text is not in Unicode NFC (composed form).");
    /* First and last code points must not be white space. */
    size_t len = strlen(s);
    if (len) {
        utf8proc_int32_t first = 0, last = 0;
        utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &first);
        size_t i = len - 1;
        while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
            i--;
        utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &last);
        if (is_space_cp(first) || is_space_cp(last))
            return refuse(fault, LT_SUBJECT_TEXT_UNTRIMMED, err, errlen,
                          "The text has leading or trailing white space.");
    }
    return ok(fault, err, errlen);
}
