/* layouts.c — CSV export layouts that more than one kind of agency uses, so
 * that each is written once: border crossings (police immigration and the
 * border guard keep the same records), citizens' registration to work abroad
 * (districts and labour) and support payments (labour and ethnic affairs).
 * Each agency's own layouts stay in services/agency-<kind>/layouts.c;
 * services/agency-<kind>/README.md documents every layout it reads. */
#include "publish/csv.h"
#include "publish/layouts.h"

static const struct lt_csv_column shared_entry_cols[] = {
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
const struct lt_csv_layout lt_csv_layout_entry = {
    .name = "entry",
    .event_type = "entry",
    .description = "Foreigners' entries checked at a border gate, airport or sea port.",
    .columns = shared_entry_cols,
    .n_columns = sizeof shared_entry_cols / sizeof shared_entry_cols[0],
};

static const struct lt_csv_column shared_exit_cols[] = {
    LT_CSV_OCCURRED("exit_time"),
    LT_CSV_SUBJECT_FOREIGNER,
    { "border_gate_code", "exit.borderGateCode", LT_CSV_STRING, 1 },
    { "visa_purpose", "exit.visaPurpose", LT_CSV_ENUM, 0 },
    { "destination_country", "exit.destinationCountry", LT_CSV_STRING, 0 },
};
const struct lt_csv_layout lt_csv_layout_exit = {
    .name = "exit",
    .event_type = "exit",
    .description = "Foreigners' exits checked at a border gate, airport or sea port.",
    .columns = shared_exit_cols,
    .n_columns = sizeof shared_exit_cols / sizeof shared_exit_cols[0],
};

static const struct lt_csv_column shared_departure_cols[] = {
    LT_CSV_OCCURRED("departure_time"),
    LT_CSV_SUBJECT_CITIZEN,
    { "border_gate_code", "departure.borderGateCode", LT_CSV_STRING, 1 },
    { "destination_country", "departure.destinationCountry", LT_CSV_STRING, 1 },
    { "contract_no", "departure.contractNo", LT_CSV_STRING, 0 },
    { "service_enterprise_code", "departure.serviceEnterpriseCode", LT_CSV_STRING, 0 },
    { "passport_number", "departure.passportNumber", LT_CSV_STRING, 0 },
};
const struct lt_csv_layout lt_csv_layout_departure = {
    .name = "departure",
    .event_type = "departure",
    .description = "Vietnamese workers leaving to work abroad (exit control).",
    .columns = shared_departure_cols,
    .n_columns = sizeof shared_departure_cols / sizeof shared_departure_cols[0],
};

static const struct lt_csv_column shared_return_cols[] = {
    LT_CSV_OCCURRED("return_time"),
    LT_CSV_SUBJECT_CITIZEN,
    { "border_gate_code", "returnHome.borderGateCode", LT_CSV_STRING, 1 },
    { "from_country", "returnHome.fromCountry", LT_CSV_STRING, 0 },
    { "contract_no", "returnHome.contractNo", LT_CSV_STRING, 0 },
    { "passport_number", "returnHome.passportNumber", LT_CSV_STRING, 0 },
};
const struct lt_csv_layout lt_csv_layout_return = {
    .name = "return",
    .event_type = "return_home",
    .description = "Vietnamese workers coming back from abroad (entry control).",
    .columns = shared_return_cols,
    .n_columns = sizeof shared_return_cols / sizeof shared_return_cols[0],
};

static const struct lt_csv_column shared_outbound_registration_cols[] = {
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
const struct lt_csv_layout lt_csv_layout_outbound_registration = {
    .name = "outbound-registration",
    .event_type = "outbound_registered",
    .description = "Citizens registering to work abroad.",
    .columns = shared_outbound_registration_cols,
    .n_columns = sizeof shared_outbound_registration_cols / sizeof shared_outbound_registration_cols[0],
};

static const struct lt_csv_column shared_support_paid_cols[] = {
    LT_CSV_OCCURRED("paid_date"),
    LT_CSV_SUBJECT_CITIZEN,
    { "programme", "supportPaid.programme", LT_CSV_ENUM, 1 },
    { "programme_note", "supportPaid.programmeNote", LT_CSV_STRING, 0 },
    { "kind", "supportPaid.kind", LT_CSV_ENUM, 1 },
    { "amount_vnd", "supportPaid.amountVnd", LT_CSV_INT, 1 },
    { "decision_no", "supportPaid.decisionNo", LT_CSV_STRING, 0 },
    { "contract_no", "supportPaid.contractNo", LT_CSV_STRING, 0 },
};
const struct lt_csv_layout lt_csv_layout_support_paid = {
    .name = "support-paid",
    .event_type = "support_paid",
    .description = "Non-repayable support paid to workers going abroad.",
    .columns = shared_support_paid_cols,
    .n_columns = sizeof shared_support_paid_cols / sizeof shared_support_paid_cols[0],
};
