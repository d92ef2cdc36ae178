/* lt-agency-planning-investment — Planning and investment: enterprises employing foreign workers.
 *
 * The agency's own part only: the event types it publishes and the layouts of
 * its software's CSV exports (layouts.c, documented in README.md). The
 * engine — configuration, journal, signing, Kafka, HTTP, drop folder, outbox,
 * metrics — is common/publish. */
#include "publish/agency.h"

extern const struct lt_csv_layout *const lt_agency_planning_investment_csv_layouts[];

static const char *const event_types[] = {
    "employer_registered",
    NULL,
};

static const struct lt_agency_profile profile = {
    .kind = "planning_investment",
    .program = "lt-agency-planning-investment",
    .title = "Planning and investment: enterprises employing foreign workers",
    .event_types = event_types,
    .csv_layouts = lt_agency_planning_investment_csv_layouts,
};

int main(int argc, char **argv)
{
    return lt_agency_main(argc, argv, &profile);
}
