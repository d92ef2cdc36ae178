/* lt-agency-foreign-affairs — Department of foreign affairs: citizen protection abroad.
 *
 * The agency's own part only: the event types it publishes and the layouts of
 * its software's CSV exports (layouts.c, documented in README.md). The
 * engine — configuration, journal, signing, Kafka, HTTP, drop folder, outbox,
 * metrics — is common/publish. */
#include "publish/agency.h"

extern const struct lt_csv_layout *const lt_agency_foreign_affairs_csv_layouts[];

static const char *const event_types[] = {
    "citizen_protection_case",
    NULL,
};

static const struct lt_agency_profile profile = {
    .kind = "foreign_affairs",
    .program = "lt-agency-foreign-affairs",
    .title = "Department of foreign affairs: citizen protection abroad",
    .event_types = event_types,
    .csv_layouts = lt_agency_foreign_affairs_csv_layouts,
};

int main(int argc, char **argv)
{
    return lt_agency_main(argc, argv, &profile);
}
