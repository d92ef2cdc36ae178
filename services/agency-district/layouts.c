/* layouts.c — the CSV export of a district's (since 2025-07-01 a commune's)
 * register of citizens who want to work abroad, that the district agency
 * service reads from its drop folder.
 *
 * README.md documents every column with its Vietnamese meaning and an
 * example file. */
#include "publish/agency.h"
#include "publish/csv.h"
#include "publish/layouts.h"

const struct lt_csv_layout *const lt_agency_district_csv_layouts[] = {
    &lt_csv_layout_outbound_registration,
    NULL,
};
