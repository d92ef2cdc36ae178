/* dashboard.h — the dashboard page of lt-query (services/query/dashboard.html:
 * HTML, CSS and script in one file, no external resource), compiled into the
 * program by CMake (embed.cmake) and served at GET / and GET /dashboard. The
 * page asks for a token, keeps it in sessionStorage and calls the JSON API. */
#ifndef LQ_DASHBOARD_H
#define LQ_DASHBOARD_H

#include <stddef.h>

extern const char lq_dashboard_html[];      /* NUL-terminated UTF-8 text */
extern const size_t lq_dashboard_html_len;  /* bytes, without the NUL */

#endif
