/* openapi.h — the OpenAPI 3 document of lt-query (services/query/openapi.json),
 * compiled into the program by CMake (embed.cmake) so the served document
 * always matches the binary. */
#ifndef LQ_OPENAPI_H
#define LQ_OPENAPI_H

#include <stddef.h>

extern const char lq_openapi_json[];   /* NUL-terminated JSON text */
extern const size_t lq_openapi_json_len; /* bytes, without the NUL */

#endif
