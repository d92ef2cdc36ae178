/* layouts.c — the CSV export of the ethnic affairs committee's payment
 * records (non-repayable support to ethnic-minority workers going abroad,
 * mostly under the national target programme for ethnic minority and
 * mountainous areas) that the ethnic-affairs agency service reads from its
 * drop folder.
 *
 * README.md documents every column with its Vietnamese meaning and an
 * example file. */
#include "publish/agency.h"
#include "publish/csv.h"

static const struct lt_csv_column ea_support_cols[] = {
    LT_CSV_OCCURRED("paid_date"),
    LT_CSV_SUBJECT_CITIZEN,
    { "programme", "supportPaid.programme", LT_CSV_ENUM, 1 },
    { "programme_note", "supportPaid.programmeNote", LT_CSV_STRING, 0 },
    { "kind", "supportPaid.kind", LT_CSV_ENUM, 1 },
    { "amount_vnd", "supportPaid.amountVnd", LT_CSV_INT, 1 },
    { "decision_no", "supportPaid.decisionNo", LT_CSV_STRING, 0 },
    { "contract_no", "supportPaid.contractNo", LT_CSV_STRING, 0 },
};
LT_CSV_LAYOUT(ea_support, "support-paid", "support_paid",
              "Non-repayable support paid to ethnic-minority workers going abroad.",
              ea_support_cols);

const struct lt_csv_layout *const lt_agency_ethnic_affairs_csv_layouts[] = {
    &ea_support,
    NULL,
};
