/* layouts.c — the CSV exports of the border guard's border-gate control
 * software (sea ports and land border gates under the provincial Border
 * Guard Command) that the border-guard agency service reads from its drop
 * folder: foreigners' entries and exits, Vietnamese workers' departures and
 * returns.
 *
 * One layout per event type; README.md documents every column with its
 * Vietnamese meaning and an example file. The columns cover every field the
 * contract requires (proto/lienthong/v1/event.proto) and the optional fields
 * the exports carry. The column names are those of the police layouts, so
 * one export program can feed either service. */
#include "publish/agency.h"
#include "publish/csv.h"

static const struct lt_csv_column border_entry_cols[] = {
    LT_CSV_OCCURRED("entry_time"),
    LT_CSV_SUBJECT_FOREIGNER,
    { "full_name", "entry.person.fullName", LT_CSV_STRING, 0 },
    { "birth_date", "entry.person.birthDate", LT_CSV_STRING, 0 },
    { "sex", "entry.person.sex", LT_CSV_ENUM, 0 },
    { "border_gate_code", "entry.borderGateCode", LT_CSV_STRING, 1 },
    { "visa_purpose", "entry.visaPurpose", LT_CSV_ENUM, 1 },
    { "visa_no", "entry.visaNo", LT_CSV_STRING, 0 },
    { "visa_valid_until", "entry.visaValidUntil", LT_CSV_STRING, 0 },
    { "permitted_stay_until", "entry.permittedStayUntil", LT_CSV_STRING, 1 },
    { "sponsor_enterprise_code", "entry.sponsorEnterpriseCode", LT_CSV_STRING, 0 },
    { "sponsor_name", "entry.sponsorName", LT_CSV_STRING, 0 },
};
LT_CSV_LAYOUT(border_entry, "entry", "entry",
              "Foreigners' entries checked at a border gate or sea port.", border_entry_cols);

static const struct lt_csv_column border_exit_cols[] = {
    LT_CSV_OCCURRED("exit_time"),
    LT_CSV_SUBJECT_FOREIGNER,
    { "border_gate_code", "exit.borderGateCode", LT_CSV_STRING, 1 },
    { "visa_purpose", "exit.visaPurpose", LT_CSV_ENUM, 0 },
    { "destination_country", "exit.destinationCountry", LT_CSV_STRING, 0 },
};
LT_CSV_LAYOUT(border_exit, "exit", "exit",
              "Foreigners' exits checked at a border gate or sea port.", border_exit_cols);

static const struct lt_csv_column border_departure_cols[] = {
    LT_CSV_OCCURRED("departure_time"),
    LT_CSV_SUBJECT_CITIZEN,
    { "border_gate_code", "departure.borderGateCode", LT_CSV_STRING, 1 },
    { "destination_country", "departure.destinationCountry", LT_CSV_STRING, 1 },
    { "contract_no", "departure.contractNo", LT_CSV_STRING, 0 },
    { "service_enterprise_code", "departure.serviceEnterpriseCode", LT_CSV_STRING, 0 },
    { "passport_number", "departure.passportNumber", LT_CSV_STRING, 0 },
};
LT_CSV_LAYOUT(border_departure, "departure", "departure",
              "Vietnamese workers leaving to work abroad through a border gate or sea port.",
              border_departure_cols);

static const struct lt_csv_column border_return_cols[] = {
    LT_CSV_OCCURRED("return_time"),
    LT_CSV_SUBJECT_CITIZEN,
    { "border_gate_code", "returnHome.borderGateCode", LT_CSV_STRING, 1 },
    { "from_country", "returnHome.fromCountry", LT_CSV_STRING, 0 },
    { "contract_no", "returnHome.contractNo", LT_CSV_STRING, 0 },
    { "passport_number", "returnHome.passportNumber", LT_CSV_STRING, 0 },
};
LT_CSV_LAYOUT(border_return, "return", "return_home",
              "Vietnamese workers coming back through a border gate or sea port.",
              border_return_cols);

const struct lt_csv_layout *const lt_agency_border_guard_csv_layouts[] = {
    &border_entry,
    &border_exit,
    &border_departure,
    &border_return,
    NULL,
};
