/* test_subject — canonical subject ids both ways, personal-ID structure,
 * nationality / passport / enterprise-code formats, and the NFC and search-key
 * forms of names, every refusal with its stable fault. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "event/subject.h"

/* "Nguyễn Thị Đào" composed (NFC) and fully decomposed (NFD) — Đ has no
 * decomposition, so it is the same code point in both. */
#define NAME_NFC "Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b \xc4\x90\xc3\xa0o"
#define NAME_NFD "Nguye\xcc\x82\xcc\x83n Thi\xcc\xa3 \xc4\x90" "a\xcc\x80o"

static enum lt_subject_fault fault_of_id(const char *text)
{
    struct lt_subject_id id;
    enum lt_subject_fault f = LT_SUBJECT_OK;
    char err[160] = "";
    int rc = lt_subject_parse_id(text, &id, &f, err, sizeof err);
    if (rc == LT_OK)
        assert_int_equal(f, LT_SUBJECT_OK);
    else
        assert_true(err[0] != '\0'); /* every refusal says why */
    return f;
}

static void round_trip(const char *text, enum lt_subject_kind kind)
{
    struct lt_subject_id id;
    enum lt_subject_fault f;
    assert_int_equal(lt_subject_parse_id(text, &id, &f, NULL, 0), LT_OK);
    assert_int_equal(id.kind, kind);
    Lienthong__V1__Subject s;
    Lienthong__V1__Foreigner fo;
    lt_subject_id_to_proto(&id, &s, &fo);
    char out[LT_SUBJECT_ID_MAX];
    assert_int_equal(lt_subject_canonical_id(&s, out, &f, NULL, 0), LT_OK);
    assert_string_equal(out, text);
}

static void canonical_ids(void **st)
{
    (void)st;
    round_trip("VNM:001203012345", LT_SUBJECT_CITIZEN);
    round_trip("JPN:TK1234567", LT_SUBJECT_FOREIGNER);
    round_trip("XXA:A1", LT_SUBJECT_FOREIGNER);
    round_trip("enterprise:0101234567", LT_SUBJECT_ENTERPRISE);
    round_trip("enterprise:0101234567-001", LT_SUBJECT_ENTERPRISE);
    round_trip("KOR:M12345678901234567Z", LT_SUBJECT_FOREIGNER); /* 20 characters */

    /* From a generated Subject. */
    Lienthong__V1__Subject s = LIENTHONG__V1__SUBJECT__INIT;
    Lienthong__V1__Foreigner fo = LIENTHONG__V1__FOREIGNER__INIT;
    fo.nationality = (char *)"DEU";
    fo.passport_number = (char *)"C01X00T47";
    s.kind_case = LIENTHONG__V1__SUBJECT__KIND_FOREIGNER;
    s.foreigner = &fo;
    char out[LT_SUBJECT_ID_MAX];
    enum lt_subject_fault f;
    assert_int_equal(lt_subject_canonical_id(&s, out, &f, NULL, 0), LT_OK);
    assert_string_equal(out, "DEU:C01X00T47");
    fo.nationality = (char *)"VNM";
    assert_int_equal(lt_subject_canonical_id(&s, out, &f, NULL, 0), LT_ERR_INVALID);
    assert_int_equal(f, LT_SUBJECT_NATIONALITY_VNM);
    assert_string_equal(out, "");
    s.kind_case = LIENTHONG__V1__SUBJECT__KIND__NOT_SET;
    assert_int_equal(lt_subject_canonical_id(&s, out, &f, NULL, 0), LT_ERR_INVALID);
    assert_int_equal(f, LT_SUBJECT_KIND_MISSING);
    assert_int_equal(lt_subject_check(NULL, &f, NULL, 0), LT_ERR_INVALID);
    assert_int_equal(f, LT_SUBJECT_KIND_MISSING);
    s.kind_case = LIENTHONG__V1__SUBJECT__KIND_ENTERPRISE_CODE;
    s.enterprise_code = (char *)"0101234567";
    assert_int_equal(lt_subject_canonical_id(&s, out, &f, NULL, 0), LT_OK);
    assert_string_equal(out, "enterprise:0101234567");
}

static void id_refusals(void **st)
{
    (void)st;
    assert_int_equal(fault_of_id(""), LT_SUBJECT_ID_SYNTAX);
    assert_int_equal(fault_of_id("VNM"), LT_SUBJECT_ID_SYNTAX);
    assert_int_equal(fault_of_id("JPN:"), LT_SUBJECT_ID_SYNTAX);
    assert_int_equal(fault_of_id("JPN-TK1234567"), LT_SUBJECT_ID_SYNTAX);
    assert_int_equal(fault_of_id("enterprise:0101234567-001-002-003-004"), LT_SUBJECT_ID_SYNTAX);
    assert_int_equal(fault_of_id("VNM:00120301234"), LT_SUBJECT_CITIZEN_ID_FORMAT);
    assert_int_equal(fault_of_id("VNM:0012030123456"), LT_SUBJECT_CITIZEN_ID_FORMAT);
    assert_int_equal(fault_of_id("VNM:TK1234567"), LT_SUBJECT_CITIZEN_ID_FORMAT);
    assert_int_equal(fault_of_id("VNM:003203012345"), LT_SUBJECT_CITIZEN_ID_PROVINCE);
    assert_int_equal(fault_of_id("vnm:001203012345"), LT_SUBJECT_NATIONALITY_FORMAT);
    assert_int_equal(fault_of_id("jpn:TK1234567"), LT_SUBJECT_NATIONALITY_FORMAT);
    assert_int_equal(fault_of_id("ZZZ:TK1234567"), LT_SUBJECT_NATIONALITY_UNKNOWN);
    assert_int_equal(fault_of_id("JPN:tk1234567"), LT_SUBJECT_PASSPORT_FORMAT);
    assert_int_equal(fault_of_id("JPN:TK 1234567"), LT_SUBJECT_PASSPORT_FORMAT);
    assert_int_equal(fault_of_id("JPN:TK<<1234"), LT_SUBJECT_PASSPORT_FORMAT);
    assert_int_equal(fault_of_id("JPN:M123456789012345678901"), LT_SUBJECT_PASSPORT_FORMAT);
    assert_int_equal(fault_of_id("enterprise:12345"), LT_SUBJECT_ENTERPRISE_CODE_FORMAT);
    assert_int_equal(fault_of_id("enterprise:0101234567-01"), LT_SUBJECT_ENTERPRISE_CODE_FORMAT);
    assert_int_equal(fault_of_id("Enterprise:0101234567"), LT_SUBJECT_ID_SYNTAX);
    assert_int_equal(fault_of_id(" JPN:TK1234567"), LT_SUBJECT_ID_SYNTAX);
}

static void provinces(void **st)
{
    (void)st;
    assert_string_equal(lt_subject_province_name("001"), "Hà Nội");
    assert_string_equal(lt_subject_province_name("052"), "Bình Định");
    assert_string_equal(lt_subject_province_name("049"), "Quảng Nam");
    assert_string_equal(lt_subject_province_name("096"), "Cà Mau");
    /* Exactly 63 assigned codes, each name in NFC. */
    int known = 0;
    for (int i = 0; i < 1000; i++) {
        char code[4];
        snprintf(code, sizeof code, "%03d", i);
        const char *name = lt_subject_province_name(code);
        if (!name)
            continue;
        known++;
        enum lt_subject_fault f;
        assert_int_equal(lt_subject_text_check(name, &f, NULL, 0), LT_OK);
    }
    assert_int_equal(known, 63);
    assert_null(lt_subject_province_name("000"));
    assert_null(lt_subject_province_name("003"));
    assert_null(lt_subject_province_name("097"));
    assert_null(lt_subject_province_name("01"));
    assert_null(lt_subject_province_name(NULL));
}

static enum lt_subject_fault birth(const char *id, int year, Lienthong__V1__Sex sex)
{
    enum lt_subject_fault f = LT_SUBJECT_OK;
    char err[160] = "";
    int rc = lt_subject_check_citizen_birth(id, year, sex, &f, err, sizeof err);
    assert_int_equal(rc, f == LT_SUBJECT_OK ? LT_OK : LT_ERR_INVALID);
    if (rc != LT_OK)
        assert_true(err[0] != '\0');
    return f;
}

static void personal_id_structure(void **st)
{
    (void)st;
    const Lienthong__V1__Sex M = LIENTHONG__V1__SEX__SEX_MALE, F = LIENTHONG__V1__SEX__SEX_FEMALE,
                             U = LIENTHONG__V1__SEX__SEX_UNSPECIFIED,
                             X = LIENTHONG__V1__SEX__SEX_UNSTATED;
    /* 052 Bình Định, digit 2 = born 2000-2099 male, 03 = 2003. */
    assert_int_equal(birth("052203012345", 2003, M), LT_SUBJECT_OK);
    assert_int_equal(birth("052203012345", 2003, U), LT_SUBJECT_OK);
    assert_int_equal(birth("052203012345", 0, M), LT_SUBJECT_OK);
    assert_int_equal(birth("052203012345", 2003, F), LT_SUBJECT_CITIZEN_ID_SEX);
    assert_int_equal(birth("052203012345", 1903, M), LT_SUBJECT_CITIZEN_ID_CENTURY);
    assert_int_equal(birth("052203012345", 2004, M), LT_SUBJECT_CITIZEN_ID_BIRTH_YEAR);
    assert_int_equal(birth("052203012345", 2003, X), LT_SUBJECT_CITIZEN_SEX_UNSTATED);
    /* 1 = 1900s female. */
    assert_int_equal(birth("001190012345", 1990, F), LT_SUBJECT_OK);
    assert_int_equal(birth("001190012345", 1990, M), LT_SUBJECT_CITIZEN_ID_SEX);
    assert_int_equal(birth("001190012345", 2090, F), LT_SUBJECT_CITIZEN_ID_CENTURY);
    assert_int_equal(birth("001090012345", 1899, M), LT_SUBJECT_CITIZEN_ID_CENTURY);
    /* 9 = 2300s female: the scheme's last century. */
    assert_int_equal(birth("001999012345", 2399, F), LT_SUBJECT_OK);
    /* Structure first. */
    assert_int_equal(birth("05220301234", 2003, M), LT_SUBJECT_CITIZEN_ID_FORMAT);
    assert_int_equal(birth("099203012345", 2003, M), LT_SUBJECT_CITIZEN_ID_PROVINCE);
    enum lt_subject_fault f;
    assert_int_equal(lt_subject_check_citizen_id("05220301234a", &f, NULL, 0), LT_ERR_INVALID);
    assert_int_equal(f, LT_SUBJECT_CITIZEN_ID_FORMAT);
    assert_int_equal(lt_subject_check_citizen_id(NULL, &f, NULL, 0), LT_ERR_INVALID);
    assert_int_equal(lt_subject_check_citizen_id("079199012345", NULL, NULL, 0), LT_OK);
}

static void nationality_passport_enterprise(void **st)
{
    (void)st;
    enum lt_subject_fault f;
    static const char *const good_nat[] = { "JPN", "KOR", "CHN", "DEU", "TWN", "VUT", "XXA",
                                            "XXB", "XXC", "XXX" };
    for (size_t i = 0; i < sizeof good_nat / sizeof good_nat[0]; i++)
        assert_int_equal(lt_subject_check_nationality(good_nat[i], &f, NULL, 0), LT_OK);
    assert_int_equal(lt_subject_check_nationality("VNM", &f, NULL, 0), LT_ERR_INVALID);
    assert_int_equal(f, LT_SUBJECT_NATIONALITY_VNM);
    assert_int_equal(lt_subject_check_nationality("jpn", &f, NULL, 0), LT_ERR_INVALID);
    assert_int_equal(f, LT_SUBJECT_NATIONALITY_FORMAT);
    assert_int_equal(lt_subject_check_nationality("JP", &f, NULL, 0), LT_ERR_INVALID);
    assert_int_equal(f, LT_SUBJECT_NATIONALITY_FORMAT);
    assert_int_equal(lt_subject_check_nationality("D", &f, NULL, 0), LT_ERR_INVALID);
    assert_int_equal(f, LT_SUBJECT_NATIONALITY_FORMAT);
    assert_int_equal(lt_subject_check_nationality("XKX", &f, NULL, 0), LT_ERR_INVALID);
    assert_int_equal(f, LT_SUBJECT_NATIONALITY_UNKNOWN);
    assert_true(lt_subject_country_is_assigned("VNM"));
    assert_true(lt_subject_country_is_assigned("ABW"));
    assert_true(lt_subject_country_is_assigned("ZWE"));
    assert_false(lt_subject_country_is_assigned("XXA"));
    assert_false(lt_subject_country_is_assigned("vnm"));
    assert_false(lt_subject_country_is_assigned("VN"));
    assert_false(lt_subject_country_is_assigned(NULL));

    assert_int_equal(lt_subject_check_passport("A", &f, NULL, 0), LT_OK);
    assert_int_equal(lt_subject_check_passport("ABCDEFGHIJ0123456789", &f, NULL, 0), LT_OK);
    static const char *const bad_pp[] = { "", "ABCDEFGHIJ01234567890", "TK 123", "tk123",
                                          "TK-123", "TK<<", "TK\xc3\x84" };
    for (size_t i = 0; i < sizeof bad_pp / sizeof bad_pp[0]; i++) {
        assert_int_equal(lt_subject_check_passport(bad_pp[i], &f, NULL, 0), LT_ERR_INVALID);
        assert_int_equal(f, LT_SUBJECT_PASSPORT_FORMAT);
    }

    assert_int_equal(lt_subject_check_enterprise_code("0101234567", &f, NULL, 0), LT_OK);
    assert_int_equal(lt_subject_check_enterprise_code("0101234567-001", &f, NULL, 0), LT_OK);
    static const char *const bad_ent[] = { "", "010123456", "01012345678", "0101234567-1",
                                           "0101234567_001", "0101234567-0012", "A101234567" };
    for (size_t i = 0; i < sizeof bad_ent / sizeof bad_ent[0]; i++) {
        assert_int_equal(lt_subject_check_enterprise_code(bad_ent[i], &f, NULL, 0),
                         LT_ERR_INVALID);
        assert_int_equal(f, LT_SUBJECT_ENTERPRISE_CODE_FORMAT);
    }
}

static void nfc(void **st)
{
    (void)st;
    char *out = NULL;
    enum lt_subject_fault f;
    assert_string_not_equal(NAME_NFC, NAME_NFD);
    assert_int_equal(lt_subject_name_nfc(NAME_NFD, &out, &f, NULL, 0), LT_OK);
    assert_string_equal(out, NAME_NFC);
    free(out);
    assert_int_equal(lt_subject_name_nfc(NAME_NFC, &out, &f, NULL, 0), LT_OK);
    assert_string_equal(out, NAME_NFC);
    /* The literal in this file is NFC too. */
    assert_string_equal(out, "Nguyễn Thị Đào");
    free(out);
    assert_int_equal(lt_subject_name_nfc("", &out, &f, NULL, 0), LT_OK);
    assert_string_equal(out, "");
    free(out);
    /* Longer than the first probe buffer (64 code points). */
    char big[4 * 200 + 1] = "";
    for (int i = 0; i < 100; i++)
        strcat(big, "e\xcc\x82"); /* e + combining circumflex -> ê */
    assert_int_equal(lt_subject_name_nfc(big, &out, &f, NULL, 0), LT_OK);
    assert_int_equal(strlen(out), 200); /* 100 × U+00EA, 2 bytes each */
    assert_memory_equal(out, "\xc3\xaa\xc3\xaa", 4);
    free(out);
}

static void search_key(void **st)
{
    (void)st;
    static const char *const same[] = {
        NAME_NFC, NAME_NFD, "NGUYỄN THỊ ĐÀO", "  nguyen\tthi \n\n dao  ", "Nguyen\xc2\xa0Thi Dao",
        "ｎｇｕｙｅｎ thi dao", /* full-width letters: compatibility folding */
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        char *key = NULL;
        enum lt_subject_fault f = LT_SUBJECT_UTF8_INVALID;
        assert_int_equal(lt_subject_name_key(same[i], &key, &f, NULL, 0), LT_OK);
        assert_int_equal(f, LT_SUBJECT_OK);
        assert_string_equal(key, "nguyen thi dao");
        free(key);
    }
    char *key = NULL;
    assert_int_equal(lt_subject_name_key("Đỗ Văn Đức", &key, NULL, NULL, 0), LT_OK);
    assert_string_equal(key, "do van duc");
    free(key);
    assert_int_equal(lt_subject_name_key("   ", &key, NULL, NULL, 0), LT_OK);
    assert_string_equal(key, "");
    free(key);
    assert_int_equal(lt_subject_name_key("Lê Thị Hồng-Nhung", &key, NULL, NULL, 0), LT_OK);
    assert_string_equal(key, "le thi hong-nhung");
    free(key);
}

static void invalid_utf8(void **st)
{
    (void)st;
    static const char *const bad[] = {
        "\xff",                  /* never valid */
        "Nguy\xe1\xbb",          /* truncated sequence */
        "\xc3\x28",              /* bad continuation */
        "\xc0\xaf",              /* overlong '/' */
        "\xed\xa0\x80",          /* UTF-16 surrogate */
        "\xf4\x90\x80\x80",      /* above U+10FFFF */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *out = (char *)"sentinel";
        enum lt_subject_fault f = LT_SUBJECT_OK;
        char err[128] = "";
        assert_int_equal(lt_subject_name_nfc(bad[i], &out, &f, err, sizeof err), LT_ERR_INVALID);
        assert_null(out);
        assert_int_equal(f, LT_SUBJECT_UTF8_INVALID);
        assert_non_null(strstr(err, "UTF-8"));
        out = (char *)"sentinel";
        assert_int_equal(lt_subject_name_key(bad[i], &out, &f, NULL, 0), LT_ERR_INVALID);
        assert_null(out);
        assert_int_equal(f, LT_SUBJECT_UTF8_INVALID);
        assert_int_equal(lt_subject_text_check(bad[i], &f, NULL, 0), LT_ERR_INVALID);
        assert_int_equal(f, LT_SUBJECT_UTF8_INVALID);
    }
    assert_string_equal(lt_subject_fault_name(LT_SUBJECT_UTF8_INVALID), "utf8_invalid");
}

static void text_check(void **st)
{
    (void)st;
    enum lt_subject_fault f;
    assert_int_equal(lt_subject_text_check(NAME_NFC, &f, NULL, 0), LT_OK);
    assert_int_equal(lt_subject_text_check("", &f, NULL, 0), LT_OK);
    assert_int_equal(lt_subject_text_check(NAME_NFD, &f, NULL, 0), LT_ERR_INVALID);
    assert_int_equal(f, LT_SUBJECT_TEXT_NOT_NFC);
    static const char *const untrimmed[] = { " Kỹ sư", "Kỹ sư ", "Kỹ sư\n", "\xc2\xa0Kỹ sư",
                                             "Kỹ sư\xe3\x80\x80" /* ideographic space */ };
    for (size_t i = 0; i < sizeof untrimmed / sizeof untrimmed[0]; i++) {
        assert_int_equal(lt_subject_text_check(untrimmed[i], &f, NULL, 0), LT_ERR_INVALID);
        assert_int_equal(f, LT_SUBJECT_TEXT_UNTRIMMED);
    }
}

static void fault_names(void **st)
{
    (void)st;
    static const char *const want[] = {
        "ok", "subject_kind_missing", "subject_id_syntax", "citizen_id_format",
        "citizen_id_province_unknown", "citizen_id_century_mismatch", "citizen_id_sex_mismatch",
        "citizen_id_birth_year_mismatch", "citizen_sex_unstated", "nationality_format",
        "nationality_unknown", "nationality_vnm", "passport_number_format",
        "enterprise_code_format", "utf8_invalid", "text_not_nfc", "text_untrimmed",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_string_equal(lt_subject_fault_name((enum lt_subject_fault)i), want[i]);
    assert_string_equal(lt_subject_fault_name((enum lt_subject_fault)999), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(canonical_ids),
        cmocka_unit_test(id_refusals),
        cmocka_unit_test(provinces),
        cmocka_unit_test(personal_id_structure),
        cmocka_unit_test(nationality_passport_enterprise),
        cmocka_unit_test(nfc),
        cmocka_unit_test(search_key),
        cmocka_unit_test(invalid_utf8),
        cmocka_unit_test(text_check),
        cmocka_unit_test(fault_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
