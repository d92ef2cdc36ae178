/* layouts.c — the CSV export of the ethnic affairs committee's payment
 * records (non-repayable support to ethnic-minority workers going abroad,
 * mostly under the national target programme for ethnic minority and
 * mountainous areas) that the ethnic-affairs agency service reads from its
 * drop folder.
 *
 * README.md documents every column with its Vietnamese meaning and an
 * example file. */
#include "publish/agency.h"
#include "publish/csv.h"
#include "publish/layouts.h"

const struct lt_csv_layout *const lt_agency_ethnic_affairs_csv_layouts[] = {
    &lt_csv_layout_support_paid,
    NULL,
};
