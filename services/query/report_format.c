/* report_format.c — a report document as CSV or printable HTML
 * (report_format.h). Both write through a memory stream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_format.h"

/* A new memory stream; aborts like every allocation when it cannot. */
static FILE *stream(char **buf, size_t *len)
{
    FILE *f = open_memstream(buf, len);
    if (!f) {
        fprintf(stderr, "out of memory\n");
        abort();
    }
    return f;
}

static char *done(FILE *f, char **buf)
{
    if (fclose(f) != 0) {
        fprintf(stderr, "out of memory\n");
        abort();
    }
    return *buf;
}

/* A scalar as text into tmp (numbers, booleans) or as the string itself;
 * "" for null and anything else. */
static const char *scalar(const json_t *v, char *tmp, size_t cap)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v))
        snprintf(tmp, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v))
        snprintf(tmp, cap, "%.1f", json_real_value(v));
    else if (json_is_boolean(v))
        snprintf(tmp, cap, "%s", json_is_true(v) ? "true" : "false");
    else
        tmp[0] = '\0';
    return tmp;
}

static void csv_field(FILE *f, const json_t *v)
{
    char tmp[64];
    const char *s = scalar(v, tmp, sizeof tmp);
    int text = json_is_string(v);
    int formula = text && s[0] && strchr("=+-@", s[0]);
    if (!strpbrk(s, ",\"\r\n") && !formula) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    if (formula)
        fputc('\'', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void csv_text(FILE *f, const char *s)
{
    json_t *v = json_string(s);
    csv_field(f, v);
    json_decref(v);
}

char *lq_report_csv(const json_t *report)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = stream(&buf, &len);
    const char *name;
    json_t *v;
    json_object_foreach(json_object_get(report, "about"), name, v) {
        fputs("about,", f);
        csv_text(f, name);
        fputc(',', f);
        csv_field(f, v);
        fputs("\r\n", f);
    }
    size_t i, j, k;
    json_t *sec, *col, *row;
    json_array_foreach(json_object_get(report, "sections"), i, sec) {
        json_t *cols = json_object_get(sec, "columns");
        const char *id = json_string_value(json_object_get(sec, "id"));
        fputs("\r\nsection", f);
        json_array_foreach(cols, j, col) {
            fputc(',', f);
            csv_text(f, json_string_value(json_object_get(col, "key")));
        }
        fputs("\r\n", f);
        json_array_foreach(json_object_get(sec, "rows"), k, row) {
            csv_text(f, id ? id : "");
            json_array_foreach(cols, j, col) {
                fputc(',', f);
                csv_field(f, json_object_get(row, json_string_value(json_object_get(col, "key"))));
            }
            fputs("\r\n", f);
        }
    }
    return done(f, &buf);
}

void lq_report_html_escape(FILE *out, const char *s)
{
    for (; s && *s; s++)
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc(*s, out);
        }
}

/* The label of a {"en": …, "vi": …} object in lang (falls back to en, then to `fallback`). */
static const char *label(const json_t *o, const char *lang, const char *fallback)
{
    const char *s = json_string_value(json_object_get(o, lang));
    if (!s)
        s = json_string_value(json_object_get(o, "en"));
    return s ? s : fallback;
}

static void html_cell(FILE *f, const char *tag, const json_t *v)
{
    char tmp[64];
    fprintf(f, "<%s%s>", tag, json_is_number(v) ? " class=\"n\"" : "");
    lq_report_html_escape(f, scalar(v, tmp, sizeof tmp));
    fprintf(f, "</%s>", tag);
}

char *lq_report_html(const json_t *report, const char *lang)
{
    if (!lang || strcmp(lang, "vi") != 0)
        lang = "en";
    char *buf = NULL;
    size_t len = 0;
    FILE *f = stream(&buf, &len);
    const char *title = label(json_object_get(report, "title"), lang, "Report");
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\"><title>", lang);
    lq_report_html_escape(f, title);
    fputs("</title><style>"
          "body{font:13px/1.4 sans-serif;margin:2em;color:#111}"
          "h1{font-size:20px}h2{font-size:15px;margin-top:1.6em;break-after:avoid}"
          "table{border-collapse:collapse;margin:.4em 0;break-inside:auto}"
          "th,td{border:1px solid #999;padding:2px 8px;text-align:left}"
          "td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#eee}"
          "table.about th{width:14em}"
          "@media print{body{margin:0}h2{break-before:auto}}"
          "</style></head><body>\n<h1>",
          f);
    lq_report_html_escape(f, title);
    fputs("</h1>\n<table class=\"about\">", f);
    const char *name;
    json_t *v;
    json_object_foreach(json_object_get(report, "about"), name, v) {
        fputs("<tr><th>", f);
        lq_report_html_escape(f, name);
        fputs("</th>", f);
        html_cell(f, "td", v);
        fputs("</tr>", f);
    }
    fputs("</table>\n", f);
    size_t i, j, k;
    json_t *sec, *col, *row;
    json_array_foreach(json_object_get(report, "sections"), i, sec) {
        json_t *cols = json_object_get(sec, "columns");
        fprintf(f, "<h2 id=\"");
        lq_report_html_escape(f, json_string_value(json_object_get(sec, "id")));
        fputs("\">", f);
        lq_report_html_escape(f, label(json_object_get(sec, "title"), lang, ""));
        fputs("</h2>\n<table><thead><tr>", f);
        json_array_foreach(cols, j, col) {
            fputs("<th>", f);
            lq_report_html_escape(f, label(col, lang, json_string_value(json_object_get(col, "key"))));
            fputs("</th>", f);
        }
        fputs("</tr></thead><tbody>\n", f);
        json_array_foreach(json_object_get(sec, "rows"), k, row) {
            fputs("<tr>", f);
            json_array_foreach(cols, j, col)
                html_cell(f, "td", json_object_get(row, json_string_value(json_object_get(col, "key"))));
            fputs("</tr>\n", f);
        }
        fputs("</tbody></table>\n", f);
    }
    fputs("</body></html>\n", f);
    return done(f, &buf);
}
