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

#endif
