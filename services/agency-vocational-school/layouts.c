/* layouts.c — the CSV export of a vocational school's (or training
 * enterprise's) student records: courses completed by workers preparing to
 * go abroad — vocational skills, foreign languages and the compulsory
 * orientation course — that the vocational-school agency service reads from
 * its drop folder.
 *
 * README.md documents every column with its Vietnamese meaning and an
 * example file. */
#include "publish/agency.h"
#include "publish/csv.h"

static const struct lt_csv_column vs_training_cols[] = {
    LT_CSV_OCCURRED("completed_date"),
    LT_CSV_SUBJECT_CITIZEN,
    { "kind", "trainingCompleted.kind", LT_CSV_ENUM, 1 },
    { "course_name", "trainingCompleted.courseName", LT_CSV_STRING, 1 },
    { "certificate_no", "trainingCompleted.certificateNo", LT_CSV_STRING, 0 },
    { "start_date", "trainingCompleted.startDate", LT_CSV_STRING, 0 },
    { "hours", "trainingCompleted.hours", LT_CSV_INT, 0 },
    { "occupation_code", "trainingCompleted.occupationCode", LT_CSV_STRING, 0 },
    { "vocational_level", "trainingCompleted.vocationalLevel", LT_CSV_ENUM, 0 },
    { "language", "trainingCompleted.language", LT_CSV_STRING, 0 },
    { "language_test", "trainingCompleted.languageTest", LT_CSV_ENUM, 0 },
    { "language_level", "trainingCompleted.languageLevel", LT_CSV_STRING, 0 },
    { "destination_country", "trainingCompleted.destinationCountry", LT_CSV_STRING, 0 },
    { "service_enterprise_code", "trainingCompleted.serviceEnterpriseCode", LT_CSV_STRING, 0 },
};
LT_CSV_LAYOUT(vs_training, "training-completed", "training_completed",
              "Courses completed: vocational skill, foreign language or orientation.",
              vs_training_cols);

const struct lt_csv_layout *const lt_agency_vocational_school_csv_layouts[] = {
    &vs_training,
    NULL,
};
