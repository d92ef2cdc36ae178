/* layouts.c — the CSV export of the planning & investment department's
 * enterprise and investment-project register (employers that may use
 * foreign workers) that the planning-investment agency service reads from
 * its drop folder.
 *
 * One row is one registration or change of one enterprise; a later row for
 * the same enterprise replaces its facts from that date on. README.md
 * documents every column with its Vietnamese meaning and an example file. */
#include "publish/agency.h"
#include "publish/csv.h"

static const struct lt_csv_column pi_employer_cols[] = {
    LT_CSV_OCCURRED("registered_date"),
    LT_CSV_SUBJECT_ENTERPRISE,
    { "name", "employerRegistered.name", LT_CSV_STRING, 1 },
    { "foreign_name", "employerRegistered.foreignName", LT_CSV_STRING, 0 },
    { "head_office_address", "employerRegistered.headOffice.line", LT_CSV_STRING, 1 },
    { "province_code", "employerRegistered.headOffice.area.provinceCode", LT_CSV_STRING, 1 },
    { "district_code", "employerRegistered.headOffice.area.districtCode", LT_CSV_STRING, 0 },
    { "commune_code", "employerRegistered.headOffice.area.communeCode", LT_CSV_STRING, 0 },
    { "main_sector_code", "employerRegistered.mainSectorCode", LT_CSV_STRING, 1 },
    { "other_sector_codes", "employerRegistered.otherSectorCodes", LT_CSV_LIST, 0 },
    { "investment_project_code", "employerRegistered.investmentProjectCode", LT_CSV_STRING, 0 },
    { "investment_project_name", "employerRegistered.investmentProjectName", LT_CSV_STRING, 0 },
    { "investment_certificate_no", "employerRegistered.investmentCertificateNo", LT_CSV_STRING,
      0 },
    { "foreign_invested", "employerRegistered.foreignInvested", LT_CSV_INT, 0 },
    { "parent_enterprise_code", "employerRegistered.parentEnterpriseCode", LT_CSV_STRING, 0 },
};
LT_CSV_LAYOUT(pi_employer, "employer", "employer_registered",
              "Enterprises registered or changed in the province (possible employers of "
              "foreign workers).",
              pi_employer_cols);

const struct lt_csv_layout *const lt_agency_planning_investment_csv_layouts[] = {
    &pi_employer,
    NULL,
};
