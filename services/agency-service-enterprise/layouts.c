/* layouts.c — the CSV exports of a licensed service enterprise's worker
 * management software (overseas contracts signed and ended) that the
 * service-enterprise agency service reads from its drop folder.
 *
 * One layout per event type; README.md documents every column with its
 * Vietnamese meaning and an example file. */
#include "publish/agency.h"
#include "publish/csv.h"
#include "publish/layouts.h"

static const struct lt_csv_column se_contract_cols[] = {
    LT_CSV_OCCURRED("signed_date"),
    LT_CSV_SUBJECT_CITIZEN,
    LT_CSV_CONTRACT_TERMS
};
LT_CSV_LAYOUT(se_contract, "contract-registered", "contract_registered",
              "Overseas work contracts signed with workers.", se_contract_cols);

static const struct lt_csv_column se_ended_cols[] = {
    LT_CSV_OCCURRED("end_date"),
    LT_CSV_SUBJECT_CITIZEN,
    { "contract_no", "contractEnded.contractNo", LT_CSV_STRING, 1 },
    { "reason", "contractEnded.reason", LT_CSV_ENUM, 1 },
    { "liquidation_date", "contractEnded.liquidationDate", LT_CSV_STRING, 0 },
    { "deposit_refunded_vnd", "contractEnded.depositRefundedVnd", LT_CSV_INT, 0 },
    { "note", "contractEnded.note", LT_CSV_STRING, 0 },
};
LT_CSV_LAYOUT(se_ended, "contract-ended", "contract_ended",
              "Overseas contracts ended: completed or ended early, with the reason.",
              se_ended_cols);

const struct lt_csv_layout *const lt_agency_service_enterprise_csv_layouts[] = {
    &se_contract,
    &se_ended,
    NULL,
};
