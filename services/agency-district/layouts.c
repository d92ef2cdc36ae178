/* layouts.c — the CSV export of a district's (since 2025-07-01 a commune's)
 * register of citizens who want to work abroad, that the district agency
 * service reads from its drop folder.
 *
 * README.md documents every column with its Vietnamese meaning and an
 * example file. */
#include "publish/agency.h"
#include "publish/csv.h"

static const struct lt_csv_column district_outbound_cols[] = {
    LT_CSV_OCCURRED("registered_date"),
    LT_CSV_SUBJECT_CITIZEN,
    { "full_name", "outboundRegistered.person.fullName", LT_CSV_STRING, 1 },
    { "birth_date", "outboundRegistered.person.birthDate", LT_CSV_STRING, 1 },
    { "sex", "outboundRegistered.person.sex", LT_CSV_ENUM, 1 },
    { "province_code", "outboundRegistered.residenceArea.provinceCode", LT_CSV_STRING, 1 },
    { "district_code", "outboundRegistered.residenceArea.districtCode", LT_CSV_STRING, 0 },
    { "commune_code", "outboundRegistered.residenceArea.communeCode", LT_CSV_STRING, 1 },
    { "priority_groups", "outboundRegistered.priorityGroups", LT_CSV_LIST, 0 },
    { "wanted_countries", "outboundRegistered.wantedCountries", LT_CSV_LIST, 0 },
    { "wanted_occupation", "outboundRegistered.wantedOccupation", LT_CSV_STRING, 0 },
    { "wanted_form", "outboundRegistered.wantedForm", LT_CSV_ENUM, 0 },
};
LT_CSV_LAYOUT(district_outbound, "outbound-registration", "outbound_registered",
              "Citizens registering to work abroad at the district or commune.",
              district_outbound_cols);

const struct lt_csv_layout *const lt_agency_district_csv_layouts[] = {
    &district_outbound,
    NULL,
};
