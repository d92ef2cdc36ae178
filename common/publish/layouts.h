/* layouts.h — the CSV export layouts shared by several agency kinds (see
 * layouts.c). Agencies list them in their NULL-terminated layout arrays. */
#ifndef LT_PUBLISH_LAYOUTS_H
#define LT_PUBLISH_LAYOUTS_H

#include "publish/agency.h"

extern const struct lt_csv_layout lt_csv_layout_entry; /* entry */
extern const struct lt_csv_layout lt_csv_layout_exit; /* exit */
extern const struct lt_csv_layout lt_csv_layout_departure; /* departure */
extern const struct lt_csv_layout lt_csv_layout_return; /* return_home */
extern const struct lt_csv_layout lt_csv_layout_outbound_registration; /* outbound_registered */
extern const struct lt_csv_layout lt_csv_layout_support_paid; /* support_paid */

/* The columns of a ContractRegistered export after its date and subject: the
 * contract's terms. Labour (registering) and service enterprises (signing)
 * export the same terms and differ only in the date column. */
#define LT_CSV_CONTRACT_TERMS \
    { "contract_no", "contractRegistered.contractNo", LT_CSV_STRING, 1 }, \
    { "form", "contractRegistered.form", LT_CSV_ENUM, 1 }, \
    { "service_enterprise_code", "contractRegistered.serviceEnterpriseCode", LT_CSV_STRING, 0 }, \
    { "service_licence_no", "contractRegistered.serviceLicenceNo", LT_CSV_STRING, 0 }, \
    { "supply_contract_no", "contractRegistered.supplyContractNo", LT_CSV_STRING, 0 }, \
    { "destination_country", "contractRegistered.destinationCountry", LT_CSV_STRING, 1 }, \
    { "foreign_employer_name", "contractRegistered.foreignEmployerName", LT_CSV_STRING, 1 }, \
    { "foreign_employer_ref", "contractRegistered.foreignEmployerRef", LT_CSV_STRING, 0 }, \
    { "work_location", "contractRegistered.workLocation", LT_CSV_STRING, 0 }, \
    { "job_title", "contractRegistered.jobTitle", LT_CSV_STRING, 1 }, \
    { "occupation_code", "contractRegistered.occupationCode", LT_CSV_STRING, 0 }, \
    { "scheme", "contractRegistered.scheme", LT_CSV_STRING, 0 }, \
    { "start_date", "contractRegistered.startDate", LT_CSV_STRING, 1 }, \
    { "duration_months", "contractRegistered.durationMonths", LT_CSV_INT, 1 }, \
    { "salary_currency", "contractRegistered.monthlySalary.currency", LT_CSV_STRING, 1 }, \
    { "salary_amount", "contractRegistered.monthlySalary.amountMinor", LT_CSV_INT, 1 }, \
    { "service_fee_vnd", "contractRegistered.serviceFeeVnd", LT_CSV_INT, 0 }, \
    { "brokerage_fee_vnd", "contractRegistered.brokerageFeeVnd", LT_CSV_INT, 0 }, \
    { "deposit_vnd", "contractRegistered.depositVnd", LT_CSV_INT, 0 }, \
    { "deposit_bank", "contractRegistered.depositBank", LT_CSV_STRING, 0 },

#endif
