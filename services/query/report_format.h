/* report_format.h — one report, three forms: the JSON document the report
 * handlers build (reports.h) rendered as CSV or as a printable HTML page.
 *
 * The document:
 *   {"title": {"en": …, "vi": …},
 *    "about": {name: scalar, …},          what the report is, its period, the
 *                                          event-store position it was built from
 *    "sections": [{"id": …, "title": {"en": …, "vi": …},
 *                  "columns": [{"key": …, "en": …, "vi": …}, …],
 *                  "rows": [{key: scalar, …}, …]}, …]}
 *
 * Pure functions (no database, no HTTP), unit-tested in
 * tests/unit/test_query_report.c. */
#ifndef LQ_REPORT_FORMAT_H
#define LQ_REPORT_FORMAT_H

#include <stdio.h>

#include <jansson.h>

/* The report as CSV (RFC 4180, CRLF line ends): first "about" as
 * "about,<name>,<value>" lines, then for each section a blank line, a header
 * "section,<column keys…>" and one "<section id>,<values…>" line per row.
 * Fields holding a comma, quote, CR or LF are quoted; a text field that a
 * spreadsheet would take for a formula (= + - @ at its start) gets a leading
 * apostrophe. null is an empty field. Returns a new string the caller
 * frees. */
char *lq_report_csv(const json_t *report);

/* The report as a self-contained printable HTML page (inline CSS, no script)
 * with the labels of `lang` ("vi" or "en"; anything else is "en"). Every text
 * from the document is HTML-escaped. Returns a new string the caller frees. */
char *lq_report_html(const json_t *report, const char *lang);

/* Writes s HTML-escaped (& < > " ') to out. */
void lq_report_html_escape(FILE *out, const char *s);

#endif
