/* lt-agency-police — Provincial police: immigration, residence and identity checks.
 *
 * The agency's own part only: the event types it publishes and the layouts of
 * its software's CSV exports (layouts.c, documented in README.md). The
 * engine — configuration, journal, signing, Kafka, HTTP, drop folder, outbox,
 * metrics — is common/publish. */
#include "publish/agency.h"

extern const struct lt_csv_layout *const lt_agency_police_csv_layouts[];

static const char *const event_types[] = {
    "entry",
    "exit",
    "residence_registered",
    "residence_card_issued",
    "violation_recorded",
    "citizen_identity_verified",
    "departure",
    "return_home",
    NULL,
};

static const struct lt_agency_profile profile = {
    .kind = "police",
    .program = "lt-agency-police",
    .title = "Provincial police: immigration, residence and identity checks",
    .event_types = event_types,
    .csv_layouts = lt_agency_police_csv_layouts,
};

int main(int argc, char **argv)
{
    return lt_agency_main(argc, argv, &profile);
}
