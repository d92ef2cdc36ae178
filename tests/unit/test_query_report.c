/* test_query_report — the query service's report renderings
 * (services/query/report_format.h): known answers for the CSV form (about
 * lines, one block per section, RFC 4180 quoting, CRLF, spreadsheet formulas
 * defused, null as an empty field) and the HTML form (labels by language,
 * every text escaped, numbers right-aligned, nothing executable). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "report_format.h"

static json_t *sample(void)
{
    json_error_t je;
    json_t *r = json_loads(
        "{\"title\": {\"en\": \"Annual <report>\", \"vi\": \"Báo cáo năm\"},"
        " \"about\": {\"report\": \"annual\", \"eventStoreMaxIngestSeq\": 3070, \"note\": \"a, \\\"b\\\"\"},"
        " \"sections\": [{\"id\": \"byUnit\", \"title\": {\"en\": \"By unit\", \"vi\": \"Theo đơn vị\"},"
        "   \"columns\": [{\"key\": \"unit\", \"en\": \"Unit\", \"vi\": \"Đơn vị\"},"
        "                 {\"key\": \"n\", \"en\": \"Count\", \"vi\": \"Số\"},"
        "                 {\"key\": \"pct\", \"en\": \"%\", \"vi\": \"Tỷ lệ\"}],"
        "   \"rows\": [{\"unit\": \"Phường Bàn Thạch\", \"n\": 24, \"pct\": 2.4},"
        "            {\"unit\": \"=HYPERLINK(\\\"x\\\")\", \"n\": 0, \"pct\": null},"
        "            {\"unit\": \"<script>alert('x')</script>\", \"n\": -1, \"pct\": 0.0},"
        "            {\"unit\": \"line\\nbreak\", \"n\": 1}]},"
        "  {\"id\": \"empty\", \"title\": {\"en\": \"Empty\"}, \"columns\": [{\"key\": \"a\", \"en\": \"A\", \"vi\": \"A\"}], \"rows\": []}]}",
        0, &je);
    assert_non_null(r);
    return r;
}

static void test_csv(void **state)
{
    (void)state;
    json_t *r = sample();
    char *csv = lq_report_csv(r);
    static const char want[] =
        "about,report,annual\r\n"
        "about,eventStoreMaxIngestSeq,3070\r\n"
        "about,note,\"a, \"\"b\"\"\"\r\n"
        "\r\n"
        "section,unit,n,pct\r\n"
        "byUnit,Phường Bàn Thạch,24,2.4\r\n"
        "byUnit,\"'=HYPERLINK(\"\"x\"\")\",0,\r\n"
        "byUnit,<script>alert('x')</script>,-1,0.0\r\n"
        "byUnit,\"line\nbreak\",1,\r\n"
        "\r\n"
        "section,a\r\n";
    assert_string_equal(csv, want);
    free(csv);
    json_decref(r);
    csv = lq_report_csv(NULL);
    assert_string_equal(csv, "");
    free(csv);
}

static void test_html(void **state)
{
    (void)state;
    json_t *r = sample();
    char *en = lq_report_html(r, "en"), *vi = lq_report_html(r, "vi"), *xx = lq_report_html(r, "xx");
    assert_non_null(strstr(en, "<html lang=\"en\">"));
    assert_non_null(strstr(en, "<title>Annual &lt;report&gt;</title>"));
    assert_non_null(strstr(en, "<h2 id=\"byUnit\">By unit</h2>"));
    assert_non_null(strstr(en, "<th>Unit</th><th>Count</th><th>%</th>"));
    assert_non_null(strstr(en, "<td>Phường Bàn Thạch</td><td class=\"n\">24</td><td class=\"n\">2.4</td>"));
    assert_non_null(strstr(en, "<td>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</td>"));
    assert_non_null(strstr(en, "<td>a, &quot;b&quot;</td>"));
    assert_null(strstr(en, "<script"));
    assert_non_null(strstr(vi, "<html lang=\"vi\">"));
    assert_non_null(strstr(vi, "<title>Báo cáo năm</title>"));
    assert_non_null(strstr(vi, "<th>Đơn vị</th><th>Số</th><th>Tỷ lệ</th>"));
    assert_non_null(strstr(vi, "<h2 id=\"empty\">Empty</h2>")); /* no vi title: the English one */
    assert_string_equal(xx, en);
    free(en);
    free(vi);
    free(xx);
    json_decref(r);
}

static void test_escape(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    lq_report_html_escape(f, "a&b<c>d\"e'f");
    lq_report_html_escape(f, NULL);
    assert_int_equal(fclose(f), 0);
    assert_string_equal(buf, "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
