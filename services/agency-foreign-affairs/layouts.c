/* layouts.c — the CSV export of the foreign affairs department's
 * citizen-protection case register (cases of Vietnamese workers abroad, as
 * reported by the missions and followed up in the province) that the
 * foreign-affairs agency service reads from its drop folder.
 *
 * One row is one status of one case: a case that goes from opened to
 * repatriated appears in as many rows (and events) as it had statuses.
 * README.md documents every column with its Vietnamese meaning and an
 * example file. */
#include "publish/agency.h"
#include "publish/csv.h"

static const struct lt_csv_column fa_case_cols[] = {
    LT_CSV_OCCURRED("status_time"),
    LT_CSV_SUBJECT_CITIZEN,
    { "case_no", "citizenProtectionCase.caseNo", LT_CSV_STRING, 1 },
    { "country", "citizenProtectionCase.country", LT_CSV_STRING, 1 },
    { "incident_type", "citizenProtectionCase.incidentType", LT_CSV_ENUM, 1 },
    { "status", "citizenProtectionCase.status", LT_CSV_ENUM, 1 },
    { "mission", "citizenProtectionCase.mission", LT_CSV_STRING, 0 },
    { "contract_no", "citizenProtectionCase.contractNo", LT_CSV_STRING, 0 },
    { "service_enterprise_code", "citizenProtectionCase.serviceEnterpriseCode", LT_CSV_STRING, 0 },
    { "summary", "citizenProtectionCase.summary", LT_CSV_STRING, 0 },
};
LT_CSV_LAYOUT(fa_case, "protection-case", "citizen_protection_case",
              "Citizen-protection cases abroad: each row one status of one case.", fa_case_cols);

const struct lt_csv_layout *const lt_agency_foreign_affairs_csv_layouts[] = {
    &fa_case,
    NULL,
};
