/* layouts.c — the CSV exports of the provincial labour department's case
 * software (foreign workers: demand reports, work permits, exemptions,
 * inspections; workers going abroad: registrations, contracts registered on
 * behalf of enterprises, support payments, re-employment at the job centre)
 * that the labour agency service reads from its drop folder.
 *
 * One layout per event type; README.md documents every column with its
 * Vietnamese meaning and an example file. The columns cover every field the
 * contract requires (proto/lienthong/v1/event.proto) and the optional fields
 * the exports carry. One CSV row is one event, so a demand row carries one
 * position and a permit row at most one workplace address besides its work
 * area; dossiers with more go through the JSON-lines file or HTTP. */
#include "publish/agency.h"
#include "publish/csv.h"
#include "publish/layouts.h"

/* The terms of a permit or an exemption (PermitTerms) under path p. */
#define PERMIT_TERMS(p)                                                                      \
    { "employer_enterprise_code", p ".employerEnterpriseCode", LT_CSV_STRING, 1 },           \
    { "full_name", p ".person.fullName", LT_CSV_STRING, 1 },                                 \
    { "birth_date", p ".person.birthDate", LT_CSV_STRING, 1 },                               \
    { "sex", p ".person.sex", LT_CSV_ENUM, 1 },                                              \
    { "job_title", p ".jobTitle", LT_CSV_STRING, 1 },                                        \
    { "category", p ".category", LT_CSV_ENUM, 1 },                                           \
    { "work_form", p ".workForm", LT_CSV_ENUM, 1 },                                          \
    { "occupation_code", p ".occupationCode", LT_CSV_STRING, 0 },                            \
    { "work_province_code", p ".workArea.provinceCode", LT_CSV_STRING, 1 },                  \
    { "work_district_code", p ".workArea.districtCode", LT_CSV_STRING, 0 },                  \
    { "work_commune_code", p ".workArea.communeCode", LT_CSV_STRING, 0 },                    \
    { "workplace_address", p ".workplaces[0].line", LT_CSV_STRING, 0 },                      \
    { "workplace_province_code", p ".workplaces[0].area.provinceCode", LT_CSV_STRING, 0 },   \
    { "workplace_district_code", p ".workplaces[0].area.districtCode", LT_CSV_STRING, 0 },   \
    { "workplace_commune_code", p ".workplaces[0].area.communeCode", LT_CSV_STRING, 0 },     \
    { "valid_from", p ".validFrom", LT_CSV_STRING, 1 },                                      \
    { "valid_until", p ".validUntil", LT_CSV_STRING, 1 }

/* One position of a demand (DemandPosition) under path p. */
#define DEMAND_POSITION(p)                                                                   \
    { "job_title", p ".jobTitle", LT_CSV_STRING, 1 },                                        \
    { "category", p ".category", LT_CSV_ENUM, 1 },                                           \
    { "work_form", p ".workForm", LT_CSV_ENUM, 1 },                                          \
    { "occupation_code", p ".occupationCode", LT_CSV_STRING, 0 },                            \
    { "worker_count", p ".count", LT_CSV_INT, 1 },                                           \
    { "start_date", p ".startDate", LT_CSV_STRING, 1 },                                      \
    { "end_date", p ".endDate", LT_CSV_STRING, 1 },                                          \
    { "work_province_code", p ".workArea.provinceCode", LT_CSV_STRING, 1 },                  \
    { "work_district_code", p ".workArea.districtCode", LT_CSV_STRING, 0 },                  \
    { "work_commune_code", p ".workArea.communeCode", LT_CSV_STRING, 0 },                    \
    { "justification", p ".justification", LT_CSV_STRING, 0 }

/* ---- foreign workers ---------------------------------------------------- */

static const struct lt_csv_column labour_declared_cols[] = {
    LT_CSV_OCCURRED("received_date"),
    LT_CSV_SUBJECT_ENTERPRISE,
    { "demand_id", "labourDemandDeclared.demandId", LT_CSV_STRING, 1 },
    DEMAND_POSITION("labourDemandDeclared.positions[0]"),
    { "changes_decision_no", "labourDemandDeclared.changesDecisionNo", LT_CSV_STRING, 0 },
};
LT_CSV_LAYOUT(labour_declared, "demand-declared", "labour_demand_declared",
              "Employers' reports of demand for foreign workers, one position per row.",
              labour_declared_cols);

static const struct lt_csv_column labour_approved_cols[] = {
    LT_CSV_OCCURRED("decision_date"),
    LT_CSV_SUBJECT_ENTERPRISE,
    { "demand_id", "labourDemandApproved.demandId", LT_CSV_STRING, 1 },
    { "decision_no", "labourDemandApproved.decisionNo", LT_CSV_STRING, 1 },
    DEMAND_POSITION("labourDemandApproved.positions[0]"),
    { "approving_agency_code", "labourDemandApproved.approvingAgencyCode", LT_CSV_STRING, 0 },
};
LT_CSV_LAYOUT(labour_approved, "demand-approved", "labour_demand_approved",
              "Approvals of demand for foreign workers, one approved position per row.",
              labour_approved_cols);

static const struct lt_csv_column labour_rejected_cols[] = {
    LT_CSV_OCCURRED("decision_date"),
    LT_CSV_SUBJECT_ENTERPRISE,
    { "demand_id", "labourDemandRejected.demandId", LT_CSV_STRING, 1 },
    { "decision_no", "labourDemandRejected.decisionNo", LT_CSV_STRING, 0 },
    { "reason", "labourDemandRejected.reason", LT_CSV_STRING, 1 },
};
LT_CSV_LAYOUT(labour_rejected, "demand-rejected", "labour_demand_rejected",
              "Rejections of a whole demand for foreign workers.", labour_rejected_cols);

static const struct lt_csv_column labour_issued_cols[] = {
    LT_CSV_OCCURRED("issue_date"),
    LT_CSV_SUBJECT_FOREIGNER,
    { "permit_no", "workPermitIssued.permitNo", LT_CSV_STRING, 1 },
    PERMIT_TERMS("workPermitIssued.terms"),
    { "demand_id", "workPermitIssued.demandId", LT_CSV_STRING, 0 },
    { "demand_decision_no", "workPermitIssued.demandDecisionNo", LT_CSV_STRING, 0 },
};
LT_CSV_LAYOUT(labour_issued, "permit-issued", "work_permit_issued",
              "Work permits issued to foreign workers (giấy phép lao động).", labour_issued_cols);

static const struct lt_csv_column labour_reissued_cols[] = {
    LT_CSV_OCCURRED("issue_date"),
    LT_CSV_SUBJECT_FOREIGNER,
    { "permit_no", "workPermitReissued.permitNo", LT_CSV_STRING, 1 },
    { "previous_permit_no", "workPermitReissued.previousPermitNo", LT_CSV_STRING, 1 },
    { "reason", "workPermitReissued.reason", LT_CSV_ENUM, 1 },
    PERMIT_TERMS("workPermitReissued.terms"),
    { "previous_passport_number", "workPermitReissued.previousPassportNumber", LT_CSV_STRING, 0 },
    { "previous_nationality", "workPermitReissued.previousNationality", LT_CSV_STRING, 0 },
};
LT_CSV_LAYOUT(labour_reissued, "permit-reissued", "work_permit_reissued",
              "Work permits reissued (lost, damaged, details or passport changed).",
              labour_reissued_cols);

static const struct lt_csv_column labour_extended_cols[] = {
    LT_CSV_OCCURRED("decision_date"),
    LT_CSV_SUBJECT_FOREIGNER,
    { "permit_no", "workPermitExtended.permitNo", LT_CSV_STRING, 1 },
    { "application_date", "workPermitExtended.applicationDate", LT_CSV_STRING, 1 },
    { "previous_valid_until", "workPermitExtended.previousValidUntil", LT_CSV_STRING, 1 },
    { "valid_until", "workPermitExtended.validUntil", LT_CSV_STRING, 1 },
    { "new_permit_no", "workPermitExtended.newPermitNo", LT_CSV_STRING, 0 },
    { "demand_decision_no", "workPermitExtended.demandDecisionNo", LT_CSV_STRING, 0 },
};
LT_CSV_LAYOUT(labour_extended, "permit-extended", "work_permit_extended",
              "Work permits extended (gia hạn), once in a permit's life.", labour_extended_cols);

static const struct lt_csv_column labour_revoked_cols[] = {
    LT_CSV_OCCURRED("decision_date"),
    LT_CSV_SUBJECT_FOREIGNER,
    { "permit_no", "workPermitRevoked.permitNo", LT_CSV_STRING, 1 },
    { "reason", "workPermitRevoked.reason", LT_CSV_ENUM, 1 },
    { "decision_no", "workPermitRevoked.decisionNo", LT_CSV_STRING, 0 },
    { "effective_date", "workPermitRevoked.effectiveDate", LT_CSV_STRING, 1 },
    { "permit_recovered", "workPermitRevoked.permitRecovered", LT_CSV_INT, 0 },
    { "note", "workPermitRevoked.note", LT_CSV_STRING, 0 },
};
LT_CSV_LAYOUT(labour_revoked, "permit-revoked", "work_permit_revoked",
              "Work permits revoked (thu hồi), with the listed reason.", labour_revoked_cols);

static const struct lt_csv_column labour_certified_cols[] = {
    LT_CSV_OCCURRED("issue_date"),
    LT_CSV_SUBJECT_FOREIGNER,
    { "certificate_no", "workPermitExemptionCertified.certificateNo", LT_CSV_STRING, 1 },
    { "ground", "workPermitExemptionCertified.ground", LT_CSV_ENUM, 1 },
    { "legal_basis", "workPermitExemptionCertified.legalBasis", LT_CSV_STRING, 0 },
    PERMIT_TERMS("workPermitExemptionCertified.terms"),
};
LT_CSV_LAYOUT(labour_certified, "exemption-certified", "work_permit_exemption_certified",
              "Certificates that a foreign worker needs no work permit.", labour_certified_cols);

static const struct lt_csv_column labour_reported_cols[] = {
    LT_CSV_OCCURRED("received_date"),
    LT_CSV_SUBJECT_FOREIGNER,
    { "report_ref", "workPermitExemptionReported.reportRef", LT_CSV_STRING, 1 },
    { "ground", "workPermitExemptionReported.ground", LT_CSV_ENUM, 1 },
    { "legal_basis", "workPermitExemptionReported.legalBasis", LT_CSV_STRING, 0 },
    PERMIT_TERMS("workPermitExemptionReported.terms"),
};
LT_CSV_LAYOUT(labour_reported, "exemption-reported", "work_permit_exemption_reported",
              "Report-only exemptions from the work permit, as reported by employers.",
              labour_reported_cols);

static const struct lt_csv_column labour_violation_cols[] = {
    LT_CSV_OCCURRED("decision_date"),
    LT_CSV_SUBJECT_ENTERPRISE,
    { "violation_type", "violationRecorded.violationType", LT_CSV_ENUM, 1 },
    { "decision_no", "violationRecorded.decisionNo", LT_CSV_STRING, 0 },
    { "sanctions", "violationRecorded.sanctions", LT_CSV_LIST, 0 },
    { "fine_vnd", "violationRecorded.fineVnd", LT_CSV_INT, 0 },
    { "legal_basis", "violationRecorded.legalBasis", LT_CSV_STRING, 0 },
    { "worker_nationality", "violationRecorded.foreignWorker.nationality", LT_CSV_STRING, 0 },
    { "worker_passport_number", "violationRecorded.foreignWorker.passportNumber", LT_CSV_STRING,
      0 },
    { "permit_no", "violationRecorded.permitNo", LT_CSV_STRING, 0 },
    { "province_code", "violationRecorded.area.provinceCode", LT_CSV_STRING, 0 },
    { "district_code", "violationRecorded.area.districtCode", LT_CSV_STRING, 0 },
    { "commune_code", "violationRecorded.area.communeCode", LT_CSV_STRING, 0 },
    { "note", "violationRecorded.note", LT_CSV_STRING, 0 },
};
LT_CSV_LAYOUT(labour_violation, "violation", "violation_recorded",
              "Labour inspection findings and sanctions against employers of foreign workers.",
              labour_violation_cols);

/* ---- workers going abroad ----------------------------------------------- */

static const struct lt_csv_column labour_contract_cols[] = {
    LT_CSV_OCCURRED("registered_date"),
    LT_CSV_SUBJECT_CITIZEN,
    LT_CSV_CONTRACT_TERMS
};
LT_CSV_LAYOUT(labour_contract, "contract-registered", "contract_registered",
              "Overseas work contracts registered at the labour department (individual "
              "contracts, or on an enterprise's behalf).",
              labour_contract_cols);

static const struct lt_csv_column labour_reemployment_cols[] = {
    LT_CSV_OCCURRED("support_date"),
    LT_CSV_SUBJECT_CITIZEN,
    { "job_centre_code", "reemploymentSupported.jobCentreCode", LT_CSV_STRING, 1 },
    { "support_kinds", "reemploymentSupported.kinds", LT_CSV_LIST, 1 },
    { "outcome", "reemploymentSupported.outcome", LT_CSV_ENUM, 1 },
    { "employer_enterprise_code", "reemploymentSupported.employerEnterpriseCode", LT_CSV_STRING,
      0 },
    { "job_title", "reemploymentSupported.jobTitle", LT_CSV_STRING, 0 },
    { "occupation_code", "reemploymentSupported.occupationCode", LT_CSV_STRING, 0 },
};
LT_CSV_LAYOUT(labour_reemployment, "reemployment", "reemployment_supported",
              "Re-employment support given to returned workers by the job centre.",
              labour_reemployment_cols);

const struct lt_csv_layout *const lt_agency_labour_csv_layouts[] = {
    &labour_declared,  &labour_approved,  &labour_rejected,  &labour_issued,
    &labour_reissued,  &labour_extended,  &labour_revoked,   &labour_certified,
    &labour_reported,  &labour_violation, &lt_csv_layout_outbound_registration,  &labour_contract,
    &lt_csv_layout_support_paid,   &labour_reemployment,
    NULL,
};
