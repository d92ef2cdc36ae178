/* layouts.c — the CSV exports of a licensed service enterprise's worker
 * management software (overseas contracts signed and ended) that the
 * service-enterprise agency service reads from its drop folder.
 *
 * One layout per event type; README.md documents every column with its
 * Vietnamese meaning and an example file. */
#include "publish/agency.h"
#include "publish/csv.h"

static const struct lt_csv_column se_contract_cols[] = {
    LT_CSV_OCCURRED("signed_date"),
    LT_CSV_SUBJECT_CITIZEN,
    { "contract_no", "contractRegistered.contractNo", LT_CSV_STRING, 1 },
    { "form", "contractRegistered.form", LT_CSV_ENUM, 1 },
    { "service_enterprise_code", "contractRegistered.serviceEnterpriseCode", LT_CSV_STRING, 0 },
    { "service_licence_no", "contractRegistered.serviceLicenceNo", LT_CSV_STRING, 0 },
    { "supply_contract_no", "contractRegistered.supplyContractNo", LT_CSV_STRING, 0 },
    { "destination_country", "contractRegistered.destinationCountry", LT_CSV_STRING, 1 },
    { "foreign_employer_name", "contractRegistered.foreignEmployerName", LT_CSV_STRING, 1 },
    { "foreign_employer_ref", "contractRegistered.foreignEmployerRef", LT_CSV_STRING, 0 },
    { "work_location", "contractRegistered.workLocation", LT_CSV_STRING, 0 },
    { "job_title", "contractRegistered.jobTitle", LT_CSV_STRING, 1 },
    { "occupation_code", "contractRegistered.occupationCode", LT_CSV_STRING, 0 },
    { "scheme", "contractRegistered.scheme", LT_CSV_STRING, 0 },
    { "start_date", "contractRegistered.startDate", LT_CSV_STRING, 1 },
    { "duration_months", "contractRegistered.durationMonths", LT_CSV_INT, 1 },
    { "salary_currency", "contractRegistered.monthlySalary.currency", LT_CSV_STRING, 1 },
    { "salary_amount", "contractRegistered.monthlySalary.amountMinor", LT_CSV_INT, 1 },
    { "service_fee_vnd", "contractRegistered.serviceFeeVnd", LT_CSV_INT, 0 },
    { "brokerage_fee_vnd", "contractRegistered.brokerageFeeVnd", LT_CSV_INT, 0 },
    { "deposit_vnd", "contractRegistered.depositVnd", LT_CSV_INT, 0 },
    { "deposit_bank", "contractRegistered.depositBank", LT_CSV_STRING, 0 },
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
