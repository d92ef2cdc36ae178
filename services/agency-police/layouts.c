/* layouts.c — the CSV exports of the provincial police's software
 * (immigration control, temporary-residence declarations, residence cards,
 * administrative sanctions, identity checks against the national population
 * database) that the police agency service reads from its drop folder.
 *
 * One layout per event type; README.md documents every column with its
 * Vietnamese meaning and an example file. The columns cover every field the
 * contract requires (proto/lienthong/v1/event.proto) and the optional fields
 * the exports carry. */
#include "publish/agency.h"
#include "publish/csv.h"
#include "publish/layouts.h"

static const struct lt_csv_column police_residence_cols[] = {
    LT_CSV_OCCURRED("declared_at"),
    LT_CSV_SUBJECT_FOREIGNER,
    { "address_line", "residenceRegistered.address.line", LT_CSV_STRING, 1 },
    { "province_code", "residenceRegistered.address.area.provinceCode", LT_CSV_STRING, 1 },
    { "district_code", "residenceRegistered.address.area.districtCode", LT_CSV_STRING, 0 },
    { "commune_code", "residenceRegistered.address.area.communeCode", LT_CSV_STRING, 0 },
    { "accommodation_name", "residenceRegistered.accommodationName", LT_CSV_STRING, 0 },
    { "stay_from", "residenceRegistered.validFrom", LT_CSV_STRING, 1 },
    { "stay_until", "residenceRegistered.validUntil", LT_CSV_STRING, 0 },
};
LT_CSV_LAYOUT(police_residence, "residence-declaration", "residence_registered",
              "Temporary-residence declarations of foreigners (khai báo tạm trú).",
              police_residence_cols);

static const struct lt_csv_column police_card_cols[] = {
    LT_CSV_OCCURRED("issue_date"),
    LT_CSV_SUBJECT_FOREIGNER,
    { "card_no", "residenceCardIssued.cardNo", LT_CSV_STRING, 1 },
    { "card_purpose", "residenceCardIssued.cardPurpose", LT_CSV_ENUM, 1 },
    { "sponsor_enterprise_code", "residenceCardIssued.sponsorEnterpriseCode", LT_CSV_STRING, 0 },
    { "sponsor_name", "residenceCardIssued.sponsorName", LT_CSV_STRING, 0 },
    { "address_line", "residenceCardIssued.address.line", LT_CSV_STRING, 0 },
    { "province_code", "residenceCardIssued.address.area.provinceCode", LT_CSV_STRING, 0 },
    { "district_code", "residenceCardIssued.address.area.districtCode", LT_CSV_STRING, 0 },
    { "commune_code", "residenceCardIssued.address.area.communeCode", LT_CSV_STRING, 0 },
    { "valid_from", "residenceCardIssued.validFrom", LT_CSV_STRING, 1 },
    { "valid_until", "residenceCardIssued.validUntil", LT_CSV_STRING, 1 },
    { "permit_no", "residenceCardIssued.permitNo", LT_CSV_STRING, 0 },
};
LT_CSV_LAYOUT(police_card, "residence-card", "residence_card_issued",
              "Temporary residence cards issued to foreigners (thẻ tạm trú).", police_card_cols);

static const struct lt_csv_column police_violation_cols[] = {
    LT_CSV_OCCURRED("decision_date"),
    LT_CSV_SUBJECT_FOREIGNER,
    { "violation_type", "violationRecorded.violationType", LT_CSV_ENUM, 1 },
    { "decision_no", "violationRecorded.decisionNo", LT_CSV_STRING, 0 },
    { "sanctions", "violationRecorded.sanctions", LT_CSV_LIST, 0 },
    { "fine_vnd", "violationRecorded.fineVnd", LT_CSV_INT, 0 },
    { "legal_basis", "violationRecorded.legalBasis", LT_CSV_STRING, 0 },
    { "employer_enterprise_code", "violationRecorded.employerEnterpriseCode", LT_CSV_STRING, 0 },
    { "permit_no", "violationRecorded.permitNo", LT_CSV_STRING, 0 },
    { "province_code", "violationRecorded.area.provinceCode", LT_CSV_STRING, 0 },
    { "district_code", "violationRecorded.area.districtCode", LT_CSV_STRING, 0 },
    { "commune_code", "violationRecorded.area.communeCode", LT_CSV_STRING, 0 },
    { "note", "violationRecorded.note", LT_CSV_STRING, 0 },
};
LT_CSV_LAYOUT(police_violation, "violation", "violation_recorded",
              "Administrative sanctions against foreigners (immigration, residence).",
              police_violation_cols);

static const struct lt_csv_column police_identity_cols[] = {
    LT_CSV_OCCURRED("checked_at"),
    LT_CSV_SUBJECT_CITIZEN,
    { "result", "citizenIdentityVerified.result", LT_CSV_ENUM, 1 },
    { "full_name_check", "citizenIdentityVerified.fullNameCheck", LT_CSV_ENUM, 1 },
    { "birth_date_check", "citizenIdentityVerified.birthDateCheck", LT_CSV_ENUM, 1 },
    { "sex_check", "citizenIdentityVerified.sexCheck", LT_CSV_ENUM, 1 },
    { "requested_by_agency_code", "citizenIdentityVerified.requestedByAgencyCode", LT_CSV_STRING,
      0 },
    { "request_ref", "citizenIdentityVerified.requestRef", LT_CSV_STRING, 0 },
};
LT_CSV_LAYOUT(police_identity, "identity-check", "citizen_identity_verified",
              "Personal IDs checked against the national population database.",
              police_identity_cols);

const struct lt_csv_layout *const lt_agency_police_csv_layouts[] = {
    &lt_csv_layout_entry,     &lt_csv_layout_exit,      &police_residence, &police_card,
    &police_violation, &police_identity,  &lt_csv_layout_departure, &lt_csv_layout_return,
    NULL,
};
