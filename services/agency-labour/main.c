/* lt-agency-labour — Provincial labour department (foreign workers' permits; workers going abroad).
 *
 * The agency's own part only: the event types it publishes and the layouts of
 * its software's CSV exports (layouts.c, documented in README.md). The
 * engine — configuration, journal, signing, Kafka, HTTP, drop folder, outbox,
 * metrics — is common/publish. */
#include "publish/agency.h"

extern const struct lt_csv_layout *const lt_agency_labour_csv_layouts[];

static const char *const event_types[] = {
    "labour_demand_declared",
    "labour_demand_approved",
    "labour_demand_rejected",
    "work_permit_issued",
    "work_permit_reissued",
    "work_permit_extended",
    "work_permit_revoked",
    "work_permit_exemption_certified",
    "work_permit_exemption_reported",
    "violation_recorded",
    "outbound_registered",
    "contract_registered",
    "support_paid",
    "reemployment_supported",
    NULL,
};

static const struct lt_agency_profile profile = {
    .kind = "labour",
    .program = "lt-agency-labour",
    .title = "Provincial labour department (foreign workers' permits; workers going abroad)",
    .event_types = event_types,
    .csv_layouts = lt_agency_labour_csv_layouts,
};

int main(int argc, char **argv)
{
    return lt_agency_main(argc, argv, &profile);
}
