/* layouts.c — the CSV exports of the Social Policy Bank branch's loan
 * system (loans to workers going abroad: disbursements and repayments) that
 * the social-policy-bank agency service reads from its drop folder.
 *
 * One layout per event type; README.md documents every column with its
 * Vietnamese meaning and an example file. Amounts are whole đồng, digits
 * only. */
#include "publish/agency.h"
#include "publish/csv.h"

static const struct lt_csv_column spb_disbursed_cols[] = {
    LT_CSV_OCCURRED("disbursed_date"),
    LT_CSV_SUBJECT_CITIZEN,
    { "loan_no", "loanDisbursed.loanNo", LT_CSV_STRING, 1 },
    { "programme", "loanDisbursed.programme", LT_CSV_ENUM, 1 },
    { "programme_note", "loanDisbursed.programmeNote", LT_CSV_STRING, 0 },
    { "amount_vnd", "loanDisbursed.amountVnd", LT_CSV_INT, 1 },
    { "term_months", "loanDisbursed.termMonths", LT_CSV_INT, 1 },
    { "monthly_interest_rate_bp", "loanDisbursed.monthlyInterestRateBp", LT_CSV_INT, 0 },
    { "maturity_date", "loanDisbursed.maturityDate", LT_CSV_STRING, 0 },
    { "contract_no", "loanDisbursed.contractNo", LT_CSV_STRING, 0 },
};
LT_CSV_LAYOUT(spb_disbursed, "loan-disbursed", "loan_disbursed",
              "Loans disbursed to workers going abroad.", spb_disbursed_cols);

static const struct lt_csv_column spb_repaid_cols[] = {
    LT_CSV_OCCURRED("paid_date"),
    LT_CSV_SUBJECT_CITIZEN,
    { "loan_no", "loanRepaid.loanNo", LT_CSV_STRING, 1 },
    { "principal_vnd", "loanRepaid.principalVnd", LT_CSV_INT, 1 },
    { "interest_vnd", "loanRepaid.interestVnd", LT_CSV_INT, 0 },
    { "outstanding_principal_vnd", "loanRepaid.outstandingPrincipalVnd", LT_CSV_INT, 1 },
};
LT_CSV_LAYOUT(spb_repaid, "loan-repaid", "loan_repaid",
              "Repayments received on those loans.", spb_repaid_cols);

const struct lt_csv_layout *const lt_agency_social_policy_bank_csv_layouts[] = {
    &spb_disbursed,
    &spb_repaid,
    NULL,
};
