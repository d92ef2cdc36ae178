/* mem.h — allocation that never returns NULL.
 *
 * Out of memory is not a condition any Lienthong program can recover from
 * sensibly, so these wrappers log and abort, and call sites stay clean. */
#ifndef LT_CORE_MEM_H
#define LT_CORE_MEM_H

#include <stddef.h>

void *lt_malloc(size_t n);
void *lt_calloc(size_t count, size_t size);
void *lt_realloc(void *p, size_t n);
char *lt_strdup(const char *s);
char *lt_strndup(const char *s, size_t n);
/* printf into a new string; the caller owns the result (free()). */
char *lt_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
