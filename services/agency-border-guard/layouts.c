/* layouts.c — the CSV exports of the border guard's border-gate control
 * software (sea ports and land border gates under the provincial Border
 * Guard Command) that the border-guard agency service reads from its drop
 * folder: foreigners' entries and exits, Vietnamese workers' departures and
 * returns.
 *
 * The border guard keeps the same crossing records as police immigration, so
 * its layouts are the shared ones of common/publish/layouts.c (one export
 * program can feed either service); README.md documents every column. */
#include "publish/agency.h"
#include "publish/csv.h"
#include "publish/layouts.h"

const struct lt_csv_layout *const lt_agency_border_guard_csv_layouts[] = {
    &lt_csv_layout_entry,
    &lt_csv_layout_exit,
    &lt_csv_layout_departure,
    &lt_csv_layout_return,
    NULL,
};
